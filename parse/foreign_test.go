package parse

import (
	"testing"
	"time"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// foreignSegment returns a position in a segment that another goroutine
// recycles, as another reader does with a segment the pipe released to
// the pool, and waits for that write without synchronizing with it: a
// later read of the segment's generation by this goroutine is a data race
// the race detector reports.
func foreignSegment(t *testing.T) seq.Position {
	t.Helper()
	s := seq.NewSegment(make([]byte, 0, 64))
	s.Commit(16)
	p := s.Pos(8)
	go s.Recycle(false) // returns at once
	time.Sleep(20 * time.Millisecond)
	return p
}

// TestKeptPositionsNotRead: a message reader keeps positions from one read
// to the next (where a message that ran short started, where its search
// stopped); when the pipe has moved the message, the old segment may be
// another reader's, so the kept position is compared by segment before its
// generation is read. Run with -race: reading it would be reported.
func TestKeptPositionsNotRead(t *testing.T) {
	now := seq.NewSegment(make([]byte, 0, 64))
	now.Commit(16)
	t.Run("samePlace", func(t *testing.T) {
		if samePlace(foreignSegment(t), now.Pos(8)) {
			t.Fatal("a position in another segment is the same place")
		}
	})
	t.Run("repeats.install", func(t *testing.T) {
		var r repeats
		r.next = -1
		r.made = append(r.made, resumePoint{msg: 3, n: 1})
		r.keep(3, foreignSegment(t))
		r.install(3, now.Pos(0))
		if r.any() {
			t.Fatal("points kept for a message that moved")
		}
	})
	t.Run("same segment", func(t *testing.T) {
		if !samePlace(now.Pos(8), now.Pos(8)) || samePlace(now.Pos(8), now.Pos(9)) {
			t.Fatal("samePlace of positions in one live segment")
		}
		old := now.Pos(8)
		now.Recycle(false)
		now.Commit(16)
		if samePlace(old, now.Pos(8)) {
			t.Fatal("a position from before the segment was recycled is the same place")
		}
	})
}

// TestMovedSearchResumesByOffset: a search that ran short keeps its
// position for the next attempt; when the message has moved since, the
// next attempt finds the point by offset and never reads the old segment
// (run with -race).
func TestMovedSearchResumesByOffset(t *testing.T) {
	now := seq.NewSegment(make([]byte, 0, 64))
	copy(now.Available(), "abcdefgh")
	now.Commit(8)
	k := NewScanKey()
	var rest string
	var m machine[int]
	m.init(func(in *Input) (int, error) {
		rest = string(in.ScanRest(k).Bytes())
		in.Advance(in.Remaining())
		return 1, nil
	}, Options{})
	m.load(pipe.Result{Buffer: now.Slice(0, 8), Completed: true})
	old := foreignSegment(t)
	m.hint, m.reps.start = scanHint{key: k, at: 0, n: 3, pos: old}, old
	if _, err := m.nextSlow(); err != nil {
		t.Fatal(err)
	}
	if rest != "defgh" {
		t.Fatalf("ScanRest after the move: %q, want %q (the point found by offset)", rest, "defgh")
	}
}
