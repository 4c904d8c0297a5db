package mqtt

import (
	"context"
	"encoding/binary"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// AppendVarInt appends n as a Variable Byte Integer (at most 268435455)
// and returns the extended buffer.
func AppendVarInt(dst []byte, n uint32) []byte {
	for n >= 0x80 {
		dst = append(dst, byte(n)|0x80)
		n >>= 7
	}
	return append(dst, byte(n))
}

// AppendProperty appends property q in its encoding, its kind taken from
// its identifier, and returns the extended buffer: Value for a byte,
// integer or variable byte integer, Data for a string or binary data, Key
// and Data for a user property.
func AppendProperty(dst []byte, q Property) []byte {
	dst = append(dst, byte(q.ID))
	switch q.ID.Kind() {
	case KindByte:
		dst = append(dst, byte(q.Value))
	case KindUint16:
		dst = binary.BigEndian.AppendUint16(dst, uint16(q.Value))
	case KindUint32:
		dst = binary.BigEndian.AppendUint32(dst, q.Value)
	case KindVarInt:
		dst = AppendVarInt(dst, q.Value)
	case KindString, KindBinary:
		dst = appendString(dst, q.Data)
	case KindPair:
		dst = appendString(appendString(dst, q.Key), q.Data)
	}
	return dst
}

func appendString(dst []byte, s seq.Sequence) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(s.Len()))
	return s.AppendTo(dst)
}

func appendProps(dst []byte, p Properties) []byte {
	return p.raw.AppendTo(AppendVarInt(dst, uint32(p.raw.Len())))
}

func propsLen(p Properties) int {
	n := uint32(p.raw.Len())
	return varLen(n) + int(n)
}

// firstByte returns the first byte of p in its encoding: the type and
// the flags the type requires, or a PUBLISH's flags from Dup, QoS and
// Retain.
func firstByte(p *Packet) byte {
	if p.Type == PUBLISH {
		b := byte(PUBLISH)<<4 | p.QoS&3<<1
		if p.Dup {
			b |= 8
		}
		if p.Retain {
			b |= 1
		}
		return b
	}
	return byte(p.Type)<<4 | flagsOf(p.Type)
}

// AppendHead appends packet p of protocol version v to dst, all but a
// PUBLISH's payload, and returns the extended buffer: the remaining length
// counts p.Data (the whole payload) for a PUBLISH, whose payload the
// caller appends or writes next. Fields that the packet type or version
// does not have are ignored; an MQTT 5 acknowledgement, DISCONNECT or
// AUTH leaves out its reason code and properties when they are Success and
// empty, as the specification allows. It encodes what it is given: an
// invalid packet (a zero packet identifier, a QoS of 3, strings over 65535
// bytes) is the caller's to avoid.
func AppendHead(dst []byte, v Version, p *Packet) []byte {
	if p.Type == PUBLISH {
		n := 2 + p.Topic.Len() + p.Data.Len()
		if p.QoS > 0 {
			n += 2
		}
		if v == V5 {
			n += propsLen(p.Props)
		}
		dst = AppendVarInt(append(dst, firstByte(p)), uint32(n))
		dst = appendString(dst, p.Topic)
		if p.QoS > 0 {
			dst = binary.BigEndian.AppendUint16(dst, p.ID)
		}
		if v == V5 {
			dst = appendProps(dst, p.Props)
		}
		return dst
	}
	// The body first, after room for the longest fixed header; then the
	// header, and the body moved up against it.
	start := len(dst)
	dst = append(dst, make([]byte, MaxFixedHeader)...)
	body := len(dst)
	dst = appendBody(dst, v, p)
	n := uint32(len(dst) - body)
	h := AppendVarInt(append(make([]byte, 0, MaxFixedHeader), firstByte(p)), n)
	at := body - len(h)
	copy(dst[at:], h)
	if at > start {
		copy(dst[start:], dst[at:])
		dst = dst[:len(dst)-(at-start)]
	}
	return dst
}

// appendBody appends the variable header and payload of a packet other
// than PUBLISH.
func appendBody(dst []byte, v Version, p *Packet) []byte {
	switch p.Type {
	case CONNECT:
		c := p.Connect
		if c == nil {
			c = &Connect{Version: v}
		}
		dst = appendString(dst, seq.Of([]byte("MQTT")))
		dst = append(dst, byte(c.Version), c.Flags)
		dst = binary.BigEndian.AppendUint16(dst, c.KeepAlive)
		if c.Version == V5 {
			dst = appendProps(dst, c.Props)
		}
		dst = appendString(dst, c.ClientID)
		if c.Will() {
			if c.Version == V5 {
				dst = appendProps(dst, c.WillProps)
			}
			dst = appendString(appendString(dst, c.WillTopic), c.WillPayload)
		}
		if c.HasUsername() {
			dst = appendString(dst, c.Username)
		}
		if c.HasPassword() {
			dst = appendString(dst, c.Password)
		}
	case CONNACK:
		var f byte
		if p.SessionPresent {
			f = 1
		}
		dst = append(dst, f, byte(p.Reason))
		if v == V5 {
			dst = appendProps(dst, p.Props)
		}
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		dst = binary.BigEndian.AppendUint16(dst, p.ID)
		if v == V5 {
			dst = appendTail(dst, p)
		}
	case SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK:
		dst = binary.BigEndian.AppendUint16(dst, p.ID)
		if v == V5 {
			dst = appendProps(dst, p.Props)
		}
		if v == V5 || p.Type != UNSUBACK {
			dst = p.Body.AppendTo(dst)
		}
	case DISCONNECT, AUTH:
		if v == V5 {
			dst = appendTail(dst, p)
		}
	}
	return dst
}

// appendTail appends an MQTT 5 reason code and properties, leaving out
// what the specification lets a packet end without.
func appendTail(dst []byte, p *Packet) []byte {
	if p.Reason == Success && p.Props.Len() == 0 {
		return dst
	}
	dst = append(dst, byte(p.Reason))
	if p.Props.Len() == 0 {
		return dst
	}
	return appendProps(dst, p.Props)
}

// Append appends packet p of protocol version v to dst, a PUBLISH with
// p.Data as its whole payload, and returns the extended buffer (see
// AppendHead).
func Append(dst []byte, v Version, p *Packet) []byte {
	dst = AppendHead(dst, v, p)
	if p.Type == PUBLISH {
		dst = p.Data.AppendTo(dst)
	}
	return dst
}

// AppendSubscriptions appends SUBSCRIBE entries to dst, for Packet.Body.
func AppendSubscriptions(dst []byte, subs ...Subscription) []byte {
	for _, s := range subs {
		dst = append(appendString(dst, s.Filter), s.Options)
	}
	return dst
}

// AppendFilters appends UNSUBSCRIBE entries (topic filters) to dst, for
// Packet.Body.
func AppendFilters(dst []byte, filters ...string) []byte {
	for _, f := range filters {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(f)))
		dst = append(dst, f...)
	}
	return dst
}

// WritePacket writes packet p of protocol version v into w, a PUBLISH
// with payload as its payload (p.Data is ignored), and flushes it. The
// payload is copied into the pipe in pieces, never gathered with the head.
func WritePacket(ctx context.Context, w pipe.Writer, v Version, p *Packet, payload []byte) error {
	q := *p
	q.Data = seq.Sequence{}
	size := 0
	if q.Type == PUBLISH {
		size = len(payload)
		q.Data = seq.Of(payload)
	}
	buf := w.Buffer(headBound(&q))
	head := AppendHead(buf[:0], v, &q)
	if len(head) <= len(buf) && &head[0] == &buf[0] {
		w.Advance(len(head))
	} else {
		for b := head; len(b) > 0; {
			n := copy(w.Buffer(len(b)), b)
			w.Advance(n)
			b = b[n:]
		}
	}
	for size > 0 {
		n := copy(w.Buffer(min(len(payload), 64<<10)), payload)
		w.Advance(n)
		payload, size = payload[n:], size-n
	}
	_, err := w.Flush(ctx)
	return err
}

// headBound is at least the length of p's encoding without a PUBLISH
// payload.
func headBound(p *Packet) int {
	n := 64 + p.Topic.Len() + p.Props.Len() + p.Body.Len()
	if c := p.Connect; c != nil {
		n += c.Props.Len() + c.ClientID.Len() + c.WillProps.Len() + c.WillTopic.Len() + c.WillPayload.Len() + c.Username.Len() + c.Password.Len() + 32
	}
	return n + MaxFixedHeader
}
