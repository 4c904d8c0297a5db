package seq_test

import (
	"bytes"
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// TestReuse checks that Reuse empties a last segment in place as Recycle
// and SetIndex do (stale views panic, the index is set, poison is written),
// and refuses a segment with a successor or one that Recycle would retire.
func TestReuse(t *testing.T) {
	seg := seq.NewSegment(make([]byte, 0, 8))
	seg.Commit(copy(seg.Available(), "old!"))
	view, pos := seg.Slice(0, 4), seg.Pos(2)
	gen := seg.Generation()
	if !seg.Reuse(100, true) {
		t.Fatal("Reuse of a last segment reported false")
	}
	if seg.Len() != 0 || seg.Index() != 100 || seg.Generation() != gen+1 || seg.Retired() {
		t.Fatalf("after Reuse: len %d, index %d, generation %d (was %d)", seg.Len(), seg.Index(), seg.Generation(), gen)
	}
	if free := seg.Available(); len(free) != 8 || !bytes.Equal(free[:4], []byte(seq.Poison)) {
		t.Fatalf("after Reuse with poison: free space %q", free)
	}
	testutil.MustPanic(t, "recycled", func() { view.Len() })
	testutil.MustPanic(t, "recycled", func() { pos.Index() })
	if pos.Valid() {
		t.Error("a position from before Reuse reports Valid")
	}
	if p := seg.Pos(0); p.Index() != 100 {
		t.Errorf("a new position's index is %d, want 100", p.Index())
	}

	// A segment with a successor is not the last one: Reuse leaves it.
	next := seq.NewSegment(make([]byte, 0, 8))
	seg.Commit(copy(seg.Available(), "ab"))
	seg.Link(next)
	if gen := seg.Generation(); seg.Reuse(0, false) || seg.Len() != 2 || seg.Generation() != gen {
		t.Fatalf("Reuse of a linked segment: len %d, generation %d (was %d)", seg.Len(), seg.Generation(), gen)
	}

	// At the last live generation Reuse refuses, and Recycle retires.
	last := recycle(seq.NewSegment(make([]byte, 0, 8)), 1<<16-2)
	if gen := last.Generation(); last.Reuse(0, false) || last.Generation() != gen {
		t.Fatalf("Reuse at generation %d changed it to %d", gen, last.Generation())
	}
	if nt := last.Recycle(false); nt == last || !last.Retired() {
		t.Fatal("Recycle at the last generation did not retire the segment")
	}
}

// TestCommitSlice checks that CommitSlice commits as Commit does and views
// the data from its offset to the new end, and panics out of range.
func TestCommitSlice(t *testing.T) {
	seg := seq.NewSegment(make([]byte, 0, 8))
	seg.Commit(copy(seg.Available(), "ab"))
	copy(seg.Available(), "cde")
	s := seg.CommitSlice(3, 1)
	if seg.Len() != 5 || s.String() != "bcde" || s.Start().Offset() != 1 || s.End().Offset() != 5 {
		t.Fatalf("CommitSlice(3, 1): len %d, view %q [%d, %d)", seg.Len(), s.String(), s.Start().Offset(), s.End().Offset())
	}
	if s := seg.CommitSlice(0, 5); s.Len() != 0 || !s.End().Valid() {
		t.Fatalf("CommitSlice(0, 5): %q", s.String())
	}
	testutil.MustPanic(t, "seq: Commit(4)", func() { seg.CommitSlice(4, 0) })
	testutil.MustPanic(t, "seq: Commit(-1)", func() { seg.CommitSlice(-1, 0) })
	testutil.MustPanic(t, "seq: CommitSlice from offset 7", func() { seg.CommitSlice(1, 7) })
	testutil.MustPanic(t, "seq: CommitSlice from offset -1", func() { seg.CommitSlice(1, -1) })
	if seg.Len() != 5 {
		t.Errorf("a refused CommitSlice changed the length to %d", seg.Len())
	}
}
