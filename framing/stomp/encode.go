package stomp

import (
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Append appends f as it goes on the wire, lines ended by LF, and returns
// the extended buffer: a heart-beat (an empty Command) is one LF; a frame
// is its command, its headers as they are (escape them with
// [AppendEscaped] when f is not a CONNECT, CONNECTED or STOMP frame), a
// blank line, the body and a NUL. A body that holds a NUL needs a
// content-length header, which Append does not add: [Frames] would end
// the body at the NUL otherwise.
func Append(dst []byte, f Frame) []byte {
	if f.Command.IsEmpty() {
		return append(dst, '\n')
	}
	dst = append(f.Command.AppendTo(dst), '\n')
	for _, h := range f.Headers {
		dst = append(h.Value.AppendTo(append(h.Name.AppendTo(dst), ':')), '\n')
	}
	dst = append(dst, '\n')
	return append(f.Body.AppendTo(dst), 0)
}

// Encode writes f into w as [Append] does, without flushing: call w.Flush
// to send what was written.
func Encode(w pipe.Writer, f Frame) {
	b := Append(nil, f)
	for len(b) > 0 {
		buf := w.Buffer(min(len(b), seq.MaxSegment))
		k := copy(buf, b)
		w.Advance(k)
		b = b[k:]
	}
}

// AppendEscaped appends s with STOMP 1.2's header escapes: a backslash,
// CR, LF and colon become \\, \r, \n and \c.
func AppendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; b {
		case '\\':
			dst = append(dst, `\\`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\n':
			dst = append(dst, `\n`...)
		case ':':
			dst = append(dst, `\c`...)
		default:
			dst = append(dst, b)
		}
	}
	return dst
}

// Unescape appends the header name or value s, as [Frames] delivered it
// from a frame whose headers are escaped ([Frame.Escaped]), with its
// escapes decoded, and returns the extended buffer. [Frames] has checked
// every escape; a backslash at the end of s is appended as it is.
func Unescape(dst []byte, s seq.Sequence) []byte {
	esc := false
	for chunk := range s.Chunks() {
		for _, b := range chunk {
			if esc {
				switch b {
				case 'r':
					b = '\r'
				case 'n':
					b = '\n'
				case 'c':
					b = ':'
				}
				dst, esc = append(dst, b), false
				continue
			}
			if b == '\\' {
				esc = true
				continue
			}
			dst = append(dst, b)
		}
	}
	if esc {
		dst = append(dst, '\\')
	}
	return dst
}
