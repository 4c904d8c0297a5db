package parse

import "unsafe"

// ScratchKey identifies one user of a message reader's scratch storage (a
// repetition that collects its values there, a hand-written parser's
// list), so that each keeps storage of its own element type. Create one
// per parser, when the parser is declared, with [NewScratchKey].
type ScratchKey struct{ _ byte }

// NewScratchKey returns a new key.
func NewScratchKey() *ScratchKey { return new(ScratchKey) }

// scratchKeep is the most bytes of scratch storage per key that a message
// reader keeps from one message to the next: a message that needed more
// gets memory of its own, which the next message does not reuse.
const scratchKeep = 64 << 10

// scratchEntry is one key's scratch storage: a *scratchSlab of the key's
// element type.
type scratchEntry struct {
	key  *ScratchKey
	slab any
}

// scratchSlab is the storage of one key: buf[:used] is handed out to the
// message at msg.
type scratchSlab[T any] struct {
	buf  []T
	used int
	msg  int64 // Input.msg of the message the storage is handed out to; -1: none
	old  [][]T // under the race detector, the storage the message outgrew
}

// Scratch returns an empty slice (nil if n is 0) of capacity n for a parser to append a
// message's values to, in memory the message reader reuses from message to
// message instead of allocating: what is appended within the capacity is
// valid until the next read from the message reader (the lifetime of the
// message's views of the input), and the memory then holds the next
// message's values. A message that is parsed in several attempts (its
// bytes arriving in pieces) keeps the slices of all its attempts until
// then, so an accumulator that a repetition resumes with
// ([Input.RepeatShort]) stays intact. Appending past the capacity
// allocates as append does; the storage grows to what a message needs, up
// to 64 KiB per key kept from one message to the next.
//
// An Input from [NewInput] has no message reader: Scratch then returns a
// new slice, which the caller owns. Under the race detector the memory is
// never reused from one message to the next: the slices of a message are
// zeroed at the next read, so that a value kept past its lifetime reads
// as zero values (and a goroutine that reads it concurrently is
// reported), rather than as the next message's values. A key must be used with one element type; it
// panics otherwise, or if n is negative.
func Scratch[T any](in *Input, k *ScratchKey, n int) []T {
	r := in.reps
	switch {
	case n == 0:
		return nil
	case r == nil:
		return make([]T, 0, n)
	}
	s := scratchOf[T](r, k)
	if s.msg != in.msg() {
		s.reset(in.msg())
	}
	if n > len(s.buf)-s.used {
		s.grow(n)
	}
	out := s.buf[s.used : s.used : s.used+n]
	s.used += n
	return out
}

// scratchOf returns the storage of k in r, made on first use.
func scratchOf[T any](r *repeats, k *ScratchKey) *scratchSlab[T] {
	for i := range r.scratch {
		if e := &r.scratch[i]; e.key == k {
			s, ok := e.slab.(*scratchSlab[T])
			if !ok {
				panic("parse: a ScratchKey used with two element types")
			}
			return s
		}
	}
	s := &scratchSlab[T]{msg: -1}
	r.scratch = append(r.scratch, scratchEntry{key: k, slab: s})
	return s
}

// reset hands the storage to the message at msg: what the last message
// was given is zeroed, so that it holds no views of the input, and reused
// unless it is too large to keep or the race detector is on.
func (s *scratchSlab[T]) reset(msg int64) {
	clear(s.buf[:s.used])
	for _, b := range s.old {
		clear(b)
	}
	s.used, s.msg, s.old = 0, msg, nil
	var v T
	if raceEnabled || uintptr(len(s.buf))*unsafe.Sizeof(v) > scratchKeep {
		s.buf = nil
	}
}

// grow replaces the storage with storage of room for at least n values;
// the slices handed out from the old one keep it.
func (s *scratchSlab[T]) grow(n int) {
	if n < 0 {
		panic("parse: Scratch with a negative capacity")
	}
	if raceEnabled && s.buf != nil {
		s.old = append(s.old, s.buf[:s.used])
	}
	s.buf, s.used = make([]T, max(n, 2*len(s.buf), 16)), 0
}

// ScratchValue returns a pointer to a zero T in the message reader's
// scratch storage, with the lifetime of [Scratch]'s slices: valid until
// the next read from the message reader. It is where a parser that builds
// a large value in place (field by field, through several layers) can
// build it without allocating. Outside a message reader (an Input from
// [NewInput]) it returns nil: there is no storage to reuse, and the
// caller builds the value as it would without it.
func ScratchValue[T any](in *Input, k *ScratchKey) *T {
	if in.reps == nil {
		return nil
	}
	s := Scratch[T](in, k, 1)
	return &s[:1][0]
}

// ScratchRelease gives back p, the last value [ScratchValue] returned for
// k, once the caller has copied it out, so that the next ScratchValue for
// k reuses its memory: a parser called once per element of a long message
// then takes one value of storage at a time, not one per element. Values
// given back in the reverse order they were taken (as nested calls do)
// are all reused; any other p is left alone, and so is everything outside
// a message reader. p's memory is zeroed.
func ScratchRelease[T any](in *Input, k *ScratchKey, p *T) {
	r := in.reps
	if r == nil || p == nil {
		return
	}
	s := scratchOf[T](r, k)
	if s.msg != in.msg() || s.used == 0 || &s.buf[s.used-1] != p {
		return
	}
	var zero T
	*p = zero
	s.used--
}
