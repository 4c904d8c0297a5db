package dns

import (
	"errors"
	"fmt"
)

// The faults a message can have. A Reader's error wraps one in a
// *parse.SyntaxError at the stream offset of the faulty byte; the
// iterators and lookups of a Message wrap one in a *FormatError.
var (
	// ErrShort: a length prefix declares fewer than the 12 bytes of a
	// header.
	ErrShort = errors.New("dns: message shorter than its 12-byte header")
	// ErrOverrun: a section's count or a record's data length claims
	// more bytes than the message has.
	ErrOverrun = errors.New("dns: section runs past the end of the message")
	// ErrLabelType: a label starts with the reserved bits 01 or 10
	// (extended label types, RFC 6891 section 5), which are neither a
	// length of at most 63 nor a compression pointer.
	ErrLabelType = errors.New("dns: unknown label type")
	// ErrNameTooLong: a name is longer than 255 bytes on the wire.
	ErrNameTooLong = errors.New("dns: name longer than 255 bytes")
	// ErrPointer: a compression pointer does not point backwards, to a
	// byte after the header and before the labels it ends.
	ErrPointer = errors.New("dns: compression pointer does not point backwards")
	// ErrPointerDepth: a name follows more than MaxPointers compression
	// pointers.
	ErrPointerDepth = errors.New("dns: too many compression pointers in a name")
	// ErrInvalid: the encoder was asked for a message it cannot write: a
	// message shorter than a header or longer than 65535 bytes, a label
	// longer than 63 bytes, an empty label, a name longer than 255 bytes.
	ErrInvalid = errors.New("dns: invalid message")
)

// FormatError is a fault found in a message that was already framed: by
// Message.Records or Message.NameAt. Offset counts from the message's
// first byte (the header's), not the length prefix.
type FormatError struct {
	// Offset is the offset of the faulty byte in the message.
	Offset int
	// Err is the sentinel the fault matches.
	Err error
}

// Error returns the fault and its offset.
func (e *FormatError) Error() string { return fmt.Sprintf("%v at offset %d", e.Err, e.Offset) }

// Unwrap returns the sentinel, for errors.Is.
func (e *FormatError) Unwrap() error { return e.Err }
