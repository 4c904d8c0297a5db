package combinators

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// CommittedError is the error of a parser that failed after the head of a
// [Commit] matched: the choice was made, so the backtracking combinators
// ([Alt], [Opt], [Many], [Fold], [SepBy], [ManyTill]) pass it on instead
// of trying another way. Err is the failure, a [*parse.SyntaxError]
// (errors.As finds it through Unwrap); the text is Err's.
type CommittedError struct {
	Err error
}

// Error returns Err's text.
func (e *CommittedError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *CommittedError) Unwrap() error { return e.Err }

// Commit runs head, then body, and returns body's value: a cut, for an
// alternative recognised by its start. If head fails, Commit fails as head
// did, and a choice tries its next alternative. Once head has matched, a
// syntax error of body is wrapped in a [*CommittedError], which no
// backtracking combinator recovers from: Alt(Commit(Literal("GET "),
// path), other) reports a malformed path where it is, instead of trying
// other on "GET /%zz" and reporting what other expected at the start.
// A need for more input and size errors pass through unchanged, so the
// streaming behaviour is body's, and input that ends inside body is a
// truncation. Errors follow the furthest-failure rule of [Seq2] before
// they are wrapped.
//
//go:noinline
func Commit[A, B any](head parse.TryParse[A], body parse.TryParse[B]) parse.TryParse[B] {
	return record(func(in *parse.Input) (B, error) {
		var zero B
		if _, err := head(in); err != nil {
			return zero, in.Furthest(err)
		}
		v, err := body(in)
		if err == nil {
			return v, nil
		}
		err = in.Furthest(err)
		if classify(err) == malformed && !errors.As(err, new(*CommittedError)) {
			err = &CommittedError{Err: err}
		}
		return zero, err
	}, mk("Commit", kid(head), kid(body)))
}
