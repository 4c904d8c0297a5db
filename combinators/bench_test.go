package combinators_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

func lines(n, width int) []byte {
	line := strings.Repeat("x", width-2) + "\r\n"
	return []byte(strings.Repeat(line, n))
}

func handLine(in *parse.Input) (seq.Sequence, error) {
	l, ok := in.ReadTo('\n')
	if !ok {
		return seq.Sequence{}, in.NeedMore(0)
	}
	if n := l.Len(); n > 0 {
		if b := l.First(); len(b) == n && b[n-1] == '\r' {
			return l.Slice(0, n-1), nil
		}
	}
	return l, nil
}

func BenchmarkLine64(b *testing.B) { parsetest.BenchPair(b, c.Line(), handLine, lines(4096, 64)) }

func BenchmarkTakeUntil64(b *testing.B) {
	hand := func(in *parse.Input) (seq.Sequence, error) {
		l, ok := in.ReadToDelim([]byte("\r\n"))
		if !ok {
			return seq.Sequence{}, in.NeedMore(0)
		}
		return l, nil
	}
	parsetest.BenchPair(b, c.TakeUntil("\r\n"), hand, lines(4096, 64))
}

type header struct{ key, value seq.Sequence }

func BenchmarkHeaders(b *testing.B) {
	comb := c.Seq2(c.TakeUntil(": "), c.Line(), func(k, v seq.Sequence) header { return header{k, v} })
	hand := func(in *parse.Input) (header, error) {
		k, ok := in.ReadToDelim([]byte(": "))
		if !ok {
			return header{}, in.NeedMore(0)
		}
		v, err := handLine(in)
		return header{k, v}, err
	}
	input := bytes.Repeat([]byte("Content-Type: text/plain; charset=utf-8\r\nX-Request-Id: 0123456789abcdef\r\n"), 2048)
	parsetest.BenchPair(b, comb, hand, input)
}

func frames(n, size int) []byte {
	var out []byte
	body := bytes.Repeat([]byte("x"), size)
	for range n {
		out = binary.BigEndian.AppendUint16(out, uint16(size))
		out = append(out, body...)
	}
	return out
}

func restOf(in *parse.Input) (seq.Sequence, error) {
	s, _ := in.ReadN(in.Remaining())
	return s, nil
}

func handFrame(in *parse.Input) (seq.Sequence, error) {
	n, ok := in.ReadUint16BE()
	if !ok {
		return seq.Sequence{}, in.NeedMore(2)
	}
	if int(n) > in.Limit()-2 {
		return seq.Sequence{}, in.TooLarge()
	}
	body, ok := in.ReadN(int(n))
	if !ok {
		return seq.Sequence{}, in.NeedMore(int(n))
	}
	return body, nil
}

func BenchmarkFrames100(b *testing.B) {
	parsetest.BenchPair(b, c.LengthPrefixed(c.Uint16BE(), restOf), handFrame, frames(4096, 100))
}

func BenchmarkFrames100Take(b *testing.B) {
	comb := c.Bind(c.Uint16BE(), func(n uint16) parse.TryParse[seq.Sequence] { return c.Take(int(n)) })
	parsetest.BenchPair(b, comb, handFrame, frames(4096, 100))
}

// A RESP-like reply: a type byte selects the rest of the line.
type reply struct {
	kind byte
	text seq.Sequence
}

func BenchmarkAlt(b *testing.B) {
	of := func(k byte) parse.TryParse[reply] {
		return c.Seq2(c.Byte(k), c.Line(), func(k byte, s seq.Sequence) reply { return reply{k, s} })
	}
	comb := c.Alt(of('+'), of('-'), of(':'))
	hand := func(in *parse.Input) (reply, error) {
		k, ok := in.Peek()
		if !ok {
			return reply{}, in.NeedMore(1)
		}
		switch k {
		case '+', '-', ':':
		default:
			return reply{}, in.Errorf("expected '+' or '-' or ':'")
		}
		in.Advance(1)
		l, err := handLine(in)
		return reply{k, l}, err
	}
	input := bytes.Repeat([]byte("+OK\r\n-ERR wrong type\r\n:1234\r\n"), 2048)
	parsetest.BenchPair(b, comb, hand, input)
}

func BenchmarkManyDigits(b *testing.B) {
	comb := c.Before(c.Fold(c.Satisfy("digit", isDigit), 1, -1, 0, func(n int, d byte) int { return n*10 + int(d-'0') }), c.Byte(','))
	hand := func(in *parse.Input) (int, error) {
		n, k := 0, 0
		for {
			d, ok := in.Peek()
			if !ok {
				return 0, in.NeedMore(1)
			}
			if !isDigit(d) {
				break
			}
			in.Advance(1)
			n, k = n*10+int(d-'0'), k+1
		}
		if k == 0 {
			return 0, in.Errorf("expected digit")
		}
		if b, _ := in.ReadByte(); b != ',' {
			return 0, in.Errorf("expected ','")
		}
		return n, nil
	}
	input := bytes.Repeat([]byte("12345,6,7890123,"), 4096)
	parsetest.BenchPair(b, comb, hand, input)
}

func BenchmarkTakeWhileDigits(b *testing.B) {
	comb := c.Before(c.TakeWhile("digit", isDigit, 1, -1), c.Byte(','))
	hand := func(in *parse.Input) (seq.Sequence, error) {
		span := in.Span()
		j := 0
		for j < len(span) && isDigit(span[j]) {
			j++
		}
		if j == len(span) {
			return seq.Sequence{}, in.NeedMore(0)
		}
		if j == 0 {
			return seq.Sequence{}, in.Errorf("expected digit")
		}
		s, _ := in.ReadN(j)
		if b, _ := in.ReadByte(); b != ',' {
			return seq.Sequence{}, in.Errorf("expected ','")
		}
		return s, nil
	}
	input := bytes.Repeat([]byte("12345,6,7890123,"), 4096)
	parsetest.BenchPair(b, comb, hand, input)
}

// RESP-style integers, ":<int64>\r\n": Decimal against a hand loop over
// the digits.
func BenchmarkDecimal(b *testing.B) {
	comb := c.Then(c.Byte(':'), c.Before(c.Decimal[int64](-1<<63, 1<<63-1, 0), c.Literal("\r\n")))
	hand := func(in *parse.Input) (int64, error) {
		if b, ok := in.Peek(); !ok {
			return 0, in.NeedMore(1)
		} else if b != ':' {
			return 0, in.Errorf("expected ':'")
		}
		in.Advance(1)
		neg := false
		if b, ok := in.Peek(); ok && b == '-' {
			neg = true
			in.Advance(1)
		}
		var u uint64
		n := 0
		for {
			b, ok := in.Peek()
			if !ok {
				return 0, in.NeedMore(1)
			}
			if b < '0' || b > '9' || n == 19 {
				break
			}
			u = u*10 + uint64(b-'0')
			n++
			in.Advance(1)
		}
		if n == 0 || !in.SkipPrefix([]byte("\r\n")) {
			return 0, in.Errorf("expected digit or CRLF")
		}
		if neg {
			return -int64(u), nil
		}
		return int64(u), nil
	}
	input := bytes.Repeat([]byte(":1234567\r\n:-42\r\n:9000000000000000000\r\n"), 2048)
	parsetest.BenchPair(b, comb, hand, input)
}
