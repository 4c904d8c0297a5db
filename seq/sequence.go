package seq

import (
	"bytes"
	"fmt"
	"iter"

	"github.com/sluicego/sluice/internal/segsteps"
)

// Sequence is a read-only view of the bytes between two positions of a chain
// of segments. It is a small value: copying it copies the view, not the bytes.
//
// A Sequence aliases the memory of its segments. Whoever produced it decides
// how long that memory stays valid; for a sequence returned by a pipe read it
// is valid until the next AdvanceTo on that pipe. A Sequence used after its
// memory was recycled panics. Copy the bytes out ([Sequence.Bytes],
// [Sequence.AppendTo], [Sequence.CopyTo]) to keep them longer.
//
// The zero Sequence is empty. No method allocates, except [Sequence.Bytes] and
// [Sequence.String], which return copies.
type Sequence struct {
	first, last *Segment // segments of the start and of the end
	// bits packs the start offset, the end offset and the first segment's
	// generation, which fits in 16 bits (see Segment.Recycle). Three words
	// keep a Sequence, and a pipe.Result holding one, small enough for the
	// compiler to pass in registers.
	bits uint64
}

const (
	offBits = 24
	offMask = MaxSegment
)

// offMask must be exactly offBits ones: both array lengths are constant
// and negative (a compile error) if they differ.
var (
	_ [offMask - (1<<offBits - 1)]struct{}
	_ [(1<<offBits - 1) - offMask]struct{}
)

// mk packs a sequence from two positions of one chain. Both offsets fit in
// offBits because segments are at most MaxSegment bytes.
func mk(start, end Position) Sequence {
	return Sequence{first: start.seg, last: end.seg,
		bits: uint64(start.off) | uint64(end.off)<<offBits | uint64(uint16(start.gen))<<(2*offBits)}
}

func (s Sequence) so() int       { return int(s.bits & offMask) }
func (s Sequence) eo() int       { return int(s.bits >> offBits & offMask) }
func (s Sequence) gen16() uint16 { return uint16(s.bits >> (2 * offBits)) }

// stale reports whether the first segment was recycled since s was made.
// Pipes recycle segments in chain order, so if the first segment is current
// every later one is too, and one generation covers the whole sequence.
func (s Sequence) stale() bool { return s.first != nil && uint16(s.first.gen) != s.gen16() }

// posGen returns the generation a position in seg, the sequence's last
// segment, taken from s carries: the segment's own if s is current, else
// staleGen, which no segment ever has, so that the position is stale too
// and stays stale however often seg is recycled later.
func (s Sequence) posGen(seg *Segment) uint32 {
	if s.stale() {
		return staleGen
	}
	return seg.gen
}

// startPos returns the position of the first byte. It reads no segment:
// the position carries the generation s holds for its first segment, which
// is the segment's own if s is current and one the segment never has again
// if not.
func (s Sequence) startPos() Position {
	return Position{seg: s.first, off: uint32(s.so()), gen: uint32(s.gen16())}
}

// endPos returns the position just past the last byte. Of a single-segment
// sequence it reads no segment, as startPos does.
func (s Sequence) endPos() Position {
	g := uint32(s.gen16())
	if s.first != s.last {
		g = s.posGen(s.last)
	}
	return Position{seg: s.last, off: uint32(s.eo()), gen: g}
}

// Of returns a sequence viewing b: one segment, or several if b is longer
// than [MaxSegment]. It allocates the segments.
func Of(b []byte) Sequence {
	if len(b) > MaxSegment {
		return Chain(b)
	}
	s := NewSegment(b[:len(b):len(b)])
	return mk(s.Pos(0), s.Pos(len(b)))
}

// Chain returns a sequence viewing parts as consecutive segments, one segment
// per part, empty parts included (a part longer than [MaxSegment] takes
// several). It is meant for building test inputs and for stitching buffers a
// caller already has.
func Chain(parts ...[]byte) Sequence {
	var first, last *Segment
	for _, p := range parts {
		for {
			n := min(len(p), MaxSegment)
			s := NewSegment(p[:n:n])
			if first == nil {
				first = s
			} else {
				last.Link(s)
			}
			last = s
			p = p[n:]
			if len(p) == 0 {
				break
			}
		}
	}
	if first == nil {
		return Sequence{}
	}
	return mk(first.Pos(0), last.Pos(last.n))
}

// Between returns the sequence from start to end, two positions of one chain
// with end not before start. It panics if either position is stale or end
// lies before start.
func Between(start, end Position) Sequence {
	if si, ei := start.Index(), end.Index(); si > ei {
		panic(rangeError{si, ei})
	} else if si == ei || start.seg == nil {
		// An empty range may be given as the start of a later segment and
		// the end of an earlier one; walking from start would then never
		// meet end.
		return mk(end, end)
	}
	return mk(start, end)
}

// rangeError is the panic value of Between with end before start.
type rangeError struct{ start, end int64 }

func (e rangeError) Error() string {
	return fmt.Sprintf("seq: Between: end (index %d) before start (index %d)", e.end, e.start)
}

func (s Sequence) check() {
	if s.stale() {
		panic(errStale)
	}
}

// Start returns the position of the first byte.
func (s Sequence) Start() Position { return s.startPos() }

// End returns the position just past the last byte.
func (s Sequence) End() Position { return s.endPos() }

// Len reports the number of bytes in the sequence. It does not walk the chain.
func (s Sequence) Len() int {
	if s.first == nil {
		return 0
	}
	s.check()
	if s.first == s.last {
		// The length is in the packed word alone: the end offset is not
		// below the start, so the difference borrows from no other field.
		return int((s.bits>>offBits - s.bits) & offMask)
	}
	return int(s.last.index + int64(s.eo()) - s.first.index - int64(s.so()))
}

// IsEmpty reports whether the sequence has no bytes.
func (s Sequence) IsEmpty() bool { return s.Len() == 0 }

// IsSingleSegment reports whether the sequence lies within one segment.
func (s Sequence) IsSingleSegment() bool { return s.first == s.last }

// chunk returns the bytes of seg that belong to s, starting at off.
// The length of a segment is read only when the sequence ends past it.
func (s Sequence) chunk(seg *Segment, off int) []byte {
	if seg == s.last {
		return seg.buf[off:s.eo():s.eo()]
	}
	return seg.buf[off:seg.n:seg.n]
}

// First returns the bytes of the sequence that lie in its first segment.
// For a single-segment sequence that is the whole content. It may be empty
// when the sequence is not.
func (s Sequence) First() []byte {
	if s.first == nil {
		return nil
	}
	s.check()
	return s.chunk(s.first, s.so())
}

// Chunks returns an iterator over the sequence's bytes, one slice per
// segment, in order. Empty segments yield empty slices. The slices alias the
// segments' memory.
func (s Sequence) Chunks() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if s.first == nil {
			return
		}
		s.check()
		seg, off := s.first, s.so()
		for {
			if !yield(s.chunk(seg, off)) || seg == s.last {
				return
			}
			segsteps.Step()
			seg, off = seg.next, 0
		}
	}
}

// PosAt returns the position i bytes after the start, 0 <= i <= Len. A
// position at the boundary of two segments is returned as the start of the
// later one, empty segments skipped, except at the end of the sequence.
// It walks the chain; it panics if i is out of range.
func (s Sequence) PosAt(i int) Position {
	if i < 0 || i > s.Len() {
		panic(fmt.Sprintf("seq: PosAt(%d) outside a sequence of length %d", i, s.Len()))
	}
	if s.first == nil {
		return s.startPos()
	}
	return s.walk(i, false)
}

// walk returns the position i bytes after the start, 0 <= i <= Len. At the
// boundary of two segments it returns the start of the later one, or with
// atEnd the end of the earlier one, so that a slice ends in the last segment
// it needs.
func (s Sequence) walk(i int, atEnd bool) Position {
	seg, off := s.first, s.so()
	for seg != s.last {
		avail := seg.n - off
		if i < avail || atEnd && i == avail {
			break
		}
		i -= avail
		segsteps.Step()
		seg, off = seg.next, 0
	}
	return Position{seg: seg, off: uint32(off + i), gen: seg.gen}
}

// OffsetOf reports how many bytes of the sequence lie before p, a position
// within the sequence. It does not walk the chain.
func (s Sequence) OffsetOf(p Position) int {
	if p.seg == nil {
		return 0
	}
	off := int(p.Index() - s.startPos().Index())
	if off < 0 || off > s.Len() {
		panic(fmt.Sprintf("seq: OffsetOf: position (index %d) outside the sequence [%d, %d]",
			p.Index(), s.startPos().Index(), s.endPos().Index()))
	}
	return off
}

// Slice returns the bytes from offset i up to offset j, 0 <= i <= j <= Len.
// It panics if the offsets are out of range.
func (s Sequence) Slice(i, j int) Sequence {
	n := s.Len()
	if i < 0 || j < i || j > n {
		panic(fmt.Sprintf("seq: Slice(%d, %d) of a sequence of length %d", i, j, n))
	}
	if s.first == nil {
		return s
	}
	// Fast path: both offsets within the first segment.
	if s.first == s.last || j <= s.first.n-s.so() {
		o := uint64(s.so())
		return Sequence{first: s.first, last: s.first,
			bits: s.bits&^(1<<(2*offBits)-1) | (o + uint64(i)) | (o+uint64(j))<<offBits}
	}
	start := s.PosAt(i)
	rest := mk(start, s.endPos())
	return mk(start, rest.walk(j-i, true))
}

// From returns the bytes from offset i to the end.
func (s Sequence) From(i int) Sequence {
	// Fast path, small enough to inline: a single-segment sequence. It reads
	// no bytes, so it leaves the generation check to the call that does.
	if s.first == s.last && uint(i) <= uint(s.eo()-s.so()) {
		s.bits += uint64(i)
		return s
	}
	return s.fromSlow(i)
}

func (s Sequence) fromSlow(i int) Sequence {
	if i < 0 || i > s.Len() {
		panic(fmt.Sprintf("seq: From(%d) of a sequence of length %d", i, s.Len()))
	}
	if s.first == nil {
		return s
	}
	return mk(s.PosAt(i), s.endPos())
}

// Last returns the last n bytes of the sequence, 0 <= n <= Len. It does not
// walk the chain when they lie in the last segment.
func (s Sequence) Last(n int) Sequence {
	if eo := s.eo(); n <= eo && (s.first != s.last || n <= eo-s.so()) {
		s.check()
		return Sequence{first: s.last, last: s.last,
			bits: uint64(eo-n) | uint64(eo)<<offBits | uint64(uint16(s.last.gen))<<(2*offBits)}
	}
	return s.From(s.Len() - n)
}

// FromPos returns the bytes from p, a position within the sequence, to the end.
func (s Sequence) FromPos(p Position) Sequence {
	if s.OffsetOf(p) == s.Len() { // p may lie in a later segment than s.endPos()
		return mk(s.endPos(), s.endPos())
	}
	return mk(p, s.endPos())
}

// ToPos returns the bytes from the start up to p, a position within the
// sequence.
func (s Sequence) ToPos(p Position) Sequence {
	if s.OffsetOf(p) == 0 { // p may lie in an earlier segment than s.startPos()
		return mk(s.startPos(), s.startPos())
	}
	return mk(s.startPos(), p)
}

// IndexByte returns the offset of the first c in the sequence, or -1.
func (s Sequence) IndexByte(c byte) int {
	// Fast path, small enough to inline: a current single-segment sequence.
	// Both ends of such a sequence were made in the same generation, so one
	// comparison covers them.
	if seg := s.first; seg == s.last && seg != nil && uint16(seg.gen) == s.gen16() {
		return bytes.IndexByte(seg.buf[s.so():s.eo()], c)
	}
	return s.indexByteSlow(c)
}

func (s Sequence) indexByteSlow(c byte) int {
	if s.first == nil {
		return -1
	}
	s.check()
	base := 0
	seg, off := s.first, s.so()
	for {
		b := s.chunk(seg, off)
		if i := bytes.IndexByte(b, c); i >= 0 {
			return base + i
		}
		if seg == s.last {
			return -1
		}
		base += len(b)
		segsteps.Step()
		seg, off = seg.next, 0
	}
}

// IndexAny returns the offset of the first byte of the sequence that is one
// of the bytes of chars, or -1.
func (s Sequence) IndexAny(chars string) int {
	if s.first == nil || len(chars) == 0 {
		return -1
	}
	if len(chars) == 1 {
		return s.IndexByte(chars[0])
	}
	s.check()
	// bytes.IndexAny matches UTF-8 code points, not bytes, when chars is not
	// ASCII (and then depends on where segments split a multi-byte rune), so
	// non-ASCII sets use a byte set.
	var set *byteSet
	var bs byteSet
	for i := 0; i < len(chars); i++ {
		if chars[i] >= 0x80 {
			bs.add(chars)
			set = &bs
			break
		}
	}
	base := 0
	seg, off := s.first, s.so()
	for {
		b := s.chunk(seg, off)
		var i int
		if set == nil {
			i = bytes.IndexAny(b, chars)
		} else {
			i = set.index(b)
		}
		if i >= 0 {
			return base + i
		}
		if seg == s.last {
			return -1
		}
		base += len(b)
		segsteps.Step()
		seg, off = seg.next, 0
	}
}

// byteSet is a set of byte values.
type byteSet [8]uint32

func (bs *byteSet) add(chars string) {
	for i := 0; i < len(chars); i++ {
		bs[chars[i]>>5] |= 1 << (chars[i] & 31)
	}
}

// index returns the index of the first byte of b in the set, or -1.
func (bs *byteSet) index(b []byte) int {
	for i, c := range b {
		if bs[c>>5]&(1<<(c&31)) != 0 {
			return i
		}
	}
	return -1
}

// Index returns the offset of the first instance of sep in the sequence, or
// -1. An instance that straddles segment boundaries is found; one that would
// extend past the end of the sequence is not. An empty sep is found at 0.
func (s Sequence) Index(sep []byte) int {
	switch len(sep) {
	case 0:
		return 0
	case 1:
		return s.IndexByte(sep[0])
	}
	if s.first == nil {
		return -1
	}
	s.check()
	if s.first == s.last {
		return bytes.Index(s.first.buf[s.so():s.eo()], sep)
	}
	base := 0
	seg, off := s.first, s.so()
	for {
		b := s.chunk(seg, off)
		if i := bytes.Index(b, sep); i >= 0 {
			return base + i
		}
		if seg == s.last {
			return -1
		}
		// Instances that start in b and continue in the following segments.
		for k := max(0, len(b)-len(sep)+1); k < len(b); k++ {
			j := bytes.IndexByte(b[k:], sep[0])
			if j < 0 {
				break
			}
			k += j
			if bytes.HasPrefix(sep, b[k:]) && s.matchFrom(seg.next, sep[len(b)-k:]) {
				return base + k
			}
		}
		base += len(b)
		segsteps.Step()
		seg, off = seg.next, 0
	}
}

// matchFrom reports whether the sequence's bytes starting at the beginning of
// seg begin with want.
func (s Sequence) matchFrom(seg *Segment, want []byte) bool {
	for {
		b := s.chunk(seg, 0)
		n := min(len(b), len(want))
		if !bytes.Equal(b[:n], want[:n]) {
			return false
		}
		want = want[n:]
		if len(want) == 0 {
			return true
		}
		if seg == s.last {
			return false
		}
		segsteps.Step()
		seg = seg.next
	}
}

// HasPrefix reports whether the sequence begins with prefix.
func (s Sequence) HasPrefix(prefix []byte) bool {
	if len(prefix) == 0 {
		return true
	}
	if s.Len() < len(prefix) {
		return false
	}
	b := s.chunk(s.first, s.so())
	if len(b) >= len(prefix) {
		return bytes.Equal(b[:len(prefix)], prefix)
	}
	return bytes.Equal(b, prefix[:len(b)]) && s.matchFrom(s.first.next, prefix[len(b):])
}

// Equal reports whether the sequence holds exactly the bytes of b.
func (s Sequence) Equal(b []byte) bool {
	return s.Len() == len(b) && s.HasPrefix(b)
}

// CopyTo copies min(Len, len(dst)) bytes from the start of the sequence into
// dst and returns how many it copied.
func (s Sequence) CopyTo(dst []byte) int {
	if s.first == nil {
		return 0
	}
	s.check()
	n := 0
	seg, off := s.first, s.so()
	for n < len(dst) {
		n += copy(dst[n:], s.chunk(seg, off))
		if seg == s.last {
			break
		}
		segsteps.Step()
		seg, off = seg.next, 0
	}
	return n
}

// AppendTo appends the sequence's bytes to dst and returns the extended slice.
func (s Sequence) AppendTo(dst []byte) []byte {
	if s.first == nil {
		return dst
	}
	s.check()
	dst = growCap(dst, s.Len())
	seg, off := s.first, s.so()
	for {
		dst = append(dst, s.chunk(seg, off)...)
		if seg == s.last {
			return dst
		}
		segsteps.Step()
		seg, off = seg.next, 0
	}
}

func growCap(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), len(b)+n)
	copy(nb, b)
	return nb
}

// Bytes returns a newly allocated copy of the sequence's bytes, which the
// caller owns.
func (s Sequence) Bytes() []byte {
	return s.AppendTo(make([]byte, 0, s.Len()))
}

// String returns a copy of the sequence's bytes as a string.
func (s Sequence) String() string {
	if b := s.First(); len(b) == s.Len() {
		return string(b)
	}
	return string(s.Bytes())
}
