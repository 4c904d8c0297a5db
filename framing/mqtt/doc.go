// Package mqtt frames MQTT 3.1.1 and MQTT 5 connections, in the server
// and the client role, with PUBLISH payloads streamed in parts.
//
// A [Decoder] reads control packets from a pipe.Reader. Every packet but
// PUBLISH is one [Packet], read whole and checked: the fixed header (the
// type, the flags the type requires, a remaining length of at most four
// bytes in its shortest form), the variable header and payload of the
// type, MQTT 5 properties (known identifiers allowed in the packet, well-
// formed values, no property repeated where the specification forbids it)
// exposed as a [Properties] view, and UTF-8 strings. A PUBLISH is a head
// (topic, packet identifier, properties) with the first part of its
// payload, then later parts of at most [Options.MaxPart] bytes, so a
// payload of any size passes in constant memory.
//
// The protocol version is connection state: a [Server] decoder learns it
// from CONNECT, which must come first; a [Client] decoder is given it.
// Each role accepts only the packet types its peer sends. Limits are on by
// default and decided on the fixed header, before a byte of the rest is
// buffered: a packet over [Options.MaxPacketSize], or a packet read whole
// over [Options.MaxHeadSize], is refused with [ErrPacketTooLarge]. A
// violation is an error that [ReasonCodeOf] maps to the MQTT 5 reason
// code to disconnect with.
//
// The grammar is declared with package combinators, one dispatch table on
// the first byte per version (grammar.go); the Decoder adds only the
// connection state and the limits on the fixed header, and a
// combinators.Parts stream cuts PUBLISH payloads. [Append], [AppendHead]
// and [WritePacket] encode every packet type.
package mqtt
