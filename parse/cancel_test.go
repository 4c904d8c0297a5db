package parse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// TestErrCanceledIsOneSentinel: a cancellation is reported with one
// sentinel, whichever layer reports it.
func TestErrCanceledIsOneSentinel(t *testing.T) {
	if parse.ErrCanceled != pipe.ErrCanceled {
		t.Fatalf("parse.ErrCanceled %q and pipe.ErrCanceled %q are different values", parse.ErrCanceled, pipe.ErrCanceled)
	}
	// The message reader's cancellation matches the pipe's sentinel...
	p := pipe.New(pipe.Options{})
	r := parse.NewReader(p.Reader(), line, parse.Options{})
	p.Reader().CancelPendingRead()
	if _, err := r.Next(context.Background()); !errors.Is(err, pipe.ErrCanceled) {
		t.Errorf("canceled Next: %v, want pipe.ErrCanceled", err)
	}
	// ...and the io view's matches parse's.
	q := pipe.New(pipe.Options{})
	q.Reader().CancelPendingRead()
	if _, err := pipe.AsReader(q.Reader()).Read(make([]byte, 1)); !errors.Is(err, parse.ErrCanceled) {
		t.Errorf("canceled AsReader.Read: %v, want parse.ErrCanceled", err)
	}
}

// TestReaderCancelPendingRead: the Reader's own CancelPendingRead, called
// from another goroutine, ends a pending Next or All step with ErrCanceled;
// nothing is lost and the reader goes on.
func TestReaderCancelPendingRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		p := pipe.New(pipe.Options{})
		w := p.Writer()
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		write(t, w, "a\npar")

		// Next returns the buffered message first, then waits.
		if m, err := r.Next(ctx); m != "a" || err != nil {
			t.Fatalf("Next = %q, %v", m, err)
		}
		errc := make(chan error, 1)
		go func() {
			_, err := r.Next(ctx)
			errc <- err
		}()
		synctest.Wait()
		select {
		case err := <-errc:
			t.Fatalf("Next did not wait: %v", err)
		default:
		}
		go r.CancelPendingRead()
		synctest.Wait()
		if err := <-errc; err != parse.ErrCanceled {
			t.Fatalf("canceled Next: %v", err)
		}
		write(t, w, "tial\nb\n")
		if m, err := r.Next(ctx); m != "partial" || err != nil {
			t.Fatalf("after the cancel: %q, %v", m, err)
		}

		// A pending All step: the loop ends and Err says why.
		var got []string
		done := make(chan struct{})
		go func() {
			defer close(done)
			for m := range r.All(ctx) {
				got = append(got, m)
			}
		}()
		synctest.Wait()
		go r.CancelPendingRead()
		synctest.Wait()
		<-done
		if r.Err() != parse.ErrCanceled || !slices.Equal(got, []string{"b"}) {
			t.Fatalf("All with a cancel: %q, %v", got, r.Err())
		}
		write(t, w, "c\n")
		w.Complete(nil)
		for m := range r.All(ctx) {
			got = append(got, m)
		}
		if r.Err() != nil || !slices.Equal(got, []string{"b", "c"}) {
			t.Fatalf("after the cancels: %q, %v", got, r.Err())
		}
	})
}

// TestReaderCancelPendingReadRace: cancels from another goroutine, as
// fast as it can make them, while the reader reads: every message arrives
// once, in order, and every error is ErrCanceled until the end. Run with
// -race.
func TestReaderCancelPendingReadRace(t *testing.T) {
	const n = 20000
	var input strings.Builder
	for i := range n {
		fmt.Fprintf(&input, "%d\n", i)
	}
	sources := map[string]func() pipe.Reader{
		"pipe": func() pipe.Reader {
			p := pipe.New(pipe.Options{SegmentSize: 16, PauseThreshold: 64, ResumeThreshold: 32})
			feedAsync(p.Writer(), []byte(input.String()), 7)
			return p.Reader()
		},
		"io.Reader": func() pipe.Reader {
			src := iotest.HalfReader(strings.NewReader(input.String()))
			return pipe.NewReader(src, pipe.ReaderOptions{BufferSize: 16})
		},
	}
	for name, open := range sources {
		t.Run(name, func(t *testing.T) {
			r := parse.NewReader(open(), line, parse.Options{})
			var stop atomic.Bool
			var cancels atomic.Int64
			var wg sync.WaitGroup
			wg.Go(func() {
				for !stop.Load() {
					r.CancelPendingRead()
					cancels.Add(1)
				}
			})
			for cancels.Load() == 0 {
				runtime.Gosched() // the canceller is running
			}
			var got []string
			canceled := 0
			var err error
			for {
				var m string
				if m, err = r.Next(context.Background()); err == nil {
					got = append(got, m)
					if len(got)%64 == 0 {
						runtime.Gosched()
					}
					continue
				}
				if err != parse.ErrCanceled {
					break
				}
				canceled++
				runtime.Gosched() // give the canceller a chance between reads
			}
			stop.Store(true)
			wg.Wait()
			if err != io.EOF {
				t.Fatalf("ended with %v", err)
			}
			if canceled == 0 {
				t.Fatalf("no read was canceled in %d cancels", cancels.Load())
			}
			if len(got) != n {
				t.Fatalf("%d messages, want %d", len(got), n)
			}
			for i, m := range got {
				if m != strconv.Itoa(i) {
					t.Fatalf("message %d is %q", i, m)
				}
			}
			t.Logf("%d cancels made, %d reads canceled", cancels.Load(), canceled)
		})
	}
}

// TestConsumerCancelPendingRead: the Consumer's own CancelPendingRead ends
// it as CancelPendingRead on the pipe reader does, leaving the reader open
// with the partial message; once the consumer has ended it has no effect,
// so it cannot cancel a later reader of the same pipe.
func TestConsumerCancelPendingRead(t *testing.T) {
	for _, sched := range []pipe.Scheduler{pipe.Inline, pipe.Goroutine} {
		t.Run(fmt.Sprintf("%T", sched), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				p := pipe.New(pipe.Options{ReaderScheduler: sched})
				w := p.Writer()
				var got []string
				c := parse.Consume(p, line, parse.Options{}, func(m string) error {
					got = append(got, m)
					return nil
				})
				write(t, w, "a\nb\npar")
				synctest.Wait()
				go c.CancelPendingRead()
				synctest.Wait()
				if err := c.Wait(ctx); err != parse.ErrCanceled {
					t.Fatalf("consumer ended with %v", err)
				}
				c.CancelPendingRead() // ended: no effect on the reader below
				write(t, w, "tial\nc\n")
				r := parse.NewReader(p.Reader(), line, parse.Options{})
				for _, want := range []string{"partial", "c"} {
					m, err := r.Next(ctx)
					if err != nil || m != want {
						t.Fatalf("Next after the consumer: %q, %v; want %q", m, err, want)
					}
					got = append(got, m)
				}
				w.Complete(nil)
				if _, err := r.Next(ctx); err != io.EOF {
					t.Fatalf("at the end: %v", err)
				}
				if !slices.Equal(got, []string{"a", "b", "partial", "c"}) {
					t.Fatalf("got %q", got)
				}
			})
		})
	}
}

// TestCancelBeforeAnyByte: a read canceled before the first byte arrived
// returns an empty buffer; the next Next waits for bytes instead of showing
// the parser an empty input (the line parser's scan of a zero sequence
// panicked).
func TestCancelBeforeAnyByte(t *testing.T) {
	ctx := context.Background()
	for _, src := range []string{"pipe", "io.Reader"} {
		t.Run(src, func(t *testing.T) {
			calls := 0
			counted := func(in *parse.Input) (string, error) {
				calls++
				return line(in)
			}
			var pr pipe.Reader
			var w pipe.Writer
			if src == "pipe" {
				p := pipe.New(pipe.Options{})
				pr, w = p.Reader(), p.Writer()
			} else {
				pr = pipe.NewReader(strings.NewReader("a\n"), pipe.ReaderOptions{})
			}
			r := parse.NewReader(pr, counted, parse.Options{})
			pr.CancelPendingRead()
			if _, err := r.Next(ctx); err != parse.ErrCanceled {
				t.Fatalf("canceled Next: %v", err)
			}
			if w != nil {
				write(t, w, "a\n")
				w.Complete(nil)
			}
			if m, err := r.Next(ctx); m != "a" || err != nil {
				t.Fatalf("Next after the cancel = %q, %v", m, err)
			}
			if _, err := r.Next(ctx); err != io.EOF {
				t.Fatalf("at the end: %v", err)
			}
			if calls != 1 {
				t.Errorf("the parser was called %d times for one message", calls)
			}
		})
	}
}
