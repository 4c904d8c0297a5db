package parse_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// lineSource is an endless io.Reader that returns one line per read.
type lineSource struct{ n int }

func (s *lineSource) Read(p []byte) (int, error) {
	s.n++
	return copy(p, fmt.Sprintf("%c\n", 'a'+s.n%26)), nil
}

// TestStaleMessageAcrossRecycles: a message kept past Next panics when used,
// also after its segment was recycled 2^16 times, which a 16-bit generation
// check cannot tell from none.
func TestStaleMessageAcrossRecycles(t *testing.T) {
	const recycles = 1 << 16
	r := parse.NewReader(pipe.NewReader(&lineSource{}, pipe.ReaderOptions{}), combinators.Line(), parse.Options{})
	defer r.Close()
	ctx := context.Background()
	kept, err := r.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seg := kept.Start().Segment()
	gen := seg.Generation()
	// The generation stops once the segment is retired; the bound then
	// ends the loop.
	for i := 0; int(seg.Generation()-gen) < recycles && i < recycles+100; i++ {
		if _, err := r.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msg := panicMessage(func() {
		got := kept.String()
		t.Errorf("a message kept across %d recycles reads %q", seg.Generation()-gen, got)
	})
	if !strings.Contains(msg, "segment was recycled") {
		t.Fatalf("panic %q, want the stale-view message", msg)
	}
}
