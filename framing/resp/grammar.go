package resp

import (
	"math"
	"sync"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Values returns the grammar of one RESP2 or RESP3 value per message, as
// a client reads replies, within the limits l (zero fields: the
// defaults). docs/resp.md has the wire layout; in short:
//
//	value     = simple / error / integer / bulk / array / null / double / boolean
//	          / bignumber / bulkerror / verbatim / map / set / attribute / push
//	simple    = "+" line          error = "-" line       integer = ":" signed CRLF
//	bulk      = "$" length CRLF bytes CRLF / "$-1" CRLF / "$?" CRLF *chunk ";0" CRLF
//	chunk     = ";" length CRLF bytes CRLF
//	array     = "*" count CRLF count*value / "*-1" CRLF / "*?" CRLF *value "." CRLF
//	map       = "%" count CRLF count*(value value) / "%?" CRLF *(value value) "." CRLF
//	set, push = "~" or ">", then as an array (no null; a set may be streamed)
//	attribute = "|" count CRLF count*(value value) value
//	null = "_" CRLF  boolean = "#t" CRLF / "#f" CRLF  double = "," line  bignumber = "(" line
//	bulkerror = "!" length CRLF bytes CRLF   verbatim = "=" length CRLF format ":" bytes CRLF
//
// The type byte is a combinators.Dispatch, a bulk string a
// combinators.TakeLen of its length (one fused step), lengths and counts are
// combinators.Decimal bounded by the limits (over a limit: a syntax error
// at the number's first byte matching [ErrBulkLength] or [ErrCount], and
// combinators.ErrRange, before a byte of what it declares is waited for),
// aggregates' elements are combinators.CountedScratch repetitions in the
// reader's scratch storage, and nesting is a combinators.Fix of
// l.MaxDepth levels. In front of it stands a fast path for the shapes of
// most replies (simple strings and errors, integers, bulk strings, and
// arrays of them whose bytes are in the buffer's current segment), which
// reads what the grammar reads and leaves everything else to it (see
// docs/resp.md, Measured). See [Value] for what a value holds and how
// long. The parser is built once per distinct l and is safe for
// concurrent use.
func Values(l Limits) parse.TryParse[Value] {
	l = l.withDefaults()
	if l == defaults {
		return defaultValues()
	}
	return cached(&valueGrammars, l, buildValues)
}

// Commands returns the grammar of one command per message, as a server
// reads them: an array of bulk strings, or an inline command (a line of
// space-separated arguments, quoted as redis-server accepts them from
// telnet; see [SplitInline]). An empty inline line and an array whose
// count is 0 or negative are commands with no arguments, which
// redis-server ignores. The parser is built once per distinct l and is
// safe for concurrent use.
func Commands(l Limits) parse.TryParse[Command] {
	l = l.withDefaults()
	if l == defaults {
		return defaultCommands()
	}
	return cached(&commandGrammars, l, buildCommands)
}

// The grammars built for limits other than the defaults, by limits.
var valueGrammars, commandGrammars sync.Map

// cached returns the grammar built for l, building it on first use.
func cached[T any](m *sync.Map, l Limits, build func(Limits) parse.TryParse[T]) parse.TryParse[T] {
	if p, ok := m.Load(l); ok {
		return p.(parse.TryParse[T])
	}
	p, _ := m.LoadOrStore(l, build(l))
	return p.(parse.TryParse[T])
}

// NewValueReader returns a message reader of values from src within the
// limits l, its maximum message size l.MaxMessage. Close it when done.
func NewValueReader(src pipe.Reader, l Limits) *parse.Reader[Value] {
	l = l.withDefaults()
	return parse.NewReader(src, Values(l), parse.Options{MaxMessageSize: l.MaxMessage})
}

// NewCommandReader returns a message reader of commands from src within
// the limits l, its maximum message size l.MaxMessage. Close it when
// done.
func NewCommandReader(src pipe.Reader, l Limits) *parse.Reader[Command] {
	l = l.withDefaults()
	return parse.NewReader(src, Commands(l), parse.Options{MaxMessageSize: l.MaxMessage})
}

var (
	defaults        = Limits{}.withDefaults()
	defaultValues   = sync.OnceValue(func() parse.TryParse[Value] { return buildValues(defaults) })
	defaultCommands = sync.OnceValue(func() parse.TryParse[Command] { return buildCommands(defaults) })
)

var crlf = cb.Literal("\r\n")

func isLineByte(b byte) bool { return b != '\r' && b != '\n' }

// pieces are the parts both grammars share, for one set of limits.
type pieces struct {
	line    parse.TryParse[seq.Sequence] // bytes up to CRLF, CRLF consumed
	length  parse.TryParse[uint64]       // a bulk length CRLF
	bulk    parse.TryParse[seq.Sequence] // length CRLF bytes CRLF
	count   parse.TryParse[uint64]       // count CRLF
	integer parse.TryParse[int64]        // signed CRLF
}

// bytesOf is the function of a TakeLen that keeps the bytes.
func bytesOf(_ uint64, s seq.Sequence) seq.Sequence { return s }

func newPieces(l Limits) pieces {
	// A tagged number between literals stays one to TakeLen, which reads
	// the length, the bytes and the CRLF after them in one fused step.
	length := cb.Tag(ErrBulkLength, cb.Before(cb.Decimal[uint64](0, uint64(l.MaxBulk), 0), crlf))
	return pieces{
		line:    cb.Limit(l.MaxLine+2, cb.Before(cb.TakeWhile("line byte", isLineByte, 0, -1), crlf)),
		length:  length,
		bulk:    cb.TakeLen(length, crlf, bytesOf),
		count:   cb.Tag(ErrCount, cb.Before(cb.Decimal[uint64](0, uint64(l.MaxElems), 0), crlf)),
		integer: cb.Before(cb.Decimal[int64](math.MinInt64, math.MaxInt64, 0), crlf),
	}
}

// buildValues is the fast path of fast.go in front of the declared
// grammar.
func buildValues(l Limits) parse.TryParse[Value] {
	return newFastValues(l, declaredValues(l)).parse
}

// declaredValues is the grammar of a value as declared with the
// combinators, without the fast path: what Values reads, and the
// definition that the fast path agrees with.
func declaredValues(l Limits) parse.TryParse[Value] {
	p := newPieces(l)
	pairs := cb.Tag(ErrCount, cb.Map(cb.Before(cb.Decimal[uint64](0, uint64(l.MaxElems/2), 0), crlf),
		func(n uint64) uint64 { return 2 * n }))
	text := func(k Kind, body parse.TryParse[seq.Sequence]) parse.TryParse[Value] {
		return cb.Map(cb.Then(cb.Byte(byte(k)), body), func(s seq.Sequence) Value { return Value{Kind: k, Str: s} })
	}
	checked := func(k Kind, body parse.TryParse[seq.Sequence], check func(seq.Sequence) error) parse.TryParse[Value] {
		return cb.Then(cb.Byte(byte(k)), cb.MapErr(body, func(s seq.Sequence) (Value, error) {
			return Value{Kind: k, Str: s}, check(s)
		}))
	}
	null := func(k Kind) parse.TryParse[Value] {
		return cb.Map(cb.Literal("-1\r\n"), func(string) Value { return Value{Kind: k, Null: true} })
	}
	boolean := func(s string, n int64) parse.TryParse[Value] {
		return cb.Map(cb.Literal(s), func(string) Value { return Value{Kind: Boolean, Int: n} })
	}

	chunkLen := cb.Tag(ErrBulkLength, cb.Before(cb.Decimal[uint64](1, uint64(l.MaxBulk), 0), crlf))
	chunk := cb.Then(cb.Byte(';'), cb.Map(cb.Before(cb.LengthPrefixedBytes(chunkLen), crlf),
		func(s seq.Sequence) Value { return Value{Kind: BulkString, Str: s} }))
	streamedString := cb.Then(cb.Literal("?\r\n"), cb.Map(cb.ManyTill(chunk, cb.Literal(";0\r\n"), 0, l.MaxElems),
		func(cs []Value) Value {
			if cs == nil {
				cs = []Value{}
			}
			return Value{Kind: BulkString, Streamed: true, Elems: cs}
		}))
	bulk := cb.Then(cb.Byte('$'), cb.Dispatch(map[byte]parse.TryParse[Value]{
		'-': cb.Tag(ErrBulkLength, null(BulkString)),
		'?': streamedString,
	}, cb.TakeLen(p.length, crlf, func(_ uint64, s seq.Sequence) Value { return Value{Kind: BulkString, Str: s} })))

	var value parse.TryParse[Value]
	agg := cb.Fix(l.MaxDepth, func(agg parse.TryParse[Value]) parse.TryParse[Value] {
		value = cb.Dispatch(map[byte]parse.TryParse[Value]{
			byte(SimpleString): text(SimpleString, p.line),
			byte(Error):        text(Error, p.line),
			byte(Integer):      cb.Map(cb.Then(cb.Byte(':'), p.integer), func(n int64) Value { return Value{Kind: Integer, Int: n} }),
			byte(BulkString):   bulk,
			byte(Null):         cb.Map(cb.Literal("_\r\n"), func(string) Value { return Value{Kind: Null} }),
			byte(Double):       checked(Double, p.line, checkDouble),
			byte(Boolean):      cb.Alt(boolean("#t\r\n", 1), boolean("#f\r\n", 0)),
			byte(BigNumber):    checked(BigNumber, p.line, checkBigNumber),
			byte(BulkError):    text(BulkError, p.bulk),
			byte(Verbatim):     checked(Verbatim, p.bulk, checkVerbatim),
			byte(Array):        agg,
			byte(Map):          agg,
			byte(Set):          agg,
			byte(Attribute):    agg,
			byte(Push):         agg,
		}, nil)
		counted := func(k Kind, count parse.TryParse[uint64]) parse.TryParse[Value] {
			return cb.Map(cb.CountedScratch(count, value), func(es []Value) Value {
				if es == nil {
					es = []Value{} // *0 is empty, not null
				}
				return Value{Kind: k, Elems: es}
			})
		}
		streamed := func(k Kind) parse.TryParse[Value] {
			return cb.Then(cb.Literal("?\r\n"), cb.MapErr(cb.ManyTill(value, cb.Literal(".\r\n"), 0, l.MaxElems),
				func(es []Value) (Value, error) {
					if es == nil {
						es = []Value{}
					}
					if k == Map && len(es)%2 != 0 {
						return Value{}, ErrOddMap
					}
					return Value{Kind: k, Streamed: true, Elems: es}, nil
				}))
		}
		attribute := cb.Seq2(cb.CountedScratch(pairs, value), value, func(kv []Value, v Value) Value {
			es := make([]Value, len(kv)+1) // attributes are rare: owned by the message
			copy(es, kv)
			es[len(kv)] = v
			return Value{Kind: Attribute, Elems: es}
		})
		return cb.Dispatch(map[byte]parse.TryParse[Value]{
			byte(Array): cb.Then(cb.Byte('*'), cb.Dispatch(map[byte]parse.TryParse[Value]{
				'-': cb.Tag(ErrCount, null(Array)),
				'?': streamed(Array),
			}, counted(Array, p.count))),
			byte(Map):       cb.Then(cb.Byte('%'), cb.Dispatch(map[byte]parse.TryParse[Value]{'?': streamed(Map)}, counted(Map, pairs))),
			byte(Set):       cb.Then(cb.Byte('~'), cb.Dispatch(map[byte]parse.TryParse[Value]{'?': streamed(Set)}, counted(Set, p.count))),
			byte(Push):      cb.Then(cb.Byte('>'), counted(Push, p.count)),
			byte(Attribute): cb.Then(cb.Byte('|'), attribute),
		}, nil)
	})
	_ = agg
	return value
}

func buildCommands(l Limits) parse.TryParse[Command] {
	p := newPieces(l)
	arg := cb.TakeLen(cb.Then(cb.Byte('$'), p.length), crlf, bytesOf)
	// After '*', a '-' starts a negative count: a command with no
	// arguments, as redis-server reads it.
	negative := cb.Map(cb.Tag(ErrCount, cb.Before(cb.Decimal[int64](math.MinInt64, 0, 0), crlf)),
		func(int64) Command { return Command{} })
	multibulk := cb.Then(cb.Byte('*'), cb.Dispatch(map[byte]parse.TryParse[Command]{'-': negative},
		cb.Map(cb.CountedScratch(p.count, arg), func(args []seq.Sequence) Command { return Command{Args: args} })))
	inline := cb.MapErr(cb.Limit(l.MaxLine+1, cb.TakeUntil("\n")), inlineCommand)
	return cb.Dispatch(map[byte]parse.TryParse[Command]{'*': multibulk}, inline)
}
