package seq_test

import (
	"fmt"
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// TestStaleViewPositionsStayStale: a position taken from a sequence that is
// already stale (Start, End, or a Reader's Position) is stale too, and stays
// stale however often its segment is recycled afterwards: no later
// generation of the segment makes it valid again.
func TestStaleViewPositionsStayStale(t *testing.T) {
	views := map[string]func() (seq.Sequence, *seq.Segment){
		"one segment": func() (seq.Sequence, *seq.Segment) {
			seg := seq.NewSegment(make([]byte, 0, 8))
			seg.Commit(copy(seg.Available(), "abcd"))
			return seg.Slice(0, 4), seg
		},
		"two segments": func() (seq.Sequence, *seq.Segment) {
			s := seq.Chain([]byte("ab"), []byte("cd"))
			return s, s.Start().Segment()
		},
	}
	for name, mkView := range views {
		for _, later := range []int{0, 1, 2, 1000, 1<<16 - 3, 1 << 16} {
			t.Run(fmt.Sprintf("%s/%d", name, later), func(t *testing.T) {
				view, first := mkView()
				last := view.End().Segment()
				first = first.Recycle(false)
				if last != view.Start().Segment() {
					last = last.Recycle(false)
				} else {
					last = first
				}
				positions := map[string]seq.Position{
					"Start": view.Start(),
					"End":   view.End(),
				}
				for pname, p := range positions {
					if p.Valid() {
						t.Errorf("%s of a stale sequence is valid", pname)
					}
				}
				recycle(first, later)
				if last != first {
					recycle(last, later)
				}
				for pname, p := range positions {
					if p.Valid() {
						t.Errorf("%s of a stale sequence is valid after %d more recycles", pname, later)
					}
					testutil.MustPanic(t, "recycled", func() { p.Index() })
				}
			})
		}
	}
}
