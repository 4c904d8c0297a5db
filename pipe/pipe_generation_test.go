package pipe

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/sluicego/sluice/seq"
)

// A view kept across 2^16 recycles of its segment must still panic: a check
// of 16 bits of the generation alone would take the segment's new bytes for
// the view's. These tests keep one view, recycle its segment through the
// pipe 2^16 times, counted by the segment's generation, and use the view.
// Once the segment is retired its generation stops, and the loops run on to
// their bounds: about a hundred recycles of the segment that took its memory
// over.

// recycles is how many times the tests recycle the kept view's segment.
const recycles = 1 << 16

// ptSlotPool is a deterministic pool (a sync.Pool drops items at random
// under the race detector): Get returns the segment put last.
type ptSlotPool struct {
	mu     sync.Mutex
	free   []*seq.Segment
	allocs int // segments allocated by Get
}

func (p *ptSlotPool) Get(size int) *seq.Segment {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 && p.free[n-1].Cap() >= size {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		return s
	}
	p.allocs++
	return seq.NewSegment(make([]byte, 0, size))
}

func (p *ptSlotPool) Put(s *seq.Segment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, s)
}

// genCounter counts the recycles of one segment by its generation, which
// goes up by one at each recycle until the segment is retired.
type genCounter struct {
	seg *seq.Segment
	gen uint32
	n   int
}

func newGenCounter(seg *seq.Segment) *genCounter {
	return &genCounter{seg: seg, gen: seg.Generation()}
}

// done reports whether the segment was recycled recycles times.
func (c *genCounter) done() bool {
	c.n = int(c.seg.Generation() - c.gen)
	return c.n >= recycles
}

// mustPanicStale fails t unless reading view panics with the stale-view
// message; if it reads, the error shows what.
func mustPanicStale(t *testing.T, view seq.Sequence, recycled int) {
	t.Helper()
	var got string
	msg, ok := func() (msg any, ok bool) {
		defer func() { msg = recover(); ok = msg != nil }()
		got = view.String()
		return nil, false
	}()
	if !ok {
		t.Fatalf("a view kept across %d recycles of its segment read %d bytes (%q...), want a panic",
			recycled, len(got), got[:min(len(got), 8)])
	}
	if s := fmt.Sprint(msg); !bytes.Contains([]byte(s), []byte("segment was recycled")) {
		t.Fatalf("panic %q, want the stale-view message", s)
	}
}

// TestStaleViewAcrossRecyclesPipe: a Pipe returns a segment to its pool and
// gets it back once per two one-segment messages; two segments take turns.
func TestStaleViewAcrossRecyclesPipe(t *testing.T) {
	const size = 16
	pool := &ptSlotPool{}
	p := New(Options{SegmentSize: size, Pool: pool})
	w, r := p.Writer(), p.Reader()
	ctx := context.Background()
	msg := func(i int) {
		b := w.Buffer(size)[:size]
		for j := range b {
			b[j] = byte('a' + i%26)
		}
		w.Advance(size)
		if _, err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msg(0)
	res, err := r.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kept := res.Buffer
	c := newGenCounter(kept.Start().Segment())
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	for i := 1; !c.done() && i < 2*recycles+100; i++ {
		msg(i)
		res, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}
	mustPanicStale(t, kept, c.n)
	// The retired segment's memory went back to the pool in a new segment.
	if pool.allocs != 2 {
		t.Errorf("the pool allocated %d segments, want 2", pool.allocs)
	}
	w.Complete(nil)
	r.Complete(nil)
}

// TestStaleViewAcrossRecyclesDefaultPool: the same through DefaultPool, as
// a program that does not allocate per message runs it. A sync.Pool may
// still drop the segment (at random under the race detector, or at two
// garbage collections in a row); the test then skips.
func TestStaleViewAcrossRecyclesDefaultPool(t *testing.T) {
	// One P: a sync.Pool keeps the segment put last in the P's private
	// slot, which a goroutine that moved to another P would not see.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const size = DefaultSegmentSize
	p := New(Options{})
	w, r := p.Writer(), p.Reader()
	ctx := context.Background()
	msg := bytes.Repeat([]byte("x"), size)
	ptMustWrite(t, w, msg)
	res, err := r.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kept := res.Buffer
	seg := kept.Start().Segment()
	c := newGenCounter(seg)
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	for i, last, seen := 1, 0, 0; !c.done() && !seg.Retired() && i < 2*recycles+100; i++ {
		if c.n != last {
			last, seen = c.n, i
		} else if i-seen > 8 {
			t.Skipf("DefaultPool dropped the segment after %d recycles", c.n)
		}
		msg[0] = byte('a' + i%26)
		ptMustWrite(t, w, msg)
		res, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}
	mustPanicStale(t, kept, c.n)
	w.Complete(nil)
	r.Complete(nil)
}

// TestStaleViewAcrossRecyclesStream: a stream reader that consumed
// everything recycles its last segment in place, once per read here; its
// first segment comes from DefaultPool.
func TestStaleViewAcrossRecyclesStream(t *testing.T) {
	r := NewReader(&ptByteSource{}, ReaderOptions{})
	ctx := context.Background()
	res, err := r.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kept := res.Buffer
	mem := unsafe.SliceData(kept.First())
	c := newGenCounter(kept.Start().Segment())
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	for i := 0; !c.done() && i < recycles+100; i++ {
		res, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Buffer.Len() != 1 {
			t.Fatalf("read %d: %d bytes, want 1", i, res.Buffer.Len())
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}
	mustPanicStale(t, kept, c.n)
	// The memory outlives the retired segment: the reader goes on in the
	// segment that took it over, rather than in one from the pool.
	if tail := r.(*streamReader).tail; unsafe.SliceData(tail.Available()) != mem {
		t.Errorf("the reader left the memory of its retired segment")
	}
	r.Complete(nil)
}

// ptByteSource is an endless io.Reader that returns one byte per read: 'a',
// 'b', ... 'z', 'a', ...
type ptByteSource struct{ n int }

func (s *ptByteSource) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = byte('a' + s.n%26)
	s.n++
	return 1, nil
}

// TestStaleViewAcrossRecyclesDropping: once the reader completed, the writer
// recycles its tail in place at every flush, and whenever a Buffer request
// does not fit in what is left of it.
func TestStaleViewAcrossRecyclesDropping(t *testing.T) {
	const size = 16
	p := New(Options{SegmentSize: size, Pool: &ptSlotPool{}})
	w, r := p.Writer(), p.Reader()
	ctx := context.Background()
	ptMustWrite(t, w, []byte("kept"))
	res, err := r.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kept := res.Buffer
	c := newGenCounter(kept.Start().Segment())
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	r.Complete(nil)
	// Steps that each recycle the tail at most once, checked one by one
	// so that the count stops at exactly recycles: a Buffer that finds the
	// tail full, a Buffer that fits, and a flush.
	for i := 0; !c.done() && i < 3*recycles/2+300; i++ {
		switch i % 3 {
		case 0:
			b := w.Buffer(size)
			if len(b) < size {
				t.Fatalf("step %d: Buffer(%d) returned %d bytes", i, size, len(b))
			}
			w.Advance(size)
		case 1:
			b := w.Buffer(1)
			if len(b) < 1 {
				t.Fatalf("step %d: Buffer(1) returned %d bytes", i, len(b))
			}
			b[0] = 'x'
			w.Advance(1)
		case 2:
			if fr, err := w.Flush(ctx); err != nil || !fr.Completed {
				t.Fatalf("step %d: Flush = %+v, %v; want Completed", i, fr, err)
			}
		}
	}
	mustPanicStale(t, kept, c.n)
	w.Complete(nil)
}

// TestStreamWriterAcrossRetirement: a stream writer reuses its segment at
// every flush; once that segment has been retired the writer goes on in the
// segment that took its memory over, and every byte still arrives.
func TestStreamWriterAcrossRetirement(t *testing.T) {
	var dst bytes.Buffer
	w := NewWriter(&dst, WriterOptions{})
	ctx := context.Background()
	var want bytes.Buffer
	var first *seq.Segment
	var mem *byte
	for i := range recycles + 10 {
		b := w.Buffer(1)
		b[0] = byte('a' + i%26)
		want.WriteByte(b[0])
		w.Advance(1)
		if _, err := w.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = w.(*streamWriter).tail
			mem = unsafe.SliceData(first.Available())
		}
	}
	if !first.Retired() {
		t.Fatalf("the writer's segment was not retired after %d flushes", recycles+10)
	}
	if tail := w.(*streamWriter).tail; unsafe.SliceData(tail.Available()) != mem {
		t.Errorf("the writer left the memory of its retired segment")
	}
	w.Complete(nil)
	if !bytes.Equal(dst.Bytes(), want.Bytes()) {
		t.Fatalf("wrote %d bytes, want %d (or different bytes)", dst.Len(), want.Len())
	}
}
