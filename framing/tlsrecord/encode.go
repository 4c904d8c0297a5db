package tlsrecord

import (
	"context"
	"encoding/binary"

	"github.com/sluicego/sluice/pipe"
)

// AppendHeader appends h to dst and returns the extended buffer.
func AppendHeader(dst []byte, h Header) []byte {
	dst = append(dst, byte(h.Type))
	dst = binary.BigEndian.AppendUint16(dst, uint16(h.Version))
	return binary.BigEndian.AppendUint16(dst, h.Length)
}

// AppendRecord appends a record of type t and version v holding fragment
// to dst. A fragment over MaxCiphertext bytes is ErrRecordOverflow (dst is
// returned unchanged); keeping a plaintext fragment within MaxPlaintext
// and a handshake, alert or change_cipher_spec fragment non-empty is the
// caller's part (AppendRecords splits data).
func AppendRecord(dst []byte, t ContentType, v Version, fragment []byte) ([]byte, error) {
	if len(fragment) > MaxCiphertext {
		return dst, ErrRecordOverflow
	}
	dst = AppendHeader(dst, Header{Type: t, Version: v, Length: uint16(len(fragment))})
	return append(dst, fragment...), nil
}

// AppendRecords appends data as records of type t and version v, each of
// at most max bytes (0, or a value over MaxCiphertext, means
// MaxPlaintext), as a record layer fragments a handshake flight or
// application data. Empty data appends nothing.
func AppendRecords(dst []byte, t ContentType, v Version, data []byte, max int) []byte {
	if max <= 0 || max > MaxCiphertext {
		max = MaxPlaintext
	}
	for len(data) > 0 {
		n := min(len(data), max)
		dst, _ = AppendRecord(dst, t, v, data[:n])
		data = data[n:]
	}
	return dst
}

// AppendHandshakeHeader appends a handshake message header to dst. Only
// the low 24 bits of h.Length are written.
func AppendHandshakeHeader(dst []byte, h HandshakeHeader) []byte {
	return append(dst, byte(h.Type), byte(h.Length>>16), byte(h.Length>>8), byte(h.Length))
}

// AppendAlert appends a plaintext alert record of version v to dst.
func AppendAlert(dst []byte, v Version, a Alert) []byte {
	dst = AppendHeader(dst, Header{Type: TypeAlert, Version: v, Length: 2})
	return append(dst, byte(a.Level), byte(a.Description))
}

// WriteRecord writes a record of type t and version v holding fragment
// into w and flushes it. A fragment over MaxCiphertext bytes is
// ErrRecordOverflow, and nothing is written.
func WriteRecord(ctx context.Context, w pipe.Writer, t ContentType, v Version, fragment []byte) error {
	if len(fragment) > MaxCiphertext {
		return ErrRecordOverflow
	}
	buf := w.Buffer(HeaderSize + len(fragment))
	buf = AppendHeader(buf[:0], Header{Type: t, Version: v, Length: uint16(len(fragment))})
	w.Advance(len(append(buf, fragment...)))
	_, err := w.Flush(ctx)
	return err
}
