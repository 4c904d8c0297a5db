package combinators

import (
	"slices"
	"strings"
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
// error). They also keep what that error expected, a static string per
// byte, and note it ([parse.Input.Expect]) when they skip the parser, so
// that the furthest-failure rule ([parse.Input.Furthest]) names it as if
// the parser had run.

// byteSet is a set of byte values.
type byteSet [4]uint64

func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }

func (s *byteSet) add(b byte) { s[b>>6] |= 1 << (b & 63) }

// startSet is what a combinator learned about one parser's first bytes:
// the bytes it can start with, and for each other byte what its syntax
// error expected (what[idx[b]]; what[0] is empty).
type startSet struct {
	byteSet
	idx  [256]uint8
	what [][]string
}

// expectAt notes what the parser the set belongs to expected at the
// cursor, whose next byte rules it out.
func (s *startSet) expectAt(in *parse.Input) {
	b, _ := in.Peek()
	s.expect(in, b)
}

// expect notes what the parser the set belongs to expected at the cursor,
// where the next byte, b, ruled it out.
func (s *startSet) expect(in *parse.Input, b byte) {
	for _, w := range s.what[s.idx[b]] {
		in.Expect(w)
	}
}

// rulesOut reports whether set shows that no parser with that start set
// can match at the cursor, whose next byte is b (ok: one is buffered). It
// is small enough to inline, for the loop of a repetition; the caller then
// notes what was expected with set.expect(in, b).
func rulesOut(set *startSet, b byte, ok bool) bool { return ok && !set.has(b) }

// intern returns the index of the expectation list w in *what, adding it if
// new (0, none, when the table is full).
func intern(what *[][]string, w []string) uint8 {
	if len(w) == 0 {
		return 0
	}
	for i, x := range *what {
		if slices.Equal(x, w) {
			return uint8(i)
		}
	}
	if len(*what) > 255 {
		return 0
	}
	*what = append(*what, w)
	return uint8(len(*what) - 1)
}

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
	set     atomic.Pointer[startSet]
	probing atomic.Bool
}

func learn[T any](s *starts, p parse.TryParse[T]) *startSet {
	if !s.probing.CompareAndSwap(false, true) {
		return nil
	}
	set := probe(p)
	s.set.Store(set)
	return set
}

// probe returns the set of bytes p can start with and what it expects
// instead.
func probe[T any](p parse.TryParse[T]) *startSet {
	set := &startSet{what: [][]string{nil}}
	for i := range 256 {
		ok, w := admits(p, byte(i))
		if ok {
			set.add(byte(i))
		} else {
			set.idx[i] = intern(&set.what, w)
		}
	}
	return set
}

// altTable holds, for each byte value, the set of an Alt's alternatives
// (the first 64) that can start with it, and what each learned.
type altTable struct {
	masks [256]uint64
	sets  []*startSet
}

// altStarts holds what an Alt learned.
type altStarts struct {
	table   atomic.Pointer[altTable]
	probing atomic.Bool
}

func learnAlt[T any](a *altStarts, ps []parse.TryParse[T]) *altTable {
	if !a.probing.CompareAndSwap(false, true) {
		return nil
	}
	t := new(altTable)
	for i, p := range ps {
		if i >= 64 {
			break // tried for every byte
		}
		set := probe(p)
		t.sets = append(t.sets, set)
		for b := range 256 {
			if set.has(byte(b)) {
				t.masks[b] |= 1 << i
			}
		}
	}
	a.table.Store(t)
	return t
}

// admits reports whether p, shown the single byte b as non-final input,
// does anything but fail with a syntax error, and if it does not, what
// that error expected. A parser that panics there is assumed to admit
// anything.
func admits[T any](p parse.TryParse[T], b byte) (ok bool, what []string) {
	defer func() {
		if recover() != nil {
			ok, what = true, nil
		}
	}()
	_, err := p(parse.NewInput(seq.Of([]byte{b}), false, 0))
	if err == nil || classify(err) != malformed {
		return true, nil
	}
	return false, expectations(err)
}

// expectations returns what the syntax error err, found at its parser's
// first byte, expected: the list of a merged error, the X of "expected X",
// or nothing for an error that names no expectation.
func expectations(err error) []string {
	se, ok := err.(*parse.SyntaxError)
	switch {
	case !ok || se.Offset != 0:
		return nil
	case se.Expected != nil:
		return se.Expected
	case se.Err == nil:
		if w, ok := strings.CutPrefix(se.Msg, "expected "); ok {
			return []string{w}
		}
	}
	return nil
}
