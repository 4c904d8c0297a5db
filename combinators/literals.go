package combinators

import (
	"github.com/sluicego/sluice/parse"
)

// Merged literals. Then and Before of literals and bytes ([Literal],
// [Byte]) in a row match their bytes one after another, one comparison
// each after a call through a func value each; declared together they are
// compiled into one comparison of all the bytes with the cursor's span
// (the fast path), the generic composition deciding everything else (a
// mismatch, a segment end, input that is short), as fuse.go describes.

// lits describes a parser that matches the bytes s and returns v: literals
// and bytes in a row, merged.
type lits[T any] struct {
	s string
	v T
}

// text is the bytes the parser matches.
func (l *lits[T]) text() string { return l.s }

// textOf returns the bytes p matches if it matches fixed bytes: a Literal,
// a Byte or a merged run of them.
func textOf[T any](p parse.TryParse[T]) (string, bool) {
	switch c := capOf(p).(type) {
	case literal:
		return string(c), true
	case oneByte:
		return string([]byte{byte(c)}), true
	case interface{ text() string }:
		return c.text(), true
	}
	return "", false
}

// litsOf returns what p matches and returns, if it matches fixed bytes.
func litsOf[T any](p parse.TryParse[T]) *lits[T] {
	switch c := capOf(p).(type) {
	case literal:
		if v, ok := any(string(c)).(T); ok {
			return &lits[T]{string(c), v}
		}
	case oneByte:
		if v, ok := any(byte(c)).(T); ok {
			return &lits[T]{string([]byte{byte(c)}), v}
		}
	case *lits[T]:
		return c
	}
	return nil
}

// matchLits is the fused parser of merged literals: all their bytes
// compared with the span at once.
//
//go:noinline
func matchLits[T any](l *lits[T], slow parse.TryParse[T]) parse.TryParse[T] {
	s, v := l.s, l.v
	return func(in *parse.Input) (T, error) {
		if span := in.Span(); len(span) >= len(s) && string(span[:len(s)]) == s {
			in.Advance(len(s))
			return v, nil
		}
		return slow(in)
	}
}

// takenLit is the capability of Before(Take(n), literals): the n bytes
// viewed, then the bytes s matched.
type takenLit struct {
	n int
	s string
}
