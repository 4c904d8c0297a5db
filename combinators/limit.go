package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// Limit gives p a size limit of its own, n bytes from where it starts,
// within the message's ([parse.Limited]): an element that would pass it is
// refused with a [*parse.SizeError] whose Offset is the element's first
// byte and whose Limit is n, as soon as that is known: a delimiter search
// stops at the limit, a declared length over it is refused before its
// bytes are waited for, and an element that still asks for more input
// with more than n bytes buffered is refused then (a malformed byte past
// the limit and its lookahead byte too, so the error is the same in every
// chunking). So a peer cannot make
// the reader buffer more than n bytes for the element. It bounds one part
// of a message, where the reader's maximum message size bounds the whole:
//
//	line := Limit(8<<10, Line())                       // a line of at most 8 KiB and its end
//	head := Limit(64<<10, ManyTill(header, crlf, 0, 100)) // a header block of at most 64 KiB
//
// Unlike [Bounded], which shows p at most n bytes as if they were all the
// input (a syntax error when p needs more), Limit refuses an element too
// large for its limit as too large. Limit panics if n is negative.
func Limit[T any](n int, p parse.TryParse[T]) parse.TryParse[T] {
	if n < 0 {
		panic("combinators: Limit with a negative limit " + strconv.Itoa(n))
	}
	nd := mk("Limit", kid(p)).with(strconv.Itoa(n)).capable(n)
	q := func(in *parse.Input) (T, error) {
		return parse.Limited(in, n, p)
	}
	if s := scanOf(p); s != nil {
		ps := slowOf(p)
		q = func(in *parse.Input) (T, error) {
			return parse.Limited(in, n, ps)
		}
		q = withScan(q, nd, limitScan(s, n))
	}
	return record(q, nd)
}
