package combinators_test

import (
	"context"
	"fmt"
	"strings"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Lines terminated by LF or CRLF, read from an io.Reader.
func ExampleLine() {
	src := pipe.NewReader(strings.NewReader("first\r\nsecond\n\nlast\n"), pipe.ReaderOptions{})
	r := parse.NewReader(src, c.Line(), parse.Options{})
	defer r.Close()
	for line := range r.All(context.Background()) {
		fmt.Printf("%q\n", line) // valid until the next message: copy to keep
	}
	if err := r.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// "first"
	// "second"
	// ""
	// "last"
}

type field struct {
	name, value string
}

// Header lines: a name, a colon, and the rest of the line as the value.
func ExampleSeq2() {
	name := c.TakeWhile("header name", func(b byte) bool { return b != ':' && b > ' ' && b < 0x7f }, 1, -1)
	headerLine := c.Seq2(c.Before(name, c.Literal(": ")), c.Line(), func(n, v seq.Sequence) field {
		return field{n.String(), v.String()}
	})
	r := parse.NewReader(pipe.FromBytes([]byte("Host: example.com\r\nAccept: */*\r\nbad line\r\n")), headerLine, parse.Options{})
	defer r.Close()
	for h := range r.All(context.Background()) {
		fmt.Printf("%s = %s\n", h.name, h.value)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// Host = example.com
	// Accept = */*
	// error: parse: at offset 35: expected ": "
}

// Replies whose first byte says what follows. An alternative that could
// still match when more bytes arrive is waited for, never skipped.
func ExampleAlt() {
	text := func(kind string) func(seq.Sequence) string {
		return func(s seq.Sequence) string { return kind + " " + s.String() }
	}
	reply := c.Alt(
		c.Map(c.Then(c.Byte('+'), c.Line()), text("status")),
		c.Map(c.Then(c.Byte('-'), c.Line()), text("error")),
		c.Map(c.Then(c.Byte(':'), c.TakeWhile("digit", func(b byte) bool { return '0' <= b && b <= '9' }, 1, 19)), text("integer")),
	)
	r := parse.NewReader(pipe.FromBytes([]byte("+OK\r\n-ERR unknown\r\n:42?")), reply, parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Println(m)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// status OK
	// error ERR unknown
	// integer 42
	// error: parse: at offset 22: expected '+' or '-' or ':'
}

// A comma-separated list of numbers ended by a semicolon: Many repeats an
// element for as long as it matches.
func ExampleMany() {
	digits := c.TakeWhile("digit", func(b byte) bool { return '0' <= b && b <= '9' }, 1, -1)
	item := c.Before(digits, c.Opt(c.Byte(',')))
	list := c.Before(c.Many(c.Map(item, seq.Sequence.String), 1, -1), c.Byte(';'))
	r := parse.NewReader(pipe.FromBytes([]byte("1,22,333;4;")), list, parse.Options{})
	defer r.Close()
	for items := range r.All(context.Background()) {
		fmt.Println(items)
	}
	if err := r.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// [1 22 333]
	// [4]
}

// Frames with a 2-byte big-endian length. A declared length over the
// maximum message size is refused before any byte of the body is waited
// for.
func ExampleLengthPrefixed() {
	body := c.TakeWhile("any byte", func(byte) bool { return true }, 0, -1)
	frame := c.LengthPrefixed(c.Uint16BE(), body)
	input := []byte("\x00\x05hello\x00\x00\x00\x05world\xff\xff")
	r := parse.NewReader(pipe.FromBytes(input), frame, parse.Options{MaxMessageSize: 1024})
	defer r.Close()
	for f := range r.All(context.Background()) {
		fmt.Printf("%q\n", f)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// "hello"
	// ""
	// "world"
	// error: parse: message at offset 16 exceeds the maximum size of 1024 bytes
}

// Rest takes the whole body of a length-prefixed frame.
func ExampleRest() {
	frame := c.LengthPrefixed(c.Uint8(), c.Rest())
	r := parse.NewReader(pipe.FromBytes([]byte("\x05hello\x03abc")), frame, parse.Options{})
	for body := range r.All(context.Background()) {
		fmt.Println(body.String())
	}
	// Output:
	// hello
	// abc
}
