package combinators_test

import (
	"errors"
	"math"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// counting wraps p and counts the calls made with at least two bytes
// buffered (one-byte non-final calls are how combinators learn first
// bytes).
func counting[T any](p parse.TryParse[T], n *int) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		if in.Remaining() > 1 {
			*n++
		}
		return p(in)
	}
}

// Once it has learned their first bytes, Alt runs only the alternatives
// the next byte allows, and still reports every expectation when none
// matches.
func TestAltSkipsRuledOut(t *testing.T) {
	var plus, minus, colon int
	of := func(k byte, n *int) parse.TryParse[string] {
		return counting(c.Then(c.Byte(k), c.Map(c.Line(), seq.Sequence.String)), n)
	}
	p := c.Alt(of('+', &plus), of('-', &minus), of(':', &colon))
	for _, input := range []string{"-x\n", ":y\n", "+z\n", ":w\n"} {
		if _, err := p(parse.NewInput(seq.Of([]byte(input)), true, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if plus != 1 || minus != 1 || colon != 2 {
		t.Fatalf("calls: + %d, - %d, : %d; want each alternative run only for its own byte", plus, minus, colon)
	}
	_, err := p(parse.NewInput(seq.Of([]byte("?q\n")), true, 0))
	if want := syntax(0, `expected '+' or '-' or ':'`); err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// An alternative that panics on a one-byte input is never ruled out.
func TestStartsPanickingParser(t *testing.T) {
	touchy := func(in *parse.Input) (byte, error) {
		if in.Remaining() < 2 {
			panic("short")
		}
		b, _ := in.ReadByte()
		return b, nil
	}
	p := c.Alt(c.Byte('a'), touchy)
	in := parse.NewInput(seq.Of([]byte("zz")), true, 0)
	if v, err := p(in); err != nil || v != 'z' {
		t.Fatalf("got %q, %v", v, err)
	}
}

// A recursive grammar runs while its combinators are learning: the
// recursive call finds them learning and tries every alternative.
func TestStartsRecursive(t *testing.T) {
	var value parse.TryParse[int]
	ref := func(in *parse.Input) (int, error) { return value(in) }
	nested := c.Map(c.Seq3(c.Byte('['), ref, c.Byte(']'), func(_ byte, n int, _ byte) int { return n + 1 }), func(n int) int { return n })
	value = c.Alt(nested, c.Map(c.Byte('x'), func(byte) int { return 0 }))
	for _, tc := range []struct {
		input string
		want  string
	}{
		{"[[[x]]]", "3/7"},
		{"x", "0/1"},
		{"[[x]", "more"},
		{"[[y]]", "error: " + syntax(2, `expected '[' or 'x'`)},
	} {
		if got := once(erase(value), seq.Of([]byte(tc.input)), true, 0); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.input, got, tc.want)
		}
	}
}

// Backtracking that the next byte decides allocates nothing.
func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts")
	}
	digit := c.Satisfy("digit", isDigit)
	kv := c.Seq2(c.TakeUntil(":"), c.Line(), func(k, v seq.Sequence) int { return k.Len() + v.Len() })
	of := func(k byte) parse.TryParse[seq.Sequence] { return c.Then(c.Byte(k), c.Line()) }
	for _, tc := range []struct {
		name  string
		p     parse.TryParse[int]
		input string
	}{
		{"Line", c.Map(c.Line(), seq.Sequence.Len), "abc\r\n"},
		{"TakeUntil", c.Map(c.TakeUntil("\r\n"), seq.Sequence.Len), "abc\r\n"},
		{"Seq2", kv, "key:value\n"},
		{"Take", c.Map(c.Take(3), seq.Sequence.Len), "abc"},
		{"TakeWhile", c.Map(c.TakeWhile("digit", isDigit, 1, -1), seq.Sequence.Len), "123;"},
		{"LengthPrefixed", c.Map(c.LengthPrefixed(c.Uint16BE(), c.Take(3)), seq.Sequence.Len), "\x00\x03abc"},
		{"Alt", c.Map(c.Alt(of('+'), of('-'), of(':')), seq.Sequence.Len), ":123\r\n"},
		{"Opt/absent", c.Map(c.Seq2(c.Opt(c.Byte('-')), c.Take(1), func(m c.Maybe[byte], _ seq.Sequence) bool { return m.Ok }), func(bool) int { return 1 }), "5"},
		{"Fold", c.Before(c.Fold(digit, 1, -1, 0, func(n int, _ byte) int { return n + 1 }), c.Byte(',')), "12345,"},
		{"Peek", c.Then(c.Peek(c.Byte('a')), c.Map(c.Take(2), seq.Sequence.Len)), "ab"},
		{"Label", c.Label("number", c.Map(c.TakeWhile("digit", isDigit, 1, -1), seq.Sequence.Len)), "12;"},
		{"Bounded", c.Map(c.Bounded(10, c.Line()), seq.Sequence.Len), "ab\n"},
		{"Uvarint", c.Map(c.Uvarint(), func(v uint64) int { return int(v) }), "\xac\x02"},
		// Repetitions and choices that stop or backtrack note what they
		// expected without allocating.
		{"Fold/stop", c.Before(c.Fold(of('+'), 0, -1, 0, func(n int, _ seq.Sequence) int { return n + 1 }), c.Byte('.')), "+a\n+b\n."},
		{"Alt/in-Fold", c.Before(c.Fold(c.Alt(of('+'), of('-')), 0, -1, 0, func(n int, _ seq.Sequence) int { return n + 1 }), c.Byte('.')), "+a\n-b\n."},
		{"LengthPrefixed/Fold", c.LengthPrefixed(c.Uint8(), c.Fold(c.Byte('z'), 0, -1, 0, func(n int, _ byte) int { return n + 1 })), "\x02zz"},
		{"Label/Opt", c.Map(c.Seq2(c.Label("sign", c.Opt(c.Byte('-'))), c.Take(1), func(m c.Maybe[byte], _ seq.Sequence) bool { return m.Ok }), func(bool) int { return 1 }), "5"},
		// The vocabulary: byte sets, numbers, terminated repetition and
		// dispatch parse without allocating.
		{"OneOf", c.Map(c.OneOf("+-"), func(b byte) int { return int(b) }), "-"},
		{"NoneOf", c.Map(c.NoneOf("\r\n"), func(b byte) int { return int(b) }), "a"},
		{"TakeIn", c.Map(c.TakeIn("0123456789", 1, -1), seq.Sequence.Len), "123;"},
		{"Decimal", c.Map(c.Decimal[int64](math.MinInt64, math.MaxInt64, 0), func(n int64) int { return int(n) }), "-12345;"},
		{"Hex", c.Map(c.Hex[uint64](0, math.MaxUint64, 0), func(n uint64) int { return int(n) }), "1aF\r"},
		{"FoldTill", c.FoldTill(digit, c.Byte(';'), 0, -1, 0, func(n int, _ byte) int { return n + 1 }), "12345;"},
		{"Dispatch", c.Dispatch(map[byte]parse.TryParse[int]{'+': c.Map(of('+'), seq.Sequence.Len), ':': c.Map(of(':'), seq.Sequence.Len)}, nil), ":123\r\n"},
		{"Switch", c.Switch(c.Before(c.Decimal[int](0, 9, 0), c.Byte(' ')), map[int]parse.TryParse[int]{3: c.Map(c.Take(3), seq.Sequence.Len)}, nil), "3 abc"},
		{"Fix", brackets(8, new(int)), "[[x][x]]"},
		{"Commit/in-Alt", c.Alt(c.Commit(c.Byte('+'), c.Map(c.Line(), seq.Sequence.Len)), c.Map(c.Line(), seq.Sequence.Len)), "+ab\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := parse.NewInput(seq.Of([]byte(tc.input)), true, 0)
			if _, err := tc.p(in); err != nil { // learn, and allocate Bounded's child
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(100, func() {
				in.Reset()
				if _, err := tc.p(in); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per parse", allocs)
			}
		})
	}
}

// Errors are built only when they are needed: a failure that decides the
// message still carries its offset and expectation.
func TestSkippedErrorsStillReported(t *testing.T) {
	p := c.Many(c.Satisfy("digit", isDigit), 2, -1)
	p(parse.NewInput(seq.Of([]byte("1")), true, 0))
	_, err := p(parse.NewInput(seq.Of([]byte("1x")), true, 0))
	var se *parse.SyntaxError
	if !errors.As(err, &se) || se.Offset != 1 || se.Msg != "expected digit" {
		t.Fatalf("got %v", err)
	}
}

// Grammars are shared between goroutines: the first uses may run at once,
// each learning or falling back, and all agree.
func TestConcurrentFirstUse(t *testing.T) {
	for round := range 20 {
		word := c.TakeWhile("letter", isAlpha, 1, -1)
		item := c.Alt(c.Map(word, seq.Sequence.String), c.Map(c.Satisfy("digit", isDigit), func(b byte) string { return string(rune(b)) }))
		p := erase(c.Before(c.SepBy(item, c.Opt(c.Byte(',')), 1, -1), c.Byte(';')))
		const input = "ab,1,cd2;x;"
		want := stream{msgs: msgs("[ab 1 cd 2]", "[x]")}
		done := make(chan stream)
		for range 8 {
			go func() {
				var out stream
				in := parse.NewInput(seq.Of([]byte(input)), true, 0)
				for in.Remaining() > 0 {
					m, err := p(in)
					if err != nil {
						out.err = err.Error()
						break
					}
					out.msgs = append(out.msgs, m)
				}
				done <- out
			}()
		}
		for range 8 {
			if got := <-done; !got.equal(want) {
				t.Fatalf("round %d: got %v, want %v", round, got, want)
			}
		}
	}
}
