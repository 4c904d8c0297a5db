package grammars

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

var respGrammar = grammar[RESP]{name: "RESP", hand: RESPHand, show: showRESP}

// showRESP renders v unambiguously, telling a nil Elems from an empty one.
func showRESP(v RESP) string {
	var b strings.Builder
	writeRESP(&b, v)
	return b.String()
}

func writeRESP(b *strings.Builder, v RESP) {
	switch {
	case v.Null:
		fmt.Fprintf(b, "%cnull", v.Kind)
	case v.Kind == Integer:
		fmt.Fprintf(b, ":%d", v.Int)
	case v.Kind == Array:
		if v.Elems == nil {
			b.WriteString("*<nil elems>")
			return
		}
		b.WriteString("*[")
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeRESP(b, e)
		}
		b.WriteByte(']')
	default:
		fmt.Fprintf(b, "%c%q", v.Kind, v.Str.String())
	}
}

func bulk(s string) RESP { return RESP{Kind: BulkString, Str: seq.Of([]byte(s))} }

func TestRESPValues(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"+OK\r\n", `+"OK"`},
		{"+\r\n", `+""`},
		{"-ERR unknown command 'x'\r\n", `-"ERR unknown command 'x'"`},
		{":0\r\n", ":0"},
		{":123\r\n", ":123"},
		{":-42\r\n", ":-42"},
		{":007\r\n", ":7"},
		{":-0\r\n", ":0"},
		{":9223372036854775807\r\n", ":9223372036854775807"},
		{":-9223372036854775808\r\n", ":-9223372036854775808"},
		{"$5\r\nhello\r\n", `$"hello"`},
		{"$0\r\n\r\n", `$""`},
		{"$-1\r\n", "$null"},
		{"$4\r\na\r\nb\r\n", `$"a\r\nb"`},
		{"*0\r\n", "*[]"},
		{"*-1\r\n", "*null"},
		{"*2\r\n$3\r\nfoo\r\n:1\r\n", `*[$"foo" :1]`},
		{"*3\r\n*1\r\n+a\r\n*0\r\n*-1\r\n", `*[*[+"a"] *[] *null]`},
		{"*2\r\n*2\r\n:1\r\n:2\r\n*2\r\n-E\r\n$-1\r\n", `*[*[:1 :2] *[-"E" $null]]`},
	}
	for _, c := range cases {
		got := check(t, respGrammar, []byte(c.in), parse.Options{})
		if got.err != nil || len(got.msgs) != 1 || got.msgs[0] != c.want {
			t.Errorf("%q: %v, want %s", c.in, got, c.want)
		}
		for _, v := range respGrammar.versions() {
			if _, n, err := parseOne(v.p, []byte(c.in)); err != nil || n != len(c.in) {
				t.Errorf("%s %q: consumed %d, %v", v.name, c.in, n, err)
			}
		}
	}
}

// randRESP returns a random value nested at most depth deep.
func randRESP(r *rand.Rand, depth int) RESP {
	k := r.IntN(5)
	if depth == 0 && k == 4 {
		k = r.IntN(4)
	}
	switch k {
	case 0, 1:
		b := randBytes(r, r.IntN(20))
		for i := range b {
			if b[i] == '\r' || b[i] == '\n' {
				b[i] = ' '
			}
		}
		return RESP{Kind: []Kind{SimpleString, Error}[k], Str: seq.Of(b)}
	case 2:
		v := []int64{0, -1, math.MaxInt64, math.MinInt64, r.Int64(), -r.Int64N(1000), r.Int64N(1000)}[r.IntN(7)]
		return RESP{Kind: Integer, Int: v}
	case 3:
		if r.IntN(8) == 0 {
			return RESP{Kind: BulkString, Null: true}
		}
		return RESP{Kind: BulkString, Str: seq.Of(randBytes(r, r.IntN(300)))}
	}
	if r.IntN(8) == 0 {
		return RESP{Kind: Array, Null: true}
	}
	elems := make([]RESP, r.IntN(6))
	for i := range elems {
		elems[i] = randRESP(r, depth-1)
	}
	return RESP{Kind: Array, Elems: elems}
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		if r.IntN(4) == 0 {
			b[i] = "\r\n$*:+-0\x00"[r.IntN(9)]
		} else {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

// TestRESPRoundTrip encodes random values, decodes them with both
// versions in every segmentation and checks every prefix of the stream.
func TestRESPRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		var input []byte
		var ends []int
		var want []string
		for range 1 + r.IntN(4) {
			v := randRESP(r, 1+r.IntN(4))
			input = AppendRESP(input, v)
			ends = append(ends, len(input))
			want = append(want, showRESP(v))
		}
		var cuts []int
		if round >= 10 { // every prefix for the first rounds, a sample after
			for range 50 {
				cuts = append(cuts, r.IntN(len(input)))
			}
		}
		checkStream(t, respGrammar, input, ends, want, cuts)
		// The encoding is canonical: decoding and encoding again gives the
		// same bytes.
		for _, v := range respGrammar.versions() {
			in := parse.NewInput(seq.Of(input), true, 0)
			var again []byte
			for in.Remaining() > 0 {
				m, err := v.p(in)
				if err != nil {
					t.Fatalf("%s: %v", v.name, err)
				}
				again = AppendRESP(again, m)
			}
			if string(again) != string(input) {
				t.Fatalf("%s: re-encoding differs:\n%q\n%q", v.name, again, input)
			}
		}
	}
}

func TestRESPMalformed(t *testing.T) {
	checkMalformed(t, respGrammar, []malformed{
		{"x\r\n", 0, "RESP type byte"},
		{"+OK\r\n!", 5, "RESP type byte"},
		{"+OK\n", 3, `expected "\r\n"`},
		{"+O\rK\r\n", 2, `expected "\r\n"`},
		{"-ERR\rx", 4, `expected "\r\n"`},
		{":\r\n", 1, "expected '-' or digit"},
		{":-\r\n", 2, "expected digit"},
		{":+1\r\n", 1, "expected '-' or digit"},
		{":1x\r\n", 2, `expected "\r\n"`},
		{": 1\r\n", 1, "expected '-' or digit"},
		{":12345678901234567890\r\n", 1, "above the maximum 9223372036854775807"},
		{":00000000000000000001\r\n", 1, "longer than 19 digits"},
		{":0000000000000000001\r\n:-0000000000000000009223372036854775808", 23, "longer than 19 digits"},
		{":9223372036854775808\r\n", 1, "above the maximum 9223372036854775807"},
		{":-9223372036854775809\r\n", 1, "below the minimum -9223372036854775808"},
		{"$-2\r\n", 1, "below the minimum -1"},
		{"$3\r\nabcd\r\n", 7, `expected "\r\n"`},
		{"$\r\n", 1, "expected '-' or digit"},
		{"$1\nx\r\n", 2, `expected "\r\n"`},
		{"*-5\r\n", 1, "below the minimum -1"},
		{"*1\r\n?\r\n", 4, "RESP type byte"},
		{"*2\r\n:1\r\n:x\r\n", 9, "expected '-' or digit"},
		{"*1\r\n*1\r\n*1\r\n:1\r\n:2\n", 18, `expected "\r\n"`},
		{strings.Repeat("*1\r\n", MaxRESPDepth+1) + ":1\r\n", 4 * MaxRESPDepth, "nesting deeper than 64 levels"},
		{strings.Repeat("*1\r\n", 100000), 4 * MaxRESPDepth, "nesting deeper than 64 levels"},
	})
	// The deepest nesting allowed.
	deep := strings.Repeat("*1\r\n", MaxRESPDepth) + ":1\r\n"
	if got := check(t, respGrammar, []byte(deep), parse.Options{}); got.err != nil || len(got.msgs) != 1 {
		t.Fatalf("depth %d: %v", MaxRESPDepth, got)
	}
}

func TestRESPTooLarge(t *testing.T) {
	// A bulk length over the limit is refused before the body arrives.
	checkTooLarge(t, respGrammar, []byte("+OK\r\n$1000\r\nabc"), 100, 5, 100)
	checkTooLarge(t, respGrammar, []byte("$96\r\n"+strings.Repeat("x", 96)+"\r\n"), 100, 0, 100)
	checkTooLarge(t, respGrammar, []byte("$9223372036854775807\r\n"), 0, 0, parse.DefaultMaxMessageSize)
	// A long simple string passes the limit while it is scanned.
	checkTooLarge(t, respGrammar, []byte("+"+strings.Repeat("x", 300)+"\r\n"), 100, 0, 100)
	// An array count that cannot fit: each element takes 3 bytes at least.
	checkTooLarge(t, respGrammar, []byte("*34\r\n"), 100, 0, 100)
	checkTooLarge(t, respGrammar, []byte("*2147483647\r\n:1\r\n"), 0, 0, parse.DefaultMaxMessageSize)
	// Within the limit, a count that claims more elements than arrive is
	// a truncated message, and nothing near the count is allocated.
	in := []byte("*1000000\r\n:1\r\n:2\r\n")
	got := check(t, respGrammar, in, parse.Options{})
	if len(got.msgs) != 0 || errString(got.err) != errString(&parse.TruncatedError{Offset: 0, Len: len(in)}) {
		t.Fatalf("short array: %v", got)
	}
	for _, v := range respGrammar.versions() {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 10 {
			if _, _, err := parseOne(v.p, in); err == nil {
				t.Fatal("short array parsed")
			}
		}
		runtime.ReadMemStats(&after)
		if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
			t.Errorf("%s: a short array of 1e6 elements allocated %d bytes in 10 attempts", v.name, a)
		}
	}
	// Within the limit the count is fine.
	ok := "*3\r\n" + strings.Repeat(":1\r\n", 3)
	if got := check(t, respGrammar, []byte(ok), parse.Options{MaxMessageSize: len(ok)}); got.err != nil {
		t.Fatal(got)
	}
}

func TestRESPClone(t *testing.T) {
	b := []byte("*3\r\n$5\r\nhello\r\n+OK\r\n*1\r\n-E\r\n")
	v, _, err := parseOne(RESPHand, b)
	if err != nil {
		t.Fatal(err)
	}
	c := v.Clone()
	for i := range b {
		b[i] = 'z'
	}
	if got := showRESP(c); got != `*[$"hello" +"OK" *[-"E"]]` {
		t.Fatal(got)
	}
}

func TestAppendRESP(t *testing.T) {
	v := RESP{Kind: Array, Elems: []RESP{
		bulk("SET"), bulk("k"), {Kind: BulkString, Null: true}, {Kind: Integer, Int: -3},
		{Kind: Array}, {Kind: Array, Elems: []RESP{}}, {Kind: SimpleString, Str: seq.Of([]byte("OK"))},
	}}
	got := string(AppendRESP([]byte("x"), v))
	want := "x*7\r\n$3\r\nSET\r\n$1\r\nk\r\n$-1\r\n:-3\r\n*0\r\n*0\r\n+OK\r\n"
	if got != want {
		t.Fatalf("%q\n%q", got, want)
	}
}

// TestRESPErrorKinds checks what RESPHand's doc promises of its errors:
// a number out of range matches
// combinators.ErrRange, and is decided by its digits before its CRLF
// arrives; an array nested too deep matches combinators.ErrDepth.
func TestRESPErrorKinds(t *testing.T) {
	cases := []struct {
		in    string
		final bool
		want  error
	}{
		{":9223372036854775808\r\n", true, cb.ErrRange},
		{":92233720368547758080", false, cb.ErrRange},
		{"$-2", false, cb.ErrRange},
		{"*-9", false, cb.ErrRange},
		{"*1\r\n:00000000000000000000", false, cb.ErrRange},
		{strings.Repeat("*1\r\n", MaxRESPDepth+1), false, cb.ErrDepth},
	}
	for _, v := range respGrammar.versions() {
		for _, c := range cases {
			in := parse.NewInput(seq.Of([]byte(c.in)), c.final, 0)
			_, err := v.p(in)
			var se *parse.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, c.want) {
				t.Errorf("%s %q (final %v): %v, want a syntax error matching %v", v.name, c.in, c.final, err, c.want)
			}
		}
	}
}

// TestRESPNegativeZero checks "-0", which the grammar reads as 0: "*-0" is
// the empty array and "$-0" the empty bulk string, not null.
func TestRESPNegativeZero(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"*-0\r\n", "*[]"},
		{"$-0\r\n\r\n", `$""`},
		{":-0\r\n", ":0"},
	} {
		got := check(t, respGrammar, []byte(c.in), parse.Options{})
		if got.err != nil || len(got.msgs) != 1 || got.msgs[0] != c.want {
			t.Errorf("%q: %v, want %s", c.in, got, c.want)
		}
	}
}

// TestRESPScratchLifetime checks the lifetime RESP promises of Elems, for
// both versions and however the input arrives: intact until the next read
// from the message reader, then the next message's elements (under the
// race detector: zeroed, not reused), and kept by Clone.
func TestRESPScratchLifetime(t *testing.T) {
	input := []byte("*2\r\n$3\r\nSET\r\n*1\r\n:1\r\n:7\r\n*3\r\n+A\r\n*1\r\n-E\r\n$0\r\n\r\n")
	want := []string{`*[$"SET" *[:1]]`, `:7`, `*[+"A" *[-"E"] $""]`}
	for _, p := range []struct {
		name string
		p    parse.TryParse[RESP]
	}{{"hand", RESPHand}} {
		for k := 1; k <= len(input); k++ {
			r := parse.NewReader(parsetest.Trickle(input, k, pipe.Options{SegmentSize: 16}), p.p, parse.Options{})
			var last, kept RESP
			for i, w := range want {
				m, err := r.Next(context.Background())
				if err != nil || showRESP(m) != w {
					t.Fatalf("%s k=%d: message %d = %s, %v; want %s", p.name, k, i, showRESP(m), err, w)
				}
				if i == 2 {
					same := &last.Elems[0] == &m.Elems[0]
					switch {
					case raceEnabled && (same || last.Elems[0].Kind != 0):
						t.Fatalf("%s k=%d: the first message's elements were reused or not zeroed under the race detector", p.name, k)
					case !raceEnabled && (!same || last.Elems[0].Kind != SimpleString):
						t.Fatalf("%s k=%d: the first message's elements were not reused", p.name, k)
					}
					if got := showRESP(kept); got != want[0] {
						t.Fatalf("%s k=%d: the clone of the first message is %s", p.name, k, got)
					}
				}
				if i == 0 {
					last, kept = m, m.Clone()
				}
			}
			r.Close()
		}
	}
}
