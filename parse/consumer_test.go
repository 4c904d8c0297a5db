package parse_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// dedicated is a pipe.Scheduler that runs every callback, in order, on one
// goroutine of its own. Its queue is unbounded, so that a callback may
// schedule another without waiting for itself.
type dedicated struct {
	mu      sync.Mutex
	queue   []func()
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	id      uint64
	started chan struct{}
	runs    int
}

func newDedicated() *dedicated {
	d := &dedicated{wake: make(chan struct{}, 1), done: make(chan struct{}), started: make(chan struct{})}
	go d.loop()
	<-d.started
	return d
}

func (d *dedicated) loop() {
	defer close(d.done)
	d.id = goid()
	close(d.started)
	for {
		d.mu.Lock()
		for len(d.queue) == 0 {
			if d.closed {
				d.mu.Unlock()
				return
			}
			d.mu.Unlock()
			<-d.wake
			d.mu.Lock()
		}
		f := d.queue[0]
		d.queue = d.queue[1:]
		d.runs++
		d.mu.Unlock()
		f()
	}
}

func (d *dedicated) Schedule(f func()) {
	d.mu.Lock()
	d.queue = append(d.queue, f)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// close stops the goroutine once the queue is empty and waits for it.
func (d *dedicated) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	<-d.done
}

// consumeOutcome consumes input fed in pieces of k bytes through a pipe
// with the given scheduler: from the test's goroutine for Inline (so that
// the chunking is exactly k bytes per callback), from another goroutine
// otherwise.
func consumeOutcome(t *testing.T, sched pipe.Scheduler, input []byte, k int, p parse.TryParse[string], opts parse.Options) outcome {
	t.Helper()
	pp := pipe.New(pipe.Options{ReaderScheduler: sched, SegmentSize: 8, Pool: &countingPool{}, PauseThreshold: 32, ResumeThreshold: 16})
	var msgs []string
	c := parse.Consume(pp, p, opts, func(m string) error {
		msgs = append(msgs, m)
		return nil
	})
	if sched == pipe.Inline {
		feed(pp.Writer(), input, k)
	} else {
		defer feedAsync(pp.Writer(), input, k)()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.Wait(ctx)
	if err == context.DeadlineExceeded {
		t.Fatalf("the consumer did not end")
	}
	if err != c.Err() {
		t.Fatalf("Wait returned %v, Err %v", err, c.Err())
	}
	return outcome{msgsText(msgs...), errText(err)}
}

// TestConsumeMatchesReader: the consumer hands out the same messages and
// ends with the same error as a Reader, for every parser and chunking and
// with every scheduler.
func TestConsumeMatchesReader(t *testing.T) {
	d := newDedicated()
	defer d.close()
	scheds := []struct {
		name  string
		sched pipe.Scheduler
	}{{"inline", pipe.Inline}, {"goroutine", pipe.Goroutine}, {"dedicated", d}}
	for _, tc := range invarianceCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range scheds {
				for k := 1; k <= 17; k++ {
					if got := consumeOutcome(t, s.sched, tc.input, k, tc.p, tc.opts); got != tc.want {
						t.Errorf("%s, chunks of %d: %v, want %v", s.name, k, got, tc.want)
					}
				}
			}
		})
	}
}

// TestConsumeNomTrap: the invariance check catches a parser that decides an
// optional element at the end of non-final input (taggedNaive): with the
// Inline scheduler each write is parsed as it arrives, so chunkings differ.
func TestConsumeNomTrap(t *testing.T) {
	input := []byte("a12b3cd45e")
	whole := consumeOutcome(t, pipe.Inline, input, len(input), taggedNaive, parse.Options{})
	if want := msgsText("a12", "b3", "c", "d45", "e"); whole.msgs != want || whole.err != "" {
		t.Fatalf("whole input: %v", whole)
	}
	bytewise := consumeOutcome(t, pipe.Inline, input, 1, taggedNaive, parse.Options{})
	if bytewise == whole {
		t.Fatalf("the naive parser gave the same outcome byte by byte: %v", bytewise)
	}
	t.Logf("the naive parser, byte by byte: %v", bytewise)
	if got := consumeOutcome(t, pipe.Inline, input, 1, tagged, parse.Options{}); got != whole {
		t.Fatalf("tagged, byte by byte: %v", got)
	}
}

// TestConsumeInline: with pipe.Inline the handler runs on the goroutine
// that flushes, before Flush returns; bytes flushed before Consume are
// handled before Consume returns.
func TestConsumeInline(t *testing.T) {
	pool := &countingPool{}
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline, Pool: pool})
	w := p.Writer()
	write(t, w, "early\npar")
	me := goid()
	var got []string
	c := parse.Consume(p, line, parse.Options{}, func(m string) error {
		if id := goid(); id != me {
			t.Errorf("handler on goroutine %d, the writer is %d", id, me)
		}
		got = append(got, m) // no lock: the race detector checks it runs here
		return nil
	})
	if strings.Join(got, ",") != "early" {
		t.Fatalf("before Consume returned: %q", got)
	}
	for _, step := range []struct{ write, want string }{
		{"tial\n", "early,partial"},
		{"a\nb\nc", "early,partial,a,b"},
		{"", "early,partial,a,b"},
		{"\n", "early,partial,a,b,c"},
	} {
		write(t, w, step.write)
		if strings.Join(got, ",") != step.want {
			t.Fatalf("after writing %q: %q, want %q", step.write, got, step.want)
		}
	}
	select {
	case <-c.Done():
		t.Fatal("ended before the writer completed")
	default:
	}
	w.Complete(nil) // the end is handled here too
	select {
	case <-c.Done():
	default:
		t.Fatal("not ended when Complete returned")
	}
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
	if g, p := pool.counts(); g == 0 || g != p {
		t.Errorf("%d segments taken, %d returned", g, p)
	}
}

// TestConsumeGoroutine: with pipe.Goroutine the handler runs on another
// goroutine than the writer's, one call at a time.
func TestConsumeGoroutine(t *testing.T) {
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Goroutine})
	var got []string
	var writer uint64
	var running sync.Mutex
	c := parse.Consume(p, line, parse.Options{}, func(m string) error {
		if !running.TryLock() {
			t.Error("two handler calls at once")
			return nil
		}
		defer running.Unlock()
		got = append(got, m)
		return nil
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		writer = goid()
		feed(p.Writer(), []byte(strings.Repeat("a line\n", 1000)), 13)
	}()
	<-done
	var ids sync.Map
	c2 := parse.Consume(pipe.New(pipe.Options{}), line, parse.Options{}, func(string) error { return nil }) // an idle one; Stop ends it
	c2.Stop()
	if err := c.Wait(context.Background()); err != nil || len(got) != 1000 {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	if err := c2.Wait(context.Background()); err != parse.ErrStopped {
		t.Fatalf("idle consumer after Stop: %v", err)
	}
	// Another run, recording where the handler ran.
	p = pipe.New(pipe.Options{})
	c = parse.Consume(p, line, parse.Options{}, func(string) error {
		ids.Store(goid(), true)
		return nil
	})
	me := goid()
	feed(p.Writer(), []byte("x\ny\nz\n"), 2)
	c.Wait(context.Background())
	n := 0
	ids.Range(func(k, _ any) bool {
		n++
		if k.(uint64) == me || k.(uint64) == writer {
			t.Errorf("the handler ran on the writer's goroutine")
		}
		return true
	})
	if n == 0 {
		t.Fatal("the handler never ran")
	}
}

// TestConsumeDedicatedScheduler: with a custom scheduler the handler runs
// where the scheduler runs callbacks.
func TestConsumeDedicatedScheduler(t *testing.T) {
	d := newDedicated()
	defer d.close()
	p := pipe.New(pipe.Options{ReaderScheduler: d})
	var got []string
	c := parse.Consume(p, asString(frame32), parse.Options{}, func(m string) error {
		if id := goid(); id != d.id {
			t.Errorf("handler on goroutine %d, not the scheduler's %d", id, d.id)
		}
		got = append(got, m)
		return nil
	})
	var input []byte
	for i := range 100 {
		body := strings.Repeat("x", i)
		input = append(input, byte(0), 0, 0, byte(i))
		input = append(input, body...)
	}
	go feed(p.Writer(), input, 7)
	if err := c.Wait(context.Background()); err != nil || len(got) != 100 {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	for i, m := range got {
		if len(m) != i {
			t.Fatalf("message %d has %d bytes", i, len(m))
		}
	}
	d.mu.Lock()
	runs := d.runs
	d.mu.Unlock()
	if runs == 0 {
		t.Fatal("the scheduler ran nothing")
	}
}

// TestConsumeStop: Stop ends the consumer, from the handler or from
// outside, and completes the pipe reader.
func TestConsumeStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t.Run("from-handler", func(t *testing.T) {
		for _, sched := range []pipe.Scheduler{pipe.Inline, pipe.Goroutine} {
			p := pipe.New(pipe.Options{ReaderScheduler: sched})
			var got []string
			var c *parse.Consumer[string]
			c = parse.Consume(p, line, parse.Options{}, func(m string) error {
				got = append(got, m)
				if m == "stop" {
					c.Stop()
				}
				return nil
			})
			w := p.Writer()
			write(t, w, "a\nstop\nb\n")
			if err := c.Wait(ctx); err != parse.ErrStopped || strings.Join(got, ",") != "a,stop" {
				t.Fatalf("%T: %q, %v", sched, got, err)
			}
			if res, _ := w.Write(ctx, []byte("c\n")); !res.Completed {
				t.Fatalf("%T: the pipe reader was not completed", sched)
			}
			w.Complete(nil)
		}
	})
	t.Run("while-waiting", func(t *testing.T) {
		for _, sched := range []pipe.Scheduler{pipe.Inline, pipe.Goroutine} {
			p := pipe.New(pipe.Options{ReaderScheduler: sched})
			c := parse.Consume(p, line, parse.Options{}, func(string) error { return nil })
			write(t, p.Writer(), "partial")
			c.Stop()
			if sched == pipe.Inline {
				select {
				case <-c.Done():
				default:
					t.Fatal("inline: not ended when Stop returned")
				}
			}
			if err := c.Wait(ctx); err != parse.ErrStopped {
				t.Fatalf("%T: %v", sched, err)
			}
			c.Stop() // again: nothing happens
			p.Writer().Complete(nil)
		}
	})
}

// TestConsumeCancelPendingRead: CancelPendingRead on the pipe reader ends
// the consumer with ErrCanceled once the buffered messages are handled, and
// leaves the reader open with the partial message, so that a Reader (or
// another consumer) goes on with no byte lost.
func TestConsumeCancelPendingRead(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, sched := range []pipe.Scheduler{pipe.Inline, pipe.Goroutine} {
		p := pipe.New(pipe.Options{ReaderScheduler: sched})
		w := p.Writer()
		var mu sync.Mutex
		var got []string
		c := parse.Consume(p, line, parse.Options{}, func(m string) error {
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
			return nil
		})
		write(t, w, "a\nb\npar")
		p.Reader().CancelPendingRead()
		if err := c.Wait(ctx); err != parse.ErrCanceled {
			t.Fatalf("%T: %v", sched, err)
		}
		write(t, w, "tial\nc\n")
		w.Complete(nil)
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		for m := range r.All(ctx) {
			got = append(got, m)
		}
		if r.Err() != nil || strings.Join(got, ",") != "a,b,partial,c" {
			t.Fatalf("%T: %q, %v", sched, got, r.Err())
		}
	}
}

// TestConsumeHandlerError: an error from the handler ends the consumer with
// it and reaches the writer.
func TestConsumeHandlerError(t *testing.T) {
	boom := errors.New("boom")
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline})
	n := 0
	c := parse.Consume(p, line, parse.Options{}, func(m string) error {
		if n++; m == "bad" {
			return boom
		}
		return nil
	})
	w := p.Writer()
	write(t, w, "ok\nbad\nnever\n")
	if err := c.Err(); err != boom || n != 2 {
		t.Fatalf("%v after %d calls", err, n)
	}
	if res, err := w.Write(context.Background(), []byte("more\n")); !res.Completed || err != boom {
		t.Fatalf("the writer saw %+v, %v", res, err)
	}
	w.Complete(nil)
}

// TestConsumeHandlerPanic: a panic in the handler goes on up the goroutine
// that ran the callback, and the consumer ends with ErrHandlerPanicked.
func TestConsumeHandlerPanic(t *testing.T) {
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline})
	c := parse.Consume(p, line, parse.Options{}, func(m string) error {
		if m == "panic" {
			panic("handler panic")
		}
		return nil
	})
	w := p.Writer()
	if msg := panicMessage(func() { w.Write(context.Background(), []byte("ok\npanic\n")) }); msg != "handler panic" {
		t.Fatalf("Write: panic %q", msg)
	}
	if err := c.Wait(context.Background()); err != parse.ErrHandlerPanicked {
		t.Fatalf("after the panic: %v", err)
	}
	w.Complete(nil)
}

// TestConsumeReaderBusy: Consume on a pipe whose reader has completed, or
// has a read pending, ends at once with the pipe's error.
func TestConsumeReaderBusy(t *testing.T) {
	p := pipe.New(pipe.Options{})
	p.Reader().Complete(nil)
	c := parse.Consume(p, line, parse.Options{}, func(string) error { return nil })
	if err := c.Err(); err != pipe.ErrReaderCompleted {
		t.Fatalf("completed reader: %v", err)
	}
	p = pipe.New(pipe.Options{})
	write(t, p.Writer(), "x\n")
	if _, err := p.Reader().Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	c = parse.Consume(p, line, parse.Options{}, func(string) error { return nil })
	if err := c.Err(); err != pipe.ErrReadInProgress {
		t.Fatalf("read in progress: %v", err)
	}
}

// TestConsumeDeclaredLength: a large frame arriving in small writes is
// parsed once its declared length is buffered, not at every write.
func TestConsumeDeclaredLength(t *testing.T) {
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline})
	calls := 0
	counted := func(in *parse.Input) (seq.Sequence, error) {
		calls++
		return frame32(in)
	}
	size := 0
	c := parse.Consume(p, counted, parse.Options{}, func(m seq.Sequence) error {
		size = m.Len()
		return nil
	})
	const n = 1 << 20
	input := append([]byte{0, 0x10, 0, 0}, make([]byte, n)...)
	feed(p.Writer(), input, 1024)
	if c.Err() != nil || size != n || calls > 3 {
		t.Fatalf("a message of %d bytes, %v, after %d parser calls", size, c.Err(), calls)
	}
}

// TestConsumeNoLeak: in a synctest bubble, every goroutine the pipe's
// scheduler started has exited once the consumer has ended, whichever way
// it ended.
func TestConsumeNoLeak(t *testing.T) {
	ends := map[string]func(p *pipe.Pipe, c *parse.Consumer[string]){
		"eof": func(p *pipe.Pipe, c *parse.Consumer[string]) {
			p.Writer().Complete(nil)
		},
		"error": func(p *pipe.Pipe, c *parse.Consumer[string]) {
			p.Writer().Write(context.Background(), []byte("truncated"))
			p.Writer().Complete(nil)
		},
		"stop": func(p *pipe.Pipe, c *parse.Consumer[string]) {
			c.Stop()
			p.Writer().Complete(nil)
		},
		"cancel": func(p *pipe.Pipe, c *parse.Consumer[string]) {
			p.Reader().CancelPendingRead()
			c.Wait(context.Background())
			p.Reader().Complete(nil)
			p.Writer().Complete(nil)
		},
	}
	for name, end := range ends {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := pipe.New(pipe.Options{ReaderScheduler: pipe.Goroutine, SegmentSize: 16})
				var n atomic.Int32
				c := parse.Consume(p, line, parse.Options{}, func(string) error {
					n.Add(1)
					return nil
				})
				written := make(chan struct{})
				go func() {
					defer close(written)
					msgs := []byte(strings.Repeat("message\n", 200))
					for len(msgs) > 0 {
						k := min(5, len(msgs))
						p.Writer().Write(context.Background(), msgs[:k])
						msgs = msgs[k:]
					}
				}()
				<-written
				synctest.Wait() // every callback has run
				if n.Load() != 200 {
					t.Fatalf("%d messages before the end", n.Load())
				}
				end(p, c)
				c.Wait(context.Background())
				// synctest.Test fails if a goroutine of the bubble is left
				// blocked.
			})
		})
	}
}

// TestConsumeMidBuffer: the consumer's per-message path ends as a Reader
// does when an error, a message over the limit or a parser that makes no
// progress follows messages of the same buffer (one write of the whole
// input, so that every message is in the first buffer).
func TestConsumeMidBuffer(t *testing.T) {
	ctx := context.Background()
	for _, c := range midBufferCases() {
		want := readOutcome(ctx, pipe.FromBytes([]byte(c.in)), c.p, c.opts)
		pp := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline})
		var msgs []string
		cons := parse.Consume(pp, c.p, c.opts, func(m string) error {
			msgs = append(msgs, m)
			return nil
		})
		feed(pp.Writer(), []byte(c.in), len(c.in))
		err := cons.Wait(ctx)
		if got := (outcome{fmt.Sprintf("%q", msgs), errText(err)}); got != want || len(msgs) < 2 {
			t.Errorf("%s: Consume gave %v, a Reader %v", c.name, got, want)
		}
	}
}
