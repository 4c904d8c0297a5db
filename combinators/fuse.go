package combinators

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Fusion. A constructor whose children are nodes it knows returns a
// closure that does their work in one piece when the bytes it needs are
// in the cursor's span and everything succeeds (the fast path), and runs
// the generic composition, the closure it would have returned unfused,
// otherwise: at a segment end, on input that is short, too large or
// malformed. The generic composition decides every failure, so the
// streaming semantics (what is asked for, errors and their offsets, the
// furthest-failure records) are the generic ones by construction; the
// fast path only has to give the value and the cursor the generic one
// gives when it succeeds there. A user function may run twice on an input
// that fails (once on the fast path, once on the generic one); they are
// pure by contract.
//
// The capabilities, recorded in a node's cap:
//
//   - *field[T]: the parser reads width bytes after skip bytes it passes
//     over, and its value depends on those bytes alone (a fixed-width
//     integer, a Map or MapErr of one, Then(Take(k), one));
//   - *peeked[T]: the parser is Peek of a field: it reads nothing;
//   - *body[T]: the parser reads every byte left and converts it (Rest, a
//     Map of it): inside LengthPrefixed, the body without a bounded input;
//   - *cappedField[L]: the parser is Capped of a field or of a Peek of one:
//     it reads the field and checks the bound (capped.go).

// field describes a parser whose value is read from a fixed-width field.
type field[T any] struct {
	skip, width int
	// get decodes the field from b, which holds at least width bytes
	// (the bytes after the skipped ones); false means the field is
	// malformed (a MapErr's function rejected it) and the generic
	// composition must report it.
	get func(b []byte) (T, bool)
}

// size is the number of bytes the field spans from the cursor.
func (f *field[T]) size() int { return f.skip + f.width }

// peeked describes Peek of a field.
type peeked[T any] struct{ f *field[T] }

// body describes a parser that reads all that is left and converts it.
type body[T any] struct {
	conv func(seq.Sequence) T
	id   bool // conv is identity: the parser is Rest
}

func identity(s seq.Sequence) seq.Sequence { return s }

// fieldOf returns the field p reads, or nil.
func fieldOf[T any](p parse.TryParse[T]) *field[T] {
	switch c := capOf(p).(type) {
	case *field[T]:
		return c
	case interface{ look() (*field[T], bool) }:
		if f, consumes := c.look(); consumes {
			return f
		}
	}
	return nil
}

// lookOf returns the field p reads or, for a Peek of one, peeks at, and
// whether it consumes it.
func lookOf[T any](p parse.TryParse[T]) (f *field[T], consumes bool) {
	switch c := capOf(p).(type) {
	case *field[T]:
		return c, true
	case *peeked[T]:
		return c.f, false
	case interface{ look() (*field[T], bool) }:
		return c.look()
	}
	return nil, false
}

// as converts v to T, which is the type of v: a fixed-width integer
// parser of width w returns exactly the unsigned type of that width.
func as[T, V any](v V) T { return *(*T)(unsafe.Pointer(&v)) }

// intField is the field of the fixed-width integer parser described by
// f, converted with conv: the decoding inlined into one closure with conv.
func intField[A, B any](f fixedInt, conv func(A) B) *field[B] {
	return &field[B]{width: f.width, get: intGet(f, conv)}
}

//go:noinline
func intGet[A, B any](f fixedInt, conv func(A) B) func([]byte) (B, bool) {
	switch f {
	case fixedInt{1, true}:
		return func(b []byte) (B, bool) { return conv(as[A](b[0])), true }
	case fixedInt{2, true}:
		return func(b []byte) (B, bool) { return conv(as[A](binary.BigEndian.Uint16(b))), true }
	case fixedInt{2, false}:
		return func(b []byte) (B, bool) { return conv(as[A](binary.LittleEndian.Uint16(b))), true }
	case fixedInt{4, true}:
		return func(b []byte) (B, bool) { return conv(as[A](binary.BigEndian.Uint32(b))), true }
	case fixedInt{4, false}:
		return func(b []byte) (B, bool) { return conv(as[A](binary.LittleEndian.Uint32(b))), true }
	case fixedInt{8, true}:
		return func(b []byte) (B, bool) { return conv(as[A](binary.BigEndian.Uint64(b))), true }
	default:
		return func(b []byte) (B, bool) { return conv(as[A](binary.LittleEndian.Uint64(b))), true }
	}
}

// intFieldErr is intField for a conversion that may reject the value.
//
//go:noinline
func intFieldErr[A, B any](f fixedInt, conv func(A) (B, error)) *field[B] {
	var get func([]byte) (B, bool)
	switch f {
	case fixedInt{1, true}:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](b[0])); return v, err == nil }
	case fixedInt{2, true}:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](binary.BigEndian.Uint16(b))); return v, err == nil }
	case fixedInt{2, false}:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](binary.LittleEndian.Uint16(b))); return v, err == nil }
	case fixedInt{4, true}:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](binary.BigEndian.Uint32(b))); return v, err == nil }
	case fixedInt{4, false}:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](binary.LittleEndian.Uint32(b))); return v, err == nil }
	case fixedInt{8, true}:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](binary.BigEndian.Uint64(b))); return v, err == nil }
	default:
		get = func(b []byte) (B, bool) { v, err := conv(as[A](binary.LittleEndian.Uint64(b))); return v, err == nil }
	}
	return &field[B]{width: f.width, get: get}
}

// fixedOf describes p if it is one of the package's fixed-width integer
// parsers.
func fixedOf[T any](p parse.TryParse[T]) (fixedInt, bool) {
	if n := nodeOf(p); n != nil {
		if f, ok := n.cap.(fixedInt); ok {
			return f, true
		}
	}
	return fixedInt{}, false
}

// mapField is the field of Map(p, conv) for p reading the field f.
func mapField[A, B any](f *field[A], conv func(A) B) *field[B] {
	get := f.get
	return &field[B]{skip: f.skip, width: f.width, get: func(b []byte) (B, bool) {
		v, ok := get(b)
		if !ok {
			var zero B
			return zero, false
		}
		return conv(v), true
	}}
}

// mapErrField is the field of MapErr(p, conv) for p reading the field f.
func mapErrField[A, B any](f *field[A], conv func(A) (B, error)) *field[B] {
	get := f.get
	return &field[B]{skip: f.skip, width: f.width, get: func(b []byte) (B, bool) {
		v, ok := get(b)
		if !ok {
			var zero B
			return zero, false
		}
		w, err := conv(v)
		return w, err == nil
	}}
}

// readField is the fused parser of a field: slow is the generic
// composition.
//
//go:noinline
func readField[T any](f *field[T], slow parse.TryParse[T]) parse.TryParse[T] {
	skip, n, get := f.skip, f.size(), f.get
	return func(in *parse.Input) (T, error) {
		if span := in.Span(); len(span) >= n {
			if v, ok := get(span[skip:]); ok {
				in.Advance(n)
				return v, nil
			}
		}
		return slow(in)
	}
}

// peekField is the fused parser of Peek of a field.
//
//go:noinline
func peekField[T any](f *field[T], slow parse.TryParse[T]) parse.TryParse[T] {
	skip, n, get := f.skip, f.size(), f.get
	return func(in *parse.Input) (T, error) {
		if span := in.Span(); len(span) >= n {
			if v, ok := get(span[skip:]); ok {
				return v, nil
			}
		}
		return slow(in)
	}
}

// bindField is the fused parser of Bind(p, choose) for p reading or
// peeking at a field.
//
//go:noinline
func bindField[A, B any](f *field[A], consumes bool, choose func(A) parse.TryParse[B], slow parse.TryParse[B]) parse.TryParse[B] {
	skip, n, get := f.skip, f.size(), f.get
	adv := 0
	if consumes {
		adv = n
	}
	return func(in *parse.Input) (B, error) {
		if span := in.Span(); len(span) >= n {
			if v, ok := get(span[skip:]); ok {
				in.Advance(adv)
				w, err := choose(v)(in)
				if err != nil {
					return w, in.Furthest(err)
				}
				return w, nil
			}
		}
		return slow(in)
	}
}

// bindByte is the fused parser of Bind(Peek(Uint8()), choose): the next
// byte, read in place, chooses the parser.
//
//go:noinline
func bindByte[B any](choose func(uint8) parse.TryParse[B], slow parse.TryParse[B]) parse.TryParse[B] {
	return func(in *parse.Input) (B, error) {
		if b, ok := in.Peek(); ok {
			w, err := choose(b)(in)
			if err != nil {
				return w, in.Furthest(err)
			}
			return w, nil
		}
		return slow(in)
	}
}

// prefixedBody is the fused parser of LengthPrefixed(length, b) for a
// length that reads or peeks at a field and a body that reads all that
// is left: when the length and the body are in the span and the message
// fits the limit, the body is viewed there and converted, without a
// bounded input.
//
// rem is the largest length a Capped length allows (math.MaxUint64 for
// none): checked here, on the length as decoded, so that a Capped length
// is read once and by the field's own decoder.
//
//go:noinline
func prefixedBody[L uint8 | uint16 | uint32 | uint64, T any](f *field[L], consumes bool, rem uint64, b *body[T], slow parse.TryParse[T]) parse.TryParse[T] {
	skip, n, get, conv := f.skip, f.size(), f.get, b.conv
	adv := 0
	if consumes {
		adv = n
	}
	return func(in *parse.Input) (T, error) {
		if span := in.Span(); len(span) >= n {
			if l, ok := get(span[skip:]); ok {
				at := in.Consumed() + adv
				if uint64(l) < uint64(len(span)-adv) && uint64(l) <= rem && at <= in.Limit() && uint64(l) <= uint64(in.Limit()-at) {
					in.Advance(adv)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return conv(s), nil
				}
			}
		}
		return slow(in)
	}
}

// numeral describes a number parser ([Decimal], [Hex]) and the literals
// fused around it: Before(number, Literal) adds a suffix, Then(Byte or
// Literal, that) a prefix (RESP's "$" length "\r\n").
type numeral[T Integer] struct {
	n              *number
	prefix, suffix string
}

// numeralOf returns the numeral p reads (a *numeral of p's type), if it
// reads one.
func numeralOf[T any](p parse.TryParse[T]) (any, bool) {
	c := capOf(p)
	_, ok := c.(interface{ isNumeral() })
	return c, ok
}

func (*numeral[T]) isNumeral() {}

// fuseNumeral is implemented per integer type through the numeral's
// methods: it returns the fused parser of the numeral c with prefix
// added before and suffix after, and its capability.
func fuseNumeral[A any](c any, prefix, suffix string, slow parse.TryParse[A]) (parse.TryParse[A], any) {
	f, ok := c.(interface {
		fused(prefix, suffix string, slow any) (any, any)
	})
	if !ok {
		return nil, nil
	}
	p, nc := f.fused(prefix, suffix, slow)
	q, ok := p.(parse.TryParse[A])
	if !ok {
		return nil, nil
	}
	return q, nc
}

// fused returns the parser and the capability of d with prefix before it
// and suffix after it; slow is the generic composition (a
// parse.TryParse[T]).
func (d *numeral[T]) fused(prefix, suffix string, slow any) (any, any) {
	if d.suffix != "" && suffix != "" {
		return nil, nil // a literal after the suffix: not a numeral
	}
	nd := &numeral[T]{n: d.n, prefix: prefix + d.prefix, suffix: d.suffix + suffix}
	return readNumeral(nd, slow.(parse.TryParse[T])), nd
}

// readNumeral is the fused parser of a number between literals: when the
// prefix, the number and the suffix are all in the span and match, in one
// pass over the bytes.
//
//go:noinline
func readNumeral[T Integer](d *numeral[T], slow parse.TryParse[T]) parse.TryParse[T] {
	if q := readUnsigned(d, slow); q != nil {
		return q // numbers.go
	}
	n, pre, suf := d.n, d.prefix, d.suffix
	return func(in *parse.Input) (T, error) {
		span := in.Span()
		if len(span) > len(pre) && string(span[:len(pre)]) == pre {
			if neg, u, used, ok := n.scan(span[len(pre):]); ok {
				if end := len(pre) + used; len(span)-end >= len(suf) && string(span[end:end+len(suf)]) == suf {
					in.Advance(end + len(suf))
					if neg {
						return -T(u), nil
					}
					return T(u), nil
				}
			}
		}
		return slow(in)
	}
}

// scan reads a number from b as read does, when it is in range and ends
// at a byte of b that is not a digit; ok is false otherwise (the number
// is malformed, out of range, or may go on past b), for read to decide.
func (n *number) scan(b []byte) (neg bool, u uint64, used int, ok bool) {
	i := 0
	if n.signed && len(b) > 0 && b[0] == '-' {
		neg, i = true, 1
	}
	// Up to n.safe digits cannot overflow and are within the digit limit:
	// the loop checks only the digit and the end, and the bound is
	// compared once after it. A number that reaches end (the end of b, or
	// more digits than that) is left to read.
	start := i
	end := len(b)
	if end-start > n.safe {
		end = start + n.safe + 1
	}
	for ; i < end; i++ {
		d := uint64(digitValue[b[i]])
		if d >= n.base {
			break
		}
		u = u*n.base + d
	}
	if i == end || i == start {
		return false, 0, 0, false
	}
	if neg {
		ok = n.negMin <= u && u <= n.negMax
	} else {
		ok = n.posOK && n.posMin <= u && u <= n.posMax
	}
	return neg, u, i, ok
}

// takeLiteral is the fused parser of Before(Take(n), Literal(s)): the n
// bytes viewed and s matched in the span.
//
//go:noinline
func takeLiteral(n int, s string, slow parse.TryParse[seq.Sequence]) parse.TryParse[seq.Sequence] {
	return func(in *parse.Input) (seq.Sequence, error) {
		if span := in.Span(); n < len(span) && len(span)-n >= len(s) && string(span[n:n+len(s)]) == s {
			v := in.SpanSeq(n)
			in.Advance(n + len(s))
			return v, nil
		}
		return slow(in)
	}
}

// seqFields is the field of fields read one after another and combined
// by join: a run of fixed-width fields under one bounds check.
func seqFields[R any](sizes []int, join func(b []byte) (R, bool)) *field[R] {
	w := 0
	for _, s := range sizes {
		w += s
	}
	return &field[R]{width: w, get: join}
}

// seq2Field is the field of Seq2(a, b, f) for fields a and b.
func seq2Field[A, B, R any](a *field[A], b *field[B], f func(A, B) R) *field[R] {
	ag, bg, as, bs := a.get, b.get, a.skip, a.size()+b.skip
	return seqFields([]int{a.size(), b.size()}, func(p []byte) (R, bool) {
		va, ok := ag(p[as:])
		if !ok {
			var zero R
			return zero, false
		}
		vb, ok := bg(p[bs:])
		if !ok {
			var zero R
			return zero, false
		}
		return f(va, vb), true
	})
}

// seq3Field is the field of Seq3(a, b, c, f) for fields a, b and c.
func seq3Field[A, B, C, R any](a *field[A], b *field[B], c *field[C], f func(A, B, C) R) *field[R] {
	ag, bg, cg := a.get, b.get, c.get
	as, bs, cs := a.skip, a.size()+b.skip, a.size()+b.size()+c.skip
	return seqFields([]int{a.size(), b.size(), c.size()}, func(p []byte) (R, bool) {
		var zero R
		va, ok := ag(p[as:])
		if !ok {
			return zero, false
		}
		vb, ok := bg(p[bs:])
		if !ok {
			return zero, false
		}
		vc, ok := cg(p[cs:])
		if !ok {
			return zero, false
		}
		return f(va, vb, vc), true
	})
}

// seq4Field is the field of Seq4(a, b, c, d, f) for fields a, b, c and d.
func seq4Field[A, B, C, D, R any](a *field[A], b *field[B], c *field[C], d *field[D], f func(A, B, C, D) R) *field[R] {
	ag, bg, cg, dg := a.get, b.get, c.get, d.get
	as, bs := a.skip, a.size()+b.skip
	cs := a.size() + b.size() + c.skip
	ds := a.size() + b.size() + c.size() + d.skip
	return seqFields([]int{a.size(), b.size(), c.size(), d.size()}, func(p []byte) (R, bool) {
		var zero R
		va, ok := ag(p[as:])
		if !ok {
			return zero, false
		}
		vb, ok := bg(p[bs:])
		if !ok {
			return zero, false
		}
		vc, ok := cg(p[cs:])
		if !ok {
			return zero, false
		}
		vd, ok := dg(p[ds:])
		if !ok {
			return zero, false
		}
		return f(va, vb, vc, vd), true
	})
}

// fieldLike returns the field p reads: its recorded field, or a field
// made of one of the package's fixed-width integers.
func fieldLike[T any](p parse.TryParse[T]) *field[T] {
	switch c := capOf(p).(type) {
	case *field[T]:
		return c
	case fixedInt:
		return intField(c, func(v T) T { return v })
	}
	return nil
}

// bounded reports whether fields of these sizes fit a span check that
// cannot overflow.
func bounded(sizes ...int) bool {
	t := 0
	for _, s := range sizes {
		if s > math.MaxInt32 {
			return false
		}
		t += s
	}
	return t <= math.MaxInt32
}
