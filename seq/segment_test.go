package seq_test

import (
	"bytes"
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

func TestLinkNumbering(t *testing.T) {
	a := seq.NewSegment([]byte("abc"))
	b := seq.NewSegment(nil)
	c := seq.NewSegment([]byte("defgh"))
	d := seq.NewSegment([]byte("ij"))
	// Link the tail first, then hang it off a head with a base index: the
	// whole tail is renumbered.
	c.Link(d)
	b.Link(c)
	if b.Index() != 0 || c.Index() != 0 || d.Index() != 5 {
		t.Fatalf("tail indexes %d %d %d, want 0 0 5", b.Index(), c.Index(), d.Index())
	}
	a.SetIndex(100)
	a.Link(b)
	for _, tc := range []struct {
		s    *seq.Segment
		want int64
	}{{a, 100}, {b, 103}, {c, 103}, {d, 108}} {
		if tc.s.Index() != tc.want {
			t.Errorf("Index = %d, want %d", tc.s.Index(), tc.want)
		}
	}
	if a.Next() != b || b.Next() != c || c.Next() != d || d.Next() != nil {
		t.Fatalf("links wrong")
	}
	s := seq.Between(a.Pos(1), d.Pos(1))
	if s.Len() != 2+0+5+1 || s.String() != "bcdefghi" {
		t.Fatalf("Between = %q (Len %d)", s, s.Len())
	}
	if got := s.Start().Index(); got != 101 {
		t.Fatalf("Start().Index() = %d, want 101", got)
	}
	if got := s.PosAt(2).Index(); got != 103 || s.PosAt(2).Segment() != c {
		t.Fatalf("PosAt(2) at index %d in %p, want 103 in c (empty b skipped)", got, s.PosAt(2).Segment())
	}
	// Relinking a segment to another successor renumbers from there.
	e := seq.NewSegment([]byte("zz"))
	b.Link(e)
	if e.Index() != 103 {
		t.Fatalf("relinked Index = %d, want 103", e.Index())
	}
}

func TestProducer(t *testing.T) {
	seg := seq.NewSegment(make([]byte, 0, 16))
	if seg.Len() != 0 || seg.Cap() != 16 || len(seg.Available()) != 16 {
		t.Fatalf("new segment Len %d Cap %d Available %d", seg.Len(), seg.Cap(), len(seg.Available()))
	}
	copy(seg.Available(), "abc")
	seg.Commit(3)
	s1 := seq.Between(seg.Pos(0), seg.Pos(3))
	// The producer keeps appending to the last segment; the published
	// sequence does not change.
	copy(seg.Available(), "defg")
	seg.Commit(4)
	if s1.String() != "abc" || string(seg.Bytes()) != "abcdefg" {
		t.Fatalf("after Commit: sequence %q, segment %q", s1, seg.Bytes())
	}
	if cap(seg.Bytes()) != 7 {
		t.Fatalf("Bytes() has capacity %d: appending to it would overwrite free space", cap(seg.Bytes()))
	}
	next := seq.NewSegment([]byte("hi"))
	seg.Link(next)
	if s1.String() != "abc" || s1.Len() != 3 {
		t.Fatalf("after Link: sequence %q", s1)
	}
	all := seq.Between(seg.Pos(0), next.Pos(2))
	if all.String() != "abcdefghi" {
		t.Fatalf("whole chain %q", all)
	}
	testutil.MustPanic(t, "seq:", func() { seg.Commit(10) })
	testutil.MustPanic(t, "seq:", func() { seg.Commit(-1) })
	testutil.MustPanic(t, "seq:", func() { seg.Pos(17) })
	testutil.MustPanic(t, "seq:", func() { seg.Pos(-1) })
	seg.Commit(9)
	seg.Commit(0)
	if len(seg.Available()) != 0 || seg.Len() != 16 {
		t.Fatalf("full segment Len %d Available %d", seg.Len(), len(seg.Available()))
	}
	if p := seg.Pos(16); p.Offset() != 16 || p.Segment() != seg {
		t.Fatalf("Pos(cap) = %+v", p)
	}
}

// staleChain returns a three-segment chain "hello" "," " world" and its
// segments.
func staleChain() (seq.Sequence, []*seq.Segment) {
	s := seq.Chain([]byte("hello"), []byte(","), []byte(" world"))
	var segs []*seq.Segment
	for seg := s.Start().Segment(); seg != nil; seg = seg.Next() {
		segs = append(segs, seg)
	}
	return s, segs
}

func TestStale(t *testing.T) {
	const msg = "recycled"
	for _, which := range []int{0, 2} {
		s, segs := staleChain()
		head := s.Slice(0, 3)  // in segment 0
		tail := s.From(7)      // in segment 2
		mid := s.Slice(4, 8)   // segments 0 to 2
		pos := s.PosAt(1)      // in segment 0
		endPos := s.PosAt(9)   // in segment 2
		r := seq.NewReader(s)  // in segment 0
		r2 := seq.NewReader(s) // moved into segment 2
		r2.Advance(8)
		gen := segs[which].Generation()

		// Recycling goes in chain order, as pipes do it: a sequence is
		// checked through the generation of its first segment.
		for _, seg := range segs[:which] {
			seg.Recycle(false)
		}
		segs[which].Recycle(false)

		if segs[which].Generation() == gen {
			t.Fatalf("Recycle did not change the generation")
		}
		if segs[which].Len() != 0 || segs[which].Next() != nil || segs[which].Index() != 0 {
			t.Fatalf("recycled segment keeps Len %d, Next %p, Index %d",
				segs[which].Len(), segs[which].Next(), segs[which].Index())
		}
		testutil.MustPanic(t, msg, func() { s.Len() })
		testutil.MustPanic(t, msg, func() { s.IndexByte('w') })
		testutil.MustPanic(t, msg, func() { s.Index([]byte("wo")) })
		testutil.MustPanic(t, msg, func() { s.IndexAny("wo") })
		testutil.MustPanic(t, msg, func() { s.Bytes() })
		testutil.MustPanic(t, msg, func() { s.CopyTo(make([]byte, 4)) })
		testutil.MustPanic(t, msg, func() { s.HasPrefix([]byte("he")) })
		testutil.MustPanic(t, msg, func() {
			for range s.Chunks() {
			}
		})
		testutil.MustPanic(t, msg, func() { seq.NewReader(s) })
		testutil.MustPanic(t, msg, func() { mid.Len() })
		if which == 0 {
			testutil.MustPanic(t, msg, func() { head.Len() })
			testutil.MustPanic(t, msg, func() { head.First() })
			testutil.MustPanic(t, msg, func() { pos.Index() })
			testutil.MustPanic(t, msg, func() { r.Position().Index() })
			testutil.MustPanic(t, msg, func() { r.Rest().Len() })
			testutil.MustPanic(t, msg, func() { r.Rewind(0); r.Reset() })
			if pos.Valid() {
				t.Errorf("stale position reports Valid")
			}
			if tail.String() != "world" {
				t.Errorf("untouched tail %q", tail)
			}
		} else {
			testutil.MustPanic(t, msg, func() { tail.Len() })
			testutil.MustPanic(t, msg, func() { endPos.Index() })
			testutil.MustPanic(t, msg, func() { r2.Rest().Len() })
			testutil.MustPanic(t, msg, func() { r2.Position().Index() })
			testutil.MustPanic(t, msg, func() { r.ReadToDelim([]byte("wo")) })
			testutil.MustPanic(t, msg, func() { head.Len() })
		}
	}
}

func TestPoison(t *testing.T) {
	s, segs := staleChain()
	kept := s.First()            // "hello", cut from segment 0 at offset 0
	cut := s.Slice(1, 4).First() // "ell", at offset 1
	world := segs[2].Bytes()
	segs[0].Recycle(true)
	for i, c := range kept {
		if c != seq.Poison[i%len(seq.Poison)] {
			t.Fatalf("kept slice after poisoning: % x", kept)
		}
	}
	if !bytes.Equal(cut, []byte{0xad, 0xbe, 0xef}) {
		t.Fatalf("slice cut at offset 1 shows % x, want ad be ef", cut)
	}
	segs[2].Recycle(false)
	if string(world) != " world" {
		t.Fatalf("Recycle(false) changed the memory: %q", world)
	}

	// Poisoning covers the free capacity too, and odd lengths.
	seg := seq.NewSegment(make([]byte, 3, 11))
	free := seg.Available()
	seg.Recycle(true)
	all := free[:cap(free)]
	if !bytes.Equal(all, []byte("\xef\xde\xad\xbe\xef\xde\xad\xbe")) {
		t.Fatalf("free space after poisoning: % x", all)
	}
	if seg.Len() != 0 || len(seg.Available()) != 11 {
		t.Fatalf("recycled segment Len %d Available %d", seg.Len(), len(seg.Available()))
	}
	if !bytes.Equal(seg.Available()[:4], []byte(seq.Poison)) {
		t.Fatalf("recycled memory starts % x", seg.Available()[:4])
	}
	seq.NewSegment(nil).Recycle(true) // empty memory: nothing to poison
}

// TestRecycleReuse: a recycled segment reused in a new chain serves new
// sequences, while the old ones stay stale.
func TestRecycleReuse(t *testing.T) {
	seg := seq.NewSegment(make([]byte, 0, 8))
	seg.Commit(copy(seg.Available(), "old"))
	old := seq.Between(seg.Pos(0), seg.Pos(3))
	seg.Recycle(true)
	seg.Commit(copy(seg.Available(), "new!"))
	fresh := seq.Between(seg.Pos(0), seg.Pos(4))
	if fresh.String() != "new!" {
		t.Fatalf("fresh = %q", fresh)
	}
	testutil.MustPanic(t, "recycled", func() { _ = old.String() })
	testutil.MustPanic(t, "recycled", func() { seq.Between(old.Start(), fresh.End()) })
}
