package grpc

import (
	"context"
	"encoding/binary"

	"github.com/sluicego/sluice/pipe"
)

// AppendPrefix appends p to dst and returns the extended buffer.
func AppendPrefix(dst []byte, p Prefix) []byte {
	var f byte
	if p.Compressed {
		f = 1
	}
	return binary.BigEndian.AppendUint32(append(dst, f), p.Length)
}

// AppendMessage appends a message holding payload (compressed already if
// compressed is set) to dst. A payload over 2^32-1 bytes is
// ErrMessageTooLarge, and dst is returned unchanged.
func AppendMessage(dst []byte, compressed bool, payload []byte) ([]byte, error) {
	if uint64(len(payload)) > 1<<32-1 {
		return dst, ErrMessageTooLarge
	}
	dst = AppendPrefix(dst, Prefix{Compressed: compressed, Length: uint32(len(payload))})
	return append(dst, payload...), nil
}

// WriteMessage writes a message holding payload into w and flushes it.
// A payload over 2^32-1 bytes is ErrMessageTooLarge, and nothing is
// written.
func WriteMessage(ctx context.Context, w pipe.Writer, compressed bool, payload []byte) error {
	if uint64(len(payload)) > 1<<32-1 {
		return ErrMessageTooLarge
	}
	buf := w.Buffer(PrefixSize)
	w.Advance(len(AppendPrefix(buf[:0], Prefix{Compressed: compressed, Length: uint32(len(payload))})))
	for len(payload) > 0 {
		buf = w.Buffer(min(len(payload), 64<<10))
		n := copy(buf, payload)
		w.Advance(n)
		payload = payload[n:]
	}
	_, err := w.Flush(ctx)
	return err
}
