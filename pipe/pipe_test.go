package pipe

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// Reader and writer facts.

func TestReadWrite(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("Hello World"))
	res := ptMustRead(t, r)
	if res.Completed || res.Canceled {
		t.Fatalf("result flags %+v", res)
	}
	if !res.Buffer.IsSingleSegment() {
		t.Error("11 bytes spread over several segments")
	}
	ptWantBuffer(t, res.Buffer, []byte("Hello World"))
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	w.Complete(nil)
	r.Complete(nil)
}

// TestInOrderAcrossSegments writes the test stream in pieces of many sizes,
// through Buffer/Advance and through Write, flushing at irregular points,
// and checks that one read returns it whole, in order, over many segments.
func TestInOrderAcrossSegments(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"default", Options{PauseThreshold: -1}},
		{"tiny segments", Options{PauseThreshold: -1, SegmentSize: 3, Pool: ptExactPool{}}},
		{"odd segments", Options{PauseThreshold: -1, SegmentSize: 1000, Pool: ptExactPool{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := ptCountingPool(t, tc.opts.Pool)
			tc.opts.Pool = pool
			p := New(tc.opts)
			w, r := p.Writer(), p.Reader()
			var off int64
			sizes := []int{0, 1, 2, 3, 7, 100, 4095, 4096, 4097, 1, 9000, 33, 70000, 5}
			for i, n := range sizes {
				chunk := ptPattern(off, n)
				if i%2 == 0 {
					ptWrite(w, chunk)
				} else {
					ptMustWrite(t, w, chunk)
				}
				off += int64(n)
				if i%3 == 0 {
					if _, err := w.Flush(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
			}
			w.Complete(nil)
			res := ptMustRead(t, r)
			if !res.Completed {
				t.Error("Completed not set after the writer completed")
			}
			if res.Buffer.Len() != int(off) {
				t.Fatalf("read %d bytes, wrote %d", res.Buffer.Len(), off)
			}
			ptWantBuffer(t, res.Buffer, ptPattern(0, int(off)))
			var got int64
			chunks := 0
			for c := range res.Buffer.Chunks() {
				if !bytes.Equal(c, ptPattern(got, len(c))) {
					t.Fatalf("chunk %d at offset %d differs", chunks, got)
				}
				got += int64(len(c))
				chunks++
			}
			if chunks < 2 {
				t.Errorf("%d bytes in %d segment(s); want several", off, chunks)
			}
			r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			r.Complete(nil)
			pool.wantOut(t, 0)
		})
	}
}

// TestManyReadsInOrder moves the stream through many write/read rounds and
// checks that the reader sees every byte once, in order.
func TestManyReadsInOrder(t *testing.T) {
	p := New(Options{SegmentSize: 10, Pool: ptExactPool{}})
	w, r := p.Writer(), p.Reader()
	var wrote, read int64
	for i := range 500 {
		n := (i * 37) % 61
		ptMustWrite(t, w, ptPattern(wrote, n))
		wrote += int64(n)
		if i%5 != 4 {
			continue
		}
		res := ptMustRead(t, r)
		if int64(res.Buffer.Len()) != wrote-read {
			t.Fatalf("round %d: read %d bytes, want %d", i, res.Buffer.Len(), wrote-read)
		}
		ptWantBuffer(t, res.Buffer, ptPattern(read, res.Buffer.Len()))
		// Consume all but the last 3 bytes, examine everything.
		keep := min(3, res.Buffer.Len())
		read += int64(res.Buffer.Len() - keep)
		r.AdvanceTo(res.Buffer.PosAt(res.Buffer.Len()-keep), res.Buffer.End())
	}
	w.Complete(nil)
	res := ptMustRead(t, r)
	ptWantBuffer(t, res.Buffer, ptPattern(read, int(wrote-read)))
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

// TestAcrossTwoSegments puts "Hello" at the end of a segment and " World" at
// the start of the next.
func TestAcrossTwoSegments(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	size := len(w.Buffer(1))
	ptWrite(w, bytes.Repeat([]byte("a"), size-5))
	ptWrite(w, []byte("Hello"))
	ptMustWrite(t, w, []byte(" World"))
	res := ptMustRead(t, r)
	if res.Buffer.IsSingleSegment() {
		t.Fatal("buffer is a single segment")
	}
	tail := res.Buffer.From(size - 5)
	var parts []string
	for c := range tail.Chunks() {
		parts = append(parts, string(c))
	}
	if want := []string{"Hello", " World"}; strings.Join(parts, "|") != strings.Join(want, "|") {
		t.Fatalf("chunks %q, want %q", parts, want)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start())
	w.Complete(nil)
	r.Complete(nil)
}

// TestUnflushedBytesInvisible checks that only flushed bytes are read, also
// when the unflushed ones overflow into a new segment.
func TestUnflushedBytesInvisible(t *testing.T) {
	for _, prefill := range []int{4, 4096 - 5} {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, ptPattern(0, prefill))
		ptWrite(w, ptPattern(int64(prefill), 12))
		res := ptMustRead(t, r)
		ptWantBuffer(t, res.Buffer, ptPattern(0, prefill))
		if p.Len() != prefill {
			t.Errorf("Len = %d with %d bytes flushed", p.Len(), prefill)
		}
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
		ptWantNoData(t, r)
		if _, err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		res = ptMustRead(t, r)
		ptWantBuffer(t, res.Buffer, ptPattern(0, prefill+12))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
	}
}

func TestBufferAtLeastN(t *testing.T) {
	pool := ptCountingPool(t, nil)
	p := New(Options{PauseThreshold: -1, Pool: pool})
	w := p.Writer()
	var off int64
	for _, n := range []int{1, 2, 100, 4095, 4096, 4097, 10000, 1 << 20, 1<<20 + 1, 3 << 20, 7, 1} {
		b := w.Buffer(n)
		if len(b) < n {
			t.Fatalf("Buffer(%d) returned %d bytes", n, len(b))
		}
		// Fill part of it, so that the next request starts mid-segment.
		k := min(len(b), n/2+1)
		copy(b, ptPattern(off, k))
		w.Advance(k)
		off += int64(k)
	}
	w.Complete(nil)
	res := ptMustRead(t, p.Reader())
	ptWantBuffer(t, res.Buffer, ptPattern(0, int(off)))
	p.Reader().AdvanceTo(res.Buffer.End(), res.Buffer.End())
	p.Reader().Complete(nil)
	pool.wantOut(t, 0)
}

func TestBufferZeroOrNegativeIsNonEmpty(t *testing.T) {
	p := New(Options{})
	w := p.Writer()
	for _, n := range []int{0, -1, -1 << 30} {
		if b := w.Buffer(n); len(b) < 1 {
			t.Errorf("Buffer(%d) returned %d bytes", n, len(b))
		}
	}
	// Also when the current segment is exactly full.
	b := w.Buffer(0)
	w.Advance(len(b))
	if b := w.Buffer(0); len(b) < 1 {
		t.Errorf("Buffer(0) after filling a segment returned %d bytes", len(b))
	}
	w.Complete(nil)
	p.Reader().Complete(nil)
}

// TestSegmentSize checks that the first Buffer is at least SegmentSize long
// and that a request larger than that gets a segment of its own size.
func TestSegmentSize(t *testing.T) {
	for _, size := range []int{0, 1, 100, 5000, 1 << 16} {
		p := New(Options{SegmentSize: size, Pool: ptExactPool{}})
		want := size
		if size == 0 {
			want = DefaultSegmentSize
		}
		if b := p.Writer().Buffer(1); len(b) < want {
			t.Errorf("SegmentSize %d: Buffer(1) returned %d bytes", size, len(b))
		}
		if b := p.Writer().Buffer(want + 1); len(b) < want+1 {
			t.Errorf("SegmentSize %d: Buffer(%d) returned %d bytes", size, want+1, len(b))
		}
	}
}

// TestLargeWriteGetsOneSegment checks that a Buffer request above the
// segment size and the pool's largest class gets one large segment, read
// back as a single segment.
func TestLargeWriteGetsOneSegment(t *testing.T) {
	for _, n := range []int{DefaultSegmentSize * 3, 1 << 20, 3<<20 + 17} {
		pool := ptCountingPool(t, nil)
		p := New(Options{PauseThreshold: -1, Pool: pool})
		w, r := p.Writer(), p.Reader()
		b := w.Buffer(n)
		if len(b) < n {
			t.Fatalf("Buffer(%d) returned %d bytes", n, len(b))
		}
		copy(b, ptPattern(0, n))
		w.Advance(n)
		if _, err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		res := ptMustRead(t, r)
		if !res.Buffer.IsSingleSegment() {
			t.Errorf("a %d-byte Buffer was read back over several segments", n)
		}
		ptWantBuffer(t, res.Buffer, ptPattern(0, n))
		if g, _, _ := pool.counts(); g != 1 {
			t.Errorf("%d Gets for one large Buffer", g)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		r.Complete(nil)
		w.Complete(nil)
		pool.wantOut(t, 0)
	}
}

// TestSmallWritesShareASegment checks that the writer fills a segment before
// taking the next one.
func TestSmallWritesShareASegment(t *testing.T) {
	pool := ptCountingPool(t, nil)
	p := New(Options{Pool: pool})
	w, r := p.Writer(), p.Reader()
	for i := range 100 {
		ptMustWrite(t, w, ptPattern(int64(i*10), 10))
	}
	if g, _, _ := pool.counts(); g != 1 {
		t.Errorf("1000 bytes in 10-byte writes took %d segments", g)
	}
	res := ptMustRead(t, r)
	if !res.Buffer.IsSingleSegment() {
		t.Error("1000 bytes spread over several segments")
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
	w.Complete(nil)
	pool.wantOut(t, 0)
}

func TestAdvanceZeroAndEmptyWrite(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	w.Buffer(10)
	w.Advance(0)
	if _, err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ptWantNoData(t, r)
	ptMustWrite(t, w, nil)
	ptMustWrite(t, w, []byte{})
	ptWantNoData(t, r)
	if p.Len() != 0 {
		t.Errorf("Len = %d", p.Len())
	}
	// A flush with nothing written at all.
	if _, err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ptWantNoData(t, r)
	w.Complete(nil)
	res := ptMustRead(t, r)
	if !res.Completed || res.Buffer.Len() != 0 {
		t.Fatalf("after completion: %+v, %d bytes", res, res.Buffer.Len())
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

// TestExaminedDecidesWaiting: examined at the end makes the next read wait
// for new bytes; examined before the end makes it return at once.
func TestExaminedDecidesWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ctx := context.Background()
		ptMustWrite(t, w, []byte("0123456789"))

		res := ptMustRead(t, r)
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(5))
		res = ptMustTryRead(t, r) // unexamined bytes remain: no waiting
		ptWantBuffer(t, res.Buffer, []byte("0123456789"))
		r.AdvanceTo(res.Buffer.PosAt(2), res.Buffer.PosAt(9))
		res = ptMustTryRead(t, r)
		ptWantBuffer(t, res.Buffer, []byte("23456789"))

		// Everything examined, nothing consumed: the next read waits.
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
		ch := ptAsyncRead(ctx, r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read with every byte examined")
		ptMustWrite(t, w, []byte("A"))
		synctest.Wait()
		out := ptRecv(t, ch, "Read after a flush")
		if out.err != nil {
			t.Fatal(out.err)
		}
		ptWantBuffer(t, out.res.Buffer, []byte("23456789A"))

		// The same after consuming everything.
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		ch = ptAsyncRead(ctx, r)
		synctest.Wait()
		ptWantBlocked(t, ch, "Read with every byte consumed")
		ptMustWrite(t, w, []byte("B"))
		synctest.Wait()
		out = ptRecv(t, ch, "Read after a flush")
		ptWantBuffer(t, out.res.Buffer, []byte("B"))
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())

		// A flush that adds nothing does not wake the reader.
		ch = ptAsyncRead(ctx, r)
		if _, err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		ptWantBlocked(t, ch, "Read after an empty flush")
		w.Complete(nil)
		synctest.Wait()
		out = ptRecv(t, ch, "Read after the writer completed")
		if !out.res.Completed || out.res.Buffer.Len() != 0 {
			t.Fatalf("got %+v", out.res)
		}
		r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
		r.Complete(nil)
	})
}

// TestZeroPositions checks that AdvanceTo accepts the zero positions of an
// empty result read before any flush, and that they stand for the start of
// the buffer.
func TestZeroPositions(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	r.CancelPendingRead()
	res := ptMustRead(t, r)
	if !res.Canceled || res.Buffer.Len() != 0 {
		t.Fatalf("got %+v", res)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	ptWantNoData(t, r)

	ptMustWrite(t, w, []byte("abc"))
	res = ptMustRead(t, r)
	r.AdvanceTo(seq.Position{}, seq.Position{}) // nothing consumed or examined
	res = ptMustTryRead(t, r)
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	r.AdvanceTo(seq.Position{}, res.Buffer.PosAt(2)) // zero consumed: the start
	res = ptMustTryRead(t, r)
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	r.AdvanceTo(res.Buffer.PosAt(2), seq.Position{}) // zero examined: as far as consumed
	res = ptMustTryRead(t, r)
	ptWantBuffer(t, res.Buffer, []byte("c"))
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	ptWantNoData(t, r)
	w.Complete(nil)
	r.Complete(nil)
}

// Length.

// TestLen checks Pipe.Len: flushed bytes not yet consumed, as documented.
func TestLen(t *testing.T) {
	p := New(Options{PauseThreshold: -1})
	w, r := p.Writer(), p.Reader()
	if p.Len() != 0 {
		t.Fatalf("new pipe: Len = %d", p.Len())
	}
	ptWrite(w, make([]byte, 10))
	if p.Len() != 0 {
		t.Errorf("Len = %d before the flush", p.Len())
	}
	if _, err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.Len() != 10 {
		t.Errorf("Len = %d after flushing 10 bytes", p.Len())
	}
	res := ptMustRead(t, r)
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	if p.Len() != 10 {
		t.Errorf("Len = %d after examining without consuming", p.Len())
	}
	ptMustWrite(t, w, make([]byte, 2))
	if p.Len() != 12 {
		t.Errorf("Len = %d after flushing 2 more", p.Len())
	}
	res = ptMustRead(t, r)
	r.AdvanceTo(res.Buffer.PosAt(5), res.Buffer.PosAt(11))
	if p.Len() != 7 {
		t.Errorf("Len = %d after consuming 5 of 12", p.Len())
	}
	res = ptMustRead(t, r)
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	if p.Len() != 0 {
		t.Errorf("Len = %d after consuming everything", p.Len())
	}
	w.Complete(nil)
	r.Complete(nil)
}

// TestLenByteByByte grows the pipe one byte per flush and then shrinks it
// one byte per read, over many small segments.
func TestLenByteByByte(t *testing.T) {
	const n = 5000
	p := New(Options{PauseThreshold: -1, SegmentSize: 7, Pool: ptExactPool{}})
	w, r := p.Writer(), p.Reader()
	for i := 1; i <= n; i++ {
		w.Buffer(100)
		w.Advance(1)
		if _, err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p.Len() != i {
			t.Fatalf("Len = %d after %d one-byte flushes", p.Len(), i)
		}
	}
	for i := n - 1; i >= 0; i-- {
		res := ptMustRead(t, r)
		if res.Buffer.Len() != i+1 {
			t.Fatalf("read %d bytes, want %d", res.Buffer.Len(), i+1)
		}
		next := res.Buffer.From(1).Start()
		r.AdvanceTo(next, next)
		if p.Len() != i {
			t.Fatalf("Len = %d, want %d", p.Len(), i)
		}
	}
	w.Complete(nil)
	r.Complete(nil)
}

// Completion and errors.

func TestWriterCompleteEndsReading(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("abc"))
	w.Complete(nil)
	res := ptMustRead(t, r)
	if !res.Completed || res.Canceled {
		t.Fatalf("flags %+v", res)
	}
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	r.AdvanceTo(res.Buffer.PosAt(1), res.Buffer.End())
	// Completed input returns at once, even with every byte examined.
	for range 3 {
		res = ptMustRead(t, r)
		if !res.Completed {
			t.Fatal("Completed not set")
		}
		ptWantBuffer(t, res.Buffer, []byte("bc"))
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	}
	res = ptMustRead(t, r)
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	res = ptMustRead(t, r)
	if !res.Completed || res.Buffer.Len() != 0 {
		t.Fatalf("got %+v with %d bytes", res, res.Buffer.Len())
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

// TestWriterCompleteCommitsUnflushed: Complete makes the bytes written so
// far readable without a Flush.
func TestWriterCompleteCommitsUnflushed(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("flushed "))
	ptWrite(w, []byte("unflushed"))
	w.Complete(nil)
	res := ptMustRead(t, r)
	ptWantBuffer(t, res.Buffer, []byte("flushed unflushed"))
	if !res.Completed {
		t.Error("Completed not set")
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

func TestWriterCompleteWithError(t *testing.T) {
	errBoom := errors.New("boom")
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("left over"))
	w.Complete(errBoom)
	for range 2 {
		res, err := r.Read(context.Background())
		if !errors.Is(err, errBoom) {
			t.Fatalf("Read error %v, want %v", err, errBoom)
		}
		if !res.Completed {
			t.Error("Completed not set with the writer's error")
		}
		// The remaining bytes come with the error; no AdvanceTo is due.
		ptWantBuffer(t, res.Buffer, []byte("left over"))
	}
	for _, read := range []func() error{
		func() error { _, err := r.ReadAtLeast(context.Background(), 100); return err },
		func() error { _, _, err := r.TryRead(); return err },
	} {
		if err := read(); !errors.Is(err, errBoom) {
			t.Errorf("error %v, want %v", err, errBoom)
		}
	}
	testutil.MustPanic(t, "without a pending read result", func() { r.AdvanceTo(seq.Position{}, seq.Position{}) })
	r.Complete(nil)
}

// TestWriterCompleteWakesReader: a waiting read returns when the writer
// completes, with its error if it has one.
func TestWriterCompleteWakesReader(t *testing.T) {
	for _, werr := range []error{nil, errors.New("writer failed")} {
		synctest.Test(t, func(t *testing.T) {
			p := New(Options{})
			w, r := p.Writer(), p.Reader()
			ch := ptAsyncRead(context.Background(), r)
			synctest.Wait()
			ptWantBlocked(t, ch, "Read on an empty pipe")
			w.Complete(werr)
			synctest.Wait()
			out := ptRecv(t, ch, "Read after the writer completed")
			if out.err != werr || !out.res.Completed {
				t.Fatalf("Read = %+v, %v; want Completed, %v", out.res, out.err, werr)
			}
			if werr == nil {
				r.AdvanceTo(out.res.Buffer.End(), out.res.Buffer.End())
			}
			r.Complete(nil)
		})
	}
}

func TestReaderCompleteEndsWriting(t *testing.T) {
	errStop := errors.New("stop sending")
	for _, rerr := range []error{nil, errStop} {
		p := New(Options{})
		w, r := p.Writer(), p.Reader()
		ptMustWrite(t, w, []byte("abc"))
		res := ptMustRead(t, r)
		// Completing without AdvanceTo is allowed.
		_ = res
		r.Complete(rerr)
		for range 3 {
			fr, err := w.Write(context.Background(), []byte("more"))
			if !fr.Completed || err != rerr {
				t.Fatalf("Write after the reader completed(%v) = %+v, %v", rerr, fr, err)
			}
			ptWrite(w, []byte("more"))
			fr, err = w.Flush(context.Background())
			if !fr.Completed || err != rerr {
				t.Fatalf("Flush after the reader completed(%v) = %+v, %v", rerr, fr, err)
			}
		}
		w.Complete(nil)
	}
}

// TestReaderCompleteWakesWriter: a paused flush returns Completed (and the
// reader's error) when the reader completes.
func TestReaderCompleteWakesWriter(t *testing.T) {
	for _, rerr := range []error{nil, errors.New("reader failed")} {
		synctest.Test(t, func(t *testing.T) {
			p := New(Options{PauseThreshold: 64, ResumeThreshold: 32})
			w, r := p.Writer(), p.Reader()
			ch := ptAsyncWrite(context.Background(), w, make([]byte, 64))
			synctest.Wait()
			ptWantBlocked(t, ch, "Write at the pause threshold")
			r.Complete(rerr)
			synctest.Wait()
			out := ptRecv(t, ch, "Write after the reader completed")
			if !out.res.Completed || out.err != rerr {
				t.Fatalf("Write = %+v, %v; want Completed, %v", out.res, out.err, rerr)
			}
			w.Complete(nil)
		})
	}
}

// TestCompleteTwice: the second Complete has no effect; the first error
// stands.
func TestCompleteTwice(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	pool := ptCountingPool(t, nil)
	p := New(Options{Pool: pool})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte{1})
	w.Complete(errA)
	w.Complete(errB)
	if _, err := r.Read(context.Background()); err != errA {
		t.Errorf("Read error %v, want %v", err, errA)
	}
	r.Complete(errA)
	r.Complete(errB)
	w.Complete(nil)
	r.Complete(nil)
	pool.wantOut(t, 0) // the pool also fails the test on a second Put
}

// TryRead.

func TestTryRead(t *testing.T) {
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ptWantNoData(t, r)
	ptWrite(w, []byte("abc"))
	ptWantNoData(t, r) // not flushed yet
	if _, err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := ptMustTryRead(t, r)
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	if _, _, err := r.TryRead(); err != ErrReadInProgress {
		t.Errorf("TryRead before AdvanceTo: %v, want ErrReadInProgress", err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	res = ptMustTryRead(t, r)
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	ptWantNoData(t, r)

	r.CancelPendingRead()
	res = ptMustTryRead(t, r)
	if !res.Canceled {
		t.Error("TryRead after CancelPendingRead: Canceled not set")
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	ptWantNoData(t, r)

	w.Complete(nil)
	res = ptMustTryRead(t, r)
	if !res.Completed {
		t.Error("TryRead after the writer completed: Completed not set")
	}
	ptWantBuffer(t, res.Buffer, []byte("abc"))
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
	if _, ok, err := r.TryRead(); ok || err != ErrReaderCompleted {
		t.Errorf("TryRead after Complete = %v, %v; want ErrReaderCompleted", ok, err)
	}
}

// Reset.

func TestReset(t *testing.T) {
	pool := ptCountingPool(t, nil)
	p := New(Options{PauseThreshold: 64, ResumeThreshold: 32, Pool: pool})
	w, r := p.Writer(), p.Reader()
	for round := range 3 {
		ptMustWrite(t, w, ptPattern(0, 40))
		res := ptMustRead(t, r)
		ptWantBuffer(t, res.Buffer, ptPattern(0, 40))
		r.AdvanceTo(res.Buffer.PosAt(10), res.Buffer.PosAt(20))
		// Leave state behind: pending cancellations, unconsumed and
		// unflushed bytes, an error on each side.
		r.CancelPendingRead()
		w.CancelPendingFlush()
		ptWrite(w, []byte("unflushed"))
		w.Complete(errors.New("w"))
		r.Complete(errors.New("r"))
		p.Reset()
		pool.wantOut(t, 0)
		if p.Len() != 0 {
			t.Fatalf("round %d: Len = %d after Reset", round, p.Len())
		}
		// Fresh state: nothing to read, no cancellation pending, pause
		// threshold counted from zero.
		ptWantNoData(t, r)
		fr, err := w.Write(context.Background(), ptPattern(0, 63))
		if err != nil || fr.Canceled || fr.Completed {
			t.Fatalf("round %d: Write after Reset = %+v, %v", round, fr, err)
		}
		res = ptMustRead(t, r)
		if res.Canceled || res.Completed {
			t.Fatalf("round %d: Read after Reset = %+v", round, res)
		}
		ptWantBuffer(t, res.Buffer, ptPattern(0, 63))
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		w.Complete(nil)
		r.Complete(nil)
		p.Reset()
		pool.wantOut(t, 0)
	}
}

// Options.

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string // "" for valid
	}{
		{Options{}, ""},
		{Options{PauseThreshold: 10, ResumeThreshold: 5}, ""},
		{Options{PauseThreshold: 10, ResumeThreshold: 10}, ""},
		{Options{PauseThreshold: 10}, ""},
		{Options{ResumeThreshold: DefaultPauseThreshold}, ""},
		{Options{PauseThreshold: -1}, ""},
		{Options{PauseThreshold: -1, ResumeThreshold: 1 << 30}, ""},
		{Options{SegmentSize: 1}, ""},
		{Options{Pool: ptExactPool{}, ReaderScheduler: Inline, Poison: true}, ""},
		{Options{ResumeThreshold: -1}, "negative ResumeThreshold"},
		{Options{SegmentSize: -1}, "negative SegmentSize"},
		{Options{PauseThreshold: 10, ResumeThreshold: 11}, "exceeds PauseThreshold"},
		{Options{ResumeThreshold: DefaultPauseThreshold + 1}, "exceeds the default PauseThreshold"},
	} {
		err := tc.opts.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: Validate = %v, want nil", tc.opts, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: Validate = %v, want an error containing %q", tc.opts, err, tc.want)
		case tc.want != "":
			testutil.MustPanic(t, tc.want, func() { New(tc.opts) })
		default:
			p := New(tc.opts)
			p.Writer().Complete(nil)
			p.Reader().Complete(nil)
		}
	}
}

// TestNewPanicsWithValidateError: the panic value is the error Validate
// returns.
func TestNewPanicsWithValidateError(t *testing.T) {
	opts := Options{PauseThreshold: 4, ResumeThreshold: 8}
	want := opts.Validate()
	defer func() {
		got, ok := recover().(error)
		if !ok || got.Error() != want.Error() {
			t.Fatalf("New panicked with %v, want %v", got, want)
		}
	}()
	New(opts)
}
