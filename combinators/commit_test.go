package combinators_test

import (
	"errors"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Once a Commit's head has matched, a choice or a repetition reports the
// body's failure where it is instead of trying another way; before it, the
// choice goes on. Streaming and truncation are unchanged.
func TestCommit(t *testing.T) {
	word := c.TakeIn("abcdefghijklmnopqrstuvwxyz", 1, -1)
	get := c.Map(c.Commit(c.Literal("GET "), c.Before(word, c.Byte('\n'))), func(s seq.Sequence) string { return "get " + s.String() })
	other := c.Map(c.Line(), func(s seq.Sequence) string { return "other " + s.String() })
	alt := erase(c.Alt(get, other))
	// Without the commit, the line after the repetition would take what
	// the repetition's element failed on.
	many := erase(c.Before(c.Many(get, 0, -1), c.Line()))
	for _, tc := range []tcase{
		{name: "Alt", p: alt, input: "GET ab\nPUT x\nGET 12\n",
			once: ok("get ab", 7), want: stream{msgs("get ab", "other PUT x"), syntax(17, `expected one of "abcdefghijklmnopqrstuvwxyz"`)}},
		{name: "Alt/head-fails", p: alt, input: "GE\n",
			once: ok("other GE", 3), want: stream{msgs("other GE"), ""}},
		{name: "Many", p: many, input: "GET a\nGET b\nEND\n",
			once: ok("[get a get b]", 16), want: stream{msgs("[get a get b]"), ""}},
		{name: "Many/committed", p: many, input: "GET a\nGET 1\n",
			once: fails(syntax(10, `expected one of "abcdefghijklmnopqrstuvwxyz"`)), want: stream{nil, syntax(10, `expected one of "abcdefghijklmnopqrstuvwxyz"`)}},
		{name: "Opt", p: erase(c.Before(c.Opt(get), c.Line())), input: "GET a\nEND\nGET !\n",
			once: ok("{get a true}", 10), want: stream{msgs("{get a true}"), syntax(14, `expected one of "abcdefghijklmnopqrstuvwxyz"`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}
	checkTruncated(t, alt, "GET ab\nGET a", []string{"get ab"}, 7)

	_, err := alt(parse.NewInput(seq.Of([]byte("GET 1\n")), true, 0))
	var ce *c.CommittedError
	var se *parse.SyntaxError
	if !errors.As(err, &ce) || !errors.As(err, &se) || se.Offset != 4 {
		t.Fatalf("got %#v; want a *CommittedError wrapping the syntax error at 4", err)
	}
}
