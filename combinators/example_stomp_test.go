package combinators_test

import (
	"context"
	"fmt"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Frame is one STOMP-like frame. Command, the headers and Body are views of
// the input: valid until the next frame is read (copy them to keep them).
// A heart-beat is a Frame with an empty Command.
type Frame struct {
	Command seq.Sequence
	Headers []Header // in order, escapes (\n, \c, \\) left as they are
	Body    seq.Sequence
}

// Header is one "key:value" line of a frame.
type Header struct{ Key, Value seq.Sequence }

// maxBody bounds a content-length; the message reader's MaxMessageSize
// bounds the whole frame anyway.
const maxBody = 1 << 30

// head is what comes before the body: the command, the headers and the
// body's length, -1 without a content-length header (the first one wins).
type head struct {
	frame  Frame
	length int
}

// headerLine is a header line, with its value read as a number if it is a
// content-length.
type headerLine struct {
	h      Header
	length int
}

var (
	eol = c.Label("end of line", c.Alt(c.Literal("\n"), c.Literal("\r\n")))

	command = c.Before(c.Label("command", c.TakeIn("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 32)), eol)

	stompHeader = c.Seq3(c.Label("header name", c.TakeNotIn(":\r\n", 1, 256)), c.Byte(':'), c.Line(),
		func(k seq.Sequence, _ byte, v seq.Sequence) Header { return Header{k, v} })

	// A content-length header is a header, read again as a number: once
	// "content-length:" is seen, only digits and the end of the line may
	// follow. Starting with the key lets Alt skip it by the first byte.
	lengthKey   = c.Literal("content-length:")
	lengthField = c.Commit(c.Peek(lengthKey), c.Seq2(c.Peek(stompHeader),
		c.Then(lengthKey, c.Before(c.Decimal[int](0, maxBody, 0), eol)),
		func(h Header, n int) headerLine { return headerLine{h, n} }))
	otherField = c.Map(stompHeader, func(h Header) headerLine { return headerLine{h, -1} })

	frameHead = c.Seq2(command, c.FoldTill(c.Label("header", c.Alt(lengthField, otherField)), eol, 0, 64, head{length: -1}, addField),
		func(cmd seq.Sequence, h head) head { h.frame.Command = cmd; return h })

	// The body: content-length bytes, or without one the bytes up to the
	// first NUL; then the NUL. Sized takes the length the head declared.
	nul   = c.Label("NUL after the body", c.Byte(0))
	frame = c.Before(c.Sized(frameHead, func(h head) int { return h.length }, c.Rest(), c.TakeBefore("\x00"),
		func(h head, body seq.Sequence) Frame { h.frame.Body = body; return h.frame }), nul)

	// A heart-beat is an end of line where a frame would start.
	heartBeat = c.Map(eol, func(string) Frame { return Frame{} })

	stomp = c.Dispatch(map[byte]parse.TryParse[Frame]{'\n': heartBeat, '\r': heartBeat}, frame)
)

func addField(h head, f headerLine) head {
	h.frame.Headers = append(h.frame.Headers, f.h)
	if f.length >= 0 && h.length < 0 {
		h.length = f.length
	}
	return h
}

// Frames read from any pipe.Reader, heart-beats included; a body with a
// content-length may hold NULs.
func Example_stomp() {
	in := "CONNECT\naccept-version:1.2\nhost:example.org\n\n\x00\n" +
		"SEND\r\ndestination:/queue/a\r\ncontent-length:3\r\n\r\na\x00b\x00" +
		"\r\n" +
		"MESSAGE\nsubscription:0\n\nhello\x00"
	r := parse.NewReader(pipe.FromBytes([]byte(in)), stomp, parse.Options{MaxMessageSize: 64 << 10})
	defer r.Close()
	for f := range r.All(context.Background()) {
		if f.Command.IsEmpty() {
			fmt.Println("heart-beat")
			continue
		}
		fmt.Printf("%s", f.Command)
		for _, h := range f.Headers {
			fmt.Printf(" %s=%s", h.Key, h.Value)
		}
		fmt.Printf(" body %q\n", f.Body.String())
	}
	fmt.Println("error:", r.Err())
	// Output:
	// CONNECT accept-version=1.2 host=example.org body ""
	// heart-beat
	// SEND destination=/queue/a content-length=3 body "a\x00b"
	// heart-beat
	// MESSAGE subscription=0 body "hello"
	// error: <nil>
}

// The grammar of the package documentation: a command line, then header
// lines up to a blank line.
func Example() {
	eol := c.Alt(c.Literal("\n"), c.Literal("\r\n"))
	field := c.Seq3(c.TakeNotIn(":\r\n", 1, 256), c.Byte(':'), c.Line(),
		func(k seq.Sequence, _ byte, v seq.Sequence) string { return k.String() + "=" + v.String() })
	request := c.Seq2(c.Before(c.TakeIn("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 16), eol), c.ManyTill(field, eol, 0, 64),
		func(cmd seq.Sequence, fields []string) string { return fmt.Sprint(cmd, fields) })
	r := parse.NewReader(pipe.FromBytes([]byte("GET\r\nkey:a\r\n\r\nSET\nkey:b\nttl:60\n\n")), request,
		parse.Options{MaxMessageSize: 64 << 10})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Println(m)
	}
	fmt.Println("error:", r.Err())
	// Output:
	// GET [key=a]
	// SET [key=b ttl=60]
	// error: <nil>
}
