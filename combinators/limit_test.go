package combinators_test

import (
	"errors"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// untilBang asks for more input, with no count, until it sees '!': an
// element whose size nothing declares, as a hand-written parser may be.
func untilBang(in *parse.Input) (int, error) {
	for n := 0; ; n++ {
		b, ok := in.Peek()
		if !ok {
			return 0, in.NeedMore(0)
		}
		in.Advance(1)
		if b == '!' {
			return n, nil
		}
	}
}

// greedy reads up to 8 bytes without looking at any limit.
func greedy(in *parse.Input) (int, error) {
	if in.Remaining() < 8 {
		return 0, in.NeedMore(8 - in.Remaining())
	}
	in.Advance(8)
	return 8, nil
}

// TestLimit checks Limit over every segmentation, prefix and delivery:
// an element over its own limit is too large at its first byte, however it
// learns it (a search, a declared length, a parser that only asks for more,
// one that reads past the limit without looking), while one within the
// limit and its byte of lookahead parses.
func TestLimit(t *testing.T) {
	digits := c.TakeWhile("digit", isDigit, 1, -1)
	for _, tc := range []struct {
		name, input string
		p           parse.TryParse[string]
		limit       int
		want        stream
	}{
		{name: "line", p: erase(c.Limit(6, c.Line())), input: "abc\nabcde\nabcdef\n",
			want: stream{msgs("abc", "abcde"), tooLarge(10, 6)}},
		{name: "line/crlf", p: erase(c.Limit(6, c.Line())), input: "abcd\r\nabcde\r\n",
			want: stream{msgs("abcd"), tooLarge(6, 6)}},
		{name: "after a head", p: erase(c.Then(c.Literal("AB"), c.Limit(3, c.Line()))), input: "ABxy\nABxyz\n",
			want: stream{msgs("xy"), tooLarge(7, 3)}},
		{name: "declared length", p: erase(c.Limit(10, c.LengthPrefixedBytes(c.Uint8()))), input: "\x03abc\x14abc",
			want: stream{msgs("abc"), tooLarge(4, 10)}},
		{name: "declared length after a head", p: erase(c.Then(c.Literal("AB"), c.Limit(10, c.LengthPrefixedBytes(c.Uint8())))), input: "AB\x03abcAB\x14abc",
			want: stream{msgs("abc"), tooLarge(8, 10)}},
		{name: "no count", p: erase(c.Limit(5, untilBang)), input: "abc!abcd!abcdefghijk",
			want: stream{msgs("3", "4"), tooLarge(9, 5)}},
		{name: "no count/short and final", p: erase(c.Limit(5, untilBang)), input: "abc!abc",
			want: stream{msgs("3"), truncated(3, 4)}},
		{name: "reads past", p: erase(c.Limit(5, parse.TryParse[int](greedy))), input: "abcdefgh",
			want: stream{nil, tooLarge(0, 5)}},
		{name: "lookahead", p: erase(c.Before(c.Limit(3, digits), c.Byte(';'))), input: "123;1234;",
			want: stream{msgs("123"), tooLarge(4, 3)}},
		{name: "nested", p: erase(c.Limit(20, c.Seq2(c.Limit(3, c.TakeUntil(":")), c.Line(), kv))),
			input: "ab:cd\nabcd:e\n", want: stream{msgs("ab=cd"), tooLarge(6, 3)}},
		{name: "outer", p: erase(c.Limit(8, c.Seq2(c.Limit(3, c.TakeUntil(":")), c.Line(), kv))),
			input: "ab:cd\nab:cdefgh\n", want: stream{msgs("ab=cd"), tooLarge(6, 8)}},
		{name: "malformed past the limit", p: erase(c.Limit(8, c.Before(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(':')))),
			input: "abc:abcdefghijk x:", want: stream{msgs("abc"), tooLarge(4, 8)}},
		{name: "malformed at the lookahead byte", p: erase(c.Limit(8, c.Before(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(':')))),
			input: "abc:abcdefgh x:", want: stream{msgs("abc"), syntax(12, "expected ':'")}},
		{name: "malformed within the limit", p: erase(c.Limit(8, c.Before(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(':')))),
			input: "abc:ab x:", want: stream{msgs("abc"), syntax(6, "expected ':'")}},
		{name: "message limit smaller", p: erase(c.Limit(100, c.Line())), input: "abc\nabcdefghij\n", limit: 6,
			want: stream{msgs("abc"), tooLarge(4, 6)}},
		// An element whose limit ends where the outer one does: the
		// element's limit names the refusal, in every delivery (the outer
		// one named it when the input was cut, the element's check when it
		// was final and whole; sse's FuzzStream found it).
		{name: "inner ending with the outer", p: erase(c.Limit(5, c.Then(c.Literal("ab"), c.Limit(3, untilBang)))),
			input: "abxyzw!", want: stream{nil, tooLarge(2, 3)}},
		// A check that fails an element a search ended past the limit:
		// the limit's refusal, as when the input is cut before the end
		// (sse's FuzzStream: a line too long found past a block's limit
		// was the line's error only when the input was whole).
		{name: "check past the limit", p: erase(c.Limit(4, c.MapErr(c.TakeUntilAny("\r\n", "\r"), func(l seq.Sequence) (string, error) {
			if l.Len() > 2 {
				return "", errors.New("long")
			}
			return l.String(), nil
		}))), input: "ab\r\nabcdef\r", want: stream{msgs("ab"), tooLarge(4, 4)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}
}

// TestLimitBuffersNoMore checks the promise that the reader does not
// buffer more than the limit for an element that asks for more input
// without a count: over a pipe fed a byte at a time, the error comes with
// at most the limit and a byte buffered.
func TestLimitBuffersNoMore(t *testing.T) {
	src := &countingReader{data: []byte(strings.Repeat("x", 1<<20))}
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), c.Limit(100, parse.TryParse[int](untilBang)), parse.Options{})
	defer r.Close()
	_, err := r.Next(t.Context())
	var se *parse.SizeError
	if !errors.As(err, &se) || se.Limit != 100 || se.Offset != 0 {
		t.Fatalf("err %v, want a size error at 0 with limit 100", err)
	}
	if src.read > 101 {
		t.Errorf("read %d bytes before refusing", src.read)
	}
}

// kv joins a key and a value.
func kv(k, v seq.Sequence) string { return k.String() + "=" + v.String() }

// countingReader returns its data a byte per Read and counts them.
type countingReader struct {
	data []byte
	read int
}

func (r *countingReader) Read(p []byte) (int, error) {
	n := copy(p[:min(len(p), 1)], r.data[r.read:])
	r.read += n
	return n, nil
}

func TestLimitPanicsOnNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	c.Limit(-1, c.Line())
}
