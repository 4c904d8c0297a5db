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
// The type byte is a [cb.Dispatch], integers and lengths are
// [cb.Decimal]s (an integer within int64, a length at least -1: out of
// range is a syntax error at the number's first byte with Err
// [cb.ErrRange]), a bulk string is a [cb.TakeLen] (its length, then that
// many bytes and CRLF), an array's elements are a [cb.CountedScratch]
// repetition (in the reader's scratch storage, as [RESP] says), and
// the nesting is a [cb.Fix] of MaxRESPDepth levels of arrays: an array
// nested deeper is a syntax error at its '*' with Err [cb.ErrDepth].
//
// A bulk length is checked against the maximum message size before its
// bytes are waited for, and an array count too (each element takes at
// least 3 bytes); the element slice is never allocated larger than the
// buffered input allows. The returned parser is built once and safe for
// concurrent use.
func RESPCombinators() parse.TryParse[RESP] { return respGrammarOnce() }

var respGrammarOnce = sync.OnceValue(buildRESP)

func buildRESP() parse.TryParse[RESP] {
	isLine := func(b byte) bool { return b != '\r' && b != '\n' }
	never := func(byte) bool { return false }

	line := cb.Before(cb.TakeWhile(respMsgLineByte, isLine, 0, -1), crlf)
	integer := cb.Before(cb.Decimal[int64](math.MinInt64, math.MaxInt64, 0), crlf)
	length := cb.Before(cb.Decimal[int64](-1, math.MaxInt64, 0), crlf)

	simple := func(k Kind) parse.TryParse[RESP] {
		return cb.Map(cb.Then(cb.Byte(byte(k)), line), func(s seq.Sequence) RESP { return RESP{Kind: k, Str: s} })
	}
	integerP := cb.Map(cb.Then(cb.Byte(':'), integer), func(n int64) RESP { return RESP{Kind: Integer, Int: n} })

	// A bulk string is its length, then that many bytes and CRLF, read
	// by one TakeLen: no parser is chosen or built per message, and the
	// RESP is made once, by the function given, in the last layer.
	bulkP := cb.TakeLen(cb.Then(cb.Byte('$'), length), crlf, func(n int64, s seq.Sequence) RESP {
		if n < 0 {
			return RESP{Kind: BulkString, Null: true}
		}
		return RESP{Kind: BulkString, Str: s}
	})

	badType := cb.Map(cb.Satisfy(respMsgType, never), func(byte) RESP { return RESP{} })
	// After "*", a '-' starts the null array "-1" (or "-0", an empty
	// one); anything else is a count and that many values.
	negative := cb.Map(length, func(n int64) RESP {
		if n < 0 {
			return RESP{Kind: Array, Null: true}
		}
		return RESP{Kind: Array, Elems: []RESP{}}
	})
	var value parse.TryParse[RESP]
	cb.Fix(MaxRESPDepth, func(array parse.TryParse[RESP]) parse.TryParse[RESP] {
		value = cb.Dispatch(map[byte]parse.TryParse[RESP]{
			byte(SimpleString): simple(SimpleString),
			byte(Error):        simple(Error),
			byte(Integer):      integerP,
			byte(BulkString):   bulkP,
			byte(Array):        array,
		}, badType)
		elems := cb.Map(cb.CountedScratch(respCount(length), value), func(es []RESP) RESP {
			if es == nil {
				es = []RESP{} // *0 is empty, not null
			}
			return RESP{Kind: Array, Elems: es}
		})
		return cb.Then(cb.Byte('*'), cb.Dispatch(map[byte]parse.TryParse[RESP]{'-': negative}, elems))
	})
	return value
}

// respCount reads an array's count with count and checks that as many
// values, of at least respMinValue bytes each, fit the maximum message
// size: Counted alone assumes one byte per element.
//
//go:noinline
func respCount(count parse.TryParse[int64]) parse.TryParse[int64] {
	return func(in *parse.Input) (int64, error) {
		n, err := count(in)
		if err == nil && n > int64((in.Limit()-in.Consumed())/respMinValue) {
			return 0, in.TooLarge()
		}
		return n, err
	}
}
