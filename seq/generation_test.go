package seq_test

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// recycle recycles seg n times as a pipe does, going on with the segment
// each Recycle returns, and returns the last one.
func recycle(seg *seq.Segment, n int) *seq.Segment {
	for range n {
		seg = seg.Recycle(false)
	}
	return seg
}

// TestStaleAfterManyRecycles: a view made at any generation panics after any
// number of recycles of its segment, in particular after a multiple of 2^16,
// which a 16-bit generation check cannot tell from none.
func TestStaleAfterManyRecycles(t *testing.T) {
	const msg = "recycled"
	for _, tc := range []struct{ before, after int }{
		{0, 1},
		{0, 1<<16 - 1},
		{0, 1 << 16},
		{0, 1<<16 + 1},
		{0, 2 << 16},
		{1, 1 << 16},
		{1<<16 - 2, 1},       // a view of the last live generation
		{1<<16 - 2, 1 << 16}, // ... and across the retirement
		{1<<16 - 1, 1 << 16}, // a view of the new segment's generation 0
		{1000, 2 << 16},
	} {
		t.Run(fmt.Sprintf("%d+%d", tc.before, tc.after), func(t *testing.T) {
			seg := recycle(seq.NewSegment(make([]byte, 0, 8)), tc.before)
			seg.Commit(copy(seg.Available(), "old!"))
			view := seg.Slice(0, 4)
			mid := view.Slice(1, 3)
			pos := view.PosAt(1)
			r := seq.NewReader(view)
			r.Advance(1)

			cur := recycle(seg, tc.after)
			cur.Commit(copy(cur.Available(), "new!"))
			if got := cur.Slice(0, 4).String(); got != "new!" {
				t.Fatalf("a fresh view of the recycled memory reads %q", got)
			}

			testutil.MustPanic(t, msg, func() { _ = view.String() })
			testutil.MustPanic(t, msg, func() { view.Len() })
			testutil.MustPanic(t, msg, func() { view.First() })
			testutil.MustPanic(t, msg, func() { view.IndexByte('w') })
			testutil.MustPanic(t, msg, func() { view.Equal([]byte("new!")) })
			testutil.MustPanic(t, msg, func() { mid.Len() })
			testutil.MustPanic(t, msg, func() { view.Last(2).Len() })
			testutil.MustPanic(t, msg, func() { seq.NewReader(view) })
			testutil.MustPanic(t, msg, func() { r.Rest().Len() })
			testutil.MustPanic(t, msg, func() { r.Position().Index() })
			testutil.MustPanic(t, msg, func() { pos.Index() })
			testutil.MustPanic(t, msg, func() { seq.Between(pos, cur.Pos(4)) })
			if pos.Valid() {
				t.Errorf("stale position reports Valid")
			}
		})
	}
}

// TestRecycleRetires: the recycle that would take a segment's generation
// past 65,534 retires it and hands its memory, poisoned if asked, to a new
// segment of generation 0.
func TestRecycleRetires(t *testing.T) {
	mem := make([]byte, 0, 8)
	seg := recycle(seq.NewSegment(mem), 1<<16-2)
	if seg.Generation() != 1<<16-2 || seg.Retired() {
		t.Fatalf("after 65,534 recycles: generation %d, retired %v, want 65534, false",
			seg.Generation(), seg.Retired())
	}
	seg.Commit(copy(seg.Available(), "abc"))
	next := seg.Recycle(true)
	if next == seg {
		t.Fatalf("the 65,535th recycle kept the segment")
	}
	if !seg.Retired() || seg.Generation() != 1<<16-1 || seg.Cap() != 0 || seg.Len() != 0 {
		t.Fatalf("retired segment: retired %v, generation %d, Cap %d, Len %d; want true, 65535, 0, 0",
			seg.Retired(), seg.Generation(), seg.Cap(), seg.Len())
	}
	if next.Retired() || next.Generation() != 0 || next.Len() != 0 || next.Cap() != cap(mem) ||
		next.Next() != nil || next.Index() != 0 {
		t.Fatalf("new segment: retired %v, generation %d, Len %d, Cap %d, Next %p, Index %d",
			next.Retired(), next.Generation(), next.Len(), next.Cap(), next.Next(), next.Index())
	}
	if unsafe.SliceData(next.Available()) != unsafe.SliceData(mem) {
		t.Fatalf("the new segment does not own the retired segment's memory")
	}
	if got := string(mem[:4]); got != seq.Poison {
		t.Fatalf("memory handed over unpoisoned: %q", got)
	}

	// A retired segment stays retired and owns no memory.
	again := seg.Recycle(false)
	if again == seg || !seg.Retired() || again.Cap() != 0 || again.Generation() != 0 {
		t.Fatalf("recycling a retired segment: same %v, retired %v, new Cap %d, new generation %d",
			again == seg, seg.Retired(), again.Cap(), again.Generation())
	}
}

// TestGenerationsNeverRepeat: across several retirements, one segment header
// per 65,535 recycles, and each header's generations only go up.
func TestGenerationsNeverRepeat(t *testing.T) {
	const n = 4 << 16
	seg := seq.NewSegment(make([]byte, 0, 4))
	headers := 1
	for range n {
		prev, gen := seg, seg.Generation()
		seg = seg.Recycle(false)
		switch {
		case seg != prev:
			headers++
			if !prev.Retired() || seg.Generation() != 0 {
				t.Fatalf("a new header without retiring the old one, or not at generation 0")
			}
		case seg.Generation() <= gen:
			t.Fatalf("generation went from %d to %d", gen, seg.Generation())
		}
	}
	if want := 1 + n/(1<<16-1); headers != want {
		t.Fatalf("%d headers for %d recycles, want %d", headers, n, want)
	}
}

// TestSizes: a Sequence stays three words and a Position two, so that both,
// and a pipe.Result holding a Sequence, are passed in registers.
func TestSizes(t *testing.T) {
	if s := unsafe.Sizeof(seq.Sequence{}); s != 3*unsafe.Sizeof(uintptr(0)) {
		t.Errorf("Sequence is %d bytes", s)
	}
	if s := unsafe.Sizeof(seq.Position{}); s != 2*unsafe.Sizeof(uintptr(0)) {
		t.Errorf("Position is %d bytes", s)
	}
}
