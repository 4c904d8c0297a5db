package combinators_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// rangeErr is the text of a number's range error.
func rangeErr(off int64, msg string) string {
	return (&parse.SyntaxError{Offset: off, Msg: msg, Err: c.ErrRange}).Error()
}

// vocabCases are the byte sets, numbers, terminated repetitions and
// dispatches, in the table form of cases.
func vocabCases() []tcase {
	letter := c.Satisfy("letter", isAlpha)
	semi := c.Byte(';')
	crlf := c.Literal("\r\n")
	u16 := c.Decimal[uint16](0, math.MaxUint16, 0)
	i64 := c.Decimal[int64](math.MinInt64, math.MaxInt64, 0)
	hex := c.Hex[uint64](0, math.MaxUint64, 16)
	text := func(kind string) func(seq.Sequence) string {
		return func(s seq.Sequence) string { return kind + " " + s.String() }
	}
	reply := c.Dispatch(map[byte]parse.TryParse[string]{
		'+': c.Map(c.Then(c.Byte('+'), c.Line()), text("status")),
		':': c.Map(c.Then(c.Byte(':'), c.Before(i64, crlf)), func(n int64) string { return fmt.Sprint("int ", n) }),
	}, nil)
	withDefault := c.Dispatch(map[byte]parse.TryParse[string]{
		'-': c.Map(c.Then(c.Byte('-'), c.Line()), text("error")),
	}, c.Map(c.Line(), text("other")))
	sized := c.Switch(c.Before(c.Decimal[int](0, 99, 0), c.Byte(' ')), map[int]parse.TryParse[seq.Sequence]{
		1: c.Take(1),
		2: c.Take(2),
	}, nil)
	words := c.Switch(c.Map(c.TakeIn("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 8), seq.Sequence.String), map[string]parse.TryParse[string]{
		"GET": c.Map(c.Then(c.Byte(' '), c.Line()), text("get")),
		"DEL": c.Map(c.Then(c.Byte(' '), c.Line()), text("del")),
	}, nil)

	bulk := c.TakeLen(c.Then(c.Byte('$'), c.Before(c.Decimal[int64](-1, math.MaxInt64, 0), crlf)), crlf, func(n int64, s seq.Sequence) string {
		if n < 0 {
			return "null"
		}
		return s.String()
	})
	netstring := c.TakeLen(c.Before(c.Decimal[uint32](0, 999, 0), c.Byte(':')), c.Byte(','), func(_ uint32, s seq.Sequence) string { return s.String() })
	framed := c.TakeLen(c.Uint8(), parse.TryParse[byte](nil), func(_ uint8, s seq.Sequence) string { return s.String() })

	return []tcase{
		// The bytes a length declared.
		{name: "TakeLen", p: erase(bulk), input: "$3\r\nSET\r\n$-1\r\n$0\r\n\r\n$2\r\nab",
			once: ok("SET", 9), want: stream{msgs("SET", "null", ""), truncated(6, 20)}},
		{name: "TakeLen/limit", p: erase(bulk), input: "$20\r\nabc", limit: 10,
			once: fails(tooLarge(0, 10)), want: stream{nil, tooLarge(0, 10)}},
		{name: "TakeLen/after", p: erase(bulk), input: "$3\r\nSETX",
			once: fails(syntax(7, `expected "\r\n"`)), want: stream{nil, syntax(7, `expected "\r\n"`)}},
		{name: "TakeLen/netstring", p: erase(netstring), input: "3:abc,0:,2:ab;",
			once: ok("abc", 6), want: stream{msgs("abc", ""), syntax(13, "expected ','")}},
		{name: "TakeLen/no-after", p: erase(framed), input: "\x02ab\x01c\x00\x03",
			once: ok("ab", 3), want: stream{msgs("ab", "c", ""), truncated(1, 6)}},

		// Byte sets.
		{name: "OneOf", p: erase(c.OneOf("+-")), input: "+-x",
			once: ok("43", 1), want: stream{msgs("43", "45"), syntax(2, `expected one of "+-"`)}},
		{name: "OneOf/high", p: erase(c.OneOf("\xff\x00")), input: "\x00\xff\x01",
			once: ok("0", 1), want: stream{msgs("0", "255"), syntax(2, `expected one of "\xff\x00"`)}},
		{name: "OneOf/end", p: erase(c.Then(c.OneOf("+-"), c.OneOf("ab"))), input: "+a-",
			once: ok("97", 2), want: stream{msgs("97"), truncated(1, 2)}},
		{name: "NoneOf", p: erase(c.NoneOf("\r\n")), input: "ab\n",
			once: ok("97", 1), want: stream{msgs("97", "98"), syntax(2, `expected a byte not in "\r\n"`)}},
		{name: "NoneOf/empty-set", p: erase(c.NoneOf("")), input: "\n\xff",
			once: ok("10", 1), want: stream{msgs("10", "255"), ""}},
		{name: "TakeIn", p: erase(c.TakeIn("0123456789", 1, 3)), input: "12345x",
			once: ok("123", 3), want: stream{msgs("123", "45"), syntax(5, `expected one of "0123456789"`)}},
		{name: "TakeIn/final", p: erase(c.TakeIn("ab", 0, -1)), input: "abba",
			once: ok("abba", 4), want: stream{msgs("abba"), ""}},
		{name: "TakeNotIn", p: erase(c.Before(c.TakeNotIn("\r\n", 0, -1), crlf)), input: "ab\r\n\r\nc",
			once: ok("ab", 4), want: stream{msgs("ab", ""), truncated(1, 6)}},
		{name: "TakeNotIn/min", p: erase(c.TakeNotIn(";", 1, -1)), input: "a;",
			once: ok("a", 1), want: stream{msgs("a"), syntax(1, `expected a byte not in ";"`)}},

		// Decimal and hex integers.
		{name: "Decimal/uint16", p: erase(c.Before(u16, semi)), input: "0;65535;65536;",
			once: ok("0", 2), want: stream{msgs("0", "65535"), rangeErr(8, "number above the maximum 65535")}},
		{name: "Decimal/overflow-early", p: erase(c.Before(u16, semi)), input: "99999999999999999999999;",
			once: fails(rangeErr(0, "number above the maximum 65535")), want: stream{nil, rangeErr(0, "number above the maximum 65535")}},
		{name: "Decimal/int64", p: erase(c.Before(i64, semi)), input: "-9223372036854775808;9223372036854775807;-0;-;",
			once: ok("-9223372036854775808", 21), want: stream{msgs("-9223372036854775808", "9223372036854775807", "0"), syntax(45, "expected digit")}},
		{name: "Decimal/int64-over", p: erase(c.Before(i64, semi)), input: "9223372036854775808;",
			once: fails(rangeErr(0, "number above the maximum 9223372036854775807")), want: stream{nil, rangeErr(0, "number above the maximum 9223372036854775807")}},
		{name: "Decimal/int64-under", p: erase(c.Before(i64, semi)), input: "1;-9223372036854775809;",
			once: ok("1", 2), want: stream{msgs("1"), rangeErr(2, "number below the minimum -9223372036854775808")}},
		{name: "Decimal/min", p: erase(c.Before(c.Decimal[uint32](10, 20, 0), semi)), input: "10;20;9;",
			once: ok("10", 3), want: stream{msgs("10", "20"), rangeErr(6, "number below the minimum 10")}},
		{name: "Decimal/negative-max", p: erase(c.Before(c.Decimal[int](-20, -10, 0), semi)), input: "-15;-9;",
			once: ok("-15", 4), want: stream{msgs("-15"), rangeErr(4, "number above the maximum -10")}},
		{name: "Decimal/positive-over-negative-max", p: erase(c.Decimal[int](-20, -10, 0)), input: "5",
			once: fails(rangeErr(0, "number above the maximum -10")), want: stream{nil, rangeErr(0, "number above the maximum -10")}},
		{name: "Decimal/no-digit", p: erase(c.Decimal[uint8](0, 255, 0)), input: "7x",
			once: ok("7", 1), want: stream{msgs("7"), syntax(1, "expected digit")}},
		{name: "Decimal/no-digit-signed", p: erase(c.Decimal[int8](-128, 127, 0)), input: "+1",
			once: fails(syntax(0, "expected '-' or digit")), want: stream{nil, syntax(0, "expected '-' or digit")}},
		{name: "Decimal/no-sign-unsigned", p: erase(c.Decimal[uint8](0, 255, 0)), input: "-1",
			once: fails(syntax(0, "expected digit")), want: stream{nil, syntax(0, "expected digit")}},
		{name: "Decimal/int8", p: erase(c.Before(c.Decimal[int8](-128, 127, 0), semi)), input: "-128;127;-129;",
			once: ok("-128", 5), want: stream{msgs("-128", "127"), rangeErr(9, "number below the minimum -128")}},
		{name: "Decimal/leading-zeros", p: erase(c.Before(c.Decimal[uint8](0, 255, 0), semi)), input: "007;0007;",
			once: ok("7", 4), want: stream{msgs("7"), rangeErr(4, "number longer than 3 digits")}},
		{name: "Decimal/max-digits", p: erase(c.Before(c.Decimal[uint8](0, 255, 6), semi)), input: "000255;0000256;",
			once: ok("255", 7), want: stream{msgs("255"), rangeErr(7, "number above the maximum 255")}},
		{name: "Decimal/final", p: erase(u16), input: "12",
			once: ok("12", 2), want: stream{msgs("12"), ""}},
		{name: "Decimal/truncated-sign", p: erase(i64), input: "-",
			once: "more", want: stream{nil, truncated(1, 0)}},
		{name: "Hex", p: erase(c.Before(hex, crlf)), input: "1aF\r\nffffffffffffffff\r\n10000000000000000\r\n",
			once: ok("431", 5), want: stream{msgs("431", "18446744073709551615"), rangeErr(23, "number above the maximum 0xffffffffffffffff")}},
		{name: "Hex/bound", p: erase(c.Before(c.Hex[uint16](0, 0xfff, 0), semi)), input: "fff;1000;",
			once: ok("4095", 4), want: stream{msgs("4095"), rangeErr(4, "number above the maximum 0xfff")}},
		{name: "Hex/no-digit", p: erase(hex), input: "-1",
			once: fails(syntax(0, "expected hex digit")), want: stream{nil, syntax(0, "expected hex digit")}},

		// Repetition until a terminator.
		{name: "ManyTill", p: erase(c.ManyTill(letter, semi, 0, -1)), input: "ab;;c1;",
			once: ok("[97 98]", 3), want: stream{msgs("[97 98]", "[]"), syntax(5, "expected ';' or letter")}},
		{name: "ManyTill/min", p: erase(c.ManyTill(letter, semi, 2, -1)), input: "ab;a;",
			once: ok("[97 98]", 3), want: stream{msgs("[97 98]"), syntax(4, "expected letter")}},
		{name: "ManyTill/max", p: erase(c.ManyTill(letter, semi, 0, 2)), input: "ab;abc;",
			once: ok("[97 98]", 3), want: stream{msgs("[97 98]"), syntax(5, "expected ';'")}},
		{name: "ManyTill/end-first", p: erase(c.ManyTill(c.Line(), c.Literal("\n"), 0, -1)), input: "a\nb\r\n\nc\n",
			once: ok("[a b]", 6), want: stream{msgs("[a b]"), truncated(2, 6)}},
		{name: "ManyTill/no-progress", p: erase(c.ManyTill(c.Opt(letter), semi, 0, -1)), input: "a1",
			once: fails(syntax(1, "repeated element matched no input")), want: stream{nil, syntax(1, "repeated element matched no input")}},
		{name: "FoldTill", p: erase(c.FoldTill(c.Before(u16, c.Opt(c.Byte(','))), semi, 1, -1, 0, func(a int, n uint16) int { return a + int(n) })),
			input: "1,2,3;40;;", once: ok("6", 6), want: stream{msgs("6", "40"), syntax(9, "expected digit")}},

		// Dispatch on a byte and on a value.
		{name: "Dispatch", p: erase(reply), input: "+OK\r\n:-42\r\n?x\r\n",
			once: ok("status OK", 5), want: stream{msgs("status OK", "int -42"), syntax(11, "expected '+' or ':'")}},
		{name: "Dispatch/case-fails", p: erase(reply), input: ":4x\r\n",
			once: fails(syntax(2, `expected "\r\n"`)), want: stream{nil, syntax(2, `expected "\r\n"`)}},
		{name: "Dispatch/default", p: erase(withDefault), input: "-no\nyes\n",
			once: ok("error no", 4), want: stream{msgs("error no", "other yes"), ""}},
		{name: "Switch", p: erase(sized), input: "1 a2 bc3 x",
			once: ok("a", 3), want: stream{msgs("a", "bc"), syntax(7, "expected 1 or 2")}},
		{name: "Switch/strings", p: erase(words), input: "GET a\nDEL b\nPUT c\n",
			once: ok("get a", 6), want: stream{msgs("get a", "del b"), syntax(12, `expected "DEL" or "GET"`)}},
	}
}

// TestVocabulary runs every case over every segmentation, every prefix,
// and through message readers fed whole, by segmentation and in pieces.
func TestVocabulary(t *testing.T) {
	for _, tc := range vocabCases() {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}
}

// Input that ends before a number's digits, before a terminator, or before
// a dispatched element ends is a truncation, however the grammar around it
// backtracks.
func TestVocabularyTruncated(t *testing.T) {
	letter := c.Satisfy("letter", isAlpha)
	semi := c.Byte(';')
	crlf := c.Literal("\r\n")
	i64 := c.Decimal[int64](math.MinInt64, math.MaxInt64, 0)
	integer := c.Map(c.Then(c.Byte(':'), c.Before(i64, crlf)), func(n int64) string { return fmt.Sprint(n) })
	till := erase(c.ManyTill(letter, semi, 0, -1))
	for _, tc := range []truncCase{
		{"Decimal/after-colon", erase(integer), ":", nil, 0},
		{"Decimal/after-sign", erase(integer), ":12\r\n:-", []string{"12"}, 5},
		{"Decimal/before-crlf", erase(integer), ":12", nil, 0},
		{"Hex/before-crlf", erase(c.Before(c.Hex[uint32](0, math.MaxUint32, 0), crlf)), "ff\r\n1f", []string{"255"}, 4},
		{"ManyTill", till, "ab", nil, 0},
		{"ManyTill/after-message", till, "ab;cd", []string{"[97 98]"}, 3},
		{"ManyTill/inside-terminator", erase(c.ManyTill(c.Literal("ab"), c.Literal("END"), 0, -1)), "abEN", nil, 0},
		{"ManyTill/max", erase(c.ManyTill(letter, semi, 0, 2)), "ab", nil, 0},
		{"ManyTill/in-Alt", erase(c.Alt(till, c.Map(c.Byte('x'), func(byte) string { return "x" }))), "ab", nil, 0},
		{"ManyTill/in-Many", erase(c.Before(c.Many(c.ManyTill(letter, semi, 1, -1), 0, -1), c.Byte('.'))), "ab;cd", nil, 0},
		{"FoldTill", erase(c.FoldTill(c.Line(), c.Literal("\n"), 0, -1, 0, func(n int, _ seq.Sequence) int { return n + 1 })), "a\nb\n", nil, 0},
		{"Dispatch", erase(c.Dispatch(map[byte]parse.TryParse[string]{':': integer}, nil)), ":1", nil, 0},
		{"Switch", erase(c.Switch(c.Before(c.Decimal[int](0, 9, 0), c.Byte(' ')), map[int]parse.TryParse[seq.Sequence]{3: c.Take(3)}, nil)), "3 ab", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { checkTruncated(t, tc.p, tc.input, tc.msgs, tc.at) })
	}
}

// A number's range errors are faults that errors.Is and errors.As see, at
// the number's first byte; an expectation error merges with what an Alt
// tried at the same offset.
func TestNumberErrors(t *testing.T) {
	p := c.Then(c.Byte(':'), c.Decimal[uint32](0, 1000, 0))
	for _, sc := range segtest.Segmentations([]byte(":1001")) {
		_, err := p(parse.NewInput(sc.Seq, true, 0))
		var se *parse.SyntaxError
		if !errors.Is(err, c.ErrRange) || !errors.As(err, &se) || se.Offset != 1 || se.Msg != "number above the maximum 1000" {
			t.Errorf("%s: got %v", sc.Name, err)
		}
	}
	alt := c.Alt(c.Map(c.Decimal[uint8](0, 255, 0), func(n uint8) string { return fmt.Sprint(n) }), c.Map(c.Literal("none"), func(s string) string { return s }))
	_, err := alt(parse.NewInput(seq.Of([]byte("x")), true, 0))
	var se *parse.SyntaxError
	if !errors.As(err, &se) || se.Offset != 0 || fmt.Sprint(se.Expected) != `[digit "none"]` {
		t.Fatalf("Alt: got %#v", err)
	}
	// Dispatch lists the bytes it expected.
	d := c.Dispatch(map[byte]parse.TryParse[byte]{'b': c.Byte('b'), 'a': c.Byte('a')}, nil)
	_, err = d(parse.NewInput(seq.Of([]byte("c")), true, 0))
	if !errors.As(err, &se) || se.Msg != "expected 'a' or 'b'" || fmt.Sprint(se.Expected) != "['a' 'b']" {
		t.Fatalf("Dispatch: got %#v", err)
	}
}
