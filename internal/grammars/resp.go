package grammars

import (
	"math"
	"strconv"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/framing/resp"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Kind is the type of a [RESP] value: the RESP2 type byte.
type Kind byte

// The RESP2 kinds, named after their type byte.
const (
	SimpleString Kind = '+' // +OK\r\n
	Error        Kind = '-' // -ERR message\r\n
	Integer      Kind = ':' // :123\r\n
	BulkString   Kind = '$' // $5\r\nhello\r\n, $-1\r\n (null)
	Array        Kind = '*' // *2\r\n…, *-1\r\n (null)
)

// MaxRESPDepth bounds the nesting of RESP arrays: an array at this depth
// (the top-level value has depth 0) is a syntax error, so that a peer
// cannot exhaust the stack with *1\r\n*1\r\n….
const MaxRESPDepth = 64

// respMinValue is the size of the shortest RESP value ("+\r\n"): an array
// of n elements needs at least n times as many bytes.
const respMinValue = 3

// RESP is a RESP2 value (the Redis serialization protocol, version 2).
//
// Str views the input for SimpleString, Error and BulkString values. Int
// holds an Integer. Null marks the null bulk string ($-1) and the null
// array (*-1). Elems holds an Array's elements; it is empty, not nil, for
// the empty array *0, and nil for the null array. Both are valid until the
// next read from the message reader that returned the value: Str views
// the reader's buffer, and Elems is in the reader's scratch storage
// ([parse.Scratch]), which holds the next message's elements after that
// read. Use [RESP.Clone] to keep a value.
type RESP struct {
	Kind  Kind
	Str   seq.Sequence
	Int   int64
	Null  bool
	Elems []RESP
}

// Clone returns a copy of v whose strings and elements own their memory:
// it stays valid after the next read.
func (v RESP) Clone() RESP {
	switch v.Kind {
	case SimpleString, Error, BulkString:
		if !v.Null {
			v.Str = seq.Of(v.Str.Bytes())
		}
	case Array:
		if v.Elems != nil {
			elems := make([]RESP, len(v.Elems))
			for i, e := range v.Elems {
				elems[i] = e.Clone()
			}
			v.Elems = elems
		}
	}
	return v
}

// AppendRESP appends the RESP2 encoding of v to dst and returns the
// extended slice. The Str of a SimpleString or an Error must not contain
// CR or LF; AppendRESP does not check.
func AppendRESP(dst []byte, v RESP) []byte {
	switch v.Kind {
	case SimpleString, Error:
		dst = append(dst, byte(v.Kind))
		dst = v.Str.AppendTo(dst)
	case Integer:
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, v.Int, 10)
	case BulkString:
		if v.Null {
			return append(dst, "$-1\r\n"...)
		}
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(v.Str.Len()), 10)
		dst = append(dst, '\r', '\n')
		dst = v.Str.AppendTo(dst)
	case Array:
		if v.Null {
			return append(dst, "*-1\r\n"...)
		}
		dst = append(dst, '*')
		dst = strconv.AppendInt(dst, int64(len(v.Elems)), 10)
		dst = append(dst, '\r', '\n')
		for _, e := range v.Elems {
			dst = AppendRESP(dst, e)
		}
		return dst
	default:
		panic("grammars: AppendRESP of a RESP value with an invalid Kind")
	}
	return append(dst, '\r', '\n')
}

// Error messages shared by the two RESP parsers; the number messages are
// those of combinators.Decimal.
const (
	respMsgType     = "RESP type byte (one of +-:$*)"
	respMsgLineByte = "RESP line byte"
	respMsgSigned   = "expected '-' or digit"
	respMsgDigit    = "expected digit"
	respMsgLong     = "number longer than 19 digits"
	respMsgAbove    = "number above the maximum 9223372036854775807"
	respMsgBelow    = "number below the minimum -9223372036854775808"
	respMsgBelowLen = "number below the minimum -1"
)

// respMsgDepth is how combinators.Fix names an array nested too deep.
var respMsgDepth = "nesting deeper than " + strconv.Itoa(MaxRESPDepth) + " levels"

// RESPHand is the RESP2 grammar written by hand, without combinators: a
// reference for tests, and the hand-written contender of the benchmarks in
// bench/, which compare it with framing/resp's command grammar (the RESP
// grammar declared with combinators). It reads one value (a reply or a
// command) per message. A bulk length or an array count is a number of at
// least -1 (-1 is null, "-0" is 0) and an integer an int64, with the
// messages and offsets of combinators.Decimal (out of range: a syntax
// error at the number's first byte matching combinators.ErrRange); an
// array nested MaxRESPDepth deep is a syntax error at its '*' matching
// combinators.ErrDepth, as combinators.Fix reports it. A bulk length or
// an array count that cannot fit the maximum message size (each element
// takes at least 3 bytes) is a size error before anything is waited for,
// and Elems are in the reader's scratch storage, as [RESP] says.
func RESPHand(in *parse.Input) (RESP, error) {
	return respHandValue(in, 0)
}

func respHandValue(in *parse.Input, depth int) (RESP, error) {
	b, ok := in.Peek()
	if !ok {
		return RESP{}, in.NeedMore(1)
	}
	switch Kind(b) {
	case SimpleString, Error:
		in.Advance(1)
		s, err := respHandLine(in)
		return RESP{Kind: Kind(b), Str: s}, err
	case Integer:
		in.Advance(1)
		n, err := respHandInt(in, false)
		return RESP{Kind: Integer, Int: n}, err
	case BulkString:
		in.Advance(1)
		n, err := respHandInt(in, true)
		if err != nil {
			return RESP{}, err
		}
		if n < 0 {
			return RESP{Kind: BulkString, Null: true}, nil
		}
		body, err := respHandBody(in, n)
		return RESP{Kind: BulkString, Str: body}, err
	case Array:
		if depth >= MaxRESPDepth {
			return RESP{}, &parse.SyntaxError{Offset: in.Offset(), Msg: respMsgDepth, Err: cb.ErrDepth}
		}
		in.Advance(1)
		n, err := respHandInt(in, true)
		if err != nil {
			return RESP{}, err
		}
		if n < 0 {
			return RESP{Kind: Array, Null: true}, nil
		}
		if n > int64(in.Limit()-in.Consumed())/respMinValue {
			return RESP{}, in.TooLarge()
		}
		// The elements present are at most Remaining/3: a count that
		// claims more cannot make the reader allocate for it.
		elems := parse.Scratch[RESP](in, respElemsKey, min(int(n), in.Remaining()/respMinValue))
		if elems == nil {
			elems = []RESP{} // *0 is empty, not null
		}
		for range n {
			e, err := respHandValue(in, depth+1)
			if err != nil {
				return RESP{}, err
			}
			elems = append(elems, e)
		}
		return RESP{Kind: Array, Elems: elems}, nil
	}
	return RESP{}, expected(in, respMsgType)
}

// respHandLine reads the rest of a simple string or error line: bytes other
// than CR and LF, then CRLF.
func respHandLine(in *parse.Input) (seq.Sequence, error) {
	from := in.Scanned(respLineKey)
	rest := in.ScanRest(respLineKey)
	i := rest.IndexAny("\r\n")
	if i < 0 {
		if in.Final() {
			// As TakeWhile: the run ends with the input, then CRLF is
			// missing.
			in.Advance(from + rest.Len())
			return seq.Sequence{}, readCRLF(in)
		}
		return seq.Sequence{}, in.ScanShort(respLineKey, from+rest.Len())
	}
	s, _ := in.ReadN(from + i)
	return s, readCRLF(in)
}

// respHandInt reads an optionally signed decimal of at most 19 digits and
// CRLF, as combinators.Decimal does: a value outside int64 (below -1 if
// length is set) is an error at its first byte as soon as its digits show
// it, and 19 digits that go on are an error too.
func respHandInt(in *parse.Input, length bool) (int64, error) {
	off := in.Offset()
	b, ok := in.Peek()
	if !ok {
		return 0, in.NeedMore(1)
	}
	msg := respMsgSigned
	neg := b == '-'
	if neg {
		msg = respMsgDigit
		in.Advance(1)
		if in.Remaining() == 0 {
			return 0, in.NeedMore(1)
		}
	}
	// The magnitude's bound divided by 10, and its last digit.
	var cut, rem uint64 = (1<<63 - 1) / 10, 7
	switch {
	case neg && length:
		cut, rem = 0, 1
	case neg:
		cut, rem = (1<<63)/10, 8
	}
	var u uint64
	digits := 0
	for {
		b, ok := in.Peek()
		if !ok {
			if !in.Final() {
				return 0, in.NeedMore(1)
			}
			break
		}
		d := uint64(b - '0')
		if b < '0' || b > '9' {
			break
		}
		switch {
		case u > cut || u == cut && d > rem:
			m := respMsgAbove
			if neg {
				m = respMsgBelow
				if length {
					m = respMsgBelowLen
				}
			}
			return 0, respRange(off, m)
		case digits == 19:
			return 0, respRange(off, respMsgLong)
		}
		u = u*10 + d
		digits++
		in.Advance(1)
	}
	if digits == 0 {
		return 0, &parse.SyntaxError{Offset: in.Offset(), Msg: msg}
	}
	if err := readCRLF(in); err != nil {
		return 0, err
	}
	if neg {
		return int64(-u), nil // wraps to math.MinInt64 exactly
	}
	return int64(u), nil
}

// respRange is the error of a number out of range that starts at off.
func respRange(off int64, msg string) error {
	return &parse.SyntaxError{Offset: off, Msg: msg, Err: cb.ErrRange}
}

// respHandBody reads a bulk string's n bytes and CRLF, checking n against
// the limit only if the bytes are not all buffered, as combinators.Take
// does.
func respHandBody(in *parse.Input, n int64) (seq.Sequence, error) {
	body, ok := in.ReadN(int(min(n, math.MaxInt)))
	if !ok {
		if n > int64(in.Limit()-in.Consumed()) {
			return seq.Sequence{}, in.TooLarge()
		}
		return seq.Sequence{}, in.NeedMore(int(n))
	}
	return body, readCRLF(in)
}

// respLineKey identifies the line search of the hand-written RESP parser.
var respLineKey = parse.NewScanKey()

// respElemsKey identifies the scratch storage of the hand-written RESP
// parser's arrays.
var respElemsKey = parse.NewScratchKey()

// RESPValues returns framing/resp's grammar of values (the RESP grammar
// declared with the combinators, RESP3 included) with arrays nested at
// most MaxRESPDepth deep, its values as RESP ([RESPOf]): for tests that
// check it against RESPHand on RESP2 input, which both must decode to the
// same values. (Their errors differ: framing/resp tags its own, and reads
// "-0" and counts below -1 as malformed.)
func RESPValues() parse.TryParse[RESP] {
	return cb.Map(resp.Values(resp.Limits{MaxDepth: MaxRESPDepth}), RESPOf)
}

// RESPOf returns v as a RESP with the same kind byte, strings, integer,
// null flag and elements (empty, not nil, for an empty aggregate). The
// strings view what v's do; the elements are copied into new memory.
func RESPOf(v resp.Value) RESP {
	r := RESP{Kind: Kind(v.Kind), Null: v.Null, Str: v.Str, Int: v.Int}
	if v.Elems != nil {
		r.Elems = make([]RESP, len(v.Elems))
		for i, e := range v.Elems {
			r.Elems[i] = RESPOf(e)
		}
	}
	return r
}
