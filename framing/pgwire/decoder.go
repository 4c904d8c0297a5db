package pgwire

import (
	"context"
	"iter"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// Limits and their defaults.
const (
	// DefaultMaxFrontend bounds a frontend message, type byte and length
	// word included: 1 MiB. A Bind with larger parameters or a larger
	// CopyData needs a larger Options.MaxMessageSize.
	DefaultMaxFrontend = 1 << 20
	// DefaultMaxBackend bounds a backend message: 16 MiB, which a DataRow
	// of wide text or bytea columns may need. Rows are bounded, not
	// streamed.
	DefaultMaxBackend = 16 << 20
	// DefaultMaxStartup bounds an untyped startup packet: 10000 bytes,
	// PostgreSQL's own MAX_STARTUP_PACKET_LENGTH.
	DefaultMaxStartup = 10000
	// MaxLength is the largest message the protocol allows: a length
	// word of 1 GiB - 1 (PostgreSQL's PQ_LARGE_MESSAGE_LIMIT), plus the
	// type byte. A larger Options.MaxMessageSize is lowered to it.
	MaxLength = 1<<30 - 1 + 1
)

// Options configure a Decoder. The zero value gives the defaults.
type Options struct {
	// MaxMessageSize bounds a typed message, type byte and length word
	// included: a longer declared length is a *parse.SizeError before a
	// byte of its body is buffered. Zero means DefaultMaxFrontend or
	// DefaultMaxBackend by direction; values over MaxLength are lowered
	// to it.
	MaxMessageSize int
	// MaxStartupSize bounds an untyped startup packet. Zero means
	// DefaultMaxStartup.
	MaxStartupSize int
	// Typed makes a frontend Decoder start after the startup phase, for
	// a stream whose StartupMessage was read elsewhere.
	Typed bool
}

// phase is where a stream is.
type phase uint8

const (
	phaseStartup phase = iota // frontend: untyped packets
	phaseTyped                // typed messages
	phaseEnded                // nothing more may follow
)

// Decoder reads the messages of one direction of a PostgreSQL connection
// from a pipe.Reader, keeping the connection's state: a frontend stream's
// startup phase, and the answers a backend stream owes. The first error
// ends the stream.
//
// The messages it returns view pipe memory until the next read (Next, the
// next step of All, Close). A Decoder is used by one goroutine at a time.
type Decoder struct {
	dir     Direction
	phase   phase
	answers int  // backend: one-byte answers expected before the next typed message
	startup int  // the startup packet limit
	slow    bool // tests: no fast path
	fast    bool // a backend stream owing no answer: fastDataRow may read the next message (see setFast)
	r       *parse.Reader[*Message]

	msg   Message // the message returned last
	dirty bool    // msg may have fields other than those fastDataRow writes
	cols  []col   // msg's values (Message.cols), reused
}

// NewDecoder returns a Decoder of the messages that the dir side of a
// connection sends, read from src.
func NewDecoder(src pipe.Reader, dir Direction, o Options) *Decoder {
	d, limit := newDecoder(dir, o)
	// d.parse with its first test written out: a row of the fast path
	// costs one indirect call, not two (the method value's wrapper).
	p := func(in *parse.Input) (*Message, error) {
		if d.fast && d.fastDataRow(in) {
			return &d.msg, nil
		}
		return d.parseSlow(in)
	}
	d.r = parse.NewReader(src, p, parse.Options{MaxMessageSize: limit})
	return d
}

func newDecoder(dir Direction, o Options) (*Decoder, int) {
	d := &Decoder{dir: dir, startup: o.MaxStartupSize}
	if d.startup <= 0 {
		d.startup = DefaultMaxStartup
	}
	if dir == Backend || o.Typed {
		d.phase = phaseTyped
	}
	d.setFast()
	limit := o.MaxMessageSize
	switch {
	case limit <= 0 && dir == Backend:
		limit = DefaultMaxBackend
	case limit <= 0:
		limit = DefaultMaxFrontend
	case limit > MaxLength:
		limit = MaxLength
	}
	return d, max(limit, d.startup)
}

// Parser returns a parse.TryParse that reads the messages of one stream
// as a Decoder does, keeping its state, for a message reader of your own
// (parse.Consume, a test harness), with o's limits. Give that reader a
// maximum message size no smaller than o's MaxMessageSize. Use a new parser
// for every stream.
func Parser(dir Direction, o Options) parse.TryParse[*Message] {
	d, _ := newDecoder(dir, o)
	return d.parse
}

// ExpectAnswer tells a backend Decoder that the frontend sent an
// SSLRequest or GSSENCRequest: the next byte of the backend stream is its
// one-byte answer ('S' or 'N'), not a typed message. After an 'S' the
// stream is TLS or GSSAPI and the Decoder reads nothing more.
func (d *Decoder) ExpectAnswer() {
	d.answers++
	d.setFast()
}

// setFast decides, once per change of the state, whether a message may be
// a DataRow for fastDataRow: a backend stream of typed messages that owes
// no answer byte.
func (d *Decoder) setFast() {
	d.fast = d.dir == Backend && d.answers == 0 && !d.slow && d.phase == phaseTyped
}

// Next returns the next message, which the Decoder owns: it and its views
// are valid until the next read, and it is not to be changed (the Decoder
// writes only some fields of the next message into it). At the end of the
// input it returns io.EOF if the input ended between messages, and an
// error matching io.ErrUnexpectedEOF if it ended inside one.
func (d *Decoder) Next(ctx context.Context) (*Message, error) { return d.r.Next(ctx) }

// All returns an iterator over the messages, each valid until the next
// step; after the loop, Err reports
// the error that ended it, if any (nil at a clean end).
func (d *Decoder) All(ctx context.Context) iter.Seq[*Message] { return d.r.All(ctx) }

// Err returns the error that ended All, nil at a clean end of the input.
func (d *Decoder) Err() error { return d.r.Err() }

// Close completes the pipe reader.
func (d *Decoder) Close() error { return d.r.Close() }

// Startup reports whether a frontend stream is still in its startup phase
// (no StartupMessage read yet).
func (d *Decoder) Startup() bool { return d.phase == phaseStartup }

// parse reads the next message into d.msg and returns it: one Message per
// Decoder, overwritten by every read, so that a message is not copied on
// its way to the caller.
func (d *Decoder) parse(in *parse.Input) (*Message, error) {
	if d.fast && d.fastDataRow(in) {
		return &d.msg, nil
	}
	return d.parseSlow(in)
}

// parseSlow is parse for a message that fastDataRow does not read.
func (d *Decoder) parseSlow(in *parse.Input) (*Message, error) {
	if d.fast {
		if size := partialRow(in); size > 0 {
			return nil, in.NeedMore(size)
		}
	}
	m, err := d.next(in)
	if err != nil {
		return nil, err
	}
	flat := d.msg.flat
	d.msg = m
	d.msg.flat, d.dirty = flat, true
	switch m.Kind {
	case KindDataRow:
		d.cols = d.msg.setParsed(2, d.cols) // after the count
	case KindBind:
		// After the portal and statement names, their NULs, the format
		// codes and their count, and the count of parameters.
		d.cols = d.msg.setParsed(m.Name.Len()+1+m.Text.Len()+1+2+m.Formats.Len()+2, d.cols)
	case KindFunctionCallResponse:
		d.cols = d.msg.setParsed(0, d.cols)
	}
	return &d.msg, nil
}

// next reads the next message and moves the state past it; the state
// changes only when a message is returned.
func (d *Decoder) next(in *parse.Input) (Message, error) {
	switch {
	case d.phase == phaseEnded:
		if in.Remaining() == 0 {
			return Message{}, in.NeedMore(1)
		}
		return Message{}, &parse.SyntaxError{Offset: in.Offset(), Msg: "unexpected bytes", Err: ErrAfterEnd}
	case d.dir == Backend && d.answers > 0:
		m, err := answer(in)
		if err != nil {
			return m, err
		}
		d.answers--
		if m.Byte == 'S' {
			d.phase = phaseEnded
		}
		d.setFast()
		return m, nil
	case d.dir == Backend:
		return backendTyped(in)
	case d.phase == phaseTyped:
		return frontendTyped(in)
	}
	m, err := parse.Limited(in, d.startup, untyped)
	if err != nil {
		return m, err
	}
	switch m.Kind {
	case KindStartup:
		d.phase = phaseTyped
	case KindCancelRequest:
		d.phase = phaseEnded
	}
	return m, nil
}
