package websocket

import "encoding/binary"

// fastHeader decodes a frame header from b by hand, for the common case
// of a header that lies whole in one segment and breaks no rule: ok is
// false for a header that is incomplete in b or invalid, which the
// declared grammar (header) then reads, finding the same header or
// reporting the error at its offset. TestFastHeader and the fuzz targets
// check that the two agree.
func fastHeader(b []byte) (h Header, n int, ok bool) {
	if len(b) < 2 {
		return h, 0, false
	}
	b0, b1 := b[0], b[1]
	h = Header{Fin: b0&0x80 != 0, RSV: b0 >> 4 & 7, Op: Opcode(b0 & 0xf), Masked: b1&0x80 != 0}
	n = 2
	switch l := b1 & 0x7f; l {
	case 126:
		if len(b) < 4 {
			return h, 0, false
		}
		h.Length, n = uint64(binary.BigEndian.Uint16(b[2:])), 4
		if h.Length < 126 {
			return h, 0, false
		}
	case 127:
		if len(b) < 10 {
			return h, 0, false
		}
		h.Length, n = binary.BigEndian.Uint64(b[2:]), 10
		if h.Length < 1<<16 || h.Length>>63 != 0 {
			return h, 0, false
		}
	default:
		h.Length = uint64(l)
	}
	if h.Masked {
		if len(b) < n+4 {
			return h, 0, false
		}
		h.Key = [4]byte(b[n : n+4])
		n += 4
	}
	if h.Op.IsReserved() || h.Op.IsControl() && (h.Length > MaxControlPayload || !h.Fin) {
		return h, 0, false
	}
	return h, n, true
}
