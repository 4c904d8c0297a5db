package mqtt

import (
	"bytes"
	"unicode/utf8"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// The grammar of MQTT 3.1.1 (OASIS Standard, 29 October 2014) and MQTT
// 5.0 (OASIS Standard, 7 March 2019), declared once per protocol version:
// a dispatch on a packet's first byte to the grammar of that type with
// those flags. A packet other than PUBLISH is read whole (its remaining
// length checked and waited for in one piece); a PUBLISH is read up to its
// payload (Within), which the Decoder's Parts stream delivers in parts.

// remLen is the remaining length: a Variable Byte Integer of at most four
// bytes, in its shortest form.
var remLen = cb.Tag(ErrRemainingLength, cb.Map(cb.VarUint(4), func(v uint64) uint32 { return uint32(v) }))

// fixed is a packet's fixed header, read without being consumed by the
// Decoder before it chooses the grammar of the packet.
type fixed struct {
	b0  byte
	rem uint32
}

var fixedHeader = cb.Peek(cb.Seq2(cb.Uint8(), remLen, func(b byte, n uint32) fixed { return fixed{b, n} }))

// varLen returns the length of the shortest Variable Byte Integer
// encoding of n.
func varLen(n uint32) int {
	switch {
	case n < 1<<7:
		return 1
	case n < 1<<14:
		return 2
	case n < 1<<21:
		return 3
	}
	return 4
}

// validString reports whether s is a well-formed UTF-8 string of MQTT:
// valid UTF-8 without U+0000 (MQTT 5.0 section 1.5.4), across segment
// boundaries too.
func validString(s seq.Sequence) bool {
	if s.IsSingleSegment() {
		b := s.First()
		return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
	}
	var buf [utf8.UTFMax]byte
	n := 0 // bytes of a rune cut by a segment boundary, in buf
	for c := range s.Chunks() {
		if bytes.IndexByte(c, 0) >= 0 {
			return false
		}
		for len(c) > 0 {
			if n > 0 {
				buf[n], n, c = c[0], n+1, c[1:]
				if !utf8.FullRune(buf[:n]) {
					continue
				}
				if r, size := utf8.DecodeRune(buf[:n]); r == utf8.RuneError && size <= 1 || size != n {
					return false
				}
				n = 0
				continue
			}
			end := len(c)
			for i := len(c) - 1; i >= max(0, len(c)-utf8.UTFMax+1); i-- {
				if utf8.RuneStart(c[i]) {
					if !utf8.FullRune(c[i:]) {
						end = i
					}
					break
				}
			}
			if !utf8.Valid(c[:end]) {
				return false
			}
			n, c = copy(buf[:], c[end:]), nil
		}
	}
	return n == 0
}

func checkString(s seq.Sequence) (seq.Sequence, error) {
	if !validString(s) {
		return s, ErrString
	}
	return s, nil
}

// Strings and binary data: a two-byte length and that many bytes.
var (
	binData = cb.LengthPrefixedBytes(cb.Uint16BE())
	str     = cb.MapErr(binData, checkString)
	pair    = cb.Seq2(str, str, func(k, v seq.Sequence) [2]seq.Sequence { return [2]seq.Sequence{k, v} })
)

// packetID is a packet identifier, which may not be 0.
var packetID = cb.MapErr(cb.Uint16BE(), func(id uint16) (uint16, error) {
	if id == 0 {
		return 0, ErrPacketID
	}
	return id, nil
})

// refuse returns a parser that reads a byte and refuses it with e, at the
// byte's offset: the default of a dispatch whose other bytes are
// malformed in one way.
func refuse[T any](msg string, e *Error) parse.TryParse[T] {
	return cb.Map(cb.Check(cb.Uint8(), func(off int64, _ byte) error {
		return &parse.SyntaxError{Offset: off, Msg: msg, Err: e}
	}), func(byte) T { var zero T; return zero })
}

// Properties. Each property is its identifier (a Variable Byte Integer;
// every identifier is below 128, so one byte) and a value of its type;
// the list is a Variable Byte Integer length and the properties.

func nonZero[T uint16 | uint32 | uint64](v T) (T, error) {
	if v == 0 {
		return v, ErrPropertyValue
	}
	return v, nil
}

func oneBit(v byte) (byte, error) {
	if v > 1 {
		return v, ErrPropertyValue
	}
	return v, nil
}

// value returns the grammar of property id's value.
func value(id PropID) parse.TryParse[PropID] {
	switch id.Kind() {
	case KindByte:
		return cb.Map(cb.MapErr(cb.Uint8(), oneBit), func(byte) PropID { return id })
	case KindUint16:
		if id == PropReceiveMaximum || id == PropTopicAlias {
			return cb.Map(cb.MapErr(cb.Uint16BE(), nonZero[uint16]), func(uint16) PropID { return id })
		}
		return cb.Map(cb.Uint16BE(), func(uint16) PropID { return id })
	case KindUint32:
		if id == PropMaximumPacketSize {
			return cb.Map(cb.MapErr(cb.Uint32BE(), nonZero[uint32]), func(uint32) PropID { return id })
		}
		return cb.Map(cb.Uint32BE(), func(uint32) PropID { return id })
	case KindVarInt:
		return cb.Map(cb.MapErr(cb.VarUint(4), nonZero[uint64]), func(uint64) PropID { return id })
	case KindString:
		return cb.Map(str, func(seq.Sequence) PropID { return id })
	case KindBinary:
		return cb.Map(binData, func(seq.Sequence) PropID { return id })
	case KindPair:
		return cb.Map(pair, func([2]seq.Sequence) PropID { return id })
	}
	panic("mqtt: no property " + string(rune(id)))
}

// property reads one property and returns its identifier.
var property = func() parse.TryParse[PropID] {
	cases := map[byte]parse.TryParse[PropID]{}
	for id := range props {
		if props[id].kind != 0 {
			cases[byte(id)] = cb.Then(cb.Uint8(), value(PropID(id)))
		}
	}
	return cb.Dispatch(cases, refuse[PropID]("unknown property", ErrProperty))
}()

// seen is what a property list's Fold gathers: the identifiers present,
// and those present more than once.
type seen struct{ has, dups uint64 }

func see(s seen, id PropID) seen {
	bit := uint64(1) << id
	if s.has&bit != 0 {
		s.dups |= bit
	}
	s.has |= bit
	return s
}

// anyByte is the head of a Commit around a list's element: once a byte is
// there, an element must start at it, and a malformed one is reported as
// it is instead of ending the list.
var anyByte = cb.Peek(cb.Uint8())

var propList = cb.LengthPrefixed(cb.VarUint(4), cb.Recognize(cb.Fold(cb.Commit(anyByte, property), 0, -1, seen{}, see)))

// propsFor returns the grammar of the property list of a packet of type t
// (willBit: of a will): every property allowed there, none repeated that
// may appear once.
func propsFor(t Type, will bool) parse.TryParse[Properties] {
	where := uint32(1) << t
	if will {
		where = willBit
	}
	var ok, once uint64
	for id := range props {
		if props[id].kind != 0 && allowed(PropID(id), where) {
			ok |= 1 << id
			if will || !repeatable(PropID(id), t) {
				once |= 1 << id
			}
		}
	}
	if will {
		once &^= 1 << PropUserProperty
	}
	return cb.MapErr(propList, func(r cb.Recognized[seen]) (Properties, error) {
		switch {
		case r.Value.has&^ok != 0:
			return Properties{}, ErrProperty
		case r.Value.dups&once != 0:
			return Properties{}, ErrDuplicateProperty
		}
		return Properties{raw: r.Bytes, has: r.Value.has}, nil
	})
}

// then appends a field to a grammar that builds a T: set returns the T
// with the field's value in it (by value: a pointer through a func value
// would move every T to the heap).
func then[T, F any](p parse.TryParse[T], f parse.TryParse[F], set func(T, F) T) parse.TryParse[T] {
	return cb.Seq2(p, f, set)
}

// whole returns the grammar of a packet read whole: its first byte, its
// remaining length checked against lo and hi (the lengths its type can
// have), and its body of exactly that length, read by body.
func whole(b0 byte, lo, hi uint32, body parse.TryParse[Packet]) parse.TryParse[Packet] {
	n := cb.Check(remLen, func(off int64, n uint32) error {
		if n < lo || n > hi {
			return &parse.SyntaxError{Offset: off, Msg: "remaining length of " + Type(b0>>4).String(), Err: ErrRemainingLength}
		}
		return nil
	})
	return cb.Map(cb.Then(cb.Uint8(), cb.LengthPrefixed(n, body)), func(p Packet) Packet {
		p.Type, p.Flags, p.First = Type(b0>>4), b0&15, true
		return p
	})
}

const maxRem = 1<<28 - 1

// empty is the body of a packet without one.
var empty = cb.Map(cb.Take(0), func(seq.Sequence) Packet { return Packet{} })

var withID = cb.Map(packetID, func(id uint16) Packet { return Packet{ID: id} })

// reason reads a reason code.
var reason = cb.Map(cb.Uint8(), func(b byte) ReasonCode { return ReasonCode(b) })

// tail5 is what follows the packet identifier of an MQTT 5 PUBACK,
// PUBREC, PUBREL or PUBCOMP, or makes up a DISCONNECT or AUTH: a reason
// code and properties, each left out when the packet ends before it.
func tail5(p parse.TryParse[Packet], t Type) parse.TryParse[Packet] {
	rest := cb.Opt(cb.Seq2(reason, cb.Opt(propsFor(t, false)), func(r ReasonCode, m cb.Maybe[Properties]) Packet {
		return Packet{Reason: r, Props: m.Value}
	}))
	return cb.Seq2(p, rest, func(v Packet, m cb.Maybe[Packet]) Packet {
		v.Reason, v.Props = m.Value.Reason, m.Value.Props
		return v
	})
}

// entries reads the entries of a SUBSCRIBE, UNSUBSCRIBE, SUBACK or
// UNSUBACK payload, the rest of the packet, at least one, and returns
// their bytes. The count is checked on the rest before the list is read:
// a list that ends at the end of the packet has looked past it, and a
// fault reported after that would be taken for a truncation.
func entries[T any](entry parse.TryParse[T]) parse.TryParse[seq.Sequence] {
	some := cb.Peek(cb.MapErr(cb.Rest(), func(s seq.Sequence) (seq.Sequence, error) {
		if s.Len() == 0 {
			return s, ErrEmptyPayload
		}
		return s, nil
	}))
	all := cb.Recognize(cb.Fold(cb.Commit(anyByte, entry), 0, -1, struct{}{}, func(s struct{}, _ T) struct{} { return s }))
	return cb.Then(some, cb.Map(all, func(r cb.Recognized[struct{}]) seq.Sequence { return r.Bytes }))
}

func codeIn(codes ...byte) parse.TryParse[byte] {
	var ok [256]bool
	for _, c := range codes {
		ok[c] = true
	}
	return cb.MapErr(cb.Uint8(), func(b byte) (byte, error) {
		if !ok[b] {
			return b, ErrSubscription
		}
		return b, nil
	})
}

// subOptions checks a subscription options byte: in 3.1.1 a QoS (0–2) and
// nothing else; in 5 a QoS, No Local, Retain As Published and a Retain
// Handling of 0–2, the two high bits clear.
func subOptions(v Version) parse.TryParse[byte] {
	return cb.MapErr(cb.Uint8(), func(o byte) (byte, error) {
		bad := o&3 == 3
		if v == V311 {
			bad = bad || o&^3 != 0
		} else {
			bad = bad || o&0xc0 != 0 || o>>4&3 == 3
		}
		if bad {
			return o, ErrSubscription
		}
		return o, nil
	})
}

// withProps adds a packet's MQTT 5 properties after p.
func withProps(p parse.TryParse[Packet], t Type) parse.TryParse[Packet] {
	return then(p, propsFor(t, false), func(v Packet, x Properties) Packet { v.Props = x; return v })
}

func setBody(v Packet, b seq.Sequence) Packet { v.Body = b; return v }

// publish returns the grammar of a PUBLISH head with flags f: the first
// byte, the remaining length, the topic, the packet identifier (QoS 1 and
// 2) and the properties (MQTT 5), the payload's length left in size.
func publish(v Version, f byte) parse.TryParse[Packet] {
	qos := f >> 1 & 3
	topic := cb.Map(str, func(s seq.Sequence) Packet { return Packet{Topic: s} })
	if qos > 0 {
		topic = then(topic, packetID, func(p Packet, id uint16) Packet { p.ID = id; return p })
	}
	if v == V5 {
		topic = withProps(topic, PUBLISH)
	}
	topic = cb.MapErr(topic, func(p Packet) (Packet, error) {
		if p.Topic.IndexAny("+#") >= 0 || p.Topic.Len() == 0 && !p.Props.Has(PropTopicAlias) {
			return p, ErrTopic
		}
		return p, nil
	})
	return cb.Then(cb.Uint8(), cb.Within(remLen, topic, func(n uint32, p Packet, used int) Packet {
		p.Type, p.Flags, p.First = PUBLISH, f, true
		p.Dup, p.QoS, p.Retain = f&8 != 0, qos, f&1 != 0
		p.size = n - uint32(used)
		return p
	}))
}

// connHead is a CONNECT's variable header up to its properties.
type connHead struct {
	version   Version
	flags     byte
	keepAlive uint16
}

var protocolName = cb.MapErr(binData, func(s seq.Sequence) (seq.Sequence, error) {
	if !s.Equal([]byte("MQTT")) {
		return s, ErrProtocolName
	}
	return s, nil
})

var connectHead = cb.MapErr(cb.Seq4(protocolName, cb.Uint8(), cb.Uint8(), cb.Uint16BE(), func(_ seq.Sequence, v, f byte, k uint16) connHead {
	return connHead{Version(v), f, k}
}), func(h connHead) (connHead, error) {
	f := h.flags
	switch {
	case h.version != V311 && h.version != V5:
		return h, ErrProtocolVersion
	case f&1 != 0, f&flagWillQoSMask == flagWillQoSMask,
		f&FlagWill == 0 && f&(flagWillQoSMask|FlagWillRetain) != 0,
		h.version == V311 && f&FlagUsername == 0 && f&FlagPassword != 0:
		return h, ErrConnectFlags
	}
	return h, nil
})

// connKey is what decides the shape of a CONNECT after its header.
type connKey struct {
	v                 Version
	will, user, paswd bool
}

// connect is a CONNECT packet's body: the header is peeked to choose the
// grammar of its shape, which reads it again with the rest.
var connect = func() parse.TryParse[Packet] {
	cases := map[connKey]parse.TryParse[Packet]{}
	for _, v := range []Version{V311, V5} {
		for k := range 8 {
			key := connKey{v, k&1 != 0, k&2 != 0, k&4 != 0}
			c := cb.Map(connectHead, func(h connHead) Connect { return Connect{Version: h.version, Flags: h.flags, KeepAlive: h.keepAlive} })
			if v == V5 {
				c = then(c, propsFor(CONNECT, false), func(c Connect, p Properties) Connect { c.Props = p; return c })
			}
			c = then(c, str, func(c Connect, s seq.Sequence) Connect { c.ClientID = s; return c })
			if key.will {
				if v == V5 {
					c = then(c, propsFor(CONNECT, true), func(c Connect, p Properties) Connect { c.WillProps = p; return c })
				}
				c = then(c, str, func(c Connect, s seq.Sequence) Connect { c.WillTopic = s; return c })
				c = then(c, binData, func(c Connect, s seq.Sequence) Connect { c.WillPayload = s; return c })
			}
			if key.user {
				c = then(c, str, func(c Connect, s seq.Sequence) Connect { c.Username = s; return c })
			}
			if key.paswd {
				c = then(c, binData, func(c Connect, s seq.Sequence) Connect { c.Password = s; return c })
			}
			cases[key] = cb.Map(c, func(c Connect) Packet { return Packet{Connect: &c} })
		}
	}
	key := cb.Peek(cb.Map(connectHead, func(h connHead) connKey {
		return connKey{h.version, h.flags&FlagWill != 0, h.flags&FlagUsername != 0, h.flags&FlagPassword != 0}
	}))
	return cb.Switch(key, cases, nil)
}()

// grammar returns the grammar of every packet of protocol version v: a
// dispatch on the first byte.
func grammar(v Version) parse.TryParse[Packet] {
	cases := map[byte]parse.TryParse[Packet]{}
	ack := func(t Type) parse.TryParse[Packet] {
		if v == V311 {
			return whole(byte(t)<<4|flagsOf(t), 2, 2, withID)
		}
		return whole(byte(t)<<4|flagsOf(t), 2, maxRem, tail5(withID, t))
	}
	cases[0x10] = whole(0x10, 10, maxRem, connect)
	connackFlags := cb.Map(cb.Seq2(cb.MapErr(cb.Uint8(), func(f byte) (byte, error) {
		if f&^1 != 0 {
			return f, ErrConnackFlags
		}
		return f, nil
	}), reason, func(f byte, r ReasonCode) Packet {
		return Packet{SessionPresent: f&1 != 0, Reason: r}
	}), func(p Packet) Packet { return p })
	if v == V311 {
		cases[0x20] = whole(0x20, 2, 2, connackFlags)
	} else {
		cases[0x20] = whole(0x20, 3, maxRem, withProps(connackFlags, CONNACK))
	}
	for f := byte(0); f < 16; f++ {
		if q := f >> 1 & 3; q < 3 && !(q == 0 && f&8 != 0) {
			cases[0x30|f] = publish(v, f)
		}
	}
	for _, t := range []Type{PUBACK, PUBREC, PUBREL, PUBCOMP} {
		cases[byte(t)<<4|flagsOf(t)] = ack(t)
	}
	filters := entries(then(cb.Map(str, func(s seq.Sequence) Subscription { return Subscription{Filter: s} }), subOptions(v),
		func(s Subscription, o byte) Subscription { s.Options = o; return s }))
	unfilters := entries(str)
	var subackCodes, unsubackCodes parse.TryParse[seq.Sequence]
	sub, suback, unsub := withID, withID, withID
	if v == V311 {
		subackCodes = entries(codeIn(0x00, 0x01, 0x02, 0x80))
	} else {
		subackCodes = entries(codeIn(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2))
		unsubackCodes = entries(codeIn(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91))
		sub, suback, unsub = withProps(withID, SUBSCRIBE), withProps(withID, SUBACK), withProps(withID, UNSUBSCRIBE)
	}
	cases[0x82] = whole(0x82, 3, maxRem, then(sub, filters, setBody))
	cases[0x90] = whole(0x90, 3, maxRem, then(suback, subackCodes, setBody))
	cases[0xa2] = whole(0xa2, 2, maxRem, then(unsub, unfilters, setBody))
	if v == V311 {
		cases[0xb0] = whole(0xb0, 2, 2, withID)
	} else {
		cases[0xb0] = whole(0xb0, 3, maxRem, then(withProps(withID, UNSUBACK), unsubackCodes, setBody))
	}
	cases[0xc0] = whole(0xc0, 0, 0, empty)
	cases[0xd0] = whole(0xd0, 0, 0, empty)
	if v == V311 {
		cases[0xe0] = whole(0xe0, 0, 0, empty)
	} else {
		cases[0xe0] = whole(0xe0, 0, maxRem, tail5(empty, DISCONNECT))
		cases[0xf0] = whole(0xf0, 0, maxRem, tail5(empty, AUTH))
	}
	return cb.Dispatch(cases, badFirst[v])
}

// badFirst refuses a first byte that starts no packet of a version: a
// reserved type, or flags the type does not have.
var badFirst = map[Version]parse.TryParse[Packet]{
	V311: cb.Switch(cb.Peek(cb.Map(cb.Uint8(), func(b byte) bool { return b>>4 == 0 || b>>4 == 15 })), map[bool]parse.TryParse[Packet]{
		true:  refuse[Packet]("invalid packet type", ErrReservedType),
		false: refuse[Packet]("invalid fixed header flags", ErrFlags),
	}, nil),
	V5: cb.Switch(cb.Peek(cb.Map(cb.Uint8(), func(b byte) bool { return b>>4 == 0 })), map[bool]parse.TryParse[Packet]{
		true:  refuse[Packet]("invalid packet type", ErrReservedType),
		false: refuse[Packet]("invalid fixed header flags", ErrFlags),
	}, nil),
}

// The grammars of the two versions.
var (
	grammar311 = grammar(V311)
	grammar5   = grammar(V5)
)
