package grammars

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// LenField describes frames with a length field, as Netty's
// LengthFieldBasedFrameDecoder does: Offset bytes of header, then a
// Length-byte unsigned length field, then the rest of the frame. The whole
// frame is Offset + Length + value + Adjustment bytes long, where value is
// the field's value; the parsers return the frame without its first Strip
// bytes.
//
// The fields are Netty's lengthFieldOffset, lengthFieldLength,
// lengthAdjustment, initialBytesToStrip and maxFrameLength. Its documented
// examples read:
//
//	2-byte length, header kept:                 LenField{Length: 2}
//	2-byte length, header stripped:             LenField{Length: 2, Strip: 2}
//	the length counts the whole frame:          LenField{Length: 2, Adjustment: -2}
//	a 2-byte header before the length field:    LenField{Offset: 2, Length: 4}
//	a 2-byte header after the length field:     LenField{Length: 4, Adjustment: 2}
//	a 1-byte header before, another after,
//	first header and length stripped:           LenField{Offset: 1, Length: 2, Adjustment: 1, Strip: 3}
//	the same, the length counting the frame:    LenField{Offset: 1, Length: 2, Adjustment: -3, Strip: 3}
//
// (Netty's 3-byte length fields are not supported: Length is 1, 2, 4 or 8.)
//
// A frame is a syntax error if its length field does not fit in an int64
// or its adjusted length ends before the length field or before the Strip
// bytes, and a [*parse.SizeError] (matching parse.ErrTooLarge) if it is
// longer than Max or than the reader's maximum message size, reported
// from the length field before the body is waited for.
type LenField struct {
	// Offset is the number of header bytes before the length field.
	Offset int
	// Length is the size of the length field: 1, 2, 4 or 8 bytes.
	Length int
	// Adjustment is added to the field's value to get the number of bytes
	// that follow the length field (negative when the field counts the
	// header too).
	Adjustment int
	// Strip is the number of bytes removed from the start of each frame
	// (Offset+Length strips the whole header).
	Strip int
	// Max bounds the whole frame (before stripping). Zero means the
	// reader's maximum message size, which bounds it in any case.
	Max int
	// LittleEndian selects the field's byte order; the default is big
	// endian, as in Netty.
	LittleEndian bool
}

// Validate reports whether c is a usable configuration.
func (c LenField) Validate() error {
	switch {
	case c.Length != 1 && c.Length != 2 && c.Length != 4 && c.Length != 8:
		return fmt.Errorf("grammars: LenField.Length is %d, want 1, 2, 4 or 8", c.Length)
	case c.Offset < 0 || c.Strip < 0 || c.Max < 0:
		return errors.New("grammars: LenField.Offset, Strip and Max must not be negative")
	case c.Offset > math.MaxInt32 || c.Adjustment > math.MaxInt32 || c.Adjustment < math.MinInt32:
		return errors.New("grammars: LenField.Offset or Adjustment out of range")
	}
	return nil
}

func (c LenField) mustValidate() {
	if err := c.Validate(); err != nil {
		panic(err)
	}
}

// Append appends a frame holding body to dst and returns the extended
// slice. body is the frame without its length field: for the simple case
// Offset = 0 it is the payload after the field; otherwise its first Offset
// bytes are the header that precedes the field. Parsing the result returns
// its bytes from Strip on, which is body itself when Offset = 0 and
// Strip = Length. Append panics if the field's value, len(body) - Offset -
// Adjustment, is negative or does not fit in Length bytes, or if c is
// invalid.
func (c LenField) Append(dst, body []byte) []byte {
	c.mustValidate()
	if len(body) < c.Offset {
		panic(fmt.Sprintf("grammars: LenField.Append: body of %d bytes is shorter than the %d-byte header", len(body), c.Offset))
	}
	v := int64(len(body)) - int64(c.Offset) - int64(c.Adjustment)
	if v < 0 || c.Length < 8 && v >= 1<<(8*c.Length) {
		panic(fmt.Sprintf("grammars: LenField.Append: length field value %d does not fit in %d bytes", v, c.Length))
	}
	dst = append(dst, body[:c.Offset]...)
	var field [8]byte
	if c.LittleEndian {
		binary.LittleEndian.PutUint64(field[:], uint64(v))
		dst = append(dst, field[:c.Length]...)
	} else {
		binary.BigEndian.PutUint64(field[:], uint64(v))
		dst = append(dst, field[8-c.Length:]...)
	}
	return append(dst, body[c.Offset:]...)
}

var (
	errLenOverflow  = errors.New("length field value overflows int64")
	errLenBeforeEnd = errors.New("adjusted frame length ends before the length field")
	errLenStrip     = errors.New("adjusted frame length is shorter than the bytes to strip")
)

// frameLen returns the whole frame's length for the field value v, or
// an error for a value that cannot give a frame. A length that overflows
// is returned as math.MaxInt64 (which no limit allows).
func (c LenField) frameLen(v uint64) (int64, error) {
	if v > math.MaxInt64 {
		return 0, errLenOverflow
	}
	end := int64(c.Offset + c.Length)
	if int64(v) > math.MaxInt64-end-int64(max(c.Adjustment, 0)) {
		return math.MaxInt64, nil
	}
	n := int64(v) + end + int64(c.Adjustment)
	switch {
	case n < end:
		return 0, errLenBeforeEnd
	case n < int64(c.Strip):
		return 0, errLenStrip
	}
	return n, nil
}

// max returns the bound in force on a frame.
func (c LenField) max(limit int) int {
	if c.Max > 0 && c.Max < limit {
		return c.Max
	}
	return limit
}

// tooLarge returns the error for a frame starting at offset.
func (c LenField) tooLarge(in *parse.Input, offset int64) error {
	return &parse.SizeError{Offset: offset, Limit: c.max(in.Limit())}
}

// Hand is the frame grammar written by hand, without combinators. It
// accepts and rejects exactly what [LenField.Combinators] does, with the
// same errors at the same offsets. It panics if c is invalid.
func (c LenField) Hand(in *parse.Input) (seq.Sequence, error) {
	end := c.Offset + c.Length
	if in.Remaining() < end {
		return seq.Sequence{}, in.NeedMore(end - in.Remaining())
	}
	start := in.Offset()
	rest := in.Rest()
	in.Advance(c.Offset)
	var v uint64
	switch {
	case c.Length == 1:
		b, _ := in.ReadByte()
		v = uint64(b)
	case c.Length == 2 && c.LittleEndian:
		x, _ := in.ReadUint16LE()
		v = uint64(x)
	case c.Length == 2:
		x, _ := in.ReadUint16BE()
		v = uint64(x)
	case c.Length == 4 && c.LittleEndian:
		x, _ := in.ReadUint32LE()
		v = uint64(x)
	case c.Length == 4:
		x, _ := in.ReadUint32BE()
		v = uint64(x)
	case c.Length == 8 && c.LittleEndian:
		v, _ = in.ReadUint64LE()
	case c.Length == 8:
		v, _ = in.ReadUint64BE()
	default:
		c.mustValidate()
	}
	n, err := c.frameLen(v)
	if err != nil {
		in.Rewind(c.Length)
		return seq.Sequence{}, mapErrAt(in, err)
	}
	if n > int64(c.max(in.Limit())) {
		return seq.Sequence{}, c.tooLarge(in, start)
	}
	if rest.Len() < int(n) {
		return seq.Sequence{}, in.NeedMore(int(n) - end)
	}
	in.Advance(int(n) - end)
	return rest.Slice(c.Strip, int(n)), nil
}

// Combinators returns the frame grammar declared with package
// combinators: the length field is peeked at (after Offset header bytes)
// and validated, the frame it declares is bounded by Max ([cb.Capped]),
// then LengthPrefixed reads the whole frame, header included, and the
// first Strip bytes are dropped. The field is read once per frame. It
// panics if c is invalid.
func (c LenField) Combinators() parse.TryParse[seq.Sequence] {
	c.mustValidate()
	var field parse.TryParse[uint64]
	switch {
	case c.Length == 1:
		field = cb.Map(cb.Uint8(), func(v uint8) uint64 { return uint64(v) })
	case c.Length == 2 && c.LittleEndian:
		field = cb.Map(cb.Uint16LE(), func(v uint16) uint64 { return uint64(v) })
	case c.Length == 2:
		field = cb.Map(cb.Uint16BE(), func(v uint16) uint64 { return uint64(v) })
	case c.Length == 4 && c.LittleEndian:
		field = cb.Map(cb.Uint32LE(), func(v uint32) uint64 { return uint64(v) })
	case c.Length == 4:
		field = cb.Map(cb.Uint32BE(), func(v uint32) uint64 { return uint64(v) })
	case c.Length == 8 && c.LittleEndian:
		field = cb.Uint64LE()
	default:
		field = cb.Uint64BE()
	}
	length := cb.MapErr(field, func(v uint64) (uint64, error) {
		n, err := c.frameLen(v)
		return uint64(n), err
	})
	if c.Offset > 0 {
		length = cb.Then(cb.Take(c.Offset), length)
	}
	length = cb.Peek(length) // the whole frame's length
	if c.Max > 0 {
		length = cb.Capped(c.Max, length)
	}
	return cb.LengthPrefixed(length, cb.Map(cb.Rest(), func(s seq.Sequence) seq.Sequence { return s.From(c.Strip) }))
}
