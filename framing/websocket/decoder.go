package websocket

import (
	"context"
	"encoding/binary"
	"iter"
	"unicode/utf8"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Role is the side of a connection an endpoint plays. It decides the
// masking rule: a client masks every frame it sends, a server none.
type Role uint8

const (
	// Server reads masked frames and sends unmasked ones.
	Server Role = iota
	// Client reads unmasked frames and sends masked ones.
	Client
)

// String returns "server" or "client".
func (r Role) String() string {
	if r == Client {
		return "client"
	}
	return "server"
}

// Defaults of Options.
const (
	// DefaultMaxMessageSize bounds the payload of a data message, all its
	// frames together: 16 MiB. Payloads stream in parts, so the limit
	// does not bound the decoder's memory; it bounds what an application
	// that gathers a message would hold.
	DefaultMaxMessageSize = 16 << 20
	// DefaultMaxPart bounds the payload bytes of one Frame: 32 KiB.
	DefaultMaxPart = cb.DefaultMaxPart
)

// Options configure a Decoder. The zero value gives the defaults.
type Options struct {
	// RSV holds the RSV bits that negotiated extensions claim (RSV1 for
	// permessage-deflate): frames with them are delivered with the bits
	// in Header.RSV, payload untouched. A frame with another RSV bit set
	// is an error (ErrRSV).
	RSV uint8
	// MaxFrameSize bounds the payload a frame may declare (ErrFrameTooLarge).
	// Zero means the message limit; negative means no limit.
	MaxFrameSize int64
	// MaxMessageSize bounds the payload a data message's frames declare
	// together (ErrMessageTooLarge). Zero means DefaultMaxMessageSize;
	// negative means no limit.
	MaxMessageSize int64
	// MaxPart bounds the payload bytes of one Frame. Zero means
	// DefaultMaxPart; values below MaxControlPayload (125) are raised to
	// it, so that a control frame arrives in one part.
	MaxPart int
}

func limit(v, def int64) uint64 {
	switch {
	case v == 0:
		return uint64(def)
	case v < 0:
		return 1<<64 - 1
	}
	return uint64(v)
}

// Decoder reads the frames of one direction of a WebSocket connection
// from a pipe.Reader: each Frame holds a header and the first part of its
// payload, or a later part. It enforces RFC 6455's framing rules for its
// Role and the limits of its Options; the first violation ends the stream
// with an error matching one of the sentinels of this package (see
// CloseCodeOf for the code to answer it with).
//
// The frames a Decoder returns view pipe memory until the next read (Next,
// the next step of All, Close). A Decoder is used by one goroutine at a
// time.
type Decoder struct {
	role     Role
	rsv      uint8
	maxFrame uint64
	maxMsg   uint64
	part     int
	slow     bool // tests: no fast path

	stream *cb.Stream[uint8, Header]
	r      *parse.Reader[Frame]

	// connection state, changed only when a frame is returned
	inMsg   bool   // a fragmented message is open
	msgOp   Opcode // its opcode
	msgLen  uint64 // the payload its frames declared so far
	cur     Header // the frame whose payload is being delivered
	pos     uint64 // payload bytes of cur delivered
	message Opcode // cur's message opcode

	closeBuf [MaxControlPayload]byte
}

// NewDecoder returns a Decoder that reads frames sent to an endpoint of
// role r: a Server decodes what a client sends.
func NewDecoder(src pipe.Reader, r Role, o Options) *Decoder {
	d := newDecoder(r, o)
	d.r = parse.NewReader(src, d.parser(), parse.Options{MaxMessageSize: d.part + MaxHeaderSize})
	return d
}

func newDecoder(r Role, o Options) *Decoder {
	d := &Decoder{role: r, rsv: o.RSV & 7}
	d.maxMsg = limit(o.MaxMessageSize, DefaultMaxMessageSize)
	d.maxFrame = d.maxMsg
	if o.MaxFrameSize != 0 {
		d.maxFrame = limit(o.MaxFrameSize, 0)
	}
	d.part = max(o.MaxPart, 0)
	if d.part == 0 {
		d.part = DefaultMaxPart
	}
	d.part = max(d.part, MaxControlPayload)
	head := parse.TryParse[Header](d.head)
	decl := &cb.Parts[uint8, Header]{
		Head:    func(uint8) parse.TryParse[Header] { return head },
		Size:    func(h Header) uint64 { return h.Length },
		Next:    func(uint8, Header) uint8 { return 0 },
		MaxPart: d.part,
	}
	d.stream = decl.Stream()
	return d
}

// Next returns the next frame part. At the end of the input it returns
// io.EOF if the input ended between frames, and an error matching
// io.ErrUnexpectedEOF if it ended inside one; a fragmented message still
// open at a clean end is reported by InMessage.
func (d *Decoder) Next(ctx context.Context) (Frame, error) { return d.r.Next(ctx) }

// All returns an iterator over the frame parts; after the loop, Err
// reports the error that ended it, if any (nil at a clean end).
func (d *Decoder) All(ctx context.Context) iter.Seq[Frame] { return d.r.All(ctx) }

// Err returns the error that ended All, nil at a clean end of the input.
func (d *Decoder) Err() error { return d.r.Err() }

// Close completes the pipe reader.
func (d *Decoder) Close() error { return d.r.Close() }

// InMessage reports whether a fragmented message is open: its first frame
// was read and its last was not.
func (d *Decoder) InMessage() bool { return d.inMsg }

// head reads a frame header and checks it against the role, the
// extensions, the limits and the fragmentation state.
func (d *Decoder) head(in *parse.Input) (Header, error) {
	off := in.Offset()
	h, n, ok := fastHeader(in.Span())
	if ok {
		in.Advance(n)
	} else {
		var err error
		if h, err = header(in); err != nil {
			return h, err
		}
	}
	if e := d.check(&h); e != nil {
		return h, &parse.SyntaxError{Offset: off, Msg: "invalid frame header", Err: e}
	}
	return h, nil
}

func (d *Decoder) check(h *Header) *Error {
	switch {
	case h.RSV&^d.rsv != 0:
		return ErrRSV
	case d.role == Server && !h.Masked:
		return ErrUnmasked
	case d.role == Client && h.Masked:
		return ErrMasked
	case h.Length > d.maxFrame:
		return ErrFrameTooLarge
	case h.Op.IsControl():
		return nil
	case h.Op == OpContinuation && !d.inMsg:
		return ErrContinuation
	case h.Op != OpContinuation && d.inMsg:
		return ErrExpectedContinuation
	}
	total := h.Length
	if d.inMsg {
		total += d.msgLen // no overflow: both are at most 2^63-1
	}
	if total > d.maxMsg {
		return ErrMessageTooLarge
	}
	return nil
}

// Parser returns a parse.TryParse that reads the frames of one stream as
// a Decoder does, keeping the connection's state, for a message reader of
// your own (parse.Consume, a test harness). Give that reader a maximum
// message size of at least MaxPart + MaxHeaderSize, so that a close frame
// arrives in one part (a smaller one makes a close frame a size error).
// Use a new parser for every stream.
func Parser(r Role, o Options) parse.TryParse[Frame] { return newDecoder(r, o).parser() }

// parse reads the next frame part from in.
func (d *Decoder) parse(in *parse.Input) (Frame, error) {
	if d.stream.Left() == 0 && !d.slow {
		if f, ok := d.whole(in); ok {
			return f, nil
		}
	}
	var p cb.Part[Header]
	if err := d.stream.ParseTo(in, &p); err != nil {
		return Frame{}, err
	}
	if !p.HasHead {
		f := Frame{Header: d.cur, Data: p.Data, Pos: d.pos, Left: p.Left, Message: d.message}
		d.pos += uint64(p.Data.Len())
		return f, nil
	}
	return d.first(in, p.Head, p.Data, p.Left)
}

// whole is Parse's fast path for a frame whose header and payload are
// buffered, the header in one segment, the payload no longer than a part:
// it reads the frame by hand, as the Parts declaration would (one message,
// the whole payload, nothing left, no byte after it needed), and leaves
// the stream's state as that would (no payload left). Anything else, valid
// or not, takes the declared path; TestFastPath checks that both give the
// same frames and errors.
func (d *Decoder) whole(in *parse.Input) (Frame, bool) {
	h, n, ok := fastHeader(in.Span())
	if !ok || h.Op == OpClose || d.check(&h) != nil {
		return Frame{}, false
	}
	size := n + int(h.Length)
	if h.Length > uint64(d.part) || in.Remaining() < size || in.Limit()-in.Consumed() < size {
		return Frame{}, false
	}
	in.Advance(n)
	data, _ := in.ReadN(int(h.Length))
	f, _ := d.first(in, h, data, 0)
	return f, true
}

// first makes the message of a frame's first part and moves the
// connection's state past the header.
func (d *Decoder) first(in *parse.Input, h Header, data seq.Sequence, left uint64) (Frame, error) {
	f := Frame{Header: h, First: true, Data: data, Left: left}
	if h.Op == OpClose {
		if left > 0 {
			// Only a message reader whose limit leaves less than 125
			// bytes after a header gets here (not NewDecoder's).
			return Frame{}, &parse.SizeError{Offset: in.Offset() - int64(in.Consumed()), Limit: in.Limit()}
		}
		c, err := d.parseClose(h, data)
		if err != nil {
			return Frame{}, &parse.SyntaxError{Offset: in.Offset() - int64(data.Len()), Msg: "invalid close frame", Err: err}
		}
		f.Close = c
	}
	f.Message = d.enter(h, data.Len())
	return f, nil
}

// enter moves the connection's state past a frame's header, n bytes of
// its payload delivered with it, and returns the opcode of the message
// the frame belongs to.
func (d *Decoder) enter(h Header, n int) Opcode {
	switch {
	case h.Op.IsControl():
		d.message = h.Op
	case h.Op == OpContinuation:
		d.msgLen += h.Length
		d.message = d.msgOp
	default:
		d.msgOp, d.msgLen, d.message = h.Op, h.Length, h.Op
	}
	if !h.Op.IsControl() {
		d.inMsg = !h.Fin
	}
	d.cur, d.pos = h, uint64(n)
	return d.message
}

// batch is the batch form of parse for a message reader (see
// internal/batch): the frames that whole would take one after another,
// as long as each lies, header and payload, in the cursor's span. It
// stops at anything else (a frame cut by the span's end, a close frame, a
// 64-bit length, a header that breaks or might break a rule), which parse
// then reads with every check and error of the declared path.
//
// It decodes the header itself rather than with fastHeader and check: the
// role's mask bit, the RSV bits and the size limits are folded into a few
// comparisons set up once per call, and a frame is taken only if
// fastHeader would decode it and check accept it (TestFastPath and
// TestBatchAgrees compare the frames and errors with the declared path's).
func (d *Decoder) batch(in *parse.Input, out []Frame) int {
	if d.stream.Left() != 0 || d.slow {
		return 0
	}
	span := in.Span()
	lim := in.Limit() - in.Consumed() // the budget of each frame
	var mask byte                     // the MASK bit the role asks for
	if d.role == Server {
		mask = 0x80
	}
	rsv := 0x70 &^ (d.rsv << 4) // the RSV bits no extension claims
	maxLen := min(uint64(d.part), d.maxFrame)
	// Offsets into span rather than a slice of what is left: b = b[size:]
	// masks its pointer (the slice may end up empty), three instructions
	// more on the chain from one frame's length to the next.
	i, k := 0, 0
frames:
	for ; k < len(out) && i < len(span)-1; k++ {
		b0, b1 := span[i], span[i+1]
		if b0&rsv != 0 || b1&0x80 != mask {
			break
		}
		h := Header{Fin: b0&0x80 != 0, RSV: b0 >> 4 & 7, Op: Opcode(b0 & 0xf), Masked: mask != 0, Length: uint64(b1 & 0x7f)}
		n := 2
		if h.Length >= 126 {
			if h.Length == 127 || i >= len(span)-3 {
				break // a 64-bit length: longer than a part unless MaxPart is raised; parse reads it
			}
			h.Length, n = uint64(binary.BigEndian.Uint16(span[i+2:])), 4
			if h.Length < 126 {
				break // not minimal: parse reports it
			}
		}
		if mask != 0 {
			n += 4
		}
		size := n + int(h.Length)
		if h.Length > maxLen || size > len(span)-i || size > lim {
			break
		}
		if mask != 0 {
			h.Key = [4]byte(span[i+n-4 : i+n])
		}
		switch h.Op {
		case OpText, OpBinary:
			if d.inMsg || h.Length > d.maxMsg {
				break frames
			}
		case OpContinuation:
			if !d.inMsg || h.Length+d.msgLen > d.maxMsg {
				break frames
			}
		case OpPing, OpPong:
			if !h.Fin || h.Length > MaxControlPayload {
				break frames
			}
		default: // a close frame or a reserved opcode
			break frames
		}
		// Field by field: a composite literal is built on the stack and
		// then copied, twice the stores.
		f := &out[k]
		f.Header, f.First, f.Pos, f.Left, f.Close = h, true, 0, 0, Close{}
		f.Data = in.SpanSeqAt(i+n, int(h.Length))
		f.Message = d.enter(h, int(h.Length))
		i += size
	}
	in.Advance(i)
	return k
}

// parser returns d.parse with its batch form recorded, for a message
// reader. The table of batch forms holds the decoder weakly, since the
// decoder holds the parser (through its message reader), whose collection
// is what drops the table's entry; the message reader holds the form bound
// to the decoder (batch.RecordWeak).
func (d *Decoder) parser() parse.TryParse[Frame] {
	p := d.parse
	batch.RecordWeak(batch.Closure(p), d, func(d *Decoder) func(*parse.Input, []Frame) int { return d.batch })
	return p
}

// parseClose checks a close frame's payload and returns it, the reason
// unmasked into the decoder's buffer.
func (d *Decoder) parseClose(h Header, data seq.Sequence) (Close, error) {
	n := data.CopyTo(d.closeBuf[:])
	b := d.closeBuf[:n]
	if h.Masked {
		Unmask(b, h.Key, 0)
	}
	switch {
	case n == 0:
		return Close{Code: CloseNoStatus}, nil
	case n == 1:
		return Close{}, ErrClosePayload
	}
	c := Close{Code: CloseCode(binary.BigEndian.Uint16(b)), Reason: b[2:]}
	if !c.Code.Valid() {
		return Close{}, ErrCloseCode
	}
	if !utf8.Valid(c.Reason) {
		return Close{}, ErrCloseReason
	}
	return c, nil
}
