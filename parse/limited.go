package parse

import (
	"errors"
	"strconv"
)

// Limited runs p with its own size limit: the element p reads may take at
// most n bytes from the cursor (and look one byte past them), within the
// message's limit. An element that would pass n bytes is refused with a
// [*SizeError] whose Offset is the element's first byte and whose Limit is
// n: a delimiter search inside p stops there, a declared length over it
// is refused before its bytes are waited for, and an element still asking
// for more input with more than n bytes buffered after the cursor is
// refused as soon as they are, so a peer cannot make the reader buffer
// more than n bytes for it; a syntax error that p finds past those n bytes
// and the byte after them, and any failure of p after it read past them (a
// check of an element whose end a search found there), is that refusal
// too, so the error does not depend on how the input arrives. It is the
// building block of limits on a part of a message: a line, a header block,
// a field. Where the message's own limit (or an enclosing element's) is the
// smaller, it applies as it is; where both end at the same byte, this one
// does, so that the refusal names the element however the input arrives.
// Limited panics if n is negative.
func Limited[T any](in *Input, n int, p TryParse[T]) (T, error) {
	if n < 0 {
		panic("parse: Limited with a negative limit " + strconv.Itoa(n))
	}
	at := in.Consumed()
	if n > in.limit-at {
		return p(in)
	}
	limit, max, off := in.limit, in.max, in.Offset()
	in.limit, in.max = at+n, n
	v, err := p(in)
	in.limit, in.max = limit, max
	if err == nil {
		if in.Consumed()-at > n { // a parser that does not check the limit
			return v, &SizeError{Offset: off, Limit: n}
		}
		return v, nil
	}
	// A need for more input is the common case (every element cut by the
	// end of a read): it is told apart first, without errors.As, whose
	// target would cost an allocation.
	if errors.Is(err, ErrNeedMore) {
		if in.need > at+n+1 || in.Consumed()+in.Remaining()-at > n {
			// Wanting more than n bytes and a byte of lookahead, or still
			// wanting more with n+1 bytes buffered: the element cannot end
			// within its limit (the message reader's rule, at the element).
			err = &SizeError{Offset: off, Limit: n}
		}
		return v, err
	}
	if _, sized := err.(*SizeError); !sized && in.Consumed()-at > n {
		// A failure after reading past the limit (the check of an element
		// that a search ended beyond it, say): cut input would have been
		// refused before those bytes came, so whole input is too. (An
		// element's own refusal inside stands.)
		return v, &SizeError{Offset: off, Limit: n}
	}
	if x, ok := err.(*SyntaxError); ok && x.Offset > off+int64(n) {
		// Malformed past the limit and its byte of lookahead: the bytes
		// were there to see at once. Had they arrived fewer at a time, p
		// would have asked for more with n+1 bytes buffered and the
		// element been refused as too large; it is refused so however
		// the input arrives.
		return v, &SizeError{Offset: off, Limit: n}
	}
	var se *SizeError
	if errors.As(err, &se) && se.Offset == in.msg() && se.Limit == n {
		// Refused by the limit set here, through Input.TooLarge: name
		// the element, not the message.
		err = &SizeError{Offset: off, Limit: n}
	}
	return v, err
}
