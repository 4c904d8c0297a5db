package parse

import (
	"context"
	"errors"
	"io"
	"sync/atomic"

	"github.com/sluicego/sluice/pipe"
)

// Errors a [Consumer] ends with.
var (
	// ErrStopped is what a Consumer reports after [Consumer.Stop].
	ErrStopped = errors.New("parse: consumer stopped")
	// ErrHandlerPanicked is what a Consumer ends with, and reports to the
	// pipe's writer, when its handler or parser panics. The panic itself
	// goes on up the goroutine that ran the callback.
	ErrHandlerPanicked = errors.New("parse: message handler panicked")
)

// Consumer is the callback form of [Reader]: it parses the messages of a
// [pipe.Pipe] as they arrive and calls a handler once for each, on the
// goroutine that the pipe's ReaderScheduler chooses, with no goroutine of
// its own blocked in a read. Create it with [Consume].
//
// It follows the rules of Reader: every complete message in a buffer is
// handled before the pipe is read again, a partial message is kept while
// the consumer waits for bytes it has not examined, a declared length is
// waited for in one piece, a maximum message size is in force, a parser
// that makes no progress is stopped, and input that ends inside a message
// is an error matching io.ErrUnexpectedEOF.
//
// A message that views pipe memory is valid until the handler call that
// receives it returns. Copy what it views to keep it longer.
type Consumer[T any] struct {
	p      *pipe.Pipe
	src    pipe.Reader
	m      machine[T]
	handle func(T) error
	onRead func(pipe.Result, error) // c.callback, bound once so that re-registering allocates nothing
	state  atomic.Int32
	done   chan struct{}
	err    error // written before done is closed
}

// States of Consumer.state.
const (
	consRunning int32 = iota
	consStopping
	consEnded
)

// Consume starts consuming p's reader with parser and returns at once. For
// every message it calls handle, one call at a time and in order. The
// consumer is driven by [pipe.Pipe.Notify]: each callback parses every
// complete message in the buffer, hands each to handle, advances the pipe
// reader past them and registers again, so handle runs where p's
// ReaderScheduler runs reader callbacks:
//
//   - [pipe.Inline]: on the goroutine that flushed the bytes, before its
//     Flush or Write returns (or on the goroutine calling Consume, before
//     Consume returns, for bytes flushed earlier; or on the goroutine
//     completing the writer or calling Stop);
//   - [pipe.Goroutine], the default: on a new goroutine per callback;
//   - a custom [pipe.Scheduler]: wherever it runs the callback, for
//     instance on one dedicated goroutine.
//
// A callback that finds more bytes flushed by the time it has handled its
// buffer goes on with them itself rather than scheduling another callback.
//
// The consumer owns p's reader until it ends, and ends
//
//   - at the clean end of the input (the writer completed with no byte left
//     after the last message): Err reports nil;
//   - when handle returns an error: Err reports it;
//   - when the input is malformed, ends inside a message, holds a message
//     over the limit, the parser makes no progress, or the writer
//     completed with an error: Err reports the error, as [Reader.Next]
//     would return it (after a writer's error, once every message complete
//     before it was handled, whenever the callback ran);
//   - after [Consumer.Stop]: Err reports [ErrStopped];
//   - after [Consumer.CancelPendingRead] or CancelPendingRead on p's
//     reader: once the messages already buffered are handled, Err reports
//     [ErrCanceled].
//
// In every case but the last the consumer completes p's reader (with the
// error, if any, so that the writer learns it). After CancelPendingRead it
// leaves the reader open with the unconsumed bytes of a partial message in
// it, so that another Consume or a [Reader] can go on where it stopped.
//
// If p's reader has completed or has a read pending, the consumer ends at
// once with the pipe's error and leaves the reader alone.
func Consume[T any](p *pipe.Pipe, parser TryParse[T], opts Options, handle func(T) error) *Consumer[T] {
	c := &Consumer[T]{p: p, src: p.Reader(), handle: handle, done: make(chan struct{})}
	c.m.init(parser, opts)
	c.onRead = c.callback
	if err := p.Notify(c.onRead); err != nil {
		c.end(err, false)
	}
	return c
}

// Done returns a channel that is closed when the consumer has ended: no
// handler call is running or will start.
func (c *Consumer[T]) Done() <-chan struct{} { return c.done }

// Err reports why the consumer ended (see [Consume]): nil at the clean end
// of the input. It returns nil while the consumer is running.
func (c *Consumer[T]) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Wait waits for the consumer to end and returns [Consumer.Err], or
// ctx.Err() if ctx ends first. Calling it from the handler deadlocks.
func (c *Consumer[T]) Wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	default:
	}
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop ends the consumer early: no handler call starts once the one
// running, if any, has returned, and the pipe reader is completed, dropping
// what it holds. Err then reports [ErrStopped]. Stop may be called from any
// goroutine, including from the handler, and does not wait: use
// [Consumer.Wait] for that. (A consumer waiting for bytes on a pipe with
// [pipe.Inline] ends on the goroutine calling Stop, before Stop returns.)
func (c *Consumer[T]) Stop() {
	if c.state.CompareAndSwap(consRunning, consStopping) {
		// Wakes a registered callback, or makes the running one's next
		// read return at once.
		c.src.CancelPendingRead()
	}
}

// CancelPendingRead ends the consumer as CancelPendingRead on p's reader
// does: once the messages already buffered are handled, Err reports
// [ErrCanceled], and the pipe reader is left open holding the partial
// message, so that another Consume or a [Reader] can go on where it
// stopped. It may be called from any goroutine, including from the
// handler, and does not wait. Once the consumer has ended it has no
// effect (so that it cannot cancel a later reader of the pipe), but a call
// that races with the end may still cancel the pipe reader's next read.
func (c *Consumer[T]) CancelPendingRead() {
	if c.state.Load() == consRunning {
		c.src.CancelPendingRead()
	}
}

// callback is what the consumer registers with Notify.
func (c *Consumer[T]) callback(res pipe.Result, err error) {
	returned := false
	defer func() {
		if !returned {
			// handle or the parser panicked (or called runtime.Goexit):
			// end, so that Wait returns and the writer stops, and let the
			// panic go on.
			c.end(ErrHandlerPanicked, true)
		}
	}()
	c.run(res, err)
	returned = true
}

// run handles the messages of res and of the results that follow at once,
// then registers for the next one or ends.
func (c *Consumer[T]) run(res pipe.Result, err error) {
	for {
		var cause error
		if err != nil {
			if res.Buffer.IsEmpty() {
				c.end(err, true)
				return
			}
			// The input failed after these bytes: handle the messages
			// they hold, then end with err. The result needs no AdvanceTo.
			cause, res.Completed = err, false
		}
		c.m.load(res)
		for {
			if c.state.Load() == consStopping {
				c.end(ErrStopped, true)
				return
			}
			// machine.next written out, to save a call per message.
			var msg T
			var err error
			if at := c.m.ready(); at >= 0 {
				if msg, err = c.m.parse(&c.m.in); err != nil || !c.m.fits() {
					msg, err = c.m.outcome(msg, err)
				}
			} else {
				msg, err = c.m.nextSlow()
			}
			if err == errPartial {
				break
			}
			if err == nil {
				err = c.handle(msg)
			}
			if err != nil {
				c.end(err, true)
				return
			}
		}
		if cause != nil {
			c.end(cutError(&c.m, cause), true)
			return
		}
		// The rest is a partial message: keep it and wait for bytes not yet
		// examined.
		c.src.AdvanceTo(c.m.rest.Start(), c.m.rest.End())
		if res.Canceled {
			if c.state.CompareAndSwap(consRunning, consEnded) {
				c.end(ErrCanceled, false)
			} else {
				c.end(ErrStopped, true) // Stop came meanwhile
			}
			return
		}
		var ok bool
		res, ok, err = c.src.TryRead()
		if !ok && err == nil {
			if err = c.p.Notify(c.onRead); err == nil {
				return
			}
		}
	}
}

// end records the consumer's final error, completes the pipe reader if
// complete is set, and closes done. A clean end (io.EOF) is recorded as nil.
func (c *Consumer[T]) end(err error, complete bool) {
	select {
	case <-c.done:
		return
	default:
	}
	c.state.Store(consEnded)
	if complete {
		completeReader(c.src, err)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	c.err = err
	close(c.done)
}
