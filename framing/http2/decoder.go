package http2

import (
	"context"
	"fmt"
	"iter"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Role is the side of a connection whose incoming frames a Decoder reads.
type Role uint8

const (
	// Server reads what a client sends: the client connection preface,
	// then a SETTINGS frame, then any frames.
	Server Role = iota
	// Client reads what a server sends: a SETTINGS frame (the server
	// connection preface), then any frames.
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
	// DefaultMaxPart bounds the data bytes of one Frame: 32 KiB.
	DefaultMaxPart = cb.DefaultMaxPart
	// DefaultMaxHeaderBlock bounds a header block, the fragments of a
	// HEADERS or PUSH_PROMISE frame and its CONTINUATION frames
	// together: 1 MiB, as net/http's DefaultMaxHeaderBytes.
	DefaultMaxHeaderBlock = 1 << 20
	// DefaultMaxContinuations bounds the CONTINUATION frames of a header
	// block: 64, enough for DefaultMaxHeaderBlock in frames of the
	// initial SETTINGS_MAX_FRAME_SIZE.
	DefaultMaxContinuations = 64
)

// MaxHeadSize is the most bytes a Frame reads before its data: the client
// connection preface, a frame header and the longest fixed fields (8, of
// PING and GOAWAY).
const MaxHeadSize = len(Preface) + HeaderSize + 8

// Options configure a Decoder. The zero value gives the defaults.
type Options struct {
	// MidStream starts the decoder inside a connection: no preface and no
	// first SETTINGS frame are expected (a capture cut after them, a
	// connection upgraded from HTTP/1.1 whose preface was read already).
	MidStream bool
	// MaxFrameSize is the SETTINGS_MAX_FRAME_SIZE in force when the
	// decoder starts: frames longer are refused (ErrFrameSize). Zero
	// means the initial value, MinMaxFrameSize (16384); other values are
	// clamped to the range RFC 9113 allows. Change it as the connection
	// goes with Decoder.SetMaxFrameSize.
	MaxFrameSize uint32
	// MaxHeaderBlock bounds the header block fragments of a HEADERS or
	// PUSH_PROMISE frame and its CONTINUATION frames together
	// (ErrHeaderBlockTooLarge). Zero means DefaultMaxHeaderBlock;
	// negative means no limit.
	MaxHeaderBlock int64
	// MaxContinuations bounds the CONTINUATION frames of a header block
	// (ErrTooManyContinuations). Zero means DefaultMaxContinuations;
	// negative means no limit.
	MaxContinuations int
	// MaxPart bounds the data bytes of one Frame, and the length of a
	// SETTINGS frame, which arrives whole (ErrSettingsTooLarge). Zero
	// means DefaultMaxPart; values below 64 are raised to 64.
	MaxPart int
}

// state is the Parts state; frames are all read in one.
type state uint8

// Decoder reads the frames of one direction of an HTTP/2 connection from
// a pipe.Reader: each Frame holds a header, its fixed fields and the first
// part of its data, or a later part. It enforces RFC 9113's framing rules
// and the limits of its Options; the first violation ends the stream with
// an error matching one of the sentinels of this package (see CodeOf for
// the error code to answer it with).
//
// The frames a Decoder returns view pipe memory until the next read (Next,
// the next step of All, Close). A Decoder is used by one goroutine at a
// time.
type Decoder struct {
	maxFrame uint32
	maxBlock uint64
	maxConts uint64
	part     int
	slow     bool // tests: no fast paths

	stream *cb.Stream[state, head]
	frame  parse.TryParse[head] // a frame's header and fixed fields, declared on first use (grammar)
	r      *parse.Reader[Frame]

	// connection state, changed only when a frame is returned
	prefaced bool   // the preface was read (or is not expected)
	started  bool   // the first frame was read (or is not checked)
	cur      head   // the frame whose later parts are being delivered (set by a first part with more to come)
	pos      uint64 // payload bytes of cur delivered
	inBlock  bool   // a header block is open
	blockID  uint32 // its stream
	block    uint64 // its fragments' bytes so far
	conts    uint64 // its CONTINUATION frames so far

	// fast is the head the fast paths read last. If cutAt is not -1, it is
	// that of the frame at stream offset cutAt, cut by the end of the
	// buffered bytes, its header and fixed fields (cutN bytes) whole and
	// valid: every attempt that waits for its payload (the batch form's
	// stop, parse's need, the attempt after the read) takes it from here
	// instead of reading and checking it again. It holds while the state
	// above is unchanged: first and SetMaxFrameSize forget it.
	fast  head
	cutAt int64
	cutN  int
}

// NewDecoder returns a Decoder that reads the frames sent to an endpoint
// of role r.
func NewDecoder(src pipe.Reader, r Role, o Options) *Decoder {
	d := newDecoder(r, o)
	d.r = parse.NewReader(src, d.parser(), parse.Options{MaxMessageSize: d.part + MaxHeadSize})
	return d
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

func newDecoder(r Role, o Options) *Decoder {
	d := &Decoder{
		maxBlock: limit(o.MaxHeaderBlock, DefaultMaxHeaderBlock),
		maxConts: limit(int64(o.MaxContinuations), DefaultMaxContinuations),
		part:     max(o.MaxPart, 0),
		prefaced: o.MidStream || r == Client,
		started:  o.MidStream,
		cutAt:    -1,
	}
	d.setMax(o.MaxFrameSize)
	if d.part == 0 {
		d.part = DefaultMaxPart
	}
	d.part = max(d.part, 64)
	decl := &cb.Parts[state, head]{
		Head:    func(state) parse.TryParse[head] { return d.head },
		Size:    func(x head) uint64 { return uint64(x.h.Length - x.fixed) },
		Next:    func(state, head) state { return 0 },
		MaxPart: d.part,
	}
	d.stream = decl.Stream()
	return d
}

func (d *Decoder) setMax(n uint32) {
	d.maxFrame = min(max(n, MinMaxFrameSize), MaxMaxFrameSize)
}

// SetMaxFrameSize sets the SETTINGS_MAX_FRAME_SIZE in force for the
// frames read after the current one: call it when the SETTINGS frame in
// which this endpoint announced n is acknowledged. A value outside the
// range RFC 9113 allows (2^14 to 2^24-1) is an error (ErrSettingValue) and
// changes nothing.
func (d *Decoder) SetMaxFrameSize(n uint32) error {
	if n < MinMaxFrameSize || n > MaxMaxFrameSize {
		return ErrSettingValue
	}
	d.maxFrame = n
	d.cutAt = -1 // the frame cut was checked against the old size
	return nil
}

// MaxFrameSize returns the SETTINGS_MAX_FRAME_SIZE in force.
func (d *Decoder) MaxFrameSize() uint32 { return d.maxFrame }

// Next returns the next frame part. At the end of the input it returns
// io.EOF if the input ended between frames, and an error matching
// io.ErrUnexpectedEOF if it ended inside one; a header block still open
// at a clean end is reported by InHeaderBlock.
func (d *Decoder) Next(ctx context.Context) (Frame, error) { return d.r.Next(ctx) }

// All returns an iterator over the frame parts; after the loop, Err
// reports the error that ended it, if any (nil at a clean end).
func (d *Decoder) All(ctx context.Context) iter.Seq[Frame] { return d.r.All(ctx) }

// Err returns the error that ended All, nil at a clean end of the input.
func (d *Decoder) Err() error { return d.r.Err() }

// Close completes the pipe reader.
func (d *Decoder) Close() error { return d.r.Close() }

// InHeaderBlock reports whether a header block is open: a HEADERS or
// PUSH_PROMISE frame without END_HEADERS was read, and the CONTINUATION
// with END_HEADERS was not.
func (d *Decoder) InHeaderBlock() bool { return d.inBlock }

// Parser returns a parse.TryParse that reads the frames of one stream as
// a Decoder does, keeping the connection's state, for a message reader of
// your own (parse.Consume, a test harness). Give that reader a maximum
// message size of at least MaxPart + MaxHeadSize, so that a SETTINGS frame
// arrives whole. Use a new parser for every stream.
func Parser(r Role, o Options) parse.TryParse[Frame] { return newDecoder(r, o).parser() }

// head reads the preface if it is still expected, then a frame header and
// its fixed fields: the preface and the frame after it are one message
// (Then(preface, frame), written out), so that an attempt cut short reads
// the preface again, and prefaced changes only when first has the frame.
func (d *Decoder) head(in *parse.Input) (head, error) {
	if !d.prefaced {
		if _, err := preface(in); err != nil {
			return head{}, in.Furthest(err)
		}
	}
	if !d.slow {
		var x head
		if n, ok := d.fastHead(in.Span(), &x); ok {
			in.Advance(n)
			return x, nil
		}
	}
	x, err := d.grammar()(in)
	if err != nil && !d.prefaced {
		return x, in.Furthest(err)
	}
	return x, err
}

// grammar returns the declared grammar of a frame's header and fixed
// fields, which reads the frames fastHead does not (a header cut by a
// segment's end, a header that breaks a rule, and every frame with the
// fast paths off), declaring it on first use: most connections never need
// it, and declaring it took most of the 35 µs and 90 allocations that
// making a Decoder cost (TestDecoderSetup).
func (d *Decoder) grammar() parse.TryParse[head] {
	if d.frame == nil {
		d.frame = cb.MapErr(cb.Switch(cb.Peek(cb.MapErr(header9, d.classify)), shapes, nil), d.checkFixed)
	}
	return d.frame
}

// classify checks a frame header against the connection's state and the
// decoder's limits, then against the rules of its type, and returns the
// shape of its fixed fields. It runs before any byte after the header is
// read.
func (d *Decoder) classify(h Header) (shape, error) {
	switch {
	case h.Length > d.maxFrame:
		return 0, ErrFrameSize
	case !d.started && (h.Type != TypeSettings || h.Flags.Has(FlagAck)):
		return 0, ErrFirstSettings
	case d.inBlock && (h.Type != TypeContinuation || h.StreamID != d.blockID):
		return 0, ErrExpectedContinuation
	case h.Type == TypeContinuation && !d.inBlock:
		return 0, ErrUnexpectedContinuation
	case h.Type == TypeContinuation && d.conts >= d.maxConts:
		return 0, ErrTooManyContinuations
	case h.Type == TypeContinuation && d.block+uint64(h.Length) > d.maxBlock:
		return 0, ErrHeaderBlockTooLarge
	case h.Type == TypeSettings && h.Length > uint32(d.part):
		return 0, ErrSettingsTooLarge
	}
	return classify(h)
}

// checkFixed checks the fixed fields, and the size of the fragment a
// HEADERS or PUSH_PROMISE frame opens a header block with.
func (d *Decoder) checkFixed(x head) (head, error) { return x, d.fixedErr(&x) }

// fixedErr is checkFixed's check, for the fast path.
func (d *Decoder) fixedErr(x *head) error {
	if err := x.fixedErr(); err != nil {
		return err
	}
	if (x.h.Type == TypeHeaders || x.h.Type == TypePushPromise) && uint64(x.dataLen()) > d.maxBlock {
		return ErrHeaderBlockTooLarge
	}
	return nil
}

// parse reads the next frame part from in with the Parts declaration
// (the parser's path when whole does not decide).
func (d *Decoder) parse(in *parse.Input) (Frame, error) {
	var p cb.Part[head]
	if err := d.stream.ParseTo(in, &p); err != nil {
		return Frame{}, err
	}
	if !p.HasHead {
		f := d.frameOf(p.Data, p.Left)
		d.pos += uint64(p.Data.Len())
		return f, nil
	}
	var f Frame
	err := d.first(in, &p.Head, p.Data, p.Left, &f)
	return f, err
}

// whole is the parser's fast path for a frame whose header and fixed
// fields lie in one segment and whose payload is no longer than a part: it
// reads the frame into f by hand, as the Parts declaration would (one message, the
// whole payload, nothing left, no byte after it needed, the stream's state
// unchanged), and reports ok. A payload not all buffered yet is the need
// the declaration reports, after the same header (ErrNeedMore for the
// payload's missing bytes, the cursor after the fixed fields), without
// its layers: a frame longer than a read meets it on every read but the
// last. Anything else, valid or not, takes the declared path (ok false);
// TestFastPath checks that both give the same frames and errors, and
// TestFastNeed that both wait for the same bytes.
func (d *Decoder) whole(in *parse.Input, f *Frame) (ok bool, err error) {
	at := in.Offset()
	n, ok := d.headAt(at, in.Span())
	x := &d.fast
	if !ok || x.h.Type == TypeSettings {
		return false, nil
	}
	p := int(x.h.Length - x.fixed)
	if p > d.part || in.Limit()-in.Consumed() < n+p {
		return false, nil
	}
	in.Advance(n)
	if r := in.Remaining(); r < p {
		d.cutAt, d.cutN = at, n
		return true, in.NeedMore(p)
	}
	data, _ := in.ReadN(p)
	return true, d.first(in, x, data, 0, f) // not a SETTINGS frame: no error
}

// batch is the batch form of parse for a message reader (see
// internal/batch): the frames that whole would take one after another,
// as long as each lies, header, fixed fields and payload, in the cursor's
// span. It stops at anything else (a frame cut by the span's end, a
// SETTINGS frame, a header the fast path does not decide), which parse
// then reads with every check and error of the declared path.
func (d *Decoder) batch(in *parse.Input, out []Frame) int {
	if d.stream.Left() != 0 || !d.prefaced || d.slow {
		return 0
	}
	span := in.Span()
	lim := in.Limit() - in.Consumed() // the budget of each frame
	// An offset into span, as in websocket's batch form: re-slicing what is
	// left (b = b[n+p:]) masks the slice's pointer on the chain from one
	// frame's length to the next. Fewer bytes than a header is a frame
	// fastHead would not take.
	i, k, base := 0, 0, in.Offset()
	x := &d.fast
	for ; k < len(out) && i <= len(span)-HeaderSize; k++ {
		at := base + int64(i)
		n, ok := d.headAt(at, span[i:])
		if !ok || x.h.Type == TypeSettings {
			break
		}
		p := int(x.h.Length - x.fixed)
		if p > d.part || n+p > lim {
			break
		}
		if n+p > len(span)-i {
			d.cutAt, d.cutN = at, n
			break
		}
		_ = d.first(in, x, in.SpanSeqAt(i+n, p), 0, &out[k]) // not SETTINGS: no error
		i += n + p
	}
	in.Advance(i)
	return k
}

// parser returns the decoder's parser with its batch form recorded, for a
// message reader: whole, or else parse. The table of batch forms holds
// the decoder weakly, since the decoder holds the parser (through its
// message reader), whose collection is what drops the table's entry; the
// message reader holds the form bound to the decoder (batch.RecordWeak).
func (d *Decoder) parser() parse.TryParse[Frame] {
	// A closure rather than a method value: whole writes the frame into
	// the parser's result, with no wrapper call and copy between.
	p := func(in *parse.Input) (f Frame, err error) {
		if d.stream.Left() == 0 && d.prefaced && !d.slow {
			if ok, err := d.whole(in, &f); ok {
				return f, err
			}
		}
		return d.parse(in)
	}
	batch.RecordWeak(batch.Closure(p), d, func(d *Decoder) func(*parse.Input, []Frame) int { return d.batch })
	return p
}

// first makes the message of a frame's first part in f and moves the
// connection's state past its header x. It writes f only when it returns
// nil; it never fails but on a SETTINGS frame.
func (d *Decoder) first(in *parse.Input, x *head, data seq.Sequence, left uint64, f *Frame) error {
	if x.h.Type == TypeSettings {
		if left > 0 {
			// Only a message reader whose limit leaves less than the
			// SETTINGS frame after its header gets here (not
			// NewDecoder's, whose limit leaves MaxPart).
			return &parse.SizeError{Offset: in.Offset() - int64(in.Consumed()), Limit: in.Limit()}
		}
		if err := checkSettings(data); err != nil {
			return err.at(in.Offset() - int64(data.Len()))
		}
	}
	// The frame is returned: commit the connection's state. The frame's
	// head is kept only for the parts that follow its first (frameOf): a
	// whole frame, the common case, is not copied into it.
	d.prefaced, d.started, d.cutAt = true, true, -1
	n := uint64(data.Len())
	if left > 0 {
		d.cur, d.pos = *x, n
	}
	switch x.h.Type {
	case TypeHeaders, TypePushPromise:
		d.inBlock, d.blockID, d.block, d.conts = !x.h.Flags.Has(FlagEndHeaders), x.h.StreamID, uint64(x.dataLen()), 0
	case TypeContinuation:
		d.block += uint64(x.h.Length)
		d.conts++
		d.inBlock = !x.h.Flags.Has(FlagEndHeaders)
	}
	var promised, last uint32
	switch x.h.Type {
	case TypePushPromise:
		promised = x.id
	case TypeGoAway:
		last = x.id
	}
	if keep := x.dataLen(); uint64(keep) < n {
		data = data.Slice(0, int(keep)) // the padding cut off
	}
	// Field by field: a composite literal is built on the stack from a
	// zero template and then copied, three passes over the frame.
	f.Header, f.First, f.Data, f.Pos, f.Left = x.h, true, data, 0, left
	f.PadLength, f.Priority, f.Code, f.PromisedID, f.LastStreamID, f.Increment, f.Ping = x.pad, x.prio, x.code,
		promised, last, x.incr, x.ping
	return nil
}

// frameOf makes the frame of a part of cur's payload at d.pos, the
// padding cut off.
func (d *Decoder) frameOf(part seq.Sequence, left uint64) Frame {
	data := part
	if n, keep := uint64(part.Len()), uint64(d.cur.dataLen())-min(d.pos, uint64(d.cur.dataLen())); keep < n {
		data = part.Slice(0, int(keep))
	}
	return Frame{Header: d.cur.h, Data: data, Pos: min(d.pos, uint64(d.cur.dataLen())), Left: left}
}

// settingError is an invalid setting at an offset in its frame's payload.
type settingError struct {
	err *Error
	off int
	s   Setting
}

func (e *settingError) at(payload int64) error {
	return &parse.SyntaxError{Offset: payload + int64(e.off), Msg: fmt.Sprintf("invalid setting %#x = %d", uint16(e.s.ID), e.s.Val), Err: e.err}
}

// checkSettings checks the values of a SETTINGS frame's settings.
func checkSettings(b seq.Sequence) *settingError {
	f := Frame{Header: Header{Type: TypeSettings}, Data: b}
	for i := range f.NumSettings() {
		s := f.Setting(i)
		if err := s.Valid(); err != nil {
			return &settingError{err: err.(*Error), off: i * SettingSize, s: s}
		}
	}
	return nil
}
