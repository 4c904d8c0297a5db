package combinators_test

import (
	"bytes"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// setHead is the fixed start of a RESP SET command, "*3\r\n$3\r\nSET\r\n",
// declared as the bytes and literals it is made of.
func setHead() parse.TryParse[string] {
	return c.Then(c.Then(c.Then(c.Byte('*'), c.Literal("3\r\n")), c.Literal("$3\r\n")), c.Literal("SET\r\n"))
}

// TestMergedLiterals: literals and bytes declared in a row are one fused
// comparison, Describe still shows the declaration, and the value is the
// one the declaration returns.
func TestMergedLiterals(t *testing.T) {
	p := setHead()
	if d := c.Describe(p); !strings.HasPrefix(d, "Then [fused]\n") || !strings.Contains(d, `Literal("SET\r\n")`) {
		t.Errorf("Describe:\n%s", d)
	}
	in := parse.NewInput(seq.Of([]byte("*3\r\n$3\r\nSET\r\n$1")), true, 0)
	if v, err := p(in); v != "SET\r\n" || err != nil || in.Consumed() != 13 {
		t.Errorf("got %q, %v at %d", v, err, in.Consumed())
	}
	// A mismatch in the last literal is the generic error, at its offset.
	in = parse.NewInput(seq.Of([]byte("*3\r\n$3\r\nGET\r\n")), true, 0)
	if _, err := p(in); err == nil || !strings.Contains(err.Error(), `offset 8: expected "SET\r\n"`) {
		t.Errorf("got %v", err)
	}
}

// BenchmarkMergedLiterals: the head of a SET command as one comparison
// (fused) and as four literals run one after another (generic).
func BenchmarkMergedLiterals(b *testing.B) {
	input := bytes.Repeat([]byte("*3\r\n$3\r\nSET\r\n"), 4096)
	c.SetFusion(false)
	generic := setHead()
	c.SetFusion(true)
	fused := setHead()
	b.Run("head/fused", func(b *testing.B) { parsetest.BenchParse(b, fused, input) })
	b.Run("head/generic", func(b *testing.B) { parsetest.BenchParse(b, generic, input) })
}
