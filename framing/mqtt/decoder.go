package mqtt

import (
	"context"
	"iter"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// Role is the side of a connection whose incoming packets a Decoder reads.
type Role uint8

const (
	// Server reads what a client sends: CONNECT first, which sets the
	// protocol version.
	Server Role = iota
	// Client reads what a server sends, in the version of
	// [Options.Version].
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
	// DefaultMaxPacketSize bounds a packet, fixed header included: 16 MiB.
	// PUBLISH payloads stream in parts, so it does not bound the
	// decoder's memory; it bounds what an application that gathers a
	// message would hold.
	DefaultMaxPacketSize = 16 << 20
	// DefaultMaxHeadSize bounds a packet read whole (every type but
	// PUBLISH): 64 KiB.
	DefaultMaxHeadSize = 64 << 10
	// DefaultMaxPart bounds the payload bytes of one message: 32 KiB.
	DefaultMaxPart = cb.DefaultMaxPart
)

// MaxFixedHeader is the longest fixed header: a byte and a four-byte
// remaining length.
const MaxFixedHeader = 5

// Options configure a Decoder. The zero value gives the defaults.
type Options struct {
	// Version is the protocol version of a Client decoder: V311 if
	// zero. A Server decoder learns it from CONNECT.
	Version Version
	// MaxPacketSize bounds the size of a packet, fixed header included,
	// as MQTT 5's Maximum Packet Size does (ErrPacketTooLarge, decided
	// on the fixed header before a byte of the rest is buffered). Zero
	// means DefaultMaxPacketSize; at most 268435460, the largest packet.
	MaxPacketSize int
	// MaxHeadSize bounds a packet read whole, every type but PUBLISH
	// (ErrPacketTooLarge), and with MaxPart the message reader's limit.
	// Zero means DefaultMaxHeadSize.
	MaxHeadSize int
	// MaxPart bounds the PUBLISH payload bytes of one Packet. Zero means
	// DefaultMaxPart.
	MaxPart int
}

// Decoder reads the control packets of one direction of an MQTT
// connection from a pipe.Reader: each Packet is a whole packet, or a
// PUBLISH head with the first part of its payload, or a later part. It
// enforces the fixed header rules, the packets' layouts and MQTT 5's
// property rules for the connection's protocol version, the packet types
// its Role may receive, and the limits of its Options; the first
// violation ends the stream with an error matching one of the sentinels
// of this package (see ReasonCodeOf for the reason code to answer with).
//
// The packets a Decoder returns view pipe memory until the next read
// (Next, the next step of All, Close). A Decoder is used by one goroutine
// at a time.
type Decoder struct {
	role      Role
	maxPacket uint32
	maxHead   uint32
	part      int

	stream *cb.Stream[uint8, Packet]
	r      *parse.Reader[Packet]

	// connection state, changed only when a message is returned
	version   Version // 0 until a server reads CONNECT
	connected bool
	cur       Packet // the PUBLISH whose payload is being delivered
	pos       uint64

	slow bool // tests: no fast path
}

// NewDecoder returns a Decoder that reads the packets an endpoint of role
// r receives: a Server decodes what a client sends.
func NewDecoder(src pipe.Reader, r Role, o Options) *Decoder {
	d := newDecoder(r, o)
	d.r = parse.NewReader(src, d.parse, parse.Options{MaxMessageSize: int(d.maxHead) + d.part})
	return d
}

func newDecoder(r Role, o Options) *Decoder {
	d := &Decoder{role: r, maxPacket: DefaultMaxPacketSize, maxHead: DefaultMaxHeadSize, part: DefaultMaxPart}
	if o.MaxPacketSize > 0 {
		d.maxPacket = uint32(min(o.MaxPacketSize, maxRem+MaxFixedHeader))
	}
	if o.MaxHeadSize > 0 {
		d.maxHead = uint32(min(o.MaxHeadSize, maxRem+MaxFixedHeader))
	}
	if o.MaxPart > 0 {
		d.part = o.MaxPart
	}
	if r == Client {
		d.version, d.connected = V311, true
		if o.Version != 0 {
			d.version = o.Version
		}
	}
	head := parse.TryParse[Packet](d.head)
	decl := &cb.Parts[uint8, Packet]{
		Head:    func(uint8) parse.TryParse[Packet] { return head },
		Size:    func(p Packet) uint64 { return uint64(p.size) },
		Next:    func(uint8, Packet) uint8 { return 0 },
		MaxPart: d.part,
	}
	d.stream = decl.Stream()
	return d
}

// Parser returns a parse.TryParse that reads the packets of one stream as
// a Decoder does, keeping the connection's state, for a message reader of
// your own (parse.Consume, a test harness). Give that reader a maximum
// message size of at least Options.MaxHeadSize (a packet read whole over
// it is a size error). Use a new parser for every stream.
func Parser(r Role, o Options) parse.TryParse[Packet] { return newDecoder(r, o).parse }

// Next returns the next packet or payload part. At the end of the input it
// returns io.EOF if the input ended between packets, and an error matching
// io.ErrUnexpectedEOF if it ended inside one.
func (d *Decoder) Next(ctx context.Context) (Packet, error) { return d.r.Next(ctx) }

// All returns an iterator over the packets and payload parts; after the
// loop, Err reports the error that ended it, if any (nil at a clean end).
func (d *Decoder) All(ctx context.Context) iter.Seq[Packet] { return d.r.All(ctx) }

// Err returns the error that ended All, nil at a clean end of the input.
func (d *Decoder) Err() error { return d.r.Err() }

// Close completes the pipe reader.
func (d *Decoder) Close() error { return d.r.Close() }

// Version returns the connection's protocol version: 0 until a Server
// decoder has read CONNECT.
func (d *Decoder) Version() Version { return d.version }

// receives is the packet types each role receives, per version.
var receives = [2][2]uint32{
	Server: {on(CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT),
		on(CONNECT, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT, AUTH)},
	Client: {on(CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP),
		on(CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP, DISCONNECT, AUTH)},
}

// check decides on a packet's fixed header what the connection's state
// and the limits allow, before anything after it is buffered. A first
// byte that no grammar accepts is left to the grammar, which says why.
func (d *Decoder) check(b0 byte, rem uint32) *Error {
	t := Type(b0 >> 4)
	if t == 0 || t == AUTH && d.version == V311 {
		return nil
	}
	v := 1
	if d.version == V311 {
		v = 0
	}
	total := uint64(rem) + uint64(varLen(rem)) + 1
	switch {
	case d.role == Server && !d.connected && t != CONNECT:
		return ErrNotConnected
	case d.role == Server && d.connected && t == CONNECT:
		return ErrSecondConnect
	case receives[d.role][v]&(1<<t) == 0:
		return ErrDirection
	case total > uint64(d.maxPacket), t != PUBLISH && total > uint64(d.maxHead):
		return ErrPacketTooLarge
	}
	return nil
}

// head reads a packet, or a PUBLISH up to its payload, after checking its
// fixed header against the connection's state and the limits.
func (d *Decoder) head(in *parse.Input) (Packet, error) {
	off := in.Offset()
	f, ok := fastFixed(in.Span())
	if !ok {
		var err error
		if f, err = fixedHeader(in); err != nil {
			return Packet{}, err
		}
	}
	if e := d.check(f.b0, f.rem); e != nil {
		return Packet{}, &parse.SyntaxError{Offset: off, Msg: "invalid packet", Err: e}
	}
	g := grammar5
	if d.version == V311 {
		g = grammar311
	}
	p, err := g(in)
	p.Length = f.rem
	return p, err
}

// fastFixed reads a fixed header from b by hand: ok is false where b does
// not hold a whole one that is well-formed, for the declared fixedHeader
// to read or refuse.
func fastFixed(b []byte) (fixed, bool) {
	if len(b) < 2 {
		return fixed{}, false
	}
	if b[1] < 0x80 {
		return fixed{b[0], uint32(b[1])}, true
	}
	var n uint32
	for i := 1; i < len(b) && i <= 4; i++ {
		n |= uint32(b[i]&0x7f) << (7 * (i - 1))
		if b[i] < 0x80 {
			return fixed{b[0], n}, b[i] != 0
		}
	}
	return fixed{}, false
}

// parse reads the next packet or payload part from in.
func (d *Decoder) parse(in *parse.Input) (Packet, error) {
	if d.stream.Left() == 0 && !d.slow {
		if p, ok := d.whole(in); ok {
			return p, nil
		}
	}
	var part cb.Part[Packet]
	if err := d.stream.ParseTo(in, &part); err != nil {
		return Packet{}, err
	}
	if !part.HasHead {
		p := d.cur
		p.Data, p.Pos, p.Left = part.Data, d.pos, part.Left
		d.pos += uint64(part.Data.Len())
		return p, nil
	}
	p := part.Head
	p.Data, p.Left = part.Data, part.Left
	if p.Type == CONNECT {
		d.connected, d.version = true, p.Connect.Version
	}
	if p.Left > 0 {
		// The head's views die with this message: later parts carry its
		// plain fields.
		d.cur = Packet{Type: p.Type, Flags: p.Flags, Length: p.Length, Dup: p.Dup, QoS: p.QoS, Retain: p.Retain, ID: p.ID}
		d.pos = uint64(p.Data.Len())
	}
	return p, nil
}
