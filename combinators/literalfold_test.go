package combinators_test

import (
	"testing"

	c "github.com/sluicego/sluice/combinators"
)

// TestLiteralFold: a verb in any case, over every segmentation and every
// prefix; a mismatch is an error at the literal's first byte, input that
// ends inside it a truncation, and bytes that are not letters match only
// themselves.
func TestLiteralFold(t *testing.T) {
	p := c.Then(c.LiteralFold("HPUB "), c.Literal("x"))
	for _, in := range []string{"HPUB x", "hpub x", "HpUb x"} {
		checkOnce(t, c.Before(c.LiteralFold("HPUB "), c.Literal("x")), in, 0, "HPUB /6")
		checkStream(t, p, in, 64, stream{msgs: []string{"x"}})
	}
	checkOnce(t, c.LiteralFold("HPUB"), "HPUX", 0, "error: "+syntax(0, `expected "HPUB" in any case`))
	checkOnce(t, c.LiteralFold("a-b"), "A_b", 0, "error: "+syntax(0, `expected "a-b" in any case`))
	checkOnce(t, c.LiteralFold("+ok"), "+OK", 0, "+ok/3")
	// '@' and '[' sit next to the letters; they are not folded.
	checkOnce(t, c.LiteralFold("@"), "`", 0, "error: "+syntax(0, `expected "@" in any case`))
	checkOnce(t, c.LiteralFold("["), "{", 0, "error: "+syntax(0, `expected "[" in any case`))
	checkStream(t, p, "hpu", 64, stream{err: truncated(3, 0)})
	checkStream(t, p, "hpub y", 64, stream{err: syntax(5, `expected "x"`)})
	// In an Alt the failure at the first byte lets the next verb be tried.
	verb := c.Alt(c.LiteralFold("PING"), c.LiteralFold("PONG"), c.LiteralFold("PUB"))
	checkOnce(t, verb, "pong", 0, "PONG/4")
	checkOnce(t, verb, "Pub", 0, "PUB/3")
}
