package combinators_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// errCheckBig is the refusal of the Check tests.
var errCheckBig = errors.New("test: declared size too big")

// sizeHead reads "SIZE n\n" and refuses n over 9 with errCheckBig, naming
// the offset of the head.
func sizeHead() parse.TryParse[int] {
	head := c.Then(c.Label("SIZE", c.Literal("SIZE ")), c.Before(c.Decimal[int](0, 1<<20, 0), c.Byte('\n')))
	return c.Check(head, func(off int64, n int) error {
		if n > 9 {
			return fmt.Errorf("%w: %d at offset %d", errCheckBig, n, off)
		}
		return nil
	})
}

// TestCheck: a value check accepts and refuses values over every
// segmentation and chunking; the refusal is returned as it is and names
// the head's offset; an Alt backtracks from it unless a Commit head
// matched; failures of the element pass through as syntax errors.
func TestCheck(t *testing.T) {
	sized := c.Map(sizeHead(), strconv.Itoa)
	checkOnce(t, sized, "SIZE 7\n", 0, "7/7")
	checkStream(t, sized, "SIZE 7\nSIZE 3\n", 64, stream{msgs: []string{"7", "3"}})
	refused := fmt.Sprintf("%v: 12 at offset 7", errCheckBig)
	checkStream(t, sized, "SIZE 7\nSIZE 12\nSIZE 1\n", 64, stream{msgs: []string{"7"}, err: refused})
	checkStream(t, sized, "SIZE 7\nSIZX 1\n", 64, stream{msgs: []string{"7"}, err: syntax(7, "expected SIZE")})
	// A refusal lets an Alt try its next alternative, as any failure
	// does; after a Commit head it ends the message.
	any := c.Map(c.Line(), func(s seq.Sequence) string { return "line " + s.String() })
	checkStream(t, c.Alt(sized, any), "SIZE 12\nSIZE 1\n", 64, stream{msgs: []string{"line SIZE 12", "1"}})
	committed := c.Alt(c.Commit(c.Peek(c.Literal("SIZE ")), sized), any)
	checkStream(t, committed, "SIZE 1\nother\nSIZE 12\n", 64,
		stream{msgs: []string{"1", "line other"}, err: fmt.Sprintf("%v: 12 at offset 13", errCheckBig)})

	in := parse.NewInput(seq.Of([]byte("SIZE 12\n")), true, 0)
	if _, err := sizeHead()(in); !errors.Is(err, errCheckBig) {
		t.Errorf("error %v does not match errCheckBig", err)
	}
}

// TestCheckLeads: an alternative that starts with a literal inside Check
// (and Sized's head, and a Label) is ruled out by that literal without
// running, so a message that another alternative matches allocates
// nothing for it.
func TestCheckLeads(t *testing.T) {
	body := c.Sized(sizeHead(), func(n int) int { return n }, c.Rest(), nil,
		func(n int, b seq.Sequence) int { return b.Len() })
	ping := c.Map(c.Label("PING", c.Then(c.LiteralFold("PING"), c.Byte('\n'))), func(byte) int { return -1 })
	p := c.Alt(c.Label("SIZE", body), ping)
	input := seq.Of([]byte("ping\n"))
	in := parse.NewInput(input, true, 0)
	n := testing.AllocsPerRun(100, func() {
		in.Rewind(in.Consumed())
		if v, err := p(in); err != nil || v != -1 {
			t.Fatal(v, err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations for PING after a SIZE alternative", n)
	}
	if d := c.Describe(p); !strings.Contains(d, "[fused]") {
		t.Errorf("Alt not fused:\n%s", d)
	}
}
