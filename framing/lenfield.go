package framing

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// DefaultMaxFrame is the longest whole frame, header included, that
// [LengthFieldOptions] allow when they name no maximum: 1 MiB.
const DefaultMaxFrame = 1 << 20

// SizeUvarint is the [LengthFieldOptions.Size] of a length field written
// as an unsigned varint (encoding/binary.AppendUvarint) instead of a
// fixed number of bytes.
const SizeUvarint = -1

// LengthFieldOptions configure [LengthField], with the options of Netty's
// LengthFieldBasedFrameDecoder. A frame is Offset bytes of header, the
// length field, and the rest; the whole frame is
//
//	Offset + (bytes of the length field) + value + Adjustment
//
// bytes long, where value is the length field's value, and a message is
// the frame without its first Strip bytes. The zero value reads a 4-byte
// big-endian length followed by that many bytes, keeps the length field in
// the message and allows frames of up to [DefaultMaxFrame] bytes.
//
// Netty's documented examples read:
//
//	2-byte length, header kept:                 {Size: 2}
//	2-byte length, header stripped:             {Size: 2, Strip: 2}
//	the length counts the whole frame:          {Size: 2, Adjustment: -2}
//	a 2-byte header before a 3-byte length:     {Offset: 2, Size: 3}
//	a 2-byte header after a 3-byte length:      {Size: 3, Adjustment: 2}
//	a 1-byte header before the length, another
//	after, first header and length stripped:    {Offset: 1, Size: 2, Adjustment: 1, Strip: 3}
//	the same, the length counting the frame:    {Offset: 1, Size: 2, Adjustment: -3, Strip: 3}
type LengthFieldOptions struct {
	// Offset is the number of header bytes before the length field
	// (Netty's lengthFieldOffset).
	Offset int
	// Size is the length field's size in bytes: 1, 2, 3, 4 or 8, or
	// SizeUvarint; 0 means 4 (Netty's lengthFieldLength).
	Size int
	// LittleEndian selects the byte order of a fixed-size field; the
	// default is big endian (network order), as in Netty.
	LittleEndian bool
	// Adjustment is added to the field's value to get the number of bytes
	// that follow the length field: negative when the field counts the
	// header too, positive when a header after the field is not counted
	// (Netty's lengthAdjustment).
	Adjustment int
	// Strip is the number of bytes removed from the start of each frame
	// (Netty's initialBytesToStrip): Offset plus the field's size strips
	// the whole header before the payload.
	Strip int
	// MaxFrame bounds the whole frame, header and length field included,
	// before stripping (Netty's maxFrameLength): 0 means DefaultMaxFrame,
	// a negative value no maximum but the reader's maximum message size,
	// which bounds it in any case.
	MaxFrame int
}

// ErrBadLength is matched by the syntax error of a length field that
// declares no valid frame: a value that overflows an int64, or an
// adjusted frame that ends before its length field or before the bytes to
// strip (Netty's CorruptedFrameException).
var ErrBadLength = errors.New("framing: length field declares no valid frame")

var (
	errLenOverflow  = fmt.Errorf("%w: value overflows int64", ErrBadLength)
	errLenBeforeEnd = fmt.Errorf("%w: adjusted frame length ends before the length field", ErrBadLength)
	errLenStrip     = fmt.Errorf("%w: adjusted frame length is shorter than the bytes to strip", ErrBadLength)
)

// normal returns o with its defaults filled in: the field's size and the
// maximum (math.MaxInt for none).
func (o LengthFieldOptions) normal() LengthFieldOptions {
	if o.Size == 0 {
		o.Size = 4
	}
	switch {
	case o.MaxFrame == 0:
		o.MaxFrame = DefaultMaxFrame
	case o.MaxFrame < 0:
		o.MaxFrame = math.MaxInt
	}
	return o
}

// Validate reports whether o is a usable configuration: a known Size, and
// an Offset, Strip and Adjustment that cannot overflow the arithmetic.
func (o LengthFieldOptions) Validate() error {
	switch o.Size {
	case 0, 1, 2, 3, 4, 8, SizeUvarint:
	default:
		return fmt.Errorf("framing: LengthFieldOptions.Size is %d, want 1, 2, 3, 4, 8 or SizeUvarint", o.Size)
	}
	switch {
	case o.Offset < 0 || o.Strip < 0:
		return errors.New("framing: LengthFieldOptions.Offset and Strip must not be negative")
	case o.Offset > math.MaxInt32 || o.Strip > math.MaxInt32 || o.Adjustment > math.MaxInt32 || o.Adjustment < math.MinInt32:
		return errors.New("framing: LengthFieldOptions.Offset, Strip or Adjustment out of range")
	}
	return nil
}

// frameLen returns the whole frame's length for a length field of
// fieldLen bytes holding v, or an error matching [ErrBadLength]. A frame
// too long for an int64 is returned as math.MaxInt64, which no maximum
// allows.
func (o LengthFieldOptions) frameLen(v uint64, fieldLen int) (int64, error) {
	if v > math.MaxInt64 {
		return 0, errLenOverflow
	}
	end := int64(o.Offset + fieldLen)
	if int64(v) > math.MaxInt64-end-int64(max(o.Adjustment, 0)) {
		return math.MaxInt64, nil
	}
	n := int64(v) + end + int64(o.Adjustment)
	switch {
	case n < end:
		return 0, errLenBeforeEnd
	case n < int64(o.Strip):
		return 0, errLenStrip
	}
	return n, nil
}

// LengthField returns the grammar of one frame with a length field, as
// Netty's LengthFieldBasedFrameDecoder reads it: the frame without its
// first Strip bytes, a view of the input.
//
// It fails fast: the declared frame is checked as soon as the length field
// is read, before any byte after it is buffered or waited for. A whole
// frame (header and field included, after the adjustment) longer than
// MaxFrame is a [*TooLongError] at the frame's first byte; one that cannot
// fit the reader's maximum message size a *parse.SizeError; a field that
// declares no valid frame a *parse.SyntaxError matching [ErrBadLength] at
// the length field. A uvarint field longer than 10 bytes, or that
// overflows 64 bits, is a syntax error; non-minimal uvarints are accepted,
// as encoding/binary reads them. Input that ends inside a frame is a
// truncation.
//
// It is declared with combinators: the length field (after Offset bytes)
// is peeked at and turned into the whole frame's length, bounded with
// Capped, and LengthPrefixed views the frame, of which the first Strip
// bytes are dropped; for a fixed-size field the engine reads the field
// once per frame. It panics if o is not valid ([LengthFieldOptions.Validate]).
func LengthField(o LengthFieldOptions) parse.TryParse[seq.Sequence] {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	o = o.normal()
	return lengthFields.Get(o, func(o LengthFieldOptions) parse.TryParse[seq.Sequence] {
		return finish(lengthField(o), o.MaxFrame, o.Size == SizeUvarint)
	})
}

// lengthField is the declared grammar of LengthField, for o normalised.
func lengthField(o LengthFieldOptions) parse.TryParse[seq.Sequence] {
	var length parse.TryParse[uint64]
	switch o.Size {
	case SizeUvarint:
		// The field's own size counts, so its bytes are recognized too.
		length = c.MapErr(c.Recognize(c.Uvarint()), func(r c.Recognized[uint64]) (uint64, error) {
			n, err := o.frameLen(r.Value, r.Bytes.Len())
			return uint64(n), err
		})
	case 3:
		length = c.MapErr(uint24(o.LittleEndian), o.bounds(3).frame)
	case 1:
		length = framed(c.Uint8(), o.bounds(1))
	case 2:
		length = framed(pick(o.LittleEndian, c.Uint16LE(), c.Uint16BE()), o.bounds(2))
	case 4:
		length = framed(pick(o.LittleEndian, c.Uint32LE(), c.Uint32BE()), o.bounds(4))
	default:
		length = framed(pick(o.LittleEndian, c.Uint64LE(), c.Uint64BE()), o.bounds(8))
	}
	if o.Offset > 0 {
		length = c.Then(c.Take(o.Offset), length)
	}
	length = c.Peek(length) // the whole frame's length, read from its start
	if o.MaxFrame != math.MaxInt {
		length = c.Capped(o.MaxFrame, length)
	}
	body := c.Rest()
	if o.Strip > 0 {
		body = c.Map(body, func(s seq.Sequence) seq.Sequence { return s.From(o.Strip) })
	}
	return c.LengthPrefixed(length, body)
}

// pick returns le if little, else be.
func pick[T any](little bool, le, be T) T {
	if little {
		return le
	}
	return be
}

// framed is the whole frame's length read from a fixed-size field: one
// MapErr of the field, so that the fused field decodes and checks it in
// one call.
func framed[T uint8 | uint16 | uint32 | uint64](field parse.TryParse[T], b lenBounds) parse.TryParse[uint64] {
	return c.MapErr(field, func(v T) (uint64, error) { return b.frame(uint64(v)) })
}

// lenBounds is frameLen for a field of a fixed size, with its constants
// worked out once.
type lenBounds struct {
	o        LengthFieldOptions
	size     int
	end, adj int64
	low      int64  // the shortest valid frame: the field's end or Strip
	top      uint64 // the largest value whose frame fits an int64
}

func (o LengthFieldOptions) bounds(size int) lenBounds {
	end := int64(o.Offset + size)
	return lenBounds{o: o, size: size, end: end, adj: int64(o.Adjustment), low: max(end, int64(o.Strip)),
		top: uint64(math.MaxInt64 - end - int64(max(o.Adjustment, 0)))}
}

// frame is o.frameLen(v, size).
func (b lenBounds) frame(v uint64) (uint64, error) {
	if v <= b.top {
		if n := int64(v) + b.end + b.adj; n >= b.low {
			return uint64(n), nil
		}
	}
	return b.slow(v)
}

//go:noinline
func (b lenBounds) slow(v uint64) (uint64, error) {
	n, err := b.o.frameLen(v, b.size)
	return uint64(n), err
}

// uint24 is the parser of a 3-byte unsigned field: a byte and a 2-byte
// field in the byte order's sequence, one run of fixed-width fields.
func uint24(le bool) parse.TryParse[uint64] {
	if le {
		return c.Seq2(c.Uint16LE(), c.Uint8(), func(lo uint16, hi uint8) uint64 { return uint64(hi)<<16 | uint64(lo) })
	}
	return c.Seq2(c.Uint8(), c.Uint16BE(), func(hi uint8, lo uint16) uint64 { return uint64(hi)<<16 | uint64(lo) })
}

// finish wraps p, whose declared lengths are bounded by max with
// combinators.Capped, so that Capped's refusal, a *parse.SizeError at the
// message's offset, is a *TooLongError there (a refusal by a smaller
// maximum message size stays a *parse.SizeError), and, if p reads a
// uvarint, so that final input ending inside the uvarint is a truncation,
// as it is anywhere else in a frame, rather than combinators.Uvarint's
// syntax error.
func finish(p parse.TryParse[seq.Sequence], max int, varint bool) parse.TryParse[seq.Sequence] {
	q := func(in *parse.Input) (seq.Sequence, error) {
		v, err := p(in)
		if err != nil {
			// Type assertions, not errors.As, which would cost an
			// allocation per need for more input.
			switch e := err.(type) {
			case *parse.SizeError:
				if e.Limit == max {
					return v, &TooLongError{Offset: e.Offset, Max: max}
				}
			case *parse.SyntaxError:
				if varint && e.Err == seq.ErrShort && in.Final() {
					return v, in.NeedMore(0)
				}
			}
		}
		return v, err
	}
	// Its messages are p's: so is its batch form, if p has one.
	batch.Alias(batch.Closure(q), batch.Closure(p))
	return q
}

// appendField appends to dst the length field holding v for frames read
// with o (normalised), or returns ErrInvalid if v does not fit.
func (o LengthFieldOptions) appendField(dst []byte, v int64) ([]byte, error) {
	if v < 0 {
		return dst, fmt.Errorf("%w: length field value %d is negative", ErrInvalid, v)
	}
	switch o.Size {
	case SizeUvarint:
		return binary.AppendUvarint(dst, uint64(v)), nil
	case 8:
	default:
		if v >= 1<<(8*o.Size) {
			return dst, fmt.Errorf("%w: length field value %d does not fit in %d bytes", ErrInvalid, v, o.Size)
		}
	}
	var field [8]byte
	if o.LittleEndian {
		binary.LittleEndian.PutUint64(field[:], uint64(v))
		return append(dst, field[:o.Size]...), nil
	}
	binary.BigEndian.PutUint64(field[:], uint64(v))
	return append(dst, field[8-o.Size:]...), nil
}

// AppendLengthField appends to dst a frame holding body, with the length
// field that o reads: body's first Offset bytes (the header before the
// field), the field, then the rest of body. The field's value is what makes
// the frame as long as that: len(body) - Offset - Adjustment. With Offset
// 0 and Strip the field's size, [LengthField] reads body back; in general
// it reads the frame from Strip on. It returns [ErrInvalid] (and dst
// unchanged) if the frame cannot be read back as written: body shorter
// than Offset, a value that is negative or does not fit the field, a frame
// shorter than Strip or longer than MaxFrame. It panics if o is not valid.
//
// This is Netty's LengthFieldPrepender, which writes a header of a length
// alone (Offset 0), generalised to the decoder's options.
func AppendLengthField(dst, body []byte, o LengthFieldOptions) ([]byte, error) {
	n, err := o.frame(body)
	if err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, body[:o.Offset]...)
	if dst, err = o.normal().appendField(dst, n); err != nil {
		return dst[:start], err
	}
	return append(dst, body[o.Offset:]...), nil
}

// WriteLengthField writes a frame holding body into w's memory, as
// AppendLengthField appends it, without flushing.
func WriteLengthField(w pipe.Writer, body []byte, o LengthFieldOptions) error {
	n, err := o.frame(body)
	if err != nil {
		return err
	}
	var head [binary.MaxVarintLen64]byte
	field, err := o.normal().appendField(head[:0], n)
	if err != nil {
		return err
	}
	put(w, body[:o.Offset], field, body[o.Offset:])
	return nil
}

// frame checks that a frame holding body can be written with o and read
// back, and returns its length field's value.
func (o LengthFieldOptions) frame(body []byte) (int64, error) {
	if err := o.Validate(); err != nil {
		panic(err)
	}
	if len(body) < o.Offset {
		return 0, fmt.Errorf("%w: body of %d bytes is shorter than the %d-byte header", ErrInvalid, len(body), o.Offset)
	}
	on := o.normal()
	v := int64(len(body)) - int64(o.Offset) - int64(o.Adjustment)
	size := on.Size
	if size == SizeUvarint {
		size = uvarintLen(uint64(max(v, 0)))
	}
	whole := int64(len(body)) + int64(size)
	switch {
	case whole < int64(o.Strip):
		return 0, fmt.Errorf("%w: frame of %d bytes is shorter than the %d bytes to strip", ErrInvalid, whole, o.Strip)
	case whole > int64(on.MaxFrame):
		return 0, fmt.Errorf("%w: frame of %d bytes is longer than the maximum %d", ErrInvalid, whole, on.MaxFrame)
	}
	return v, nil
}

// uvarintLen is the number of bytes of v's minimal uvarint encoding.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
