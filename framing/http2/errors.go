package http2

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// Error is a violation of RFC 9113 or of a Decoder's limits: every
// sentinel below is one. A decoder's error wraps one in a
// *parse.SyntaxError that gives the stream offset of the offending frame;
// errors.Is matches the sentinel and errors.As finds the *Error, whose Code
// is the error code of the GOAWAY frame to answer with.
type Error struct {
	// Code is the HTTP/2 error code of the violation.
	Code ErrCode
	msg  string
}

// Error returns the message, prefixed with the package name.
func (e *Error) Error() string { return e.msg }

// The violations a Decoder reports. Each is a connection error; where RFC
// 9113 allows a stream error instead (a self-dependent priority, a zero
// window increment on a stream, a PRIORITY frame of the wrong length), the
// doc says so: the decoder stops either way, since it frames a connection
// and does not keep stream state.
var (
	// ErrPreface: the client connection preface was expected and other
	// bytes came.
	ErrPreface = &Error{CodeProtocol, "http2: invalid client connection preface"}
	// ErrFirstSettings: the first frame of a connection is not a SETTINGS
	// frame without ACK (RFC 9113 section 3.4).
	ErrFirstSettings = &Error{CodeProtocol, "http2: first frame is not SETTINGS"}
	// ErrFrameSize: a frame longer than SETTINGS_MAX_FRAME_SIZE.
	ErrFrameSize = &Error{CodeFrameSize, "http2: frame larger than SETTINGS_MAX_FRAME_SIZE"}
	// ErrFrameLength: a frame whose length its type forbids: PING other
	// than 8 bytes, RST_STREAM or WINDOW_UPDATE other than 4, PRIORITY
	// other than 5 (RFC 9113 allows a stream error there), SETTINGS not
	// a multiple of 6 or an ACK with a payload, GOAWAY under 8, a frame
	// too short for its pad length, priority or promised stream fields.
	ErrFrameLength = &Error{CodeFrameSize, "http2: invalid frame length for its type"}
	// ErrStreamZero: a DATA, HEADERS, PRIORITY, RST_STREAM, PUSH_PROMISE or
	// CONTINUATION frame on stream 0.
	ErrStreamZero = &Error{CodeProtocol, "http2: frame type needs a stream but came on stream 0"}
	// ErrStreamNonZero: a SETTINGS, PING or GOAWAY frame on a stream other
	// than 0.
	ErrStreamNonZero = &Error{CodeProtocol, "http2: connection frame on a stream"}
	// ErrPadding: a pad length at least the size of the frame's payload.
	ErrPadding = &Error{CodeProtocol, "http2: pad length too large"}
	// ErrSelfDependency: a HEADERS or PRIORITY frame whose stream depends
	// on itself (RFC 9113 allows a stream error).
	ErrSelfDependency = &Error{CodeProtocol, "http2: stream depends on itself"}
	// ErrSettingValue: SETTINGS_ENABLE_PUSH or
	// SETTINGS_ENABLE_CONNECT_PROTOCOL other than 0 or 1, or
	// SETTINGS_MAX_FRAME_SIZE outside 2^14 to 2^24-1.
	ErrSettingValue = &Error{CodeProtocol, "http2: invalid setting value"}
	// ErrInitialWindowSize: SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1.
	ErrInitialWindowSize = &Error{CodeFlowControl, "http2: SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1"}
	// ErrZeroIncrement: a WINDOW_UPDATE with an increment of 0 (RFC 9113
	// allows a stream error on a stream other than 0).
	ErrZeroIncrement = &Error{CodeProtocol, "http2: WINDOW_UPDATE increment of 0"}
	// ErrPromisedID: a PUSH_PROMISE promising stream 0.
	ErrPromisedID = &Error{CodeProtocol, "http2: PUSH_PROMISE of stream 0"}
	// ErrUnexpectedContinuation: a CONTINUATION frame that follows no
	// open header block.
	ErrUnexpectedContinuation = &Error{CodeProtocol, "http2: CONTINUATION without an open header block"}
	// ErrExpectedContinuation: a header block is open (HEADERS or
	// PUSH_PROMISE without END_HEADERS) and a frame other than a
	// CONTINUATION on its stream came.
	ErrExpectedContinuation = &Error{CodeProtocol, "http2: expected CONTINUATION of an open header block"}
	// ErrHeaderBlockTooLarge: a header block's fragments declare more
	// than [Options.MaxHeaderBlock] bytes together.
	ErrHeaderBlockTooLarge = &Error{CodeEnhanceYourCalm, "http2: header block too large"}
	// ErrTooManyContinuations: a header block has more than
	// [Options.MaxContinuations] CONTINUATION frames (the CONTINUATION
	// flood, CVE-2024-27316).
	ErrTooManyContinuations = &Error{CodeEnhanceYourCalm, "http2: too many CONTINUATION frames"}
	// ErrSettingsTooLarge: a SETTINGS frame longer than [Options.MaxPart]:
	// SETTINGS frames are delivered whole.
	ErrSettingsTooLarge = &Error{CodeEnhanceYourCalm, "http2: SETTINGS frame too large"}
)

// CodeOf returns the error code with which an endpoint answers a Decoder's
// error in a GOAWAY frame, and whether there is one: the Code of the *Error
// it wraps, FRAME_SIZE_ERROR for a message over the reader's size limit
// (parse.ErrTooLarge), and PROTOCOL_ERROR for any other
// *parse.SyntaxError. For an error that is no protocol violation (the end
// of the input, a truncated frame, a canceled read) it returns false.
func CodeOf(err error) (ErrCode, bool) {
	var e *Error
	var se *parse.SyntaxError
	switch {
	case err == nil:
		return 0, false
	case errors.As(err, &e):
		return e.Code, true
	case errors.Is(err, parse.ErrTooLarge):
		return CodeFrameSize, true
	case errors.As(err, &se):
		return CodeProtocol, true
	}
	return 0, false
}
