package grammars

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

var chunkedGrammar = grammar[Chunked]{name: "chunked", comb: ChunkedCombinators(), hand: ChunkedHand, show: showChunked}

func showChunked(c Chunked) string {
	var b strings.Builder
	b.WriteString("[")
	for i, s := range c.Body {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%q", s.String())
	}
	b.WriteString("]")
	for _, f := range c.Trailers {
		fmt.Fprintf(&b, " %q=%q", f.Name, f.Value)
	}
	return b.String()
}

func TestChunkedValues(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"0\r\n\r\n", "[]"},
		{"000\r\n\r\n", "[]"},
		{"5\r\nhello\r\n0\r\n\r\n", `["hello"]`},
		{"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", `["hello" ", world"]`},
		{"A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", `["0123456789" "abcdefghij"]`},
		{"00000000000000001\r\nx\r\n0\r\n\r\n"[1:], `["x"]`}, // 16 digits
		{"3;name\r\nabc\r\n0\r\n\r\n", `["abc"]`},
		{"3;name=value;other=\"quoted \\\"string\\\" ;=\"\r\nabc\r\n0;last\r\n\r\n", `["abc"]`},
		{"3 ; a = b\t;\tc\r\nabc\r\n0\r\n\r\n", `["abc"]`},
		{"3;a=\"\"\r\nabc\r\n0\r\n\r\n", `["abc"]`},
		{"3;a=\"\x80\xff\\\x80\"\r\nabc\r\n0\r\n\r\n", `["abc"]`},
		{"4\r\n\r\n\r\n\r\n0\r\n\r\n", `["\r\n\r\n"]`},
		{"0\r\nExpires: never\r\n\r\n", `[] "Expires"="never"`},
		{"1\r\nx\r\n0\r\nA: b\r\nC:d\r\nE:  f g \t\r\nEmpty:\r\nObs: \x80\xff\r\n\r\n",
			`["x"] "A"="b" "C"="d" "E"="f g" "Empty"="" "Obs"="\x80\xff"`},
	}
	for _, c := range cases {
		got := check(t, chunkedGrammar, []byte(c.in), parse.Options{})
		if got.err != nil || len(got.msgs) != 1 || got.msgs[0] != c.want {
			t.Errorf("%q: %v, want %s", c.in, got, c.want)
		}
	}
}

var tokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

func randToken(r *rand.Rand) string {
	b := make([]byte, 1+r.IntN(12))
	for i := range b {
		b[i] = tokenChars[r.IntN(len(tokenChars))]
	}
	return string(b)
}

func randFieldValue(r *rand.Rand) string {
	b := make([]byte, r.IntN(20))
	for i := range b {
		switch c := byte(r.IntN(256)); {
		case c == '\t' || c >= ' ' && c != 0x7f:
			b[i] = c
		default:
			b[i] = 'v'
		}
	}
	return strings.Trim(string(b), " \t")
}

// TestChunkedRoundTrip encodes random bodies, decodes them with both
// versions in every segmentation and checks every prefix of the stream.
func TestChunkedRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 30 {
		var input []byte
		var ends []int
		var want []string
		for range 1 + r.IntN(3) {
			var chunks [][]byte
			var c Chunked
			for range r.IntN(5) {
				b := randBytes(r, r.IntN(40))
				chunks = append(chunks, b)
				if len(b) > 0 {
					c.Body = append(c.Body, seq.Of(b))
				}
			}
			for range r.IntN(3) {
				c.Trailers = append(c.Trailers, Field{randToken(r), randFieldValue(r)})
			}
			input = AppendChunked(input, chunks, c.Trailers)
			ends = append(ends, len(input))
			want = append(want, showChunked(c))
		}
		var cuts []int
		if round >= 10 {
			cuts = []int{}
			for range 40 {
				cuts = append(cuts, r.IntN(len(input)))
			}
		}
		checkStream(t, chunkedGrammar, input, ends, want, cuts)
	}
}

func TestChunkedMalformed(t *testing.T) {
	checkMalformed(t, chunkedGrammar, chunkedMalformed)
}

// chunkedMalformed are malformed chunked bodies, for the whole-body and
// the streaming decoders.
var chunkedMalformed = []malformed{
	{"\r\n", 0, "hex digit"},
	{"g\r\n", 0, "hex digit"},
	{" 5\r\nhello\r\n0\r\n\r\n", 0, "hex digit"},
	{"-5\r\n", 0, "hex digit"},
	// After the size an extension or CRLF may follow; after OWS only
	// an extension (the furthest-failure rule names both, or the
	// offset past the OWS).
	{"0x5\r\n", 1, `expected ';' or "\r\n"`},
	{"5\nhello\r\n0\r\n\r\n", 1, `expected ';' or "\r\n"`},
	{"5 \r\nhello\r\n0\r\n\r\n", 2, `expected whitespace or ';'`},
	{"5\r\nhelloX\r\n0\r\n\r\n", 8, `expected "\r\n"`},
	{"5\r\nhello\n0\r\n\r\n", 8, `expected "\r\n"`},
	{"0\r\n\r\n" + "5\r\nhello\r\n0\r\n\n", 18, "token"},
	{"00000000000000000\r\n\r\n", 0, "number longer than 16 digits"},
	{"123456789abcdef01\r\n", 0, "number above the maximum 0xffffffffffffffff"},
	{"0123456789abcdef0\r\n", 0, "number longer than 16 digits"},
	{"3;\r\nabc\r\n0\r\n\r\n", 2, "token"},
	{"3;=x\r\nabc\r\n0\r\n\r\n", 2, "token"},
	{"3;a=\r\nabc\r\n0\r\n\r\n", 4, "token"},
	{"3;a=b c\r\nabc\r\n0\r\n\r\n", 6, `expected whitespace or ';'`},
	{"3;a=\"x\r\nabc\r\n0\r\n\r\n", 6, `expected quoted-string character or '"'`},
	{"3;a=\"\\\x01\"\r\nabc\r\n0\r\n\r\n", 6, "expected quoted-pair character"},
	{"3;a=\"\x7f\"\r\nabc\r\n0\r\n\r\n", 5, `expected quoted-string character or '"'`},
	{"3;a\"b\"\r\nabc\r\n0\r\n\r\n", 3, `expected ';' or "\r\n"`},
	{"0\r\nX\r\n\r\n", 4, `expected ':'`},
	{"0\r\nX : y\r\n\r\n", 4, `expected ':'`},
	{"0\r\n: y\r\n\r\n", 3, "token"},
	{"0\r\nX: y\x00\r\n\r\n", 7, `expected "\r\n"`},
	{"0\r\nX: y\r\n z\r\n\r\n", 9, "token"},
	{"0\r\nX: y\n\r\n", 7, `expected "\r\n"`},
	{"0\r\n\n", 3, "token"},
	{"0\r\n\r\r\n", 3, `expected token character or "\r\n"`},
	{"0\r\nX: \r\r\n\r\n", 6, `expected whitespace or "\r\n"`},
}

func TestChunkedTooLarge(t *testing.T) {
	// A chunk size over the limit is refused before the data arrives.
	checkTooLarge(t, chunkedGrammar, []byte("0\r\n\r\n1000\r\nabc"), 100, 5, 100)
	checkTooLarge(t, chunkedGrammar, []byte("ffffffffffffffff\r\n"), 0, 0, parse.DefaultMaxMessageSize)
	checkTooLarge(t, chunkedGrammar, []byte("7fffffffffffffff\r\n"), 0, 0, parse.DefaultMaxMessageSize)
	// The whole body counts, over several chunks.
	body := strings.Repeat("20\r\n"+strings.Repeat("x", 32)+"\r\n", 4) + "0\r\n\r\n"
	checkTooLarge(t, chunkedGrammar, []byte(body), 100, 0, 100)
	if got := check(t, chunkedGrammar, []byte(body), parse.Options{MaxMessageSize: len(body)}); got.err != nil {
		t.Fatal(got)
	}
	// So do long extensions and trailers.
	checkTooLarge(t, chunkedGrammar, []byte("1;"+strings.Repeat("x", 200)+"\r\nx\r\n0\r\n\r\n"), 100, 0, 100)
	checkTooLarge(t, chunkedGrammar, []byte("0\r\n"+strings.Repeat("X: y\r\n", 40)+"\r\n"), 100, 0, 100)
}

func TestChunkedCloneAndBody(t *testing.T) {
	b := []byte("3\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n")
	c, _, err := parseOne(ChunkedHand, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 5 || string(c.AppendBody(nil)) != "abcde" {
		t.Fatal(showChunked(c))
	}
	d := c.Clone()
	for i := range b {
		b[i] = 'z'
	}
	if got := showChunked(d); got != `["abc" "de"] "T"="v"` {
		t.Fatal(got)
	}
}
