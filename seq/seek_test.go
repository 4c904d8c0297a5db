package seq_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sluicego/sluice/internal/segsteps"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// TestReaderSeek seeks from every offset to every other, forward and back,
// with every kind of position that names the target (the end of an earlier
// segment, the start of a later one, empty segments between), and checks
// that the reader then reads from there as one that advanced there does.
func TestReaderSeek(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		for _, rg := range ranges(n) {
			for _, pair := range [][2]int{rg, {rg[1], rg[0]}} {
				from, to := pair[0], pair[1]
				for name, p := range positionsAt(s, to) {
					r := seq.NewReader(s)
					r.Advance(from)
					r.Seek(p)
					checkAt(t, &r, ref, to)
					// It goes on reading, forward and back, from there.
					if to < n {
						if c, err := r.ReadByte(); err != nil || c != ref[to] {
							t.Fatalf("Seek(%s at %d) from %d: ReadByte = %q, %v", name, to, from, c, err)
						}
						r.Rewind(1)
					}
					if to > 0 {
						r.Rewind(1)
						checkAt(t, &r, ref, to-1)
						r.Advance(1)
					}
					rest, _ := r.ReadN(n - to)
					if !rest.Equal(ref[to:]) {
						t.Fatalf("Seek(%s at %d) from %d: rest %q", name, to, from, rest)
					}
				}
			}
		}
	})
}

// TestReaderSeekSlice seeks within a sub-sequence, whose first and last
// segments hold bytes outside it: positions inside are reached, positions
// outside panic.
func TestReaderSeekSlice(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		if n < 3 {
			return
		}
		sub := s.Slice(1, n-1)
		for i := 1; i <= n-1; i++ {
			for _, p := range positionsAt(s, i) {
				r := seq.NewReader(sub)
				r.Seek(p)
				checkAt(t, &r, ref[1:n-1], i-1)
			}
		}
		r := seq.NewReader(sub)
		testutil.MustPanic(t, "seq: Seek", func() { r.Seek(s.Start()) })
		testutil.MustPanic(t, "seq: Seek", func() { r.Seek(s.End()) })
		testutil.MustPanic(t, "seq: Seek", func() { r.Seek(seq.Position{}) })
		if r.Consumed() != 0 {
			t.Fatalf("a panicking Seek moved the reader to %d", r.Consumed())
		}
	})
}

// TestReaderSeekMisuse: a stale position, one of another sequence's
// empty reader, the zero position.
func TestReaderSeekMisuse(t *testing.T) {
	seg := seq.NewSegment(make([]byte, 0, 16))
	seg.Commit(copy(seg.Available(), "abcdef"))
	s := seg.Slice(0, 6)
	p := s.PosAt(3)
	r := seq.NewReader(s)
	r.Seek(p)
	if r.Consumed() != 3 {
		t.Fatalf("Seek: Consumed %d", r.Consumed())
	}
	other := seq.Of([]byte("xyzxyzxyz"))
	testutil.MustPanic(t, "seq: Seek", func() { r.Seek(other.PosAt(8)) })
	seg.Recycle(false)
	testutil.MustPanic(t, "seq: use of a Position or Sequence whose segment was recycled", func() {
		r2 := seq.NewReader(seq.Of([]byte("abc")))
		r2.Seek(p)
	})
	var z seq.Reader
	z.Seek(seq.Position{})
	if !z.AtEnd() {
		t.Fatalf("zero reader moved")
	}
	testutil.MustPanic(t, "seq: Seek", func() { z.Seek(other.Start()) })
}

// TestReaderPositionAt checks PositionAt against PosAt at every offset,
// from every cursor offset, without moving the cursor.
func TestReaderPositionAt(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		for _, rg := range ranges(n) {
			for _, pair := range [][2]int{rg, {rg[1], rg[0]}} {
				r := seq.NewReader(s)
				r.Advance(pair[0])
				p := r.PositionAt(pair[1])
				if got := s.OffsetOf(p); got != pair[1] {
					t.Fatalf("PositionAt(%d) from %d is offset %d", pair[1], pair[0], got)
				}
				if got := s.FromPos(p); !got.Equal(ref[pair[1]:]) {
					t.Fatalf("PositionAt(%d) from %d: from there %q", pair[1], pair[0], got)
				}
				checkAt(t, &r, ref, pair[0])
			}
		}
		r := seq.NewReader(s)
		testutil.MustPanic(t, "seq: PositionAt", func() { r.PositionAt(-1) })
		testutil.MustPanic(t, "seq: PositionAt", func() { r.PositionAt(n + 1) })
	})
}

// TestSeekWalksNoSegment counts the segment steps of Seek and PositionAt
// over a chain of one-byte segments: seeking takes none however far, and
// PositionAt none in the cursor's segment.
func TestSeekWalksNoSegment(t *testing.T) {
	parts := make([][]byte, 1000)
	for i := range parts {
		parts[i] = []byte{byte(i)}
	}
	s := seq.Chain(parts...)
	ends := []seq.Position{s.PosAt(999), s.PosAt(500), s.PosAt(1), s.PosAt(0), s.End(), s.PosAt(998)}
	r := seq.NewReader(s)
	segsteps.Start()
	for _, p := range ends {
		r.Seek(p)
	}
	r.PositionAt(r.Consumed())
	steps := segsteps.Stop()
	if steps > int64(2*len(ends)) {
		t.Errorf("%d seeks took %d segment steps", len(ends), steps)
	}
	// A walk is counted: Advance over the chain takes a step a segment.
	r.Seek(s.Start())
	segsteps.Start()
	r.Advance(999)
	if steps := segsteps.Stop(); steps < 999 {
		t.Errorf("Advance over 999 segments counted %d steps", steps)
	}
}

// ExampleReader_Seek notes where a field starts, reads on, and comes back
// there without walking the segments in between.
func ExampleReader_Seek() {
	r := seq.NewReader(seq.Chain([]byte("key="), []byte("val"), []byte("ue;")))
	r.Advance(4)
	mark := r.Position()
	v, _ := r.ReadTo(';')
	fmt.Println(v)
	r.Seek(mark)
	rest := r.Rest()
	fmt.Println(bytes.Equal(rest.Bytes(), []byte("value;")))
	// Output:
	// value
	// true
}
