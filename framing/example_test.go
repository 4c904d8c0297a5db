package framing_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// Lines ended by LF or CRLF, at most 64 KiB each: the zero options.
func ExampleLines() {
	r := parse.NewReader(pipe.FromBytes([]byte("PING\r\nhello world\n\n")), framing.Lines(framing.LineOptions{}), parse.Options{})
	defer r.Close()
	for line := range r.All(context.Background()) {
		fmt.Printf("%q\n", line) // a view: line.String() copies it
	}
	fmt.Println("error:", r.Err())
	// Output:
	// "PING"
	// "hello world"
	// ""
	// error: <nil>
}

// An over-long line is dropped and the stream goes on.
func ExampleLineStream() {
	s := framing.NewLineStream(framing.LineOptions{MaxLength: 8})
	r := parse.NewReader(pipe.FromBytes([]byte("short\nthis line is too long\nnext\n")), s.Parse, parse.Options{})
	defer r.Close()
	for l := range r.All(context.Background()) {
		if l.Skipped {
			fmt.Println("(dropped a piece)")
			continue
		}
		fmt.Printf("%s\n", l.Text)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// short
	// (dropped a piece)
	// (dropped a piece)
	// next
	// error: <nil>
}

// Frames ended by one of several delimiters: at one byte the longest wins.
func ExampleDelimited() {
	g := framing.Delimited(framing.DelimOptions{Delims: []string{"\r", "\r\n", ";"}})
	r := parse.NewReader(pipe.FromBytes([]byte("a\rb\r\nc;")), g, parse.Options{})
	defer r.Close()
	for f := range r.All(context.Background()) {
		fmt.Printf("%q ", f)
	}
	fmt.Println(r.Err())
	// Output: "a" "b" "c" <nil>
}

// Netstrings, encoded and read back; a leading zero is refused.
func ExampleNetstring() {
	in := framing.AppendNetstring(nil, []byte("hello"))
	in = framing.AppendNetstring(in, nil)
	in = append(in, "05:hello,"...)
	fmt.Printf("%s\n", in)
	r := parse.NewReader(pipe.FromBytes(in), framing.Netstring(framing.NetstringOptions{}), parse.Options{})
	defer r.Close()
	for s := range r.All(context.Background()) {
		fmt.Printf("%q\n", s)
	}
	fmt.Println(r.Err())
	// Output:
	// 5:hello,0:,05:hello,
	// "hello"
	// ""
	// parse: at offset 12: expected ':' after the length
}

// Frames of a fixed size.
func ExampleFixed() {
	r := parse.NewReader(pipe.FromBytes([]byte("abcdef")), framing.Fixed(2), parse.Options{})
	defer r.Close()
	for f := range r.All(context.Background()) {
		fmt.Printf("%s ", f)
	}
	fmt.Println(r.Err())
	// Output: ab cd ef <nil>
}

// Encoders append to a []byte or write into a pipe writer's memory.
func ExampleAppendLine() {
	b, err := framing.AppendLine(nil, []byte("GET /"), framing.EndCRLF)
	fmt.Printf("%q %v\n", b, err)
	_, err = framing.AppendLine(nil, []byte("two\nlines"), framing.EndLF)
	fmt.Println(err)
	// Output:
	// "GET /\r\n" <nil>
	// framing: frame cannot be encoded
}
