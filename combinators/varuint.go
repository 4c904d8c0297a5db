package combinators

import (
	"errors"
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// ErrVarUint is the fault of a variable-length integer that [VarUint]
// refuses: more than its maximum number of bytes, or not the shortest
// encoding of its value.
var ErrVarUint = errors.New("combinators: invalid variable-length integer")

// VarUint reads an unsigned integer in base-128 groups, least significant
// first, each byte's high bit set when another byte follows (the encoding
// of [Uvarint]), of at most maxBytes bytes and in its shortest form: a
// byte with the continuation bit set as the maxBytes-th byte, or a last
// byte of zero after another byte (a value that fewer bytes encode), is a
// syntax error at the integer's first byte wrapping [ErrVarUint]. MQTT's
// Variable Byte Integer (a remaining length, a property length) is
// VarUint(4).
//
// A byte that ends the integer is waited for: on non-final input an
// integer cut by the end of the buffer asks for one more byte, and on
// final input it is a truncation. The faults are decided as soon as the
// bytes that show them are buffered, so a fifth continuation byte is
// refused when it arrives, whatever follows. VarUint panics unless
// 1 <= maxBytes <= 9 (9 bytes hold 63 bits).
func VarUint(maxBytes int) parse.TryParse[uint64] {
	if maxBytes < 1 || maxBytes > 9 {
		panic("combinators: VarUint with " + strconv.Itoa(maxBytes) + " bytes, want 1 to 9")
	}
	return record(func(in *parse.Input) (uint64, error) {
		if s := in.Span(); len(s) > 0 && s[0] < 0x80 {
			in.Advance(1)
			return uint64(s[0]), nil
		}
		return varUint(in, maxBytes)
	}, mk("VarUint").with(strconv.Itoa(maxBytes)))
}

// varUint is VarUint's general case: an integer of several bytes, or one
// that crosses a segment boundary or the end of the buffer.
func varUint(in *parse.Input, maxBytes int) (uint64, error) {
	off := in.Offset()
	var v uint64
	for i := 0; ; i++ {
		b, err := in.ReadByte()
		if err != nil {
			in.Rewind(i)
			return 0, in.NeedMore(i + 1)
		}
		v |= uint64(b&0x7f) << (7 * i)
		switch {
		case b < 0x80 && b == 0 && i > 0:
			in.Rewind(i + 1)
			return 0, &parse.SyntaxError{Offset: off, Msg: "variable-length integer not in its shortest form", Err: ErrVarUint}
		case b < 0x80:
			return v, nil
		case i+1 == maxBytes:
			in.Rewind(i + 1)
			return 0, &parse.SyntaxError{Offset: off, Msg: "variable-length integer longer than " + strconv.Itoa(maxBytes) + " bytes", Err: ErrVarUint}
		}
	}
}
