package websocket

import (
	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
)

// tail is what follows a header's first byte: the second byte, the
// extended length and the masking key.
type tail struct {
	length uint64
	key    [4]byte
	masked bool
}

func keyOf(k uint32) [4]byte { return [4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)} }

// The six shapes of a header's tail, chosen by its second byte: a 7-bit,
// 16-bit or 64-bit length, with or without a masking key.
var (
	len7  = cb.Map(cb.Uint8(), func(b byte) tail { return tail{length: uint64(b & 0x7f)} })
	len7m = cb.Seq2(cb.Uint8(), cb.Uint32BE(), func(b byte, k uint32) tail {
		return tail{length: uint64(b & 0x7f), key: keyOf(k), masked: true}
	})
	len16  = cb.MapErr(cb.Then(cb.Uint8(), cb.Uint16BE()), func(n uint16) (tail, error) { return checkLen(uint64(n), 126) })
	len16m = cb.MapErr(cb.Seq2(cb.Then(cb.Uint8(), cb.Uint16BE()), cb.Uint32BE(), masked), minimal(126))
	len64  = cb.MapErr(cb.Then(cb.Uint8(), cb.Uint64BE()), func(n uint64) (tail, error) { return checkLen(n, 1<<16) })
	len64m = cb.MapErr(cb.Seq2(cb.Then(cb.Uint8(), cb.Uint64BE()), cb.Uint32BE(), masked), minimal(1<<16))
)

func masked[L uint16 | uint64](n L, k uint32) tail {
	return tail{length: uint64(n), key: keyOf(k), masked: true}
}

func minimal(least uint64) func(tail) (tail, error) {
	return func(t tail) (tail, error) {
		if _, err := checkLen(t.length, least); err != nil {
			return t, err
		}
		return t, nil
	}
}

// checkLen enforces the minimal encoding of an extended length (at least
// least) and a clear most significant bit.
func checkLen(n, least uint64) (tail, error) {
	if n < least || n>>63 != 0 {
		return tail{}, ErrLength
	}
	return tail{length: n}, nil
}

// tails maps a header's second byte to its tail.
var tails = func() map[byte]parse.TryParse[tail] {
	m := make(map[byte]parse.TryParse[tail], 256)
	for b := range 256 {
		mask, n := b&0x80 != 0, b&0x7f
		switch {
		case n < 126 && !mask:
			m[byte(b)] = len7
		case n < 126:
			m[byte(b)] = len7m
		case n == 126 && !mask:
			m[byte(b)] = len16
		case n == 126:
			m[byte(b)] = len16m
		case !mask:
			m[byte(b)] = len64
		default:
			m[byte(b)] = len64m
		}
	}
	return m
}()

// header is the wire format of a frame header (RFC 6455 section 5.2),
// with the rules that need no connection state: known opcodes, control
// frames short and unfragmented, lengths minimal.
var header = cb.MapErr(cb.Seq2(cb.Uint8(), cb.Dispatch(tails, nil), func(b byte, t tail) Header {
	return Header{
		Fin:    b&0x80 != 0,
		RSV:    b >> 4 & 7,
		Op:     Opcode(b & 0xf),
		Masked: t.masked,
		Key:    t.key,
		Length: t.length,
	}
}), checkHeader)

func checkHeader(h Header) (Header, error) {
	switch {
	case h.Op.IsReserved():
		return h, ErrReservedOpcode
	case h.Op.IsControl() && h.Length > MaxControlPayload:
		return h, ErrControlLength
	case h.Op.IsControl() && !h.Fin:
		return h, ErrControlFragmented
	}
	return h, nil
}
