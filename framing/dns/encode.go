package dns

import (
	"encoding/binary"
	"fmt"

	"github.com/sluicego/sluice/pipe"
)

// checkLen refuses a message that no length prefix can frame as one that
// Parser reads.
func checkLen(msg []byte) error {
	if len(msg) < HeaderLen || len(msg) > MaxMessage {
		return fmt.Errorf("%w: message of %d bytes, want %d to %d", ErrInvalid, len(msg), HeaderLen, MaxMessage)
	}
	return nil
}

// AppendMessage appends msg (a whole DNS message, header first) behind its
// 2-byte length prefix. It returns ErrInvalid and dst unchanged if msg is
// shorter than a header or longer than 65535 bytes.
func AppendMessage(dst, msg []byte) ([]byte, error) {
	if err := checkLen(msg); err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(msg)))
	return append(dst, msg...), nil
}

// WriteMessage writes msg behind its length prefix into w's memory, as
// AppendMessage appends it, without flushing.
func WriteMessage(w pipe.Writer, msg []byte) error {
	if err := checkLen(msg); err != nil {
		return err
	}
	buf := w.Buffer(2 + len(msg))
	binary.BigEndian.PutUint16(buf, uint16(len(msg)))
	copy(buf[2:], msg)
	w.Advance(2 + len(msg))
	return nil
}

// AppendHeader appends the 12 bytes of h.
func AppendHeader(dst []byte, h Header) []byte {
	dst = binary.BigEndian.AppendUint16(dst, h.ID)
	dst = binary.BigEndian.AppendUint16(dst, h.Flags())
	dst = binary.BigEndian.AppendUint16(dst, h.QDCount)
	dst = binary.BigEndian.AppendUint16(dst, h.ANCount)
	dst = binary.BigEndian.AppendUint16(dst, h.NSCount)
	return binary.BigEndian.AppendUint16(dst, h.ARCount)
}

// AppendName appends name, in presentation format ("www.example.com", a
// final dot optional, "" or "." for the root, escapes \X and \DDD as
// Name.AppendText writes them), in wire format without compression. It
// returns ErrInvalid and dst unchanged for an empty label, a label longer
// than 63 bytes, a bad escape or a name longer than 255 bytes.
func AppendName(dst []byte, name string) ([]byte, error) {
	start := len(dst)
	if name == "." {
		name = ""
	}
	var buf [MaxLabel]byte
	for name != "" {
		n, rest, ok := nextLabel(&buf, name)
		if !ok {
			return dst[:start], fmt.Errorf("%w: bad label in name %q", ErrInvalid, name)
		}
		dst = append(append(dst, byte(n)), buf[:n]...)
		name = rest
	}
	dst = append(dst, 0)
	if len(dst)-start > MaxName {
		return dst[:start], fmt.Errorf("%w: name longer than %d bytes", ErrInvalid, MaxName)
	}
	return dst, nil
}

// AppendQuestion appends a question entry: name (as AppendName reads it),
// type and class.
func AppendQuestion(dst []byte, name string, t Type, cl Class) ([]byte, error) {
	dst, err := AppendName(dst, name)
	if err != nil {
		return dst, err
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(t))
	return binary.BigEndian.AppendUint16(dst, uint16(cl)), nil
}

// AppendQuery appends a length-prefixed standard query for name's records
// of type t in class IN, with identifier id and recursion desired, as a
// stub resolver sends it. It returns ErrInvalid and dst unchanged if name
// is not a valid name.
func AppendQuery(dst []byte, id uint16, name string, t Type) ([]byte, error) {
	start := len(dst)
	dst = AppendHeader(append(dst, 0, 0), Header{ID: id, RD: true, QDCount: 1})
	dst, err := AppendQuestion(dst, name, t, ClassIN)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint16(dst[start:], uint16(len(dst)-start-2))
	return dst, nil
}
