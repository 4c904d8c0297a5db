package combinators

import (
	"errors"
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// ErrDepth is the Err of the [*parse.SyntaxError] that a parser declared
// with [Fix] returns for input nested deeper than its limit; match it with
// errors.Is.
var ErrDepth = errors.New("combinators: nesting too deep")

// Fix declares a recursive grammar: it calls f once, with self, a parser
// that stands for the result of f, and returns that result. f builds the
// grammar of one level with self where a nested value goes (a RESP array's
// elements, a bracketed list's items), so the grammar is built once, not
// once per depth, and parses any nesting up to maxDepth levels.
//
// The depth is the message's nesting count ([parse.Input.Enter]): every
// call of self goes one level deeper, and the parser Fix returns is the
// first level. A value nested deeper than maxDepth is a [*parse.SyntaxError]
// at the offset where the level past the limit starts, "nesting deeper than
// 64 levels", with Err [ErrDepth], before anything of it is read, so a peer
// that sends a million '[' makes one error, not a million stack frames.
// Each level costs stack (a few hundred bytes per combinator on the path
// from self to self): a limit in the thousands is safe. The count goes on
// through bounds on the recursion's path ([Bounded], [LengthPrefixed]) and
// is shared by every Fix grammar and hand-written parser that nests on the
// same message, so a Fix inside another counts the levels of both. The
// count costs two stores per level and allocates nothing. Streaming
// behaviour and errors are those of the grammar f builds. It panics if
// maxDepth < 1 or if f returns nil.
//
//go:noinline
func Fix[T any](maxDepth int, f func(self parse.TryParse[T]) parse.TryParse[T]) parse.TryParse[T] {
	if maxDepth < 1 {
		panic("combinators: Fix with a maximum depth of " + strconv.Itoa(maxDepth))
	}
	var p parse.TryParse[T]
	msg := "nesting deeper than " + strconv.Itoa(maxDepth) + " levels"
	self := func(in *parse.Input) (T, error) {
		if in.Enter() > maxDepth {
			in.Leave()
			var zero T
			return zero, &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Err: ErrDepth}
		}
		v, err := p(in)
		in.Leave()
		return v, err
	}
	// self's destination form is recorded before f declares the levels
	// with self, and calls p's, which exists once f returns.
	var pi into[T]
	recordInto(self, func(in *parse.Input, dst *T) error {
		if in.Enter() > maxDepth {
			in.Leave()
			return &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Err: ErrDepth}
		}
		err := pi(in, dst)
		in.Leave()
		return err
	})
	p = f(self)
	if p == nil {
		panic("combinators: Fix with a grammar function that returned nil")
	}
	pi = intoOf(p)
	return record(self, mk("Fix", kid(p)).with(strconv.Itoa(maxDepth)))
}
