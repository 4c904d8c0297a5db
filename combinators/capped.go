package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// Capped reads a declared length with length and bounds the frame it
// declares by max: the bytes length consumed from where Capped started,
// plus the length it read, must not exceed max. A longer frame is a
// [*parse.SizeError] (matching parse.ErrTooLarge) at the offset of the
// message, whose Limit is max or the maximum message size if that is
// smaller, returned as soon as the length is read: no byte after it is
// looked at or waited for, so a peer cannot make a reader buffer a frame
// it declared too long ("fail fast"). The maximum message size still
// bounds the frame too, where the length is used ([LengthPrefixed],
// [Sized]). Failures of length pass through unchanged, before the bound
// is checked.
//
// The frame starts where Capped starts: Capped(max, Then(Take(2),
// Uint16BE())) bounds the 2 header bytes, the 2 of the length and the
// body; Capped(max, Peek(length)) bounds a length that counts the whole
// frame, itself included. Capped of a fixed-width field (see [Describe])
// reads the field once: LengthPrefixed(Capped(max, field), body) decodes
// the length, checks both bounds and views the body in one step when it
// is buffered. Capped panics if max is negative.
//
//go:noinline
func Capped[L uint8 | uint16 | uint32 | uint64](max int, length parse.TryParse[L]) parse.TryParse[L] {
	if max < 0 {
		panic("combinators: Capped with a negative maximum " + strconv.Itoa(max))
	}
	p := capped(max, length)
	n := mk("Capped", kid(length)).with(strconv.Itoa(max))
	f, consumes := lookOf(length)
	if f == nil {
		f, consumes = fieldLike(length), true // a bare fixed-width integer
	}
	if f != nil && fusion() {
		rem := max
		if consumes {
			rem -= f.size()
		}
		if rem >= 0 {
			c := &cappedField[L]{raw: f, consumes: consumes, rem: uint64(rem)}
			c.checked = checkedField(f, c.rem)
			n.cap, n.fused = c, true
			if consumes {
				p = readField(c.checked, p)
			} else {
				p = peekField(c.checked, p)
			}
		}
	}
	return record(p, n)
}

//go:noinline
func capped[L uint8 | uint16 | uint32 | uint64](max int, length parse.TryParse[L]) parse.TryParse[L] {
	return func(in *parse.Input) (L, error) {
		start := in.Consumed()
		l, err := length(in)
		if err != nil {
			return l, in.Furthest(err)
		}
		if used := in.Consumed() - start; used > max || uint64(l) > uint64(max-used) {
			var zero L
			return zero, in.Furthest(overMax(in, max))
		}
		return l, nil
	}
}

// overMax is the size error of a frame longer than max.
func overMax(in *parse.Input, max int) error {
	err := in.TooLarge()
	if se, ok := err.(*parse.SizeError); ok && max < se.Limit {
		se.Limit = max
	}
	return err
}

// cappedField is the capability of Capped of a field: the field as read
// (raw), whether Capped consumes it, the largest length the bound allows
// (rem: max less the field's bytes when they are consumed), and the field
// that rejects a longer length (checked), which is what Capped reads on its
// fast path and what a parser built on Capped sees as its field.
type cappedField[L uint8 | uint16 | uint32 | uint64] struct {
	raw, checked *field[L]
	consumes     bool
	rem          uint64
}

// checkedField is f rejecting a value over rem, for the generic
// composition to report.
func checkedField[L uint8 | uint16 | uint32 | uint64](f *field[L], rem uint64) *field[L] {
	get := f.get
	return &field[L]{skip: f.skip, width: f.width, get: func(b []byte) (L, bool) {
		v, ok := get(b)
		return v, ok && uint64(v) <= rem
	}}
}

// look is the field Capped reads or peeks at, with its bound, and whether
// it consumes it: what [lookOf] gives a parser built on Capped.
func (c *cappedField[L]) look() (*field[L], bool) { return c.checked, c.consumes }
