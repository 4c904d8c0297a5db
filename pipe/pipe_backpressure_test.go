package pipe

import (
	"context"
	"testing"
	"testing/synctest"
)

// Backpressure: Flush waits once the reader has left PauseThreshold flushed
// bytes unexamined, and resumes when the reader's examined position brings
// the unexamined bytes below ResumeThreshold. All these tests run in
// synctest bubbles, so "still waiting" is decided, not guessed.

const (
	ptPause  = 64
	ptResume = 32
)

func ptSmallPipe() *Pipe {
	return New(Options{PauseThreshold: ptPause, ResumeThreshold: ptResume})
}

func TestFlushBelowPauseDoesNotWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, make([]byte, ptResume))                    // 32 unexamined
		ptMustWrite(t, w, make([]byte, ptPause-ptResume-1))          // 63 unexamined
		ch := ptAsyncWrite(context.Background(), w, make([]byte, 1)) // 64: pauses
		synctest.Wait()
		ptWantBlocked(t, ch, "Write reaching the pause threshold")
		r.Complete(nil)
		synctest.Wait()
		ptRecv(t, ch, "Write after the reader completed")
		w.Complete(nil)
	})
}

// TestResumeWhenConsumedAndExaminedBelowResume: consuming and examining 33
// of 64 bytes leaves 31 < 32 unexamined and resumes the writer; 32 does not.
func TestResumeWhenConsumedAndExaminedBelowResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")

		res := ptMustRead(t, r)
		pos := res.Buffer.PosAt(ptResume) // 32 left: not enough
		r.AdvanceTo(pos, pos)
		synctest.Wait()
		ptWantBlocked(t, ch, "Write with ResumeThreshold bytes unexamined")

		res = ptMustRead(t, r)
		pos = res.Buffer.PosAt(1) // 31 left
		r.AdvanceTo(pos, pos)
		synctest.Wait()
		out := ptRecv(t, ch, "Write with fewer than ResumeThreshold bytes unexamined")
		if out.err != nil || out.res.Completed || out.res.Canceled {
			t.Fatalf("Write = %+v, %v", out.res, out.err)
		}

		// The next commit over the threshold pauses again.
		ch = ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write over the threshold after resuming")
		r.Complete(nil)
		synctest.Wait()
		ptRecv(t, ch, "Write after the reader completed")
		w.Complete(nil)
	})
}

// TestExaminingWithoutConsumingResumes: backpressure counts examined bytes,
// so a reader that looks at the bytes without releasing them resumes the
// writer.
func TestExaminingWithoutConsumingResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")

		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(ptPause-ptResume+1))
		synctest.Wait()
		ptRecv(t, ch, "Write after the reader examined 33 of 64 bytes")
		if p.Len() != ptPause {
			t.Errorf("Len = %d; nothing was consumed", p.Len())
		}
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestConsumingWithoutExaminingMoreDoesNotResume: releasing bytes that were
// already examined changes nothing for the writer.
func TestConsumingWithoutExaminingMoreDoesNotResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()

		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(20)) // 44 unexamined
		synctest.Wait()
		ptWantBlocked(t, ch, "Write with 44 bytes unexamined")

		res = ptMustRead(t, r) // examined < end: returns at once
		at20 := res.Buffer.PosAt(20)
		r.AdvanceTo(at20, at20) // consume up to what was examined
		synctest.Wait()
		ptWantBlocked(t, ch, "Write after consuming only examined bytes")
		if p.Len() != ptPause-20 {
			t.Errorf("Len = %d after consuming 20 of %d", p.Len(), ptPause)
		}

		res = ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(13)) // examined 33: 31 left
		synctest.Wait()
		ptRecv(t, ch, "Write after examining 33 bytes")
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestHysteresis: once paused, the writer waits for ResumeThreshold, not
// PauseThreshold; once resumed, PauseThreshold applies again.
func TestHysteresis(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, make([]byte, 40))
		ch := ptAsyncWrite(context.Background(), w, make([]byte, 24)) // 64
		synctest.Wait()
		ptWantBlocked(t, ch, "Write reaching 64 bytes")

		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(10)) // 54 < 64 but >= 32
		synctest.Wait()
		ptWantBlocked(t, ch, "Write between the thresholds")
		res = ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(33)) // 31
		synctest.Wait()
		ptRecv(t, ch, "Write below the resume threshold")

		ptMustWrite(t, w, make([]byte, 20))                          // 51: below pause, no wait
		ch = ptAsyncWrite(context.Background(), w, make([]byte, 13)) // 64
		synctest.Wait()
		ptWantBlocked(t, ch, "Write reaching 64 bytes again")
		r.Complete(nil)
		synctest.Wait()
		ptRecv(t, ch, "Write after the reader completed")
		w.Complete(nil)
	})
}

// TestPausedEveryTime: a writer that flushes PauseThreshold bytes at a time
// waits on every flush, and the reader, examining without consuming, gets
// all of it at the end.
func TestPausedEveryTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const loops = 5
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		for i := range loops {
			ch := ptAsyncWrite(context.Background(), w, ptPattern(int64(i*ptPause), ptPause))
			synctest.Wait()
			ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
			res := ptMustRead(t, r)
			if res.Buffer.Len() != (i+1)*ptPause {
				t.Fatalf("loop %d: buffer holds %d bytes", i, res.Buffer.Len())
			}
			r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
			synctest.Wait()
			ptRecv(t, ch, "Write after the reader examined everything")
		}
		w.Complete(nil)
		res := ptMustRead(t, r)
		if !res.Completed {
			t.Error("Completed not set")
		}
		ptWantBuffer(t, res.Buffer, ptPattern(0, loops*ptPause))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		r.Complete(nil)
	})
}

// TestBufferPastPauseThresholdWithReaderGoroutine runs the writer against a
// reader that examines without consuming until the end: each flush pauses
// and is resumed by the reader.
func TestBufferPastPauseThresholdWithReaderGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const loops = 20
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		done := ptAsync(func() error {
			for i := range loops {
				if _, err := w.Write(context.Background(), ptPattern(int64(i*ptPause), ptPause)); err != nil {
					return err
				}
			}
			w.Complete(nil)
			return nil
		})
		for {
			res := ptMustRead(t, r)
			if res.Completed {
				ptWantBuffer(t, res.Buffer, ptPattern(0, loops*ptPause))
				r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
				break
			}
			r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		r.Complete(nil)
	})
}

func TestDefaultThresholds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, make([]byte, DefaultPauseThreshold-1))
		ch := ptAsyncWrite(context.Background(), w, make([]byte, 1))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write reaching 64 KiB")

		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(DefaultPauseThreshold-DefaultResumeThreshold))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write with 32 KiB unexamined")
		res = ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(DefaultPauseThreshold-DefaultResumeThreshold+1))
		synctest.Wait()
		ptRecv(t, ch, "Write with 32 KiB - 1 unexamined")
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestResumeDefaultsToHalfOfPause: with only PauseThreshold set below the
// default resume threshold, the writer resumes below half of it.
func TestResumeDefaultsToHalfOfPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{PauseThreshold: 10})
		w, r := p.Writer(), p.Reader()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, 10))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of 10 bytes")
		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(5)) // 5 left
		synctest.Wait()
		ptWantBlocked(t, ch, "Write with 5 bytes unexamined")
		res = ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(6)) // 4 left
		synctest.Wait()
		ptRecv(t, ch, "Write with 4 bytes unexamined")
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestNegativePauseNeverWaits writes 8 MiB that nobody reads. In a bubble,
// a Flush that waited would make synctest report a deadlock.
func TestNegativePauseNeverWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{PauseThreshold: -1})
		w := p.Writer()
		chunk := make([]byte, 64<<10)
		for range 128 {
			ptMustWrite(t, w, chunk)
		}
		if p.Len() != 8<<20 {
			t.Errorf("Len = %d", p.Len())
		}
		w.Complete(nil)
		p.Reader().Complete(nil)
	})
}

// TestEmptyFlushWhilePaused: a Flush that adds nothing still waits while
// the reader is too far behind.
func TestEmptyFlushWhilePaused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ctx, cancel := context.WithCancel(context.Background())
		ch := ptAsyncWrite(ctx, w, make([]byte, ptPause))
		synctest.Wait()
		cancel()
		synctest.Wait()
		if out := ptRecv(t, ch, "canceled Write"); out.err != context.Canceled {
			t.Fatalf("Write = %+v, %v", out.res, out.err)
		}
		fl := ptAsyncFlush(context.Background(), w)
		synctest.Wait()
		ptWantBlocked(t, fl, "empty Flush with 64 bytes unexamined")
		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		synctest.Wait()
		ptRecv(t, fl, "empty Flush after the reader consumed everything")
		w.Complete(nil)
		r.Complete(nil)
	})
}

// ReadAtLeast.

func TestReadAtLeastWaitsForN(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte("Hello"))
		ch := ptAsyncReadAtLeast(context.Background(), r, 11)
		synctest.Wait()
		ptWantBlocked(t, ch, "ReadAtLeast(11) with 5 bytes")
		ptMustWrite(t, w, []byte(" Worl"))
		synctest.Wait()
		ptWantBlocked(t, ch, "ReadAtLeast(11) with 10 bytes")
		ptMustWrite(t, w, []byte("d"))
		synctest.Wait()
		out := ptRecv(t, ch, "ReadAtLeast(11) with 11 bytes")
		if out.err != nil {
			t.Fatal(out.err)
		}
		ptWantBuffer(t, out.res.Buffer, []byte("Hello World"))
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestReadAtLeastIgnoresExamined: ReadAtLeast counts unconsumed bytes,
// whatever was examined.
func TestReadAtLeastIgnoresExamined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte("Hello"))
		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End()) // all examined
		// Read would wait, ReadAtLeast(5) does not.
		ptWantNoData(t, r)
		res, err := r.ReadAtLeast(context.Background(), 5)
		if err != nil {
			t.Fatal(err)
		}
		ptWantBuffer(t, res.Buffer, []byte("Hello"))
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())

		// Read would not wait (bytes unexamined), ReadAtLeast(6) does.
		ptMustWrite(t, w, []byte(" "))
		res = ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(5)) // " " unexamined
		ptMustTryRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(5))
		ch := ptAsyncReadAtLeast(context.Background(), r, 7)
		synctest.Wait()
		ptWantBlocked(t, ch, "ReadAtLeast(7) with 6 bytes, some unexamined")
		ptMustWrite(t, w, []byte("W"))
		synctest.Wait()
		out := ptRecv(t, ch, "ReadAtLeast(7) with 7 bytes")
		ptWantBuffer(t, out.res.Buffer, []byte("Hello W"))
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestReadAtLeastReturnsFewerOnCompletion: a completed writer ends the wait
// with whatever is left, every time.
func TestReadAtLeastReturnsFewerOnCompletion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte("Hello"))
		ch := ptAsyncReadAtLeast(context.Background(), r, 100)
		synctest.Wait()
		ptWantBlocked(t, ch, "ReadAtLeast(100) with 5 bytes")
		w.Complete(nil)
		synctest.Wait()
		out := ptRecv(t, ch, "ReadAtLeast(100) after the writer completed")
		if out.err != nil || !out.res.Completed {
			t.Fatalf("ReadAtLeast = %+v, %v", out.res, out.err)
		}
		ptWantBuffer(t, out.res.Buffer, []byte("Hello"))
		r.AdvanceTo(out.res.Buffer.Start(), out.res.Buffer.End())
		for range 3 {
			res, err := r.ReadAtLeast(context.Background(), 100)
			if err != nil || !res.Completed {
				t.Fatalf("ReadAtLeast = %+v, %v", res, err)
			}
			r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		}
		r.Complete(nil)
	})
}

// TestReadAtLeastBeyondPauseThreshold: a reader that needs more than the
// pause threshold resumes a paused writer instead of deadlocking with it,
// whichever side comes first.
func TestReadAtLeastBeyondPauseThreshold(t *testing.T) {
	for _, readerFirst := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			p := ptSmallPipe()
			w, r := p.Writer(), p.Reader()
			var rd <-chan ptReadOut
			if readerFirst {
				rd = ptAsyncReadAtLeast(context.Background(), r, 3*ptPause)
				synctest.Wait()
			}
			wr := ptAsyncWrite(context.Background(), w, ptPattern(0, ptPause))
			synctest.Wait()
			if !readerFirst {
				ptWantBlocked(t, wr, "Write of PauseThreshold bytes before ReadAtLeast")
				rd = ptAsyncReadAtLeast(context.Background(), r, 3*ptPause)
				synctest.Wait()
			}
			ptRecv(t, wr, "Write while ReadAtLeast needs more than the pipe holds")
			ptWantBlocked(t, rd, "ReadAtLeast(192) with 64 bytes")
			ptMustWrite(t, w, ptPattern(ptPause, ptPause)) // 128 < 192: no pause
			// The flush that satisfies the read leaves the reader 192
			// bytes behind: it waits until the reader has looked at them.
			wr = ptAsyncWrite(context.Background(), w, ptPattern(2*ptPause, ptPause))
			synctest.Wait()
			out := ptRecv(t, rd, "ReadAtLeast(192) with 192 bytes")
			if out.err != nil {
				t.Fatal(out.err)
			}
			ptWantBuffer(t, out.res.Buffer, ptPattern(0, 3*ptPause))
			ptWantBlocked(t, wr, "Write leaving 192 bytes unexamined")
			r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
			synctest.Wait()
			ptRecv(t, wr, "Write after the reader consumed everything")
			w.Complete(nil)
			r.Complete(nil)
		})
	}
}

// TestSatisfiedReadAtLeastDoesNotLiftBackpressure: a flush that completes a
// waiting ReadAtLeast and leaves the reader PauseThreshold bytes behind
// waits like any other.
func TestSatisfiedReadAtLeastDoesNotLiftBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		rd := ptAsyncReadAtLeast(context.Background(), r, 10)
		synctest.Wait()
		wr := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		out := ptRecv(t, rd, "ReadAtLeast(10) with 64 bytes")
		ptWantBlocked(t, wr, "Write leaving 64 bytes unexamined")
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		synctest.Wait()
		ptRecv(t, wr, "Write after the reader consumed everything")
		w.Complete(nil)
		r.Complete(nil)
	})
}

func TestReadAtLeastAlternatesWithRead(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("Hello"))
	res, err := r.ReadAtLeast(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	ptWantBuffer(t, res.Buffer, []byte("Hello")) // everything buffered, not just 3
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	ptMustWrite(t, w, []byte(" World"))
	res = ptMustRead(t, r)
	ptWantBuffer(t, res.Buffer, []byte(" World"))
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	w.Complete(nil)
	r.Complete(nil)
}

func TestReadAtLeastCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, make([]byte, 10))

		// By ctx, while waiting, also after more (not enough) bytes came.
		ctx, cancel := context.WithCancel(context.Background())
		ch := ptAsyncReadAtLeast(ctx, r, 12)
		synctest.Wait()
		ptMustWrite(t, w, make([]byte, 1))
		synctest.Wait()
		ptWantBlocked(t, ch, "ReadAtLeast(12) with 11 bytes")
		cancel()
		synctest.Wait()
		if out := ptRecv(t, ch, "canceled ReadAtLeast"); out.err != context.Canceled {
			t.Fatalf("ReadAtLeast = %+v, %v; want context.Canceled", out.res, out.err)
		}

		// By CancelPendingRead, pending or before the call.
		ch = ptAsyncReadAtLeast(context.Background(), r, 1000)
		synctest.Wait()
		r.CancelPendingRead()
		synctest.Wait()
		out := ptRecv(t, ch, "ReadAtLeast after CancelPendingRead")
		if out.err != nil || !out.res.Canceled || out.res.Buffer.Len() != 11 {
			t.Fatalf("ReadAtLeast = %+v (%d bytes), %v", out.res, out.res.Buffer.Len(), out.err)
		}
		r.AdvanceTo(out.res.Buffer.Start(), out.res.Buffer.Start())
		r.CancelPendingRead()
		res, err := r.ReadAtLeast(context.Background(), 1000)
		if err != nil || !res.Canceled {
			t.Fatalf("ReadAtLeast = %+v, %v", res, err)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	})
}

// TestCanceledFlushForgetsItWaited: a Flush ended by CancelPendingFlush
// while it waited leaves no trace, so the next Flush pauses at
// PauseThreshold again, not at ResumeThreshold (the threshold of a flush
// that is already waiting). Found by the model-based test in package fuzz.
func TestCanceledFlushForgetsItWaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := ptSmallPipe()
		w, r := p.Writer(), p.Reader()
		ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
		synctest.Wait()
		ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
		res := ptMustRead(t, r)
		pos := res.Buffer.PosAt(ptPause - ptResume) // ResumeThreshold (32) left unexamined
		r.AdvanceTo(res.Buffer.Start(), pos)
		synctest.Wait()
		ptWantBlocked(t, ch, "Write with ResumeThreshold bytes unexamined")
		w.CancelPendingFlush()
		synctest.Wait()
		if out := ptRecv(t, ch, "the canceled Write"); !out.res.Canceled {
			t.Fatalf("canceled Write = %+v, want Canceled", out)
		}
		// 32 unexamined < PauseThreshold: a new Flush must not wait.
		ch = ptAsyncWrite(context.Background(), w, nil)
		synctest.Wait()
		ptRecv(t, ch, "Flush below PauseThreshold after a canceled flush")
		r.Complete(nil)
		w.Complete(nil)
	})
}

// TestThresholdBoundaries pins what Options promises, one byte either side
// of each threshold: a Flush waits when the unexamined bytes reach
// PauseThreshold (>=), and a waiting Flush resumes when they fall below
// ResumeThreshold (<), as .NET's PauseWriterThreshold and
// ResumeWriterThreshold do.
func TestThresholdBoundaries(t *testing.T) {
	t.Run("pause", func(t *testing.T) {
		for _, tc := range []struct {
			unexamined int
			waits      bool
		}{{ptPause - 1, false}, {ptPause, true}, {ptPause + 1, true}} {
			synctest.Test(t, func(t *testing.T) {
				p := ptSmallPipe()
				w, r := p.Writer(), p.Reader()
				ptMustWrite(t, w, make([]byte, ptPause-2)) // below: no wait
				ch := ptAsyncWrite(context.Background(), w, make([]byte, tc.unexamined-(ptPause-2)))
				synctest.Wait()
				if tc.waits {
					ptWantBlocked(t, ch, "Write leaving the pause threshold or more unexamined")
					r.Complete(nil)
					synctest.Wait()
					ptRecv(t, ch, "Write after the reader completed")
				} else if out := ptRecv(t, ch, "Write leaving fewer than the pause threshold unexamined"); out.err != nil || p.Len() != tc.unexamined {
					t.Fatalf("Write: %v, with %d bytes buffered", out.err, p.Len())
				}
				r.Complete(nil)
				w.Complete(nil)
			})
		}
	})
	t.Run("resume", func(t *testing.T) {
		for _, tc := range []struct {
			unexamined int
			resumes    bool
		}{{ptResume + 1, false}, {ptResume, false}, {ptResume - 1, true}} {
			synctest.Test(t, func(t *testing.T) {
				p := ptSmallPipe()
				w, r := p.Writer(), p.Reader()
				ch := ptAsyncWrite(context.Background(), w, make([]byte, ptPause))
				synctest.Wait()
				ptWantBlocked(t, ch, "Write of PauseThreshold bytes")
				res := ptMustRead(t, r)
				r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(ptPause-tc.unexamined))
				synctest.Wait()
				if tc.resumes {
					if out := ptRecv(t, ch, "Write with fewer than ResumeThreshold bytes unexamined"); out.err != nil || out.res != (FlushResult{}) {
						t.Fatalf("Write = %+v, %v", out.res, out.err)
					}
				} else {
					ptWantBlocked(t, ch, "Write with ResumeThreshold or more bytes unexamined")
					r.Complete(nil)
					synctest.Wait()
					ptRecv(t, ch, "Write after the reader completed")
				}
				r.Complete(nil)
				w.Complete(nil)
			})
		}
	})
}
