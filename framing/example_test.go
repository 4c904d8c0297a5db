package framing_test

import (
	"context"
	"errors"
	"fmt"
	"io"

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

// Frames with a 2-byte length field, as in Netty's first example: the
// header is stripped, a frame over the maximum is refused from its length.
func ExampleLengthField() {
	o := framing.LengthFieldOptions{Size: 2, Strip: 2, MaxFrame: 16}
	in, _ := framing.AppendLengthField(nil, []byte("HELLO, WORLD"), o)
	in, _ = framing.AppendLengthField(in, nil, o)
	in = append(in, 0x00, 0x20) // declares 32 bytes, none sent
	fmt.Printf("% x\n", in[:4])
	r := parse.NewReader(pipe.FromBytes(in), framing.LengthField(o), parse.Options{})
	defer r.Close()
	for f := range r.All(context.Background()) {
		fmt.Printf("%q\n", f)
	}
	fmt.Println(r.Err())
	// Output:
	// 00 0c 48 45
	// "HELLO, WORLD"
	// ""
	// framing: frame at offset 16 longer than the maximum 16
}

// A header before the length field and one after it, the first header and
// the length stripped, the length counting the whole frame: Netty's last
// example.
func ExampleLengthFieldOptions() {
	o := framing.LengthFieldOptions{Offset: 1, Size: 2, Adjustment: -3, Strip: 3}
	r := parse.NewReader(pipe.FromBytes([]byte("\xca\x00\x10\xfeHELLO, WORLD")), framing.LengthField(o), parse.Options{})
	defer r.Close()
	f, err := r.Next(context.Background())
	fmt.Printf("%q %v\n", f, err)
	// Output: "\xfeHELLO, WORLD" <nil>
}

// The encoder writes the length field that the options read: here a
// 3-byte little-endian length after a 1-byte header.
func ExampleAppendLengthField() {
	o := framing.LengthFieldOptions{Offset: 1, Size: 3, LittleEndian: true}
	b, err := framing.AppendLengthField(nil, []byte("Tping"), o)
	fmt.Printf("%q %v\n", b, err)
	_, err = framing.AppendLengthField(nil, make([]byte, 300), framing.LengthFieldOptions{Size: 1})
	fmt.Println(err)
	// Output:
	// "T\x04\x00\x00ping" <nil>
	// framing: frame cannot be encoded: length field value 300 does not fit in 1 bytes
}

// Messages in protobuf's delimited format (protodelim): a uvarint length,
// then the message.
func ExampleUvarintDelimited() {
	in := framing.AppendUvarintDelimited(nil, []byte("first"))
	in = framing.AppendUvarintDelimited(in, make([]byte, 200))
	in = append(in, 0x80) // a length cut short
	r := parse.NewReader(pipe.FromBytes(in), framing.UvarintDelimited(framing.UvarintOptions{}), parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Println(m.Len(), "bytes")
	}
	fmt.Println(r.Err())
	fmt.Println(errors.Is(r.Err(), io.ErrUnexpectedEOF))
	// Output:
	// 5 bytes
	// 200 bytes
	// parse: input ended inside a message: 1 byte at offset 208: unexpected EOF
	// true
}

// A writer of delimited messages into a pipe, and a reader of them.
func ExampleWriteUvarintDelimited() {
	p := pipe.New(pipe.Options{})
	go func() {
		w := p.Writer()
		for _, m := range []string{"a", "bc", ""} {
			framing.WriteUvarintDelimited(w, []byte(m))
		}
		_, _ = w.Flush(context.Background())
		w.Complete(nil)
	}()
	r := parse.NewReader(p.Reader(), framing.UvarintDelimited(framing.UvarintOptions{}), parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Printf("%q ", m)
	}
	fmt.Println(r.Err())
	// Output: "a" "bc" "" <nil>
}
