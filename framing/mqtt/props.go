package mqtt

import (
	"iter"

	"github.com/sluicego/sluice/seq"
)

// PropID is an MQTT 5 property identifier (MQTT 5.0 section 2.2.2.2).
type PropID uint8

// The property identifiers of MQTT 5.
const (
	PropPayloadFormat        PropID = 0x01
	PropMessageExpiry        PropID = 0x02
	PropContentType          PropID = 0x03
	PropResponseTopic        PropID = 0x08
	PropCorrelationData      PropID = 0x09
	PropSubscriptionID       PropID = 0x0B
	PropSessionExpiry        PropID = 0x11
	PropAssignedClientID     PropID = 0x12
	PropServerKeepAlive      PropID = 0x13
	PropAuthMethod           PropID = 0x15
	PropAuthData             PropID = 0x16
	PropRequestProblemInfo   PropID = 0x17
	PropWillDelay            PropID = 0x18
	PropRequestResponseInfo  PropID = 0x19
	PropResponseInfo         PropID = 0x1A
	PropServerReference      PropID = 0x1C
	PropReasonString         PropID = 0x1F
	PropReceiveMaximum       PropID = 0x21
	PropTopicAliasMaximum    PropID = 0x22
	PropTopicAlias           PropID = 0x23
	PropMaximumQoS           PropID = 0x24
	PropRetainAvailable      PropID = 0x25
	PropUserProperty         PropID = 0x26
	PropMaximumPacketSize    PropID = 0x27
	PropWildcardSubAvailable PropID = 0x28
	PropSubIDAvailable       PropID = 0x29
	PropSharedSubAvailable   PropID = 0x2A
)

// PropKind is the data type of a property's value.
type PropKind uint8

// The data types of property values (MQTT 5.0 section 1.5).
const (
	KindByte   PropKind = iota + 1 // a byte (every byte property is 0 or 1)
	KindUint16                     // a two-byte integer
	KindUint32                     // a four-byte integer
	KindVarInt                     // a variable byte integer
	KindString                     // a UTF-8 string
	KindBinary                     // binary data
	KindPair                       // a UTF-8 string pair
)

// where a property may appear: one bit per packet type (1<<Type), and
// willBit for the will properties of a CONNECT.
const willBit = 1

func on(ts ...Type) uint32 {
	var m uint32
	for _, t := range ts {
		m |= 1 << t
	}
	return m
}

type propSpec struct {
	kind  PropKind
	where uint32
}

var allTypes = on(CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH) | willBit

// props is the table of MQTT 5.0 section 2.2.2.2: each property's type and
// the packets it may appear in.
var props = [...]propSpec{
	PropPayloadFormat:        {KindByte, on(PUBLISH) | willBit},
	PropMessageExpiry:        {KindUint32, on(PUBLISH) | willBit},
	PropContentType:          {KindString, on(PUBLISH) | willBit},
	PropResponseTopic:        {KindString, on(PUBLISH) | willBit},
	PropCorrelationData:      {KindBinary, on(PUBLISH) | willBit},
	PropSubscriptionID:       {KindVarInt, on(PUBLISH, SUBSCRIBE)},
	PropSessionExpiry:        {KindUint32, on(CONNECT, CONNACK, DISCONNECT)},
	PropAssignedClientID:     {KindString, on(CONNACK)},
	PropServerKeepAlive:      {KindUint16, on(CONNACK)},
	PropAuthMethod:           {KindString, on(CONNECT, CONNACK, AUTH)},
	PropAuthData:             {KindBinary, on(CONNECT, CONNACK, AUTH)},
	PropRequestProblemInfo:   {KindByte, on(CONNECT)},
	PropWillDelay:            {KindUint32, willBit},
	PropRequestResponseInfo:  {KindByte, on(CONNECT)},
	PropResponseInfo:         {KindString, on(CONNACK)},
	PropServerReference:      {KindString, on(CONNACK, DISCONNECT)},
	PropReasonString:         {KindString, on(CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH)},
	PropReceiveMaximum:       {KindUint16, on(CONNECT, CONNACK)},
	PropTopicAliasMaximum:    {KindUint16, on(CONNECT, CONNACK)},
	PropTopicAlias:           {KindUint16, on(PUBLISH)},
	PropMaximumQoS:           {KindByte, on(CONNACK)},
	PropRetainAvailable:      {KindByte, on(CONNACK)},
	PropUserProperty:         {KindPair, allTypes},
	PropMaximumPacketSize:    {KindUint32, on(CONNECT, CONNACK)},
	PropWildcardSubAvailable: {KindByte, on(CONNACK)},
	PropSubIDAvailable:       {KindByte, on(CONNACK)},
	PropSharedSubAvailable:   {KindByte, on(CONNACK)},
}

// Kind returns the data type of the property's value, 0 for an unknown
// identifier.
func (id PropID) Kind() PropKind {
	if int(id) < len(props) {
		return props[id].kind
	}
	return 0
}

// allowed reports whether property id may appear in a packet of type t
// (willBit for the will properties).
func allowed(id PropID, where uint32) bool {
	return int(id) < len(props) && props[id].where&where != 0
}

// repeatable reports whether id may appear more than once in the
// properties of a packet of type t: the user property everywhere, the
// subscription identifier in a PUBLISH (one per matching subscription).
func repeatable(id PropID, t Type) bool {
	return id == PropUserProperty || id == PropSubscriptionID && t == PUBLISH
}

// Property is one property of a [Properties] view.
type Property struct {
	// ID is the property's identifier.
	ID PropID
	// Value is the value of a byte, integer or variable byte integer
	// property.
	Value uint32
	// Data is the value of a string or binary property, and the value
	// of a user property; a view with the packet's lifetime.
	Data seq.Sequence
	// Key is the name of a user property (a string pair).
	Key seq.Sequence
}

// Properties is a view of an MQTT 5 property list, checked when the
// packet was read: every identifier known and allowed in its packet,
// every value well-formed, no property repeated where the specification
// forbids it. It holds no copy: it is valid as long as the packet's
// views.
type Properties struct {
	raw seq.Sequence
	has uint64 // 1<<id for each identifier present
}

// PropertiesOf returns a view of raw, the encoding of a property list
// without its length (as AppendProperty and its siblings write it), for
// an encoder. It checks nothing.
func PropertiesOf(raw []byte) Properties {
	p := Properties{raw: seq.Of(raw)}
	for q := range p.All() {
		p.has |= 1 << q.ID
	}
	return p
}

// Bytes returns the view of the encoded properties (without their
// length).
func (p Properties) Bytes() seq.Sequence { return p.raw }

// Len returns the length of the encoded properties.
func (p Properties) Len() int { return p.raw.Len() }

// Has reports whether a property id is present.
func (p Properties) Has(id PropID) bool { return id < 64 && p.has&(1<<id) != 0 }

// Get returns the first property id, if present.
func (p Properties) Get(id PropID) (Property, bool) {
	if !p.Has(id) {
		return Property{}, false
	}
	for q := range p.All() {
		if q.ID == id {
			return q, true
		}
	}
	return Property{}, false
}

// All returns an iterator over the properties in their order on the
// wire. It allocates nothing.
func (p Properties) All() iter.Seq[Property] {
	return func(yield func(Property) bool) {
		r := seq.NewReader(p.raw)
		for r.Remaining() > 0 {
			b, _ := r.ReadByte()
			q := Property{ID: PropID(b)}
			switch q.ID.Kind() {
			case KindByte:
				v, _ := r.ReadByte()
				q.Value = uint32(v)
			case KindUint16:
				v, _ := r.ReadUint16BE()
				q.Value = uint32(v)
			case KindUint32:
				q.Value, _ = r.ReadUint32BE()
			case KindVarInt:
				v, _ := r.ReadUvarint()
				q.Value = uint32(v)
			case KindString, KindBinary:
				q.Data = readString(&r)
			case KindPair:
				q.Key = readString(&r)
				q.Data = readString(&r)
			default:
				return // not a list this package checked
			}
			if !yield(q) {
				return
			}
		}
	}
}

// readString reads a two-byte length and that many bytes from checked
// input.
func readString(r *seq.Reader) seq.Sequence {
	n, _ := r.ReadUint16BE()
	s, _ := r.ReadN(int(n))
	return s
}

// Subscriptions returns an iterator over a SUBSCRIBE packet's topic
// filters and options (none for another packet type).
func (p *Packet) Subscriptions() iter.Seq[Subscription] {
	return func(yield func(Subscription) bool) {
		if p.Type != SUBSCRIBE {
			return
		}
		r := seq.NewReader(p.Body)
		for r.Remaining() > 0 {
			f := readString(&r)
			o, _ := r.ReadByte()
			if !yield(Subscription{Filter: f, Options: o}) {
				return
			}
		}
	}
}

// Filters returns an iterator over an UNSUBSCRIBE packet's topic filters
// (none for another packet type).
func (p *Packet) Filters() iter.Seq[seq.Sequence] {
	return func(yield func(seq.Sequence) bool) {
		if p.Type != UNSUBSCRIBE {
			return
		}
		r := seq.NewReader(p.Body)
		for r.Remaining() > 0 {
			if !yield(readString(&r)) {
				return
			}
		}
	}
}

// Reasons returns an iterator over the return or reason codes of a
// SUBACK, or of an MQTT 5 UNSUBACK (none for another packet type, or a
// 3.1.1 UNSUBACK, which has none).
func (p *Packet) Reasons() iter.Seq[ReasonCode] {
	return func(yield func(ReasonCode) bool) {
		if p.Type != SUBACK && p.Type != UNSUBACK {
			return
		}
		for c := range p.Body.Chunks() {
			for _, b := range c {
				if !yield(ReasonCode(b)) {
					return
				}
			}
		}
	}
}
