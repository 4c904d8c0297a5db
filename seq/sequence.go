package seq

import (
	"bytes"
	"fmt"
	"iter"
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
	start, end Position
}

// Of returns a sequence viewing b: one segment, or several if b is longer
// than [MaxSegment]. It allocates the segments.
func Of(b []byte) Sequence {
	if uint64(len(b)) > MaxSegment {
		return Chain(b)
	}
	s := NewSegment(b[:len(b):len(b)])
	return Sequence{start: s.Pos(0), end: s.Pos(len(b))}
}

var maxSegment uint64 = MaxSegment

// Chain returns a sequence viewing parts as consecutive segments, one segment
// per part, empty parts included (a part longer than [MaxSegment] takes
// several). It is meant for building test inputs and for stitching buffers a
// caller already has.
func Chain(parts ...[]byte) Sequence {
	var first, last *Segment
	for _, p := range parts {
		for {
			n := len(p)
			if uint64(n) > MaxSegment {
				n = int(maxSegment) // only reachable where int has 64 bits
			}
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
	return Sequence{start: first.Pos(0), end: last.Pos(last.n)}
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
		return Sequence{start: end, end: end}
	}
	return Sequence{start: start, end: end}
}

// rangeError is the panic value of Between with end before start.
type rangeError struct{ start, end int64 }

func (e rangeError) Error() string {
	return fmt.Sprintf("seq: Between: end (index %d) before start (index %d)", e.end, e.start)
}

func (s Sequence) check() {
	if s.start.seg != nil && (s.start.gen != s.start.seg.gen || s.end.gen != s.end.seg.gen) {
		panic(errStale)
	}
}

// Start returns the position of the first byte.
func (s Sequence) Start() Position { return s.start }

// End returns the position just past the last byte.
func (s Sequence) End() Position { return s.end }

// Len reports the number of bytes in the sequence. It does not walk the chain.
func (s Sequence) Len() int {
	if s.start.seg == nil {
		return 0
	}
	s.check()
	return int(s.end.seg.index + int64(int(s.end.off)) - s.start.seg.index - int64(int(s.start.off)))
}

// IsEmpty reports whether the sequence has no bytes.
func (s Sequence) IsEmpty() bool { return s.Len() == 0 }

// IsSingleSegment reports whether the sequence lies within one segment.
func (s Sequence) IsSingleSegment() bool { return s.start.seg == s.end.seg }

// chunk returns the bytes of seg that belong to s, starting at off.
// The length of a segment is read only when the sequence ends past it.
func (s Sequence) chunk(seg *Segment, off int) []byte {
	if seg == s.end.seg {
		return seg.buf[off:int(s.end.off):int(s.end.off)]
	}
	return seg.buf[off:seg.n:seg.n]
}

// First returns the bytes of the sequence that lie in its first segment.
// For a single-segment sequence that is the whole content. It may be empty
// when the sequence is not.
func (s Sequence) First() []byte {
	if s.start.seg == nil {
		return nil
	}
	s.check()
	return s.chunk(s.start.seg, int(s.start.off))
}

// Chunks returns an iterator over the sequence's bytes, one slice per
// segment, in order. Empty segments yield empty slices. The slices alias the
// segments' memory.
func (s Sequence) Chunks() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if s.start.seg == nil {
			return
		}
		s.check()
		seg, off := s.start.seg, int(s.start.off)
		for {
			if !yield(s.chunk(seg, off)) || seg == s.end.seg {
				return
			}
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
	if s.start.seg == nil {
		return s.start
	}
	return s.walk(i, false)
}

// walk returns the position i bytes after the start, 0 <= i <= Len. At the
// boundary of two segments it returns the start of the later one, or with
// atEnd the end of the earlier one, so that a slice ends in the last segment
// it needs.
func (s Sequence) walk(i int, atEnd bool) Position {
	seg, off := s.start.seg, int(s.start.off)
	for seg != s.end.seg {
		avail := seg.n - off
		if i < avail || atEnd && i == avail {
			break
		}
		i -= avail
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
	off := int(p.Index() - s.start.Index())
	if off < 0 || off > s.Len() {
		panic(fmt.Sprintf("seq: OffsetOf: position (index %d) outside the sequence [%d, %d]",
			p.Index(), s.start.Index(), s.end.Index()))
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
	if s.start.seg == nil {
		return s
	}
	// Fast path: both offsets within the first segment.
	if s.start.seg == s.end.seg || j <= s.start.seg.n-int(s.start.off) {
		p := s.start
		return Sequence{
			start: Position{seg: p.seg, off: uint32(int(p.off) + i), gen: p.gen},
			end:   Position{seg: p.seg, off: uint32(int(p.off) + j), gen: p.gen},
		}
	}
	start := s.PosAt(i)
	rest := Sequence{start: start, end: s.end}
	return Sequence{start: start, end: rest.walk(j-i, true)}
}

// From returns the bytes from offset i to the end.
func (s Sequence) From(i int) Sequence {
	// Fast path, small enough to inline: a single-segment sequence. It reads
	// no bytes, so it leaves the generation check to the call that does.
	if s.start.seg == s.end.seg && uint(i) <= uint(s.end.off-s.start.off) {
		s.start.off += uint32(i)
		return s
	}
	return s.fromSlow(i)
}

func (s Sequence) fromSlow(i int) Sequence {
	if i < 0 || i > s.Len() {
		panic(fmt.Sprintf("seq: From(%d) of a sequence of length %d", i, s.Len()))
	}
	if s.start.seg == nil {
		return s
	}
	return Sequence{start: s.PosAt(i), end: s.end}
}

// FromPos returns the bytes from p, a position within the sequence, to the end.
func (s Sequence) FromPos(p Position) Sequence {
	if s.OffsetOf(p) == s.Len() { // p may lie in a later segment than s.end
		return Sequence{start: s.end, end: s.end}
	}
	return Sequence{start: p, end: s.end}
}

// ToPos returns the bytes from the start up to p, a position within the
// sequence.
func (s Sequence) ToPos(p Position) Sequence {
	if s.OffsetOf(p) == 0 { // p may lie in an earlier segment than s.start
		return Sequence{start: s.start, end: s.start}
	}
	return Sequence{start: s.start, end: p}
}

// IndexByte returns the offset of the first c in the sequence, or -1.
func (s Sequence) IndexByte(c byte) int {
	// Fast path, small enough to inline: a current single-segment sequence.
	// Both ends of such a sequence were made in the same generation, so one
	// comparison covers them.
	if seg := s.start.seg; seg == s.end.seg && seg != nil && s.start.gen == seg.gen {
		return bytes.IndexByte(seg.buf[s.start.off:s.end.off], c)
	}
	return s.indexByteSlow(c)
}

func (s Sequence) indexByteSlow(c byte) int {
	if s.start.seg == nil {
		return -1
	}
	s.check()
	base := 0
	seg, off := s.start.seg, int(s.start.off)
	for {
		b := s.chunk(seg, off)
		if i := bytes.IndexByte(b, c); i >= 0 {
			return base + i
		}
		if seg == s.end.seg {
			return -1
		}
		base += len(b)
		seg, off = seg.next, 0
	}
}

// IndexAny returns the offset of the first byte of the sequence that is one
// of the bytes of chars, or -1.
func (s Sequence) IndexAny(chars string) int {
	if s.start.seg == nil || len(chars) == 0 {
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
	seg, off := s.start.seg, int(s.start.off)
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
		if seg == s.end.seg {
			return -1
		}
		base += len(b)
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
	if s.start.seg == nil {
		return -1
	}
	s.check()
	if s.start.seg == s.end.seg {
		return bytes.Index(s.start.seg.buf[int(s.start.off):int(s.end.off)], sep)
	}
	base := 0
	seg, off := s.start.seg, int(s.start.off)
	for {
		b := s.chunk(seg, off)
		if i := bytes.Index(b, sep); i >= 0 {
			return base + i
		}
		if seg == s.end.seg {
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
		if seg == s.end.seg {
			return false
		}
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
	b := s.chunk(s.start.seg, int(s.start.off))
	if len(b) >= len(prefix) {
		return bytes.Equal(b[:len(prefix)], prefix)
	}
	return bytes.Equal(b, prefix[:len(b)]) && s.matchFrom(s.start.seg.next, prefix[len(b):])
}

// Equal reports whether the sequence holds exactly the bytes of b.
func (s Sequence) Equal(b []byte) bool {
	return s.Len() == len(b) && s.HasPrefix(b)
}

// CopyTo copies min(Len, len(dst)) bytes from the start of the sequence into
// dst and returns how many it copied.
func (s Sequence) CopyTo(dst []byte) int {
	if s.start.seg == nil {
		return 0
	}
	s.check()
	n := 0
	seg, off := s.start.seg, int(s.start.off)
	for n < len(dst) {
		n += copy(dst[n:], s.chunk(seg, off))
		if seg == s.end.seg {
			break
		}
		seg, off = seg.next, 0
	}
	return n
}

// AppendTo appends the sequence's bytes to dst and returns the extended slice.
func (s Sequence) AppendTo(dst []byte) []byte {
	if s.start.seg == nil {
		return dst
	}
	s.check()
	dst = growCap(dst, s.Len())
	seg, off := s.start.seg, int(s.start.off)
	for {
		dst = append(dst, s.chunk(seg, off)...)
		if seg == s.end.seg {
			return dst
		}
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
