package seq_test

import (
	"bytes"
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// TestReuse checks that Reuse and ReuseAvailable empty a last segment in
// place as Recycle and SetIndex do (stale views panic, the index is set,
// poison is written), that ReuseAvailable returns all of the memory, and
// that both refuse a segment with a successor or one that Recycle would
// retire, changing nothing.
func TestReuse(t *testing.T) {
	for _, name := range []string{"Reuse", "ReuseAvailable"} {
		reuse := func(s *seq.Segment, index int64, poison bool) bool {
			if name == "Reuse" {
				return s.Reuse(index, poison)
			}
			free, ok := s.ReuseAvailable(index, poison)
			if ok != (free != nil) || ok && (len(free) != s.Cap() || &free[:1][0] != &s.Available()[:1][0]) {
				t.Fatalf("ReuseAvailable returned %d bytes, ok %v, of a segment of %d", len(free), ok, s.Cap())
			}
			return ok
		}
		seg := seq.NewSegment(make([]byte, 0, 8))
		seg.Commit(copy(seg.Available(), "old!"))
		view, pos := seg.Slice(0, 4), seg.Pos(2)
		gen := seg.Generation()
		if !reuse(seg, 100, true) {
			t.Fatalf("%s of a last segment reported false", name)
		}
		if seg.Len() != 0 || seg.Index() != 100 || seg.Generation() != gen+1 || seg.Retired() {
			t.Fatalf("after %s: len %d, index %d, generation %d (was %d)", name, seg.Len(), seg.Index(), seg.Generation(), gen)
		}
		if free := seg.Available(); len(free) != 8 || !bytes.Equal(free[:4], []byte(seq.Poison)) {
			t.Fatalf("after %s with poison: free space %q", name, free)
		}
		testutil.MustPanic(t, "recycled", func() { view.Len() })
		testutil.MustPanic(t, "recycled", func() { pos.Index() })
		if pos.Valid() {
			t.Errorf("a position from before %s reports Valid", name)
		}
		if p := seg.Pos(0); p.Index() != 100 {
			t.Errorf("a new position's index is %d, want 100", p.Index())
		}
		seg.Commit(copy(seg.Available(), "kept"))
		if !reuse(seg, 7, false) || seg.Len() != 0 || string(seg.Available()[:4]) != "kept" {
			t.Fatalf("%s without poison: len %d, memory %q", name, seg.Len(), seg.Available()[:4])
		}

		// A segment with a successor is not the last one: it is left.
		next := seq.NewSegment(make([]byte, 0, 8))
		seg.Commit(copy(seg.Available(), "ab"))
		seg.Link(next)
		if gen := seg.Generation(); reuse(seg, 0, false) || seg.Len() != 2 || seg.Generation() != gen {
			t.Fatalf("%s of a linked segment: len %d, generation %d (was %d)", name, seg.Len(), seg.Generation(), gen)
		}

		// At the last live generation both refuse, and Recycle retires.
		last := recycle(seq.NewSegment(make([]byte, 0, 8)), 1<<16-2)
		if gen := last.Generation(); reuse(last, 0, false) || last.Generation() != gen {
			t.Fatalf("%s at generation %d changed it to %d", name, gen, last.Generation())
		}
		if nt := last.Recycle(false); nt == last || !last.Retired() {
			t.Fatal("Recycle at the last generation did not retire the segment")
		}
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
