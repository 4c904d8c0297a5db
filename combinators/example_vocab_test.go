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
