package pipe

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// Notify is the callback form of Read; the pipe's ReaderScheduler decides
// where the callback runs.

// TestNotifyInline: with the Inline scheduler the callback runs on the
// flushing goroutine, before Flush returns.
func TestNotifyInline(t *testing.T) {
	p := New(Options{ReaderScheduler: Inline})
	w, r := p.Writer(), p.Reader()
	var got []string
	var ranOn uint64
	err := p.Notify(func(res Result, err error) {
		ranOn = ptGoid()
		if err != nil {
			t.Errorf("callback error %v", err)
			return
		}
		got = append(got, res.Buffer.String())
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatal("callback ran before any data")
	}
	ptWrite(w, []byte("hello"))
	if len(got) != 0 {
		t.Fatal("callback ran before the flush")
	}
	ptMustWrite(t, w, nil) // flushes "hello"
	// No synchronization: if the callback had run elsewhere, the race
	// detector would see it, and got might be empty.
	if len(got) != 1 || got[0] != "hello" {
		t.Fatalf("after Flush returned, the callback saw %q", got)
	}
	if me := ptGoid(); ranOn != me {
		t.Errorf("callback ran on goroutine %d, the flush on %d", ranOn, me)
	}
	w.Complete(nil)
	r.Complete(nil)
}

// TestNotifyInlineFromWriterGoroutine: the same when the writer is another
// goroutine; the callback runs there.
func TestNotifyInlineFromWriterGoroutine(t *testing.T) {
	p := New(Options{ReaderScheduler: Inline})
	w, r := p.Writer(), p.Reader()
	var writer, ranOn uint64
	var seen bool
	if err := p.Notify(func(res Result, err error) {
		ranOn, seen = ptGoid(), true
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		writer = ptGoid()
		ptMustWrite(t, w, []byte("x"))
		if !seen {
			t.Error("Flush returned before the inline callback ran")
		}
		w.Complete(nil)
	})
	wg.Wait()
	if ranOn != writer {
		t.Errorf("callback ran on goroutine %d, the writer is %d", ranOn, writer)
	}
	r.Complete(nil)
}

// TestNotifyInlineConsumer runs a whole stream through chained inline
// callbacks, and checks that a paused writer is resumed from within its own
// flush.
func TestNotifyInlineConsumer(t *testing.T) {
	p := New(Options{ReaderScheduler: Inline, PauseThreshold: 64, ResumeThreshold: 32})
	w, r := p.Writer(), p.Reader()
	var got []byte
	done := false
	var consume func(Result, error)
	consume = func(res Result, err error) {
		if err != nil {
			t.Errorf("callback error %v", err)
			return
		}
		got = res.Buffer.AppendTo(got)
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			done = true
			r.Complete(nil)
			return
		}
		if err := p.Notify(consume); err != nil {
			t.Errorf("Notify: %v", err)
		}
	}
	if err := p.Notify(consume); err != nil {
		t.Fatal(err)
	}
	var off int64
	for i := range 200 {
		n := 1 + i%150 // up to well past the pause threshold
		ptMustWrite(t, w, ptPattern(off, n))
		off += int64(n)
		if len(got) != int(off) {
			t.Fatalf("after write %d the consumer has %d of %d bytes", i, len(got), off)
		}
	}
	w.Complete(nil)
	if !done {
		t.Fatal("the consumer did not see completion")
	}
	if !bytes.Equal(got, ptPattern(0, int(off))) {
		t.Fatal("the consumer got different bytes")
	}
}

// TestNotifyGoroutine: the default scheduler runs the callback on another
// goroutine.
func TestNotifyGoroutine(t *testing.T) {
	for _, sched := range []Scheduler{nil, Goroutine} {
		synctest.Test(t, func(t *testing.T) {
			p := New(Options{ReaderScheduler: sched})
			w, r := p.Writer(), p.Reader()
			type call struct {
				goid uint64
				data string
			}
			calls := make(chan call, 1)
			if err := p.Notify(func(res Result, err error) {
				calls <- call{ptGoid(), res.Buffer.String()}
				r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			}); err != nil {
				t.Fatal(err)
			}
			ptMustWrite(t, w, []byte("hello"))
			c := <-calls
			if c.data != "hello" {
				t.Errorf("callback got %q", c.data)
			}
			if c.goid == ptGoid() {
				t.Error("callback ran on the flushing goroutine")
			}
			synctest.Wait() // the callback's goroutine has ended
			w.Complete(nil)
			r.Complete(nil)
		})
	}
}

// TestNotifySchedulerFunc: a custom scheduler receives the callback and
// decides when it runs.
func TestNotifySchedulerFunc(t *testing.T) {
	var queue []func()
	p := New(Options{ReaderScheduler: SchedulerFunc(func(f func()) { queue = append(queue, f) })})
	w, r := p.Writer(), p.Reader()
	var got []string
	if err := p.Notify(func(res Result, err error) {
		got = append(got, res.Buffer.String())
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}); err != nil {
		t.Fatal(err)
	}
	if len(queue) != 0 {
		t.Fatal("scheduled before any data")
	}
	ptMustWrite(t, w, []byte("abc"))
	if len(queue) != 1 || len(got) != 0 {
		t.Fatalf("after a flush: %d scheduled, %d run; want 1, 0", len(queue), len(got))
	}
	// The result handed to the callback holds the read: no other read now.
	if _, err := r.Read(context.Background()); err != ErrReadInProgress {
		t.Errorf("Read while a callback is scheduled: %v", err)
	}
	ptMustWrite(t, w, []byte("def")) // does not schedule twice
	if len(queue) != 1 {
		t.Fatalf("%d scheduled for one Notify", len(queue))
	}
	queue[0]()
	if len(got) != 1 || got[0] != "abc" {
		t.Fatalf("callback saw %q", got)
	}
	w.Complete(nil)
	r.Complete(nil)
}

// ptLoopScheduler runs callbacks on one dedicated goroutine, in order, like
// the seed's SingleThreadPipeScheduler. Its queue is unbounded, so a
// callback may schedule more work without blocking.
type ptLoopScheduler struct {
	mu     sync.Mutex
	queue  []func()
	closed bool
	signal chan struct{}
	done   chan struct{}
	id     atomic.Uint64
}

func ptNewLoopScheduler() *ptLoopScheduler {
	s := &ptLoopScheduler{signal: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *ptLoopScheduler) run() {
	defer close(s.done)
	s.id.Store(ptGoid())
	for {
		s.mu.Lock()
		q, closed := s.queue, s.closed
		s.queue = nil
		s.mu.Unlock()
		for _, f := range q {
			f()
		}
		if len(q) == 0 {
			if closed {
				return
			}
			<-s.signal
		}
	}
}

func (s *ptLoopScheduler) Schedule(f func()) {
	s.mu.Lock()
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// Close runs what is queued and stops the goroutine.
func (s *ptLoopScheduler) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
	<-s.done
}

// TestNotifyDedicatedGoroutine streams data from a writer goroutine to a
// consumer whose callbacks all run on one dedicated goroutine.
func TestNotifyDedicatedGoroutine(t *testing.T) {
	sched := ptNewLoopScheduler()
	defer sched.Close()
	p := New(Options{ReaderScheduler: sched, PauseThreshold: 1 << 10, ResumeThreshold: 512})
	w, r := p.Writer(), p.Reader()
	const total = 1 << 20
	var (
		got     []byte
		wrongG  atomic.Int32
		calls   atomic.Int32
		consume func(Result, error)
		done    = make(chan error, 1)
	)
	consume = func(res Result, err error) {
		calls.Add(1)
		if ptGoid() != sched.id.Load() {
			wrongG.Add(1)
		}
		if err != nil {
			done <- err
			return
		}
		got = res.Buffer.AppendTo(got)
		// Consume all but a few bytes, examine everything.
		keep := min(res.Buffer.Len(), 3)
		if res.Completed {
			keep = 0
		}
		got = got[:len(got)-keep]
		r.AdvanceTo(res.Buffer.PosAt(res.Buffer.Len()-keep), res.Buffer.End())
		if res.Completed {
			r.Complete(nil)
			done <- nil
			return
		}
		if err := p.Notify(consume); err != nil {
			done <- err
		}
	}
	if err := p.Notify(consume); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for off := 0; off < total; {
			n := min(1+off%700, total-off)
			if _, err := w.Write(context.Background(), ptPattern(int64(off), n)); err != nil {
				t.Error(err)
				break
			}
			off += n
		}
		w.Complete(nil)
	})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if n := wrongG.Load(); n != 0 {
		t.Errorf("%d of %d callbacks ran off the dedicated goroutine", n, calls.Load())
	}
	if !bytes.Equal(got, ptPattern(0, total)) {
		t.Fatalf("consumer got %d bytes, or different bytes; want %d", len(got), total)
	}
}

// TestNotifyDataAlreadyThere: Notify with a result ready schedules the
// callback at once.
func TestNotifyDataAlreadyThere(t *testing.T) {
	p := New(Options{ReaderScheduler: Inline})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("abc"))
	var got string
	if err := p.Notify(func(res Result, err error) {
		got = res.Buffer.String()
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	}); err != nil {
		t.Fatal(err)
	}
	if got != "abc" {
		t.Fatalf("callback saw %q before Notify returned", got)
	}
	// Everything examined: the next Notify waits for more.
	got = ""
	if err := p.Notify(func(res Result, err error) {
		got = res.Buffer.String()
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}); err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Fatalf("callback ran with %q and nothing new", got)
	}
	if err := p.Notify(func(Result, error) {}); !errors.Is(err, ErrReadInProgress) || err != errReadPending {
		t.Errorf("second Notify: %v, want the pending read's ErrReadInProgress", err)
	}
	if _, _, err := r.TryRead(); !errors.Is(err, ErrReadInProgress) || err != errReadPending {
		t.Errorf("TryRead with a Notify pending: %v, want the pending read's ErrReadInProgress", err)
	}
	ptMustWrite(t, w, []byte("d"))
	if got != "abcd" {
		t.Fatalf("callback saw %q", got)
	}
	w.Complete(nil)
	r.Complete(nil)
}

func TestNotifyCanceledAndErrors(t *testing.T) {
	p := New(Options{ReaderScheduler: Inline})
	w, r := p.Writer(), p.Reader()
	var last Result
	var lastErr error
	calls := 0
	cb := func(res Result, err error) {
		calls++
		last, lastErr = res, err
		if err == nil {
			r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
		}
	}
	if err := p.Notify(cb); err != nil {
		t.Fatal(err)
	}
	r.CancelPendingRead()
	if calls != 1 || !last.Canceled || lastErr != nil {
		t.Fatalf("after CancelPendingRead: %d calls, %+v, %v", calls, last, lastErr)
	}
	errBoom := errors.New("boom")
	if err := p.Notify(cb); err != nil {
		t.Fatal(err)
	}
	w.Complete(errBoom)
	if calls != 2 || lastErr != errBoom || !last.Completed {
		t.Fatalf("after the writer failed: %d calls, %+v, %v", calls, last, lastErr)
	}
	if err := p.Notify(cb); err != nil { // an error result needs no AdvanceTo
		t.Fatal(err)
	}
	if calls != 3 || lastErr != errBoom {
		t.Fatalf("Notify after the error: %d calls, %v", calls, lastErr)
	}
	r.Complete(nil)
}

// TestNotifyDroppedOnReaderComplete: a registered callback is forgotten when
// the reader completes.
func TestNotifyDroppedOnReaderComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		var called atomic.Bool
		if err := p.Notify(func(Result, error) { called.Store(true) }); err != nil {
			t.Fatal(err)
		}
		r.Complete(nil)
		if res, err := w.Write(context.Background(), []byte("x")); !res.Completed || err != nil {
			t.Fatalf("Write = %+v, %v", res, err)
		}
		w.Complete(nil)
		synctest.Wait()
		if called.Load() {
			t.Error("callback ran after the reader completed")
		}
	})
}
