package http1

import (
	"encoding/binary"
	"math/bits"

	"github.com/sluicego/sluice/parse"
)

// fastRequest is the fast path in front of the declared request grammar
// (build): a request head whose bytes lie whole in the cursor's span,
// nearly every head, is read here in one pass over the span: the request
// line (a method of token bytes, SP, a target of visible ASCII, SP,
// "HTTP/1.0" or "HTTP/1.1", CRLF), then each field line (a name of token
// bytes, the colon, the value's bytes checked eight at a time, CRLF), the
// names that decide the framing classified as the grammar classifies
// them (classify), and the empty line. It writes to *h the head the
// declared grammar returns for those bytes and returns the head's length,
// the cursor untouched (fastOK); or fastNo for anything else, valid or not, which
// the declared grammar then reads from the head's start and which remains
// the definition of a head and the source of every error:
//
//   - a first byte that starts no method (empty lines before the head
//     among them);
//   - what the grammar refuses or would have to name: obs-fold, a bare CR
//     or LF, whitespace before a colon, a byte a token, target or value may
//     not hold, a version other than 1.0 or 1.1, a Content-Length the
//     grammar refuses, a framing refused (frameRequest), too many fields;
//   - a line over MaxLine, a head over what the message size leaves;
//   - a head cut by the span's end, where the bytes before are not all
//     what the fast path reads.
//
// A head cut by the span's end whose bytes so far are all what the fast
// path reads (and whose line so far is within MaxLine, and the message
// size not reached) is fastShort: the caller waits for more input when
// the span holds all there is (see conn.parse).
//
// TestFastAgrees compares both on the llhttp cases, random and mutated
// heads, at the limits' edges and in every chunking; FuzzFastAgrees fuzzes
// them.
func fastRequest(in *parse.Input, l limits, h *Head) (n int, st fastStatus) {
	b := in.Span()
	// The head ends within what the message size leaves, and within the
	// span.
	room := in.Limit() - in.Consumed()
	if room < 0 {
		return 0, fastNo
	}
	b = b[:min(len(b), room)]
	// short is the status of a head that the span's end cuts at a line
	// that started at ls, all the bytes before being what the fast path
	// reads: more input may make it whole. Near MaxLine or the message
	// size the grammar may know already that the rest cannot fit (a line
	// needs up to 13 more bytes, a head 2): that is the grammar's to say.
	short := func(ls int) fastStatus {
		if len(b)-ls+fastMargin > l.line || len(b)+fastMargin > room {
			return fastNo
		}
		return fastShort
	}
	// The request line: method SP target SP HTTP-version CRLF.
	i := runEnd(b, 0, classTchar)
	me := i
	if i == len(b) {
		return 0, short(0)
	}
	if me == 0 || b[i] != ' ' {
		return 0, fastNo
	}
	i++
	ts := i
	i = runEnd(b, i, classTarget)
	te := i
	if i == len(b) {
		return 0, short(0)
	}
	if te == ts {
		return 0, fastNo
	}
	// SP "HTTP/1." digit CRLF
	if len(b)-i < 11 {
		if rest := string(b[i:]); rest == " HTTP/1.1\r\n"[:len(rest)] || rest == " HTTP/1.0\r\n"[:len(rest)] {
			return 0, short(0)
		}
		return 0, fastNo
	}
	if b[i] != ' ' || binary.LittleEndian.Uint64(b[i+1:])&^(0xff<<56) != httpSlash1Dot ||
		b[i+8]|1 != '1' || b[i+9] != '\r' || b[i+10] != '\n' {
		return 0, fastNo
	}
	minor := b[i+8] - '0'
	i += 11
	if i > l.line {
		return 0, fastNo
	}
	// The field lines, up to the empty line.
	fs := i
	var sec section
	for {
		if len(b)-i < 2 {
			if i == len(b) || b[i] == '\r' || isTchar[b[i]] {
				return 0, short(i)
			}
			return 0, fastNo
		}
		if b[i] == '\r' {
			if b[i+1] != '\n' {
				return 0, fastNo
			}
			break
		}
		ls := i
		i = runEnd(b, i, classTchar)
		ne := i
		if i == len(b) {
			return 0, short(ls)
		}
		if ne == ls || b[i] != ':' {
			return 0, fastNo
		}
		i++
		vs := i
		i = valueEnd(b, i)
		if len(b)-i < 2 {
			if i == len(b) || b[i] == '\r' {
				return 0, short(ls)
			}
			return 0, fastNo
		}
		if b[i] != '\r' || b[i+1] != '\n' {
			return 0, fastNo
		}
		ve := i
		i += 2
		if i-ls > l.line {
			return 0, fastNo
		}
		if framingLens>>(ne-ls)&1 == 0 {
			sec.n++ // not a name classify reads: most fields, known by length
		} else if k := framingName(b[ls:ne]); k != fieldOther {
			f, err := classifyValue(k, in.SpanSeqAt(vs, ve-vs))
			if err != nil {
				return 0, fastNo
			}
			sec = addField(sec, f)
		} else {
			sec.n++
		}
		if sec.n > l.fields {
			return 0, fastNo
		}
	}
	*h = Head{Method: in.SpanSeqAt(0, me), Target: in.SpanSeqAt(ts, te-ts), Minor: minor,
		Fields: Fields{block: in.SpanSeqAt(fs, i-fs), n: sec.n}}
	if frameRequest(h, &sec, l) != nil {
		return 0, fastNo
	}
	return i + 2, fastOK
}

// fastMargin is more than the fewest bytes a line or a head cut by the
// span's end may still need.
const fastMargin = 16

// fastStatus is what the fast path made of a head.
type fastStatus uint8

const (
	fastNo    fastStatus = iota // not a head it reads: the declared grammar reads it
	fastOK                      // read
	fastShort                   // all it reads so far, cut by the span's end
)

// httpSlash1Dot is "HTTP/1." read as a little-endian word, its eighth
// byte (the minor version's digit) masked off.
const httpSlash1Dot = 'H' | 'T'<<8 | 'T'<<16 | 'P'<<24 | '/'<<32 | '1'<<40 | '.'<<48

// framingLens has bit n set for the lengths n of the names framingName
// matches.
const framingLens = 1<<14 | 1<<17 | 1<<10 | 1<<7 | 1<<6

// framingName returns the kind of the field named name among those
// classify reads, fieldOther for any other name.
func framingName(name []byte) fieldKind {
	switch len(name) {
	case 14:
		if equalFoldBytes(name, "content-length") {
			return fieldContentLength
		}
	case 17:
		if equalFoldBytes(name, "transfer-encoding") {
			return fieldTransferEncoding
		}
	case 10:
		if equalFoldBytes(name, "connection") {
			return fieldConnection
		}
	case 7:
		if equalFoldBytes(name, "upgrade") {
			return fieldUpgrade
		}
	case 6:
		if equalFoldBytes(name, "expect") {
			return fieldExpect
		}
	}
	return fieldOther
}

// Byte classes of the fast path's runs, as bits of byteClass: isTchar
// and isTarget.
const (
	classTchar uint8 = 1 << iota
	classTarget
)

// byteClass is set with the tables it repeats (grammar.go).
var byteClass [256]uint8

// runEnd returns the index of the first byte at or after i in b that is
// not of class (one bit), or len(b): eight table lookups at a time, their
// classes gathered in a word whose lowest byte without the class bit is
// the run's end; then one by one.
func runEnd(b []byte, i int, class uint8) int {
	for len(b)-i >= 8 {
		w := b[i : i+8 : i+8]
		c := uint64(byteClass[w[0]]) | uint64(byteClass[w[1]])<<8 |
			uint64(byteClass[w[2]])<<16 | uint64(byteClass[w[3]])<<24 |
			uint64(byteClass[w[4]])<<32 | uint64(byteClass[w[5]])<<40 |
			uint64(byteClass[w[6]])<<48 | uint64(byteClass[w[7]])<<56
		if m := ^c & (uint64(class) * lsb); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && byteClass[b[i]]&class != 0 {
		i++
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// valueEnd returns the index of the first byte at or after i in b that a
// field value may not hold (anything but HTAB, SP, VCHAR and obs-text:
// NUL, the other control bytes, DEL), or len(b). It tests eight bytes at
// a time: a byte below 0x20 or equal to 0x7f flags the word, and the
// lowest flag is exact (a borrow comes only from a lower flagged byte).
func valueEnd(b []byte, i int) int {
	for len(b)-i >= 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		d := w ^ 0x7f*lsb
		m := (w-0x20*lsb)&^w&msb | (d-lsb)&^d&msb
		if m == 0 {
			i += 8
			continue
		}
		j := i + bits.TrailingZeros64(m)>>3
		if b[j] != '\t' {
			return j
		}
		i = j + 1
	}
	for i < len(b) && isValue[b[i]] {
		i++
	}
	return i
}
