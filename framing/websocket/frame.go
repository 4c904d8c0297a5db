package websocket

import (
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// Opcode is a frame's opcode (RFC 6455 section 5.2).
type Opcode uint8

// The opcodes RFC 6455 defines. The others (3–7 and 11–15) are reserved
// and refused.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// IsControl reports whether op is a control opcode (close, ping, pong or
// a reserved control opcode): its high bit is set.
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// IsReserved reports whether RFC 6455 reserves op for future use.
func (op Opcode) IsReserved() bool {
	switch op {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
		return false
	}
	return true
}

// String returns the opcode's name, or "reserved(n)".
func (op Opcode) String() string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return fmt.Sprintf("reserved(%d)", uint8(op))
}

// The RSV bits of [Header.RSV], as they sit in the low three bits.
const (
	RSV1 uint8 = 4 // permessage-deflate's "compressed" bit (RFC 7692)
	RSV2 uint8 = 2
	RSV3 uint8 = 1
)

// MaxControlPayload is the largest payload of a control frame: 125 bytes.
const MaxControlPayload = 125

// MaxHeaderSize is the longest frame header: 2 bytes, an 8-byte extended
// length and a 4-byte masking key.
const MaxHeaderSize = 14

// Header is a frame header. It holds no views: it stays valid after the
// next read.
type Header struct {
	// Fin is set on the last frame of a message.
	Fin bool
	// RSV holds the bits RSV1, RSV2 and RSV3 (values RSV1|RSV2|RSV3).
	RSV uint8
	// Op is the frame's opcode.
	Op Opcode
	// Masked reports that the payload is masked with Key.
	Masked bool
	// Key is the masking key, if Masked.
	Key [4]byte
	// Length is the payload length the header declares.
	Length uint64
}

// Size returns the length of the header's minimal encoding.
func (h Header) Size() int {
	n := 2
	switch {
	case h.Length > 0xFFFF:
		n += 8
	case h.Length > 125:
		n += 2
	}
	if h.Masked {
		n += 4
	}
	return n
}

// Frame is a message of a [Decoder]: a frame's header and the first part
// of its payload, or a later part of that payload.
//
// Data views pipe memory and is valid until the next read from the
// Decoder, as are Close.Reason; Header is a plain value. Data is the
// payload as it crossed the wire: masked when Header.Masked (see
// [Frame.AppendData] and [Unmask]).
type Frame struct {
	// Header is the header of the frame this part belongs to, in every
	// part.
	Header Header
	// First reports that this message read the header: Data is the
	// start of the payload.
	First bool
	// Data is payload bytes, possibly none, at most Options.MaxPart.
	Data seq.Sequence
	// Pos is the offset of Data in the frame's payload, for unmasking.
	Pos uint64
	// Left is how many payload bytes of the frame are still to come
	// after Data: 0 in the frame's last part.
	Left uint64
	// Message is the opcode of the message the frame belongs to: text
	// or binary for a data frame (a continuation frame's too), the
	// opcode itself for a control frame.
	Message Opcode
	// Close is the parsed payload of a close frame (Header.Op ==
	// OpClose).
	Close Close
}

// End reports whether the frame's payload is complete with this part.
func (f *Frame) End() bool { return f.Left == 0 }

// MessageEnd reports whether this part ends a message: the last part of
// a frame with Fin set, a control frame's included.
func (f *Frame) MessageEnd() bool { return f.Left == 0 && f.Header.Fin }

// Close is the payload of a close frame (RFC 6455 section 5.5.1).
type Close struct {
	// Code is the status code; CloseNoStatus (1005) if the frame has no
	// payload.
	Code CloseCode
	// Reason is the UTF-8 reason, unmasked. It views the Decoder's
	// memory: valid until the next read.
	Reason []byte
}
