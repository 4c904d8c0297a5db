package grammars

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// LenFieldHand returns the length-field frame grammar of [framing.LengthField]
// written by hand, without combinators: the reference the declared grammar
// is tested and benchmarked against. It accepts and rejects exactly what
// framing.LengthField(o) does, with the same errors at the same offsets.
// It panics if o is not valid.
func LenFieldHand(o framing.LengthFieldOptions) parse.TryParse[seq.Sequence] {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	h := lenHand{o: o}
	if h.o.Size == 0 {
		h.o.Size = 4
	}
	switch {
	case o.MaxFrame == 0:
		h.max = framing.DefaultMaxFrame
	case o.MaxFrame < 0:
		h.max = math.MaxInt
	default:
		h.max = o.MaxFrame
	}
	return h.parse
}

type lenHand struct {
	o   framing.LengthFieldOptions
	max int
}

var (
	errLenOverflow  = fmt.Errorf("%w: value overflows int64", framing.ErrBadLength)
	errLenBeforeEnd = fmt.Errorf("%w: adjusted frame length ends before the length field", framing.ErrBadLength)
	errLenStrip     = fmt.Errorf("%w: adjusted frame length is shorter than the bytes to strip", framing.ErrBadLength)
)

// frameLen returns the whole frame's length for a field of fieldLen bytes
// holding v (math.MaxInt64 for one too long for an int64), or an error.
func (h *lenHand) frameLen(v uint64, fieldLen int) (int64, error) {
	if v > math.MaxInt64 {
		return 0, errLenOverflow
	}
	end := int64(h.o.Offset + fieldLen)
	if int64(v) > math.MaxInt64-end-int64(max(h.o.Adjustment, 0)) {
		return math.MaxInt64, nil
	}
	n := int64(v) + end + int64(h.o.Adjustment)
	switch {
	case n < end:
		return 0, errLenBeforeEnd
	case n < int64(h.o.Strip):
		return 0, errLenStrip
	}
	return n, nil
}

// field reads the length field at the cursor: its value and size, or
// false if more input is needed (err nil) or it is malformed (err set).
func (h *lenHand) field(in *parse.Input) (v uint64, size int, err error) {
	le := h.o.LittleEndian
	switch h.o.Size {
	case 1:
		b, _ := in.ReadByte()
		return uint64(b), 1, nil
	case 2:
		var x uint16
		if le {
			x, _ = in.ReadUint16LE()
		} else {
			x, _ = in.ReadUint16BE()
		}
		return uint64(x), 2, nil
	case 3:
		var b [3]byte
		s, _ := in.ReadN(3)
		s.CopyTo(b[:])
		if le {
			return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16, 3, nil
		}
		return uint64(b[2]) | uint64(b[1])<<8 | uint64(b[0])<<16, 3, nil
	case 4:
		var x uint32
		if le {
			x, _ = in.ReadUint32LE()
		} else {
			x, _ = in.ReadUint32BE()
		}
		return uint64(x), 4, nil
	case 8:
		if le {
			v, _ = in.ReadUint64LE()
		} else {
			v, _ = in.ReadUint64BE()
		}
		return v, 8, nil
	}
	var buf [binary.MaxVarintLen64 + 1]byte
	k := in.Rest().CopyTo(buf[:])
	v, n := binary.Uvarint(buf[:k])
	switch {
	case n > 0:
		in.Advance(n)
		return v, n, nil
	case n < 0:
		return 0, 0, &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid varint", Err: seq.ErrOverflow}
	}
	return 0, 0, in.NeedMore(in.Remaining() + 1) // a truncation on final input
}

func (h *lenHand) parse(in *parse.Input) (seq.Sequence, error) {
	o := h.o
	fixed := o.Size
	if fixed < 0 {
		fixed = 1 // a uvarint has at least one byte
	}
	if in.Remaining() < o.Offset+fixed {
		return seq.Sequence{}, in.NeedMore(o.Offset + fixed)
	}
	rest := in.Rest()
	in.Advance(o.Offset)
	v, size, err := h.field(in)
	if err != nil {
		return seq.Sequence{}, err
	}
	n, err := h.frameLen(v, size)
	if err != nil {
		in.Rewind(size)
		return seq.Sequence{}, mapErrAt(in, err)
	}
	if n > int64(h.max) {
		return seq.Sequence{}, h.tooLarge(in)
	}
	if n > int64(in.Limit()) {
		return seq.Sequence{}, in.TooLarge()
	}
	end := o.Offset + size
	if rest.Len() < int(n) {
		return seq.Sequence{}, in.NeedMore(int(n) - end)
	}
	in.Advance(int(n) - end)
	return rest.Slice(o.Strip, int(n)), nil
}

// tooLarge is the error of a frame over the maximum: a *TooLongError, or
// the reader's *parse.SizeError if its limit is smaller.
func (h *lenHand) tooLarge(in *parse.Input) error {
	err := in.TooLarge()
	if se, ok := err.(*parse.SizeError); ok && h.max <= se.Limit {
		return &framing.TooLongError{Offset: se.Offset, Max: h.max}
	}
	return err
}
