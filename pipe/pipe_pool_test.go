package pipe

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// Segments go back to the pool as soon as they are consumed, and all of them
// once both sides completed.

// ptFillSegments flushes n full segments of DefaultSegmentSize plus extra
// bytes in one more segment.
func ptFillSegments(t *testing.T, w Writer, n, extra int) {
	t.Helper()
	var off int64
	for range n {
		b := w.Buffer(DefaultSegmentSize)
		if len(b) != DefaultSegmentSize {
			t.Fatalf("Buffer(%d) returned %d bytes", DefaultSegmentSize, len(b))
		}
		copy(b, ptPattern(off, len(b)))
		w.Advance(len(b))
		off += int64(len(b))
	}
	ptWrite(w, ptPattern(off, extra))
	if _, err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSegmentsReturnedWhenConsumed: consuming past a segment returns it at
// once; the segment holding the end of the flushed bytes stays.
func TestSegmentsReturnedWhenConsumed(t *testing.T) {
	pool := ptCountingPool(t, nil)
	p := New(Options{PauseThreshold: -1, Pool: pool})
	w, r := p.Writer(), p.Reader()
	ptFillSegments(t, w, 3, 10)
	pool.wantOut(t, 4)

	res := ptMustRead(t, r)
	r.AdvanceTo(res.Buffer.PosAt(100), res.Buffer.PosAt(100))
	pool.wantOut(t, 4) // the first segment is still in use

	res = ptMustRead(t, r)
	// The end of the first segment, as a position in that segment.
	end1 := res.Buffer.Slice(0, DefaultSegmentSize-100).End()
	if end1.Segment() != res.Buffer.Start().Segment() {
		t.Fatal("test setup: the slice does not end in the first segment")
	}
	r.AdvanceTo(end1, end1)
	pool.wantOut(t, 3)

	res = ptMustRead(t, r)
	third := res.Buffer.PosAt(DefaultSegmentSize) // the start of the third segment
	r.AdvanceTo(third, third)
	pool.wantOut(t, 2)

	ptWrite(w, []byte("x")) // unflushed bytes in the last segment
	res = ptMustRead(t, r)
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	pool.wantOut(t, 1) // the writer's segment

	r.Complete(nil)
	pool.wantOut(t, 1)
	w.Complete(nil)
	pool.wantOut(t, 0)
}

// TestPoolBalanced checks that every Get is matched by one Put once both
// sides completed, in many situations.
func TestPoolBalanced(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, w Writer, r Reader)
	}{
		{"nothing written", func(t *testing.T, w Writer, r Reader) {}},
		{"Buffer without Advance", func(t *testing.T, w Writer, r Reader) {
			w.Buffer(512)
		}},
		{"Buffer growing", func(t *testing.T, w Writer, r Reader) {
			w.Buffer(512)
			w.Buffer(5000)
			w.Buffer(3 << 20)
		}},
		{"unflushed", func(t *testing.T, w Writer, r Reader) {
			ptWrite(w, make([]byte, 3*DefaultSegmentSize))
		}},
		{"flushed, unread", func(t *testing.T, w Writer, r Reader) {
			ptFillSegments(t, w, 3, 1)
		}},
		{"read, not advanced", func(t *testing.T, w Writer, r Reader) {
			ptFillSegments(t, w, 3, 1)
			ptMustRead(t, r)
		}},
		{"partly consumed", func(t *testing.T, w Writer, r Reader) {
			ptFillSegments(t, w, 3, 1)
			res := ptMustRead(t, r)
			r.AdvanceTo(res.Buffer.PosAt(5000), res.Buffer.End())
		}},
		{"large segments", func(t *testing.T, w Writer, r Reader) {
			ptMustWrite(t, w, make([]byte, 5<<20))
			res := ptMustRead(t, r)
			r.AdvanceTo(res.Buffer.PosAt(1<<20), res.Buffer.End())
		}},
		{"writer error", func(t *testing.T, w Writer, r Reader) {
			ptFillSegments(t, w, 2, 1)
			ptWrite(w, []byte("tail"))
			w.Complete(errPtTest)
		}},
	} {
		for _, readerFirst := range []bool{false, true} {
			name := tc.name + "/writer first"
			if readerFirst {
				name = tc.name + "/reader first"
			}
			t.Run(name, func(t *testing.T) {
				pool := ptCountingPool(t, nil)
				p := New(Options{PauseThreshold: -1, Pool: pool})
				w, r := p.Writer(), p.Reader()
				tc.run(t, w, r)
				if readerFirst {
					r.Complete(nil)
					w.Complete(nil)
				} else {
					w.Complete(nil)
					r.Complete(nil)
				}
				pool.wantOut(t, 0)
				// Completing again returns nothing twice (the pool
				// would fail the test).
				r.Complete(nil)
				w.Complete(nil)
				p.Reset()
				pool.wantOut(t, 0)
			})
		}
	}
}

var errPtTest = &ptError{"test error"}

type ptError struct{ s string }

func (e *ptError) Error() string { return e.s }

// TestReaderCompleteReturnsAllButWritersSegment: when the reader completes
// first, everything but the segment the writer may still be filling goes
// back at once.
func TestReaderCompleteReturnsAllButWritersSegment(t *testing.T) {
	pool := ptCountingPool(t, nil)
	p := New(Options{PauseThreshold: -1, Pool: pool})
	w, r := p.Writer(), p.Reader()
	ptFillSegments(t, w, 5, 10)
	pool.wantOut(t, 6)
	r.Complete(nil)
	pool.wantOut(t, 1)
	if n := p.Len(); n != 0 {
		t.Errorf("Len = %d after the reader completed; the pipe holds nothing", n)
	}
	w.Complete(nil)
	pool.wantOut(t, 0)
}

// Writes after the reader completed are dropped: the writer keeps reusing
// the memory it has instead of buffering bytes nobody will read.

func TestWritesAfterReaderCompleteAreDropped(t *testing.T) {
	const total = 100 << 20
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, w Writer)
	}{
		{"Write in 64 KiB pieces", func(t *testing.T, w Writer) {
			chunk := make([]byte, 64<<10)
			for n := 0; n < total; n += len(chunk) {
				if res, err := w.Write(context.Background(), chunk); err != nil || !res.Completed {
					t.Fatalf("Write = %+v, %v; want Completed", res, err)
				}
			}
		}},
		{"Buffer and Advance, flushing every 64 KiB", func(t *testing.T, w Writer) {
			for n := 0; n < total; {
				b := w.Buffer(1000)
				w.Advance(len(b))
				n += len(b)
				if n%(64<<10) < len(b) {
					if res, err := w.Flush(context.Background()); err != nil || !res.Completed {
						t.Fatalf("Flush = %+v, %v; want Completed", res, err)
					}
				}
			}
		}},
		{"Buffer and Advance, never flushing", func(t *testing.T, w Writer) {
			for n := 0; n < total; {
				b := w.Buffer(1000)
				w.Advance(len(b))
				n += len(b)
			}
		}},
		{"one 16 MiB Write", func(t *testing.T, w Writer) {
			if res, err := w.Write(context.Background(), make([]byte, 16<<20)); err != nil || !res.Completed {
				t.Fatalf("Write = %+v, %v; want Completed", res, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := ptCountingPool(t, nil)
			p := New(Options{Pool: pool})
			w, r := p.Writer(), p.Reader()
			ptMustWrite(t, w, []byte("before"))
			r.Complete(nil)
			tc.write(t, w)
			gets, _, _ := pool.counts()
			pool.mu.Lock()
			maxOut, getBytes := pool.maxOut, pool.getBytes
			pool.mu.Unlock()
			if gets > 4 || maxOut > 2 || getBytes > 4<<20 {
				t.Errorf("after the reader completed: %d Gets (%d bytes), up to %d segments out; want the memory reused", gets, getBytes, maxOut)
			}
			w.Complete(nil)
			pool.wantOut(t, 0)
		})
	}
}

// Poisoning: in a test binary, a recycled segment is overwritten with
// seq.Poison, so that a []byte kept past AdvanceTo shows garbage.

func TestPoisonedAfterRecycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"default in tests", Options{}},
		{"Options.Poison", Options{Poison: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts == (Options{}) && !poisonByDefault {
				t.Skip("poisoning is off while benchmarks run")
			}
			tc.opts.Pool = ptExactPool{} // no reuse: the memory stays as recycled
			tc.opts.SegmentSize = 64
			p := New(tc.opts)
			w, r := p.Writer(), p.Reader()
			ptWrite(w, ptPattern(0, 64))
			ptMustWrite(t, w, ptPattern(64, 1)) // a second segment
			res := ptMustRead(t, r)
			kept := res.Buffer.First() // a plain []byte into the first segment
			if !bytes.Equal(kept, ptPattern(0, 64)) {
				t.Fatalf("first segment holds %x", kept)
			}
			staleView := res.Buffer
			r.AdvanceTo(res.Buffer.End(), res.Buffer.End())

			want := bytes.Repeat([]byte(seq.Poison), 64/len(seq.Poison))
			if !bytes.Equal(kept, want) {
				t.Fatalf("slice kept past AdvanceTo reads %x, want the poison pattern", kept)
			}
			// The Sequence itself fails loudly.
			testutil.MustPanic(t, "segment was recycled", func() { staleView.Bytes() })
			w.Complete(nil)
			r.Complete(nil)
		})
	}
}

// TestPoisonOnComplete: completing both sides recycles (and poisons) the
// last segments too.
func TestPoisonOnComplete(t *testing.T) {
	p := New(Options{Poison: true, Pool: ptExactPool{}})
	w, r := p.Writer(), p.Reader()
	ptMustWrite(t, w, []byte("secret"))
	res := ptMustRead(t, r)
	kept := res.Buffer.First()
	r.Complete(nil)
	w.Complete(nil)
	if string(kept) == "secret" || !strings.HasPrefix(seq.Poison+seq.Poison, string(kept)) {
		t.Fatalf("slice kept past Complete reads %q, want the poison pattern", kept)
	}
}

// DefaultPool.

func TestDefaultPool(t *testing.T) {
	for _, size := range []int{0, 1, 100, 4096, 4097, 8192, 1 << 20, 1<<20 + 1, 3 << 20} {
		s := DefaultPool.Get(size)
		if s.Len() != 0 || s.Cap() < size {
			t.Errorf("Get(%d): Len %d, Cap %d", size, s.Len(), s.Cap())
		}
		if size <= 1<<20 && s.Cap()&(s.Cap()-1) != 0 {
			t.Errorf("Get(%d): capacity %d is not a size class", size, s.Cap())
		}
		s.Recycle(true)
		DefaultPool.Put(s)
	}
	// A foreign segment of an odd size is accepted and dropped.
	DefaultPool.Put(seq.NewSegment(make([]byte, 0, 1000)))
	if s := DefaultPool.Get(1000); s.Cap() < 1000 || s.Len() != 0 {
		t.Errorf("Get(1000) after a foreign Put: Len %d, Cap %d", s.Len(), s.Cap())
	}
}
