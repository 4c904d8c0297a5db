package http1

import "errors"

// Errors of malformed or hostile input. Each is the Err of the
// *parse.SyntaxError a reader returns (or is returned as it is where no
// offset applies), so errors.Is finds it.
var (
	// ErrVersion: the protocol version is not HTTP/1.0 or HTTP/1.1.
	ErrVersion = errors.New("http1: unsupported HTTP version")
	// ErrStatus: a status code outside 100..999.
	ErrStatus = errors.New("http1: invalid status code")
	// ErrBareCR: a CR not followed by LF.
	ErrBareCR = errors.New("http1: bare CR")
	// ErrBareLF: a line ended by LF without CR (RFC 9112 §2.2 lets a
	// recipient accept it; this package does not, as smuggling defences
	// want).
	ErrBareLF = errors.New("http1: line ends in LF without CR")
	// ErrObsFold: a header line starting with whitespace (obsolete line
	// folding, RFC 9112 §5.2), or whitespace before the first field.
	ErrObsFold = errors.New("http1: obsolete line folding")
	// ErrSpaceBeforeColon: whitespace between a field name and its colon
	// (RFC 9112 §5.1 requires a 400).
	ErrSpaceBeforeColon = errors.New("http1: whitespace before colon")
	// ErrInvalidByte: a byte not allowed where it is (a control byte or NUL
	// in a value, a delimiter in a name, a space in a target).
	ErrInvalidByte = errors.New("http1: invalid byte")
	// ErrTooManyFields: more header or trailer fields than the limit.
	ErrTooManyFields = errors.New("http1: too many fields")
	// ErrContentLength: a Content-Length that is not a decimal number of
	// at most 18 digits.
	ErrContentLength = errors.New("http1: invalid Content-Length")
	// ErrRepeatedContentLength: more than one Content-Length value, in
	// several fields or as a list in one ("5, 5"), equal or not.
	ErrRepeatedContentLength = errors.New("http1: repeated Content-Length")
	// ErrLengthAndChunked: both Content-Length and Transfer-Encoding.
	ErrLengthAndChunked = errors.New("http1: Content-Length with Transfer-Encoding")
	// ErrTransferEncoding: a Transfer-Encoding whose final coding is not
	// chunked on a request, or chunked more than once or not last.
	ErrTransferEncoding = errors.New("http1: invalid Transfer-Encoding")
	// ErrChunkSize: a chunk size of more than 16 hex digits.
	ErrChunkSize = errors.New("http1: chunk size too large")
	// ErrChunkExtension: a malformed chunk extension.
	ErrChunkExtension = errors.New("http1: invalid chunk extension")
	// ErrBodyTooLarge: a declared body (Content-Length or a chunk) larger
	// than Options.MaxBodySize.
	ErrBodyTooLarge = errors.New("http1: body too large")
	// ErrHandedOver: the connection was handed over (CONNECT or Upgrade);
	// read the rest with Hijack.
	ErrHandedOver = errors.New("http1: connection handed over")
)
