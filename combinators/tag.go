package combinators

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// Tag marks the syntax errors of p with tag, a sentinel or typed error of
// the grammar's own (a protocol's "invalid bulk length"), so that a caller
// can match every way an element can be malformed with one errors.Is or
// errors.As, whatever combinator found it:
//
//	length := Tag(ErrBulkLength, Before(Decimal[uint64](0, maxBulk, 0), Literal("\r\n")))
//
// A [*parse.SyntaxError] from p (after the furthest-failure rule,
// [parse.Input.Furthest]) is returned as a new *parse.SyntaxError at the
// same offset, with the same Msg and Expected, whose Err matches tag and
// still matches what the original Err matched (a number out of range keeps
// [ErrRange]); its text ends with tag's. The tagged error names a fault,
// so it stands alone where it is the furthest failure rather than being
// merged with expectations at the same offset. A need for more input, a
// truncation at the end of final input, a size error and any other error
// pass unchanged, as does a success. Tag allocates only for the error it
// returns. It panics if tag is nil.
//
// A tagged number between literals ([Decimal], [Hex], in [Before] and
// [Then] of literals) stays one to the constructors that fuse it (a
// [TakeLen] of it, a literal before or after it): their fast path reads
// only a well-formed number and otherwise runs the generic composition,
// this Tag included, so every error is still tagged.
func Tag[T any](tag error, p parse.TryParse[T]) parse.TryParse[T] {
	if tag == nil {
		panic("combinators: Tag with a nil error")
	}
	n := mk("Tag", kid(p)).with(tag.Error())
	if c, ok := numeralOf(p); ok && fusion() {
		n.cap = c
	}
	return record(func(in *parse.Input) (T, error) {
		v, err := p(in)
		if err == nil {
			return v, nil
		}
		err = in.Furthest(err)
		if errors.Is(err, parse.ErrNeedMore) || errors.Is(err, parse.ErrTooLarge) {
			return v, err // before errors.As, whose target escapes: a short attempt allocates nothing
		}
		return v, tagged(err, tag)
	}, n)
}

// tagged returns err marked with tag if it is a syntax error that does
// not match tag yet, and err otherwise.
func tagged(err, tag error) error {
	var se *parse.SyntaxError
	if !errors.As(err, &se) || errors.Is(se.Err, tag) {
		return err
	}
	return &parse.SyntaxError{Offset: se.Offset, Msg: se.Msg, Expected: se.Expected, Err: &taggedError{tag: tag, err: se.Err}}
}

// taggedError is the Err of a syntax error marked by [Tag]: the tag, and
// the syntax error's own Err if it had one.
type taggedError struct{ tag, err error }

func (e *taggedError) Error() string {
	if e.err == nil {
		return e.tag.Error()
	}
	return e.tag.Error() + ": " + e.err.Error()
}

func (e *taggedError) Unwrap() []error {
	if e.err == nil {
		return []error{e.tag}
	}
	return []error{e.tag, e.err}
}
