package combinators_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/lineartest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// readMessage returns a read for lineartest that reads one message with p
// and checks it with ok.
func readMessage[T any](t *testing.T, p parse.TryParse[T], ok func(T) bool) func(pipe.Reader) error {
	return func(src pipe.Reader) error {
		r := parse.NewReader(src, p, parse.Options{MaxMessageSize: 16 << 20})
		defer r.Close()
		v, err := r.Next(context.Background())
		if err == nil && !ok(v) {
			t.Errorf("wrong message (%T)", v)
		}
		return err
	}
}

// TestLinearRepetitions feeds messages of many small parts a byte per read
// and checks that the work is linear in the message: each attempt resumes
// a repetition where the last one stopped, and getting there costs no walk
// over the segments of the parts already read. It runs every repetition
// (Many, FoldTill with a delimiter search in each part, Counted, SepBy,
// one nested in another) with one segment per byte, where the segment
// steps count the bytes a parser passes, and with the default segments.
func TestLinearRepetitions(t *testing.T) {
	count := c.Before(c.Decimal[int](0, 1<<30, 10), c.Literal("\r\n"))
	// words is a get line's keys: a repetition behind an Alt whose earlier
	// alternative a lead rules out, which once cost a walk back over the
	// whole line on every attempt.
	words := func(lit parse.TryParse[string]) parse.TryParse[int] {
		return c.Then(lit, c.Before(c.Map(c.Many(c.Then(c.TakeIn(" ", 1, -1), c.TakeWhile("letter", isAlpha, 1, -1)), 1, -1),
			func(v []seq.Sequence) int { return len(v) }), c.Literal("\r\n")))
	}
	getLine := func(n int) []byte { return []byte("get" + strings.Repeat(" ab", n) + "\r\n") }
	for _, tc := range []struct {
		name string
		p    parse.TryParse[int]
		mk   func(n int) []byte
	}{
		{"Many", c.Map(c.Then(c.Byte('['), c.Before(c.Many(c.Literal("ab,"), 0, -1), c.Byte(']'))),
			func(v []string) int { return len(v) }),
			func(n int) []byte { return []byte("[" + strings.Repeat("ab,", n) + "]") }},
		{"FoldTill", c.FoldTill(c.TakeUntil(";"), c.Literal("."), 0, -1, 0, func(n int, _ seq.Sequence) int { return n + 1 }),
			func(n int) []byte { return []byte(strings.Repeat("xyz;", n) + ".") }},
		{"Counted", c.Map(c.Counted(count, c.Then(c.Byte('$'), c.Take(1))), func(v []seq.Sequence) int { return len(v) }),
			func(n int) []byte { return []byte(strconv.Itoa(n) + "\r\n" + strings.Repeat("$x", n)) }},
		{"SepBy", c.Map(c.Before(c.SepBy(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(','), 1, -1), c.Byte('.')),
			func(v []seq.Sequence) int { return len(v) }),
			func(n int) []byte { return []byte(strings.Repeat("ab,", n-1) + "ab.") }},
		{"Alt", c.Alt(words(c.Literal("gets")), words(c.Literal("get"))), getLine},
		{"AltLabeled", c.Alt(words(c.Label("gets", c.Literal("gets"))), words(c.Literal("get"))), getLine},
		{"nested", c.Map(c.Counted(count, c.Counted(count, c.Byte('x'))), func(v [][]byte) int { return len(v[1]) }),
			func(n int) []byte { return []byte("2\r\n1\r\nx" + strconv.Itoa(n) + "\r\n" + strings.Repeat("x", n)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, seg := range []struct{ size, n int }{{1, 2000}, {0, 20000}} {
				var want int
				read := readMessage(t, tc.p, func(v int) bool { return v == want })
				mk := func(n int) []byte { want = n; return tc.mk(n) }
				lineartest.Check(t, seg.n, seg.size, mk, read)
			}
		})
	}
}

// TestLinearLongElement feeds one long element a byte per read (a line, a
// run, a search for a two-byte delimiter) and checks that each attempt
// searches only the bytes that arrived since the last one.
func TestLinearLongElement(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    parse.TryParse[seq.Sequence]
		end  string
	}{
		{"Line", c.Line(), "\r\n"},
		{"TakeUntil", c.TakeUntil("\r\n"), "\r\n"},
		{"TakeUntil1", c.TakeUntil("\n"), "\n"},
		{"TakeUntil4", c.TakeUntil("\r\n\r\n"), "\r\n\r\n"},
		{"TakeUntilAny", c.TakeUntilAny("\r\n\r\n", "\n\n"), "\n\n"},
		{"TakeWhile", c.Before(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(';')), ";"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, seg := range []struct{ size, n int }{{1, 5000}, {0, 100000}} {
				want := 0
				read := readMessage(t, tc.p, func(v seq.Sequence) bool { return v.Len() == want })
				mk := func(n int) []byte { want = n; return []byte(strings.Repeat("a", n) + tc.end) }
				lineartest.Check(t, seg.n, seg.size, mk, read)
			}
		})
	}
}
