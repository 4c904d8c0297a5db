package websocket

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// CloseCode is a close frame's status code (RFC 6455 section 7.4).
type CloseCode uint16

// Close codes RFC 6455 section 7.4.1 defines, and 1012–1014 from the IANA
// registry.
const (
	CloseNormal          CloseCode = 1000
	CloseGoingAway       CloseCode = 1001
	CloseProtocolError   CloseCode = 1002
	CloseUnsupportedData CloseCode = 1003
	CloseNoStatus        CloseCode = 1005 // never sent: a close frame without payload
	CloseAbnormal        CloseCode = 1006 // never sent: the connection ended without a close frame
	CloseInvalidPayload  CloseCode = 1007
	ClosePolicyViolation CloseCode = 1008
	CloseTooBig          CloseCode = 1009
	CloseMandatoryExt    CloseCode = 1010
	CloseInternalError   CloseCode = 1011
	CloseServiceRestart  CloseCode = 1012
	CloseTryAgainLater   CloseCode = 1013
	CloseBadGateway      CloseCode = 1014
	CloseTLSHandshake    CloseCode = 1015 // never sent
)

// Valid reports whether c may appear in a close frame: a code RFC 6455
// defines for sending (1000–1003, 1007–1011), one the IANA registry added
// (1012–1014), or one in the ranges for libraries and applications
// (3000–4999).
func (c CloseCode) Valid() bool {
	switch {
	case c >= 1000 && c <= 1003, c >= 1007 && c <= 1014:
		return true
	case c >= 3000 && c <= 4999:
		return true
	}
	return false
}

// Error is a violation of RFC 6455 or of a Decoder's limits: every
// sentinel below is one. A decoder's error wraps one in a
// *parse.SyntaxError that gives the stream offset; errors.Is matches the
// sentinel and errors.As finds the *Error, whose Code is the close code to
// answer with.
type Error struct {
	// Code is the close code an endpoint sends in answer.
	Code CloseCode
	msg  string
}

// Error returns the message, prefixed with the package name.
func (e *Error) Error() string { return e.msg }

// The violations a Decoder reports.
var (
	// ErrReservedOpcode: an opcode RFC 6455 reserves (3–7, 11–15).
	ErrReservedOpcode = &Error{CloseProtocolError, "websocket: reserved opcode"}
	// ErrRSV: an RSV bit that no extension claims ([Options.RSV]).
	ErrRSV = &Error{CloseProtocolError, "websocket: RSV bit set without an extension that claims it"}
	// ErrUnmasked: a server received an unmasked frame.
	ErrUnmasked = &Error{CloseProtocolError, "websocket: unmasked frame from a client"}
	// ErrMasked: a client received a masked frame.
	ErrMasked = &Error{CloseProtocolError, "websocket: masked frame from a server"}
	// ErrLength: a 16-bit length below 126 or a 64-bit length below
	// 65536 (not the minimal encoding), or a 64-bit length with its most
	// significant bit set.
	ErrLength = &Error{CloseProtocolError, "websocket: invalid payload length encoding"}
	// ErrControlLength: a control frame with more than 125 payload
	// bytes.
	ErrControlLength = &Error{CloseProtocolError, "websocket: control frame payload over 125 bytes"}
	// ErrControlFragmented: a control frame without FIN.
	ErrControlFragmented = &Error{CloseProtocolError, "websocket: fragmented control frame"}
	// ErrContinuation: a continuation frame with no fragmented message
	// started.
	ErrContinuation = &Error{CloseProtocolError, "websocket: continuation frame outside a fragmented message"}
	// ErrExpectedContinuation: a text or binary frame while a fragmented
	// message is still open.
	ErrExpectedContinuation = &Error{CloseProtocolError, "websocket: new data frame inside a fragmented message"}
	// ErrClosePayload: a close frame with a payload of one byte.
	ErrClosePayload = &Error{CloseProtocolError, "websocket: close frame payload of one byte"}
	// ErrCloseCode: a close frame with a status code that may not be
	// sent (CloseCode.Valid).
	ErrCloseCode = &Error{CloseProtocolError, "websocket: invalid close code"}
	// ErrCloseReason: a close frame whose reason is not valid UTF-8.
	ErrCloseReason = &Error{CloseInvalidPayload, "websocket: close reason is not valid UTF-8"}
	// ErrFrameTooLarge: a frame declares more than [Options.MaxFrameSize]
	// payload bytes.
	ErrFrameTooLarge = &Error{CloseTooBig, "websocket: frame too large"}
	// ErrMessageTooLarge: a data message's frames declare more than
	// [Options.MaxMessageSize] payload bytes together.
	ErrMessageTooLarge = &Error{CloseTooBig, "websocket: message too large"}
)

// CloseCodeOf returns the close code with which an endpoint answers a
// Decoder's error: the Code of the *Error it wraps, CloseTooBig for a
// message over the reader's size limit (parse.ErrTooLarge), and
// CloseProtocolError for any other *parse.SyntaxError. For an error that is
// no protocol violation (the end of the input, a truncated frame, a
// canceled read) it returns 0: there is no one to answer, or nothing to
// blame the peer for.
func CloseCodeOf(err error) CloseCode {
	var e *Error
	var se *parse.SyntaxError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, parse.ErrTooLarge):
		return CloseTooBig
	case errors.As(err, &se):
		return CloseProtocolError
	}
	return 0
}
