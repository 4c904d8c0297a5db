package combinators

import (
	"math"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Seq2 runs a then b and combines their values with f. The first failure
// is returned: a need for more input, a size error or a syntax error at
// the offset where the failing parser found it, unless an element
// backtracked from earlier in the attempt failed further on, by the
// furthest-failure rule ([parse.Input.Furthest]; every combinator applies
// it to the errors it returns). f runs only on success, once per parse.
//
//go:noinline
func Seq2[A, B, R any](a parse.TryParse[A], b parse.TryParse[B], f func(A, B) R) parse.TryParse[R] {
	p := seq2(a, b, f)
	n := mk("Seq2", kid(a), kid(b)).calls(f)
	if fa, fb := fieldLike(a), fieldLike(b); fa != nil && fb != nil && bounded(fa.size(), fb.size()) && fusion() {
		// A run of fixed-width fields: one bounds check.
		fl := seq2Field(fa, fb, f)
		n.cap, n.fused, p = fl, true, readField(fl, p)
	}
	if sa, sb := scanOf(a), scanOf(b); sa != nil && sb != nil {
		p = withScan(p, n, seq2Scan(sa, sb, f))
	}
	return record(p, n)
}

//go:noinline
func seq2[A, B, R any](a parse.TryParse[A], b parse.TryParse[B], f func(A, B) R) parse.TryParse[R] {
	return func(in *parse.Input) (R, error) {
		va, err := a(in)
		if err != nil {
			var zero R
			return zero, in.Furthest(err)
		}
		vb, err := b(in)
		if err != nil {
			var zero R
			return zero, in.Furthest(err)
		}
		return f(va, vb), nil
	}
}

// Seq3 runs a, b and c in order and combines their values with f, with the
// behaviour of [Seq2].
//
//go:noinline
func Seq3[A, B, C, R any](a parse.TryParse[A], b parse.TryParse[B], c parse.TryParse[C], f func(A, B, C) R) parse.TryParse[R] {
	p := seq3(a, b, c, f)
	n := mk("Seq3", kid(a), kid(b), kid(c)).calls(f)
	if fa, fb, fc := fieldLike(a), fieldLike(b), fieldLike(c); fa != nil && fb != nil && fc != nil &&
		bounded(fa.size(), fb.size(), fc.size()) && fusion() {
		fl := seq3Field(fa, fb, fc, f)
		n.cap, n.fused, p = fl, true, readField(fl, p)
	}
	if sa, sb, sc := scanOf(a), scanOf(b), scanOf(c); sa != nil && sb != nil && sc != nil {
		p = withScan(p, n, seq3Scan(sa, sb, sc, f))
	}
	return record(p, n)
}

//go:noinline
func seq3[A, B, C, R any](a parse.TryParse[A], b parse.TryParse[B], c parse.TryParse[C], f func(A, B, C) R) parse.TryParse[R] {
	return func(in *parse.Input) (R, error) {
		var zero R
		va, err := a(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		vb, err := b(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		vc, err := c(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		return f(va, vb, vc), nil
	}
}

// Seq4 runs a, b, c and d in order and combines their values with f, with
// the behaviour of [Seq2].
//
//go:noinline
func Seq4[A, B, C, D, R any](a parse.TryParse[A], b parse.TryParse[B], c parse.TryParse[C], d parse.TryParse[D], f func(A, B, C, D) R) parse.TryParse[R] {
	p := seq4(a, b, c, d, f)
	n := mk("Seq4", kid(a), kid(b), kid(c), kid(d)).calls(f)
	if fa, fb, fc, fd := fieldLike(a), fieldLike(b), fieldLike(c), fieldLike(d); fa != nil && fb != nil && fc != nil && fd != nil &&
		bounded(fa.size(), fb.size(), fc.size(), fd.size()) && fusion() {
		fl := seq4Field(fa, fb, fc, fd, f)
		n.cap, n.fused, p = fl, true, readField(fl, p)
	}
	if sa, sb, sc, sd := scanOf(a), scanOf(b), scanOf(c), scanOf(d); sa != nil && sb != nil && sc != nil && sd != nil {
		p = withScan(p, n, seq4Scan(sa, sb, sc, sd, f))
	}
	return record(p, n)
}

//go:noinline
func seq4[A, B, C, D, R any](a parse.TryParse[A], b parse.TryParse[B], c parse.TryParse[C], d parse.TryParse[D], f func(A, B, C, D) R) parse.TryParse[R] {
	return func(in *parse.Input) (R, error) {
		var zero R
		va, err := a(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		vb, err := b(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		vc, err := c(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		vd, err := d(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		return f(va, vb, vc, vd), nil
	}
}

// Then runs a then b and keeps b's value, with the behaviour of [Seq2].
//
//go:noinline
func Then[A, B any](a parse.TryParse[A], b parse.TryParse[B]) parse.TryParse[B] {
	p := then(a, b)
	n := mk("Then", kid(a), kid(b))
	if !fusion() {
		return record(p, n)
	}
	if c, ok := capOf(a).(taken); ok {
		if f := fieldOf(b); f != nil && c <= math.MaxInt32 { // the span check cannot overflow
			// Take(k) then a field: the field k bytes further on.
			n.cap = &field[B]{skip: int(c) + f.skip, width: f.width, get: f.get}
			n.fused = true
			p = readField(n.cap.(*field[B]), p)
		}
		return record(p, n)
	}
	if lit, ok := textOf(a); ok && lit != "" {
		if lb := litsOf(b); lb != nil {
			// Literals and bytes in a row: one comparison.
			l := &lits[B]{lit + lb.s, lb.v}
			n.cap, n.fused, p = l, true, matchLits(l, p)
		} else if nc, ok := numeralOf(b); ok {
			// A literal then a number (between literals): one pass.
			if q, c := fuseNumeral(nc, lit, "", p); q != nil {
				n.cap, n.fused, p = c, true, q
			}
		} else if d, ok := capOf(b).(*dispatched[B]); ok {
			// A literal then a Dispatch: one look at the span matches
			// the literal and chooses the case.
			n.fused, n.cap = true, &litCase[B]{lit, d}
			q, qi := litDispatch(lit, d, p, thenInto(a, b))
			if sa, sb := scanOf(a), scanOf(b); sa != nil && sb != nil {
				q = withScan(q, n, thenScan(sa, sb)) // recorded for the parsers around it
			}
			return recordInto(record(q, n), qi)
		}
	}
	if lit, ok := nodeText(nodeOf(a)); ok && lit != "" && !n.fused {
		// A Tag (or Map) of a literal, then a number: the numeral's
		// prefix, the Tag deciding only where the generic composition
		// runs (see nodeText).
		if nc, ok := numeralOf(b); ok {
			if q, c := fuseNumeral(nc, lit, "", p); q != nil {
				n.cap, n.fused, p = c, true, q
			}
		}
	}
	if sa, sb := scanOf(a), scanOf(b); sa != nil && sb != nil {
		p = withScan(p, n, thenScan(sa, sb))
	}
	return intoThen(record(p, n), a, b, n.fused)
}

//go:noinline
func then[A, B any](a parse.TryParse[A], b parse.TryParse[B]) parse.TryParse[B] {
	return func(in *parse.Input) (B, error) {
		if _, err := a(in); err != nil {
			var zero B
			return zero, in.Furthest(err)
		}
		vb, err := b(in)
		if err != nil {
			return vb, in.Furthest(err)
		}
		return vb, nil
	}
}

// Before runs a then b and keeps a's value, with the behaviour of [Seq2].
//
//go:noinline
func Before[A, B any](a parse.TryParse[A], b parse.TryParse[B]) parse.TryParse[A] {
	p := before(a, b)
	n := mk("Before", kid(a), kid(b))
	if lit, ok := textOf(b); ok && lit != "" && fusion() {
		switch c := capOf(a).(type) {
		case taken:
			// Take(k) then a literal: both in the span.
			if q, ok := any(takeLiteral(int(c), lit, any(p).(parse.TryParse[seq.Sequence]))).(parse.TryParse[A]); ok {
				n.cap, n.fused, p = &takenLit{int(c), lit}, true, q
			}
		case *takenLit:
			// Take(k) then literals: the literals merged.
			tl := &takenLit{c.n, c.s + lit}
			if q, ok := any(takeLiteral(tl.n, tl.s, any(p).(parse.TryParse[seq.Sequence]))).(parse.TryParse[A]); ok {
				n.cap, n.fused, p = tl, true, q
			}
		default:
			if la := litsOf(a); la != nil {
				// Literals and bytes in a row: one comparison.
				l := &lits[A]{la.s + lit, la.v}
				n.cap, n.fused, p = l, true, matchLits(l, p)
			} else if nc, ok := numeralOf(a); ok {
				if q, c := fuseNumeral(nc, "", lit, p); q != nil {
					n.cap, n.fused, p = c, true, q
				}
			}
		}
	}
	p = fuseNumberCase(a, b, p, n) // a number, then a Dispatch with a literal case (numbers.go)
	if sa, sb := scanOf(a), scanOf(b); sa != nil && sb != nil {
		p = withScan(p, n, beforeScan(sa, sb))
	}
	return record(p, n)
}

//go:noinline
func before[A, B any](a parse.TryParse[A], b parse.TryParse[B]) parse.TryParse[A] {
	return func(in *parse.Input) (A, error) {
		va, err := a(in)
		if err != nil {
			return va, in.Furthest(err)
		}
		if _, err := b(in); err != nil {
			var zero A
			return zero, in.Furthest(err)
		}
		return va, nil
	}
}

// Map runs p and converts its value with f. Failures of p pass through
// (by the furthest-failure rule of [Seq2]); f runs only on success. f
// must be a pure function: Map of a fixed-width field is compiled into one
// closure (see [Describe]), which may run f again when it falls back to
// the generic composition.
//
//go:noinline
func Map[A, B any](p parse.TryParse[A], f func(A) B) parse.TryParse[B] {
	q := mapOf(p, f)
	n := mk("Map", kid(p)).calls(f)
	if !fusion() {
		return record(q, n)
	}
	switch c := capOf(p).(type) {
	case fixedInt:
		n.cap = intField(c, f)
	case *field[A]:
		n.cap = mapField(c, f)
	case *body[A]:
		b := &body[B]{}
		if g, ok := any(f).(func(seq.Sequence) B); ok && c.id {
			b.conv = g
		} else {
			conv := c.conv
			b.conv = func(s seq.Sequence) B { return f(conv(s)) }
		}
		n.cap = b // fused by LengthPrefixed
	}
	if fl, ok := n.cap.(*field[B]); ok {
		n.fused = true
		q = readField(fl, q)
	}
	if s := scanOf(p); s != nil {
		if !n.fused {
			q = mapOf(slowOf(p), f)
		}
		q = withScan(q, n, mapScan(s, f))
	}
	return intoMap(record(q, n), p, f, n.fused)
}

//go:noinline
func mapOf[A, B any](p parse.TryParse[A], f func(A) B) parse.TryParse[B] {
	return func(in *parse.Input) (B, error) {
		v, err := p(in)
		if err != nil {
			var zero B
			return zero, in.Furthest(err)
		}
		return f(v), nil
	}
}

// MapErr runs p and converts its value with f, which may reject it: an
// error from f becomes a [*parse.SyntaxError] at the stream offset where
// p's element starts, with Msg "invalid value" and Err f's error (so
// errors.Is and errors.As see it). Failures of p pass through, and both
// follow the furthest-failure rule of [Seq2].
// f runs only on success of p, and must decide from the value alone (it
// cannot ask for more input); like Map's, it must be pure, and may run
// again on a value it rejected.
//
//go:noinline
func MapErr[A, B any](p parse.TryParse[A], f func(A) (B, error)) parse.TryParse[B] {
	q := mapErr(p, f)
	n := mk("MapErr", kid(p)).calls(f)
	if fusion() {
		switch c := capOf(p).(type) {
		case fixedInt:
			n.cap = intFieldErr(c, f)
		case *field[A]:
			n.cap = mapErrField(c, f)
		}
		if fl, ok := n.cap.(*field[B]); ok {
			n.fused = true
			q = readField(fl, q)
		}
		if s := scanOf(p); s != nil {
			if !n.fused {
				q = mapErr(slowOf(p), f)
			}
			q = withScan(q, n, mapErrScan(s, f))
		}
	}
	return record(q, n)
}

//go:noinline
func mapErr[A, B any](p parse.TryParse[A], f func(A) (B, error)) parse.TryParse[B] {
	return func(in *parse.Input) (B, error) {
		off := in.Offset()
		v, err := p(in)
		if err != nil {
			var zero B
			return zero, in.Furthest(err)
		}
		w, err := f(v)
		if err != nil {
			var zero B
			return zero, in.Furthest(&parse.SyntaxError{Offset: off, Msg: "invalid value", Err: err})
		}
		return w, nil
	}
}

// Bind runs p, passes its value to f and runs the parser f returns from
// where p stopped: the value decides what follows (a tag selects a body, a
// count selects how many elements). Failures of either parser pass through
// (by the furthest-failure rule of [Seq2]), and f runs again on every attempt, since a message reader
// parses a message from its start each time more input arrives. f is
// called once per parse: if it builds a new parser each time, that costs
// an allocation per message, so return parsers declared in advance where
// the values allow.
//
//go:noinline
func Bind[A, B any](p parse.TryParse[A], f func(A) parse.TryParse[B]) parse.TryParse[B] {
	q := bind(p, f)
	n := mk("Bind", kid(p)).calls(f)
	if fl, consumes := lookOf(p); fl != nil && fusion() {
		n.fused = true
		q = bindField(fl, consumes, f, q)
	} else if _, ok := capOf(p).(peekedByte); ok && fusion() {
		// The next byte decides: a dispatch on it, read in place.
		if choose, ok := any(f).(func(uint8) parse.TryParse[B]); ok {
			n.fused = true
			q = bindByte(choose, q)
		}
	}
	return intoBind(record(q, n), p, f, n.fused)
}

//go:noinline
func bind[A, B any](p parse.TryParse[A], f func(A) parse.TryParse[B]) parse.TryParse[B] {
	return func(in *parse.Input) (B, error) {
		v, err := p(in)
		if err != nil {
			var zero B
			return zero, in.Furthest(err)
		}
		w, err := f(v)(in)
		if err != nil {
			return w, in.Furthest(err)
		}
		return w, nil
	}
}
