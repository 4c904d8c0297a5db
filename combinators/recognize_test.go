package combinators_test

import (
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TestRecognize checks that Recognize returns the inner value with exactly
// the bytes the inner parser consumed, and the inner parser's outcome
// otherwise, over every segmentation and every prefix.
func TestRecognize(t *testing.T) {
	pair := c.Seq2(c.TakeUntil(":"), c.Line(), func(k, v seq.Sequence) string { return k.String() + "=" + v.String() })
	p := erase(c.Map(c.Recognize(c.Fold(pair, 1, 3, 0, func(n int, _ string) int { return n + 1 })),
		func(r c.Recognized[int]) string { return r.Bytes.String() + "|" + string(rune('0'+r.Value)) }))
	// Prefixed by a literal, so that the recognized bytes start inside the
	// message rather than at its first byte.
	q := c.Then(c.Literal(">"), p)
	checkOnce(t, q, ">a:1\nbb:22\n", 1<<10, "a:1\nbb:22\n|2/11")
	checkOnce(t, q, ">a:1\nbb:22\nc:3\nd:4\n", 1<<10, "a:1\nbb:22\nc:3\n|3/15")
	checkOnce(t, q, ">", 1<<10, once(q, seq.Of([]byte(">")), true, 1<<10))
	if got := once(q, seq.Of([]byte(">a:1")), true, 1<<10); got != "more" {
		t.Errorf("truncated: %s, want a need for more (a truncation on final input)", got)
	}
	checkStream(t, erase(c.Recognize(c.Line())), "ab\ncd\n", 1<<10,
		stream{msgs: []string{"{ab ab\n}", "{cd cd\n}"}})
	_ = parse.ErrNeedMore
}
