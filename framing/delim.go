package framing

import (
	"bytes"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// DelimOptions configure [Delimited]. Delims must name at least one
// delimiter; the zero MaxLength means [DefaultMaxLine].
type DelimOptions struct {
	// Delims are the byte strings that end a frame. A frame ends at the
	// earliest of them; of those that start at the same byte, the longest
	// wins ("\r\n" over "\r"), whatever their order here.
	Delims []string
	// MaxLength is the longest frame, without its delimiter: 0 means
	// DefaultMaxLine, a negative value no maximum but the reader's maximum
	// message size.
	MaxLength int
}

// Delimited returns the grammar of one frame ended by one of o.Delims: the
// frame's bytes without the delimiter, which it reads too. The rule for
// several delimiters is combinators.TakeUntilAny's: the earliest, then the
// longest; so on non-final input a frame whose end might be a longer
// delimiter waits for the byte that decides. A frame longer than the
// maximum is a [*TooLongError] at its first byte as soon as no delimiter
// has come within the maximum and the longest delimiter's length. It
// panics without delimiters or with an empty one.
func Delimited(o DelimOptions) parse.TryParse[seq.Sequence] {
	term, longest := delimTerm(o.Delims)
	max := o.MaxLength
	switch {
	case max == 0:
		max = DefaultMaxLine
	case max < 0:
		return term
	}
	return bounded(c.Limit(max+longest, term), max+longest, max)
}

func delimTerm(ds []string) (parse.TryParse[seq.Sequence], int) {
	if len(ds) == 1 {
		if ds[0] == "" {
			panic("framing: an empty delimiter")
		}
		return c.TakeUntil(ds[0]), len(ds[0])
	}
	longest := 0
	for _, d := range ds {
		longest = max(longest, len(d))
	}
	return c.TakeUntilAny(ds...), longest // panics as documented
}

// AppendDelimited appends frame and the first of o.Delims to dst. It
// returns [ErrInvalid] (and dst unchanged) if the result would not read back
// as frame: frame holds one of the delimiters, or its last bytes and the
// delimiter make an earlier or a longer one ("a\r" then "\n", with "\r" and
// "\r\n" both delimiters).
func AppendDelimited(dst, frame []byte, o DelimOptions) ([]byte, error) {
	if err := checkDelimited(frame, o.Delims); err != nil {
		return dst, err
	}
	return append(append(dst, frame...), o.Delims[0]...), nil
}

// WriteDelimited writes frame and the first of o.Delims into w's memory,
// as AppendDelimited appends them, without flushing.
func WriteDelimited(w pipe.Writer, frame []byte, o DelimOptions) error {
	if err := checkDelimited(frame, o.Delims); err != nil {
		return err
	}
	put(w, frame, []byte(o.Delims[0]))
	return nil
}

// checkDelimited reports whether frame followed by ds[0] would be read as
// frame: the first delimiter found by the reader's rule must start right
// after it and be exactly as long as ds[0].
func checkDelimited(frame []byte, ds []string) error {
	if len(ds) == 0 || ds[0] == "" {
		return ErrInvalid
	}
	at, n := -1, 0
	for _, d := range ds {
		if d == "" {
			return ErrInvalid
		}
		// Only the bytes around the frame's end can hold a delimiter
		// the frame's own bytes do not; search the whole for simplicity.
		i := bytes.Index(append(frame[:len(frame):len(frame)], ds[0]...), []byte(d))
		if i >= 0 && (at < 0 || i < at || i == at && len(d) > n) {
			at, n = i, len(d)
		}
	}
	if at != len(frame) || n != len(ds[0]) {
		return ErrInvalid
	}
	return nil
}
