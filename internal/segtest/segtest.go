// Package segtest builds the same bytes as [seq.Sequence] values cut into
// segments in several ways, for segmentation-invariance tests.
package segtest

import (
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// Case is one segmentation of some content: a name suitable for t.Run and the
// sequence holding the content.
type Case struct {
	// Name describes the segmentation, e.g. "one", "thirds" or "split/7".
	Name string
	// Seq views the content. Its memory is fresh for every call of
	// [Segmentations] and shared with no other Case.
	Seq seq.Sequence
}

// MaxSplitAll is the longest input for which [Segmentations] also returns the
// two-segment cut at every index.
const MaxSplitAll = 64

// Garbage is the pattern [Segmentations] surrounds the content with in its
// "offset" cases: bytes that lie in the same segment memory as the content
// (before it, after it, and in the segments' free capacity) but are not part
// of the sequence. It is nonzero and holds common delimiters, so that a search
// that reads past either end of a sequence finds something.
const Garbage = "\n\r\n\t ,;:|\x00\xff\xfe\x80\x7f\xde\xad\xbe\xef{}[]<>\"'\\/=&?#%@!*"

// offsetBase is the running index given to the first segment of the
// "offset-thirds" case, so that index arithmetic is exercised far from 0.
const offsetBase = 1<<33 + 12345

// Segmentations returns b's content as a sequence in several segmentations,
// in a fixed order:
//
//   - "one": a single segment.
//   - "bytewise": one byte per segment, with an empty segment before, between
//     and after them (an empty input gives two empty segments).
//   - "thirds": three segments cut at len/3 and 2*len/3 (some may be empty).
//   - "offset": one segment whose memory holds [Garbage] before and after the
//     content and more garbage in its free capacity; the sequence starts and
//     ends inside the segment.
//   - "offset-thirds": as "thirds", but the first segment has garbage before
//     the content, the last has garbage after it, every segment has garbage in
//     its free capacity, and the running indexes start far from zero.
//   - "split/i" for every 0 <= i <= len(b) when len(b) <= [MaxSplitAll]: two
//     segments cut at i.
//
// Every case has its own copy of b; b is not retained.
func Segmentations(b []byte) []Case {
	n := len(b)
	cases := []Case{
		{Name: "one", Seq: Split(b)},
		{Name: "bytewise", Seq: bytewise(b)},
		{Name: "thirds", Seq: Split(b, n/3, 2*n/3)},
		{Name: "offset", Seq: offset(b)},
		{Name: "offset-thirds", Seq: offsetThirds(b)},
	}
	if n <= MaxSplitAll {
		for i := 0; i <= n; i++ {
			cases = append(cases, Case{Name: fmt.Sprintf("split/%d", i), Seq: Split(b, i)})
		}
	}
	return cases
}

// Split returns a copy of b as a chain of segments cut at the given offsets,
// which must be non-decreasing and within [0, len(b)]. Equal offsets, or an
// offset of 0 or len(b), make empty segments. Each segment has its own memory
// with no spare capacity. Split(b) is a single segment. It panics on invalid
// cuts.
func Split(b []byte, cuts ...int) seq.Sequence {
	parts := make([][]byte, 0, len(cuts)+1)
	prev := 0
	for _, c := range cuts {
		if c < prev || c > len(b) {
			panic(fmt.Sprintf("segtest: Split: cut %d out of order or outside [0, %d] (previous cut %d)", c, len(b), prev))
		}
		parts = append(parts, clone(b[prev:c]))
		prev = c
	}
	parts = append(parts, clone(b[prev:]))
	return seq.Chain(parts...)
}

// clone returns a copy of b with no spare capacity, never nil.
func clone(b []byte) []byte {
	return append(make([]byte, 0, len(b)), b...)
}

func bytewise(b []byte) seq.Sequence {
	parts := make([][]byte, 0, 2*len(b)+2)
	parts = append(parts, []byte{})
	for i := range b {
		parts = append(parts, clone(b[i:i+1]), []byte{})
	}
	if len(b) == 0 {
		parts = append(parts, []byte{})
	}
	return seq.Chain(parts...)
}

// garbage returns k bytes of the Garbage pattern, starting at phase.
func garbage(k, phase int) []byte {
	g := make([]byte, k)
	for i := range g {
		g[i] = Garbage[(i+phase)%len(Garbage)]
	}
	return g
}

// segment returns a segment whose memory is pre + data + post + spare, with
// pre, data and post committed and spare left as free capacity.
func segment(pre, data, post, spare []byte) *seq.Segment {
	buf := make([]byte, 0, len(pre)+len(data)+len(post)+len(spare))
	buf = append(buf, pre...)
	buf = append(buf, data...)
	buf = append(buf, post...)
	copy(buf[len(buf):cap(buf)], spare)
	return seq.NewSegment(buf)
}

func offset(b []byte) seq.Sequence {
	pre := garbage(len(Garbage), 0)
	s := segment(pre, b, garbage(len(Garbage), 3), garbage(len(Garbage), 7))
	return seq.Between(s.Pos(len(pre)), s.Pos(len(pre)+len(b)))
}

func offsetThirds(b []byte) seq.Sequence {
	n := len(b)
	pre := garbage(7, 5)
	first := segment(pre, b[:n/3], nil, garbage(5, 1))
	first.SetIndex(offsetBase)
	mid := segment(nil, b[n/3:2*n/3], nil, garbage(9, 2))
	last := segment(nil, b[2*n/3:], garbage(11, 0), garbage(13, 4))
	first.Link(mid)
	mid.Link(last)
	return seq.Between(first.Pos(len(pre)), last.Pos(n-2*n/3))
}
