package http1

import (
	"context"
	"fmt"
	"io"
	"math"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Defaults of Options.
const (
	// DefaultMaxLine bounds a start line, a field line and a chunk-size
	// line: 64 KiB, bufio.Scanner's token limit. Browsers and proxies
	// refuse far shorter lines (8 to 16 KiB); it is there to bound what one
	// line makes the reader scan.
	DefaultMaxLine = 64 << 10
	// DefaultMaxHeaderBytes bounds a head (start line and header section)
	// or a trailer section: 1 MiB, net/http's DefaultMaxHeaderBytes.
	DefaultMaxHeaderBytes = 1 << 20
	// DefaultMaxFields bounds the fields of a header or trailer section:
	// 1000. Browsers send 10 to 30; a section of 1000 one-letter fields
	// is 5 KB, so the byte limit alone would let a peer send 200000.
	DefaultMaxFields = 1000
)

// Options set a reader's limits. The zero value gives the defaults.
type Options struct {
	// MaxLine bounds every line of a head or of a chunked body's framing.
	// Zero means DefaultMaxLine.
	MaxLine int
	// MaxHeaderBytes bounds a head, and every message the reader returns.
	// Zero means DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxFields bounds the fields of a header or trailer section. Zero
	// means DefaultMaxFields.
	MaxFields int
	// MaxPart bounds the body bytes of one Part. Zero means
	// combinators.DefaultMaxPart (32 KiB).
	MaxPart int
	// MaxBodySize, if positive, refuses a Content-Length or a chunk size
	// above it (ErrBodyTooLarge). Zero means no limit: bodies stream in
	// parts, so their size does not bound memory.
	MaxBodySize int64
}

type limits struct {
	line, block, fields, part int
	body                      int64
}

func (o Options) limits() limits {
	l := limits{line: o.MaxLine, block: o.MaxHeaderBytes, fields: o.MaxFields, part: o.MaxPart, body: o.MaxBodySize}
	if l.line <= 0 {
		l.line = DefaultMaxLine
	}
	if l.block <= 0 {
		l.block = DefaultMaxHeaderBytes
	}
	if l.fields <= 0 {
		l.fields = DefaultMaxFields
	}
	if l.part <= 0 {
		l.part = cb.DefaultMaxPart
	}
	l.part = min(l.part, l.block)
	return l
}

// Part is a message of a connection: a head, a part of a body, or the
// end of a chunked body with its trailers. A message is its head and the
// parts after it up to the one with End set; a message without a body
// is its head alone, with End set.
//
// Head, Data and Trailers view the input: they are valid until the next
// call of Next on the reader that returned the part.
type Part struct {
	// Head is the message's head if IsHead, nil otherwise. It is the
	// reader's: the head and what it views are valid until the next call
	// of Next, which reads the next head into it (copy *Head to keep its
	// scalars, the views' bytes to keep those).
	Head   *Head
	IsHead bool
	// Data is body bytes (decoded from the chunked coding), possibly none.
	Data seq.Sequence
	// Trailers is the trailer section, in the last part of a chunked
	// body.
	Trailers Fields
	// End reports that the message is complete with this part.
	End bool
}

// msg is a message of the connection's message reader: what Next makes a
// Part of, the head and the trailers left where the parse wrote them
// (conn.head, conn.trailers). Four words, passed in registers through the
// message reader's layers, where a Part carrying a Head was copied at
// each (about 1,000 instructions a head).
type msg struct {
	data  seq.Sequence
	flags msgFlags
}

type msgFlags uint8

const (
	msgHead     msgFlags = 1 << iota // a head, in conn.head
	msgEnd                           // the message is complete
	msgTrailers                      // the trailer section, in conn.trailers
	msgBlank                         // empty lines between messages, skipped
)

type state uint8

const (
	stHead          state = iota // a head; the connection may end here
	stChunk                      // a chunked body starts: a chunk-size line
	stChunkNext                  // a chunk's data ended: CRLF, then a chunk-size line
	stChunkTrailers              // the last chunk's size line was read: the trailer section
)

// chunkStates are the states of a chunked body in a connection.
var chunkStates = [...]state{chunkStart: stChunk, chunkNext: stChunkNext, chunkTrailers: stChunkTrailers}

// chunkStateOf is the state of the chunked grammar for s, a state of a
// chunked body.
func chunkStateOf(s state) chunkState { return chunkState(s - stChunk) }

// unit is what a head grammar of the stream returns.
type unit struct {
	blank  bool // empty lines before a start line
	isHead bool
	head   Head
	chunk  chunkHead
}

type mode uint8

const (
	modeFramed mode = iota
	modeClose       // a body until the connection closes
	modeHanded      // handed over: the caller hijacks
	modeTunnel      // hijacked: raw bytes
	modeDone        // the connection closes after the last message
)

type reqKind uint8

const (
	reqOther reqKind = iota
	reqHead
	reqConnect
)

// conn is the state both readers share.
type conn struct {
	g       *grammars
	lim     limits
	stream  *cb.Stream[state, unit]
	r       *parse.Reader[msg]
	mode    mode
	closing bool
	resp    bool
	pending []reqKind // requests whose final response is still to come

	// The head and the trailer section of the last message read, which
	// a Part points to or copies.
	head     Head
	trailers Fields

	// The fast path (fast.go): where it last found a head cut by the
	// span's end and how long the span was (see tryFast); and whether the
	// head it read into head has a body the stream reads, for the
	// stream's head grammar, and its length.
	cutAt   int64
	cutLen  int
	scanned int // the bytes of spans the fast path was given (TestLinearFast)
	stashed bool
	stashN  int
	slow    bool // tests: the declared grammar alone
}

func (c *conn) init(src pipe.Reader, o Options, resp bool) {
	c.lim = o.limits()
	c.g = grammarsFor(o)
	c.resp = resp
	c.cutAt = -1
	headG := c.g.requestUnit
	if resp {
		headG = c.g.responseUnit
	} else {
		slow := headG
		headG = func(in *parse.Input) (unit, error) {
			if c.stashed {
				c.stashed = false
				in.Advance(c.stashN)
				return unit{isHead: true, head: c.head}, nil
			}
			return slow(in)
		}
	}
	chunks := &c.g.chunkUnits
	decl := &cb.Parts[state, unit]{
		Start: stHead,
		Head: func(s state) parse.TryParse[unit] {
			if s == stHead {
				return headG
			}
			return chunks[chunkStateOf(s)]
		},
		Size:      c.size,
		Next:      c.next,
		MaxPart:   c.lim.part,
		HeadAlone: true,
	}
	c.stream = decl.Stream()
	c.r = parse.NewReader(src, c.parse, parse.Options{MaxMessageSize: c.lim.block})
}

// body is how the body after h is framed, given the request a response
// answers.
func (c *conn) body(h *Head) BodyKind {
	if !c.resp {
		return h.Body
	}
	m := reqOther
	if len(c.pending) > 0 {
		m = c.pending[0]
	}
	switch {
	case h.Status == 101, m == reqConnect && h.Status/100 == 2:
		return BodyTunnel
	case h.Status < 200, h.Status == 204, h.Status == 304, m == reqHead:
		return BodyNone
	}
	return h.Body
}

func (c *conn) size(u unit) uint64 {
	if !u.isHead {
		return chunkSize(u.chunk)
	}
	if c.body(&u.head) == BodyLength {
		return uint64(u.head.ContentLength)
	}
	return 0
}

func (c *conn) next(s state, u unit) state {
	if u.blank {
		return stHead
	}
	if u.isHead {
		if c.body(&u.head) == BodyChunked {
			return stChunk
		}
		return stHead
	}
	if n := chunkNextState(chunkStateOf(s), u.chunk); n != chunkStart {
		return chunkStates[n]
	}
	return stHead
}

// parse is the TryParse of the connection's message reader. Its state
// changes only when it returns a message, as the stream's.
func (c *conn) parse(in *parse.Input) (msg, error) {
	switch c.mode {
	case modeClose:
		d, err := c.g.closePart(in)
		return msg{data: d}, err
	case modeTunnel:
		return raw(in)
	}
	st := c.stream.State()
	if !c.resp && st == stHead && c.stream.Left() == 0 && !c.slow && !in.Resumed() {
		if done, err := c.tryFast(in); done {
			if err != nil {
				return msg{}, err
			}
			return msg{flags: msgHead | msgEnd}, nil
		}
	}
	var p cb.Part[unit]
	err := c.stream.ParseTo(in, &p)
	c.stashed = false
	if err != nil {
		if st != stHead {
			return msg{}, chunkErr(in, chunkStateOf(st), err)
		}
		return msg{}, err
	}
	out := msg{data: p.Data}
	switch {
	case p.Head.blank:
		out.flags = msgBlank
	case p.HasHead && p.Head.isHead:
		c.head = p.Head.head
		h := &c.head
		if h.err != nil {
			// Reported where the head ends, where the decision is
			// made: an error at the head's start would lose to the
			// failures its fields backtracked from further on (the
			// furthest failure wins, docs/grammar.md), which is why
			// this check is not a MapErr of the head grammar.
			return msg{}, &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid framing", Err: h.err}
		}
		h.Body = c.body(h)
		out.flags = msgHead
		switch h.Body {
		case BodyNone:
			out.flags |= msgEnd
		case BodyLength:
			if h.ContentLength == 0 {
				out.flags |= msgEnd
			}
		case BodyUntilClose:
			c.mode = modeClose
		case BodyTunnel:
			out.flags |= msgEnd
			c.mode = modeHanded
		}
		if c.resp && (h.Status >= 200 || h.Status == 101) {
			if len(c.pending) > 0 {
				c.pending = c.pending[1:]
			}
		}
		c.closing = h.Close
	case p.HasHead:
		// A chunk-size line is a message of its own (HeadAlone), which
		// read skips; so is the last one, the trailer section following
		// it (chunked.go).
		ch := &p.Head.chunk
		if ch.over {
			return msg{}, chunkOver(in, chunkStateOf(st))
		}
		if ch.err != nil {
			return msg{}, &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid trailers", Err: ch.err}
		}
		if ch.end {
			out.flags |= msgEnd
		}
		c.trailers = ch.trailers
		out.flags |= msgTrailers
	default:
		if p.Left == 0 && c.stream.State() == stHead {
			out.flags |= msgEnd
		}
	}
	return out, nil
}

// tryFast reads a request head with the fast path (fast.go), at the start
// of a head: done reports that it read a head without a body into c.head
// (err nil) or asked for more input; otherwise the stream reads the message with the declared
// grammar, with the head the fast path read, if any, for its body.
//
// A head cut by the span's end whose bytes so far are all what the fast
// path reads is waited for whole (ErrNeedMore, as the grammar would) when
// the span holds all the buffered bytes and more may come; a head that
// goes on in another segment, or at the end of the input, is the
// grammar's. So that a head arriving in small pieces is not scanned
// again from its start on every arrival, the fast path tries again at
// the same head only once the span has doubled: its scans add up to
// twice the head at most, and the grammar, which resumes its own scans,
// reads the head otherwise.
func (c *conn) tryFast(in *parse.Input) (done bool, err error) {
	span := len(in.Span())
	if in.Offset() == c.cutAt && span < 2*c.cutLen {
		return false, nil
	}
	c.scanned += span
	n, st := fastRequest(in, c.lim, &c.head)
	switch st {
	case fastOK:
		c.cutAt = -1
		if h := &c.head; h.Body == BodyNone || h.Body == BodyLength && h.ContentLength == 0 {
			// No body: the stream stays where it is, in stHead with
			// nothing left, as it would after this head.
			in.Advance(n)
			c.closing = h.Close
			return true, nil
		}
		// A body: the stream reads it, its head grammar taking this
		// head.
		c.stashN, c.stashed = n, true
		return false, nil
	case fastShort:
		c.cutAt, c.cutLen = in.Offset(), span
		if !in.Final() && span == in.Remaining() {
			return true, in.NeedMore(0)
		}
	default:
		c.cutAt, c.cutLen = in.Offset(), math.MaxInt/2
	}
	return false, nil
}

// raw reads the bytes of a hijacked connection as they arrive: they are
// not framed any more, so they are handed on at once rather than cut at
// offsets of their own (which would hold an interactive protocol's bytes
// back). This is why it is written by hand: the vocabulary's parsers
// decide from the bytes alone, never from how many happen to be
// buffered.
func raw(in *parse.Input) (msg, error) {
	n := min(in.Remaining(), in.Limit())
	if n == 0 {
		return msg{}, in.NeedMore(1)
	}
	d, _ := in.ReadN(n)
	return msg{data: d}, nil
}

var errTruncatedBody = fmt.Errorf("http1: input ended inside a message: %w", io.ErrUnexpectedEOF)

func (c *conn) read(ctx context.Context) (Part, error) {
	switch c.mode {
	case modeDone:
		return Part{}, io.EOF
	case modeHanded, modeTunnel:
		return Part{}, ErrHandedOver
	}
	m, err := c.r.Next(ctx)
	// Empty lines between messages, and the size line of a chunk alone
	// (a head of the stream, whose data follows), are not handed on.
	for err == nil && (m.flags&msgBlank != 0 || m.flags&(msgHead|msgEnd) == 0 && m.data.Len() == 0) {
		m, err = c.r.Next(ctx)
	}
	if err != nil {
		if err == io.EOF {
			if c.mode == modeClose {
				c.mode = modeDone
				return Part{End: true}, nil
			}
			if c.stream.Left() > 0 || c.stream.State() != stHead {
				return Part{}, errTruncatedBody
			}
		}
		return Part{}, err
	}
	p := Part{Data: m.data, End: m.flags&msgEnd != 0}
	if p.End && c.closing && c.mode == modeFramed {
		c.mode = modeDone
	}
	if m.flags&msgHead != 0 {
		p.Head, p.IsHead = &c.head, true
	}
	if m.flags&msgTrailers != 0 {
		p.Trailers = c.trailers
	}
	return p, nil
}

// hijack hands the rest of the connection over as an io.Reader.
func (c *conn) hijack() io.Reader {
	c.mode = modeTunnel
	return &tunnel{c: c}
}

type tunnel struct {
	c   *conn
	cur seq.Sequence
}

func (t *tunnel) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for t.cur.Len() == 0 {
		m, err := t.c.r.Next(context.Background())
		if err != nil {
			return 0, err
		}
		t.cur = m.data
	}
	n := t.cur.CopyTo(b)
	t.cur = t.cur.From(n)
	return n, nil
}

// RequestReader reads the requests of one connection, server side:
// pipelined requests one after another, each a head and its body in
// parts. A Part is valid until the next call of Next.
//
// A request with "Expect: 100-continue" (Head.Continue) is returned as
// soon as its head has arrived: the client sends the body only once it
// has the server's 100 (Continue). A CONNECT or an Upgrade request is
// returned like any other; a server that accepts it writes its response
// and calls Hijack for the bytes that follow. After a message that closes
// the connection (Head.Close), Next returns io.EOF without reading
// further.
type RequestReader struct{ c conn }

// NewRequestReader returns a reader of the requests from src. It owns
// src: Close completes it.
func NewRequestReader(src pipe.Reader, o Options) *RequestReader {
	r := &RequestReader{}
	r.c.init(src, o, false)
	return r
}

// Next returns the next part: io.EOF at the end of the connection between
// messages, an error matching io.ErrUnexpectedEOF inside one, a
// *parse.SyntaxError (whose Err is one of this package's errors where it
// has a name), or a *parse.SizeError for a head over MaxHeaderBytes or a
// line over MaxLine.
func (r *RequestReader) Next(ctx context.Context) (Part, error) { return r.c.read(ctx) }

// Hijack stops the framing and returns the bytes that follow the last
// part returned, as they arrive: the connection after a CONNECT or an
// accepted Upgrade. Next returns ErrHandedOver afterwards.
func (r *RequestReader) Hijack() io.Reader { return r.c.hijack() }

// Close completes the reader's source.
func (r *RequestReader) Close() error { return r.c.r.Close() }

// ResponseReader reads the responses of one connection, client side. A
// response's framing depends on the request it answers: call Sent with
// each request's method, in the order the requests are written, before
// the response is read (a response with no request pending is read as the
// answer to a GET). Responses to HEAD, 1xx, 204 and 304 have no body; a
// 1xx (100 Continue among them) is followed by the final response to the
// same request. A 2xx to CONNECT and a 101 hand the connection over: the
// head is returned with Body BodyTunnel and End set, then Next returns
// ErrHandedOver and Hijack the bytes that follow.
type ResponseReader struct{ c conn }

// NewResponseReader returns a reader of the responses from src. It owns
// src: Close completes it.
func NewResponseReader(src pipe.Reader, o Options) *ResponseReader {
	r := &ResponseReader{}
	r.c.init(src, o, true)
	return r
}

// Sent records that a request with this method was written, so that its
// response is framed by it. Call it from the goroutine that calls Next,
// or synchronize the two: the reader is not safe for concurrent use.
func (r *ResponseReader) Sent(method string) {
	k := reqOther
	switch method {
	case "HEAD":
		k = reqHead
	case "CONNECT":
		k = reqConnect
	}
	r.c.pending = append(r.c.pending, k)
}

// Next returns the next part, as RequestReader.Next; a body until close
// ends with a Part with End set when the input ends.
func (r *ResponseReader) Next(ctx context.Context) (Part, error) { return r.c.read(ctx) }

// Hijack returns the bytes after a response that handed the connection
// over, as they arrive.
func (r *ResponseReader) Hijack() io.Reader { return r.c.hijack() }

// Close completes the reader's source.
func (r *ResponseReader) Close() error { return r.c.r.Close() }
