package grpc

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// Code is a gRPC status code (the grpc-status trailer's value).
type Code uint32

// The status codes the errors of this package name.
const (
	// ResourceExhausted (8): a message over the receiver's maximum.
	ResourceExhausted Code = 8
	// Internal (13): a malformed message prefix.
	Internal Code = 13
)

// Error is a violation of the message framing or of a Decoder's limit.
// A Decoder's error wraps one in a *parse.SyntaxError that gives the
// stream offset; errors.Is matches the sentinel and errors.As finds the
// *Error, whose Code is the status to end the call with.
type Error struct {
	// Code is the status code a receiver ends the call with.
	Code Code
	msg  string
}

// Error returns the message, prefixed with the package name.
func (e *Error) Error() string { return e.msg }

// Is makes ErrMessageTooLarge match parse.ErrTooLarge too, as every size
// error of a message reader does.
func (e *Error) Is(target error) bool { return e == ErrMessageTooLarge && target == parse.ErrTooLarge }

// The violations a Decoder reports.
var (
	// ErrFlag: a compressed flag other than 0 or 1.
	ErrFlag = &Error{Internal, "grpc: compressed flag is neither 0 nor 1"}
	// ErrMessageTooLarge: a prefix declares more than
	// Options.MaxMessageSize bytes (also matches parse.ErrTooLarge); an
	// encoder given more than 2^32-1 bytes returns it too.
	ErrMessageTooLarge = &Error{ResourceExhausted, "grpc: message larger than the maximum"}
)

// StatusOf returns the status code with which a receiver ends a call
// after an error of this package (found with errors.As), and false for
// any other error (the end of the input, a truncated message, a canceled
// read).
func StatusOf(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}
