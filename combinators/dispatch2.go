package combinators

import (
	"slices"

	"github.com/sluicego/sluice/parse"
)

// Two-byte dispatch. A Dispatch whose case for a byte b is Then(Byte(b),
// Dispatch) (RESP's '$' and then '-', '?' or a digit; '*' and then '-',
// '?' or a count) chooses by the byte after b too: the inner Dispatch's
// cases are looked up with the second byte in the span, and the case that
// the generic composition would reach runs, with no call for the outer
// case and none for the inner Dispatch. Anything else (a short span, a
// second byte with no case) runs the case as it is, which matches or
// fails as the generic composition does.

// litCase is the capability of a fused Then(literal, Dispatch): the
// literal, and the Dispatch's cases.
type litCase[T any] struct {
	lit string
	d   *dispatched[T]
}

// subTables returns, for each byte whose case in table is a fused
// Then(that byte, Dispatch), the inner Dispatch's destination forms; ok is
// false when no byte has one.
func subTables[T any](table *[256]parse.TryParse[T]) (sub *[256]*[256]into[T], ok bool) {
	sub = new([256]*[256]into[T])
	for b, c := range byRun(table, capOf[T]) {
		if lc, isLit := c.(*litCase[T]); isLit && len(lc.lit) == 1 && lc.lit[0] == byte(b) {
			sub[b], ok = lc.d.itable, true
		}
	}
	return sub, ok
}

// dispatch2Into is dispatchInto with the cases that subTables found
// chosen by two bytes: the first byte's case is Then(Byte(b), Dispatch),
// whose own destination form (table[b]) would look at the same two bytes.
//
//go:noinline
func dispatch2Into[T any](table *[256]into[T], sub *[256]*[256]into[T], msg string, exps []string) into[T] {
	return func(in *parse.Input, dst *T) error {
		span := in.Span()
		if len(span) >= 2 {
			if s := sub[span[0]]; s != nil {
				if f := s[span[1]]; f != nil {
					in.Advance(1)
					if err := f(in, dst); err != nil {
						return in.Furthest(in.Furthest(err))
					}
					return nil
				}
			}
		}
		b, ok := in.Peek()
		if !ok {
			return in.NeedMore(1)
		}
		p := table[b]
		if p == nil {
			return &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Expected: slices.Clone(exps)}
		}
		if err := p(in, dst); err != nil {
			return in.Furthest(err)
		}
		return nil
	}
}
