package pipe

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// Read cancellation by ctx.

// TestReadCanceledByContext: a waiting Read returns ctx.Err(), leaves no
// read in progress, and loses no data.
func TestReadCanceledByContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte("abc"))
		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())

		ctx, cancel := context.WithCancel(context.Background())
		ch := ptAsyncRead(ctx, r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read with every byte examined")
		cancel()
		synctest.Wait()
		out := ptRecv(t, ch, "Read after cancel")
		if out.err != context.Canceled {
			t.Fatalf("Read = %+v, %v; want context.Canceled", out.res, out.err)
		}

		// No read in progress: a new Read is allowed, and waits.
		ch = ptAsyncRead(context.Background(), r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read after a canceled Read")
		ptMustWrite(t, w, []byte("d"))
		synctest.Wait()
		out = ptRecv(t, ch, "Read after a flush")
		if out.err != nil {
			t.Fatal(out.err)
		}
		ptWantBuffer(t, out.res.Buffer, []byte("abcd"))
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestReadCanceledContextWithData: Read returns buffered bytes rather than
// an error when it need not wait; with nothing to return it fails at once.
func TestReadCanceledContextBeforeCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.Read(ctx); err != context.Canceled {
			t.Fatalf("Read with a canceled ctx on an empty pipe: %v", err)
		}
		if _, err := r.ReadAtLeast(ctx, 1); err != context.Canceled {
			t.Fatalf("ReadAtLeast with a canceled ctx on an empty pipe: %v", err)
		}
		// Nothing is left in progress.
		ptMustWrite(t, w, []byte("x"))
		res := ptMustRead(t, r)
		ptWantBuffer(t, res.Buffer, []byte("x"))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

func TestReadDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		r := p.Reader()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := r.Read(ctx)
		if err != context.DeadlineExceeded {
			t.Fatalf("Read = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("Read returned after %v, want 1s", d)
		}
		p.Writer().Complete(nil)
		r.Complete(nil)
	})
}

// TestReadNotCanceledByEarlierContext: canceling the ctx of a finished read
// does not affect the next read.
func TestReadNotCanceledByEarlierContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte{1})
		ctx1, cancel1 := context.WithCancel(context.Background())
		res, err := r.Read(ctx1)
		if err != nil {
			t.Fatal(err)
		}
		cancel1()
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		ch := ptAsyncRead(context.Background(), r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read with a fresh ctx")
		w.Complete(nil)
		synctest.Wait()
		if out := ptRecv(t, ch, "Read after completion"); out.err != nil || !out.res.Completed {
			t.Fatalf("Read = %+v, %v", out.res, out.err)
		}
		r.Complete(nil)
	})
}

// Read cancellation by CancelPendingRead.

// TestCancelPendingRead: a waiting read returns Canceled with no error; an
// AdvanceTo is still due; the cancellation is used up.
func TestCancelPendingRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte("abc"))
		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())

		ch := ptAsyncRead(context.Background(), r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read with every byte examined")
		r.CancelPendingRead() // from another goroutine than the reader's
		synctest.Wait()
		out := ptRecv(t, ch, "Read after CancelPendingRead")
		if out.err != nil || !out.res.Canceled || out.res.Completed {
			t.Fatalf("Read = %+v, %v; want Canceled, no error", out.res, out.err)
		}
		ptWantBuffer(t, out.res.Buffer, []byte("abc")) // the data is still there

		if _, err := r.Read(context.Background()); err != ErrReadInProgress {
			t.Fatalf("Read before AdvanceTo of the canceled result: %v, want ErrReadInProgress", err)
		}
		r.AdvanceTo(out.res.Buffer.Start(), out.res.Buffer.End())

		// Used up: the next read waits again.
		ch = ptAsyncRead(context.Background(), r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read after a canceled read")
		ptMustWrite(t, w, []byte("d"))
		synctest.Wait()
		out = ptRecv(t, ch, "Read after a flush")
		if out.res.Canceled {
			t.Error("second read also Canceled")
		}
		ptWantBuffer(t, out.res.Buffer, []byte("abcd"))
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestCancelPendingReadBeforeRead: with no read pending, the next read
// returns Canceled at once, with the buffered data; the one after is normal.
func TestCancelPendingReadBeforeRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()

		r.CancelPendingRead()
		r.CancelPendingRead() // twice is still one cancellation
		res := ptMustRead(t, r)
		if !res.Canceled || res.Completed || res.Buffer.Len() != 0 {
			t.Fatalf("Read = %+v (%d bytes)", res, res.Buffer.Len())
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		ptWantNoData(t, r)

		ptMustWrite(t, w, []byte("Hello World"))
		r.CancelPendingRead()
		res = ptMustRead(t, r)
		if !res.Canceled {
			t.Fatal("Canceled not set")
		}
		ptWantBuffer(t, res.Buffer, []byte("Hello World"))
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start())
		res = ptMustRead(t, r)
		if res.Canceled {
			t.Fatal("Canceled set twice for one CancelPendingRead")
		}
		ptWantBuffer(t, res.Buffer, []byte("Hello World"))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestCancelPendingReadBeforeAdvance: a cancellation requested while the
// reader holds a result applies to the next read.
func TestCancelPendingReadBeforeAdvance(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("Hello World"))
	res := ptMustRead(t, r)
	if res.Canceled {
		t.Fatal("Canceled set")
	}
	r.CancelPendingRead()
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	res = ptMustTryRead(t, r) // would otherwise wait
	if !res.Canceled || res.Buffer.Len() != 0 {
		t.Fatalf("Read = %+v (%d bytes)", res, res.Buffer.Len())
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start())
	ptWantNoData(t, r)
	w.Complete(nil)
	r.Complete(nil)
}

// TestCancelPendingReadAfterWriterCompleted: the canceled result still
// reports completion.
func TestCancelPendingReadAfterWriterCompleted(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("abc"))
	w.Complete(nil)
	r.CancelPendingRead()
	res := ptMustRead(t, r)
	if !res.Canceled || !res.Completed {
		t.Fatalf("Read = %+v", res)
	}
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

// Flush cancellation.

// TestFlushCanceledByContext: a paused Flush returns ctx.Err(); the bytes
// stay readable, and the writer can go on.
func TestFlushCanceledByContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ctx, cancel := context.WithCancel(context.Background())
		ch := ptAsyncWrite(ctx, w, ptPattern(0, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
		cancel()
		synctest.Wait()
		out := ptRecv(t, ch, "Write after cancel")
		if out.err != context.Canceled || out.res.Canceled || out.res.Completed {
			t.Fatalf("Write = %+v, %v; want context.Canceled", out.res, out.err)
		}

		// No flush in progress: Buffer is allowed and a new Flush waits.
		ptWrite(w, ptPattern(ptPause, 1))
		ch = ptAsyncFlush(context.Background(), w)
		synctest.Wait()
		ptWantBlocked(t, ch, "Flush with 65 bytes unexamined")

		res := ptMustRead(t, r)
		ptWantBuffer(t, res.Buffer, ptPattern(0, ptPause+1))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		synctest.Wait()
		if out := ptRecv(t, ch, "Flush after the reader consumed"); out.err != nil {
			t.Fatal(out.err)
		}
		w.Complete(nil)
		r.Complete(nil)
	})
}

func TestFlushDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		start := time.Now()
		_, err := w.Write(ctx, make([]byte, ptPause))
		if err != context.DeadlineExceeded {
			t.Fatalf("Write = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("Write returned after %v, want 3s", d)
		}
		// Already expired: a flush that would wait fails at once.
		if _, err := w.Flush(ctx); err != context.DeadlineExceeded {
			t.Fatalf("Flush with an expired ctx = %v", err)
		}
		if p.Len() != ptPause {
			t.Errorf("Len = %d; the bytes must stay readable", p.Len())
		}
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestCancelPendingFlush: a paused Flush returns Canceled with no error; the
// bytes stay readable; the cancellation is used up.
func TestCancelPendingFlush(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ch := ptAsyncWrite(context.Background(), w, ptPattern(0, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
		w.CancelPendingFlush() // from another goroutine than the writer's
		synctest.Wait()
		out := ptRecv(t, ch, "Write after CancelPendingFlush")
		if out.err != nil || !out.res.Canceled || out.res.Completed {
			t.Fatalf("Write = %+v, %v; want Canceled, no error", out.res, out.err)
		}

		fl := ptAsyncFlush(context.Background(), w)
		synctest.Wait()
		ptWantBlocked(t, fl, "Flush after a canceled flush")
		res := ptMustRead(t, r)
		ptWantBuffer(t, res.Buffer, ptPattern(0, ptPause))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		synctest.Wait()
		if out := ptRecv(t, fl, "Flush after the reader consumed"); out.err != nil || out.res.Canceled {
			t.Fatalf("Flush = %+v, %v", out.res, out.err)
		}
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestCancelPendingFlushBeforeFlush: with no flush pending, the next one
// returns Canceled (its bytes committed); the one after is normal.
func TestCancelPendingFlushBeforeFlush(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	w.CancelPendingFlush()
	w.CancelPendingFlush()
	res, err := w.Write(context.Background(), []byte("abc"))
	if err != nil || !res.Canceled {
		t.Fatalf("Write = %+v, %v; want Canceled", res, err)
	}
	res, err = w.Flush(context.Background())
	if err != nil || res.Canceled {
		t.Fatalf("second Flush = %+v, %v; want a normal flush", res, err)
	}
	rr := ptMustRead(t, r)
	ptWantBuffer(t, rr.Buffer, []byte("abc"))
	r.AdvanceTo(rr.Buffer.End(), rr.Buffer.End())
	w.Complete(nil)
	r.Complete(nil)
}
