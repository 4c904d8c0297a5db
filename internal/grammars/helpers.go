package grammars

import (
	"errors"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Small parsers the combinator grammars need and package combinators does
// not offer; each is a few lines in the style of that package.

// pure succeeds with v without reading anything.
//
//go:noinline
func pure[T any](v T) parse.TryParse[T] {
	return func(*parse.Input) (T, error) { return v, nil }
}

// errUnreachable is the error of a parser that runs only where the grammar
// has already failed (see retry).
var errUnreachable = errors.New("grammars: element parsed on retry after failing")

// retry runs p, which failed at the cursor a moment ago inside a
// repetition, to report its error: Many and Fold stop silently at a
// malformed element and rewind to its start, so a grammar whose next
// element (the terminator) is decided by the first bytes runs the failed
// element again to report the error where it is.
//
//go:noinline
func retry[A, T any](p parse.TryParse[A]) parse.TryParse[T] {
	return cb.Then(p, func(in *parse.Input) (T, error) {
		var zero T
		return zero, &parse.SyntaxError{Offset: in.Offset(), Msg: "internal error", Err: errUnreachable}
	})
}

// rest reads every remaining byte: inside LengthPrefixed, the whole body.
func rest(in *parse.Input) (seq.Sequence, error) {
	s, _ := in.ReadN(in.Remaining())
	return s, nil
}

// dispatch runs the parser that choose picks for the value look peeks at
// (look reads nothing that stays read): a choice decided by the next bytes,
// without the backtracking of Alt.
func dispatch[A, T any](look parse.TryParse[A], choose func(A) parse.TryParse[T]) parse.TryParse[T] {
	return cb.Bind(cb.Peek(look), choose)
}

// crlf matches CRLF.
var crlf = cb.Literal("\r\n")
