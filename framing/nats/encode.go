package nats

import (
	"strconv"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Append appends m as it goes on the wire, verb upper case, arguments
// separated by one space, lines ended by CRLF, and returns the extended
// buffer. It writes the fields Op uses (see [Message]) as they are: it does
// not check that a subject has no space, nor that a header block starts
// with "NATS/1.0"; the declared sizes are those of Header and Payload.
func Append(dst []byte, m Message) []byte {
	dst = append(dst, m.Op.String()...)
	sp := func(s seq.Sequence) {
		if !s.IsEmpty() {
			dst = append(dst, ' ')
			dst = s.AppendTo(dst)
		}
	}
	switch m.Op {
	case OpInfo, OpConnect, OpErr:
		sp(m.Args)
	case OpPub, OpHPub, OpMsg, OpHMsg:
		sp(m.Subject)
		if m.Op == OpMsg || m.Op == OpHMsg {
			sp(m.SID)
		}
		sp(m.Reply)
		if m.Op == OpHPub || m.Op == OpHMsg {
			dst = append(dst, ' ')
			dst = strconv.AppendInt(dst, int64(m.Header.Len()), 10)
		}
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(m.Header.Len()+m.Payload.Len()), 10)
		dst = append(dst, "\r\n"...)
		dst = m.Header.AppendTo(dst)
		dst = m.Payload.AppendTo(dst)
	case OpSub:
		sp(m.Subject)
		sp(m.Queue)
		sp(m.SID)
	case OpUnsub:
		sp(m.SID)
		if m.Max > 0 {
			dst = append(dst, ' ')
			dst = strconv.AppendUint(dst, m.Max, 10)
		}
	}
	return append(dst, "\r\n"...)
}

// EncodedLen returns the number of bytes [Append] appends for m.
func EncodedLen(m Message) int {
	n := len(m.Op.String()) + 2
	sp := func(s seq.Sequence) {
		if !s.IsEmpty() {
			n += 1 + s.Len()
		}
	}
	digits := func(v uint64) int {
		d := 1
		for ; v >= 10; v /= 10 {
			d++
		}
		return d
	}
	switch m.Op {
	case OpInfo, OpConnect, OpErr:
		sp(m.Args)
	case OpPub, OpHPub, OpMsg, OpHMsg:
		sp(m.Subject)
		if m.Op == OpMsg || m.Op == OpHMsg {
			sp(m.SID)
		}
		sp(m.Reply)
		if m.Op == OpHPub || m.Op == OpHMsg {
			n += 1 + digits(uint64(m.Header.Len()))
		}
		total := m.Header.Len() + m.Payload.Len()
		n += 1 + digits(uint64(total)) + 2 + total
	case OpSub:
		sp(m.Subject)
		sp(m.Queue)
		sp(m.SID)
	case OpUnsub:
		sp(m.SID)
		if m.Max > 0 {
			n += 1 + digits(m.Max)
		}
	}
	return n
}

// Encode writes m into w as [Append] does, in one buffer of w when it fits
// a segment, without flushing: call w.Flush to send what was written.
func Encode(w pipe.Writer, m Message) {
	n := EncodedLen(m)
	if n <= seq.MaxSegment {
		b := w.Buffer(n)
		w.Advance(len(Append(b[:0], m)))
		return
	}
	b := Append(nil, m)
	for len(b) > 0 {
		buf := w.Buffer(min(len(b), seq.MaxSegment))
		k := copy(buf, b)
		w.Advance(k)
		b = b[k:]
	}
}
