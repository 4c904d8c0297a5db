package sse

import (
	"errors"
	"strconv"
	"strings"

	"github.com/sluicego/sluice/pipe"
)

// ErrEncode is returned by the encoders for a message that cannot be
// written: a Type or ID holding a CR or LF, or an ID holding a NUL.
var ErrEncode = errors.New("sse: message cannot be encoded")

// Message is an event to write. Its zero value is an event of type
// "message" with empty data.
type Message struct {
	// Type is the event field, written when not empty.
	Type string
	// ID is the id field, written when not empty or when SetID is set
	// (an empty id resets the client's last event ID).
	ID    string
	SetID bool
	// Retry is the retry field in milliseconds, written when positive.
	Retry int64
	// Data is the event's data: it is split at each LF, CRLF or CR into
	// data fields, which a reader joins with LF.
	Data string
}

// AppendMessage appends m as an event block to dst: its event, id and
// retry fields, a "data: " line per line of Data, and a blank line.
// Values are written after "field: ", so a value that starts with a space
// keeps it. It returns [ErrEncode] (and dst unchanged) for a message that
// cannot be written.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	if strings.ContainsAny(m.Type, "\r\n") || strings.ContainsAny(m.ID, "\r\n\x00") {
		return dst, ErrEncode
	}
	if m.Type != "" {
		dst = append(append(dst, "event: "...), m.Type...)
		dst = append(dst, '\n')
	}
	if m.ID != "" || m.SetID {
		dst = append(append(dst, "id: "...), m.ID...)
		dst = append(dst, '\n')
	}
	if m.Retry > 0 {
		dst = strconv.AppendInt(append(dst, "retry: "...), m.Retry, 10)
		dst = append(dst, '\n')
	}
	data := m.Data
	for {
		i := strings.IndexAny(data, "\r\n")
		if i < 0 {
			dst = append(append(dst, "data: "...), data...)
			dst = append(dst, '\n')
			break
		}
		dst = append(append(dst, "data: "...), data[:i]...)
		dst = append(dst, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return append(dst, '\n'), nil
}

// WriteMessage writes m into w's memory, as AppendMessage appends it,
// without flushing.
func WriteMessage(w pipe.Writer, m Message) error {
	var buf [256]byte
	b, err := AppendMessage(buf[:0], m)
	if err != nil {
		return err
	}
	for len(b) > 0 {
		dst := w.Buffer(min(len(b), 64<<10))
		n := copy(dst, b)
		w.Advance(n)
		b = b[n:]
	}
	return nil
}
