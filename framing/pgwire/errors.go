package pgwire

import "errors"

// The malformed input a Decoder reports. A decoder's error wraps one of
// these in a *parse.SyntaxError that gives the stream offset, so errors.Is
// matches the sentinel and errors.As finds the *parse.SyntaxError.
var (
	// ErrLength: a declared length below 4 (it counts itself), or an
	// untyped packet's length that does not fit its request code.
	ErrLength = errors.New("pgwire: invalid message length")
	// ErrType: a typed message's type byte is not one the direction sends.
	ErrType = errors.New("pgwire: unknown message type")
	// ErrRequestCode: an untyped packet's code is neither protocol
	// version 3 nor a known request (SSL, GSSENC, cancel).
	ErrRequestCode = errors.New("pgwire: unsupported protocol version or request code")
	// ErrAnswer: the byte answering an SSLRequest or GSSENCRequest is
	// neither 'S' nor 'N'.
	ErrAnswer = errors.New("pgwire: invalid answer to an encryption request")
	// ErrCount: a field count (columns, parameters, formats) is negative.
	ErrCount = errors.New("pgwire: negative count")
	// ErrValueLength: a column or parameter length below -1.
	ErrValueLength = errors.New("pgwire: invalid value length")
	// ErrStatus: a ReadyForQuery status other than 'I', 'T' or 'E', or a
	// Describe or Close target other than 'S' or 'P'.
	ErrStatus = errors.New("pgwire: invalid status byte")
	// ErrAfterEnd: bytes after a message that ends the stream's framing:
	// a CancelRequest (the frontend sends nothing more) or an 'S' answer
	// (TLS or GSSAPI bytes follow, which are not framed here).
	ErrAfterEnd = errors.New("pgwire: bytes after the end of the framed stream")
)
