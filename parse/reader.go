package parse

import (
	"context"
	"errors"
	"io"
	"iter"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// DefaultMaxMessageSize is the maximum message size of a [Reader] whose
// options name none: 4 MiB.
const DefaultMaxMessageSize = 4 << 20

// Options configure a [Reader]. The zero value gives the defaults.
type Options struct {
	// MaxMessageSize bounds every message, and so the memory a peer can
	// make the reader buffer. Zero means DefaultMaxMessageSize.
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
// Errors are sticky: after the first error every call returns it. The
// reader completes its pipe reader on Close, on the first error and at the
// end of the input. A Reader is used by one goroutine at a time.
type Reader[T any] struct {
	src   pipe.Reader
	parse TryParse[T]
	limit int

	res     pipe.Result
	held    bool         // res is a read result not yet released with AdvanceTo
	rest    seq.Sequence // the part of res.Buffer after the returned messages
	base    int64        // index of the first byte this reader saw
	started bool
	need    int // bytes from the message start the parser said it needs
	hintAt  int // delimiter-search hint of the last attempt on this message
	hintN   int
	hintPos seq.Position
	err     error // sticky: the input ended, failed or the reader closed
	allErr  error // what ended the last All, for Err
	in      Input // reused between attempts, so parsing allocates nothing
}

// NewReader returns a Reader that reads src with p. The Reader owns src
// from then on and completes it.
func NewReader[T any](src pipe.Reader, p TryParse[T], opts Options) *Reader[T] {
	limit := opts.MaxMessageSize
	if limit <= 0 {
		limit = DefaultMaxMessageSize
	}
	return &Reader[T]{src: src, parse: p, limit: limit, hintAt: -1}
}

// Next returns the next message. At a clean end of input (no byte left
// after the last message) it returns io.EOF. If the input ends inside a
// message it returns a [*TruncatedError], which matches
// io.ErrUnexpectedEOF. It returns ctx.Err() if ctx ends while it waits
// (the reader stays usable), [ErrCanceled] if the pipe read was canceled
// (likewise), a [*SizeError] for a message over the limit, and the parser's
// error for malformed input.
func (r *Reader[T]) Next(ctx context.Context) (T, error) {
	var zero T
	if r.err != nil {
		return zero, r.err
	}
	for {
		if !r.held {
			if err := r.read(ctx); err != nil {
				return zero, err
			}
			continue
		}
		buf := r.rest
		if buf.Len() == 0 && r.res.Completed {
			return zero, r.fail(io.EOF)
		}
		in := &r.in
		*in = Input{
			Reader: seq.NewReader(buf),
			final:  r.res.Completed,
			limit:  r.limit,
			base:   r.offsetOf(buf),
			hintAt: r.hintAt, hintSeen: r.hintN, hintPos: r.hintPos,
			child: in.child,
		}
		msg, err := r.parse(in)
		switch {
		case err == nil:
			n := in.Consumed()
			if n == 0 {
				return zero, r.fail(ErrNoProgress)
			}
			if n > r.limit {
				return zero, r.fail(&SizeError{Offset: in.base, Limit: r.limit})
			}
			r.rest = buf.From(n)
			r.need, r.hintAt, r.hintN, r.hintPos = 0, -1, 0, seq.Position{}
			return msg, nil
		case errors.Is(err, ErrNeedMore):
			if r.res.Completed {
				return zero, r.fail(&TruncatedError{Offset: in.base, Len: buf.Len()})
			}
			if in.need > r.limit || buf.Len() >= r.limit {
				return zero, r.fail(&SizeError{Offset: in.base, Limit: r.limit})
			}
			r.need = in.need
			if in.scanned > 0 {
				r.hintAt, r.hintN, r.hintPos = in.scanAt, in.scanned, in.scanPos
			}
			// Keep the partial message, wait for bytes not yet examined.
			r.src.AdvanceTo(buf.Start(), buf.End())
			r.held = false
		default:
			return zero, r.fail(err)
		}
	}
}

// read fills r.res with the next read of the pipe.
func (r *Reader[T]) read(ctx context.Context) error {
	var res pipe.Result
	var err error
	if r.need > 0 {
		res, err = r.src.ReadAtLeast(ctx, r.need)
	} else {
		res, err = r.src.Read(ctx)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return err // nothing is lost; the caller may read again
		}
		return r.fail(err)
	}
	if !r.started && !res.Buffer.Start().IsZero() {
		r.started = true
		r.base = res.Buffer.Start().Index()
	}
	r.res, r.held, r.rest = res, true, res.Buffer
	if res.Canceled {
		// Keep the result: the next Next parses it and reads on.
		return ErrCanceled
	}
	return nil
}

// offsetOf reports the stream offset of buf's first byte.
func (r *Reader[T]) offsetOf(buf seq.Sequence) int64 {
	return buf.Start().Index() - r.base
}

// fail records err as the reader's final error and completes the pipe
// reader.
func (r *Reader[T]) fail(err error) error {
	r.err = err
	r.held = false
	if errors.Is(err, io.EOF) {
		r.src.Complete(nil)
	} else {
		r.src.Complete(err)
	}
	return err
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
		for {
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

// Close completes the pipe reader and makes later reads return
// [ErrClosed]. Messages read before become invalid.
func (r *Reader[T]) Close() error {
	if r.err == nil {
		r.err = ErrClosed
		r.held = false
		r.src.Complete(nil)
	}
	return nil
}
