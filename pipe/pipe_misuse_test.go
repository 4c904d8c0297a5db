package pipe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// Misuse panics or returns an error with a clear message, and never
// corrupts the pipe: after each panic the pipe is still usable.

// ptReadTen returns a pipe holding 10 flushed bytes, and a pending result.
func ptReadTen(t *testing.T) (*Pipe, Result) {
	t.Helper()
	p := New(Options{})
	ptMustWrite(t, p.Writer(), []byte("0123456789"))
	return p, ptMustRead(t, p.Reader())
}

// ptFinish consumes what is left and completes both sides, checking that
// the pipe still works after a misuse.
func ptFinish(t *testing.T, p *Pipe) {
	t.Helper()
	w, r := p.Writer(), p.Reader()
	w.Complete(nil)
	res, ok, err := r.TryRead()
	if err == ErrReadInProgress {
		t.Fatal("a result is still pending")
	}
	if err != nil || !ok || !res.Completed {
		t.Fatalf("TryRead after the writer completed = %+v, %v, %v", res, ok, err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

func TestMisuseExaminedBeforeConsumed(t *testing.T) {
	p, res := ptReadTen(t)
	testutil.MustPanic(t, "examined position 2 before consumed position 5", func() {
		p.Reader().AdvanceTo(res.Buffer.PosAt(5), res.Buffer.PosAt(2))
	})
	// The result is still pending; a correct AdvanceTo goes through.
	p.Reader().AdvanceTo(res.Buffer.PosAt(5), res.Buffer.PosAt(5))
	ptFinish(t, p)
}

func TestMisuseExaminedBackwards(t *testing.T) {
	p, res := ptReadTen(t)
	r := p.Reader()
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(8))
	res = ptMustRead(t, r)
	testutil.MustPanic(t, "examined position 4 moved backwards from 8", func() {
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(4))
	})
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(8)) // the same is fine
	ptFinish(t, p)
}

// TestMisusePositionFromOlderRead: a position from an earlier result that
// lies before what was consumed since.
func TestMisusePositionFromOlderRead(t *testing.T) {
	p, res := ptReadTen(t)
	r := p.Reader()
	old := res.Buffer.PosAt(2)
	r.AdvanceTo(res.Buffer.PosAt(5), res.Buffer.PosAt(5))
	res = ptMustRead(t, r)
	testutil.MustPanic(t, "consumed position 2 lies before the start of the buffer 5", func() {
		r.AdvanceTo(old, res.Buffer.End())
	})
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	ptFinish(t, p)
}

// TestMisusePositionPastEnd: a position beyond the flushed bytes (here in
// bytes written but not flushed) is refused.
func TestMisusePositionPastEnd(t *testing.T) {
	p, res := ptReadTen(t)
	r := p.Reader()
	ptWrite(p.Writer(), []byte("unflushed"))
	end := res.Buffer.End()
	past := end.Segment().Pos(end.Offset() + 3)
	testutil.MustPanic(t, "examined position 13 past the end of the buffer 10", func() {
		r.AdvanceTo(res.Buffer.Start(), past)
	})
	testutil.MustPanic(t, "past the end of the buffer", func() {
		r.AdvanceTo(past, past)
	})
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	ptFinish(t, p)
}

// TestMisuseStalePosition: a position into a segment that was recycled
// since fails with seq's message, not with a wrong index.
func TestMisuseStalePosition(t *testing.T) {
	p := New(Options{PauseThreshold: -1})
	w, r := p.Writer(), p.Reader()
	ptFillSegments(t, w, 2, 10)
	res := ptMustRead(t, r)
	stale := res.Buffer.PosAt(100) // in the first segment
	next := res.Buffer.PosAt(2 * DefaultSegmentSize)
	r.AdvanceTo(next, next) // recycles the first two segments
	res = ptMustRead(t, r)
	if stale.Valid() {
		t.Fatal("test setup: the first segment was not recycled")
	}
	testutil.MustPanic(t, "segment was recycled", func() { r.AdvanceTo(stale, res.Buffer.End()) })
	testutil.MustPanic(t, "segment was recycled", func() { r.AdvanceTo(res.Buffer.Start(), stale) })
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	ptFinish(t, p)
}

func TestMisuseSecondReadBeforeAdvanceTo(t *testing.T) {
	p, res := ptReadTen(t)
	r := p.Reader()
	if _, err := r.Read(context.Background()); err != ErrReadInProgress {
		t.Errorf("Read: %v, want ErrReadInProgress", err)
	}
	if _, err := r.ReadAtLeast(context.Background(), 1); err != ErrReadInProgress {
		t.Errorf("ReadAtLeast: %v, want ErrReadInProgress", err)
	}
	if _, _, err := r.TryRead(); err != ErrReadInProgress {
		t.Errorf("TryRead: %v, want ErrReadInProgress", err)
	}
	if err := p.Notify(func(Result, error) {}); err != ErrReadInProgress {
		t.Errorf("Notify: %v, want ErrReadInProgress", err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	ptFinish(t, p)
}

// TestMisuseConcurrentReads: a read while another waits is refused.
func TestMisuseConcurrentReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		r := p.Reader()
		ch := ptAsyncRead(context.Background(), r)
		synctest.Wait()
		// It matches ErrReadInProgress and says that a read is pending.
		if _, err := r.Read(context.Background()); !errors.Is(err, ErrReadInProgress) || err != errReadPending {
			t.Errorf("second Read: %v, want the pending read's ErrReadInProgress", err)
		}
		p.Writer().Complete(nil)
		synctest.Wait()
		out := ptRecv(t, ch, "Read after the writer completed")
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		r.Complete(nil)
	})
}

func TestMisuseAdvanceToWithoutRead(t *testing.T) {
	p, res := ptReadTen(t)
	r := p.Reader()
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	testutil.MustPanic(t, "pipe: AdvanceTo without a pending read result", func() {
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(2))
	})
	fresh := New(Options{})
	testutil.MustPanic(t, "pipe: AdvanceTo without a pending read result", func() {
		fresh.Reader().AdvanceTo(seq.Position{}, seq.Position{})
	})
	ptFinish(t, p)
	ptFinish(t, fresh)
}

func TestMisuseReaderAfterComplete(t *testing.T) {
	p, res := ptReadTen(t)
	r := p.Reader()
	r.Complete(nil)
	testutil.MustPanic(t, "pipe: AdvanceTo after the reader completed", func() {
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	})
	if _, err := r.Read(context.Background()); err != ErrReaderCompleted {
		t.Errorf("Read: %v, want ErrReaderCompleted", err)
	}
	if _, err := r.ReadAtLeast(context.Background(), 1); err != ErrReaderCompleted {
		t.Errorf("ReadAtLeast: %v, want ErrReaderCompleted", err)
	}
	if _, _, err := r.TryRead(); err != ErrReaderCompleted {
		t.Errorf("TryRead: %v, want ErrReaderCompleted", err)
	}
	if err := p.Notify(func(Result, error) {}); err != ErrReaderCompleted {
		t.Errorf("Notify: %v, want ErrReaderCompleted", err)
	}
	r.CancelPendingRead() // harmless
	p.Writer().Complete(nil)
}

func TestMisuseBufferAfterWriterComplete(t *testing.T) {
	p := New(Options{})
	w := p.Writer()
	w.Complete(nil)
	testutil.MustPanic(t, "pipe: Buffer after the writer completed", func() { w.Buffer(1) })
	p.Reader().Complete(nil)
}

// TestMisuseAdvanceAfterWriterComplete: committing into a buffer obtained
// before Complete would write into a segment that may be back in the pool.
func TestMisuseAdvanceAfterWriterComplete(t *testing.T) {
	pool := ptCountingPool(t, nil)
	p := New(Options{Pool: pool})
	w := p.Writer()
	b := w.Buffer(10)
	w.Complete(nil)
	p.Reader().Complete(nil)
	pool.wantOut(t, 0) // the segment behind b is back in the pool
	testutil.MustPanic(t, "pipe: Advance after the writer completed", func() { w.Advance(len(b)) })
}

func TestMisuseFlushAfterWriterComplete(t *testing.T) {
	p := New(Options{})
	w := p.Writer()
	ptMustWrite(t, w, []byte("abc"))
	w.Complete(nil)
	if _, err := w.Flush(context.Background()); err != ErrWriterCompleted {
		t.Errorf("Flush: %v, want ErrWriterCompleted", err)
	}
	if _, err := w.Write(context.Background(), []byte("x")); err != ErrWriterCompleted {
		t.Errorf("Write: %v, want ErrWriterCompleted", err)
	}
	w.CancelPendingFlush() // harmless
	res := ptMustRead(t, p.Reader())
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	p.Reader().AdvanceTo(res.Buffer.End(), res.Buffer.End())
	p.Reader().Complete(nil)
}

func TestMisuseBufferDuringFlush(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w := p.Writer()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
		testutil.MustPanic(t, "pipe: Buffer while a Flush is pending", func() { w.Buffer(1) })
		testutil.MustPanic(t, "pipe: Buffer while a Flush is pending", func() { w.Write(context.Background(), []byte("x")) })
		p.Reader().Complete(nil)
		synctest.Wait()
		ptRecv(t, ch, "Write after the reader completed")
		w.Buffer(1) // fine again
		w.Complete(nil)
	})
}

func TestMisuseConcurrentFlushes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w := p.Writer()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
		if _, err := w.Flush(context.Background()); err != ErrFlushInProgress {
			t.Errorf("second Flush: %v, want ErrFlushInProgress", err)
		}
		w.CancelPendingFlush()
		synctest.Wait()
		if out := ptRecv(t, ch, "Write after CancelPendingFlush"); !out.res.Canceled {
			t.Errorf("Write = %+v, %v; want Canceled", out.res, out.err)
		}
		w.Complete(nil)
		p.Reader().Complete(nil)
	})
}

func TestMisuseAdvanceBeyondBuffer(t *testing.T) {
	p := New(Options{})
	w := p.Writer()
	testutil.MustPanic(t, "pipe: Advance(1) beyond the 0-byte buffer", func() { w.Advance(1) })
	b := w.Buffer(10)
	testutil.MustPanic(t, "beyond", func() { w.Advance(len(b) + 1) })
	testutil.MustPanic(t, "pipe: Advance(-1)", func() { w.Advance(-1) })
	w.Advance(len(b) - 1)
	testutil.MustPanic(t, "pipe: Advance(2) beyond the 1-byte buffer", func() { w.Advance(2) })
	w.Advance(1)
	w.Complete(nil)
	res := ptMustRead(t, p.Reader())
	if res.Buffer.Len() != len(b) {
		t.Errorf("read %d bytes, committed %d", res.Buffer.Len(), len(b))
	}
	p.Reader().AdvanceTo(res.Buffer.End(), res.Buffer.End())
	p.Reader().Complete(nil)
}

func TestMisuseResetWhileOpen(t *testing.T) {
	const msg = "pipe: Reset while the reader or the writer has not completed"
	p := New(Options{})
	testutil.MustPanic(t, msg, p.Reset)
	p.Writer().Complete(nil)
	testutil.MustPanic(t, msg, p.Reset)

	q := New(Options{})
	q.Reader().Complete(nil)
	testutil.MustPanic(t, msg, q.Reset)
	q.Writer().Complete(nil)
	q.Reset()
	p.Reader().Complete(nil)
	p.Reset()
}

func TestBufferBeyondMaxSegment(t *testing.T) {
	p := New(Options{})
	defer p.Reader().Complete(nil)
	defer p.Writer().Complete(nil)
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "exceeds seq.MaxSegment") {
				t.Errorf("pipe Buffer(MaxSegment+1): recovered %v", r)
			}
		}()
		p.Writer().Buffer(seq.MaxSegment + 1)
	}()
	if b := p.Writer().Buffer(seq.MaxSegment); len(b) < seq.MaxSegment {
		t.Errorf("Buffer(MaxSegment) gave %d bytes", len(b))
	}
	w := NewWriter(io.Discard, WriterOptions{})
	defer w.Complete(nil)
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "exceeds seq.MaxSegment") {
				t.Errorf("stream Buffer(MaxSegment+1): recovered %v", r)
			}
		}()
		w.Buffer(seq.MaxSegment + 1)
	}()
	if err := (ReaderOptions{BufferSize: seq.MaxSegment + 1}).Validate(); err == nil {
		t.Error("ReaderOptions with BufferSize beyond MaxSegment validated")
	}
	if err := (Options{SegmentSize: seq.MaxSegment + 1}).Validate(); err == nil {
		t.Error("Options with SegmentSize beyond MaxSegment validated")
	}
}

// TestReadInProgressSaysWhy: a read refused because the reader is busy says
// which of the two misuses it was, and both match ErrReadInProgress.
func TestReadInProgressSaysWhy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		r := p.Reader()
		ch := ptAsyncRead(context.Background(), r)
		synctest.Wait()
		_, pending := r.Read(context.Background())
		if !errors.Is(pending, ErrReadInProgress) || !strings.Contains(pending.Error(), "another read is pending") {
			t.Errorf("Read while another waits: %q", pending)
		}
		ptMustWrite(t, p.Writer(), []byte("x"))
		synctest.Wait()
		ptRecv(t, ch, "Read after a write") // not released with AdvanceTo
		_, held := r.Read(context.Background())
		if held != ErrReadInProgress || !strings.Contains(held.Error(), "before the last result was released with AdvanceTo") || strings.Contains(held.Error(), "pending") {
			t.Errorf("Read before AdvanceTo: %q", held)
		}
		r.Complete(nil)
		p.Writer().Complete(nil)
	})
	// The readers over an io.Reader and a sequence have no pending state:
	// they are used by one goroutine. A read before AdvanceTo says so.
	for name, r := range map[string]Reader{
		"NewReader":    NewReader(strings.NewReader("x"), ReaderOptions{}),
		"FromSequence": FromBytes([]byte("x")),
	} {
		if _, err := r.Read(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Read(context.Background()); err != ErrReadInProgress {
			t.Errorf("%s: Read before AdvanceTo: %v", name, err)
		}
		r.Complete(nil)
	}
}
