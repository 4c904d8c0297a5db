// Package sse frames a WHATWG text/event-stream (server-sent events) as the
// HTML standard's "event stream interpretation" reads it.
//
// A message is an event block: the lines up to a blank line. Lines end
// in CR, LF or CRLF (a CR and an LF that arrive in different reads are one
// line end); a UTF-8 byte order mark is skipped at the start of the stream
// only; lines starting with ':' are comments; a line "name:value" sets the
// field name (one space after the colon is dropped), and a line without a
// colon is a field with an empty value. The fields are data (its lines
// joined with LF), event, id (ignored if it holds a NUL) and retry (ignored
// unless it is all ASCII digits); other fields are ignored. A block fires an
// event only if it has a data field; a block the stream ends inside is not
// dispatched. Bytes are handed over as they are: the stream is not decoded
// from UTF-8 (a browser replaces invalid sequences with U+FFFD).
//
// Lines and event blocks have maximum sizes, on by default; one over its
// maximum is a [*framing.TooLongError].
package sse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"iter"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/internal/memo"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

const (
	// DefaultMaxLine is the longest line, without its line end, when
	// Options name none: 64 KiB.
	DefaultMaxLine = 64 << 10
	// DefaultMaxEvent is the longest event block, its lines, their line
	// ends and the blank line, when Options name none: 1 MiB.
	DefaultMaxEvent = 1 << 20
)

// Options configure a [Stream] or a [Reader]. The zero value gives the
// defaults.
type Options struct {
	// MaxLine is the longest line without its line end: 0 means
	// DefaultMaxLine.
	MaxLine int
	// MaxEvent is the longest event block: 0 means DefaultMaxEvent. The
	// message reader's maximum message size bounds it too.
	MaxEvent int
}

// Event is one event block of a stream. Its views (Type, the data and
// LastEventID) are valid until the next read from the message reader.
type Event struct {
	// Type is the value of the block's last event field: empty means
	// "message", as for a block without one.
	Type seq.Sequence
	// LastEventID is the stream's last event ID after this block: the
	// value of its last id field without a NUL, or the one before.
	LastEventID []byte
	// Retry is the reconnection time in milliseconds that the block's
	// last valid retry field set, or -1 if it set none.
	Retry int64
	// Dispatch reports whether the block fires an event: it has a data
	// field. A block without (only comments, id or retry fields) fires
	// none, but its id and retry still take effect.
	Dispatch bool
	// ID is the value of the block's last id field without a NUL, and
	// HasID whether it has one (an empty id resets the last event ID).
	ID    seq.Sequence
	HasID bool

	data  seq.Sequence // the value of the only data field
	lines int          // how many data fields
	block seq.Sequence // the block's lines, for joining several data fields
}

// DataLines reports how many data fields the block has.
func (e *Event) DataLines() int { return e.lines }

// AppendData appends the event's data to dst: the values of its data
// fields joined with LF.
func (e *Event) AppendData(dst []byte) []byte {
	if e.lines <= 1 {
		return e.data.AppendTo(dst)
	}
	n := 0
	eachField(e.block.Bytes(), func(name, value []byte) {
		if string(name) == "data" {
			if n > 0 {
				dst = append(dst, '\n')
			}
			dst = append(dst, value...)
			n++
		}
	})
	return dst
}

// Data returns the event's data as a string (a copy).
func (e *Event) Data() string { return string(e.AppendData(nil)) }

// eachField calls f for each field line of a complete block b, in order,
// with the line's field name and value; it stops at the blank line.
func eachField(b []byte, f func(name, value []byte)) {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			i = len(b)
		}
		line := b[:i]
		if i == 0 {
			return
		}
		next := i + 1
		if i < len(b) && b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			next = i + 2
		}
		b = b[min(next, len(b)):]
		name, value := splitField(line)
		if name != nil {
			f(name, value)
		}
	}
}

// splitField splits a line into its field name and value, or returns a
// nil name for a comment.
func splitField(line []byte) (name, value []byte) {
	if len(line) > 0 && line[0] == ':' {
		return nil, nil
	}
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return line, line[len(line):]
	}
	value = line[i+1:]
	if len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	return line[:i], value
}

// field is one field line of a block: its name and value as views.
type field struct {
	name, value seq.Sequence
}

// lineOf splits a line's view into a field, a comment giving an empty
// name.
func lineOf(line seq.Sequence) field {
	var first [1]byte
	if line.CopyTo(first[:]) == 1 && first[0] == ':' {
		return field{}
	}
	i := line.IndexByte(':')
	if i < 0 {
		return field{name: line, value: line.From(line.Len())}
	}
	value := line.From(i + 1)
	if value.CopyTo(first[:]) == 1 && first[0] == ' ' {
		value = value.From(1)
	}
	return field{name: line.Slice(0, i), value: value}
}

var (
	nameData  = []byte("data")
	nameEvent = []byte("event")
	nameID    = []byte("id")
	nameRetry = []byte("retry")
)

// add applies a field line to the block's event.
func add(e Event, f field) Event {
	switch n := f.name.Len(); {
	case n == 4 && f.name.Equal(nameData):
		if e.lines == 0 {
			e.data = f.value
		}
		e.lines++
		e.Dispatch = true
	case n == 5 && f.name.Equal(nameEvent):
		e.Type = f.value
	case n == 2 && f.name.Equal(nameID):
		if f.value.IndexByte(0) < 0 {
			e.ID, e.HasID = f.value, true
		}
	case n == 5 && f.name.Equal(nameRetry):
		if r, ok := retry(f.value); ok {
			e.Retry = r
		}
	}
	return e
}

// retry reads a retry value: ASCII digits only, at least one, that fit an
// int64.
func retry(v seq.Sequence) (int64, bool) {
	if v.IsEmpty() {
		return 0, false
	}
	var r int64
	for chunk := range v.Chunks() {
		for _, b := range chunk {
			if b < '0' || b > '9' || r > (math.MaxInt64-int64(b-'0'))/10 {
				return 0, false
			}
			r = r*10 + int64(b-'0')
		}
	}
	return r, true
}

// grammar is the declared grammar of one block, and the limits it was
// declared with.
type grammar struct {
	block           parse.TryParse[Event]
	maxLine, maxEvt int
}

// limits returns the line and event maxima of o, the defaults for zero.
func (o Options) limits() [2]int {
	l := [2]int{o.MaxLine, o.MaxEvent}
	if l[0] <= 0 {
		l[0] = DefaultMaxLine
	}
	if l[1] <= 0 {
		l[1] = DefaultMaxEvent
	}
	return l
}

// declare declares the grammar of a block with the limits l (limits).
func declare(l [2]int) grammar {
	g := grammar{maxLine: l[0], maxEvt: l[1]}
	// A line ends at CR, LF or CRLF: combinators.TakeUntilAny's rule, the
	// earliest, then the longest, waits for the byte after a CR inside a
	// block (the next line is needed anyway). The blank line that ends a
	// block is its first byte alone, so that a block ending in CR is
	// delivered at once; Stream skips an LF after it.
	max := g.maxLine
	line := c.MapErr(c.Limit(max+2, c.TakeUntilAny("\r\n", "\n", "\r")), func(l seq.Sequence) (field, error) {
		if l.Len() > max {
			return field{}, errLine
		}
		return lineOf(l), nil
	})
	blank := c.Label("blank line", c.Dispatch(map[byte]parse.TryParse[byte]{'\r': c.Byte('\r'), '\n': c.Byte('\n')}, nil))
	g.block = c.Limit(g.maxEvt, c.FoldTill(line, blank, 0, -1, Event{Retry: -1}, add))
	return g
}

var bom = []byte("\xef\xbb\xbf")

// errLine marks a line over the maximum that fit the limit with its line
// end, made a *framing.TooLongError at the line's start.
var errLine = errors.New("sse: line too long")

// Stream reads the event blocks of one text/event-stream. It keeps what
// the standard keeps between blocks: whether the stream has started (a BOM
// is skipped only at its start), whether the last block ended with a CR
// (an LF right after it belongs to that line end, however late it comes),
// and the last event ID. Parse is the grammar, handed to one message
// reader; its state moves only when it returns a message. Make one per
// stream; Reset starts a new one.
type Stream struct {
	g       grammar
	started bool
	afterCR bool
	lastID  []byte
}

// NewStream returns a stream read with o.
//
// Streams with the same limits share one declared grammar, made by the
// first of them: it holds no state of a stream's (TestSetupShared).
func NewStream(o Options) *Stream { return &Stream{g: grammars.Get(o.limits(), declare)} }

// grammars holds the grammars that streams share, by their limits.
var grammars memo.Table[[2]int, grammar]

// Reset makes s read a new stream from its start, with no last event ID.
func (s *Stream) Reset() { s.started, s.afterCR, s.lastID = false, false, s.lastID[:0] }

// Parse is the grammar of the stream's next event block. A line or a block
// over its maximum is a *framing.TooLongError at its first byte.
func (s *Stream) Parse(in *parse.Input) (Event, error) {
	if !s.started {
		if r := in.Remaining(); r < len(bom) && !in.Final() && in.IsNext(bom[:r]) {
			return Event{}, in.NeedMore(len(bom))
		}
		in.SkipPrefix(bom)
	}
	if s.afterCR {
		b, ok := in.Peek()
		if !ok && !in.Final() {
			return Event{}, in.NeedMore(1)
		}
		if ok && b == '\n' {
			in.Advance(1)
		}
	}
	start := in.Consumed()
	if in.AtEnd() && in.Final() && start > 0 {
		// Only a BOM or the LF of a CRLF was left: a message of no event,
		// so that the stream ends cleanly.
		s.started, s.afterCR = true, false
		return Event{Retry: -1, LastEventID: s.lastID}, nil
	}
	off := in.Offset()
	ev, err := s.g.block(in)
	if err != nil {
		var se *parse.SizeError
		var syn *parse.SyntaxError
		if errors.Is(err, errLine) && errors.As(err, &syn) {
			return ev, &framing.TooLongError{Offset: syn.Offset, Max: s.g.maxLine}
		}
		if errors.As(err, &se) {
			switch {
			case se.Limit == s.g.maxEvt && se.Offset == off:
				return ev, &framing.TooLongError{Offset: off, Max: s.g.maxEvt}
			case se.Limit == s.g.maxLine+2:
				return ev, &framing.TooLongError{Offset: se.Offset, Max: s.g.maxLine}
			}
		}
		return ev, err
	}
	ev.block = in.Sequence().Slice(start, in.Consumed())
	var last [1]byte
	ev.block.From(ev.block.Len() - 1).CopyTo(last[:])
	if ev.HasID {
		s.lastID = ev.ID.AppendTo(s.lastID[:0])
	}
	ev.LastEventID = s.lastID
	s.started, s.afterCR = true, last[0] == '\r'
	return ev, nil
}

// Reader reads the events a text/event-stream dispatches from a pipe
// reader: blocks without data are read for their id and retry fields and
// not returned. It is used by one goroutine at a time.
type Reader struct {
	s     *Stream
	r     *parse.Reader[Event]
	retry int64
	err   error
}

// NewReader returns a Reader of src, which it owns and completes. Its
// maximum message size is a little more than the event maximum, so that
// an over-long block is the block's error (*framing.TooLongError).
func NewReader(src pipe.Reader, o Options) *Reader {
	s := NewStream(o)
	return &Reader{s: s, r: parse.NewReader(src, s.Parse, parse.Options{MaxMessageSize: s.g.maxEvt + 8}), retry: -1}
}

// Next returns the next event that fires. At the end of the stream it
// returns io.EOF if the stream ended between blocks, and an error matching
// io.ErrUnexpectedEOF (a *parse.TruncatedError) if it ended inside one,
// which, as the standard says, is not dispatched. The event's views are
// valid until the next call.
func (r *Reader) Next(ctx context.Context) (Event, error) {
	for {
		ev, err := r.r.Next(ctx)
		if err != nil {
			return ev, err
		}
		if ev.Retry >= 0 {
			r.retry = ev.Retry
		}
		if ev.Dispatch {
			return ev, nil
		}
	}
}

// All returns an iterator over the events that fire; call [Reader.Err]
// after the loop.
func (r *Reader) All(ctx context.Context) iter.Seq[Event] {
	return func(yield func(Event) bool) {
		r.err = nil
		for {
			ev, err := r.Next(ctx)
			if err != nil {
				if err != io.EOF {
					r.err = err
				}
				return
			}
			if !yield(ev) {
				return
			}
		}
	}
}

// Err returns the error that ended the last All loop, or nil if the
// stream ended between blocks.
func (r *Reader) Err() error { return r.err }

// Retry returns the reconnection time in milliseconds that the stream set
// last, or -1 if it set none.
func (r *Reader) Retry() int64 { return r.retry }

// LastEventID returns the stream's last event ID so far (a copy), which a
// client sends as Last-Event-ID when it reconnects.
func (r *Reader) LastEventID() string { return string(r.s.lastID) }

// Close completes the pipe reader; events read before become invalid.
func (r *Reader) Close() error { return r.r.Close() }
