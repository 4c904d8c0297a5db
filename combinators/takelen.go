package combinators

import (
	"math"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TakeLen reads a length with length, then that many bytes, then after
// (nil: nothing), and returns f of the length and a view of the bytes:
// "take n bytes, n from an earlier value", as a RESP bulk string
// ("$5\r\nhello\r\n": length Then(Byte('$'), Before(Decimal, CRLF)), after
// CRLF), a netstring ("5:hello,") or an IMAP literal is written. A
// negative length declares that there are no bytes (RESP's null "$-1"):
// neither the bytes nor after are read, and f gets an empty Sequence.
//
// It is Bind(length, func(n L) { return Before(Take(n), after) }) with
// f applied, declared so that nothing is chosen or built per message:
// the bytes are read as [Take] reads them (a length that cannot fit the
// maximum message size is a [*parse.SizeError] before they are waited
// for; fewer buffered ask for all of them at once), and failures of
// length, the bytes and after pass through, by the furthest-failure rule
// of [Seq2]. f runs only on success and must be pure: when length is a
// number between literals ([Decimal], [Hex], in [Before] and [Then] of
// literals) and after is a literal, TakeLen is compiled into one closure
// (see [Describe]) that reads the number, views the bytes and matches
// after in the cursor's span; when the bytes run past the span (a value
// straddling two reads or segments) it goes on from the number as the
// generic composition does, and otherwise falls back to the generic
// composition, which may run f again.
//
//go:noinline
func TakeLen[L Integer, A, T any](length parse.TryParse[L], after parse.TryParse[A], f func(L, seq.Sequence) T) parse.TryParse[T] {
	p := takeLen(length, after, f)
	n := mk("TakeLen", kid(length))
	if after != nil {
		n.kids = append(n.kids, kid(after))
	}
	n.calls(f)
	if !fusion() {
		return record(p, n)
	}
	lit, isLit := "", after == nil
	if !isLit {
		lit, isLit = textOf(after)
	}
	if d, ok := capOf(length).(*numeral[L]); ok && isLit {
		n.fused = true
		q, qi := readTakeLen(d, lit, f, p, takeRest(after))
		return recordInto(record(q, n), qi)
	}
	return recordInto(record(p, n), func(in *parse.Input, dst *T) error {
		v, err := p(in)
		*dst = v
		return err
	})
}

//go:noinline
func takeLen[L Integer, A, T any](length parse.TryParse[L], after parse.TryParse[A], f func(L, seq.Sequence) T) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		var zero T
		l, err := length(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		if l < 0 {
			return f(l, seq.Sequence{}), nil
		}
		n := math.MaxInt
		if uint64(l) <= math.MaxInt {
			n = int(l)
		}
		s, err := takeBytes(in, n)
		if err != nil {
			return zero, in.Furthest(err)
		}
		if after != nil {
			if _, err := after(in); err != nil {
				return zero, in.Furthest(err)
			}
		}
		return f(l, s), nil
	}
}

// takeBytes reads the next n bytes as [Take] does.
func takeBytes(in *parse.Input, n int) (seq.Sequence, error) {
	if n < len(in.Span()) { // within the current segment
		s := in.SpanSeq(n)
		in.Advance(n)
		return s, nil
	}
	if s, ok := in.ReadN(n); ok {
		return s, nil
	}
	if n > in.Limit()-in.Consumed() {
		return seq.Sequence{}, in.TooLarge()
	}
	return seq.Sequence{}, in.NeedMore(n)
}

// takeRest returns what a TakeLen does after its length: n bytes, then
// after (nil: nothing), with takeLen's failures. The fused TakeLen calls
// it when the length is in the cursor's span and the bytes are not all
// there (a bulk string that straddles two reads or two segments), so that
// such a value goes on from its length instead of starting over in the
// generic composition.
func takeRest[A any](after parse.TryParse[A]) func(in *parse.Input, n int) (seq.Sequence, error) {
	return func(in *parse.Input, n int) (seq.Sequence, error) {
		s, err := takeBytes(in, n)
		if err != nil {
			return seq.Sequence{}, in.Furthest(err)
		}
		if after != nil {
			if _, err := after(in); err != nil {
				return seq.Sequence{}, in.Furthest(err)
			}
		}
		return s, nil
	}
}

// readTakeLen is the fused parser of TakeLen(number between literals,
// literal after, f), and its destination form: when the length, the
// bytes and after are all in the cursor's span and match, one pass over
// the digits, one comparison for after, and f. The bytes end before the
// span does, as Take's fast path asks, so the view is the generic one.
// When only the length is in the span, rest reads the bytes and after
// from there, as the generic composition does after the length.
//
//go:noinline
func readTakeLen[L Integer, T any](d *numeral[L], after string, f func(L, seq.Sequence) T, slow parse.TryParse[T],
	rest func(*parse.Input, int) (seq.Sequence, error)) (parse.TryParse[T], into[T]) {
	num, pre, suf := d.n, d.prefix, d.suffix
	if !num.signed && num.base == 10 && num.posOK && len(pre) <= 1 && len(suf) == 2 && len(after) == 2 {
		return readTakeLen10(num, pre, suf, after, f, slow, rest)
	}
	p := func(in *parse.Input) (T, error) {
		switch neg, u, s, st := num.lenThen(in, pre, suf, after); st {
		case lenAll:
			if neg {
				return f(-L(u), s), nil
			}
			return f(L(u), s), nil
		case lenHead:
			s, err := rest(in, clampInt(u))
			if err != nil {
				var zero T
				return zero, err
			}
			return f(L(u), s), nil
		}
		return slow(in)
	}
	pi := func(in *parse.Input, dst *T) error {
		switch neg, u, s, st := num.lenThen(in, pre, suf, after); st {
		case lenAll:
			if neg {
				*dst = f(-L(u), s)
			} else {
				*dst = f(L(u), s)
			}
			return nil
		case lenHead:
			s, err := rest(in, clampInt(u))
			if err != nil {
				return err
			}
			*dst = f(L(u), s)
			return nil
		}
		v, err := slow(in)
		*dst = v
		return err
	}
	return p, pi
}

// readTakeLen10 is readTakeLen for the common shape of a text protocol's
// length-prefixed bytes (RESP's "$5\r\nhello\r\n", a chunk's "5\r\n…\r\n"
// in decimal): an unsigned decimal length after at most one byte, with a
// two-byte literal after the length and after the bytes. The literals'
// bytes and the bounds are the closures' own, and the fast path is
// written into them, with no call for the scan and one move of the
// cursor: the same reading as lenThen's, for about half the instructions
// (callgrind, RESP replies).
func readTakeLen10[L Integer, T any](num *number, pre, suf, after string, f func(L, seq.Sequence) T, slow parse.TryParse[T],
	rest func(*parse.Input, int) (seq.Sequence, error)) (parse.TryParse[T], into[T]) {
	c := &len10{lo: len(pre), s0: suf[0], s1: suf[1], a0: after[0], a1: after[1], safe: num.safe, umin: num.posMin, umax: num.posMax}
	if c.lo == 1 {
		c.p0 = pre[0]
	}
	p := func(in *parse.Input) (T, error) {
		span := in.Span()
		if u, end := c.head(span); end > 0 {
			if r := uint64(len(span) - end); u < r && r-u >= 2 {
				if k := end + int(u); span[k] == c.a0 && span[k+1] == c.a1 {
					s := in.SpanSeqAt(end, int(u))
					in.Advance(k + 2)
					return f(L(u), s), nil
				}
			} else {
				in.Advance(end)
				s, err := rest(in, clampInt(u))
				if err != nil {
					var zero T
					return zero, err
				}
				return f(L(u), s), nil
			}
		}
		return slow(in)
	}
	pi := func(in *parse.Input, dst *T) error {
		span := in.Span()
		if u, end := c.head(span); end > 0 {
			if r := uint64(len(span) - end); u < r && r-u >= 2 {
				if k := end + int(u); span[k] == c.a0 && span[k+1] == c.a1 {
					s := in.SpanSeqAt(end, int(u))
					in.Advance(k + 2)
					*dst = f(L(u), s)
					return nil
				}
			} else {
				in.Advance(end)
				s, err := rest(in, clampInt(u))
				if err != nil {
					return err
				}
				*dst = f(L(u), s)
				return nil
			}
		}
		v, err := slow(in)
		*dst = v
		return err
	}
	return p, pi
}

// len10 is what readTakeLen10 reads: at most one prefix byte p0 (lo is 1
// when there is one), at most safe decimal digits making a number within
// [umin, umax], the bytes s0 s1, the bytes counted, and a0 a1.
type len10 struct {
	lo                 int
	p0, s0, s1, a0, a1 byte
	safe               int
	umin, umax         uint64
}

// head reads the length at the start of span, with its prefix and
// suffix. It returns the length and where it ends, its suffix included,
// or end 0 when the fast path does not apply.
func (c *len10) head(span []byte) (u uint64, end int) {
	lo := c.lo
	if len(span) <= lo || (lo == 1 && span[0] != c.p0) {
		return 0, 0
	}
	i, stop := lo, len(span)
	if stop-i > c.safe {
		stop = i + c.safe + 1
	}
	for ; i < stop; i++ {
		d := span[i] - '0'
		if d > 9 {
			break
		}
		u = u*10 + uint64(d)
	}
	if i == stop || i == lo || u < c.umin || u > c.umax || len(span)-i < 2 || span[i] != c.s0 || span[i+1] != c.s1 {
		return 0, 0
	}
	return u, i + 2
}

// clampInt is a length as an int, math.MaxInt for one that does not fit
// (takeLen's conversion).
func clampInt(u uint64) int {
	if u <= math.MaxInt {
		return int(u)
	}
	return math.MaxInt
}

// What lenThen read: nothing (the cursor untouched), the length, the
// bytes and after (or a negative length alone), or the length only, the
// bytes running past the cursor's span.
const (
	lenNone = iota
	lenAll
	lenHead
)

// lenThen is the fast path of a fused TakeLen: it reads the length
// between the literals pre and suf, then that many bytes and the literal
// after, when all of them are in the cursor's span, moves the cursor past
// them and returns lenAll. A negative length (neg and u > 0) reads no
// bytes and no after (lenAll too). When the length and its literals are
// in the span but the bytes and after are not all there, it moves the
// cursor past the length and returns lenHead, for the caller to read the
// rest as the generic composition does. Otherwise (a length not in the
// span or not a fast one, after mismatched in the span) it returns
// lenNone with the cursor untouched. The bytes end before the span does,
// as Take's fast path asks, so the view is the one the generic
// composition gives.
func (n *number) lenThen(in *parse.Input, pre, suf, after string) (neg bool, u uint64, s seq.Sequence, st int) {
	span := in.Span()
	if len(span) <= len(pre) || !hasAt(span, 0, pre) {
		return false, 0, seq.Sequence{}, lenNone
	}
	var used int
	if n.signed {
		var ok bool
		if neg, u, used, ok = n.scan(span[len(pre):]); !ok {
			return false, 0, seq.Sequence{}, lenNone
		}
	} else {
		// scan for a length without a sign, inlined: the digits up to
		// n.safe, the bounds once after them.
		i, end := len(pre), len(span)
		if end-i > n.safe {
			end = i + n.safe + 1
		}
		for ; i < end; i++ {
			d := uint64(digitValue[span[i]])
			if d >= n.base {
				break
			}
			u = u*n.base + d
		}
		if i == end || i == len(pre) || !n.posOK || u < n.posMin || u > n.posMax {
			return false, 0, seq.Sequence{}, lenNone
		}
		used = i - len(pre)
	}
	end := len(pre) + used
	if len(span)-end < len(suf) || !hasAt(span, end, suf) {
		return false, 0, seq.Sequence{}, lenNone
	}
	end += len(suf)
	if neg && u != 0 {
		in.Advance(end)
		return true, u, seq.Sequence{}, lenAll
	}
	if rest := uint64(len(span) - end); u >= rest || rest-u < uint64(len(after)) {
		in.Advance(end)
		return false, u, seq.Sequence{}, lenHead
	}
	if !hasAt(span, end+int(u), after) {
		return false, 0, seq.Sequence{}, lenNone
	}
	in.Advance(end)
	s = in.SpanSeq(int(u))
	in.Advance(int(u) + len(after))
	return false, u, s, lenAll
}

// hasAt reports whether b holds s at i, which the caller checked it has
// room for: the one or two bytes of a protocol's literals compared in
// place, cheaper than a call to compare them or a loop over them.
func hasAt(b []byte, i int, s string) bool {
	switch len(s) {
	case 0:
		return true
	case 1:
		return b[i] == s[0]
	case 2:
		return b[i] == s[0] && b[i+1] == s[1]
	}
	return string(b[i:i+len(s)]) == s
}
