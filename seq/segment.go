package seq

import "fmt"

// Poison is the byte pattern written over a segment's memory when it is
// recycled with poisoning on (see [Segment.Recycle]). A slice cut from a
// segment and kept past its lifetime then shows this pattern instead of
// plausible data.
const Poison = "\xde\xad\xbe\xef"

// Segment is one buffer in a chain of buffers. A producer (a pipe writer, or
// [Chain]) fills the segment, links the next one and publishes positions into
// it; consumers only ever see segments through [Position] and [Sequence].
//
// The producer's rules: bytes are appended with [Segment.Available] and
// [Segment.Commit]; once a segment has a successor ([Segment.Link]) its length
// is final. A consumer reads the length of a segment only when the sequence it
// holds ends in a later segment, so a producer may keep appending to the last
// segment while consumers read the bytes published before.
//
// Each segment carries a generation number that [Segment.Recycle] changes.
// Positions remember the generation they were made in; using a position (or a
// sequence) whose segment has been recycled panics with a message naming the
// misuse instead of reading another message's bytes. The check is exact: a
// segment's generation never returns to a value it had (see
// [Segment.Recycle] for how).
type Segment struct {
	buf   []byte // backing array; data is buf[:n], free space buf[n:cap(buf)]
	n     int
	next  *Segment
	index int64  // running index of buf[0] within the chain
	gen   uint32 // 0 to lastGen while live, retiredGen once retired
}

// Generations. A Sequence keeps 16 bits of its first segment's generation,
// so a live segment's generation stays below 1<<16 and never wraps: the
// recycle that would take it past lastGen retires the segment instead.
// retiredGen is held by no view made while the segment was live.
// staleGen is held by no segment at all: positions taken from a stale
// sequence carry it.
const (
	lastGen    = 1<<16 - 2
	retiredGen = 1<<16 - 1
	staleGen   = 1 << 16
)

// NewSegment returns a segment whose data is buf and whose free space is
// buf[len(buf):cap(buf)]. The segment takes ownership of buf.
// It panics if cap(buf) exceeds [MaxSegment].
func NewSegment(buf []byte) *Segment {
	if cap(buf) > MaxSegment {
		panic(fmt.Sprintf("seq: NewSegment with capacity %d above MaxSegment", cap(buf)))
	}
	return &Segment{buf: buf[:cap(buf)], n: len(buf)}
}

// MaxSegment is the largest capacity of one segment: 16 MiB - 1, the largest
// offset a [Sequence] packs. [Of] and [Chain] split longer buffers into
// several segments.
const MaxSegment = 16777215

// Len reports the number of data bytes in the segment.
func (s *Segment) Len() int { return s.n }

// Cap reports the capacity of the segment's memory.
func (s *Segment) Cap() int { return len(s.buf) }

// Bytes returns the segment's data. It aliases the segment's memory.
func (s *Segment) Bytes() []byte { return s.buf[:s.n:s.n] }

// Available returns the free space after the data. Bytes written there become
// data only after [Segment.Commit]. It is the producer's to call.
func (s *Segment) Available() []byte { return s.buf[s.n:] }

// Commit appends k bytes written into [Segment.Available] to the data.
// It panics if k is negative or larger than the free space.
func (s *Segment) Commit(k int) {
	if uint(k) > uint(len(s.buf)-s.n) {
		panic(commitError{k, len(s.buf) - s.n})
	}
	s.n += k
}

// Next returns the segment that follows s, or nil.
func (s *Segment) Next() *Segment { return s.next }

// Index reports the running index of the segment's first byte within its
// chain: the sum of the lengths of the segments before it.
func (s *Segment) Index() int64 { return s.index }

// Generation reports the segment's generation, which changes each time the
// segment is recycled and never returns to an earlier value: it counts up
// from 0 to 65,534 while the segment is live and is 65,535 once the segment
// is retired (see [Segment.Recycle]).
func (s *Segment) Generation() uint32 { return s.gen }

// Retired reports whether s has been retired by [Segment.Recycle]: it has
// no memory, and every position and sequence made before its retirement
// panics when used.
func (s *Segment) Retired() bool { return s.gen == retiredGen }

// Link makes next the successor of s and numbers the running indexes of next
// and the segments already linked after it. The length of s is final from then
// on. The producer must link a segment before it publishes any position in it.
func (s *Segment) Link(next *Segment) {
	s.next = next
	idx := s.index + int64(s.n)
	for n := next; n != nil; n = n.next {
		n.index = idx
		idx += int64(n.n)
	}
}

// Recycle prepares the segment's memory for reuse and returns the segment to
// reuse it through: s itself, or a new segment that has taken the memory
// over. Always go on with the result, as with append; s must not be used
// again unless it is the result. Recycle drops the data and the link, resets
// the running index and changes the generation, so that every position and
// sequence made before fails loudly when used. With poison set it also
// overwrites the whole memory with [Poison].
//
// Generations never wrap, so the check is exact however long a program runs:
// a segment's generation counts 0, 1, ... 65,534, and the recycle that would
// pass 65,534 (the 65,535th of a new segment) retires s instead. A retired
// segment keeps the reserved generation 65,535, which no earlier view holds,
// so every view of it panics forever; it gives its memory to a new segment
// with generation 0, which Recycle returns. That costs one small allocation
// (the segment header, not its memory) per 65,535 recycles. A retired
// segment has no memory: recycling it again returns a new empty segment.
//
// Recycle the segments of a chain in order, from the first, as pipes do: a
// position checks its own segment, but a sequence checks the generation of
// its first segment only, which covers the later segments exactly when they
// are recycled after it.
func (s *Segment) Recycle(poison bool) *Segment {
	s.n = 0
	s.next = nil
	s.index = 0
	if poison {
		fill(s.buf)
	}
	if s.gen < lastGen {
		s.gen++
		return s
	}
	t := &Segment{buf: s.buf}
	s.buf, s.gen = nil, retiredGen
	return t
}

// Reuse empties s for reuse in place as the first segment of a new chain
// whose running index is index: what Recycle followed by SetIndex does,
// with the same change of generation (and poisoning if poison is set), for
// the segment a producer reads into over and over. It reports false, doing
// nothing, when s has a successor or when Recycle would retire it; use
// Recycle then.
func (s *Segment) Reuse(index int64, poison bool) bool {
	_, ok := s.ReuseAvailable(index, poison)
	return ok
}

// ReuseAvailable is [Segment.Reuse] followed by [Segment.Available]: it
// empties s in place as the first segment of a new chain whose running
// index is index and returns all of its memory, free, for a producer that
// reads into the same segment over and over. Where Reuse would report
// false it does nothing and reports false.
func (s *Segment) ReuseAvailable(index int64, poison bool) ([]byte, bool) {
	if s.next != nil || s.gen >= lastGen {
		return nil, false
	}
	if poison {
		fill(s.buf)
	}
	s.n, s.index = 0, index
	s.gen++
	return s.buf, true
}

// CommitSlice commits k bytes written into [Segment.Available], as Commit
// does, and returns the sequence from offset i to the new end of the data,
// as Slice(i, Len()) would: a producer that reads into a segment and hands
// out what is buffered in it does both with one range check each. It
// panics if k is negative or larger than the free space, or i is negative
// or past the new end.
func (s *Segment) CommitSlice(k, i int) Sequence {
	if uint(k) > uint(len(s.buf)-s.n) {
		panic(commitError{k, len(s.buf) - s.n})
	}
	j := s.n + k
	if uint(i) > uint(j) {
		panic(viewError{i, j})
	}
	s.n = j
	return Sequence{first: s, last: s, bits: uint64(i) | uint64(j)<<offBits | uint64(uint16(s.gen))<<(2*offBits)}
}

// SetIndex sets the running index of the first segment of a new chain.
// It is the producer's to call before publishing positions in s.
func (s *Segment) SetIndex(i int64) { s.index = i }

// Pos returns the position off bytes into the segment's memory. It panics if
// off lies outside the segment's capacity.
func (s *Segment) Pos(off int) Position {
	if uint(off) > uint(len(s.buf)) {
		panic(posError{off, len(s.buf)})
	}
	return Position{seg: s, off: uint32(off), gen: s.gen}
}

// Slice returns the sequence of bytes i to j of the segment's memory, 0 <=
// i <= j <= Cap. It is how a producer views bytes of one segment without
// going through positions; it panics if the offsets are out of range.
func (s *Segment) Slice(i, j int) Sequence {
	if uint(i) > uint(j) || uint(j) > uint(len(s.buf)) {
		panic(posError{j, len(s.buf)})
	}
	return Sequence{first: s, last: s, bits: uint64(i) | uint64(j)<<offBits | uint64(uint16(s.gen))<<(2*offBits)}
}

func fill(b []byte) {
	if len(b) == 0 {
		return
	}
	n := copy(b, Poison)
	for n < len(b) {
		n += copy(b[n:], b[:n])
	}
}

// Position names a byte in a chain of segments: a segment and an offset in
// it. The zero Position belongs to no chain. Two positions at the same place
// may differ as values (the end of one segment and the start of the next);
// compare [Position.Index] values to order them.
type Position struct {
	seg *Segment
	off uint32 // small fields keep Position and Sequence in registers
	gen uint32
}

// Segment returns the segment the position points into, or nil.
func (p Position) Segment() *Segment { return p.seg }

// Offset reports the position's offset within its segment.
func (p Position) Offset() int { return int(p.off) }

// IsZero reports whether p is the zero Position.
func (p Position) IsZero() bool { return p.seg == nil }

// Index reports the running index of the position within its chain. It panics
// if the position's segment has been recycled since the position was made.
func (p Position) Index() int64 {
	if p.seg == nil {
		return 0
	}
	if p.seg.gen != p.gen {
		panic(errStale)
	}
	return p.seg.index + int64(p.off)
}

// Valid reports whether the position's segment is still the one the position
// was made in (it has not been recycled since).
func (p Position) Valid() bool { return p.seg == nil || p.seg.gen == p.gen }

// Panic values. They are values rather than formatted strings so that the
// checks that raise them stay cheap enough to inline.
var errStale = panicError("seq: use of a Position or Sequence whose segment was recycled " +
	"(memory released by AdvanceTo or Complete is being read: copy the bytes out before advancing)")

type panicError string

func (e panicError) Error() string { return string(e) }

// commitError is the panic value of Commit beyond the free space.
type commitError struct{ k, avail int }

func (e commitError) Error() string {
	return fmt.Sprintf("seq: Commit(%d) with %d bytes available", e.k, e.avail)
}

// viewError is the panic value of CommitSlice with a start past the data.
type viewError struct{ i, n int }

func (e viewError) Error() string {
	return fmt.Sprintf("seq: CommitSlice from offset %d of a segment of %d bytes", e.i, e.n)
}

// posError is the panic value of Pos with an offset outside the segment.
type posError struct{ off, cap int }

func (e posError) Error() string {
	return fmt.Sprintf("seq: Pos(%d) outside a segment of capacity %d", e.off, e.cap)
}
