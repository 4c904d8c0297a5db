// Package stomp frames STOMP 1.2: the frames a client and a broker
// exchange, read with [Frames] and written with [Append] or [Encode].
//
// Wire layout: a command line, header lines "name:value", a blank line, a
// body and a NUL. Lines end with LF or CRLF. The body is exactly
// content-length bytes when that header is present (it may then hold
// NULs), and the bytes up to the first NUL otherwise. Ends of line between
// frames are heart-beats: each is a [Frame] with an empty Command.
//
// Header escaping: in every frame but CONNECT, CONNECTED and STOMP (which
// STOMP 1.2 leaves unescaped for STOMP 1.0's sake) a backslash in a header
// starts one of the escapes \r, \n, \c (a colon) and \\; any other is
// refused as a syntax error at the byte after the backslash. Headers are
// delivered as on the wire: [Unescape] decodes a name or value. When a
// header is repeated, the first occurrence is the one that counts
// ([Frame.Header], and the content-length that sizes the body).
//
// Limits, on by default ([DefaultLimits]): 1 MiB of body (declared by
// content-length or up to the NUL), 128 headers, header lines of at most
// 8 KiB, a command of at most 64 bytes. A content-length over the limit is
// refused as soon as its header is read, before the body is waited for.
// Bodies are delivered whole within the limit.
//
// Lifetimes: a Frame's sequences view the reader's buffer and are valid
// until the next frame is read; Headers is a slice the frame owns.
package stomp

import (
	"errors"
	"fmt"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Frame is one STOMP frame; a heart-beat is a Frame with an empty Command.
type Frame struct {
	Command seq.Sequence
	Headers []Header // in order, escapes left as they are
	Body    seq.Sequence
}

// Header is one header line, name and value as on the wire.
type Header struct{ Name, Value seq.Sequence }

// IsHeartBeat reports whether f is a heart-beat (an end of line between
// frames).
func (f Frame) IsHeartBeat() bool { return f.Command.IsEmpty() }

// Escaped reports whether f's headers use STOMP 1.2's escapes: every
// frame but CONNECT, CONNECTED and STOMP.
func (f Frame) Escaped() bool { return !unescapedCommand(f.Command) }

// Header returns the value of the first header whose name, as on the
// wire, is name, and whether there is one.
func (f Frame) Header(name string) (seq.Sequence, bool) {
	for _, h := range f.Headers {
		if h.Name.Equal([]byte(name)) {
			return h.Value, true
		}
	}
	return seq.Sequence{}, false
}

func unescapedCommand(cmd seq.Sequence) bool {
	return cmd.Equal([]byte("CONNECT")) || cmd.Equal([]byte("CONNECTED")) || cmd.Equal([]byte("STOMP"))
}

// Limits bounds what [Frames] accepts. A zero field means its default.
type Limits struct {
	MaxBody       int // body bytes; default 1 MiB
	MaxHeaders    int // header lines per frame; default 128
	MaxHeaderLine int // bytes of one header line, its end included; default 8 KiB
}

// DefaultLimits are the limits of a zero Limits.
var DefaultLimits = Limits{MaxBody: 1 << 20, MaxHeaders: 128, MaxHeaderLine: 8 << 10}

// maxCommand bounds a command line's name; the longest STOMP command,
// UNSUBSCRIBE, has 11 bytes.
const maxCommand = 64

func (l Limits) orDefault() Limits {
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultLimits.MaxBody
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultLimits.MaxHeaders
	}
	if l.MaxHeaderLine <= 0 {
		l.MaxHeaderLine = DefaultLimits.MaxHeaderLine
	}
	return l
}

// MessageSize is the maximum message size to give the message reader
// (parse.Options.MaxMessageSize) of [Frames] with these limits: the
// largest head and body.
func (l Limits) MessageSize() int {
	l = l.orDefault()
	return maxCommand + 2 + l.MaxHeaders*l.MaxHeaderLine + 2 + l.MaxBody + 1
}

// ErrBodySize is the error of a content-length over Limits.MaxBody, the
// Err of a *parse.SyntaxError at the header's value (wrapped in a
// *combinators.CommittedError: errors.Is and errors.As see through it).
var ErrBodySize = errors.New("stomp: content-length over the maximum body size")

// head is what comes before the body: the command, the headers and the
// body's length, -1 without a content-length header.
type head struct {
	f      Frame
	length int
}

// field is a header line, with its value read as a number if it is a
// content-length.
type field struct {
	h      Header
	length int
}

func addField(h head, f field) head {
	h.f.Headers = append(h.f.Headers, f.h)
	if f.length >= 0 && h.length < 0 {
		h.length = f.length
	}
	return h
}

var (
	eol = c.Label("end of line", c.Alt(c.Literal("\n"), c.Literal("\r\n")))
	// An escape: a backslash and one of r, n, c, \.
	escape = c.Then(c.Byte('\\'), c.Label(`escape (\r, \n, \c or \\)`, c.OneOf(`rnc\`)))
)

// escaped is a run of bytes not in stop where a backslash must start an
// escape, checked escape by escape as the bytes arrive and handed on as
// the bytes it consumed (Recognize). A bad escape is reported where it is
// in every chunking: a view of the whole run first would wait for the
// run's end, and a run longer than the header line's limit would be
// refused as too large when the bytes arrive in pieces but as a bad escape
// when they are all there (FuzzFrames found it).
func escaped(stop string, min int) parse.TryParse[seq.Sequence] {
	plain := c.TakeNotIn(stop+`\`, 1, -1)
	check := c.Fold(c.Alt(plain, c.Map(escape, func(byte) seq.Sequence { return seq.Sequence{} })), min, -1, 0,
		func(n int, _ seq.Sequence) int { return n + 1 })
	return c.Map(c.Recognize(check), func(r c.Recognized[int]) seq.Sequence { return r.Bytes })
}

// newFrames declares the grammar for the limits l.
func newFrames(l Limits) parse.TryParse[Frame] {
	l = l.orDefault()
	command := c.Before(c.Label("command", c.TakeIn("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, maxCommand)), eol)
	length := c.MapErr(c.Decimal[int](0, math.MaxInt>>1, 0), func(n int) (int, error) {
		if n > l.MaxBody {
			return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrBodySize, n, l.MaxBody)
		}
		return n, nil
	})
	headers := func(name, value parse.TryParse[seq.Sequence]) parse.TryParse[head] {
		header := c.Seq3(c.Label("header name", name), c.Byte(':'), c.Before(value, eol),
			func(k seq.Sequence, _ byte, v seq.Sequence) Header { return Header{k, v} })
		// A content-length header is a header whose value is read first as
		// a number: once "content-length:" is seen, only digits and the
		// end of the line may follow, and a bad or oversized number is
		// reported where it is, before the header's own run (whose search
		// for the end of the value would note a failure further on).
		key := c.Literal("content-length:")
		lengthField := c.Commit(c.Peek(key), c.Seq2(c.Peek(c.Then(key, c.Before(length, eol))), header,
			func(n int, h Header) field { return field{h, n} }))
		other := c.Map(header, func(h Header) field { return field{h, -1} })
		return c.FoldTill(c.Limit(l.MaxHeaderLine, c.Label("header", c.Alt(lengthField, other))), eol, 0, l.MaxHeaders,
			head{length: -1}, addField)
	}
	raw := c.Seq2(command, headers(c.TakeNotIn(":\r\n", 1, -1), c.TakeNotIn("\r\n", 0, -1)),
		func(cmd seq.Sequence, h head) head { h.f.Command = cmd; return h })
	esc := c.Seq2(command, headers(escaped(":\r\n", 1), escaped(":\r\n", 0)),
		func(cmd seq.Sequence, h head) head { h.f.Command = cmd; return h })
	frameHead := c.Bind(c.Peek(command), func(cmd seq.Sequence) parse.TryParse[head] {
		if unescapedCommand(cmd) {
			return raw
		}
		return esc
	})
	nul := c.Label("NUL after the body", c.Byte(0))
	frame := c.Before(c.Sized(frameHead, func(h head) int { return h.length }, c.Rest(), c.Limit(l.MaxBody, c.TakeBefore("\x00")),
		func(h head, body seq.Sequence) Frame { h.f.Body = body; return h.f }), nul)
	heartBeat := c.Map(eol, func(string) Frame { return Frame{} })
	return c.Label("frame", c.Dispatch(map[byte]parse.TryParse[Frame]{'\n': heartBeat, '\r': heartBeat}, frame))
}

var defaultFrames = newFrames(Limits{})

// Frames returns the grammar of STOMP 1.2 frames (both directions use the
// same one) with the limits l, a zero Limits meaning [DefaultLimits].
// Declare it once and share it; read it with a message reader whose
// maximum message size is l.MessageSize() or smaller:
//
//	r := parse.NewReader(src, stomp.Frames(l), parse.Options{MaxMessageSize: l.MessageSize()})
func Frames(l Limits) parse.TryParse[Frame] {
	if l.orDefault() == DefaultLimits {
		return defaultFrames
	}
	return newFrames(l)
}
