package pipe

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// Result is what a read returns.
type Result struct {
	// Buffer holds every byte not yet consumed. It is valid until the next
	// AdvanceTo or Complete on the reader that returned it.
	Buffer seq.Sequence
	// Completed reports that the writer has completed: no more bytes will
	// arrive after Buffer.
	Completed bool
	// Canceled reports that the read was ended by CancelPendingRead.
	Canceled bool
}

// FlushResult is what a flush returns.
type FlushResult struct {
	// Completed reports that the reader has completed: flushed bytes were
	// dropped and later ones will be too.
	Completed bool
	// Canceled reports that the flush was ended by CancelPendingFlush.
	Canceled bool
}

// Reader is the consuming side of a pipe.
//
// Every successful Read, ReadAtLeast or TryRead that returns a result must be
// followed by one AdvanceTo before the next read. A read that returns an
// error needs no AdvanceTo. A Reader is used by one goroutine at a time,
// except CancelPendingRead, which any goroutine may call.
type Reader interface {
	// Read returns the buffered bytes, waiting while every buffered byte has
	// been examined and the writer has not completed. It returns ctx.Err()
	// if ctx ends first. If the writer completed with an error, Read returns
	// that error with the remaining bytes in the result, Completed set:
	// this read and every later one, since a result that comes with an
	// error needs no AdvanceTo and cannot be advanced past. Its Buffer
	// stays valid until Complete, so that the bytes flushed before the
	// error can still be used.
	Read(ctx context.Context) (Result, error)
	// ReadAtLeast is like Read but waits until at least n bytes are
	// buffered, the writer completes or the read is canceled.
	ReadAtLeast(ctx context.Context, n int) (Result, error)
	// TryRead is Read without waiting: ok is false if Read would wait.
	TryRead() (res Result, ok bool, err error)
	// AdvanceTo reports that the bytes before consumed are no longer needed
	// and that the bytes before examined were looked at: the next read
	// waits for new bytes if examined is the end of the buffer. Positions
	// must come from the last result, with consumed <= examined, and
	// examined never before a position examined earlier. Misuse panics.
	AdvanceTo(consumed, examined seq.Position)
	// CancelPendingRead makes the pending read, or the next one if none is
	// pending, return at once with Canceled set and no error.
	CancelPendingRead()
	// Complete ends the reader side and frees its memory; err, if not nil,
	// is reported to the writer. Calling it again has no effect.
	Complete(err error)
}

// AdvanceReader is a [Reader] that releases a result and reads the next one
// in one call: the call a consumer makes once per read in its loop. Every
// reader of this package (a [Pipe]'s, [NewReader]'s, [FromSequence]'s) is
// one; [AdvanceAndRead] serves any Reader.
type AdvanceReader interface {
	Reader
	// AdvanceAndRead is AdvanceTo(consumed, examined) followed by
	// Read(ctx), with the same checks, panics, results and errors, made
	// with one call: the result it releases must be the last one handed
	// out, and the result it returns is released by the next AdvanceTo or
	// AdvanceAndRead, as Read's is.
	AdvanceAndRead(ctx context.Context, consumed, examined seq.Position) (Result, error)
}

// AdvanceAndRead releases r's last result up to consumed and examined and
// reads the next one: r.AdvanceAndRead if r is an [AdvanceReader], else
// r.AdvanceTo then r.Read. A consumer that makes many reads asserts r to
// an AdvanceReader once instead.
func AdvanceAndRead(ctx context.Context, r Reader, consumed, examined seq.Position) (Result, error) {
	if a, ok := r.(AdvanceReader); ok {
		return a.AdvanceAndRead(ctx, consumed, examined)
	}
	r.AdvanceTo(consumed, examined)
	return r.Read(ctx)
}

// Writer is the producing side of a pipe.
//
// A Writer is used by one goroutine at a time, except CancelPendingFlush,
// which any goroutine may call.
type Writer interface {
	// Buffer returns writable memory of at least n bytes (at least one byte
	// if n <= 0). It may be longer; its length and identity vary between
	// calls. After Advance, earlier buffers must not be written to. n must
	// not exceed seq.MaxSegment (16 MiB - 1): larger data is written in
	// several buffers, as Write does.
	Buffer(n int) []byte
	// Advance commits the first n bytes of the last buffer. It panics if n
	// is negative or beyond that buffer.
	Advance(n int)
	// Flush makes the committed bytes readable. On a [Pipe] it then waits
	// if the reader has the pause threshold or more flushed bytes not yet
	// examined, until it has fewer than the resume threshold (see
	// [Options]). It returns ctx.Err() if ctx ends first (the bytes stay
	// readable).
	Flush(ctx context.Context) (FlushResult, error)
	// Write copies p into the pipe and flushes it.
	Write(ctx context.Context, p []byte) (FlushResult, error)
	// CancelPendingFlush makes the pending flush, or the next one if none
	// is pending, return at once with Canceled set and no error.
	CancelPendingFlush()
	// Complete commits the bytes written so far and ends the writer side;
	// err, if not nil, is reported to the reader. Calling it again has no
	// effect.
	Complete(err error)
}

// Errors reported for calls made in the wrong state.
var (
	// ErrReaderCompleted is returned by a read after the reader completed.
	ErrReaderCompleted = errors.New("pipe: read after the reader completed")
	// ErrWriterCompleted is returned by a flush or write after the writer
	// completed.
	ErrWriterCompleted = errors.New("pipe: write after the writer completed")
	// ErrReadInProgress is returned by a read (or Notify) made before the
	// last result was released with AdvanceTo. A read made while another
	// read of a [Pipe] is pending (waiting on another goroutine, or
	// registered with Notify) returns an error that says so and matches
	// ErrReadInProgress with errors.Is.
	ErrReadInProgress = errors.New("pipe: read called before the last result was released with AdvanceTo")
	// ErrFlushInProgress is returned by a flush made while another is
	// pending.
	ErrFlushInProgress = errors.New("pipe: flush called while another flush is pending")
)

// errReadPending is returned by a read of a Pipe made while another read
// is pending. It matches ErrReadInProgress.
var errReadPending error = readPendingError{}

type readPendingError struct{}

func (readPendingError) Error() string {
	return "pipe: read called while another read is pending (waiting on another goroutine, or registered with Notify)"
}

func (readPendingError) Is(target error) bool { return target == ErrReadInProgress }

// Scheduler decides where a callback runs. The pipe uses it to run the
// callbacks registered with [Pipe.Notify] when data arrives.
type Scheduler interface {
	// Schedule arranges for f to run once.
	Schedule(f func())
}

// SchedulerFunc adapts a function to a [Scheduler].
type SchedulerFunc func(f func())

// Schedule calls s(f).
func (s SchedulerFunc) Schedule(f func()) { s(f) }

// checkBufferSize panics if no segment can hold n bytes.
func checkBufferSize(n int) {
	if n > seq.MaxSegment {
		panic(fmt.Sprintf("pipe: Buffer(%d) exceeds seq.MaxSegment (%d)", n, seq.MaxSegment))
	}
}

type inline struct{}

func (inline) Schedule(f func()) { f() }

type goroutine struct{}

func (goroutine) Schedule(f func()) { go f() }

var (
	// Inline runs a callback on the goroutine that made it runnable (for a
	// reader callback, the one that flushed): no handoff, lowest latency,
	// but the producer waits for the consumer.
	Inline Scheduler = inline{}
	// Goroutine runs each callback on a new goroutine. It is the default.
	Goroutine Scheduler = goroutine{}
)
