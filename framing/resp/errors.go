package resp

import "errors"

// The errors a decoder's syntax errors match, besides *parse.SyntaxError,
// with errors.Is. A number over a limit also matches combinators.ErrRange,
// and an aggregate nested deeper than [Limits.MaxDepth] matches
// combinators.ErrDepth.
var (
	// ErrBulkLength: a bulk string's, bulk error's, verbatim string's or
	// streamed chunk's length is not a number, is negative (other than a
	// reply's null, -1), or is above [Limits.MaxBulk]. redis-server says
	// "invalid bulk length".
	ErrBulkLength = errors.New("resp: invalid bulk length")
	// ErrCount: an aggregate's element count is not a number, is negative
	// (other than a reply's null, -1, and a command's, which redis-server
	// ignores), or is above [Limits.MaxElems]. redis-server says "invalid
	// multibulk length".
	ErrCount = errors.New("resp: invalid element count")
	// ErrDouble: a double is not a decimal floating-point number, "inf",
	// "-inf" or "nan".
	ErrDouble = errors.New("resp: invalid double")
	// ErrBigNumber: a big number is not an optional '-' and digits.
	ErrBigNumber = errors.New("resp: invalid big number")
	// ErrVerbatim: a verbatim string does not start with a 3-byte format
	// and ':'.
	ErrVerbatim = errors.New("resp: invalid verbatim string")
	// ErrOddMap: a streamed map ended after a key, without its value.
	ErrOddMap = errors.New("resp: streamed map with a key and no value")
	// ErrUnbalancedQuotes: an inline command has a quote that is not
	// closed, or a closing quote followed by something other than a space.
	// redis-server says "unbalanced quotes in request".
	ErrUnbalancedQuotes = errors.New("resp: unbalanced quotes in inline command")
)
