package mqtt

import (
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// Version is an MQTT protocol level, as a CONNECT packet carries it.
type Version uint8

// The protocol levels this package frames.
const (
	// V311 is MQTT 3.1.1 (protocol level 4).
	V311 Version = 4
	// V5 is MQTT 5.0 (protocol level 5).
	V5 Version = 5
)

// String returns "3.1.1", "5" or "level(n)".
func (v Version) String() string {
	switch v {
	case V311:
		return "3.1.1"
	case V5:
		return "5"
	}
	return fmt.Sprintf("level(%d)", uint8(v))
}

// Type is a control packet type, the high four bits of a packet's first
// byte.
type Type uint8

// The control packet types of MQTT 3.1.1 and 5. Type 0 is reserved; AUTH
// exists in MQTT 5 only (type 15 is reserved in 3.1.1).
const (
	CONNECT     Type = 1
	CONNACK     Type = 2
	PUBLISH     Type = 3
	PUBACK      Type = 4
	PUBREC      Type = 5
	PUBREL      Type = 6
	PUBCOMP     Type = 7
	SUBSCRIBE   Type = 8
	SUBACK      Type = 9
	UNSUBSCRIBE Type = 10
	UNSUBACK    Type = 11
	PINGREQ     Type = 12
	PINGRESP    Type = 13
	DISCONNECT  Type = 14
	AUTH        Type = 15
)

var typeNames = [16]string{"reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"}

// String returns the type's name as the specification writes it
// ("PUBLISH").
func (t Type) String() string {
	if t < 16 {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// flagsOf returns the fixed flags a packet of type t must carry (the low
// four bits of its first byte): 0b0010 for PUBREL, SUBSCRIBE and
// UNSUBSCRIBE, 0 for the others. PUBLISH's flags are its own.
func flagsOf(t Type) uint8 {
	switch t {
	case PUBREL, SUBSCRIBE, UNSUBSCRIBE:
		return 2
	}
	return 0
}

// ReasonCode is an MQTT 5 reason code, or an MQTT 3.1.1 CONNACK return
// code or SUBACK return code (the byte in the same place).
type ReasonCode uint8

// Reason codes this package names (MQTT 5.0 section 2.4); the others pass
// as their numbers.
const (
	Success                     ReasonCode = 0x00
	GrantedQoS1                 ReasonCode = 0x01
	GrantedQoS2                 ReasonCode = 0x02
	UnspecifiedError            ReasonCode = 0x80
	MalformedPacket             ReasonCode = 0x81
	ProtocolError               ReasonCode = 0x82
	UnsupportedProtocolVersion  ReasonCode = 0x84
	PacketTooLarge              ReasonCode = 0x95
	TopicNameInvalid            ReasonCode = 0x90
	PacketIdentifierInUse       ReasonCode = 0x91
	SubscriptionIdsNotSupported ReasonCode = 0xA1
)

// Packet is a message of a [Decoder]: a control packet read whole, or a
// PUBLISH packet's head with the first part of its payload, or a later
// part of that payload.
//
// The views (Topic, Props, Body, Data, and everything in Connect) are
// pipe memory, valid until the next read from the Decoder; the other
// fields are plain values.
type Packet struct {
	// Type is the packet's type, in every part of a PUBLISH.
	Type Type
	// Flags are the low four bits of the first byte.
	Flags uint8
	// Length is the remaining length: the bytes after the fixed header.
	Length uint32

	// Dup, QoS and Retain are a PUBLISH packet's flags.
	Dup    bool
	QoS    uint8
	Retain bool
	// Topic is a PUBLISH packet's topic name.
	Topic seq.Sequence
	// ID is the packet identifier of a PUBLISH with QoS 1 or 2, of the
	// acknowledgements PUBACK, PUBREC, PUBREL and PUBCOMP, and of
	// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK.
	ID uint16
	// Reason is the reason code of an MQTT 5 CONNACK, PUBACK, PUBREC,
	// PUBREL, PUBCOMP, DISCONNECT or AUTH (Success where the packet
	// leaves it out), and the return code of an MQTT 3.1.1 CONNACK.
	Reason ReasonCode
	// SessionPresent is a CONNACK's session present flag.
	SessionPresent bool
	// Props are the MQTT 5 properties of the packet (none in 3.1.1).
	Props Properties
	// Body is the payload of a SUBSCRIBE, SUBACK, UNSUBSCRIBE or
	// UNSUBACK, checked: read it with [Packet.Subscriptions],
	// [Packet.Filters] or [Packet.Reasons].
	Body seq.Sequence
	// Connect is the content of a CONNECT packet, nil for the other
	// types. Its views have the packet's lifetime.
	Connect *Connect

	// First reports that this message holds the packet's head: every
	// packet but a PUBLISH comes in one message with First set.
	First bool
	// Data is PUBLISH payload bytes, possibly none, at most
	// Options.MaxPart.
	Data seq.Sequence
	// Pos is the offset of Data in the PUBLISH payload.
	Pos uint64
	// Left is how many payload bytes of the PUBLISH are still to come
	// after Data: 0 in its last part and in every other packet.
	Left uint64

	size uint32 // a PUBLISH's payload length, from the head
}

// End reports whether the packet is complete with this message.
func (p *Packet) End() bool { return p.Left == 0 }

// Connect is the variable header and payload of a CONNECT packet.
type Connect struct {
	// Version is the protocol level (4: 3.1.1, 5: 5.0).
	Version Version
	// Flags is the connect flags byte.
	Flags uint8
	// KeepAlive is the keep alive interval in seconds.
	KeepAlive uint16
	// Props are the CONNECT properties (MQTT 5).
	Props Properties
	// ClientID is the client identifier, possibly empty.
	ClientID seq.Sequence
	// WillProps are the will properties (MQTT 5, with a will).
	WillProps Properties
	// WillTopic and WillPayload are the will message, if Will().
	WillTopic, WillPayload seq.Sequence
	// Username and Password are present if HasUsername() and
	// HasPassword().
	Username, Password seq.Sequence
}

// The connect flags (MQTT 3.1.1 section 3.1.2.3).
const (
	FlagCleanStart  uint8 = 0x02
	FlagWill        uint8 = 0x04
	FlagWillRetain  uint8 = 0x20
	FlagPassword    uint8 = 0x40
	FlagUsername    uint8 = 0x80
	flagWillQoSMask uint8 = 0x18
)

// CleanStart reports the clean session (3.1.1) or clean start (5) flag.
func (c *Connect) CleanStart() bool { return c.Flags&FlagCleanStart != 0 }

// Will reports that the packet carries a will message.
func (c *Connect) Will() bool { return c.Flags&FlagWill != 0 }

// WillQoS returns the will message's QoS.
func (c *Connect) WillQoS() uint8 { return c.Flags & flagWillQoSMask >> 3 }

// WillRetain reports the will retain flag.
func (c *Connect) WillRetain() bool { return c.Flags&FlagWillRetain != 0 }

// HasUsername reports that a user name is present.
func (c *Connect) HasUsername() bool { return c.Flags&FlagUsername != 0 }

// HasPassword reports that a password is present.
func (c *Connect) HasPassword() bool { return c.Flags&FlagPassword != 0 }

// Subscription is one topic filter of a SUBSCRIBE packet with its
// subscription options byte (in 3.1.1, the requested QoS alone).
type Subscription struct {
	// Filter is the topic filter, a view with the packet's lifetime.
	Filter seq.Sequence
	// Options is the subscription options byte: QoS in bits 0–1, and in
	// MQTT 5 No Local (bit 2), Retain As Published (bit 3) and Retain
	// Handling (bits 4–5).
	Options uint8
}

// QoS returns the maximum QoS the subscription asks for.
func (s Subscription) QoS() uint8 { return s.Options & 3 }
