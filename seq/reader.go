package seq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/sluicego/sluice/internal/segsteps"
)

// Errors returned by the [Reader] methods that decode variable-length
// integers.
var (
	// ErrShort means the sequence ended before the value did; the reader did
	// not move. More input may complete the value.
	ErrShort = errors.New("seq: not enough data")
	// ErrOverflow means a varint does not fit in 64 bits; the reader did not
	// move.
	ErrOverflow = errors.New("seq: varint overflows a 64-bit integer")
)

// Reader is a cursor over a [Sequence]: it reads bytes, integers and
// delimited runs across segment boundaries without copying, and can rewind.
// It is a value type; the zero Reader reads an empty sequence. Construct it
// with [NewReader] and call its methods through a pointer.
//
// Sub-sequences a Reader returns alias the sequence's memory and share its
// lifetime.
type Reader struct {
	s        Sequence
	seg      *Segment // segment of cur
	gen      uint32   // generation of seg when the reader entered it
	cur      []byte   // the sequence's bytes in seg, from segOff; its capacity is its length
	segOff   int      // offset of cur[0] in seg
	i        int      // read offset in cur
	consumed int      // bytes of the sequence before cur
	scratch  [8]byte  // a fixed-width integer that straddles segments (a local array would escape)
}

// NewReader returns a Reader positioned at the start of s.
func NewReader(s Sequence) Reader {
	var r Reader
	r.Init(s)
	return r
}

// Init makes r read s from its start, as NewReader does, in place.
func (r *Reader) Init(s Sequence) {
	r.s, r.i, r.consumed = s, 0, 0
	if s.first == nil {
		r.seg, r.cur, r.segOff, r.gen = nil, nil, 0, 0
		return
	}
	s.check()
	r.seg, r.segOff, r.gen = s.first, s.so(), uint32(s.first.gen)
	r.cur = s.chunk(r.seg, r.segOff)
	if len(r.cur) == 0 {
		r.skipEmpty()
	}
}

// skipEmpty moves to the next segment while the current chunk is exhausted
// and the sequence goes on, so that cur[i] is the next byte whenever one is
// left.
func (r *Reader) skipEmpty() {
	for r.i == len(r.cur) && r.seg != r.s.last {
		r.consumed += len(r.cur)
		segsteps.Step()
		r.seg, r.segOff, r.i = r.seg.next, 0, 0
		r.gen = r.seg.gen
		r.cur = r.s.chunk(r.seg, 0)
	}
}

// Sequence returns the whole sequence the reader reads.
func (r *Reader) Sequence() Sequence { return r.s }

// Consumed reports how many bytes have been read.
func (r *Reader) Consumed() int { return r.consumed + r.i }

// Remaining reports how many bytes are left.
func (r *Reader) Remaining() int { return r.s.Len() - r.consumed - r.i }

// AtEnd reports whether no bytes are left.
func (r *Reader) AtEnd() bool { return r.i == len(r.cur) && r.seg == r.s.last }

// Position returns the position of the next byte to read.
func (r *Reader) Position() Position {
	if r.seg == nil {
		return r.s.startPos()
	}
	return Position{seg: r.seg, off: uint32(r.segOff + r.i), gen: r.gen}
}

// Rest returns the unread part of the sequence.
func (r *Reader) Rest() Sequence {
	if r.seg == nil {
		return r.s
	}
	return mk(r.Position(), r.s.endPos())
}

// Span returns the unread bytes of the current segment: a prefix of the rest
// of the sequence, empty only at the end.
func (r *Reader) Span() []byte {
	// cur's capacity is its length: saying so spares loading it.
	return r.cur[r.i:len(r.cur):len(r.cur)]
}

// SpanSeq returns the next n bytes as a sequence without reading them. They
// must lie in [Reader.Span]: it panics if n exceeds len(Span()). It is the
// cheap way for a parser that searched Span to view what it found.
func (r *Reader) SpanSeq(n int) Sequence {
	if uint(n) > uint(len(r.cur)-r.i) {
		panic(spanError{n, len(r.cur) - r.i})
	}
	off := uint64(r.segOff + r.i)
	return Sequence{first: r.seg, last: r.seg,
		bits: off | (off+uint64(n))<<offBits | uint64(uint16(r.gen))<<(2*offBits)}
}

// SpanSeqAt returns n bytes of [Reader.Span] from its offset i as a
// sequence without reading anything: a parser that scanned ahead in the
// span views what it found there. It panics unless span[i:i+n] lies in the
// span.
func (r *Reader) SpanSeqAt(i, n int) Sequence {
	if uint(i) > uint(len(r.cur)-r.i) || uint(n) > uint(len(r.cur)-r.i-i) {
		panic(spanError{i + n, len(r.cur) - r.i})
	}
	off := uint64(r.segOff + r.i + i)
	return Sequence{first: r.seg, last: r.seg,
		bits: off | (off+uint64(n))<<offBits | uint64(uint16(r.gen))<<(2*offBits)}
}

// SpanViews returns what views the bytes of [Reader.Span] as it is now:
// a parser that walks the span and cuts many messages out of it (a batch
// of lines or frames) makes each view with [SpanViews.At], which reads
// nothing of the reader, instead of with [Reader.SpanSeqAt], which reads
// the cursor again for every view. Offsets count from the start of the
// span as it was when SpanViews was called; moving the reader afterwards
// does not change them.
func (r *Reader) SpanViews() SpanViews {
	off := uint64(r.segOff + r.i)
	return SpanViews{seg: r.seg, n: uint(len(r.cur) - r.i),
		bits: off | off<<offBits | uint64(uint16(r.gen))<<(2*offBits)}
}

// SpanViews makes views of the bytes of one span of a [Reader] (see
// [Reader.SpanViews]). It is a small value, made in constant time; the
// views it makes share the lifetime of the sequence the reader reads, as
// every view of it does. The zero SpanViews views an empty span.
type SpanViews struct {
	seg  *Segment
	bits uint64 // a Sequence's bits for the empty view at the span's start
	n    uint   // the span's length
}

// Len reports the length of the span.
func (v SpanViews) Len() int { return int(v.n) }

// At returns the n bytes of the span from its offset i as a sequence, the
// view [Reader.SpanSeqAt] returns for the same bytes. It panics unless
// span[i:i+n] lies in the span.
func (v SpanViews) At(i, n int) Sequence {
	if uint(i) > v.n || uint(n) > v.n-uint(i) {
		panic(spanViewsError{i, n, v.n})
	}
	// Both offsets stay below the segment's length, so the additions
	// carry into no other field of the packed word.
	return Sequence{first: v.seg, last: v.seg, bits: v.bits + uint64(i) + uint64(i+n)<<offBits}
}

// spanViewsError is the panic value of SpanViews.At beyond the span.
type spanViewsError struct {
	i, n int
	span uint
}

func (e spanViewsError) Error() string {
	return fmt.Sprintf("seq: SpanViews.At(%d, %d) with a span of %d bytes", e.i, e.n, e.span)
}

// ReadSpan returns the next n bytes as a sequence, as [Reader.SpanSeq]
// does, and reads k bytes without leaving the current segment: a parser
// that searched [Reader.Span] and found a terminator before its last byte
// views what precedes the terminator and reads both in one call. It panics
// unless 0 <= n <= k < len(Span()); a k that reaches the end of the span is
// read with [Reader.Advance].
func (r *Reader) ReadSpan(n, k int) Sequence {
	if uint(n) > uint(k) || uint(k) >= uint(len(r.cur)-r.i) {
		panic(readSpanError{n, k, len(r.cur) - r.i})
	}
	off := uint64(r.segOff + r.i)
	r.i += k
	return Sequence{first: r.seg, last: r.seg,
		bits: off | (off+uint64(n))<<offBits | uint64(uint16(r.gen))<<(2*offBits)}
}

// readSpanError is the panic value of ReadSpan out of range.
type readSpanError struct{ n, k, span int }

func (e readSpanError) Error() string {
	return fmt.Sprintf("seq: ReadSpan(%d, %d) with a span of %d bytes", e.n, e.k, e.span)
}

// spanError is the panic value of SpanSeq beyond the span.
type spanError struct{ n, span int }

func (e spanError) Error() string {
	return fmt.Sprintf("seq: SpanSeq(%d) with a span of %d bytes", e.n, e.span)
}

// Peek returns the next byte without reading it; ok is false at the end.
func (r *Reader) Peek() (b byte, ok bool) {
	if r.i < len(r.cur) {
		return r.cur[r.i], true
	}
	return 0, false
}

// ReadByte reads one byte. At the end it returns io.EOF. It makes *Reader an
// [io.ByteReader].
func (r *Reader) ReadByte() (byte, error) {
	if r.i < len(r.cur) {
		b := r.cur[r.i]
		r.i++
		if r.i == len(r.cur) {
			r.skipEmpty()
		}
		return b, nil
	}
	return 0, io.EOF
}

// Read copies the next bytes into p and reads them. At the end it returns
// io.EOF. It makes *Reader an [io.Reader].
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.AtEnd() {
		return 0, io.EOF
	}
	n := r.Rest().CopyTo(p)
	r.Advance(n)
	return n, nil
}

// Advance reads n bytes without looking at them. It panics if n is negative
// or more than Remaining.
func (r *Reader) Advance(n int) {
	// Fast path, small enough to inline: the reader stays in its chunk.
	if uint(n) < uint(len(r.cur)-r.i) {
		r.i += n
		return
	}
	r.advance(n)
}

func (r *Reader) advance(n int) {
	if n <= len(r.cur)-r.i && n >= 0 {
		r.i += n
		if r.i == len(r.cur) {
			r.skipEmpty()
		}
		return
	}
	if n < 0 || n > r.Remaining() {
		panic(fmt.Sprintf("seq: Advance(%d) with %d bytes remaining", n, r.Remaining()))
	}
	for n > len(r.cur)-r.i {
		n -= len(r.cur) - r.i
		r.i = len(r.cur)
		r.skipEmpty()
	}
	r.i += n
	r.skipEmpty()
}

// Rewind moves back n bytes. It panics if n is negative or more than
// Consumed.
func (r *Reader) Rewind(n int) {
	// Fast path, small enough to inline: back within the current chunk.
	if uint(n) <= uint(r.i) {
		r.i -= n
		return
	}
	r.rewind(n)
}

func (r *Reader) rewind(n int) {
	c := r.Consumed()
	if n < 0 || n > c {
		panic(fmt.Sprintf("seq: Rewind(%d) with %d bytes consumed", n, c))
	}
	*r = NewReader(r.s)
	r.Advance(c - n)
}

// Reset moves back to the start of the sequence.
func (r *Reader) Reset() { *r = NewReader(r.s) }

// Seek moves the cursor to p, a position of the sequence the reader reads
// (from [Reader.Position], [Reader.PositionAt] or a view of the sequence),
// forward or back, in constant time however many segments lie between: a
// parser that noted where it was goes back there, or on to a point it
// found in an earlier pass, without walking the chain. p must belong to the
// sequence's chain; Seek panics if p is stale or lies outside the sequence.
func (r *Reader) Seek(p Position) {
	// Fast path: p lies in the cursor's chunk, made in the generation the
	// reader saw.
	if d := int(p.off) - r.segOff; p.seg == r.seg && p.gen == r.gen && uint(d) < uint(len(r.cur)) {
		r.i = d
		return
	}
	r.seek(p)
}

func (r *Reader) seek(p Position) {
	s := r.s
	if s.first == nil {
		if p.seg != nil {
			panic(seekError{})
		}
		return
	}
	s.check()
	if p.seg == nil {
		panic(seekError{})
	}
	idx := p.Index() // panics if p is stale
	lo := s.first.index + int64(s.so())
	hi := s.last.index + int64(s.eo())
	switch {
	case idx < lo || idx > hi:
		panic(seekError{idx, lo, hi})
	case idx == lo:
		// The start may also be named as the end of an earlier segment.
		r.Init(s)
		return
	case idx == hi && p.seg != s.last:
		// The end may also be named as the start of a later segment.
		p = s.endPos()
	case p.seg.index < s.first.index || p.seg.index > s.last.index:
		panic(seekError{idx, lo, hi})
	}
	seg, segOff := p.seg, 0
	if seg == s.first {
		segOff = s.so()
	}
	r.seg, r.segOff, r.gen = seg, segOff, seg.gen
	r.cur = s.chunk(seg, segOff)
	r.i = int(p.off) - segOff
	r.consumed = int(seg.index + int64(segOff) - lo)
	if r.i == len(r.cur) {
		r.skipEmpty()
	}
}

// seekError is the panic value of Seek to a position outside the
// sequence.
type seekError struct{ idx, lo, hi int64 }

func (e seekError) Error() string {
	if e == (seekError{}) {
		return "seq: Seek to a position of no chain, or in an empty sequence"
	}
	return fmt.Sprintf("seq: Seek to index %d outside the sequence [%d, %d]", e.idx, e.lo, e.hi)
}

// PositionAt returns the position of the byte off bytes from the start of
// the sequence (the offset [Reader.Consumed] counts), 0 <= off <= Len,
// without moving the cursor. It takes constant time when off lies in the
// cursor's segment; otherwise it walks the chain, from the cursor to a
// later offset and from the start of the sequence to an earlier one. It
// panics if off is out of range.
func (r *Reader) PositionAt(off int) Position {
	c := r.consumed
	if d := off - c; d >= 0 && d <= len(r.cur) && r.seg != nil {
		return Position{seg: r.seg, off: uint32(r.segOff + d), gen: r.gen}
	}
	if off < 0 || off > r.s.Len() {
		panic(fmt.Sprintf("seq: PositionAt(%d) outside a sequence of length %d", off, r.s.Len()))
	}
	if off > c {
		return r.Rest().PosAt(off - c - r.i)
	}
	return r.s.PosAt(off)
}

// PeekInto copies the next len(dst) bytes into dst without reading them. It
// reports false, copying nothing, if fewer bytes are left.
func (r *Reader) PeekInto(dst []byte) bool {
	if len(dst) <= len(r.cur)-r.i {
		copy(dst, r.cur[r.i:])
		return true
	}
	if len(dst) > r.Remaining() {
		return false
	}
	r.Rest().CopyTo(dst)
	return true
}

// ReadN reads the next n bytes and returns them as a sequence. It reports
// false, reading nothing, if fewer are left.
func (r *Reader) ReadN(n int) (Sequence, bool) {
	// Fast path, small enough to inline: the bytes lie in the current
	// chunk and the reader stays in it.
	if uint(n) < uint(len(r.cur)-r.i) {
		off := uint64(r.segOff + r.i)
		r.i += n
		return Sequence{first: r.seg, last: r.seg,
			bits: off | (off+uint64(n))<<offBits | uint64(uint16(r.gen))<<(2*offBits)}, true
	}
	return r.readN(n)
}

func (r *Reader) readN(n int) (Sequence, bool) {
	if n < 0 || n > r.Remaining() {
		return Sequence{}, false
	}
	if r.seg == nil { // the zero Reader: n is 0
		return Sequence{}, true
	}
	start := r.Position()
	if n <= len(r.cur)-r.i {
		r.i += n
		end := Position{seg: r.seg, off: uint32(r.segOff + r.i), gen: r.gen}
		if r.i == len(r.cur) {
			r.skipEmpty()
		}
		return mk(start, end), true
	}
	out := r.Rest().Slice(0, n)
	r.Advance(n)
	return out, true
}

// IsNext reports whether the unread bytes begin with prefix, without reading.
func (r *Reader) IsNext(prefix []byte) bool {
	if len(prefix) <= len(r.cur)-r.i {
		return string(r.cur[r.i:r.i+len(prefix)]) == string(prefix)
	}
	return r.Rest().HasPrefix(prefix)
}

// SkipPrefix reads prefix if the unread bytes begin with it and reports
// whether they did.
func (r *Reader) SkipPrefix(prefix []byte) bool {
	if !r.IsNext(prefix) {
		return false
	}
	r.Advance(len(prefix))
	return true
}

// ReadTo returns the bytes before the next delim and reads them and the
// delimiter. It reports false, reading nothing, if delim does not occur.
func (r *Reader) ReadTo(delim byte) (Sequence, bool) {
	// Fast path, small enough to inline: the delimiter lies in the current
	// chunk, before its last byte, so the reader stays in this segment.
	if j := bytes.IndexByte(r.cur[r.i:], delim); j >= 0 && r.i+j+1 < len(r.cur) {
		off := r.segOff + r.i
		r.i += j + 1
		return mk(Position{seg: r.seg, off: uint32(off), gen: r.gen}, Position{seg: r.seg, off: uint32(off + j), gen: r.gen}), true
	}
	return r.readToSlow(delim)
}

func (r *Reader) readToSlow(delim byte) (Sequence, bool) {
	rest := r.Rest()
	j := rest.IndexByte(delim)
	if j < 0 {
		return Sequence{}, false
	}
	out := rest.Slice(0, j)
	r.Advance(j + 1)
	return out, true
}

// ReadToAny returns the bytes before the next byte that is one of chars, and
// that byte; it reads them both. It reports false, reading nothing, if no
// byte of chars occurs.
func (r *Reader) ReadToAny(chars string) (Sequence, byte, bool) {
	rest := r.Rest()
	j := rest.IndexAny(chars)
	if j < 0 {
		return Sequence{}, 0, false
	}
	out := rest.Slice(0, j)
	r.Advance(j)
	d, _ := r.ReadByte()
	return out, d, true
}

// ReadToDelim returns the bytes before the next instance of delim, which may
// straddle segments, and reads them and the delimiter. It reports false,
// reading nothing, if delim does not occur.
func (r *Reader) ReadToDelim(delim []byte) (Sequence, bool) {
	rest := r.Rest()
	j := rest.Index(delim)
	if j < 0 {
		return Sequence{}, false
	}
	out := rest.Slice(0, j)
	r.Advance(j + len(delim))
	return out, true
}

// fixed reads an n-byte integer, n <= 8, into r.scratch when it straddles
// segments.
func (r *Reader) fixed(n int) ([]byte, bool) {
	if n <= len(r.cur)-r.i {
		b := r.cur[r.i : r.i+n]
		r.i += n
		if r.i == len(r.cur) {
			r.skipEmpty()
		}
		return b, true
	}
	return r.fixedSlow(n)
}

func (r *Reader) fixedSlow(n int) ([]byte, bool) {
	if !r.PeekInto(r.scratch[:n]) {
		return nil, false
	}
	r.Advance(n)
	return r.scratch[:n], true
}

// ReadUint16BE reads a big-endian uint16; ok is false, reading nothing, if
// fewer than 2 bytes are left. The other fixed-width readers work alike.
func (r *Reader) ReadUint16BE() (v uint16, ok bool) {
	if b, ok := r.fixed(2); ok {
		return binary.BigEndian.Uint16(b), true
	}
	return 0, false
}

// ReadUint16LE reads a little-endian uint16.
func (r *Reader) ReadUint16LE() (v uint16, ok bool) {
	if b, ok := r.fixed(2); ok {
		return binary.LittleEndian.Uint16(b), true
	}
	return 0, false
}

// ReadUint32BE reads a big-endian uint32.
func (r *Reader) ReadUint32BE() (v uint32, ok bool) {
	if b, ok := r.fixed(4); ok {
		return binary.BigEndian.Uint32(b), true
	}
	return 0, false
}

// ReadUint32LE reads a little-endian uint32.
func (r *Reader) ReadUint32LE() (v uint32, ok bool) {
	if b, ok := r.fixed(4); ok {
		return binary.LittleEndian.Uint32(b), true
	}
	return 0, false
}

// ReadUint64BE reads a big-endian uint64.
func (r *Reader) ReadUint64BE() (v uint64, ok bool) {
	if b, ok := r.fixed(8); ok {
		return binary.BigEndian.Uint64(b), true
	}
	return 0, false
}

// ReadUint64LE reads a little-endian uint64.
func (r *Reader) ReadUint64LE() (v uint64, ok bool) {
	if b, ok := r.fixed(8); ok {
		return binary.LittleEndian.Uint64(b), true
	}
	return 0, false
}

// ReadUvarint reads an unsigned varint in the encoding of
// [encoding/binary.AppendUvarint]. It returns [ErrShort] if the sequence ends
// inside the varint and [ErrOverflow] if it does not fit in 64 bits; in both
// cases the reader does not move.
func (r *Reader) ReadUvarint() (uint64, error) {
	if v, n := binary.Uvarint(r.cur[r.i:]); n > 0 {
		r.Advance(n)
		return v, nil
	} else if n < 0 {
		return 0, ErrOverflow
	}
	// One byte more than the longest varint, so that binary.Uvarint reports
	// an 11-byte run of continuation bits as overflow, as it does on a flat
	// slice, rather than as short.
	var buf [binary.MaxVarintLen64 + 1]byte
	k := r.Rest().CopyTo(buf[:])
	v, n := binary.Uvarint(buf[:k])
	switch {
	case n > 0:
		r.Advance(n)
		return v, nil
	case n < 0:
		return 0, ErrOverflow
	default:
		return 0, ErrShort
	}
}

// ReadVarint reads a zig-zag signed varint in the encoding of
// [encoding/binary.AppendVarint], with the errors of [Reader.ReadUvarint].
func (r *Reader) ReadVarint() (int64, error) {
	ux, err := r.ReadUvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, err
}
