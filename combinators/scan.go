package combinators

import (
	"encoding/binary"
	"math/bits"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Span scans. Text grammars (a header line, a command line) are runs of
// byte classes, single bytes and literals in sequence, repeated until a
// terminator: elements of variable width, which the fixed-width fusion
// (fuse.go) does not cover. A constructor whose children can all read
// their element from a byte slice records a scanner in its node (node.scan)
// and returns a closure that scans the cursor's span with it: one pass
// over the bytes, values written once, no parse.Input call per element,
// no error made and dropped per element. When the span does not decide a
// success (the element goes on past it, is malformed, or needs what only
// the input knows: more bytes, the final flag, a resumed search), the
// closure runs the generic composition from the start, which decides every
// failure: the streaming semantics are the generic ones by construction,
// and the fast path only gives the value and the cursor the generic
// composition gives when it succeeds within the span.
//
// A scan that succeeds drops nothing the generic composition would keep:
// the failures a generic repetition dismisses on its way (its terminator
// tried before each element) lie before the element's end, and a later
// failure, at or after that end, wins over them by the furthest-failure
// rule. The scanners below therefore never end on a dismissed failure: a
// repetition scanned here ends on its terminator, a run on a byte that
// does not match (which is no failure), and the others on their last byte.
//
// The scan stands aside on an attempt that resumes an earlier one
// ([parse.Input.Resumed]), so that a message arriving in small pieces is
// scanned once, as the generic composition guarantees.

// scanner reads an element from the cursor's span.
type scanner[T any] struct {
	// scan reads the element at b[i:], b being the cursor's span
	// (in.Span()), and returns its value and the offset in b after it.
	// A negative offset means that the span does not decide a success
	// there.
	scan func(in *parse.Input, b []byte, i int) (T, int)
	// lit, if not empty, is what the scanner matches: fixed bytes, whose
	// value is litv. Its neighbours compare them in place.
	lit  string
	litv T
}

// scanOf returns the scanner of p: the one recorded for it, or one made
// from its capability (a byte, a literal, a fixed-width field), or nil.
func scanOf[T any](p parse.TryParse[T]) *scanner[T] {
	n := nodeOf(p)
	if n == nil || !fusion() {
		return nil
	}
	if s, ok := n.scan.(*scanner[T]); ok {
		return s
	}
	switch c := n.cap.(type) {
	case oneByte:
		if s, ok := any(byteScan(byte(c))).(*scanner[T]); ok {
			return s
		}
	case literal:
		if s, ok := any(literalScan(string(c))).(*scanner[T]); ok {
			return s
		}
	case *lits[T]:
		return litsScan(c)
	}
	if f := fieldLike(p); f != nil {
		return fieldScan(f)
	}
	return nil
}

// withScan records s as the scanner of the parser p of node n, and returns
// p with a fast path that scans the span, unless p is fused already (its
// fast path is its own) or s is nil.
func withScan[T any](p parse.TryParse[T], n *node, s *scanner[T]) parse.TryParse[T] {
	if s == nil || !fusion() {
		return p
	}
	n.scan = s
	if n.fused {
		return p
	}
	n.fused, n.slow = true, p
	return withBatch(readScan(s, p), scanBatch(s))
}

// slowOf returns the generic composition behind p's span scan, or p. A
// combinator that reads what its child reads and no more (Map, MapErr,
// Limit, Recognize, a Dispatch's cases) runs its child's generic
// composition when its own scan failed: the child's scan covers the same
// bytes and would fail again, so a message cut by a segment end is not
// scanned once per layer of wrappers.
func slowOf[T any](p parse.TryParse[T]) parse.TryParse[T] {
	if n := nodeOf(p); n != nil {
		if q, ok := n.slow.(parse.TryParse[T]); ok {
			return q
		}
	}
	return p
}

// readScan is the parser that scans the span with s, and runs slow, the
// generic composition, when that does not decide a success.
//
//go:noinline
func readScan[T any](s *scanner[T], slow parse.TryParse[T]) parse.TryParse[T] {
	scan := s.scan
	return func(in *parse.Input) (T, error) {
		if !in.Resumed() {
			if v, j := scan(in, in.Span(), 0); j >= 0 && j <= in.Limit()-in.Consumed() {
				in.Advance(j)
				return v, nil
			}
		}
		return slow(in)
	}
}

func byteScan(c byte) *scanner[byte] {
	return &scanner[byte]{scan: func(_ *parse.Input, b []byte, i int) (byte, int) {
		if i < len(b) && b[i] == c {
			return c, i + 1
		}
		return 0, -1
	}, lit: string([]byte{c}), litv: c}
}

func literalScan(s string) *scanner[string] {
	return litScan(s, s)
}

func litsScan[T any](l *lits[T]) *scanner[T] {
	return litScan(l.s, l.v)
}

// litScan is the scanner of fixed bytes s whose value is v.
func litScan[T any](s string, v T) *scanner[T] {
	return &scanner[T]{scan: func(_ *parse.Input, b []byte, i int) (T, int) {
		if spanHas(b, i, s) {
			return v, i + len(s)
		}
		var zero T
		return zero, -1
	}, lit: s, litv: v}
}

func fieldScan[T any](f *field[T]) *scanner[T] {
	skip, n, get := f.skip, f.size(), f.get
	return &scanner[T]{scan: func(_ *parse.Input, b []byte, i int) (T, int) {
		if len(b)-i >= n {
			if v, ok := get(b[i+skip:]); ok {
				return v, i + n
			}
		}
		var zero T
		return zero, -1
	}}
}

// satisfyScan is the scanner of Satisfy.
func satisfyScan(t *byteTable) *scanner[byte] {
	return &scanner[byte]{scan: func(_ *parse.Input, b []byte, i int) (byte, int) {
		if i < len(b) && t[b[i]] {
			return b[i], i + 1
		}
		return 0, -1
	}}
}

// runScan is the scanner of TakeWhile: the run is decided in the span by
// a byte that does not match or by reaching hi.
func runScan(r *runSet, lo, hi int) *scanner[seq.Sequence] {
	return &scanner[seq.Sequence]{scan: func(in *parse.Input, b []byte, i int) (seq.Sequence, int) {
		lim := len(b)
		if hi >= 0 && hi < lim-i {
			lim = i + hi
		}
		j := r.end(b[:lim], i)
		if j == len(b) && (hi < 0 || j-i < hi) || j-i < lo {
			return seq.Sequence{}, -1 // the run may go on past the span, or is too short
		}
		return in.SpanSeqAt(i, j-i), j
	}}
}

func mapScan[A, B any](a *scanner[A], f func(A) B) *scanner[B] {
	sa := a.scan
	return &scanner[B]{scan: func(in *parse.Input, b []byte, i int) (B, int) {
		v, j := sa(in, b, i)
		if j < 0 {
			var zero B
			return zero, -1
		}
		return f(v), j
	}}
}

func mapErrScan[A, B any](a *scanner[A], f func(A) (B, error)) *scanner[B] {
	sa := a.scan
	return &scanner[B]{scan: func(in *parse.Input, b []byte, i int) (B, int) {
		v, j := sa(in, b, i)
		if j < 0 {
			var zero B
			return zero, -1
		}
		w, err := f(v)
		if err != nil {
			var zero B
			return zero, -1
		}
		return w, j
	}}
}

func thenScan[A, B any](a *scanner[A], c *scanner[B]) *scanner[B] {
	sa, sc := a.scan, c.scan
	if lit := a.lit; lit != "" {
		if c.lit != "" {
			return litScan(lit+c.lit, c.litv) // fixed bytes in a row
		}
		// Fixed bytes, compared in place, then c.
		return &scanner[B]{scan: func(in *parse.Input, b []byte, i int) (B, int) {
			if spanHas(b, i, lit) {
				return sc(in, b, i+len(lit))
			}
			var zero B
			return zero, -1
		}}
	}
	return &scanner[B]{scan: func(in *parse.Input, b []byte, i int) (B, int) {
		if _, j := sa(in, b, i); j >= 0 {
			return sc(in, b, j)
		}
		var zero B
		return zero, -1
	}}
}

func beforeScan[A, B any](a *scanner[A], c *scanner[B]) *scanner[A] {
	sa, sc := a.scan, c.scan
	if lit := c.lit; lit != "" {
		if a.lit != "" {
			return litScan(a.lit+lit, a.litv) // fixed bytes in a row
		}
		// a, then fixed bytes compared in place.
		return &scanner[A]{scan: func(in *parse.Input, b []byte, i int) (A, int) {
			v, j := sa(in, b, i)
			if j >= 0 && spanHas(b, j, lit) {
				return v, j + len(lit)
			}
			var zero A
			return zero, -1
		}}
	}
	return &scanner[A]{scan: func(in *parse.Input, b []byte, i int) (A, int) {
		v, j := sa(in, b, i)
		if j >= 0 {
			if _, j = sc(in, b, j); j >= 0 {
				return v, j
			}
		}
		var zero A
		return zero, -1
	}}
}

func seq2Scan[A, B, R any](a *scanner[A], c *scanner[B], f func(A, B) R) *scanner[R] {
	sa, sc := a.scan, c.scan
	return &scanner[R]{scan: func(in *parse.Input, b []byte, i int) (R, int) {
		var zero R
		va, j := sa(in, b, i)
		if j < 0 {
			return zero, -1
		}
		vb, j := sc(in, b, j)
		if j < 0 {
			return zero, -1
		}
		return f(va, vb), j
	}}
}

func seq3Scan[A, B, C, R any](a *scanner[A], c *scanner[B], d *scanner[C], f func(A, B, C) R) *scanner[R] {
	sa, sc, sd := a.scan, c.scan, d.scan
	return &scanner[R]{scan: func(in *parse.Input, b []byte, i int) (R, int) {
		var zero R
		va, j := sa(in, b, i)
		if j < 0 {
			return zero, -1
		}
		vb, j := sc(in, b, j)
		if j < 0 {
			return zero, -1
		}
		vc, j := sd(in, b, j)
		if j < 0 {
			return zero, -1
		}
		return f(va, vb, vc), j
	}}
}

func seq4Scan[A, B, C, D, R any](a *scanner[A], c *scanner[B], d *scanner[C], e *scanner[D], f func(A, B, C, D) R) *scanner[R] {
	sa, sc, sd, se := a.scan, c.scan, d.scan, e.scan
	return &scanner[R]{scan: func(in *parse.Input, b []byte, i int) (R, int) {
		var zero R
		va, j := sa(in, b, i)
		if j < 0 {
			return zero, -1
		}
		vb, j := sc(in, b, j)
		if j < 0 {
			return zero, -1
		}
		vc, j := sd(in, b, j)
		if j < 0 {
			return zero, -1
		}
		vd, j := se(in, b, j)
		if j < 0 {
			return zero, -1
		}
		return f(va, vb, vc, vd), j
	}}
}

// dispatchScan is the scanner of a Dispatch whose table is t: the case of
// the byte at i, if it has a scanner.
func dispatchScan[T any](t *[256]parse.TryParse[T]) *scanner[T] {
	// A case of fixed bytes (a Byte, a Literal) is compared in place.
	type litCase[T any] struct {
		s string
		v T
	}
	var st [256]func(*parse.Input, []byte, int) (T, int)
	var lt [256]*litCase[T]
	found := false
	for i, s := range byRun(t, scanOf[T]) {
		if s != nil {
			found = true
			if s.lit != "" && s.lit[0] == byte(i) {
				lt[i] = &litCase[T]{s.lit, s.litv}
			} else {
				st[i] = s.scan
			}
		}
	}
	if !found {
		return nil
	}
	return &scanner[T]{scan: func(in *parse.Input, b []byte, i int) (T, int) {
		if i < len(b) {
			c := b[i]
			if l := lt[c]; l != nil {
				if spanHas(b, i, l.s) {
					return l.v, i + len(l.s)
				}
			} else if s := st[c]; s != nil {
				return s(in, b, i)
			}
		}
		var zero T
		return zero, -1
	}}
}

// limitScan is the scanner of Limit(n, p): an element of at most n bytes
// (parse.Limited refuses a longer one, and lets the element look one byte
// past them, as a run that ends there does).
func limitScan[T any](a *scanner[T], n int) *scanner[T] {
	sa := a.scan
	return &scanner[T]{scan: func(in *parse.Input, b []byte, i int) (T, int) {
		v, j := sa(in, b, i)
		if j < 0 || j-i > n {
			var zero T
			return zero, -1
		}
		return v, j
	}}
}

// tillScan is the scanner of FoldTill(p, end, min, max, init, step) for an
// end that matches fixed bytes: before each element (once min are read)
// the terminator is compared in place; the repetition ends on it.
//
// The generic repetition notes, where its last element began, what the
// terminator expected there (a dismissed failure, which a failure at that
// offset later merges with): the scan notes the same, from the start set
// the repetition learned from end, and leaves a terminator whose first
// byte matched there (a failure that is not ruled out by a byte) to the
// generic composition.
func tillScan[T, E, A any](a *scanner[T], lit string, min, max int, init A, step func(A, T) A, es *starts, end parse.TryParse[E]) *scanner[A] {
	sa := a.scan
	return &scanner[A]{scan: func(in *parse.Input, b []byte, i int) (A, int) {
		var zero A
		acc := init
		last := -1 // where the last element began, if end was tried there
		for n := 0; ; n++ {
			if n >= min {
				if len(b)-i < len(lit) {
					return zero, -1 // the terminator may be cut by the span's end
				}
				if string(b[i:i+len(lit)]) == lit {
					if last >= 0 {
						set := es.set.Load()
						if set == nil {
							set = learn(es, end)
						}
						if set == nil || set.has(b[last]) {
							return zero, -1
						}
						for _, w := range set.what[set.idx[b[last]]] {
							in.ExpectAt(last, w)
						}
					}
					return acc, i + len(lit)
				}
				last = i
				if max >= 0 && n >= max {
					return zero, -1
				}
			}
			v, j := sa(in, b, i)
			if j <= i { // no element, or one that reads nothing
				return zero, -1
			}
			acc, i = step(acc, v), j
		}
	}}
}

// recognizeScan is the scanner of Recognize(p).
func recognizeScan[T any](a *scanner[T]) *scanner[Recognized[T]] {
	sa := a.scan
	return &scanner[Recognized[T]]{scan: func(in *parse.Input, b []byte, i int) (Recognized[T], int) {
		v, j := sa(in, b, i)
		if j < 0 {
			return Recognized[T]{}, -1
		}
		return Recognized[T]{Value: v, Bytes: in.SpanSeqAt(i, j-i)}, j
	}}
}

// runSet is a byte class as a run scans it: its table, and a test of eight
// bytes at once (SWAR) that flags every word holding a byte outside the
// class. The bytes outside it (the stops) are covered by at most three
// tests that a word answers with a few arithmetic operations, in the
// manner of the bit hacks "has a byte less than n", "has a byte greater
// than n" and "has a zero byte": every byte below lo, every byte above hi,
// and up to two single bytes. A word the tests flag is checked byte by
// byte with the table (a byte a test covers may be in the class: a tab in
// a header value), so the result is the table's whatever the cover.
// Classes whose stops no such cover fits (a token's many delimiters) are
// scanned by the table alone.
type runSet struct {
	t      *byteTable
	t8     *[256]uint8 // t as 0 and 1, for eight lookups under one branch
	swar   bool
	lo     uint64 // lo*ones: bytes below lo are stops (when hasLo)
	hi     uint64 // (127-hi)*ones: bytes above hi are stops (when hasHi)
	eq     [2]uint64
	neq    int
	hasLo  bool
	hasHi  bool
	stopLo int // lo, for the tests
	stopHi int // hi, for the tests
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// newRunSet returns the runSet of the class t.
func newRunSet(t *byteTable) *runSet {
	r := &runSet{t: t, t8: new([256]uint8)}
	for b, in := range t {
		if in {
			r.t8[b] = 1
		}
	}
	var stops []byte
	for b := range 256 {
		if !t[b] {
			stops = append(stops, byte(b))
		}
	}
	if len(stops) <= len(r.eq) {
		// A delimiter or two ("\r\n"): compared exactly.
		r.swar, r.stopLo, r.stopHi = true, 0, 255
		for i, b := range stops {
			r.eq[i] = uint64(b) * ones
		}
		r.neq = len(stops)
		return r
	}
	lo := 0 // every stop below 0x40 is under lo
	for b := 0; b < 0x40; b++ {
		if !t[b] {
			lo = b + 1
		}
	}
	hi := 255 // every stop above hi (at most 0x7f) is covered
	for b := 0x80; b < 256; b++ {
		if !t[b] {
			hi = 0x7f
			for hi >= lo && hi >= 0x40 && !t[hi] {
				hi--
			}
			break
		}
	}
	var eq []byte
	for b := lo; b <= hi; b++ {
		if !t[b] {
			eq = append(eq, byte(b))
		}
	}
	if len(eq) > len(r.eq) || hi < lo {
		return r
	}
	r.swar, r.stopLo, r.stopHi = true, lo, hi
	r.hasLo, r.lo = lo > 0, uint64(lo)*ones
	r.hasHi, r.hi = hi < 255, uint64(127-min(hi, 127))*ones
	for i, b := range eq {
		r.eq[i] = uint64(b) * ones
	}
	r.neq = len(eq)
	return r
}

// mask returns the high bit of every byte of x (little-endian) that the
// cover flags: every byte outside the class, and some inside it. Its
// lowest set bit is exact: carries and borrows of the tests run from a
// flagged byte upward only, so the first flagged byte is one the tests
// cover, and the table says whether it is outside the class.
func (r *runSet) mask(x uint64) uint64 {
	var m uint64
	if r.hasLo {
		m = (x - r.lo) &^ x // a byte below lo
	}
	if r.hasHi {
		m |= x + r.hi | x // a byte above hi
	}
	if r.neq > 0 {
		y := x ^ r.eq[0]
		m |= (y - ones) &^ y // a byte equal to eq[0]
		if r.neq > 1 {
			y = x ^ r.eq[1]
			m |= (y - ones) &^ y
		}
	}
	return m & highs
}

// flags reports whether the eight bytes of x (little-endian) may hold a
// stop: true for every word that does, and for some that do not.
func (r *runSet) flags(x uint64) bool { return r.mask(x) != 0 }

// end returns the offset of the first byte of b at or after i that is not
// in the class, or len(b).
func (r *runSet) end(b []byte, i int) int {
	t := r.t
	if !r.swar {
		// Eight table lookups per word, their answers gathered into one
		// word whose first zero byte is the end.
		t8 := r.t8
		for ; i+8 <= len(b); i += 8 {
			w := b[i : i+8 : i+8]
			v := uint64(t8[w[0]]) | uint64(t8[w[1]])<<8 | uint64(t8[w[2]])<<16 | uint64(t8[w[3]])<<24 |
				uint64(t8[w[4]])<<32 | uint64(t8[w[5]])<<40 | uint64(t8[w[6]])<<48 | uint64(t8[w[7]])<<56
			if v != ones {
				return i + bits.TrailingZeros64(^v&ones)>>3
			}
		}
	} else {
		for ; i+8 <= len(b); i += 8 {
			m := r.mask(binary.LittleEndian.Uint64(b[i:]))
			for m != 0 {
				k := bits.TrailingZeros64(m) >> 3
				if !t[b[i+k]] {
					return i + k
				}
				m &^= 0xff << (k * 8) // a byte the cover flags that is in the class: a tab
			}
		}
	}
	for i < len(b) && t[b[i]] {
		i++
	}
	return i
}

// spanHas reports whether s lies in b at i.
func spanHas(b []byte, i int, s string) bool {
	return len(b)-i >= len(s) && hasAt(b, i, s)
}
