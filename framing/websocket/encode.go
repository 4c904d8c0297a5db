package websocket

import (
	"context"
	"crypto/rand"
	"encoding/binary"

	"github.com/sluicego/sluice/pipe"
)

// AppendHeader appends h in its minimal encoding to dst and returns the
// extended buffer. It encodes what it is given: a length with its most
// significant bit set, reserved opcodes and long or fragmented control
// frames are the caller's to avoid.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Op&0xf) | (h.RSV&7)<<4
	if h.Fin {
		b0 |= 0x80
	}
	var m byte
	if h.Masked {
		m = 0x80
	}
	switch {
	case h.Length > 0xFFFF:
		dst = append(dst, b0, m|127)
		dst = binary.BigEndian.AppendUint64(dst, h.Length)
	case h.Length > 125:
		dst = append(dst, b0, m|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, m|byte(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.Key[:]...)
	}
	return dst
}

// AppendFrame appends a frame with header h and payload to dst: h.Length
// is set to len(payload), and the payload is masked with h.Key if
// h.Masked (payload itself is not changed).
func AppendFrame(dst []byte, h Header, payload []byte) []byte {
	h.Length = uint64(len(payload))
	dst = AppendHeader(dst, h)
	n := len(dst)
	dst = append(dst, payload...)
	if h.Masked {
		Unmask(dst[n:], h.Key, 0)
	}
	return dst
}

// AppendClosePayload appends a close frame's payload, code and reason, to
// dst. The reason should be valid UTF-8 and at most 123 bytes.
func AppendClosePayload(dst []byte, code CloseCode, reason string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}

// Encoder writes frames for an endpoint of a Role: in the Client role it
// masks every frame with a fresh key. The zero value is a server's
// encoder.
type Encoder struct {
	// Role is the endpoint's role.
	Role Role
	// Key returns a masking key for each frame of a client. Nil means
	// four bytes from crypto/rand, as RFC 6455 section 5.3 asks (an
	// unpredictable key per frame).
	Key func() [4]byte
}

// Header returns the header of a frame of e's role: op, fin and rsv as
// given, a length of n, and a fresh masking key in the client role.
func (e *Encoder) Header(op Opcode, fin bool, rsv uint8, n int) Header {
	h := Header{Fin: fin, RSV: rsv, Op: op, Length: uint64(n)}
	if e.Role == Client {
		h.Masked = true
		if e.Key != nil {
			h.Key = e.Key()
		} else {
			rand.Read(h.Key[:])
		}
	}
	return h
}

// AppendFrame appends a frame of op with payload to dst, masked in the
// client role, and returns the extended buffer.
func (e *Encoder) AppendFrame(dst []byte, op Opcode, fin bool, payload []byte) []byte {
	return AppendFrame(dst, e.Header(op, fin, 0, len(payload)), payload)
}

// WriteFrame writes a frame of op with payload into w, masked in the
// client role, and flushes it. payload is not changed.
func (e *Encoder) WriteFrame(ctx context.Context, w pipe.Writer, op Opcode, fin bool, payload []byte) error {
	return WriteFrame(ctx, w, e.Header(op, fin, 0, len(payload)), payload)
}

// WriteFrame writes a frame with header h (its Length set to
// len(payload)) and payload into w, masking a copy of the payload if
// h.Masked, and flushes it.
func WriteFrame(ctx context.Context, w pipe.Writer, h Header, payload []byte) error {
	h.Length = uint64(len(payload))
	buf := w.Buffer(MaxHeaderSize)
	w.Advance(len(AppendHeader(buf[:0], h)))
	var pos uint64
	for len(payload) > 0 {
		buf = w.Buffer(min(len(payload), 64<<10))
		n := copy(buf, payload)
		if h.Masked {
			Unmask(buf[:n], h.Key, pos)
		}
		w.Advance(n)
		payload, pos = payload[n:], pos+uint64(n)
	}
	_, err := w.Flush(ctx)
	return err
}
