package combinators_test

import (
	"context"
	"fmt"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// record is the head of a record: "name=length:", then length bytes.
type record struct {
	name string
	n    uint64
}

var recordHead = c.Seq2(c.Before(c.TakeIn("abcdefghijklmnopqrstuvwxyz", 1, 16), c.Byte('=')),
	c.Before(c.Decimal[uint64](0, 1<<40, 13), c.Byte(':')),
	func(name seq.Sequence, n uint64) record { return record{name.String(), n} })

// records declares a stream of records, one state, whose payloads arrive
// in parts of at most 4 bytes.
var records = &c.Parts[int, record]{
	Head:    func(int) parse.TryParse[record] { return recordHead },
	Size:    func(h record) uint64 { return h.n },
	Next:    func(int, record) int { return 0 },
	MaxPart: 4,
}

func ExampleParts() {
	in := pipe.FromBytes([]byte("greeting=11:hello worldbye=0:"))
	r := parse.NewReader(in, records.Stream().Parse, parse.Options{})
	for p := range r.All(context.Background()) {
		if p.HasHead {
			fmt.Printf("%s (%d bytes): ", p.Head.name, p.Head.n)
		}
		fmt.Printf("%q, %d left\n", p.Data.String(), p.Left)
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// greeting (11 bytes): "hell", 7 left
	// "o wo", 3 left
	// "rld", 0 left
	// bye (0 bytes): "", 0 left
}

// TestPartsGuide runs the harness as the guide's section on payloads in
// parts shows, and checks that the guide quotes this file.
func TestPartsGuide(t *testing.T) {
	decl, input := records, []byte("greeting=11:hello worldbye=0:")
	dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(c.Part[record])) error {
		return fuzz.Parser(decl.Stream().Parse)(ctx, r, limit, emit)
	}
	fuzz.CheckChunkings(t, dec, input, fuzz.Options[c.Part[record]]{MaxMessageSize: 1 << 10})
	testutil.QuotesVerbatim(t, "../docs/grammar.md", "## Payloads in parts", 1, "example_parts_test.go")
}
