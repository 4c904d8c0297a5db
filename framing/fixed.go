package framing

import (
	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Fixed returns the grammar of frames of exactly size bytes: each message
// is a view of the next size bytes, waited for in one piece. A size over
// the reader's maximum message size is a *parse.SizeError at the first
// frame. Input that ends inside a frame is a truncation. It panics if size
// is not positive.
func Fixed(size int) parse.TryParse[seq.Sequence] {
	return fixedParsers.Get(size, fixed)
}

// fixed declares the parser that Fixed returns.
func fixed(size int) parse.TryParse[seq.Sequence] {
	if size <= 0 {
		panic("framing: Fixed with a size that is not positive")
	}
	return c.Take(size)
}

// AppendFixed appends frame to dst; it returns [ErrInvalid] (and dst
// unchanged) unless frame has exactly size bytes.
func AppendFixed(dst, frame []byte, size int) ([]byte, error) {
	if len(frame) != size {
		return dst, ErrInvalid
	}
	return append(dst, frame...), nil
}

// WriteFixed writes frame into w's memory, as AppendFixed appends it,
// without flushing.
func WriteFixed(w pipe.Writer, frame []byte, size int) error {
	if len(frame) != size {
		return ErrInvalid
	}
	put(w, frame)
	return nil
}
