// Package nats frames the NATS client protocol: the text protocol a NATS
// client and nats-server speak over one TCP connection.
//
// Both directions are decoded: [FromClient] reads what a client sends
// (CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG), as a server does;
// [FromServer] reads what a server sends (INFO, MSG, HMSG, PING, PONG, +OK,
// -ERR), as a client does. [Append] and [Encode] write any [Message] back.
//
// Wire layout: a control line, a verb in any case (as nats-server accepts
// it) and its arguments separated by spaces or tabs, ended by CRLF (a bare
// LF is accepted, as nats-server accepts it); PUB, HPUB, MSG and HMSG then
// carry the number of payload bytes the control line declared, followed by
// CRLF. HPUB and HMSG declare the length of a header block ("NATS/1.0"
// lines and a blank line) at the start of the payload.
//
// Limits, on by default ([DefaultLimits]): a control line of at most 4 KiB
// (nats-server's MAX_CONTROL_LINE_SIZE) and a payload of at most 1 MiB
// (nats-server's default max_payload). A payload declared over the limit is
// refused ([ErrMaxPayload]) as soon as its control line is read, before
// any payload byte is waited for. Payloads are delivered whole: the limit
// bounds the memory a message needs, as max_payload does in nats-server.
//
// Lifetimes: the sequences of a [Message] view the reader's buffer and are
// valid until the next message is read; copy them (String, Bytes) to keep
// them.
package nats

import (
	"errors"
	"fmt"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Op is the kind of a message, named after its verb.
type Op uint8

// The operations of the protocol.
const (
	OpInfo    Op = iota + 1 // INFO {json}: server to client
	OpConnect               // CONNECT {json}: client to server
	OpPub                   // PUB subject [reply] #bytes: client to server
	OpHPub                  // HPUB subject [reply] #header #total: client to server
	OpSub                   // SUB subject [queue] sid: client to server
	OpUnsub                 // UNSUB sid [max]: client to server
	OpMsg                   // MSG subject sid [reply] #bytes: server to client
	OpHMsg                  // HMSG subject sid [reply] #header #total: server to client
	OpPing                  // PING: either way
	OpPong                  // PONG: either way
	OpOK                    // +OK: server to client (verbose mode)
	OpErr                   // -ERR 'message': server to client
)

var opNames = [...]string{OpInfo: "INFO", OpConnect: "CONNECT", OpPub: "PUB", OpHPub: "HPUB", OpSub: "SUB",
	OpUnsub: "UNSUB", OpMsg: "MSG", OpHMsg: "HMSG", OpPing: "PING", OpPong: "PONG", OpOK: "+OK", OpErr: "-ERR"}

// String returns the verb of o, upper case.
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Message is one message of either direction. Which fields are set
// depends on Op; the others are empty. Every sequence views the input
// and is valid until the next message is read.
type Message struct {
	Op      Op
	Subject seq.Sequence // PUB, HPUB, SUB, MSG, HMSG
	Reply   seq.Sequence // PUB, HPUB, MSG, HMSG: the reply subject, empty without one
	Queue   seq.Sequence // SUB: the queue group, empty without one
	SID     seq.Sequence // SUB, UNSUB, MSG, HMSG: the subscription id
	Max     uint64       // UNSUB: the number of messages after which to unsubscribe; 0 without
	Header  seq.Sequence // HPUB, HMSG: the header block, "NATS/1.0" through its blank line
	Payload seq.Sequence // PUB, HPUB, MSG, HMSG: the payload after the header block
	// Args is the rest of the control line of INFO and CONNECT (the JSON
	// object, not checked) and of -ERR (the message, quotes included).
	Args seq.Sequence
}

// Limits bounds what a decoder accepts.
type Limits struct {
	// MaxControlLine bounds a control line, verb and line end included.
	// Zero means 4096, nats-server's MAX_CONTROL_LINE_SIZE.
	MaxControlLine int
	// MaxPayload bounds the bytes a PUB, HPUB, MSG or HMSG declares
	// (header block included). Zero means 1 MiB, nats-server's default
	// max_payload.
	MaxPayload int
}

// DefaultLimits are the limits of a zero Limits: nats-server's defaults.
var DefaultLimits = Limits{MaxControlLine: 4096, MaxPayload: 1 << 20}

func (l Limits) orDefault() Limits {
	if l.MaxControlLine <= 0 {
		l.MaxControlLine = DefaultLimits.MaxControlLine
	}
	if l.MaxPayload <= 0 {
		l.MaxPayload = DefaultLimits.MaxPayload
	}
	return l
}

// MessageSize is the maximum message size to give the message reader
// (parse.Options.MaxMessageSize) of a decoder with these limits: a control
// line, the largest payload and its CRLF.
func (l Limits) MessageSize() int {
	l = l.orDefault()
	return l.MaxControlLine + l.MaxPayload + 2
}

// ErrMaxPayload is the error of a PUB, HPUB, MSG or HMSG that declares a
// payload over Limits.MaxPayload ("Maximum Payload Violation" in
// nats-server), wrapped in a [*HeadError] that also matches
// parse.ErrTooLarge.
var ErrMaxPayload = errors.New("nats: maximum payload exceeded")

// ErrHeaderSize is the error of an HPUB or HMSG whose header block is
// declared longer than its total size, wrapped in a [*HeadError].
var ErrHeaderSize = errors.New("nats: header size over the total size")

// A HeadError is a control line that is well formed but declares sizes
// the decoder refuses. It is returned as soon as the control line has
// been read, before any payload byte is waited for. errors.Is(err,
// ErrMaxPayload) and errors.Is(err, ErrHeaderSize) tell the two apart.
type HeadError struct {
	// Offset is the stream offset of the control line's first byte.
	Offset int64
	// Err is ErrMaxPayload or ErrHeaderSize, with the sizes.
	Err error
}

// Error names the problem and the offset of the control line.
func (e *HeadError) Error() string {
	return fmt.Sprintf("%v (control line at offset %d)", e.Err, e.Offset)
}

// Unwrap returns Err.
func (e *HeadError) Unwrap() error { return e.Err }

// Is reports that a payload over the limit is also a message too large
// (parse.ErrTooLarge): a size error, which no alternative of a grammar
// backtracks from.
func (e *HeadError) Is(target error) bool {
	return target == parse.ErrTooLarge && errors.Is(e.Err, ErrMaxPayload)
}

// head is a control line: the message without its payload, and the
// lengths it declared (hdr -1 without a header block).
type head struct {
	m         Message
	hdr, size int
}

// sizes are the numbers at the end of a control line that declares a
// payload, with the reply subject before them if there is one.
type sizes struct {
	reply     seq.Sequence
	hdr, size int
}

// grammar holds the parsers of one set of limits.
type grammar struct {
	fromClient, fromServer parse.TryParse[Message]
}

var (
	ws    = c.Label("space", c.TakeIn(" \t", 1, -1))
	token = c.Label("argument", c.TakeNotIn(" \t\r\n", 1, -1))
	eol   = c.Then(c.TakeIn(" \t", 0, -1), c.Label("end of line", c.Alt(c.Literal("\r\n"), c.Literal("\n"))))
	arg   = c.Then(ws, token)
	num   = c.Then(ws, c.Label("number", c.Decimal[int](0, math.MaxInt, 0)))
	crlf  = c.Label("CRLF after the payload", c.Literal("\r\n"))

	digits = c.Label("number", c.Decimal[int](0, math.MaxInt, 0))

	// " [reply] #bytes": the common form without a reply first, so that a
	// reply subject that does not start with a digit is ruled out by its
	// first byte, and the common PUB costs no failed alternative.
	pubSizes = c.Then(ws, c.Alt(
		c.Seq2(digits, eol, func(n int, _ string) sizes { return sizes{seq.Sequence{}, -1, n} }),
		c.Seq3(token, num, eol, func(r seq.Sequence, n int, _ string) sizes { return sizes{r, -1, n} })))
	// " [reply] #header #total"
	hpubSizes = c.Then(ws, c.Alt(
		c.Seq3(digits, num, eol, func(h, n int, _ string) sizes { return sizes{seq.Sequence{}, h, n} }),
		c.Seq4(token, num, num, eol, func(r seq.Sequence, h, n int, _ string) sizes { return sizes{r, h, n} })))
)

// verb is the verb v in any case; a verb with arguments is followed by
// a space.
func verb(v string) parse.TryParse[string] { return c.Label(v, c.LiteralFold(v)) }

// newGrammar declares the parsers for the limits l.
func newGrammar(l Limits) grammar {
	l = l.orDefault()
	check := func(h head) error {
		if h.size > l.MaxPayload {
			return fmt.Errorf("%w: %d bytes declared, at most %d", ErrMaxPayload, h.size, l.MaxPayload)
		}
		if h.hdr > h.size {
			return fmt.Errorf("%w: %d header bytes in %d", ErrHeaderSize, h.hdr, h.size)
		}
		return nil
	}
	// A control line whose sizes check rejects is refused with a
	// *HeadError, through Check rather than MapErr: MapErr's rejection is
	// a syntax error at the element's first byte, and "the furthest
	// failure wins" would then prefer what the alternatives of the
	// optional reply subject expected further on (after "PUB s 2000000"
	// the branch with a reply expected a space). A *HeadError is not a
	// syntax error and passes as it is; one for the payload limit matches
	// parse.ErrTooLarge, so that the Alt of PUB, PING and PONG does not
	// backtrack from it either.
	control := func(p parse.TryParse[head]) parse.TryParse[head] {
		return c.Check(c.Limit(l.MaxControlLine, p), func(off int64, h head) error {
			if err := check(h); err != nil {
				return &HeadError{Offset: off, Err: err}
			}
			return nil
		})
	}
	withPayload := func(p parse.TryParse[head]) parse.TryParse[Message] {
		return c.Before(c.Sized(control(p), func(h head) int { return h.size }, c.Rest(), nil,
			func(h head, body seq.Sequence) Message {
				if h.hdr >= 0 {
					h.m.Header, body = body.Slice(0, h.hdr), body.From(h.hdr)
				}
				h.m.Payload = body
				return h.m
			}), crlf)
	}
	bare := func(op Op) parse.TryParse[Message] {
		return c.Map(c.Limit(l.MaxControlLine, c.Then(verb(op.String()), eol)), func(string) Message { return Message{Op: op} })
	}
	line := func(op Op) parse.TryParse[Message] {
		return c.Map(c.Limit(l.MaxControlLine, c.Then(verb(op.String()), c.Then(ws, c.Line()))),
			func(a seq.Sequence) Message { return Message{Op: op, Args: a} })
	}

	pub := withPayload(c.Then(verb("PUB"), c.Seq2(arg, pubSizes, func(s seq.Sequence, z sizes) head {
		return head{Message{Op: OpPub, Subject: s, Reply: z.reply}, -1, z.size}
	})))
	hpub := withPayload(c.Then(verb("HPUB"), c.Seq2(arg, hpubSizes, func(s seq.Sequence, z sizes) head {
		return head{Message{Op: OpHPub, Subject: s, Reply: z.reply}, z.hdr, z.size}
	})))
	msg := withPayload(c.Then(verb("MSG"), c.Seq3(arg, arg, pubSizes, func(s, sid seq.Sequence, z sizes) head {
		return head{Message{Op: OpMsg, Subject: s, SID: sid, Reply: z.reply}, -1, z.size}
	})))
	hmsg := withPayload(c.Then(verb("HMSG"), c.Seq3(arg, arg, hpubSizes, func(s, sid seq.Sequence, z sizes) head {
		return head{Message{Op: OpHMsg, Subject: s, SID: sid, Reply: z.reply}, z.hdr, z.size}
	})))
	sub := c.Map(control(c.Then(verb("SUB"), c.Seq2(arg, c.Alt(
		c.Before(c.Map(arg, func(sid seq.Sequence) [2]seq.Sequence { return [2]seq.Sequence{{}, sid} }), eol),
		c.Seq3(arg, arg, eol, func(q, sid seq.Sequence, _ string) [2]seq.Sequence { return [2]seq.Sequence{q, sid} })),
		func(s seq.Sequence, qs [2]seq.Sequence) head {
			return head{Message{Op: OpSub, Subject: s, Queue: qs[0], SID: qs[1]}, -1, 0}
		}))), func(h head) Message { return h.m })
	unsub := c.Limit(l.MaxControlLine, c.Then(verb("UNSUB"), c.Seq3(arg, c.Opt(num), eol,
		func(sid seq.Sequence, n c.Maybe[int], _ string) Message {
			m := Message{Op: OpUnsub, SID: sid}
			if n.Ok {
				m.Max = uint64(n.Value)
			}
			return m
		})))
	ping, pong := bare(OpPing), bare(OpPong)
	p := c.Alt(pub, ping, pong)
	fromClient := c.Dispatch(map[byte]parse.TryParse[Message]{
		'C': line(OpConnect), 'c': line(OpConnect), 'P': p, 'p': p, 'H': hpub, 'h': hpub,
		'S': sub, 's': sub, 'U': unsub, 'u': unsub,
	}, nil)
	pp := c.Alt(ping, pong)
	fromServer := c.Dispatch(map[byte]parse.TryParse[Message]{
		'I': line(OpInfo), 'i': line(OpInfo), 'M': msg, 'm': msg, 'H': hmsg, 'h': hmsg, 'P': pp, 'p': pp,
		'+': bare(OpOK), '-': line(OpErr),
	}, nil)
	return grammar{c.Label("client operation", fromClient), c.Label("server operation", fromServer)}
}

var defaultGrammar = newGrammar(Limits{})

// FromClient returns the grammar of what a client sends to a server, with
// the limits l (a zero Limits means [DefaultLimits]). Declare it once and
// share it: it is safe for concurrent use. Read it with a message reader
// whose maximum message size is l.MessageSize():
//
//	r := parse.NewReader(src, nats.FromClient(l), parse.Options{MaxMessageSize: l.MessageSize()})
func FromClient(l Limits) parse.TryParse[Message] {
	if l.orDefault() == DefaultLimits {
		return defaultGrammar.fromClient
	}
	return newGrammar(l).fromClient
}

// FromServer returns the grammar of what a server sends to a client, with
// the limits l (a zero Limits means [DefaultLimits]). Declare it once and
// share it, as [FromClient].
func FromServer(l Limits) parse.TryParse[Message] {
	if l.orDefault() == DefaultLimits {
		return defaultGrammar.fromServer
	}
	return newGrammar(l).fromServer
}
