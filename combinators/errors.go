package combinators

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// outcome classifies the error of a failed parser.
type outcome uint8

const (
	// malformed: a syntax error (any error that is neither of the others);
	// a backtracking combinator may try another way.
	malformed outcome = iota
	// short: the parser needs more input.
	short
	// fatal: a size error, or a failure after a Commit's head matched; it
	// ends the message whatever the grammar says.
	fatal
)

// classify tells what kind of failure err is.
func classify(err error) outcome {
	switch e := err.(type) {
	case *parse.SyntaxError:
		if e.Err == nil {
			return malformed // the common case, without the errors.Is walks
		}
	case *parse.SizeError, *CommittedError:
		return fatal
	}
	if err == parse.ErrNeedMore || errors.Is(err, parse.ErrNeedMore) {
		return short
	}
	if errors.Is(err, parse.ErrTooLarge) {
		return fatal
	}
	return malformed
}

// recoverable reports whether a backtracking combinator may go on after an
// element failed with err: a syntax error, or a need for more input on
// final input (no more can come, so the element is not there).
func recoverable(in *parse.Input, err error) bool {
	switch classify(err) {
	case malformed:
		return true
	case short:
		return in.Final()
	}
	return false
}

// expected returns a syntax error at the cursor with a message prepared at
// declaration time, without formatting.
func expected(in *parse.Input, msg string) error {
	return &parse.SyntaxError{Offset: in.Offset(), Msg: msg}
}

// quoteByte renders b for an error message: 'a', '\n', '\xff'.
func quoteByte(b byte) string {
	if b < 0x80 {
		return strconv.QuoteRune(rune(b))
	}
	return fmt.Sprintf(`'\x%02x'`, b)
}

// noProgress is the error of a repetition whose element succeeded without
// consuming input, which would repeat forever.
func noProgress(in *parse.Input) error {
	return expected(in, "repeated element matched no input")
}

// checkBounds panics on invalid repetition bounds; what names the caller.
func checkBounds(what string, min, max int) {
	if min < 0 || max >= 0 && max < min {
		panic(fmt.Sprintf("combinators: %s with bounds min=%d, max=%d", what, min, max))
	}
}
