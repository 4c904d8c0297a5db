package parse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// ErrCanceled is returned by a read that CancelPendingRead (on the
// message reader or on its pipe reader) ended. No buffered byte is lost;
// the next read goes on. It is [pipe.ErrCanceled] itself: one cancellation,
// one sentinel, whichever layer reports it.
var ErrCanceled = pipe.ErrCanceled

// DefaultMaxMessageSize is the maximum message size of a [Reader] whose
// options name none: 4 MiB.
const DefaultMaxMessageSize = 4 << 20

// Options configure a [Reader] or a [Consumer]. The zero value gives the
// defaults.
type Options struct {
	// MaxMessageSize bounds every message, and so the memory a peer can
	// make the reader buffer. A message's size is every byte the parser
	// consumed for it: its delimiters, headers and length fields count,
	// not only its payload (a line of n bytes and its "\r\n" is n+2; a
	// frame of a 4-byte length and an n-byte body is n+4). Zero means
	// DefaultMaxMessageSize. A parser is shown at most MaxMessageSize+1
	// bytes from the start of a message (a message of the maximum size and
	// one byte of lookahead); if it cannot decide from them, the message is
	// too large.
	MaxMessageSize int
}

// Reader reads messages of type T from a pipe reader with a [TryParse],
// doing the pipe's consumed/examined bookkeeping: every complete message in
// a buffer is returned before the pipe is read again, a partial message is
// kept (consumed = its start) while the reader waits for bytes it has not
// examined, and a declared length is waited for in one piece.
//
// A message that views pipe memory is valid until the next call of Next
// (or the next step of All) or Close; the reader advances the pipe only
// then. Keep a message longer by copying what it views. Using a stale view
// panics once the pipe has recycled its memory.
//
// When the pipe's writer completes with an error (or the io.Reader under
// the pipe reader returns one), the reader still returns every message
// complete in the bytes that came before the error, whatever the timing of
// the reads, and then the error: the error itself if no byte is left, an
// [*InterruptedError] if part of a message is (the error wins over the
// truncation, but both match). Those bytes are parsed as input that may
// have gone on, not as the end of the input: an element that only the end
// would decide (an optional suffix at the end of the bytes) is not taken.
//
// Errors are sticky: after the first error every call returns it. The
// reader completes its pipe reader on Close, on the first error and at the
// end of the input. A Reader is used by one goroutine at a time, except
// [Reader.CancelPendingRead], which any goroutine may call.
type Reader[T any] struct {
	src    pipe.Reader
	adv    pipe.AdvanceReader // src, if it releases and reads in one call
	m      machine[T]
	held   bool  // m.res is a read result not yet released with AdvanceTo (unless cause is set)
	cause  error // the error the last read returned with bytes: parse them, then end with it
	err    error // sticky: the input ended, failed or the reader closed
	allErr error // what ended the last All, for Err
}

// NewReader returns a Reader that reads src with p. The Reader owns src
// from then on and completes it.
func NewReader[T any](src pipe.Reader, p TryParse[T], opts Options) *Reader[T] {
	r := &Reader[T]{src: src}
	r.adv, _ = src.(pipe.AdvanceReader)
	r.m.init(p, opts)
	return r
}

// Next returns the next message. At a clean end of input (no byte left
// after the last message) it returns io.EOF. If the input ends inside a
// message it returns a [*TruncatedError], which matches
// io.ErrUnexpectedEOF. If the writer completed with an error, it returns
// that error once every message before it has been returned (an
// [*InterruptedError] wrapping it if part of a message is left). It
// returns ctx.Err() if ctx ends while it waits (nothing is lost and the
// reader stays usable), [ErrCanceled] if the pipe read was canceled
// (likewise), a [*SizeError] for a message over the limit, and the parser's
// error for malformed input. An error found in the bytes before the
// writer's error (malformed input, a message over the limit) comes first,
// as it does in the stream.
func (r *Reader[T]) Next(ctx context.Context) (T, error) {
	// The common case first, written out (an instance of a generic method
	// is not inlined, so a call to machine.next would be a second call per
	// message): the next message is in the buffer already read.
	if m := &r.m; m.qi < m.qn {
		msg := m.q[m.qi]
		m.qi++
		return msg, nil
	}
	if r.held {
		var msg T
		var err error
		if r.m.batch != nil && r.m.fill() {
			r.m.qi = 1
			return r.m.q[0], nil
		}
		if c := r.m.ready(); c >= 0 {
			msg, err = r.m.parse(&r.m.in)
			if err == nil && r.m.fits() {
				return msg, nil
			}
			msg, err = r.m.outcome(msg, err)
		} else {
			msg, err = r.m.nextSlow()
		}
		if err == nil {
			return msg, nil
		}
		return r.next(ctx, err)
	}
	return r.next(ctx, nil)
}

// next is Next after the fast path: err is what parsing the held buffer
// gave, or nil if no buffer is held.
func (r *Reader[T]) next(ctx context.Context, err error) (T, error) {
	var zero T
	for {
		advance := false
		switch {
		case r.err != nil:
			return zero, r.err
		case err == errPartial && r.cause != nil:
			return zero, r.fail(cutError(&r.m, r.cause))
		case err == errPartial:
			// Keep the partial message, wait for bytes not yet examined:
			// read advances the pipe to them.
			advance = true
			r.held = false
		case err != nil:
			return zero, r.fail(err)
		}
		if err := r.read(ctx, advance); err != nil {
			return zero, err
		}
		var msg T
		if msg, err = r.m.next(); err == nil {
			return msg, nil
		}
	}
}

// read fills r.m with the next read of the pipe, first releasing the
// held result up to the partial message at its end if advance is set:
// with one call where the pipe reader can (the common case of a message
// reader: every message of the buffer returned, the partial one kept).
func (r *Reader[T]) read(ctx context.Context, advance bool) error {
	var res pipe.Result
	var err error
	switch {
	case advance && r.m.need == 0 && r.adv != nil:
		res, err = r.adv.AdvanceAndRead(ctx, r.m.rest.Start(), r.m.rest.End())
	case advance:
		r.src.AdvanceTo(r.m.rest.Start(), r.m.rest.End())
		fallthrough
	default:
		if r.m.need > 0 {
			res, err = r.src.ReadAtLeast(ctx, r.m.need)
		} else {
			res, err = r.src.Read(ctx)
		}
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return err // nothing is lost; the caller may read again
		}
		if res.Buffer.IsEmpty() {
			return r.fail(err)
		}
		// The input failed after these bytes: parse the messages they
		// hold, then end with err (see cutError). The result needs no
		// AdvanceTo.
		r.cause = err
		res.Completed = false
	}
	r.m.load(res)
	r.held = true
	if res.Canceled {
		// Keep the result: the next Next parses it and reads on.
		return ErrCanceled
	}
	return nil
}

// fail records err as the reader's final error and completes the pipe
// reader.
func (r *Reader[T]) fail(err error) error {
	r.err = err
	r.held = false
	completeReader(r.src, err)
	return err
}

// cutError is the error that ends the input when a read returned cause
// with bytes, once every message before it is parsed: cause itself if no
// byte is left, else an [*InterruptedError] for the partial message left in
// m.rest.
func cutError[T any](m *machine[T], cause error) error {
	n := m.rest.Len()
	if n == 0 {
		return cause
	}
	return &InterruptedError{Err: cause, Truncated: &TruncatedError{Offset: m.rest.Start().Index() - m.base, Len: n}}
}

// InterruptedError reports that the input failed inside a message: the
// pipe's writer completed with Err, or the io.Reader under the pipe reader
// returned it, after the first bytes of a message had arrived. Every
// message complete before them was delivered first. It matches both Err
// (the cause, which wins) and, through Truncated, [io.ErrUnexpectedEOF]:
// errors.Is(err, Err), errors.Is(err, io.ErrUnexpectedEOF) and errors.As
// with a *[TruncatedError] all succeed.
type InterruptedError struct {
	// Err is the writer's or the source's error.
	Err error
	// Truncated describes the partial message the error cut.
	Truncated *TruncatedError
}

// Error describes the cause and the partial message.
func (e *InterruptedError) Error() string {
	if e.Truncated == nil {
		return fmt.Sprintf("parse: input failed inside a message: %v", e.Err)
	}
	return fmt.Sprintf("parse: input failed inside a message (%s at offset %d): %v", byteCount(e.Truncated.Len), e.Truncated.Offset, e.Err)
}

// Unwrap returns Err and Truncated (Err alone if Truncated is nil).
func (e *InterruptedError) Unwrap() []error {
	if e.Truncated == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Truncated}
}

// completeReader completes src, reporting err to the writer unless it is
// io.EOF, the clean end.
func completeReader(src pipe.Reader, err error) {
	if errors.Is(err, io.EOF) {
		src.Complete(nil)
	} else {
		src.Complete(err)
	}
}

// errPartial is what machine.next returns when the rest of the buffer holds
// only part of a message. It never leaves the package.
var errPartial = errors.New("parse: partial message")

// machine is the parsing state that a [Reader] and a [Consumer] share: the
// read result being parsed, what is left of it after the messages returned
// so far, and what the parser said about the partial message at its end.
// next parses one message; the caller owns the pipe reader and does the
// reads, the AdvanceTo calls and the completion.
type machine[T any] struct {
	parse TryParse[T]
	limit int

	res     pipe.Result
	rest    seq.Sequence // the part of res.Buffer after the returned messages, unless live
	base    int64        // index of the first byte the reader saw
	started bool
	// end is the cursor's Consumed() at the end of res.Buffer while in is
	// a cursor over res.Buffer at the next message (the machine is live),
	// and 0 otherwise: a live buffer is never empty, so one unsigned
	// comparison in ready asks both.
	end int
	// win reports, while the cursor is live, that in reads a window of
	// m.rest (its first limit+1 bytes) rather than all of it; m.rest then
	// starts where the window does.
	win  bool
	need int      // bytes from the message start the parser said it needs
	hint scanHint // the search that ran short in the last attempt on this message
	reps repeats  // the repetitions that ran short in the last attempt on this message
	in   Input    // reused between attempts, so parsing allocates nothing

	// ahead is a cursor over res.Buffer at the end of the window that a
	// parser is shown when more than limit+1 bytes are buffered; it only
	// moves forward, so windows cost linear time over a buffer.
	ahead    seq.Reader
	aheadSet bool

	// batch is the parser's batch form, or nil (batch.go); q[qi:qn] are
	// the messages it read and the reader has not returned yet.
	batch  func(*Input, []T) int
	q      []T
	qi, qn int
}

func (m *machine[T]) init(p TryParse[T], opts Options) {
	m.parse, m.limit = p, opts.MaxMessageSize
	if m.limit <= 0 {
		m.limit = DefaultMaxMessageSize
	}
	m.reps.next = -1
	m.in.reps = &m.reps
	m.batch = batchOf(p)
}

// load makes res the result to parse.
func (m *machine[T]) load(res pipe.Result) {
	if !m.started && !res.Buffer.Start().IsZero() {
		m.started = true
		m.base = res.Buffer.Start().Index()
	}
	m.res, m.rest, m.end = res, res.Buffer, 0
	m.aheadSet = false
}

// next parses the next message from m.rest. It returns the message; or
// errPartial if m.rest holds only part of one, after which the caller
// advances the pipe reader to (m.rest.Start(), m.rest.End()) and reads
// again, at least m.need bytes if that is set; or the error that ends the
// input: io.EOF at a clean end, a [*TruncatedError], a [*SizeError],
// [ErrNoProgress] or the parser's own error.
//
// next itself is the common case, kept small: the cursor stands at the
// start of the next message in the buffer the last one came from, and what
// is left of the buffer (or of the window over it that nextSlow set up)
// fits the limit and its byte of lookahead. It goes
// on with that cursor rather than building a new input, which is what
// makes small messages cheap. While the machine is live, m.need is 0 and
// m.hint and in.hint are clear (only a success leaves the cursor live, and
// it clears them).
func (m *machine[T]) next() (T, error) {
	if c := m.ready(); c >= 0 {
		msg, err := m.parse(&m.in)
		if err == nil && m.fits() {
			return msg, nil
		}
		return m.outcome(msg, err)
	}
	return m.nextSlow()
}

// live reports whether in is a cursor over res.Buffer at the next
// message.
func (m *machine[T]) live() bool { return m.end > 0 }

// ready reports whether next's common case holds and, if so, sets the
// input up for the message at the cursor and returns the cursor's offset;
// it returns -1 if not. Like fits it is small enough to inline, so that
// [Reader.Next] and [Reader.All] have the common case without a call. A
// cursor whose last attempt dismissed a search that ran short
// ([Input.ScanShort]) goes to nextSlow, which sets up a fresh input over
// the rest of the buffer.
func (m *machine[T]) ready() int {
	in := &m.in
	c := in.Reader.Consumed()
	// One unsigned comparison asks for a live cursor (m.end is 0 if not),
	// at least a byte and no more than the limit and its byte of
	// lookahead (the limit is positive).
	if uint(m.end-c-1) > uint(m.limit) || in.short.key != nil {
		return -1
	}
	in.start, in.need = c, 0
	return c
}

// fits reports whether a parser that succeeded from the message start
// (in.start) read a message that outcome would accept as it is: at least a
// byte, and no more than the limit.
func (m *machine[T]) fits() bool {
	return uint(m.in.Reader.Consumed()-m.in.start-1) < uint(m.limit)
}

// nextSlow is next when the cursor is not live, has come to the end of
// what it reads, or follows a search that ran short: it sets up the input
// over m.rest, or over a window of its first limit+1 bytes when more is
// buffered, and parses. The cursor stays live over a window as over a
// whole buffer, so the messages after the window's first are parsed (and
// taken by a batch form) without a new input each; one that the window's
// end cuts is parsed again from its start (see outcome).
func (m *machine[T]) nextSlow() (T, error) {
	var zero T
	in := &m.in
	if m.live() {
		if m.win {
			m.rest = seq.Between(in.Reader.Position(), m.rest.End())
		} else {
			m.rest = in.Reader.Rest()
		}
		m.end = 0
		if m.rest.Len() == 0 && !m.res.Completed {
			return zero, errPartial
		}
	}
	buf := m.rest
	final := m.res.Completed
	windowed := false
	switch n := buf.Len(); {
	case n == 0 && final:
		return zero, io.EOF
	case n == 0:
		// Nothing to parse yet (a canceled read can return an empty,
		// even zero, buffer): wait for bytes rather than show the parser
		// an empty input.
		return zero, errPartial
	case n-1 > m.limit:
		// Show the parser no more than a message of the maximum size and
		// one byte of lookahead, as non-final input: it decides on the
		// bytes it would have seen had the input come in small pieces, so
		// the outcome does not depend on the chunking.
		buf, final, windowed = m.window(buf), false, true
	case m.need > n && !final:
		// A declared length not yet buffered: the parser would say the
		// same again. (A pipe read with Notify or TryRead has no minimum.)
		return zero, errPartial
	}
	base := buf.Start().Index() - m.base
	// Field by field, in place: a whole Input literal is built on the
	// stack and copied, which stalls on the fields just written.
	in.Reader.Init(buf)
	in.final, in.limit, in.max = final, m.limit, m.limit
	in.base, in.start, in.need = base, 0, 0
	if m.hint.key != nil && !m.hint.pos.IsZero() && !samePlace(m.reps.start, buf.Start()) {
		// The pipe moved the message to fresh memory (reps.start is where
		// it started when the attempt that kept the hint ran short; install
		// below forgets it) and may have handed the old segment to another
		// reader: the search resumes by offset (ScanRest, scanPos), never
		// through that segment.
		m.hint.pos = seq.Position{}
	}
	in.hint, in.short = m.hint, scanHint{}
	in.depth = 0 // a panic that left levels entered does not carry over
	if m.reps.any() {
		// The repetitions that ran short in the last attempt resume.
		m.reps.install(in.msg(), buf.Start())
	}
	// The cursor stays live over a window too: the messages after the
	// first are parsed from it as from a whole buffer, and one that the
	// window's end cuts is parsed again over a window of its own (outcome).
	m.end, m.win = buf.Len(), windowed // not 0: an empty buffer returned above
	msg, err := m.parse(in)
	return m.outcome(msg, err)
}

// outcome finishes an attempt that parsed from in.start: it checks a
// message's size, reports a failure as [Input.Furthest] does, and turns a
// need for more input into errPartial, a [*SizeError] or a
// [*TruncatedError].
func (m *machine[T]) outcome(msg T, err error) (T, error) {
	var zero T
	in := &m.in
	if in.fail.set {
		// The furthest failure the attempt dismissed decides its error; the
		// next attempt starts without a record.
		if err != nil {
			err = in.Furthest(err)
		}
		in.fail.set = false
	}
	switch {
	case err == nil:
		n := in.Consumed()
		if n == 0 {
			m.end = 0
			return zero, ErrNoProgress
		}
		if n > m.limit {
			m.end = 0
			return zero, &SizeError{Offset: in.msg(), Limit: m.limit}
		}
		m.need = 0
		if m.hint.key != nil {
			m.hint, in.hint = scanHint{}, scanHint{} // a live cursor has none: see ready
		}
		if m.reps.any() {
			m.reps.clear()
		}
		return msg, nil
	case err == ErrNeedMore || errors.Is(err, ErrNeedMore):
		if m.live() {
			m.end = 0
			if !m.win {
				m.rest = in.Reader.Sequence().From(in.start)
			} else if in.start > 0 {
				// A message after the window's first that ran into the
				// window's end: what it needs may be buffered. Parse it
				// again from its start, over the buffer or a window of
				// its own, as if the cursor had come to it from a read.
				// (What it decided other than a need for more bytes
				// stands: the bytes it saw are the same.)
				m.rest = seq.Between(in.Reader.PositionAt(in.start), m.rest.End())
				m.reps.clear()
				m.hint, in.short = scanHint{}, scanHint{}
				return m.nextSlow()
			}
			// Else the window's first message: m.rest starts at it.
		}
		size := m.rest.Len()
		// The size is decided first: a chunking that showed the parser
		// these bytes before the input was final got this error too.
		if in.need > m.limit+1 || min(size, m.limit+1) > m.limit {
			m.reps.clear()
			return zero, &SizeError{Offset: in.msg(), Limit: m.limit}
		}
		if in.final {
			m.reps.clear()
			return zero, &TruncatedError{Offset: in.msg(), Len: size}
		}
		// A need already met by the buffer is a parser's mistake; waiting
		// for it would make every read return at once with the same bytes.
		// Wait for any new byte instead.
		m.need = 0
		if in.need > size {
			m.need = in.need
		}
		if in.short.n > 0 {
			m.hint = in.short
		}
		m.reps.keep(in.msg(), m.rest.Start())
		return zero, errPartial
	default:
		m.end = 0
		m.reps.clear()
		return zero, err
	}
}

// window returns the first limit+1 bytes of buf, the rest of m.res.Buffer.
func (m *machine[T]) window(buf seq.Sequence) seq.Sequence {
	if len(buf.First()) > m.limit {
		return buf.Slice(0, m.limit+1) // within the first segment: no walk
	}
	if !m.aheadSet {
		m.ahead, m.aheadSet = seq.NewReader(m.res.Buffer), true
	}
	end := m.res.Buffer.Len() - buf.Len() + m.limit + 1 // offset in res.Buffer
	m.ahead.Advance(end - m.ahead.Consumed())
	return seq.Between(buf.Start(), m.ahead.Position())
}

// All returns an iterator over the messages, for use with range. It stops
// at the end of input or at the first error; call [Reader.Err] after the
// loop to tell the two apart:
//
//	for msg := range r.All(ctx) {
//		...
//	}
//	if err := r.Err(); err != nil {
//		...
//	}
func (r *Reader[T]) All(ctx context.Context) iter.Seq[T] {
	return func(yield func(T) bool) {
		r.allErr = nil
		m := &r.m
	loop:
		for {
			// The messages a batch queued, then a new batch: a parser call
			// per batch rather than per message. (The body may call Next,
			// which takes from the same queue, or Close, which empties it.)
			for m.qi < m.qn {
				msg := m.q[m.qi]
				m.qi++
				if !yield(msg) {
					return
				}
			}
			if r.held && m.batch != nil && m.fill() {
				continue
			}
			// Next's common case written out, to save a call per message;
			// the inner loop stays in it while messages follow one another
			// in the buffer held. (No offset lives across the parser call:
			// the message start is in.start, and a value kept around the
			// call costs a store and a load a message.)
			if r.held {
				if m.ready() >= 0 {
					msg, err := m.parse(&m.in)
					for err == nil && m.fits() {
						if !yield(msg) {
							return
						}
						if m.batch != nil || m.ready() < 0 {
							continue loop // a batch, the buffer's end, or a hint: Next decides
						}
						msg, err = m.parse(&m.in)
					}
					if msg, err = m.outcome(msg, err); err != nil {
						msg, err = r.next(ctx, err)
					}
					if err != nil {
						r.allErr = err
						return
					}
					if !yield(msg) {
						return
					}
					continue
				}
			}
			msg, err := r.Next(ctx)
			if err != nil {
				r.allErr = err
				return
			}
			if !yield(msg) {
				return
			}
		}
	}
}

// Err returns the error that ended the last [Reader.All] loop, or nil if
// the input ended cleanly (or the loop was left by break).
func (r *Reader[T]) Err() error {
	if errors.Is(r.allErr, io.EOF) || errors.Is(r.allErr, ErrClosed) {
		return nil
	}
	return r.allErr
}

// CancelPendingRead makes the Reader's pending read of the pipe, or its
// next one if none is pending, return at once: the [Reader.Next] (or
// [Reader.All] step) making it returns [ErrCanceled]. Messages already
// buffered are returned first, nothing is lost, and the reader stays
// usable: the next Next goes on. It is CancelPendingRead on the pipe
// reader, which the Reader owns, and may be called from any goroutine.
func (r *Reader[T]) CancelPendingRead() { r.src.CancelPendingRead() }

// Close completes the pipe reader and makes later reads return
// [ErrClosed]. Messages read before become invalid.
func (r *Reader[T]) Close() error {
	if r.err == nil {
		r.err = ErrClosed
		// The cursor goes with the memory it reads: an All loop whose body
		// closed the reader must not parse the rest of the buffer.
		r.held, r.m.end = false, 0
		clear(r.m.q)
		r.m.qi, r.m.qn = 0, 0
		r.src.Complete(nil)
	}
	return nil
}
