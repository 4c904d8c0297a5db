package combinators_test

import (
	"context"
	"fmt"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// A sign, read with a byte set.
func ExampleOneOf() {
	signed := c.Seq2(c.OneOf("+-"), c.TakeIn("0123456789", 1, -1), func(sign byte, digits seq.Sequence) string {
		return string(sign) + digits.String()
	})
	r := parse.NewReader(pipe.FromBytes([]byte("+12-3*4")), signed, parse.Options{})
	defer r.Close()
	for v := range r.All(context.Background()) {
		fmt.Println(v)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// +12
	// -3
	// error: parse: at offset 5: expected one of "+-"
}

// The text of a line, up to CR or LF, with a run of a set's complement.
func ExampleTakeNotIn() {
	line := c.Before(c.TakeNotIn("\r\n", 0, 80), c.Literal("\r\n"))
	r := parse.NewReader(pipe.FromBytes([]byte("OK\r\n\r\nbare LF\n")), line, parse.Options{})
	defer r.Close()
	for l := range r.All(context.Background()) {
		fmt.Printf("%q\n", l)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// "OK"
	// ""
	// error: parse: at offset 13: expected "\r\n"
}

// RESP integers, ":<int64>\r\n". A number past its type's range is an
// error at its first byte, found without reading the rest of it.
func ExampleDecimal() {
	integer := c.Then(c.Byte(':'), c.Before(c.Decimal[int64](math.MinInt64, math.MaxInt64, 0), c.Literal("\r\n")))
	r := parse.NewReader(pipe.FromBytes([]byte(":42\r\n:-7\r\n:92233720368547758070\r\n")), integer, parse.Options{})
	defer r.Close()
	for n := range r.All(context.Background()) {
		fmt.Println(n)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// 42
	// -7
	// error: parse: at offset 11: number above the maximum 9223372036854775807: combinators: number out of range
}

// HTTP chunk sizes: hex digits of either case, at most 16 of them.
func ExampleHex() {
	size := c.Before(c.Hex[uint64](0, math.MaxUint64, 16), c.Literal("\r\n"))
	r := parse.NewReader(pipe.FromBytes([]byte("1A\r\nff\r\n0\r\n")), size, parse.Options{})
	defer r.Close()
	for n := range r.All(context.Background()) {
		fmt.Println(n)
	}
	// Output:
	// 26
	// 255
	// 0
}

// Headers until an empty line: the repetition ends at its terminator, and
// input that ends before it is a truncation, not a short list.
func ExampleManyTill() {
	header := c.Seq2(c.Before(c.TakeNotIn(":\n", 1, -1), c.Byte(':')), c.TakeUntil("\n"), pair)
	headers := c.ManyTill(header, c.Byte('\n'), 0, 32)
	r := parse.NewReader(pipe.FromBytes([]byte("a:1\nb:2\n\n\nc:3\n")), headers, parse.Options{})
	defer r.Close()
	for hs := range r.All(context.Background()) {
		fmt.Println(hs)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// [a|1 b|2]
	// []
	// error: parse: input ended inside a message: 4 bytes at offset 10: unexpected EOF
}

// A reply whose first byte chooses its parser: one table lookup instead of
// trying alternatives in turn.
func ExampleDispatch() {
	line := c.Line()
	reply := c.Dispatch(map[byte]parse.TryParse[string]{
		'+': c.Map(c.Then(c.Byte('+'), line), func(s seq.Sequence) string { return "status " + s.String() }),
		'-': c.Map(c.Then(c.Byte('-'), line), func(s seq.Sequence) string { return "error " + s.String() }),
		':': c.Map(c.Then(c.Byte(':'), c.Before(c.Decimal[int64](math.MinInt64, math.MaxInt64, 0), c.Literal("\r\n"))),
			func(n int64) string { return fmt.Sprint("integer ", n) }),
	}, nil)
	r := parse.NewReader(pipe.FromBytes([]byte("+OK\r\n:42\r\n-ERR no\r\n?\r\n")), reply, parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Println(m)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// status OK
	// integer 42
	// error ERR no
	// error: parse: at offset 19: expected '+' or '-' or ':'
}

// A version number that selects the layout of what follows.
func ExampleSwitch() {
	v1 := c.Map(c.Take(2), func(s seq.Sequence) string { return "v1 " + s.String() })
	v2 := c.Map(c.Seq2(c.Take(2), c.Take(2), pair), func(s string) string { return "v2 " + s })
	msg := c.Switch(c.Before(c.Decimal[int](0, 9, 1), c.Byte(' ')), map[int]parse.TryParse[string]{1: v1, 2: v2}, nil)
	r := parse.NewReader(pipe.FromBytes([]byte("1 ab2 abcd3 xy")), msg, parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Println(m)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// v1 ab
	// v2 ab|cd
	// error: parse: at offset 10: expected 1 or 2
}

// Nested lists, "[" *value "]", declared once with Fix and bounded in
// depth.
func ExampleFix() {
	value := c.Fix(3, func(self parse.TryParse[int]) parse.TryParse[int] {
		list := c.Then(c.Byte('['), c.FoldTill(self, c.Byte(']'), 0, -1, 0, func(n, _ int) int { return n + 1 }))
		return c.Dispatch(map[byte]parse.TryParse[int]{
			'x': c.Map(c.Byte('x'), func(byte) int { return 1 }),
			'[': list,
		}, nil)
	})
	r := parse.NewReader(pipe.FromBytes([]byte("[x[x]x][[[x]]]")), value, parse.Options{})
	defer r.Close()
	for n := range r.All(context.Background()) {
		fmt.Println(n, "elements")
	}
	fmt.Println("error:", r.Err())
	// Output:
	// 3 elements
	// error: parse: at offset 10: nesting deeper than 3 levels: combinators: nesting too deep
}

// RESP-style arrays of letters: the count read first says how many
// elements follow, and a count past the maximum message size is refused
// before any element is waited for.
func ExampleCounted() {
	count := c.Then(c.Byte('*'), c.Before(c.Decimal[uint64](0, math.MaxUint32, 0), c.Literal("\r\n")))
	array := c.Counted(count, c.OneOf("abc"))
	r := parse.NewReader(pipe.FromBytes([]byte("*3\r\nabc*0\r\n*99999\r\na")), array, parse.Options{MaxMessageSize: 1024})
	defer r.Close()
	for a := range r.All(context.Background()) {
		fmt.Println(len(a), "elements")
	}
	fmt.Println("error:", r.Err())
	// Output:
	// 3 elements
	// 0 elements
	// error: parse: message at offset 11 exceeds the maximum size of 1024 bytes
}

// Requests recognised by their method: once "GET " has matched, a bad path
// is reported where it is, not as a failure of the other alternatives at
// the start of the line.
func ExampleCommit() {
	path := c.Before(c.TakeNotIn(" \r\n%", 1, -1), c.Literal("\r\n"))
	get := c.Map(c.Commit(c.Literal("GET "), path), func(p seq.Sequence) string { return "get " + p.String() })
	ping := c.Map(c.Literal("PING\r\n"), func(string) string { return "ping" })
	req := c.Alt(get, ping)
	r := parse.NewReader(pipe.FromBytes([]byte("GET /a\r\nPING\r\nGET /%zz\r\n")), req, parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Println(m)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// get /a
	// ping
	// error: parse: at offset 19: expected "\r\n"
}
