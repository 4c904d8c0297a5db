package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// setOf returns the set of the bytes of s.
func setOf(s string) *byteSet {
	set := new(byteSet)
	for i := range len(s) {
		set.add(s[i])
	}
	return set
}

// OneOf matches one byte that occurs in set and returns it: OneOf("+-")
// reads a sign. The set is a 256-bit table built when OneOf is declared;
// set is a string of bytes, not of runes (a multi-byte UTF-8 character adds
// each of its bytes). At the end of the buffered input OneOf asks for one
// more byte, on final input too (a message reader then reports a truncated
// message); any byte not in set is a [*parse.SyntaxError] at the cursor,
// `expected one of "+-"`. It panics if set is empty, which would match
// nothing.
//
//go:noinline
func OneOf(set string) parse.TryParse[byte] {
	if set == "" {
		panic("combinators: OneOf with an empty set")
	}
	s := setOf(set)
	return record(inSet(s, true, "expected one of "+strconv.Quote(set)), byteIn(mk("OneOf").with(strconv.Quote(set)), s, true))
}

// NoneOf matches one byte that does not occur in set and returns it:
// NoneOf("\r\n") reads any byte of a line. Its table, streaming behaviour
// and errors are [OneOf]'s; a byte in set is a [*parse.SyntaxError] at the
// cursor, `expected a byte not in "\r\n"`. An empty set matches any byte.
//
//go:noinline
func NoneOf(set string) parse.TryParse[byte] {
	s := setOf(set)
	return record(inSet(s, false, "expected a byte not in "+strconv.Quote(set)), byteIn(mk("NoneOf").with(strconv.Quote(set)), s, false))
}

// byteIn returns n with the span scan of a byte whose membership in s is
// want (scan.go).
func byteIn(n *node, s *byteSet, want bool) *node {
	if fusion() {
		n.scan = satisfyScan(tableOf(func(b byte) bool { return s.has(b) == want }))
	}
	return n
}

// inSet matches one byte whose membership in s is want.
func inSet(s *byteSet, want bool, msg string) parse.TryParse[byte] {
	t := *s // a copy in the closure: one pointer less to follow
	return func(in *parse.Input) (byte, error) {
		c, ok := in.Peek()
		if !ok {
			return 0, in.NeedMore(1)
		}
		if t.has(c) != want {
			return 0, expected(in, msg)
		}
		in.Advance(1)
		return c, nil
	}
}

// TakeIn returns the longest run of bytes that occur in set, at least min
// and at most max of them (max < 0: no bound), and reads it: [TakeWhile]
// with a set instead of a predicate, its streaming behaviour, resumed
// search and size errors included. A run shorter than min is a
// [*parse.SyntaxError] at the first byte that does not match, `expected
// one of "0123456789"`. It panics if set is empty, if min < 0 or if
// 0 <= max < min.
func TakeIn(set string, min, max int) parse.TryParse[seq.Sequence] {
	if set == "" {
		panic("combinators: TakeIn with an empty set")
	}
	checkBounds("TakeIn", min, max)
	s := setOf(set)
	return takeRun(tableOf(s.has), "expected one of "+strconv.Quote(set), min, max,
		mk("TakeIn").with(strconv.Quote(set), bounds(min, max)))
}

// TakeNotIn returns the longest run of bytes that do not occur in set, at
// least min and at most max of them (max < 0: no bound), and reads it:
// [TakeIn] with the set's complement. A run shorter than min is a
// [*parse.SyntaxError] at the byte that ended it, `expected a byte not in
// "\r\n"`. It panics if min < 0 or 0 <= max < min.
func TakeNotIn(set string, min, max int) parse.TryParse[seq.Sequence] {
	checkBounds("TakeNotIn", min, max)
	s := setOf(set)
	return takeRun(tableOf(func(b byte) bool { return !s.has(b) }), "expected a byte not in "+strconv.Quote(set), min, max,
		mk("TakeNotIn").with(strconv.Quote(set), bounds(min, max)))
}
