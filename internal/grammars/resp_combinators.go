package grammars

import (
	"math"
	"sync"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// RESPCombinators returns the RESP2 grammar declared with package
// combinators. It reads one value (a reply or a command) per message:
//
//	value   = simple / error / integer / bulk / array   (chosen by the type byte)
//	simple  = "+" *(any byte but CR and LF) CRLF
//	error   = "-" *(any byte but CR and LF) CRLF
//	integer = ":" signed CRLF                           (an int64)
//	bulk    = "$" signed CRLF (-1: null; n >= 0: n bytes CRLF)
//	array   = "*" signed CRLF (-1: null; n >= 0: n values)
//	signed  = ["-"] 1*19DIGIT
//
// A bulk length is checked against the maximum message size before its
// bytes are waited for, and an array count too (each element takes at
// least 3 bytes); the element slice is never allocated larger than the
// buffered input allows. Arrays nest at most [MaxRESPDepth] deep. The
// returned parser is built once and safe for concurrent use.
func RESPCombinators() parse.TryParse[RESP] { return respGrammarOnce() }

var respGrammarOnce = sync.OnceValue(buildRESP)

// signedDigits is a sign and the digits of a RESP integer or length.
type signedDigits struct {
	neg    bool
	digits seq.Sequence
}

// value converts s, as respInt does.
func (s signedDigits) value(length bool) (int64, error) {
	var buf [19]byte
	n := s.digits.CopyTo(buf[:])
	var u uint64
	for _, d := range buf[:n] {
		u = u*10 + uint64(d-'0')
	}
	return respInt(s.neg, u, length)
}

// respCacheBulk and respCacheArray are how many bulk string lengths and
// array counts get a parser declared in advance; larger ones build theirs
// when they are read (Bind), an allocation amortized over their size.
const (
	respCacheBulk  = 64
	respCacheArray = 9
)

func buildRESP() parse.TryParse[RESP] {
	isLine := func(b byte) bool { return b != '\r' && b != '\n' }
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	never := func(byte) bool { return false }

	line := cb.Before(cb.TakeWhile(respMsgLineByte, isLine, 0, -1), crlf)
	// ["-"] digits, the sign decided by a peek rather than Opt: a failed
	// Opt costs the allocation of a syntax error, on every positive number.
	digits := cb.TakeWhile(respMsgDigits, isDigit, 1, 19)
	positive := cb.Map(digits, func(d seq.Sequence) signedDigits { return signedDigits{false, d} })
	negative := cb.Map(cb.Then(cb.Byte('-'), digits), func(d seq.Sequence) signedDigits { return signedDigits{true, d} })
	signed := cb.Before(dispatch(cb.Uint8(), func(b byte) parse.TryParse[signedDigits] {
		if b == '-' {
			return negative
		}
		return positive
	}), crlf)
	integer := cb.MapErr(signed, func(s signedDigits) (int64, error) { return s.value(false) })
	length := cb.MapErr(signed, func(s signedDigits) (int64, error) { return s.value(true) })

	simple := func(k Kind) parse.TryParse[RESP] {
		return cb.Map(cb.Then(cb.Byte(byte(k)), line), func(s seq.Sequence) RESP { return RESP{Kind: k, Str: s} })
	}
	simpleP, errorP := simple(SimpleString), simple(Error)
	integerP := cb.Map(cb.Then(cb.Byte(':'), integer), func(n int64) RESP { return RESP{Kind: Integer, Int: n} })

	mkBulk := func(s seq.Sequence) RESP { return RESP{Kind: BulkString, Str: s} }
	bulkOf := func(n int) parse.TryParse[RESP] { return cb.Map(cb.Before(cb.Take(n), crlf), mkBulk) }
	var bulks [respCacheBulk]parse.TryParse[RESP]
	for n := range bulks {
		bulks[n] = bulkOf(n)
	}
	nullBulk := pure(RESP{Kind: BulkString, Null: true})
	bulkP := cb.Then(cb.Byte('$'), cb.Bind(length, func(n int64) parse.TryParse[RESP] {
		switch {
		case n < 0:
			return nullBulk
		case n < respCacheBulk:
			return bulks[n]
		}
		return bulkOf(int(min(n, math.MaxInt)))
	}))

	badType := cb.Map(cb.Satisfy(respMsgType, never), func(byte) RESP { return RESP{} })
	tooDeep := cb.MapErr(cb.Byte('*'), func(byte) (RESP, error) { return RESP{}, errRESPDepth })
	nullArray := pure(RESP{Kind: Array, Null: true})
	mkArray := func(es []RESP) RESP {
		if es == nil {
			es = []RESP{} // *0 is empty, not null
		}
		return RESP{Kind: Array, Elems: es}
	}
	// arrayAt returns the array parser whose elements are elem.
	arrayAt := func(elem parse.TryParse[RESP]) parse.TryParse[RESP] {
		arrayOf := func(n int64) parse.TryParse[RESP] {
			return cb.Then(reserve(n, respMinValue), cb.Map(cb.Count(int(min(n, math.MaxInt)), elem), mkArray))
		}
		var arrays [respCacheArray]parse.TryParse[RESP]
		for n := range arrays {
			arrays[n] = arrayOf(int64(n))
		}
		return cb.Then(cb.Byte('*'), cb.Bind(length, func(n int64) parse.TryParse[RESP] {
			switch {
			case n < 0:
				return nullArray
			case n < respCacheArray:
				return arrays[n]
			}
			return arrayOf(n)
		}))
	}

	// One value parser per nesting depth, the deepest first: the array
	// parser of depth d reads elements of depth d+1, and at MaxRESPDepth an
	// array is an error.
	var value parse.TryParse[RESP]
	for d := MaxRESPDepth; d >= 0; d-- {
		arrayP := tooDeep
		if d < MaxRESPDepth {
			arrayP = arrayAt(value)
		}
		value = dispatch(cb.Uint8(), func(b byte) parse.TryParse[RESP] {
			switch Kind(b) {
			case SimpleString:
				return simpleP
			case Error:
				return errorP
			case Integer:
				return integerP
			case BulkString:
				return bulkP
			case Array:
				return arrayP
			}
			return badType
		})
	}
	return value
}
