package grpc

import (
	"context"
	"iter"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// PrefixSize is the length of a message prefix: a flag and a 4-byte
// length.
const PrefixSize = 5

// Defaults of Options.
const (
	// DefaultMaxMessageSize bounds a message's declared length: 4 MiB,
	// grpc-go's default receive limit.
	DefaultMaxMessageSize = 4 << 20
	// DefaultMaxPart bounds the payload bytes of one Message: 32 KiB. A
	// payload up to it arrives whole.
	DefaultMaxPart = cb.DefaultMaxPart
)

// Prefix is a message's 5-byte prefix.
type Prefix struct {
	// Compressed reports the flag 1: the payload is compressed with the
	// call's grpc-encoding.
	Compressed bool
	// Length is the payload's length.
	Length uint32
}

// Options configure a Decoder. The zero value gives the defaults.
type Options struct {
	// MaxMessageSize bounds the length a prefix may declare
	// (ErrMessageTooLarge). Zero means DefaultMaxMessageSize; negative
	// means no limit but the format's, 2^32-1 bytes.
	MaxMessageSize int64
	// MaxPart bounds the payload bytes of one Message: a payload up to it
	// arrives whole, a longer one in parts of MaxPart bytes. Zero means
	// DefaultMaxPart.
	MaxPart int
}

// Message is a message of a Decoder: a prefix and the first part of its
// payload, or a later part.
//
// Data views pipe memory and is valid until the next read from the
// Decoder; Prefix is a plain value.
type Message struct {
	// Prefix is the prefix of the message this part belongs to, in every
	// part.
	Prefix Prefix
	// First reports that this part read the prefix.
	First bool
	// Data is payload bytes, possibly none, at most Options.MaxPart.
	Data seq.Sequence
	// Pos is the offset of Data in the payload.
	Pos uint32
	// Left is how many payload bytes are still to come after Data: 0 in
	// the last part.
	Left uint32
}

// End reports whether the payload is complete with this part.
func (m *Message) End() bool { return m.Left == 0 }

// Whole reports whether this part is a whole message: its prefix and all
// of its payload.
func (m *Message) Whole() bool { return m.First && m.Left == 0 }

// prefix declares a message prefix under a limit: the flag and the
// length, each checked where it starts.
func prefix(max uint64) parse.TryParse[Prefix] {
	flag := cb.Check(cb.Uint8(), func(off int64, f uint8) error {
		if f > 1 {
			return &parse.SyntaxError{Offset: off, Msg: "invalid message prefix", Err: ErrFlag}
		}
		return nil
	})
	length := cb.Check(cb.Uint32BE(), func(off int64, n uint32) error {
		if uint64(n) > max {
			return &parse.SyntaxError{Offset: off, Msg: "invalid message prefix", Err: ErrMessageTooLarge}
		}
		return nil
	})
	return cb.Seq2(flag, length, func(f uint8, n uint32) Prefix { return Prefix{Compressed: f == 1, Length: n} })
}

// defaultPrefix is the prefix grammar under the default limit, declared
// once.
var defaultPrefix = prefix(DefaultMaxMessageSize)

// Decoder reads the messages of one direction of a gRPC call from a
// pipe.Reader, in parts of at most Options.MaxPart payload bytes. The
// first violation ends the stream with an error matching ErrFlag or
// ErrMessageTooLarge.
//
// The messages a Decoder returns view pipe memory until the next read
// (Next, the next step of All, Close). A Decoder is used by one goroutine
// at a time.
type Decoder struct {
	part   int
	max    uint64
	slow   bool // tests: no fast path
	stream *cb.Stream[uint8, Prefix]
	r      *parse.Reader[Message]

	cur Prefix // the message whose payload is being delivered
	pos uint32 // its payload bytes delivered
}

// NewDecoder returns a Decoder of the messages src carries.
func NewDecoder(src pipe.Reader, o Options) *Decoder {
	d := newDecoder(o)
	d.r = parse.NewReader(src, d.parse, parse.Options{MaxMessageSize: d.part + PrefixSize})
	return d
}

func newDecoder(o Options) *Decoder {
	d := &Decoder{part: o.MaxPart, max: DefaultMaxMessageSize}
	if d.part <= 0 {
		d.part = DefaultMaxPart
	}
	switch {
	case o.MaxMessageSize < 0:
		d.max = 1<<32 - 1
	case o.MaxMessageSize > 0:
		d.max = uint64(o.MaxMessageSize)
	}
	head := defaultPrefix
	if d.max != DefaultMaxMessageSize {
		head = prefix(d.max)
	}
	decl := &cb.Parts[uint8, Prefix]{
		Head:    func(uint8) parse.TryParse[Prefix] { return head },
		Size:    func(p Prefix) uint64 { return uint64(p.Length) },
		Next:    func(uint8, Prefix) uint8 { return 0 },
		MaxPart: d.part,
	}
	d.stream = decl.Stream()
	return d
}

// Parser returns a parse.TryParse that reads the messages of one stream
// as a Decoder does, for a message reader of your own (parse.Consume, a
// test harness), whose maximum message size should be at least
// MaxPart+PrefixSize (a smaller one cuts parts smaller). It keeps the
// stream's state: use a new one for every stream.
func Parser(o Options) parse.TryParse[Message] { return newDecoder(o).parse }

// Next returns the next message part. At the end of the input it returns
// io.EOF if the input ended between messages, and an error matching
// io.ErrUnexpectedEOF if it ended inside one.
func (d *Decoder) Next(ctx context.Context) (Message, error) { return d.r.Next(ctx) }

// All returns an iterator over the message parts; after the loop, Err
// reports the error that ended it, if any (nil at a clean end).
func (d *Decoder) All(ctx context.Context) iter.Seq[Message] { return d.r.All(ctx) }

// Err returns the error that ended All, nil at a clean end of the input.
func (d *Decoder) Err() error { return d.r.Err() }

// Close completes the pipe reader.
func (d *Decoder) Close() error { return d.r.Close() }

// parse reads the next message part from in.
func (d *Decoder) parse(in *parse.Input) (Message, error) {
	if d.stream.Left() == 0 && !d.slow {
		if m, ok := d.whole(in); ok {
			return m, nil
		}
	}
	var p cb.Part[Prefix]
	if err := d.stream.ParseTo(in, &p); err != nil {
		return Message{}, err
	}
	if !p.HasHead {
		m := Message{Prefix: d.cur, Data: p.Data, Pos: d.pos, Left: uint32(p.Left)}
		d.pos += uint32(p.Data.Len())
		return m, nil
	}
	d.cur, d.pos = p.Head, uint32(p.Data.Len())
	return Message{Prefix: p.Head, First: true, Data: p.Data, Left: uint32(p.Left)}, nil
}

// whole is parse's fast path for a valid message whose prefix lies in one
// segment and whose payload, at most a part, is buffered: it reads the
// message by hand as the Parts declaration would (one message, the whole
// payload, nothing left, no byte after it needed) and leaves the stream's
// state as that would. Anything else, valid or not, takes the declared
// path; TestFastPath and FuzzDecoder check that both give the same
// messages and errors.
func (d *Decoder) whole(in *parse.Input) (Message, bool) {
	b := in.Span()
	if len(b) < PrefixSize || b[0] > 1 {
		return Message{}, false
	}
	n := uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4])
	size := PrefixSize + int(n)
	if uint64(n) > d.max || int(n) > d.part || in.Remaining() < size || in.Limit()-in.Consumed() < size {
		return Message{}, false
	}
	p := Prefix{Compressed: b[0] == 1, Length: n}
	in.Advance(PrefixSize)
	data, _ := in.ReadN(int(n))
	d.cur, d.pos = p, n
	return Message{Prefix: p, First: true, Data: data}, true
}
