package resp

import (
	"strconv"

	"github.com/sluicego/sluice/seq"
)

// Kind is the type of a [Value]: its type byte on the wire.
type Kind byte

// The kinds of RESP2 and RESP3, named after their type byte.
const (
	SimpleString Kind = '+' // +OK\r\n
	Error        Kind = '-' // -ERR message\r\n
	Integer      Kind = ':' // :123\r\n
	BulkString   Kind = '$' // $5\r\nhello\r\n; $-1\r\n (RESP2 null); $?\r\n;5\r\nhello\r\n;0\r\n (streamed)
	Array        Kind = '*' // *2\r\n…; *-1\r\n (RESP2 null); *?\r\n….\r\n (streamed)
	Null         Kind = '_' // _\r\n
	Double       Kind = ',' // ,3.14\r\n ,inf\r\n ,-inf\r\n ,nan\r\n
	Boolean      Kind = '#' // #t\r\n #f\r\n
	BigNumber    Kind = '(' // (3492890328409238509324850943850943825024385\r\n
	BulkError    Kind = '!' // !21\r\nSYNTAX invalid syntax\r\n
	Verbatim     Kind = '=' // =15\r\ntxt:Some string\r\n
	Map          Kind = '%' // %2\r\n then 2 keys, each followed by its value; %?\r\n….\r\n (streamed)
	Set          Kind = '~' // ~3\r\n…; ~?\r\n….\r\n (streamed)
	Attribute    Kind = '|' // |1\r\n key value, then the value they describe
	Push         Kind = '>' // >3\r\n+message\r\n…
)

// String returns the kind's name ("bulk string"), or its byte quoted for
// a byte that is not a kind.
func (k Kind) String() string {
	switch k {
	case SimpleString:
		return "simple string"
	case Error:
		return "error"
	case Integer:
		return "integer"
	case BulkString:
		return "bulk string"
	case Array:
		return "array"
	case Null:
		return "null"
	case Double:
		return "double"
	case Boolean:
		return "boolean"
	case BigNumber:
		return "big number"
	case BulkError:
		return "bulk error"
	case Verbatim:
		return "verbatim string"
	case Map:
		return "map"
	case Set:
		return "set"
	case Attribute:
		return "attribute"
	case Push:
		return "push"
	}
	return strconv.QuoteRune(rune(k))
}

// Value is a RESP2 or RESP3 value, as a client reads a reply (and as a
// server reads a command sent as an array of bulk strings).
//
// What each kind holds:
//
//   - SimpleString, Error, BulkString, BulkError, Verbatim: Str, the
//     bytes (a Verbatim's Str includes its 3-byte format and ':'; see
//     [Value.Format] and [Value.Text]).
//   - Double and BigNumber: Str, the number's text as sent ([Value.Float]
//     converts a Double).
//   - Integer: Int. Boolean: Int, 1 for #t and 0 for #f.
//   - Null: nothing. The RESP2 nulls $-1 and *-1 are a BulkString or an
//     Array with Null set.
//   - Array, Set, Push: Elems, the elements. Map: Elems, each key followed
//     by its value (2n elements for %n). Attribute: Elems, the key and
//     value pairs, then, last, the value they describe.
//   - Streamed (RESP3 $?, *?, %?, ~?): Streamed is set. A streamed
//     BulkString's Elems are its chunks, each a BulkString ([Value.AppendStr]
//     joins them); a streamed aggregate's Elems are its elements.
//
// Elems is empty, not nil, for an empty aggregate (*0), and nil for a null.
//
// Lifetime: Str views the message reader's buffer, and Elems is in the
// reader's scratch storage (see docs/lifetimes.md); both are valid until
// the next read from the reader that returned the value. Use [Value.Clone]
// to keep a value longer.
type Value struct {
	Kind     Kind
	Null     bool
	Streamed bool
	Str      seq.Sequence
	Int      int64
	Elems    []Value
}

// Clone returns a deep copy of v whose strings and elements own their
// memory: it stays valid after the next read.
func (v Value) Clone() Value {
	if v.Str.IsEmpty() {
		v.Str = seq.Sequence{} // an empty view still names the reader's memory
	} else {
		v.Str = seq.Of(v.Str.Bytes())
	}
	if v.Elems != nil {
		elems := make([]Value, len(v.Elems))
		for i, e := range v.Elems {
			elems[i] = e.Clone()
		}
		v.Elems = elems
	}
	return v
}

// AppendStr appends v's string to dst: Str, or for a streamed bulk string
// the bytes of its chunks, joined.
func (v Value) AppendStr(dst []byte) []byte {
	if v.Streamed && v.Kind == BulkString {
		for _, c := range v.Elems {
			dst = c.Str.AppendTo(dst)
		}
		return dst
	}
	return v.Str.AppendTo(dst)
}

// Float returns a Double's value. "inf", "-inf" and "nan" give the
// infinities and NaN. It returns 0 and false for another kind.
func (v Value) Float() (float64, bool) {
	if v.Kind != Double {
		return 0, false
	}
	var buf [32]byte
	f, err := parseDouble(v.Str.AppendTo(buf[:0]))
	return f, err == nil
}

// Format returns a Verbatim string's 3-byte format ("txt", "mkd"), or nil
// for another kind.
func (v Value) Format() []byte {
	if v.Kind != Verbatim || v.Str.Len() < 4 {
		return nil
	}
	return v.Str.Slice(0, 3).Bytes()
}

// Text returns a Verbatim string's text, after its format and ':'; for
// another kind, Str.
func (v Value) Text() seq.Sequence {
	if v.Kind != Verbatim || v.Str.Len() < 4 {
		return v.Str
	}
	return v.Str.From(4)
}
