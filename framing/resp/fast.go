package resp

import (
	"errors"

	"github.com/sluicego/sluice/parse"
)

// fastValues is the fast path in front of the declared value grammar
// (buildValues): it reads the shapes that make up most replies (simple
// strings and errors, integers, bulk strings and their null, arrays of
// any values) in loops over the cursor's span, without the layers of the
// composition, and leaves everything else to the declared grammar, which
// remains the definition of what a value is:
//
//   - a value whose first bytes are not one of those shapes, or whose
//     bytes run past the span, or that the fast loops would have to judge
//     (a number out of range, a line over the limit, a count over the
//     message size), is read by the declared grammar from its start;
//   - an array whose header is in the span is read here element by
//     element: each element of those shapes in the span in a loop, any
//     other element (a nested aggregate, a bulk string that straddles two
//     reads, a RESP3 type) with the declared grammar of one element, one
//     level deeper as the declared grammar nests. An array that runs short
//     of input records how far it got (parse.Input.RepeatShort), so the
//     next attempt goes on after its last whole element, and one whose
//     element fails for any other reason is read again, from its start,
//     by the declared grammar, which reports the error.
//
// So every message and every error is the declared grammar's: what the
// fast loops accept, they read as the grammar reads it (TestFastAgrees
// compares both on every shape, limit and chunking).
type fastValues struct {
	slow parse.TryParse[Value] // the declared grammar: a whole value, or an element

	key        *parse.RepeatKey  // the array repetition's resume points
	elems, box *parse.ScratchKey // its elements, and their record when an attempt runs short

	maxBulk, maxElems     uint64
	bulkStop, countDigits int // after '$', where a length's digits end at the latest; digits a count may have (Decimal's widths)
	maxLine, maxDepth     int
}

func newFastValues(l Limits, slow parse.TryParse[Value]) *fastValues {
	return &fastValues{
		slow: slow,
		key:  parse.NewRepeatKey(), elems: parse.NewScratchKey(), box: parse.NewScratchKey(),
		maxBulk: uint64(l.MaxBulk), maxElems: uint64(l.MaxElems),
		bulkStop: 1 + digits(uint64(l.MaxBulk)), countDigits: digits(uint64(l.MaxElems)),
		maxLine: l.MaxLine, maxDepth: l.MaxDepth,
	}
}

// digits is how many decimal digits u has: the most a combinators.Decimal
// bounded by u reads, leading zeros included.
func digits(u uint64) int {
	n := 1
	for ; u >= 10; u /= 10 {
		n++
	}
	return n
}

// parse reads one value: the fast path's shapes here, anything else with
// the declared grammar.
func (f *fastValues) parse(in *parse.Input) (Value, error) {
	span := in.Span()
	if len(span) == 0 {
		return f.slow(in)
	}
	if span[0] == byte(Array) {
		return f.array(in, span)
	}
	var v Value
	if end := f.scalar(in, span, 0, &v); end > 0 {
		in.Advance(end)
		return v, nil
	}
	return f.slow(in)
}

// scalar reads the value at span[at:], span being the cursor's span,
// into *dst when it is a simple string or error, an integer, a bulk
// string or a null bulk string whose bytes all lie in the span, and
// returns how many bytes it has; it returns 0, and leaves *dst alone,
// when the value is not one of those or is not all there, or when the
// declared grammar would refuse it or have to decide more. The cursor
// does not move.
func (f *fastValues) scalar(in *parse.Input, span []byte, at int, dst *Value) int {
	b := span[at:]
	if len(b) < 4 { // the shortest of these shapes: ":0\r\n", "+\r\n" and a CRLF after it
		return 0
	}
	switch k := Kind(b[0]); k {
	case BulkString:
		if b[1] == '-' {
			// "$-1\r\n" is the null bulk string; any other negative length
			// is the declared grammar's to refuse.
			if len(b) >= 5 && b[2] == '1' && b[3] == '\r' && b[4] == '\n' {
				*dst = Value{Kind: BulkString, Null: true}
				return 5
			}
			return 0
		}
		u, end := f.bulkHead(b)
		// The bytes and their CRLF end before the span does, as the
		// declared grammar's fused TakeLen takes them.
		if end == 0 || uint64(len(b)-end) <= u+1 {
			return 0
		}
		n := int(u)
		if e := end + n; b[e] != '\r' || b[e+1] != '\n' {
			return 0
		}
		*dst = Value{Kind: BulkString, Str: in.SpanSeqAt(at+end, n)}
		return end + n + 2
	case Integer:
		i, neg := 1, b[1] == '-'
		if neg {
			i = 2
		}
		// At most 18 digits: no int64 overflows, and Decimal[int64] reads
		// as many.
		u, end := number(b, i, 18, 1e18)
		if end == 0 {
			return 0
		}
		x := int64(u)
		if neg {
			x = -x
		}
		*dst = Value{Kind: Integer, Int: x}
		return end
	case SimpleString, Error:
		// The line's bytes are neither CR nor LF, at most MaxLine of them,
		// then CRLF. The scan stops after fastLine bytes, so that a long
		// line arriving in pieces is not scanned again on every attempt
		// (the declared grammar resumes its search instead).
		for i := 1; i < len(b) && i <= min(f.maxLine, fastLine)+1; i++ {
			if c := b[i]; c == '\r' || c == '\n' {
				if c == '\n' || i+1 == len(b) || b[i+1] != '\n' {
					return 0
				}
				*dst = Value{Kind: k, Str: in.SpanSeqAt(at+1, i-1)}
				return i + 2
			}
		}
	}
	return 0
}

// fastLine is the longest simple string or error the fast path reads;
// the declared grammar reads longer ones.
const fastLine = 256

// number reads 1 to maxDigits decimal digits at b[i:], making a number
// of at most max, and the CRLF after them. It returns the number and
// where the CRLF ends, or end 0 when b does not hold that.
func number(b []byte, i, maxDigits int, max uint64) (u uint64, end int) {
	first, stop := i, min(len(b), i+maxDigits+1)
	for ; i < stop; i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		u = u*10 + uint64(d)
	}
	if i == first || i-first > maxDigits || u > max || len(b)-i < 2 || b[i] != '\r' || b[i+1] != '\n' {
		return 0, 0
	}
	return u, i + 2
}

// array reads an array whose first byte is at the start of span, the
// cursor's span: its count here when the span holds it, then its
// elements.
func (f *fastValues) array(in *parse.Input, span []byte) (Value, error) {
	c, hend := number(span, 1, f.countDigits, f.maxElems)
	// A count that cannot fit the message (every element takes a byte) is
	// the declared grammar's size error.
	if at := in.Consumed() + hend; hend == 0 || at > in.Limit() || c > uint64(in.Limit()-at) {
		return f.slow(in)
	}
	// The elements are one level deeper, as the declared grammar's Fix
	// counts them.
	if in.Enter() > f.maxDepth {
		in.Leave()
		return f.slow(in)
	}
	if c == 0 {
		in.Leave()
		in.Advance(hend)
		return Value{Kind: Array, Elems: []Value{}}, nil // *0 is empty, not null
	}
	start := in.Position()
	in.Advance(hend)
	n, from := int(c), in.Consumed()
	var (
		i   int
		out []Value
	)
	if k, box, ok := in.ResumeRepeat(f.key); ok {
		i, out = k, *box.(*[]Value)
	} else {
		out = parse.Scratch[Value](in, f.elems, min(n, in.Remaining()))
	}
	for i < n {
		// The elements in the span, in a loop over its bytes.
		span := in.Span()
		at, u, body := 0, uint64(0), 0
		for i < n {
			if len(out) == cap(out) {
				out = f.grow(in, out, n)
			}
			b := span[at:]
			body = 0
			if len(b) > 1 && b[0] == byte(BulkString) {
				if u, body = f.bulkHead(b); body > 0 {
					end := body + int(u)
					if end+1 >= len(b) {
						break // the bytes or their CRLF go on past the span
					}
					if b[end] != '\r' || b[end+1] != '\n' {
						body = 0
						break // the declared grammar's error
					}
					out = append(out, Value{Kind: BulkString, Str: in.SpanSeqAt(at+body, int(u))})
					at += end + 2
					i++
					continue
				}
			}
			out = out[:i+1]
			end := f.scalar(in, span, at, &out[i])
			if end == 0 {
				out = out[:i]
				break
			}
			at += end
			i++
		}
		in.Advance(at)
		if i == n {
			break
		}
		el := in.Consumed()
		var (
			v   Value
			err error
		)
		if body > 0 {
			// A bulk string whose length is in the span and whose bytes
			// go on past it: read on from its length, as the declared
			// grammar's TakeLen does.
			v, err = f.straddling(in, u, body)
		} else {
			// An element the loop does not read: the declared grammar's.
			v, err = f.slow(in)
		}
		if err != nil {
			if errors.Is(err, parse.ErrNeedMore) {
				if i > 0 && !in.Final() {
					if bp := parse.ScratchValue[[]Value](in, f.box); bp != nil {
						*bp = out
						in.RepeatShort(f.key, from, el, i, bp)
					}
				}
				in.Leave()
				return Value{}, in.Furthest(err)
			}
			// The declared grammar reads the array again and says what is
			// wrong.
			in.Leave()
			in.Seek(start)
			return f.slow(in)
		}
		if len(out) == cap(out) {
			out = f.grow(in, out, n)
		}
		out = append(out, v)
		i++
	}
	in.Leave()
	return Value{Kind: Array, Elems: out}, nil
}

// bulkHead reads a bulk string's "$" length CRLF at the start of b and
// returns the length and where the bytes start, or body 0 when b does
// not hold that or the length is not one the fast path takes.
func (f *fastValues) bulkHead(b []byte) (u uint64, body int) {
	i, stop := 1, min(len(b), f.bulkStop)
	for ; i < stop; i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		u = u*10 + uint64(d)
	}
	if i == 1 || u > f.maxBulk || len(b)-i < 2 || b[i] != '\r' || b[i+1] != '\n' {
		return 0, 0
	}
	return u, i + 2
}

// straddling reads the bulk string at the cursor, of length u, whose
// bytes start body bytes on and go on past the cursor's span: its bytes
// and CRLF as the declared grammar's TakeLen reads them after its length
// (a view across segments, or a need for those bytes), and with the
// declared grammar what that does not decide (a CRLF cut by a segment
// end, a length over the message size).
func (f *fastValues) straddling(in *parse.Input, u uint64, body int) (Value, error) {
	el := in.Position()
	in.Advance(body)
	n := int(u)
	s, ok := in.ReadN(n)
	if !ok {
		if n <= in.Limit()-in.Consumed() {
			return Value{}, in.NeedMore(n)
		}
	} else if b := in.Span(); len(b) >= 2 && b[0] == '\r' && b[1] == '\n' {
		in.Advance(2)
		return Value{Kind: BulkString, Str: s}, nil
	}
	in.Seek(el)
	return f.slow(in)
}

// grow returns out with room for one more of at most n elements, in the
// reader's scratch storage, doubling (as combinators.CountedScratch grows
// its slice).
func (f *fastValues) grow(in *parse.Input, out []Value, n int) []Value {
	grown := parse.Scratch[Value](in, f.elems, min(n, max(2*cap(out), 4)))
	return append(grown, out...)
}
