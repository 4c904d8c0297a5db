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
// after in the cursor's span, and falls back to the generic composition
// otherwise, which may run f again.
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
		q, qi := readTakeLen(d, lit, f, p)
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

// readTakeLen is the fused parser of TakeLen(number between literals,
// literal after, f), and its destination form: when the length, the
// bytes and after are all in the cursor's span and match, one pass over
// the digits, one comparison for after, and f. The bytes end before the
// span does, as Take's fast path asks, so the view is the generic one.
//
//go:noinline
func readTakeLen[L Integer, T any](d *numeral[L], after string, f func(L, seq.Sequence) T, slow parse.TryParse[T]) (parse.TryParse[T], into[T]) {
	num, pre, suf := d.n, d.prefix, d.suffix
	p := func(in *parse.Input) (T, error) {
		if neg, u, s, ok := num.lenThen(in, pre, suf, after); ok {
			if neg {
				return f(-L(u), s), nil
			}
			return f(L(u), s), nil
		}
		return slow(in)
	}
	pi := func(in *parse.Input, dst *T) error {
		if neg, u, s, ok := num.lenThen(in, pre, suf, after); ok {
			if neg {
				*dst = f(-L(u), s)
			} else {
				*dst = f(L(u), s)
			}
			return nil
		}
		v, err := slow(in)
		*dst = v
		return err
	}
	return p, pi
}

// lenThen is the fast path of a fused TakeLen: it reads the length
// between the literals pre and suf, then that many bytes and the literal
// after, when all of them are in the cursor's span, and moves the cursor
// past them; ok is false, and the cursor untouched, otherwise. A negative
// length (neg and u > 0) reads no bytes and no after. The bytes end before
// the span does, as Take's fast path asks, so the view is the one the
// generic composition gives.
func (n *number) lenThen(in *parse.Input, pre, suf, after string) (neg bool, u uint64, s seq.Sequence, ok bool) {
	span := in.Span()
	if len(span) <= len(pre) || !hasAt(span, 0, pre) {
		return false, 0, seq.Sequence{}, false
	}
	var used int
	if n.signed {
		if neg, u, used, ok = n.scan(span[len(pre):]); !ok {
			return false, 0, seq.Sequence{}, false
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
			return false, 0, seq.Sequence{}, false
		}
		used = i - len(pre)
	}
	end := len(pre) + used
	if len(span)-end < len(suf) || !hasAt(span, end, suf) {
		return false, 0, seq.Sequence{}, false
	}
	end += len(suf)
	if neg && u != 0 {
		in.Advance(end)
		return true, u, seq.Sequence{}, true
	}
	if rest := uint64(len(span) - end); u >= rest || rest-u < uint64(len(after)) || !hasAt(span, end+int(u), after) {
		return false, 0, seq.Sequence{}, false
	}
	in.Advance(end)
	s = in.SpanSeq(int(u))
	in.Advance(int(u) + len(after))
	return false, u, s, true
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
