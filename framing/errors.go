package framing

import (
	"errors"
	"strconv"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

var (
	// ErrTooLong is matched by a [*TooLongError].
	ErrTooLong = errors.New("framing: frame too long")
	// ErrInvalid is returned by an encoder given a frame that would not
	// read back as itself (a line holding its own line end, a delimited
	// frame holding a delimiter, a fixed frame of the wrong size).
	ErrInvalid = errors.New("framing: frame cannot be encoded")
)

// TooLongError reports a frame longer than its framing's maximum: a line
// or delimited frame (its bytes without the terminator) or a netstring's
// declared length.
type TooLongError struct {
	// Offset is the stream offset of the frame's first byte.
	Offset int64
	// Max is the maximum that was passed.
	Max int
}

// Error describes the frame.
func (e *TooLongError) Error() string {
	return "framing: frame at offset " + strconv.FormatInt(e.Offset, 10) + " longer than the maximum " + strconv.Itoa(e.Max)
}

// Is reports whether target is ErrTooLong or parse.ErrTooLarge: a frame
// over its framing's maximum is a message too large for it.
func (e *TooLongError) Is(target error) bool {
	return target == ErrTooLong || target == parse.ErrTooLarge
}

// bounded wraps p, a terminated frame read within combinators.Limit(n, ...),
// so that the limit's refusal, and a frame longer than max that fits n with
// its terminator, are a *TooLongError at the frame's first byte.
func bounded(p parse.TryParse[seq.Sequence], n, max int) parse.TryParse[seq.Sequence] {
	return func(in *parse.Input) (seq.Sequence, error) {
		off := in.Offset()
		v, err := p(in)
		if err == nil {
			if v.Len() > max {
				return v, &TooLongError{Offset: off, Max: max}
			}
			return v, nil
		}
		// Limit returns its refusal as it is: a type assertion, not
		// errors.As, which would cost an allocation per need for more input.
		if se, ok := err.(*parse.SizeError); ok && se.Offset == off && se.Limit == n {
			return v, &TooLongError{Offset: off, Max: max}
		}
		return v, err
	}
}
