package combinators

import (
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Recognized is the value of a parser and the bytes it consumed to make
// it: a view of the input with the lifetime of the message.
type Recognized[T any] struct {
	Value T
	Bytes seq.Sequence
}

// Recognize runs p and returns its value with a view of the bytes it
// consumed, for a grammar that checks a section element by element but
// hands the section on whole (an HTTP header block, read again on demand
// instead of copied into a slice). Its streaming behaviour and errors are
// p's; it adds no allocation.
func Recognize[T any](p parse.TryParse[T]) parse.TryParse[Recognized[T]] {
	s, ps := scanOf(p), p
	if s != nil {
		ps = slowOf(p) // behind the scan of the same bytes
	}
	var q parse.TryParse[Recognized[T]] = func(in *parse.Input) (Recognized[T], error) {
		// Positions, not offsets: the view is made without walking the
		// segments from the buffer's start.
		start := in.Position()
		v, err := ps(in)
		if err != nil {
			return Recognized[T]{}, err
		}
		return Recognized[T]{Value: v, Bytes: seq.Between(start, in.Position())}, nil
	}
	n := mk("Recognize", kid(p))
	if s != nil {
		q = withScan(q, n, recognizeScan(s))
	}
	return record(q, n)
}
