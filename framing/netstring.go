package framing

import (
	"errors"
	"math"
	"strconv"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// DefaultMaxNetstring is the longest netstring payload that
// [NetstringOptions] allow when they name no maximum: 1 MiB.
const DefaultMaxNetstring = 1 << 20

// NetstringOptions configure [Netstring]. The zero value allows payloads
// of up to [DefaultMaxNetstring] bytes.
type NetstringOptions struct {
	// MaxLength is the longest payload: 0 means DefaultMaxNetstring,
	// a negative value no maximum but the reader's maximum message size.
	MaxLength int
}

// Netstring returns the grammar of one netstring, "<length>:<payload>,"
// with the length in decimal: the payload, a view of the input. A length
// over the maximum is a [*TooLongError] at the netstring's first byte as
// soon as its digits are read, and one that cannot fit the reader's
// maximum message size a *parse.SizeError, both before any byte of the
// payload is buffered. A length with a leading zero ("01:a,"), without
// digits, or a payload not followed by ',' is a *parse.SyntaxError;
// input that ends inside a netstring is a truncation.
func Netstring(o NetstringOptions) parse.TryParse[seq.Sequence] {
	return netstrings.Get(o, netstring)
}

// netstring declares the parser that Netstring returns.
func netstring(o NetstringOptions) parse.TryParse[seq.Sequence] {
	max := o.MaxLength
	switch {
	case max == 0:
		max = DefaultMaxNetstring
	case max < 0:
		max = math.MaxInt
	}
	// A netstring's length has no leading zero: "0" alone, or a digit 1-9
	// then any digits. Dispatch on the first digit says which.
	positive := c.Decimal[uint64](0, math.MaxUint64, 0)
	cases := map[byte]parse.TryParse[uint64]{'0': c.Map(c.Byte('0'), func(byte) uint64 { return 0 })}
	for d := byte('1'); d <= '9'; d++ {
		cases[d] = positive
	}
	// Any other byte: Satisfy of nothing, for the error's words only.
	none := c.Map(c.Label("netstring length", c.Satisfy("digit", func(byte) bool { return false })), func(byte) uint64 { return 0 })
	length := c.MapErr(c.Dispatch(cases, none), func(n uint64) (uint64, error) {
		if n > uint64(max) {
			return 0, errNetstringMax
		}
		return n, nil
	})
	head := c.Before(length, c.Label("':' after the length", c.Byte(':')))
	p := c.Before(c.LengthPrefixedBytes(head), c.Label("',' after the payload", c.Byte(',')))
	return func(in *parse.Input) (seq.Sequence, error) {
		off := in.Offset()
		v, err := p(in)
		if err != nil && errors.Is(err, errNetstringMax) {
			return v, &TooLongError{Offset: off, Max: max}
		}
		return v, err
	}
}

// errNetstringMax is the refusal of a declared length over the maximum,
// made a *TooLongError at the netstring's start.
var errNetstringMax = errors.New("framing: netstring length over the maximum")

// AppendNetstring appends payload to dst as a netstring.
func AppendNetstring(dst, payload []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(append(dst, ':'), payload...)
	return append(dst, ',')
}

// WriteNetstring writes payload into w's memory as a netstring, as
// AppendNetstring appends it, without flushing.
func WriteNetstring(w pipe.Writer, payload []byte) {
	var head [24]byte
	put(w, append(strconv.AppendInt(head[:0], int64(len(payload)), 10), ':'), payload, comma)
}

var comma = []byte{','}
