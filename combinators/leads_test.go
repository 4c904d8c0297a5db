package combinators_test

import (
	"bytes"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// lengthOrHeader reads a header line whose content-length is read as a number,
// as in the STOMP example: the first alternative starts with a literal
// whose first bytes many other header names share.
func lengthOrHeader() parse.TryParse[int] {
	key := c.Literal("content-length:")
	length := c.Commit(c.Peek(key), c.Then(key, c.Before(c.Decimal[int](0, 1<<30, 0), c.Byte('\n'))))
	other := c.Map(c.Seq3(c.TakeNotIn(":\n", 1, 64), c.Byte(':'), c.Line(),
		func(k seq.Sequence, _ byte, v seq.Sequence) int { return -1 }), func(n int) int { return n })
	return c.Alt(length, other)
}

// TestAltLeadsAllocateNothing: an alternative ruled out by the literal it
// starts with is not run, so it allocates no error, when another
// alternative matches; and Opt's element likewise.
func TestAltLeadsAllocateNothing(t *testing.T) {
	allocs := func(p parse.TryParse[int], input string) float64 {
		s := seq.Of([]byte(input))
		in := parse.NewInput(s, true, 0)
		return testing.AllocsPerRun(100, func() {
			in.Rewind(in.Consumed())
			if _, err := p(in); err != nil {
				t.Fatal(err)
			}
		})
	}
	h := lengthOrHeader()
	if n := allocs(h, "content-type:text/plain\n"); n != 0 {
		t.Errorf("Alt: %v allocations for a header that is not content-length", n)
	}
	// The STOMP example: a header whose name starts like content-length
	// costs what any other header costs.
	frameAllocs := func(input string) float64 {
		s := seq.Of([]byte(input))
		return testing.AllocsPerRun(100, func() {
			if _, err := stomp(parse.NewInput(s, true, 0)); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n, base := frameAllocs("SEND\ncontent-type:text/plain\nreceipt:1\n\nhello\x00"),
		frameAllocs("SEND\nx-type:text/plain\nreceipt:1\n\nhello\x00"); n != base {
		t.Errorf("STOMP: %v allocations for a frame with content-type, %v with x-type", n, base)
	}
	opt := c.Map(c.Seq2(c.Opt(c.Literal("-x")), c.Literal("-y"), func(c.Maybe[string], string) int { return 0 }), func(n int) int { return n })
	if n := allocs(opt, "-y"); n != 0 {
		t.Errorf("Opt: %v allocations for an absent element", n)
	}
}

// BenchmarkAltLeads: header lines, most of them not content-length, read
// with the leads (fused) and with every alternative run (generic).
func BenchmarkAltLeads(b *testing.B) {
	input := bytes.Repeat([]byte("content-type:text/plain\ncontent-length:12\ncontent-encoding:gzip\n"), 1024)
	c.SetFusion(false)
	generic := lengthOrHeader()
	c.SetFusion(true)
	fused := lengthOrHeader()
	b.Run("headers/fused", func(b *testing.B) { parsetest.BenchParse(b, fused, input) })
	b.Run("headers/generic", func(b *testing.B) { parsetest.BenchParse(b, generic, input) })
}
