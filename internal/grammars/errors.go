package grammars

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// The hand-written parsers report errors exactly as the combinators do, so
// that both versions of a grammar can be checked against each other.

// expected is the error of a combinator that did not find what, at the
// cursor.
func expected(in *parse.Input, what string) error {
	return &parse.SyntaxError{Offset: in.Offset(), Msg: "expected " + what}
}

// readCRLF reads CRLF, as the combinator crlf does.
func readCRLF(in *parse.Input) error {
	if in.SkipPrefix(crlfBytes) {
		return nil
	}
	if r := in.Remaining(); r == 0 || r == 1 && peekIs(in, '\r') {
		return in.NeedMore(2)
	}
	return expected(in, msgCRLF)
}

var crlfBytes = []byte("\r\n")

// msgCRLF is how combinators.Literal names CRLF.
var msgCRLF = strconv.Quote("\r\n")

// peekIs reports whether the next byte is c.
func peekIs(in *parse.Input, c byte) bool {
	b, ok := in.Peek()
	return ok && b == c
}

// mapErrAt is the error of a MapErr whose function failed with err, with
// the cursor at the start of the mapped parser's input.
func mapErrAt(in *parse.Input, err error) error {
	return &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid value", Err: err}
}
