package combinators_test

import (
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TestFusedTops: the declarations that TestFusionAgrees checks for
// TakeLen and for Then of a literal and a Dispatch are compiled at their
// top node, not only below it, and are not with fusion off.
func TestFusedTops(t *testing.T) {
	crlf := c.Literal("\r\n")
	build := map[string]func() string{
		"TakeLen(numeral, Literal)": func() string {
			length := c.Then(c.Byte('$'), c.Before(c.Decimal[int64](-1, 100, 0), crlf))
			return c.Describe(c.TakeLen(length, crlf, func(_ int64, s seq.Sequence) seq.Sequence { return s }))
		},
		"TakeLen(numeral, nil)": func() string {
			length := c.Before(c.Hex[uint16](0, 0xff, 0), c.Byte(':'))
			return c.Describe(c.TakeLen(length, parse.TryParse[byte](nil), func(_ uint16, s seq.Sequence) seq.Sequence { return s }))
		},
		"Then(Byte, Dispatch)": func() string {
			return c.Describe(c.Then(c.Byte('*'), c.Dispatch(map[byte]parse.TryParse[byte]{'a': c.Byte('a')}, nil)))
		},
		"Then(Literal, Dispatch)": func() string {
			return c.Describe(c.Then(c.Literal("ab"), c.Dispatch(map[byte]parse.TryParse[byte]{'a': c.Byte('a')}, c.Byte('b'))))
		},
	}
	for name, b := range build {
		c.SetFusion(false)
		off := b()
		c.SetFusion(true)
		on := b()
		top := func(d string) string { return strings.SplitN(d, "\n", 2)[0] }
		if strings.HasSuffix(top(off), "[fused]") || !strings.HasSuffix(top(on), "[fused]") {
			t.Errorf("%s: fusion off:\n%sfusion on:\n%s", name, off, on)
		}
	}
	// A TakeLen whose length is not a number between literals is not.
	if d := c.Describe(c.TakeLen(c.Uint8(), crlf, func(_ uint8, s seq.Sequence) seq.Sequence { return s })); strings.Contains(d, "[fused]") {
		t.Errorf("TakeLen(Uint8) fused:\n%s", d)
	}
}
