package combinators_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

var errRange = errors.New("out of range")

// toByte converts decimal digits to a byte, rejecting values over 255.
func toByte(s seq.Sequence) (byte, error) {
	n, err := strconv.Atoi(s.String())
	if err != nil || n > 255 {
		return 0, errRange
	}
	return byte(n), nil
}

func pair(a, b seq.Sequence) string { return a.String() + "|" + b.String() }

func anyByte(byte) bool { return true }

// A case is a parser, an input, the result of one call on the whole input
// as final input, and what a message reader yields over it.
type tcase struct {
	name  string
	p     parse.TryParse[string]
	input string
	limit int
	once  string
	want  stream
}

func ok(v string, n int) string { return fmt.Sprintf("%s/%d", v, n) }

func fails(text string) string { return "error: " + text }

func msgs(m ...string) []string { return m }

func cases() []tcase {
	digits := c.TakeWhile("digit", isDigit, 1, -1)
	word := c.TakeWhile("letter", isAlpha, 1, -1)

	ints1 := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	ints2 := []byte{0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6, 0xf5, 0xf4, 0xf3, 0xf2, 0xf1}
	showInts := func(b []byte) string {
		return fmt.Sprint(b[0], binary.BigEndian.Uint16(b[1:]), binary.LittleEndian.Uint32(b[3:]), binary.BigEndian.Uint64(b[7:]))
	}
	showIntsLE := func(b []byte) string {
		return fmt.Sprint(binary.LittleEndian.Uint16(b), binary.BigEndian.Uint32(b[2:]), binary.LittleEndian.Uint64(b[6:]))
	}

	uvals := []uint64{0, 1, 127, 128, 300, 1 << 63, math.MaxUint64}
	var uin []byte
	var ushow []string
	for _, v := range uvals {
		uin = binary.AppendUvarint(uin, v)
		ushow = append(ushow, fmt.Sprint(v))
	}
	vvals := []int64{-1, 0, 1, -64, 63, math.MinInt64, math.MaxInt64}
	var vin []byte
	var vshow []string
	for _, v := range vvals {
		vin = binary.AppendVarint(vin, v)
		vshow = append(vshow, fmt.Sprint(v))
	}
	shortVarint := (&parse.SyntaxError{Offset: int64(len(uin)), Msg: "invalid varint", Err: seq.ErrShort}).Error()
	overflow := (&parse.SyntaxError{Offset: 0, Msg: "invalid varint", Err: seq.ErrOverflow}).Error()

	optSigned := c.Seq2(c.Opt(c.Byte('-')), digits, func(m c.Maybe[byte], d seq.Sequence) string {
		if m.Ok {
			return "-" + d.String()
		}
		return d.String()
	})
	sumDigits := c.Fold(c.Satisfy("digit", isDigit), 1, -1, 0, func(a int, b byte) int { return a + int(b-'0') })
	take := func(n uint8) parse.TryParse[seq.Sequence] { return c.Take(int(n)) }

	return []tcase{
		// Primitives.
		{name: "Byte", p: erase(c.Byte('a')), input: "aab",
			once: ok("97", 1), want: stream{msgs("97", "97"), syntax(2, "expected 'a'")}},
		{name: "Byte/escaped", p: erase(c.Byte('\n')), input: "\n\n\xff",
			once: ok("10", 1), want: stream{msgs("10", "10"), syntax(2, `expected '\n'`)}},
		{name: "Byte/high", p: erase(c.Byte(0xff)), input: "\xffa",
			once: ok("255", 1), want: stream{msgs("255"), syntax(1, `expected '\xff'`)}},
		{name: "Satisfy", p: erase(c.Satisfy("digit", isDigit)), input: "12x",
			once: ok("49", 1), want: stream{msgs("49", "50"), syntax(2, "expected digit")}},
		{name: "Literal", p: erase(c.Literal("GET")), input: "GETGETGE",
			once: ok("GET", 3), want: stream{msgs("GET", "GET"), truncated(2, 6)}},
		{name: "Literal/mismatch", p: erase(c.Literal("GET")), input: "GETGEX",
			once: ok("GET", 3), want: stream{msgs("GET"), syntax(3, `expected "GET"`)}},
		{name: "Take", p: erase(c.Take(3)), input: "abcdefgh",
			once: ok("abc", 3), want: stream{msgs("abc", "def"), truncated(2, 6)}},
		{name: "Take/limit", p: erase(c.Take(20)), input: "abc", limit: 10,
			once: fails(tooLarge(0, 10)), want: stream{nil, tooLarge(0, 10)}},
		{name: "Take/huge", p: erase(c.Then(c.Byte('$'), c.Take(math.MaxInt))), input: "$abc",
			once: fails(tooLarge(0, parse.DefaultMaxMessageSize)), want: stream{nil, tooLarge(0, parse.DefaultMaxMessageSize)}},
		{name: "Take/bound", p: erase(c.LengthPrefixed(c.Uint8(), c.Take(5))), input: "\x03abc", limit: 10,
			once: fails(syntax(1, "element ends past its bound of 3 bytes")), want: stream{nil, syntax(1, "element ends past its bound of 3 bytes")}},
		{name: "TakeUntil", p: erase(c.TakeUntil("\r\n")), input: "ab\r\ncd\r\n\r\nx\r",
			once: ok("ab", 4), want: stream{msgs("ab", "cd", ""), truncated(2, 10)}},
		{name: "TakeUntil/byte", p: erase(c.TakeUntil(";")), input: "a;bb;;c",
			once: ok("a", 2), want: stream{msgs("a", "bb", ""), truncated(1, 6)}},
		{name: "TakeUntil/long-delimiter", p: erase(c.TakeUntil("\r\n\r\n")), input: "a\r\nb\r\n\r\n\r\n\r\nc\r\n\r\r\n\r\n",
			once: ok("a\r\nb", 8), want: stream{msgs("a\r\nb", "", "c\r\n\r"), ""}},
		{name: "TakeBefore", p: erase(c.Seq2(c.TakeBefore("--"), c.Line(), pair)), input: "a--b\nc-d--\n",
			once: ok("a|--b", 5), want: stream{msgs("a|--b", "c-d|--"), ""}},
		{name: "TakeWhile/max", p: erase(c.TakeWhile("digit", isDigit, 1, 3)), input: "12345x",
			once: ok("123", 3), want: stream{msgs("123", "45"), syntax(5, "expected digit")}},
		{name: "TakeWhile/unbounded", p: erase(c.Before(digits, c.Byte(';'))), input: "12;345;6",
			once: ok("12", 3), want: stream{msgs("12", "345"), truncated(1, 7)}},
		{name: "TakeWhile/min", p: erase(c.TakeWhile("digits", isDigit, 2, -1)), input: "1;",
			once: fails(syntax(1, "expected digits")), want: stream{nil, syntax(1, "expected digits")}},
		{name: "TakeWhile/min-at-end", p: erase(c.TakeWhile("digits", isDigit, 2, 4)), input: "1",
			once: "more", want: stream{nil, truncated(1, 0)}},
		{name: "TakeWhile/zero", p: erase(c.Seq2(c.TakeWhile("letter", isAlpha, 0, 2), c.Take(1), pair)), input: "1ab2abc",
			once: ok("|1", 1), want: stream{msgs("|1", "ab|2", "ab|c"), ""}},
		{name: "Line", p: erase(c.Line()), input: "a\r\nb\n\r\n\rc\r\nlast",
			once: ok("a", 3), want: stream{msgs("a", "b", "", "\rc"), truncated(4, 11)}},
		{name: "Line/cr-runs", p: erase(c.Line()), input: "ab\r\n\r\r\n\n\rx\r\r\nyz\n\r\r\r",
			once: ok("ab", 4), want: stream{msgs("ab", "\r", "", "\rx\r", "yz"), truncated(3, 16)}},
		{name: "Ints", p: erase(c.Seq4(c.Uint8(), c.Uint16BE(), c.Uint32LE(), c.Uint64BE(), func(a uint8, b uint16, c uint32, d uint64) string {
			return fmt.Sprint(a, b, c, d)
		})), input: string(ints1) + string(ints2) + "abc",
			once: ok(showInts(ints1), 15), want: stream{msgs(showInts(ints1), showInts(ints2)), truncated(3, 30)}},
		{name: "IntsLE", p: erase(c.Seq3(c.Uint16LE(), c.Uint32BE(), c.Uint64LE(), func(a uint16, b uint32, c uint64) string {
			return fmt.Sprint(a, b, c)
		})), input: string(ints2[:14]) + string(ints1[:14]) + "a",
			once: ok(showIntsLE(ints2), 14), want: stream{msgs(showIntsLE(ints2), showIntsLE(ints1)), truncated(1, 28)}},
		{name: "Uvarint", p: erase(c.Uvarint()), input: string(uin) + "\x80",
			once: ok("0", 1), want: stream{ushow, shortVarint}},
		{name: "Uvarint/overflow", p: erase(c.Uvarint()), input: strings.Repeat("\xff", 10) + "\x01",
			once: fails(overflow), want: stream{nil, overflow}},
		{name: "Varint", p: erase(c.Varint()), input: string(vin),
			once: ok("-1", 1), want: stream{vshow, ""}},

		// Sequencing and mapping.
		{name: "Seq2", p: erase(c.Seq2(c.TakeUntil(":"), c.Line(), pair)), input: "k:v\nkey:value\r\n:\n",
			once: ok("k|v", 4), want: stream{msgs("k|v", "key|value", "|"), ""}},
		{name: "Seq3", p: erase(c.Seq3(c.Byte('<'), c.TakeUntil(">"), c.Uint8(), func(_ byte, s seq.Sequence, n uint8) string {
			return fmt.Sprint(s, n)
		})), input: "<ab>\x07<>\x00<x",
			once: ok("ab 7", 5), want: stream{msgs("ab 7", " 0"), truncated(2, 8)}},
		{name: "Then", p: erase(c.Then(c.Literal("$"), c.Line())), input: "$ab\n$\nx",
			once: ok("ab", 4), want: stream{msgs("ab", ""), syntax(6, `expected "$"`)}},
		{name: "Before", p: erase(c.Before(word, c.Literal("\r\n"))), input: "ab\r\ncd\n",
			once: ok("ab", 4), want: stream{msgs("ab"), syntax(6, `expected "\r\n"`)}},
		{name: "Map", p: erase(c.Map(c.Take(2), func(s seq.Sequence) string { return strings.ToUpper(s.String()) })), input: "abcd",
			once: ok("AB", 2), want: stream{msgs("AB", "CD"), ""}},
		{name: "MapErr", p: erase(c.Before(c.MapErr(c.TakeWhile("digit", isDigit, 1, 5), toByte), c.Byte(';'))), input: "12;300;",
			once: ok("12", 3), want: stream{msgs("12"), (&parse.SyntaxError{Offset: 3, Msg: "invalid value", Err: errRange}).Error()}},

		// Choice.
		{name: "Alt", p: erase(c.Alt(c.Literal("GET"), c.Literal("GO"), c.Literal("POST"))), input: "GOGETPOSTPUT",
			once: ok("GO", 2), want: stream{msgs("GO", "GET", "POST"), syntax(9, `expected "GET" or "GO" or "POST"`)}},
		{name: "Alt/priority", p: erase(c.Alt(c.Literal("abcd"), c.Literal("ab"))), input: "abcdabcab",
			once: ok("abcd", 4), want: stream{msgs("abcd", "ab"), syntax(6, `expected "abcd" or "ab"`)}},
		{name: "Alt/final", p: erase(c.Alt(c.Literal("abcd"), c.Literal("ab"))), input: "abc",
			once: ok("ab", 2), want: stream{msgs("ab"), syntax(2, `expected "abcd" or "ab"`)}},
		{name: "Alt/all-short", p: erase(c.Alt(c.Literal("abcd"), c.Literal("abc"))), input: "ab",
			once: "more", want: stream{nil, truncated(2, 0)}},
		{name: "Alt/deep", p: erase(c.Alt(c.Then(c.Byte('+'), c.Line()), c.Then(c.Byte(':'), c.Before(digits, c.Byte('\n'))))),
			input: "+a\n:12\n:x\n",
			// The fault is where the ':' alternative failed, not at the
			// start of the '+' one that the first byte ruled out.
			once: ok("a", 3), want: stream{msgs("a", "12"), syntax(8, "expected digit")}},
		{name: "Alt/labels", p: erase(c.Before(c.Alt(c.Label("number", digits), c.Label("word", word)), c.Byte(' '))), input: "12 ab ;",
			once: ok("12", 3), want: stream{msgs("12", "ab"), syntax(6, "expected number or word")}},
		{name: "Alt/many", p: erase(c.Alt(c.Literal("a"), c.Literal("b"), c.Literal("c"), c.Literal("d"), c.Literal("e"), c.Literal("a"))), input: "edx",
			once: ok("e", 1), want: stream{msgs("e", "d"), syntax(2, `expected "a" or "b" or "c" or "d" or "e"`)}},
		{name: "Opt", p: erase(c.Before(optSigned, c.Byte(';'))), input: "-12;3;-;",
			once: ok("-12", 4), want: stream{msgs("-12", "3"), syntax(7, "expected digit")}},
		{name: "Opt/absent", p: erase(c.Seq2(c.Literal("a"), c.Opt(c.Literal("xy")), func(a string, m c.Maybe[string]) string {
			return a + show(m)
		})), input: "axyaxa",
			once: ok("a{xy true}", 3), want: stream{msgs("a{xy true}", "a{ false}"), syntax(4, `expected "a"`)}},
		{name: "Opt/final", p: erase(c.Seq2(c.Literal("a"), c.Opt(c.Literal("xy")), func(a string, m c.Maybe[string]) string {
			return a + show(m)
		})), input: "ax",
			once: ok("a{ false}", 1), want: stream{msgs("a{ false}"), syntax(1, `expected "a"`)}},
		{name: "Peek", p: erase(c.Seq2(c.Peek(c.Byte('x')), c.Take(2), func(b byte, s seq.Sequence) string { return fmt.Sprint(b, s) })), input: "xyxzab",
			once: ok("120 xy", 2), want: stream{msgs("120 xy", "120 xz"), syntax(4, "expected 'x'")}},
		{name: "Label", p: erase(c.Before(c.Label("number", digits), c.Byte(';'))), input: "12;x;",
			once: ok("12", 3), want: stream{msgs("12"), syntax(3, "expected number")}},
		{name: "Label/deep", p: erase(c.Before(c.Label("pair", c.Seq3(digits, c.Byte(','), digits, func(a seq.Sequence, _ byte, b seq.Sequence) string {
			return pair(a, b)
		})), c.Byte(' '))), input: "1,2 1; ",
			// A label names p where it starts; a fault further in is p's own.
			once: ok("1|2", 4), want: stream{msgs("1|2"), syntax(5, "expected ','")}},

		// Repetition.
		{name: "Many", p: erase(c.Before(c.Many(c.Byte('a'), 0, -1), c.Byte(';'))), input: "aa;;a;",
			once: ok("[97 97]", 3), want: stream{msgs("[97 97]", "[]", "[97]"), ""}},
		{name: "Many/bounds", p: erase(c.Many(c.Literal("ab"), 1, 2)), input: "abababx",
			once: ok("[ab ab]", 4), want: stream{msgs("[ab ab]", "[ab]"), syntax(6, `expected "ab"`)}},
		{name: "Many/min-at-end", p: erase(c.Many(c.Byte('a'), 2, -1)), input: "a",
			once: "more", want: stream{nil, truncated(1, 0)}},
		{name: "Many/min", p: erase(c.Many(c.Byte('a'), 2, -1)), input: "aab",
			once: ok("[97 97]", 2), want: stream{msgs("[97 97]"), syntax(2, "expected 'a'")}},
		{name: "Many/no-progress", p: erase(c.Many(c.Opt(c.Byte('x')), 0, -1)), input: "abc",
			once: fails(syntax(0, "repeated element matched no input")),
			want: stream{nil, syntax(0, "repeated element matched no input")}},
		{name: "Fold", p: erase(c.Before(sumDigits, c.Byte(';'))), input: "123;9;;",
			once: ok("6", 4), want: stream{msgs("6", "9"), syntax(6, "expected digit")}},
		{name: "Fold/no-progress", p: erase(c.Fold(c.Opt(c.Byte('x')), 0, 5, 0, func(n int, _ c.Maybe[byte]) int { return n + 1 })), input: "xy",
			once: fails(syntax(1, "repeated element matched no input")), want: stream{nil, syntax(1, "repeated element matched no input")}},
		{name: "Count", p: erase(c.Count(3, c.Uint8())), input: "\x01\x02\x03\x04",
			once: ok("[1 2 3]", 3), want: stream{msgs("[1 2 3]"), truncated(1, 3)}},
		{name: "Count/error", p: erase(c.Count(2, c.Satisfy("digit", isDigit))), input: "12a3",
			once: ok("[49 50]", 2), want: stream{msgs("[49 50]"), syntax(2, "expected digit")}},
		{name: "SepBy", p: erase(c.Before(c.SepBy(word, c.Byte(','), 1, -1), c.Byte(';'))), input: "a,bc,d;x;",
			once: ok("[a bc d]", 7), want: stream{msgs("[a bc d]", "[x]"), ""}},
		{name: "SepBy/trailing", p: erase(c.Before(c.SepBy(word, c.Byte(','), 1, -1), c.Byte(';'))), input: "a,b,;",
			// After the trailing ',' a word was expected: the furthest fault.
			once: fails(syntax(4, "expected letter")), want: stream{nil, syntax(4, "expected letter")}},
		{name: "SepBy/min", p: erase(c.SepBy(word, c.Byte(','), 2, -1)), input: "a;",
			once: fails(syntax(1, "expected ','")), want: stream{nil, syntax(1, "expected ','")}},
		{name: "SepBy/max", p: erase(c.SepBy(word, c.Literal(", "), 0, 2)), input: "a, b, c",
			once: ok("[a b]", 4), want: stream{msgs("[a b]"), parse.ErrNoProgress.Error()}},
		{name: "SepBy/empty", p: erase(c.Before(c.SepBy(word, c.Byte(','), 0, -1), c.Byte(';'))), input: ";a;",
			once: ok("[]", 1), want: stream{msgs("[]", "[a]"), ""}},

		// Data-dependent parsers and bounds.
		{name: "Bind", p: erase(c.Bind(c.Uint8(), take)), input: "\x03abc\x00\x01z\x05ab",
			once: ok("abc", 4), want: stream{msgs("abc", "", "z"), truncated(3, 7)}},
		{name: "LengthPrefixed", p: erase(c.LengthPrefixed(c.Uint16BE(), c.Line())), input: "\x00\x04ab\r\n\x00\x01\n\x00\x04ab\nc",
			once: ok("ab", 6), want: stream{msgs("ab", ""), syntax(14, "length-prefixed body used 3 of its 4 bytes")}},
		{name: "LengthPrefixed/past-bound", p: erase(c.LengthPrefixed(c.Uint8(), c.Line())), input: "\x02ab",
			once: fails(syntax(1, "element ends past its bound of 2 bytes")), want: stream{nil, syntax(1, "element ends past its bound of 2 bytes")}},
		{name: "LengthPrefixed/limit", p: erase(c.LengthPrefixed(c.Uint16BE(), c.TakeWhile("byte", anyByte, 0, -1))), limit: 10,
			input: "\x00\x08abcdefgh\x00\x09abcdefghi",
			once:  ok("abcdefgh", 10), want: stream{msgs("abcdefgh"), tooLarge(10, 10)}},
		{name: "LengthPrefixed/uint8", p: erase(c.LengthPrefixed(c.Uint8(), c.Many(c.Byte('z'), 0, -1))), input: "\x00\x02zz\x01y",
			once: ok("[]", 1), want: stream{msgs("[]", "[122 122]"), syntax(5, "length-prefixed body used 0 of its 1 bytes")}},
		{name: "LengthPrefixed/uint64", p: erase(c.LengthPrefixed(c.Uint64LE(), c.Line())), input: "\x02\x00\x00\x00\x00\x00\x00\x00a\n\xff\xff\xff\xff\xff\xff\xff\xff",
			once: ok("a", 10), want: stream{msgs("a"), tooLarge(10, parse.DefaultMaxMessageSize)}},
		{name: "Bounded", p: erase(c.Bounded(3, c.TakeUntil(";"))), input: "ab;cd;abcd;",
			once: ok("ab", 3), want: stream{msgs("ab", "cd"), syntax(6, "element ends past its bound of 3 bytes")}},
	}
}

// TestCombinators runs every case over every segmentation, every prefix,
// and through message readers fed whole, by segmentation and in pieces.
func TestCombinators(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}
}
