package combinators

import (
	"sync/atomic"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Backtracking combinators (Alt, Opt, Many, Fold, SepBy) learn, the first
// time they run, which first bytes each parser they try can start with, so
// that when the next byte rules a parser out they skip it instead of
// calling it and allocating the syntax error it would return. This is
// exact for parsers that follow the streaming contract: a parser that
// returns a syntax error for one byte of non-final input decides on that
// byte alone, so it returns a syntax error for every input that starts with
// it (had that byte arrived alone, a message reader would have reported the
// error). A skipped parser is still run whenever its error is needed.

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s *byteSet) add(b byte) { s[b>>6] |= 1 << (b & 63) }

// starts holds what a combinator learned about one parser's first bytes.
// Use it as
//
//	set := s.set.Load()
//	if set == nil {
//		set = learn(&s, p)
//	}
//
// (small enough to inline); set stays nil while the bytes are being learned
// (by another goroutine, or by this one when p contains the combinator
// asking).
type starts struct {
	set     atomic.Pointer[byteSet]
	probing atomic.Bool
}

func learn[T any](s *starts, p parse.TryParse[T]) *byteSet {
	if !s.probing.CompareAndSwap(false, true) {
		return nil
	}
	set := probe(p)
	s.set.Store(set)
	return set
}

// probe returns the set of bytes p can start with.
func probe[T any](p parse.TryParse[T]) *byteSet {
	set := new(byteSet)
	for i := range 256 {
		if admits(p, byte(i)) {
			set.add(byte(i))
		}
	}
	return set
}

// altStarts holds, for each byte value, the set of an Alt's alternatives
// (the first 64) that can start with it.
type altStarts struct {
	masks   atomic.Pointer[[256]uint64]
	probing atomic.Bool
}

func learnAlt[T any](a *altStarts, ps []parse.TryParse[T]) *[256]uint64 {
	if !a.probing.CompareAndSwap(false, true) {
		return nil
	}
	masks := new([256]uint64)
	for i, p := range ps {
		if i >= 64 {
			break // tried for every byte
		}
		set := probe(p)
		for b := range 256 {
			if set.has(byte(b)) {
				masks[b] |= 1 << i
			}
		}
	}
	a.masks.Store(masks)
	return masks
}

// admits reports whether p, shown the single byte b as non-final input,
// does anything but fail with a syntax error. A parser that panics there is
// assumed to admit anything.
func admits[T any](p parse.TryParse[T], b byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true
		}
	}()
	_, err := p(parse.NewInput(seq.Of([]byte{b}), false, 0))
	return err == nil || classify(err) != malformed
}

// rulesOut reports whether set shows that no parser with that start set
// can match at the cursor: a byte is buffered and is not in the set.
func rulesOut(set *byteSet, in *parse.Input) bool {
	b, ok := in.Peek()
	return ok && !set.has(b)
}
