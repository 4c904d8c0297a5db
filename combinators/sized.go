package combinators

import (
	"strconv"
	"unsafe"

	"github.com/sluicego/sluice/parse"
)

// Sized parses head, then a body whose length the head declared somewhere
// inside it (a content-length header, a field of a fixed header read
// before others): size returns the length from head's value. With n >= 0,
// body runs on exactly the next n bytes, as in [LengthPrefixed]: a length
// over what is left of the maximum message size is a [*parse.SizeError]
// before any byte of the body is waited for, fewer than n bytes buffered
// ask for n (a truncation on final input), and body must read all n. With
// n < 0 the head declared no length and unsized parses the body (nil:
// there is none, and combine gets body's zero value). combine makes the
// value from the head and the body.
//
// Sized declares what [Bind] would otherwise build per message ("read the
// head, then take the length it says"): nothing is built while parsing.
//
//go:noinline
func Sized[H, B, T any](head parse.TryParse[H], size func(H) int, body, unsized parse.TryParse[B], combine func(H, B) T) parse.TryParse[T] {
	kids := []unsafe.Pointer{kid(head), kid(body)}
	if unsized != nil {
		kids = append(kids, kid(unsized))
	}
	return record(func(in *parse.Input) (T, error) {
		var zero T
		h, err := head(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		var b B
		n := size(h)
		if n < 0 {
			if unsized != nil {
				if b, err = unsized(in); err != nil {
					return zero, in.Furthest(err)
				}
			}
			return combine(h, b), nil
		}
		at := in.Consumed()
		if at > in.Limit() || n > in.Limit()-at {
			return zero, in.TooLarge()
		}
		if in.Remaining() < n {
			return zero, in.NeedMore(n)
		}
		if b, err = parse.Bounded(in, n, body); err != nil {
			return zero, in.Furthest(err)
		}
		if used := in.Consumed() - at; used != n {
			return zero, in.Furthest(expected(in, "sized body used "+strconv.Itoa(used)+" of its "+strconv.Itoa(n)+" bytes"))
		}
		return combine(h, b), nil
	}, mk("Sized", kids...).calls(size, combine))
}
