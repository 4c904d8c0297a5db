package http2

import (
	"encoding/binary"
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// Preface is the client connection preface (RFC 9113 section 3.4): a
// client sends it first, followed by a SETTINGS frame.
const Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// HeaderSize is the size of a frame header: a 24-bit length, an 8-bit
// type, 8 bits of flags and a 31-bit stream identifier after a reserved
// bit.
const HeaderSize = 9

// Limits of SETTINGS_MAX_FRAME_SIZE (RFC 9113 section 6.5.2).
const (
	// MinMaxFrameSize is the initial and smallest value: 16384.
	MinMaxFrameSize = 1 << 14
	// MaxMaxFrameSize is the largest value: 2^24-1.
	MaxMaxFrameSize = 1<<24 - 1
)

// MaxWindow is the largest flow-control window and window increment:
// 2^31-1.
const MaxWindow = 1<<31 - 1

// FrameType is a frame's type (RFC 9113 section 6).
type FrameType uint8

// The frame types RFC 9113 defines. Frames of other types are passed
// through.
const (
	TypeData         FrameType = 0x0
	TypeHeaders      FrameType = 0x1
	TypePriority     FrameType = 0x2
	TypeRSTStream    FrameType = 0x3
	TypeSettings     FrameType = 0x4
	TypePushPromise  FrameType = 0x5
	TypePing         FrameType = 0x6
	TypeGoAway       FrameType = 0x7
	TypeWindowUpdate FrameType = 0x8
	TypeContinuation FrameType = 0x9
)

var typeNames = [...]string{"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING",
	"GOAWAY", "WINDOW_UPDATE", "CONTINUATION"}

// Known reports whether RFC 9113 defines t.
func (t FrameType) Known() bool { return t <= TypeContinuation }

// String returns the type's name as RFC 9113 writes it, or "UNKNOWN(n)".
func (t FrameType) String() string {
	if t.Known() {
		return typeNames[t]
	}
	return fmt.Sprintf("UNKNOWN(%d)", uint8(t))
}

// Flags are a frame's flags. Their meaning depends on the frame type.
type Flags uint8

// The flags RFC 9113 defines.
const (
	// FlagEndStream (DATA, HEADERS): the last frame the sender sends on
	// the stream.
	FlagEndStream Flags = 0x1
	// FlagAck (SETTINGS, PING): an acknowledgement.
	FlagAck Flags = 0x1
	// FlagEndHeaders (HEADERS, PUSH_PROMISE, CONTINUATION): the header
	// block ends with this frame.
	FlagEndHeaders Flags = 0x4
	// FlagPadded (DATA, HEADERS, PUSH_PROMISE): a pad length byte comes
	// first and padding last.
	FlagPadded Flags = 0x8
	// FlagPriority (HEADERS): priority fields follow the pad length.
	FlagPriority Flags = 0x20
)

// Has reports whether all of v's bits are set in f.
func (f Flags) Has(v Flags) bool { return f&v == v }

// ErrCode is an HTTP/2 error code (RFC 9113 section 7), sent in
// RST_STREAM and GOAWAY frames.
type ErrCode uint32

// The error codes RFC 9113 defines.
const (
	CodeNo                 ErrCode = 0x0
	CodeProtocol           ErrCode = 0x1
	CodeInternal           ErrCode = 0x2
	CodeFlowControl        ErrCode = 0x3
	CodeSettingsTimeout    ErrCode = 0x4
	CodeStreamClosed       ErrCode = 0x5
	CodeFrameSize          ErrCode = 0x6
	CodeRefusedStream      ErrCode = 0x7
	CodeCancel             ErrCode = 0x8
	CodeCompression        ErrCode = 0x9
	CodeConnect            ErrCode = 0xa
	CodeEnhanceYourCalm    ErrCode = 0xb
	CodeInadequateSecurity ErrCode = 0xc
	CodeHTTP11Required     ErrCode = 0xd
)

var codeNames = [...]string{"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
	"SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
	"CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"}

// String returns the code's name as RFC 9113 writes it, or "UNKNOWN(n)".
func (c ErrCode) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("UNKNOWN(%d)", uint32(c))
}

// SettingID identifies a setting (RFC 9113 section 6.5.2).
type SettingID uint16

// The settings RFC 9113 defines, and SETTINGS_ENABLE_CONNECT_PROTOCOL
// (RFC 8441).
const (
	SettingHeaderTableSize       SettingID = 0x1
	SettingEnablePush            SettingID = 0x2
	SettingMaxConcurrentStreams  SettingID = 0x3
	SettingInitialWindowSize     SettingID = 0x4
	SettingMaxFrameSize          SettingID = 0x5
	SettingMaxHeaderListSize     SettingID = 0x6
	SettingEnableConnectProtocol SettingID = 0x8
)

// Setting is one setting of a SETTINGS frame.
type Setting struct {
	ID  SettingID
	Val uint32
}

// SettingSize is the size of a setting on the wire.
const SettingSize = 6

// Valid returns the error a receiver answers s with, nil if s is valid:
// SETTINGS_ENABLE_PUSH and SETTINGS_ENABLE_CONNECT_PROTOCOL other than 0
// or 1, SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1, and
// SETTINGS_MAX_FRAME_SIZE outside 2^14 to 2^24-1 are invalid (RFC 9113
// section 6.5.2, RFC 8441 section 3); unknown settings are ignored.
func (s Setting) Valid() error {
	switch s.ID {
	case SettingEnablePush, SettingEnableConnectProtocol:
		if s.Val > 1 {
			return ErrSettingValue
		}
	case SettingInitialWindowSize:
		if s.Val > MaxWindow {
			return ErrInitialWindowSize
		}
	case SettingMaxFrameSize:
		if s.Val < MinMaxFrameSize || s.Val > MaxMaxFrameSize {
			return ErrSettingValue
		}
	}
	return nil
}

// Header is a frame header. It holds no views.
type Header struct {
	// Length is the payload length the header declares, fixed fields
	// and padding included: at most 2^24-1.
	Length uint32
	// Type is the frame type.
	Type FrameType
	// Flags are the frame's flags.
	Flags Flags
	// StreamID is the stream identifier, the reserved bit cleared.
	StreamID uint32
}

// Priority holds the priority fields of a HEADERS frame with
// FlagPriority and of a PRIORITY frame (deprecated by RFC 9113 section
// 5.3.2 but still framed).
type Priority struct {
	// Exclusive is the E bit.
	Exclusive bool
	// StreamDep is the stream this one depends on.
	StreamDep uint32
	// Weight is the weight minus one, as on the wire (0–255).
	Weight uint8
}

// Frame is a message of a [Decoder]: a frame's header and fixed fields
// with the first part of its data, or a later part of that data.
//
// Data views pipe memory and is valid until the next read from the
// Decoder; every other field is a plain value.
type Frame struct {
	// Header is the header of the frame this part belongs to, in every
	// part.
	Header Header
	// First reports that this message read the header and fixed fields:
	// Data is the start of the frame's data.
	First bool
	// Data is a part of the frame's data, possibly empty: DATA's data,
	// the header block fragment of HEADERS, PUSH_PROMISE and CONTINUATION,
	// GOAWAY's debug data, SETTINGS' settings (whole, see
	// [Frame.Setting]), the payload of an unknown type. Padding is never
	// in Data.
	Data seq.Sequence
	// Pos is the offset of Data in the frame's data.
	Pos uint64
	// Left is how many bytes of the frame's payload, padding included,
	// are still to come after Data: 0 in the frame's last part.
	Left uint64
	// PadLength is the pad length of a frame with FlagPadded.
	PadLength uint8
	// Priority holds the fields of a PRIORITY frame, and of a HEADERS
	// frame with FlagPriority.
	Priority Priority
	// Code is the error code of RST_STREAM and GOAWAY.
	Code ErrCode
	// PromisedID is the promised stream of PUSH_PROMISE.
	PromisedID uint32
	// LastStreamID is GOAWAY's last stream identifier.
	LastStreamID uint32
	// Increment is WINDOW_UPDATE's window size increment.
	Increment uint32
	// Ping is PING's opaque data.
	Ping [8]byte
}

// End reports whether the frame is complete with this part.
func (f *Frame) End() bool { return f.Left == 0 }

// NumSettings returns the number of settings of a SETTINGS frame.
func (f *Frame) NumSettings() int {
	if f.Header.Type != TypeSettings {
		return 0
	}
	return f.Data.Len() / SettingSize
}

// Setting returns the i-th setting of a SETTINGS frame, 0 <= i <
// NumSettings. SETTINGS frames arrive whole and their values are checked
// ([Setting.Valid]); settings with unknown identifiers are included.
func (f *Frame) Setting(i int) Setting {
	var b [SettingSize]byte
	f.Data.Slice(i*SettingSize, (i+1)*SettingSize).CopyTo(b[:])
	return Setting{ID: SettingID(binary.BigEndian.Uint16(b[:])), Val: binary.BigEndian.Uint32(b[2:])}
}

// AppendData appends the part's data to dst.
func (f *Frame) AppendData(dst []byte) []byte { return f.Data.AppendTo(dst) }
