package mqtt

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"

	"github.com/sluicego/sluice/parse"
)

// whole is parse's fast path for the packets that make up most of an MQTT
// 3.1.1 connection, when the whole packet lies in the cursor's span: a
// PUBLISH whose payload fits one part, PUBACK, PUBREC, PUBREL, PUBCOMP
// and PINGREQ. It reads the packet by hand, as the declared grammar and
// the Parts stream would (one message, the whole payload, nothing left,
// no byte after it needed), and returns ok false, the cursor untouched,
// for anything else, valid or not, which takes the declared path: other
// types, MQTT 5, a packet that goes on past the span, what the rules
// refuse. TestFastPath checks that both give the same packets and
// errors.
func (d *Decoder) whole(in *parse.Input) (Packet, bool) {
	if d.version != V311 {
		return Packet{}, false
	}
	b := in.Span()
	f, ok := fastFixed(b)
	if !ok || d.check(f.b0, f.rem) != nil {
		return Packet{}, false
	}
	h, rem := 1+varLen(f.rem), int(f.rem)
	// The packet ends before the span does, so that its views are the
	// ones the declared path makes.
	if len(b)-h <= rem || in.Limit()-in.Consumed() < h+rem {
		return Packet{}, false
	}
	body := b[h : h+rem]
	var p Packet
	switch t := Type(f.b0 >> 4); {
	case t == PUBLISH:
		fl := f.b0 & 15
		qos := fl >> 1 & 3
		if qos == 3 || qos == 0 && fl&8 != 0 || len(body) < 2 {
			return Packet{}, false
		}
		tl := int(binary.BigEndian.Uint16(body))
		n := 2 + tl
		if qos > 0 {
			n += 2
		}
		if n > len(body) {
			return Packet{}, false
		}
		topic := body[2 : 2+tl]
		if tl == 0 || bytes.ContainsAny(topic, "+#") || bytes.IndexByte(topic, 0) >= 0 || !utf8.Valid(topic) {
			return Packet{}, false
		}
		var id uint16
		if qos > 0 {
			if id = binary.BigEndian.Uint16(body[2+tl:]); id == 0 {
				return Packet{}, false
			}
		}
		// The payload in one part: within the part size and what the
		// message size leaves after the head.
		size := rem - n
		if size > d.part || size > in.Limit()-in.Consumed()-h-n {
			return Packet{}, false
		}
		p = Packet{Type: PUBLISH, Flags: fl, Length: f.rem, Dup: fl&8 != 0, QoS: qos, Retain: fl&1 != 0,
			Topic: in.SpanSeqAt(h+2, tl), ID: id, First: true, size: uint32(size)}
		in.Advance(h + n)
		p.Data, _ = in.ReadN(size)
	case f.b0 == 0x40 || f.b0 == 0x50 || f.b0 == 0x62 || f.b0 == 0x70:
		if rem != 2 {
			return Packet{}, false
		}
		id := binary.BigEndian.Uint16(body)
		if id == 0 {
			return Packet{}, false
		}
		p = Packet{Type: t, Flags: f.b0 & 15, Length: 2, ID: id, First: true}
		in.Advance(h + 2)
		p.Data, _ = in.ReadN(0)
	case f.b0 == 0xc0 && rem == 0:
		p = Packet{Type: PINGREQ, First: true}
		in.Advance(h)
		p.Data, _ = in.ReadN(0)
	default:
		return Packet{}, false
	}
	return p, true
}
