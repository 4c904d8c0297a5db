package mqtt

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// Error is a violation of MQTT 3.1.1 or 5, or of a Decoder's limits: every
// sentinel below is one. A decoder's error wraps one in a
// *parse.SyntaxError that gives the stream offset; errors.Is matches the
// sentinel and errors.As finds the *Error, whose Code is the MQTT 5 reason
// code to disconnect with.
type Error struct {
	// Code is the reason code an MQTT 5 endpoint sends in its DISCONNECT
	// (or CONNACK) in answer.
	Code ReasonCode
	msg  string
}

// Error returns the violation's text, prefixed "mqtt: ".
func (e *Error) Error() string { return e.msg }

// Is makes ErrPacketTooLarge match parse.ErrTooLarge too.
func (e *Error) Is(target error) bool { return e.Code == PacketTooLarge && target == parse.ErrTooLarge }

// The violations a Decoder reports.
var (
	// ErrReservedType: packet type 0, or 15 (AUTH) in MQTT 3.1.1.
	ErrReservedType = &Error{MalformedPacket, "mqtt: reserved packet type"}
	// ErrFlags: fixed header flags other than those the packet type
	// requires, or a PUBLISH with QoS 3 or with DUP set at QoS 0.
	ErrFlags = &Error{MalformedPacket, "mqtt: invalid fixed header flags"}
	// ErrRemainingLength: a remaining length of more than four bytes or
	// not in its shortest form, or one the packet type cannot have.
	ErrRemainingLength = &Error{MalformedPacket, "mqtt: invalid remaining length"}
	// ErrPacketTooLarge: a packet over [Options.MaxPacketSize], or a
	// packet read whole over [Options.MaxHeadSize]. It also matches
	// parse.ErrTooLarge.
	ErrPacketTooLarge = &Error{PacketTooLarge, "mqtt: packet too large"}
	// ErrProtocolName: a CONNECT whose protocol name is not "MQTT".
	ErrProtocolName = &Error{MalformedPacket, "mqtt: protocol name is not MQTT"}
	// ErrProtocolVersion: a CONNECT with a protocol level other than 4
	// (3.1.1) or 5.
	ErrProtocolVersion = &Error{UnsupportedProtocolVersion, "mqtt: unsupported protocol version"}
	// ErrConnectFlags: the reserved connect flag set, or will QoS, will
	// retain or a password inconsistent with the other flags.
	ErrConnectFlags = &Error{MalformedPacket, "mqtt: invalid connect flags"}
	// ErrNotConnected: a client's first packet is not CONNECT.
	ErrNotConnected = &Error{ProtocolError, "mqtt: first packet is not CONNECT"}
	// ErrSecondConnect: a second CONNECT on one connection.
	ErrSecondConnect = &Error{ProtocolError, "mqtt: second CONNECT"}
	// ErrDirection: a packet type that the peer's role does not send (a
	// CONNACK from a client, a SUBSCRIBE from a server).
	ErrDirection = &Error{ProtocolError, "mqtt: packet type not sent in this direction"}
	// ErrString: a UTF-8 string that is not valid UTF-8 or holds U+0000.
	ErrString = &Error{MalformedPacket, "mqtt: invalid UTF-8 string"}
	// ErrTopic: a PUBLISH topic name with a wildcard, or empty without
	// a topic alias.
	ErrTopic = &Error{TopicNameInvalid, "mqtt: invalid topic name"}
	// ErrPacketID: a packet identifier of 0 where one is required.
	ErrPacketID = &Error{ProtocolError, "mqtt: packet identifier 0"}
	// ErrProperty: an unknown property identifier, or a property that
	// the packet may not carry.
	ErrProperty = &Error{MalformedPacket, "mqtt: unknown or misplaced property"}
	// ErrPropertyValue: a property value out of its range (a byte
	// property other than 0 or 1, a zero subscription identifier,
	// receive maximum, topic alias or maximum packet size).
	ErrPropertyValue = &Error{ProtocolError, "mqtt: invalid property value"}
	// ErrDuplicateProperty: a property repeated where the specification
	// allows it once.
	ErrDuplicateProperty = &Error{ProtocolError, "mqtt: property repeated"}
	// ErrSubscription: invalid subscription options, or a reserved
	// return or reason code in a SUBACK.
	ErrSubscription = &Error{MalformedPacket, "mqtt: invalid subscription options or return code"}
	// ErrEmptyPayload: a SUBSCRIBE, UNSUBSCRIBE or SUBACK (or MQTT 5
	// UNSUBACK) with no entries.
	ErrEmptyPayload = &Error{ProtocolError, "mqtt: packet without entries"}
	// ErrConnackFlags: a CONNACK with reserved acknowledge flags set.
	ErrConnackFlags = &Error{MalformedPacket, "mqtt: invalid CONNACK flags"}
)

// ReasonCodeOf returns the MQTT 5 reason code with which an endpoint
// answers a Decoder's error: the Code of the *Error it wraps,
// PacketTooLarge for a message over the reader's size limit
// (parse.ErrTooLarge), and MalformedPacket for any other
// *parse.SyntaxError. For an error that is no protocol violation (the end
// of the input, a truncated packet, a canceled read) it returns Success
// (0): there is nothing to blame the peer for.
func ReasonCodeOf(err error) ReasonCode {
	var e *Error
	var se *parse.SyntaxError
	switch {
	case err == nil:
		return Success
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, parse.ErrTooLarge):
		return PacketTooLarge
	case errors.As(err, &se):
		return MalformedPacket
	}
	return Success
}
