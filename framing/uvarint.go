package framing

import (
	"encoding/binary"
	"errors"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// DefaultMaxUvarintMessage is the longest message, without its length,
// that [UvarintOptions] allow when they name no maximum: 4 MiB, the
// default of google.golang.org/protobuf/encoding/protodelim.
const DefaultMaxUvarintMessage = 4 << 20

// ErrNonMinimal is matched by the syntax error of a uvarint length that is
// not in its shortest encoding, which [UvarintOptions] refuse with Minimal.
var ErrNonMinimal = errors.New("framing: uvarint not in its shortest encoding")

// UvarintOptions configure [UvarintDelimited]. The zero value allows
// messages of up to [DefaultMaxUvarintMessage] bytes and accepts any
// uvarint encoding of the length, as protodelim does.
type UvarintOptions struct {
	// MaxMessage is the longest message, without its length: 0 means
	// DefaultMaxUvarintMessage, a negative value no maximum but the
	// reader's maximum message size, which bounds the message and its
	// length in any case.
	MaxMessage int
	// Minimal refuses a length that is not in its shortest encoding (a
	// byte 0x80 followed by 0x00 for a length of 0).
	Minimal bool
}

// UvarintDelimited returns the grammar of one message of protobuf's
// delimited format, as google.golang.org/protobuf/encoding/protodelim
// reads and writes it: an unsigned varint length (encoding/binary's
// encoding, at most 10 bytes), then that many bytes. The message is a view
// of the input.
//
// A length over the maximum is a [*TooLongError] at the message's first
// byte (its length) as soon as the length is read, and one whose message
// and length cannot fit the reader's maximum message size a
// *parse.SizeError, both before any byte of the message is buffered. A
// length longer than 10 bytes, or one that overflows 64 bits, is a
// *parse.SyntaxError wrapping seq.ErrOverflow. Input that ends inside a
// length or a message is a truncation (io.ErrUnexpectedEOF).
//
// A non-minimal length (0x80 0x00 for 0) is accepted unless o.Minimal, as
// encoding/binary.Uvarint and protobuf's decoders accept it: the encoding
// is unambiguous and bounded at 10 bytes, so accepting it costs no memory
// or time, and protobuf's wire format does not require minimal varints.
// With o.Minimal it is a syntax error matching [ErrNonMinimal], for
// protocols that need one encoding per length (a signature over the bytes).
func UvarintDelimited(o UvarintOptions) parse.TryParse[seq.Sequence] {
	return uvarintParsers.Get(o, uvarintDelimited)
}

// uvarintDelimited declares the parser that UvarintDelimited returns.
func uvarintDelimited(o UvarintOptions) parse.TryParse[seq.Sequence] {
	max := o.MaxMessage
	switch {
	case max == 0:
		max = DefaultMaxUvarintMessage
	case max < 0:
		max = math.MaxInt
	}
	var length parse.TryParse[uint64]
	if o.Minimal {
		length = c.MapErr(c.Recognize(c.Uvarint()), func(r c.Recognized[uint64]) (uint64, error) {
			if r.Bytes.Len() != uvarintLen(r.Value) {
				return 0, ErrNonMinimal
			}
			return r.Value, nil
		})
	} else {
		length = c.Uvarint()
	}
	if max != math.MaxInt {
		length = c.MapErr(length, func(n uint64) (uint64, error) {
			if n > uint64(max) {
				return 0, errUvarintMax
			}
			return n, nil
		})
	}
	p := c.LengthPrefixedBytes(length)
	// A length over the maximum is a *TooLongError at the message's start;
	// final input that ends inside the length is a truncation, as it is
	// anywhere else in a message, rather than combinators.Uvarint's syntax
	// error.
	return func(in *parse.Input) (seq.Sequence, error) {
		off := in.Offset()
		v, err := p(in)
		if se, ok := err.(*parse.SyntaxError); ok {
			switch {
			case se.Err == errUvarintMax:
				return v, &TooLongError{Offset: off, Max: max}
			case se.Err == seq.ErrShort && in.Final():
				return v, in.NeedMore(0)
			}
		}
		return v, err
	}
}

// errUvarintMax is the refusal of a declared length over the maximum,
// made a *TooLongError at the message's start.
var errUvarintMax = errors.New("framing: uvarint length over the maximum")

// AppendUvarintDelimited appends msg to dst with its length as an unsigned
// varint before it, as protodelim.MarshalTo writes a message.
func AppendUvarintDelimited(dst, msg []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(msg))), msg...)
}

// WriteUvarintDelimited writes msg with its length into w's memory, as
// AppendUvarintDelimited appends them, without flushing.
func WriteUvarintDelimited(w pipe.Writer, msg []byte) {
	var head [binary.MaxVarintLen64]byte
	put(w, binary.AppendUvarint(head[:0], uint64(len(msg))), msg)
}
