package dns

import (
	"iter"
	"strconv"
)

// Limits of names (RFC 1035 section 2.3.4).
const (
	// MaxLabel is the longest label, in bytes.
	MaxLabel = 63
	// MaxName is the longest name on the wire, in bytes: its labels,
	// their length bytes and the root's zero byte.
	MaxName = 255
	// MaxPointers is the most compression pointers followed for one
	// name: as many as the labels a name of MaxName bytes can have.
	MaxPointers = (MaxName - 1) / 2
)

// checkName checks the name that starts at off in msg by the rules of the
// package doc, and returns the offset just past its bytes in place (past
// its root byte or its first pointer). On a fault it returns the offset
// of the faulty byte and the sentinel.
func checkName(msg []byte, off int) (end, bad int, err error) {
	run := off // where the run of labels being read started
	total := 0 // the name's wire length so far
	hops := 0  // pointers followed
	end = -1   // set at the first pointer
	for {
		if off >= len(msg) {
			return 0, off, ErrOverrun
		}
		b := msg[off]
		switch b & 0xc0 {
		case 0:
			total += 1 + int(b)
			if total > MaxName {
				return 0, off, ErrNameTooLong
			}
			if b == 0 {
				if end < 0 {
					end = off + 1
				}
				return end, 0, nil
			}
			if off+1+int(b) > len(msg) {
				return 0, off, ErrOverrun
			}
			off += 1 + int(b)
		case 0xc0:
			if off+1 >= len(msg) {
				return 0, off, ErrOverrun
			}
			t := int(b&0x3f)<<8 | int(msg[off+1])
			if t < HeaderLen || t >= run {
				return 0, off, ErrPointer
			}
			if hops++; hops > MaxPointers {
				return 0, off, ErrPointerDepth
			}
			if end < 0 {
				end = off + 2
			}
			off, run = t, t
		default:
			return 0, off, ErrLabelType
		}
	}
}

// Name is a domain name in a message, as a view: the message's bytes and
// the offset where the name starts, compression pointers followed when it
// is read. A Name from a Message was checked when the message was read
// (or its record iterated), and shares the message's lifetime. The zero
// Name is the root.
type Name struct {
	msg []byte
	off int
}

// labels calls f with each label of n, in order, until f returns false;
// it stops at the root, or at any fault (which a checked name has not).
func (n Name) labels(f func([]byte) bool) {
	msg, off := n.msg, n.off
	for hops := 0; off < len(msg) && hops <= MaxPointers; {
		b := msg[off]
		switch {
		case b == 0:
			return
		case b&0xc0 == 0:
			if off+1+int(b) > len(msg) || !f(msg[off+1:off+1+int(b)]) {
				return
			}
			off += 1 + int(b)
		case b&0xc0 == 0xc0 && off+1 < len(msg):
			off = int(b&0x3f)<<8 | int(msg[off+1])
			hops++
		default:
			return
		}
	}
}

// Labels returns the name's labels, from the leftmost to the last before
// the root, as views of the message (no root label).
func (n Name) Labels() iter.Seq[[]byte] {
	return func(yield func([]byte) bool) { n.labels(yield) }
}

// WireLen returns the name's length on the wire without compression: its
// labels, their length bytes and the root byte.
func (n Name) WireLen() int {
	l := 1
	n.labels(func(b []byte) bool { l += 1 + len(b); return true })
	return l
}

// AppendText appends the name in presentation format, as dig prints it:
// labels joined by dots with a dot at the end ("." for the root), the
// bytes . \ " ( ) ; @ $ escaped with a backslash and other bytes outside
// '!'..'~' written as \DDD.
func (n Name) AppendText(dst []byte) []byte {
	start := len(dst)
	n.labels(func(l []byte) bool {
		for _, c := range l {
			switch {
			case c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$':
				dst = append(dst, '\\', c)
			case c < '!' || c > '~':
				dst = append(dst, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			default:
				dst = append(dst, c)
			}
		}
		dst = append(dst, '.')
		return true
	})
	if len(dst) == start {
		dst = append(dst, '.')
	}
	return dst
}

// String returns the name in presentation format (see AppendText).
func (n Name) String() string { return string(n.AppendText(nil)) }

// Equal reports whether n is the name text, in presentation format,
// comparing ASCII letters without regard to case (RFC 4343): "Example.COM"
// and "example.com." are both equal to the name example.com. Escapes \X
// and \DDD are read as in AppendText's output; "" and "." are the root.
// It allocates nothing. Text that is not a valid name equals no name.
func (n Name) Equal(text string) bool {
	if text == "." {
		text = ""
	}
	ok := true
	n.labels(func(l []byte) bool {
		var buf [MaxLabel]byte
		var k int
		k, text, ok = nextLabel(&buf, text)
		if !ok || k != len(l) {
			ok = false
			return false
		}
		for i, c := range l {
			if lower(c) != lower(buf[i]) {
				ok = false
				return false
			}
		}
		return true
	})
	return ok && text == ""
}

// nextLabel decodes the first label of text into buf and returns its
// length and the text after it and its dot. ok is false for an empty
// label, a label over MaxLabel bytes or a bad escape.
func nextLabel(buf *[MaxLabel]byte, text string) (n int, rest string, ok bool) {
	i := 0
	for i < len(text) && text[i] != '.' {
		c := text[i]
		i++
		if c == '\\' {
			switch {
			case i < len(text) && isDigit(text[i]):
				if i+3 > len(text) || !isDigit(text[i+1]) || !isDigit(text[i+2]) {
					return 0, text, false
				}
				v, _ := strconv.Atoi(text[i : i+3])
				if v > 255 {
					return 0, text, false
				}
				c = byte(v)
				i += 3
			case i < len(text):
				c = text[i]
				i++
			default:
				return 0, text, false
			}
		}
		if n == MaxLabel {
			return 0, text, false
		}
		buf[n] = c
		n++
	}
	if n == 0 {
		return 0, text, false
	}
	if i < len(text) {
		i++ // the dot
	}
	return n, text[i:], true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
