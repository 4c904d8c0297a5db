package combinators_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// errTooBig is what the validating functions of the fusion cases reject.
var errTooBig = errors.New("test: value too big")

func atMost[T uint8 | uint16 | uint32 | uint64](limit T) func(T) (uint64, error) {
	return func(v T) (uint64, error) {
		if v > limit {
			return 0, errTooBig
		}
		return uint64(v), nil
	}
}

func widen8(v uint8) uint16   { return uint16(v) }
func widen16(v uint16) uint64 { return uint64(v) }
func widen32(v uint32) uint64 { return uint64(v) }
func from2(s seq.Sequence) seq.Sequence {
	if s.Len() < 2 {
		return s
	}
	return s.From(2)
}

// fused is a declaration of a fusionCase: its parser, erased, and the
// declaration as Describe prints it.
type fused struct {
	p    parse.TryParse[string]
	desc string
}

func fuse[T any](p parse.TryParse[T]) fused { return fused{erase(p), c.Describe(p)} }

// fusionCases are declarations that fuse, each with inputs that take every
// path: fast, at a segment end, short, too large for the limit, rejected.
var fusionCases = []struct {
	name   string
	limit  int
	build  func() fused
	inputs []string
}{
	{"Map(Uint16BE)", 64, func() fused {
		return fuse(c.Map(c.Uint16BE(), widen16))
	}, []string{"", "\x01", "\x01\x02", "\x01\x02\x03"}},
	{"Map(Map(Uint32LE))", 64, func() fused {
		return fuse(c.Map(c.Map(c.Uint32LE(), widen32), func(v uint64) string { return fmt.Sprint(v * 3) }))
	}, []string{"\x01\x02\x03", "\x01\x02\x03\x04", "\xff\xff\xff\xff\x00"}},
	{"MapErr(Map(Uint8))", 64, func() fused {
		return fuse(c.MapErr(c.Map(c.Uint8(), widen8), atMost[uint16](9)))
	}, []string{"", "\x09", "\x0a", "\x09z"}},
	{"MapErr(Uint64BE)", 64, func() fused {
		return fuse(c.MapErr(c.Uint64BE(), atMost[uint64](1<<40)))
	}, []string{"\x00\x00\x00\x00\x00\x00\x01\x00", "\x00\x00\x01\x00\x00\x00\x00\x01", "\x00\x00\x00"}},
	{"Then(Take, MapErr(Map(Uint16LE)))", 64, func() fused {
		return fuse(c.Then(c.Take(3), c.MapErr(c.Map(c.Uint16LE(), widen16), atMost[uint64](300))))
	}, []string{"abc\x2c\x01", "abc\x2d\x01", "ab", "abc\x01", "abc\x2c\x01!"}},
	{"Peek(Then(Take, Map(Uint8)))", 64, func() fused {
		return fuse(c.Peek(c.Then(c.Take(1), c.Map(c.Uint8(), widen8))))
	}, []string{"", "a", "a\x07", "a\x07b"}},
	{"Peek(Peek(MapErr(Uint16BE)))", 64, func() fused {
		return fuse(c.Peek(c.Peek(c.MapErr(c.Uint16BE(), atMost[uint16](0x100)))))
	}, []string{"\x01", "\x01\x00", "\x01\x01", "\x00\x05xyz"}},
	{"Bind(Peek(Map(Uint8)))", 64, func() fused {
		return fuse(c.Bind(c.Peek(c.Map(c.Uint8(), widen8)), func(n uint16) parse.TryParse[seq.Sequence] {
			return c.Take(int(n))
		}))
	}, []string{"", "\x00", "\x03ab", "\x03abc", "\x10abc", "\x7f"}},
	{"Bind(Then(Take, Map(Uint8)))", 64, func() fused {
		return fuse(c.Bind(c.Then(c.Take(1), c.Map(c.Uint8(), widen8)), func(n uint16) parse.TryParse[string] {
			if n > 5 {
				return c.Literal("big")
			}
			return c.Literal("small")
		}))
	}, []string{"x\x01small", "x\x06big", "x\x06bi", "x\x06smal", "x"}},
	{"LengthPrefixed(Uint8 mapped, Rest)", 16, func() fused {
		return fuse(c.LengthPrefixed(c.Map(c.Uint8(), widen8), c.Rest()))
	}, []string{"", "\x00", "\x03abc", "\x03ab", "\x0fabcdefghijklmno", "\x10abcdefghijklmnop", "\xffabc", "\x02abcd"}},
	{"LengthPrefixed(Peek(MapErr(Map(Uint16BE))), Map(Rest))", 20, func() fused {
		length := c.Peek(c.MapErr(c.Map(c.Uint16BE(), widen16), func(v uint64) (uint64, error) {
			if v > 1000 {
				return 0, errTooBig
			}
			return v + 2, nil
		}))
		return fuse(c.LengthPrefixed(length, c.Map(c.Rest(), from2)))
	}, []string{"\x00\x03abc", "\x00\x03ab", "\x00\x00", "\x00", "\x00\x12abcdefghijklmnopqr", "\x00\x13abcdefghijklmnopqrs",
		"\x03\xe9abc", "\x00\x01a\x00\x02bc", "\xff\xff"}},
	{"LengthPrefixed(Then(Take, Map(Uint32BE)), Map(Rest))", 32, func() fused {
		length := c.Then(c.Take(2), c.Map(c.Uint32BE(), widen32))
		return fuse(c.LengthPrefixed(length, c.Map(c.Rest(), func(s seq.Sequence) string { return strings.ToUpper(s.String()) })))
	}, []string{"hd\x00\x00\x00\x02ab", "hd\x00\x00\x00\x02a", "hd\x00\x00\x01\x00", "hd\x00\x00\x00\x00"}},
	{"LengthPrefixed(Capped(Uint8), Rest)", 16, func() fused {
		return fuse(c.LengthPrefixed(c.Capped(6, c.Uint8()), c.Rest()))
	}, []string{"", "\x00", "\x05hello", "\x05hell", "\x06hello!", "\x06", "\xff"}},
	{"LengthPrefixed(Capped(Peek(MapErr(Map(Uint16BE)))), Map(Rest))", 20, func() fused {
		length := c.Peek(c.MapErr(c.Map(c.Uint16BE(), widen16), func(v uint64) (uint64, error) {
			if v > 1000 {
				return 0, errTooBig
			}
			return v + 2, nil
		}))
		return fuse(c.LengthPrefixed(c.Capped(12, length), c.Map(c.Rest(), from2)))
	}, []string{"\x00\x03abc", "\x00\x0aabcdefghij", "\x00\x0babcdefghijk", "\x00\x12abc", "\x00\x13", "\x03\xe9abc", "\x00\x01a\x00\x02bc"}},
	{"LengthPrefixed(Capped(Then(Take, Map(Uint32LE))), Map(Rest)), cap over the limit", 12, func() fused {
		length := c.Capped(20, c.Then(c.Take(1), c.Map(c.Uint32LE(), widen32)))
		return fuse(c.LengthPrefixed(length, c.Map(c.Rest(), seq.Sequence.String)))
	}, []string{"h\x02\x00\x00\x00ab", "h\x07\x00\x00\x00abcdefg", "h\x08\x00\x00\x00abcdefgh", "h\x10\x00\x00\x00", "h\x02\x00"}},
	{"Capped(Then(Take, MapErr(Uint16LE)))", 64, func() fused {
		return fuse(c.Capped(6, c.Then(c.Take(1), c.MapErr(c.Uint16LE(), atMost[uint16](0x100)))))
	}, []string{"", "h", "h\x03", "h\x03\x00", "h\x04\x00", "h\x01\x01", "h\xff\xff"}},
	{"Then(Take, Capped(Uint16BE))", 64, func() fused {
		return fuse(c.Then(c.Take(2), c.Capped(5, c.Uint16BE())))
	}, []string{"hd\x00\x03", "hd\x00\x04", "hd\x00", "h"}},
	{"LengthPrefixedBytes(Capped(Uint16BE))", 16, func() fused {
		return fuse(c.LengthPrefixedBytes(c.Capped(8, c.Uint16BE())))
	}, []string{"", "\x00", "\x00\x03abc", "\x00\x06abcdef", "\x00\x07abcdefg", "\x00\x06abc", "\x00\x20"}},
	{"LengthPrefixedBytes(Capped(Peek(Then(Take, Uint8)))), cap over the limit", 8, func() fused {
		return fuse(c.LengthPrefixedBytes(c.Capped(20, c.Peek(c.Then(c.Take(1), c.Map(c.Uint8(), widen8))))))
	}, []string{"h\x03x", "h\x08abcdef", "h\x09abcdefg", "h\x02", "h"}},
	{"Peek(Capped(Uint8))", 64, func() fused {
		return fuse(c.Peek(c.Capped(4, c.Uint8())))
	}, []string{"", "\x03", "\x04", "\x03abc"}},
	{"Bind(Capped(Peek(Map(Uint8))))", 64, func() fused {
		return fuse(c.Bind(c.Capped(4, c.Peek(c.Map(c.Uint8(), widen8))), func(n uint16) parse.TryParse[seq.Sequence] {
			return c.Take(int(n))
		}))
	}, []string{"", "\x04abc", "\x04ab", "\x05abcd", "\x00"}},
	{"Before(Decimal, Literal)", 64, func() fused {
		return fuse(c.Before(c.Decimal[int64](-1, 1<<40, 0), c.Literal("\r\n")))
	}, []string{"12\r\n", "-1\r\n", "-2\r\n", "-\r\n", "\r\n", "1099511627776\r\n", "1099511627777\r\n", "12\r", "12\rx", "007\r\n", "x"}},
	{"Then(Byte, Before(Decimal, Literal))", 64, func() fused {
		return fuse(c.Then(c.Byte('$'), c.Before(c.Decimal[int](-5, 300, 3), c.Literal("\r\n"))))
	}, []string{"$3\r\n", "$-5\r\n", "$-6\r\n", "$301\r\n", "$0300\r\n", "$300\r\n", "$\r\n", "*3\r\n", "$12", "$12\n"}},
	{"Then(Literal, Before(Hex, Literal))", 64, func() fused {
		return fuse(c.Then(c.Literal("0x"), c.Before(c.Hex[uint16](2, 0xfff, 0), c.Literal(";"))))
	}, []string{"0x1f;", "0x1;", "0xFFF;", "0x1000;", "0xg;", "0y1;", "0x", "0x12"}},
	{"Then(Literal, Decimal)", 64, func() fused {
		return fuse(c.Then(c.Literal("n="), c.Decimal[uint8](0, 255, 0)))
	}, []string{"n=255;", "n=256;", "n=12", "n=;", "m=1;"}},
	{"Before(Take, Literal)", 64, func() fused {
		return fuse(c.Before(c.Take(3), c.Literal("\r\n")))
	}, []string{"abc\r\n", "abc\r", "abcd\r\n", "ab", "\r\n\r\n\r\n"}},
	{"Before(Take(MaxInt), Literal)", 64, func() fused {
		return fuse(c.Before(c.Take(math.MaxInt), c.Literal("\r\n")))
	}, []string{"abc\r\n", ""}},
	{"Map(Bind(Then(Byte, Before(Decimal, Literal))))", 64, func() fused {
		length := c.Then(c.Byte('$'), c.Before(c.Decimal[int64](-1, 1<<20, 0), c.Literal("\r\n")))
		return fuse(c.Bind(length, func(n int64) parse.TryParse[string] {
			if n < 0 {
				return c.Literal("")
			}
			return c.Map(c.Before(c.Take(int(n)), c.Literal("\r\n")), seq.Sequence.String)
		}))
	}, []string{"$3\r\nSET\r\n", "$-1\r\n", "$0\r\n\r\n", "$3\r\nSE\r\n", "$70\r\n", "$3\r\nSETX\r\n"}},
	{"TakeLen(Then(Byte, Before(Decimal, Literal)), Literal)", 64, func() fused {
		length := c.Then(c.Byte('$'), c.Before(c.Decimal[int64](-1, 1<<20, 0), c.Literal("\r\n")))
		return fuse(c.TakeLen(length, c.Literal("\r\n"), func(n int64, s seq.Sequence) string {
			if n < 0 {
				return "null"
			}
			return fmt.Sprint(n, ":", s.String())
		}))
	}, []string{"$3\r\nSET\r\n", "$-1\r\n", "$0\r\n\r\n", "$-0\r\n\r\n", "$-2\r\n", "$3\r\nSE\r\n", "$3\r\nSETX\r\n",
		"$70\r\n", "$50\r\n", "$3\n", "$3\r\nSET\n", "*3\r\n", "$1048577\r\n"}},
	{"TakeLen(Tag(Before(Decimal, Literal)), Literal), the tag kept on the slow path", 64, func() fused {
		length := c.Tag(errTooBig, c.Before(c.Decimal[uint64](0, 40, 0), c.Literal("\r\n")))
		return fuse(c.TakeLen(length, c.Literal("\r\n"), func(n uint64, s seq.Sequence) string {
			return fmt.Sprint(n, ":", s.String())
		}))
	}, []string{"3\r\nSET\r\n", "0\r\n\r\n", "-1\r\n", "41\r\n", "40\r\n", "3\n", "x\r\n", "3\r\nSETX\r\n", "3\r\nSE"}},
	{"TakeLen(Then(Byte, Tag(Before(Decimal, Literal))), Literal), unsigned decimal between short literals", 40, func() fused {
		length := c.Then(c.Byte('$'), c.Tag(errTooBig, c.Before(c.Decimal[uint32](2, 30, 0), c.Literal("\r\n"))))
		return fuse(c.TakeLen(length, c.Literal("\r\n"), func(n uint32, s seq.Sequence) string {
			return fmt.Sprint(n, ":", s.String())
		}))
	}, []string{"$3\r\nSET\r\n", "$2\r\nab\r\n", "$30\r\n", "$31\r\n", "$1\r\na\r\n", "$03\r\nabc\r\n", "$3\r\nabcd\r\n",
		"$3\r\nabc\n", "$3\n", "$\r\n", "+3\r\n", "$12\r\n0123456789ab\r\n", "$0000000000000000000003\r\nabc\r\n", "$25\r\n0123456789012345678901234\r\n"}},
	{"Then(Byte, Tag(Before(Decimal, Literal)))", 64, func() fused {
		return fuse(c.Then(c.Byte('*'), c.Tag(errTooBig, c.Before(c.Decimal[int](0, 300, 0), c.Literal("\r\n")))))
	}, []string{"*3\r\n", "*301\r\n", "*-1\r\n", "*3\n", "*\r\n", "$3\r\n", "*12"}},
	{"Counted(Dispatch of Then(Byte, Dispatch)), chosen by two bytes", 64, func() fused {
		inner := c.Dispatch(map[byte]parse.TryParse[string]{
			'-': c.Map(c.Literal("-1\r\n"), func(string) string { return "null" }),
			'?': c.Map(c.Literal("?\r\n"), func(string) string { return "streamed" }),
		}, c.TakeLen(c.Before(c.Decimal[int](0, 20, 0), c.Literal("\r\n")), c.Literal("\r\n"), func(_ int, s seq.Sequence) string {
			return s.String()
		}))
		value := c.Dispatch(map[byte]parse.TryParse[string]{
			'$': c.Then(c.Byte('$'), inner),
			'+': c.Map(c.Literal("+OK\r\n"), func(string) string { return "ok" }),
		}, nil)
		count := c.Then(c.Byte('*'), c.Before(c.Decimal[int](0, 5, 0), c.Literal("\r\n")))
		return fuse(c.Map(c.Counted(count, value), func(vs []string) string { return strings.Join(vs, ",") }))
	}, []string{"*2\r\n$3\r\nabc\r\n$-1\r\n", "*1\r\n$?\r\n", "*1\r\n$x\r\n", "*1\r\n$-2\r\n", "*3\r\n+OK\r\n$0\r\n\r\n$21\r\n",
		"*1\r\n$", "*1\r\n%", "*2\r\n$3\r\nab", "*1\r\n+OK\r\n"}},
	{"TakeLen(Before(Hex, Literal), nil), a netstring without its comma", 32, func() fused {
		return fuse(c.TakeLen(c.Before(c.Hex[uint32](0, 0xffff, 0), c.Literal(":")), parse.TryParse[string](nil), func(n uint32, s seq.Sequence) string {
			return fmt.Sprint(n, "=", s.String())
		}))
	}, []string{"3:abc", "0:", "a:0123456789", "1f:", "20:", "3abc", "g:", "3:ab"}},
	{"TakeLen(Then(Literal, Decimal), Then(Literal, Byte))", 64, func() fused {
		return fuse(c.TakeLen(c.Then(c.Literal("n="), c.Decimal[int](-5, 40, 0)), c.Then(c.Literal(","), c.Byte(';')), func(n int, s seq.Sequence) string {
			return fmt.Sprint(n, "/", s.String())
		}))
	}, []string{"n=3abc,;", "n=-3", "n=0,;", "n=3ab,;", "n=3abc;", "n=3abc,", "n=41", "n=", "m=1x,;"}},
	{"Then(Byte, Dispatch)", 64, func() fused {
		neg := c.Map(c.Before(c.Decimal[int](-1, 9, 0), c.Literal("\r\n")), func(n int) string { return fmt.Sprint("neg", n) })
		count := c.Map(c.Before(c.Decimal[int](0, 9, 0), c.Literal("\r\n")), func(n int) string { return fmt.Sprint("count", n) })
		return fuse(c.Then(c.Byte('*'), c.Dispatch(map[byte]parse.TryParse[string]{'-': neg, '0': count, '1': count}, nil)))
	}, []string{"*1\r\n", "*-1\r\n", "*0\r\n", "*2\r\n", "*", "*-", "*-2\r\n", "*1\n", "+1\r\n", "*1"}},
	{"Then(Literal, Dispatch with a default)", 64, func() fused {
		word := c.Map(c.TakeIn("abc", 1, 3), seq.Sequence.String)
		digit := c.Map(c.Then(c.Byte('7'), c.Literal("!")), func(string) string { return "seven" })
		// A case that backtracks and then fails nearer: the fused Then
		// applies the furthest-failure rule to its error.
		opt := c.Opt(c.Then(c.Byte('!'), c.Literal("zz")))
		bang := func(in *parse.Input) (string, error) {
			if _, err := opt(in); err != nil {
				return "", err
			}
			return "", in.Errorf("bang")
		}
		return fuse(c.Then(c.Literal("k="), c.Dispatch(map[byte]parse.TryParse[string]{'7': digit, '!': bang}, word)))
	}, []string{"k=7!", "k=7?", "k=ab;", "k=abcd", "k=x", "k=", "k", "j=7!", "k=7", "k=!zy", "k=!z"}},
	{"Then(Literal, Literal)", 64, func() fused {
		return fuse(c.Then(c.Literal("OK"), c.Literal("\r\n")))
	}, []string{"", "O", "OK", "OK\r", "OK\r\n", "OK\rx", "OX\r\n", "OK\n"}},
	{"Before(Literal, Byte)", 64, func() fused {
		return fuse(c.Before(c.Literal("END"), c.Byte(0)))
	}, []string{"END\x00", "END", "END\x01", "EN\x00"}},
	{"Then(Byte, Literal)", 64, func() fused {
		return fuse(c.Then(c.Byte('+'), c.Literal("OK")))
	}, []string{"+OK", "+O", "-OK", "+Ok"}},
	{"Then(Literal, Byte)", 64, func() fused {
		return fuse(c.Then(c.Literal("\r\n"), c.Byte('.')))
	}, []string{"\r\n.", "\r\n,", "\r\r."}},
	{"Before(Then(Byte, Literal), Then(Literal, Byte))", 64, func() fused {
		return fuse(c.Before(c.Then(c.Byte('*'), c.Literal("1")), c.Then(c.Literal("\r"), c.Byte('\n'))))
	}, []string{"*1\r\n", "*1\r", "*1\n", "*2\r\n", "*1\r\r"}},
	{"Before(Before(Take, Literal), Byte)", 64, func() fused {
		return fuse(c.Before(c.Before(c.Take(2), c.Literal("\r")), c.Byte('\n')))
	}, []string{"ab\r\n", "ab\r", "ab\n", "a", "ab\r\r"}},
	{"Before(Decimal, Then(Literal, Literal))", 64, func() fused {
		return fuse(c.Before(c.Decimal[int](0, 999, 0), c.Then(c.Literal("\r"), c.Literal("\n"))))
	}, []string{"12\r\n", "12\r", "12", "1000\r\n", "x\r\n"}},
	{"Before(Hex, Dispatch with a literal case)", 64, func() fused {
		// A chunk-size line: the number, then its CRLF or parameters.
		params := c.Then(c.Byte(';'), c.Before(c.TakeWhile("letter", func(b byte) bool { return b >= 'a' && b <= 'z' }, 1, -1), c.Literal("\r\n")))
		end := c.Dispatch(map[byte]parse.TryParse[string]{'\r': c.Literal("\r\n"), ';': c.Map(params, seq.Sequence.String)}, nil)
		return fuse(c.Before(c.Hex[uint64](0, math.MaxUint64, 16), end))
	}, []string{"1a\r\n", "1a\r\nxyz", "0\r\n", "ff;ab\r\n", "1a\r", "1a\rx", "1a", "1a;", "1ax\r\n", "\r\n",
		"12345678901234567\r\n", "ffffffffffffffff\r\n", "1a\n", "A\r\n", "1a\rxxxxxxxxxx", "1a\r\nxxxxxxxxxx", "1a\n\nxxxxxxxxxx"}},
	{"Then(Tag(Literal), Before(Hex, Dispatch with a Tag of a literal case))", 64, func() fused {
		// A chunk-size line after the CRLF that ends a chunk's data, the
		// bare CR named by Tags.
		bareCR := errors.New("bare CR")
		crlf := c.Tag(bareCR, c.Literal("\r\n"))
		params := c.Then(c.Byte(';'), c.Before(c.TakeWhile("letter", func(b byte) bool { return b >= 'a' && b <= 'z' }, 1, -1), crlf))
		end := c.Dispatch(map[byte]parse.TryParse[string]{'\r': crlf, ';': c.Map(params, seq.Sequence.String)}, nil)
		return fuse(c.Then(crlf, c.Before(c.Hex[uint64](0, math.MaxUint64, 16), end)))
	}, []string{"\r\n1a\r\n", "\r\n1a\r\nxyz", "\r\n0\r\n", "\r\nff;ab\r\n", "\r\n1a\r", "\r\n1a\rx", "\rx1a\r\n", "\r\n1a;ab\rx",
		"\r\n12345678901234567\r\n", "\r\n1a\n", "x\r\n", "\r\n1a\rxxxxxxxxxx", "\r\n1a\r\nxxxxxxxxxx"}},
	{"Then(Literal, Before(Decimal, Dispatch of a Map of a literal))", 64, func() fused {
		end := c.Dispatch(map[byte]parse.TryParse[int]{'\n': c.Map(c.Byte('\n'), func(byte) int { return 0 }), ' ': c.Map(c.Then(c.Byte(' '), c.Take(2)), func(seq.Sequence) int { return 1 })}, nil)
		return fuse(c.Then(c.Literal("\r\n"), c.Before(c.Decimal[int](0, 999, 0), end)))
	}, []string{"\r\n12\n", "\r\n12 x\n", "\r\n12 y\n", "\r\n1000\n", "\r\n12", "\r\nx", "\r12\n", "\r\n7\n8", "\r\n7\nxxxxxxxxxx", "\rx7\nxxxxxxxxxx", "\n\r7\nxxxxxxxxxx", "\r\n7xxxxxxxxxxx"}},
	{"Then(Then(Byte, Literal), Decimal)", 64, func() fused {
		return fuse(c.Then(c.Then(c.Byte('$'), c.Literal("n=")), c.Decimal[uint8](0, 255, 0)))
	}, []string{"$n=12;", "$n=", "$m=1;", "$n=256;"}},
	{"Alt(Literal, Literal, Then(Literal, Decimal))", 64, func() fused {
		return fuse(c.Alt(c.Literal("content-length"), c.Literal("content-type"), c.Then(c.Literal("con"), c.Literal("nect"))))
	}, []string{"content-type", "content-length", "connect", "content-xyz", "cont", "conx", "c", "", "x", "content-typ", "content-lengthy"}},
	{"Before(Alt(Commit(Peek(Literal)), Map(Seq2(Byte, Literal))), Byte)", 64, func() fused {
		return fuse(c.Before(c.Alt(c.Commit(c.Peek(c.Literal("ab")), c.Literal("abc")),
			c.Map(c.Seq2(c.Byte('a'), c.Literal("x"), func(byte, string) string { return "ax" }), strings.ToUpper)), c.Byte(';')))
	}, []string{"abc;", "ab;", "ax;", "ay;", "aby;", "a", "b;", "axz"}},
	{"Alt(Then(Literal, Literal))", 64, func() fused {
		return fuse(c.Alt(c.Then(c.Literal("ab"), c.Literal("c"))))
	}, []string{"abc", "ax", "abx", "a"}},
	{"Alt of six, leads past the error table", 64, func() fused {
		return fuse(c.Alt(c.Literal("aa"), c.Literal("ab"), c.Literal("ac"), c.Literal("ad"), c.Literal("ae"), c.Literal("af"), c.Then(c.Byte('a'), c.Literal("g"))))
	}, []string{"aa", "af", "ag", "ah", "a", "b"}},
	{"Alt(Label(Limit(LiteralFold)), Limit(Label(LiteralFold)), Then(LiteralFold, Byte))", 64, func() fused {
		// NATS's verbs: PING and PONG ruled out by their folded bytes
		// before PUB runs, through a Label and a line Limit.
		ping := c.Map(c.Label("PING", c.Limit(16, c.Then(c.LiteralFold("PING"), c.Literal("\r\n")))), strings.ToLower)
		pong := c.Limit(16, c.Label("PONG", c.Then(c.LiteralFold("PONG"), c.Literal("\r\n"))))
		pub := c.Map(c.Then(c.LiteralFold("PUB"), c.Byte(' ')), func(byte) string { return "pub" })
		return fuse(c.Alt(ping, pong, pub))
	}, []string{"PING\r\n", "ping\r\n", "pOnG\r\n", "PUB ", "pub ", "PUX", "PI", "PINGX", "PONG\n", "P", "", "Q"}},
	{"Alt(Limit(Literal), Literal), a Limit shorter than the literal", 64, func() fused {
		return fuse(c.Alt(c.Limit(3, c.Literal("abcdef")), c.Literal("abx")))
	}, []string{"abx", "abcdef", "abcx", "abd", "ab", "x"}},
	{"Seq2(Opt(Literal), Literal)", 64, func() fused {
		return fuse(c.Seq2(c.Opt(c.Literal("-x")), c.Literal("-y"), func(o c.Maybe[string], s string) string { return fmt.Sprint(o.Ok, s) }))
	}, []string{"-x-y", "-y", "-z", "-", "", "x"}},
	{"Opt(Then(Literal, Literal))", 64, func() fused {
		return fuse(c.Opt(c.Then(c.Literal("ab"), c.Literal("cd"))))
	}, []string{"abcd", "abce", "abx", "ax", "x", "a", ""}},
	{"Peek(Uint8)", 64, func() fused {
		return fuse(c.Peek(c.Uint8()))
	}, []string{"", "a", "ab"}},
	{"Bind(Peek(Uint8)), a dispatch on the next byte", 64, func() fused {
		lit, num := c.Map(c.Line(), seq.Sequence.String), c.Map(c.Then(c.Byte(':'), c.Before(c.Decimal[int](0, 99, 0), c.Byte('\n'))), func(n int) string { return fmt.Sprint(n) })
		// A hand-written parser that backtracks and then fails nearer:
		// Bind applies the furthest-failure rule to its error.
		opt := c.Opt(c.Then(c.Byte('!'), c.Literal("zz")))
		bang := func(in *parse.Input) (string, error) {
			if _, err := opt(in); err != nil {
				return "", err
			}
			return "", in.Errorf("bang")
		}
		return fuse(c.Bind(c.Peek(c.Uint8()), func(b uint8) parse.TryParse[string] {
			switch b {
			case ':':
				return num
			case '!':
				return bang
			}
			return lit
		}))
	}, []string{"", ":", ":12\n", ":1x\n", ":100\n", "ab\n", "a", "\n", "!zy", "!z"}},
	{"Seq2(Uint8, Uint16BE)", 64, func() fused {
		return fuse(c.Seq2(c.Uint8(), c.Uint16BE(), func(a uint8, b uint16) string { return fmt.Sprint(a, "/", b) }))
	}, []string{"", "\x01", "\x01\x02", "\x01\x02\x03", "\x01\x02\x03\x04"}},
	{"Seq3(Map(Uint8), MapErr(Uint16LE), Uint32BE)", 64, func() fused {
		return fuse(c.Seq3(c.Map(c.Uint8(), widen8), c.MapErr(c.Uint16LE(), atMost[uint16](0x200)), c.Uint32BE(),
			func(a uint16, b uint64, d uint32) string { return fmt.Sprint(a, "/", b, "/", d) }))
	}, []string{"\x01\x00\x02\x00\x00\x00\x07", "\x01\x01\x02\x00\x00\x00\x07", "\x01\x00\x02\x00\x00", "\x01"}},
	{"Peek(Seq4(Uint8, Then(Take, Map(Uint8)), Uint16LE, Then(Take, Map(Uint64LE))))", 64, func() fused {
		return fuse(c.Peek(c.Seq4(c.Uint8(), c.Then(c.Take(2), c.Map(c.Uint8(), widen8)), c.Uint16LE(),
			c.Then(c.Take(1), c.Map(c.Uint64LE(), func(v uint64) uint64 { return v + 1 })),
			func(a uint8, b uint16, d uint16, e uint64) string { return fmt.Sprint(a, b, d, e) })))
	}, []string{"\x01ab\x02\x03\x00z\x01\x02\x03\x04\x05\x06\x07\x08!", "\x01ab\x02\x03\x00z\x01\x02\x03\x04\x05\x06\x07", "\x01ab"}},
}

// outcome is everything observable about one call of p: its value and the
// cursor, or its error's type, text and fields, and the furthest failure
// the attempt recorded.
func outcome(p parse.TryParse[string], s seq.Sequence, final bool, limit int) string {
	in := parse.NewInput(s, final, limit)
	v, err := p(in)
	out := fmt.Sprintf("%q at %d, err %T %v", v, in.Consumed(), err, err)
	var se *parse.SyntaxError
	if errors.As(err, &se) {
		out += fmt.Sprintf(" (offset %d, msg %q, expected %q, cause %v)", se.Offset, se.Msg, se.Expected, se.Err)
	}
	var ze *parse.SizeError
	if errors.As(err, &ze) {
		out += fmt.Sprintf(" (offset %d, limit %d)", ze.Offset, ze.Limit)
	}
	return out + fmt.Sprintf("; furthest %v", in.Furthest(nil))
}

// TestFusionAgrees runs each fused declaration and the generic composition
// of the same declaration (fusion off) over every segmentation of every
// input, of every prefix of it as final and non-final input, and through
// message readers fed in pieces, and compares everything they return.
func TestFusionAgrees(t *testing.T) {
	for _, tc := range fusionCases {
		t.Run(tc.name, func(t *testing.T) {
			c.SetFusion(false)
			generic := tc.build()
			c.SetFusion(true)
			fusedp := tc.build()
			if strings.Contains(generic.desc, "[fused]") || !strings.Contains(fusedp.desc, "[fused]") {
				t.Fatalf("fusion off:\n%sfusion on:\n%s", generic.desc, fusedp.desc)
			}
			slow, fast := generic.p, fusedp.p
			inputs := append([]string{}, tc.inputs...)
			inputs = append(inputs, strings.Join(tc.inputs, "")) // several messages
			for _, input := range inputs {
				for i := 0; i <= len(input); i++ {
					prefix := []byte(input[:i])
					for _, sg := range segtest.Segmentations(prefix) {
						for _, final := range []bool{true, false} {
							want := outcome(slow, sg.Seq, final, tc.limit)
							if got := outcome(fast, sg.Seq, final, tc.limit); got != want {
								t.Errorf("%q as %s, final %v: fused %s, generic %s", prefix, sg.Name, final, got, want)
							}
						}
					}
				}
				want := readStream(t, slow, pipe.FromBytes([]byte(input)), tc.limit)
				for name, cuts := range chunkings(len(input)) {
					if got := readStream(t, fast, chunked([]byte(input), cuts), tc.limit); !got.equal(want) {
						t.Errorf("%q in %s: fused %v, generic %v", input, name, got, want)
					}
					if got := readStream(t, slow, chunked([]byte(input), cuts), tc.limit); !got.equal(want) {
						t.Errorf("%q in %s: generic %v, whole %v", input, name, got, want)
					}
				}
			}
		})
	}
}

// TestFusionHugeSkip: a field after a Take too long for any span is not
// fused, and the parser asks for the bytes as the generic one does.
func TestFusionHugeSkip(t *testing.T) {
	p := c.Then(c.Take(math.MaxInt), c.Map(c.Uint16BE(), widen16))
	if d := c.Describe(p); strings.HasPrefix(d, "Then [fused]") {
		t.Errorf("fused:\n%s", d)
	}
	got := outcome(erase(p), seq.Of([]byte("abc")), false, 1<<20)
	if !strings.Contains(got, "SizeError") {
		t.Errorf("got %s, want a size error", got)
	}
}

// TestNumberCaseAmbiguous: a Dispatch after a number with two literal
// cases does not say which one ends the number, and is not fused.
func TestNumberCaseAmbiguous(t *testing.T) {
	one := c.Dispatch(map[byte]parse.TryParse[string]{'\r': c.Literal("\r\n"), ';': c.Map(c.Take(1), seq.Sequence.String)}, nil)
	two := c.Dispatch(map[byte]parse.TryParse[string]{'\r': c.Literal("\r\n"), '\n': c.Literal("\n")}, nil)
	if d := c.Describe(c.Before(c.Decimal[int](0, 999, 0), one)); !strings.HasPrefix(d, "Before [fused]") {
		t.Errorf("one literal case:\n%s", d)
	}
	if d := c.Describe(c.Before(c.Decimal[int](0, 999, 0), two)); strings.HasPrefix(d, "Before [fused]") {
		t.Errorf("two literal cases:\n%s", d)
	}
}
