package combinators

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// ErrRange is the Err of the [*parse.SyntaxError] that [Decimal] and [Hex]
// return for a number outside its bounds, one that overflows its type, or
// one with more digits than allowed; match it with errors.Is.
var ErrRange = errors.New("combinators: number out of range")

// Integer is the set of Go integer types, signed and unsigned.
type Integer interface {
	Unsigned | ~int | ~int8 | ~int16 | ~int32 | ~int64
}

// Unsigned is the set of Go unsigned integer types.
type Unsigned interface {
	~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// digitValue maps a byte to its value as a hexadecimal digit (either
// case), or 0xff.
var digitValue = func() (t [256]uint8) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = uint8(c-'a') + 10
		t[c-'a'+'A'] = uint8(c-'a') + 10
	}
	return t
}()

// number describes a number parser, prepared when it is declared: the
// bounds as magnitudes, so that one pass over the digits in uint64
// decides overflow and bounds together.
type number struct {
	base      uint64
	signed    bool   // a leading '-' is read (min < 0)
	posOK     bool   // a non-negative number can be in range (max >= 0)
	posMax    uint64 // the largest non-negative value (max), if posOK
	posMin    uint64 // the smallest non-negative value (min if min > 0)
	negMax    uint64 // the magnitude of the most negative value (-min), if signed
	negMin    uint64 // the magnitude of the least negative value (-max if max < 0)
	maxDigits int
	safe      int // digits that fit a uint64 and maxDigits: the fast paths' scan length

	// A magnitude u followed by a digit d stays within the positive
	// (negative) bound unless u > posCut or u == posCut and d > posRem:
	// the bound divided by the base, prepared so that the loop divides
	// nothing.
	posCut, posRem, negCut, negRem uint64

	first, digit, above, below, long string // error messages
}

// magnitude returns |v| as a uint64, exactly for the most negative value.
func magnitude[T Integer](v T) uint64 {
	if v >= 0 {
		return uint64(v)
	}
	return uint64(-(v + 1)) + 1
}

// digitsOf returns how many digits u has in base.
func digitsOf(u, base uint64) int {
	n := 1
	for u >= base {
		u /= base
		n++
	}
	return n
}

func newNumber[T Integer](name string, base uint64, lo, hi T, maxDigits int, what string) *number {
	if hi < lo {
		panic(fmt.Sprintf("combinators: %s with bounds min=%v > max=%v", name, lo, hi))
	}
	n := &number{base: base, signed: lo < 0, posOK: hi >= 0, maxDigits: maxDigits}
	if n.posOK {
		n.posMax = uint64(hi)
		if lo > 0 {
			n.posMin = uint64(lo)
		}
	}
	if n.signed {
		n.negMax = magnitude(lo)
		if hi < 0 {
			n.negMin = magnitude(hi)
		}
	}
	n.posCut, n.posRem = n.posMax/base, n.posMax%base
	n.negCut, n.negRem = n.negMax/base, n.negMax%base
	if maxDigits <= 0 {
		n.maxDigits = max(digitsOf(n.posMax, base), digitsOf(n.negMax, base))
	}
	n.safe = n.maxDigits
	for k, p := 0, uint64(1); ; k++ {
		if k == n.safe || p > math.MaxUint64/base {
			n.safe = k // base^k <= MaxUint64: k digits fit
			break
		}
		p *= base
	}
	render := func(v T) string {
		if base == 16 {
			return "0x" + strconv.FormatUint(uint64(v), 16)
		}
		return fmt.Sprint(v)
	}
	n.digit = "expected " + what
	n.first = n.digit
	if n.signed {
		n.first = "expected '-' or " + what
	}
	n.above = "number above the maximum " + render(hi)
	n.below = "number below the minimum " + render(lo)
	n.long = "number longer than " + strconv.Itoa(n.maxDigits) + " digits"
	return n
}

// fault is a range error of the number that starts at off.
func (n *number) fault(off int64, msg string) error {
	return &parse.SyntaxError{Offset: off, Msg: msg, Err: ErrRange}
}

// read reads the number at the cursor and returns its sign and magnitude.
func (n *number) read(in *parse.Input) (neg bool, u uint64, err error) {
	off := in.Offset()
	b, ok := in.Peek()
	if !ok {
		return false, 0, in.NeedMore(1)
	}
	msg := n.first
	if n.signed && b == '-' {
		neg, msg = true, n.digit
		in.Advance(1)
		if in.Remaining() == 0 {
			return false, 0, in.NeedMore(1)
		}
	}
	cut, rem := n.posCut, n.posRem
	if neg {
		cut, rem = n.negCut, n.negRem
	}
	digits := 0
	for {
		// A segment at a time: one Advance per segment, not per digit.
		span := in.Span()
		i := 0
		for ; i < len(span); i++ {
			d := uint64(digitValue[span[i]])
			if d >= n.base {
				break
			}
			switch {
			case !neg && !n.posOK || u > cut || u == cut && d > rem:
				// More digits only make it larger: decided now.
				if neg {
					return false, 0, n.fault(off, n.below)
				}
				return false, 0, n.fault(off, n.above)
			case digits == n.maxDigits:
				return false, 0, n.fault(off, n.long)
			}
			u = u*n.base + d
			digits++
		}
		in.Advance(i)
		if i < len(span) {
			break // a byte that is not a digit ends the number
		}
		if in.Remaining() == 0 {
			if !in.Final() {
				return false, 0, in.NeedMore(1) // the number may go on
			}
			break
		}
	}
	switch {
	case digits == 0:
		return false, 0, expected(in, msg) // at the byte that is not a digit
	case !neg && u < n.posMin:
		return false, 0, n.fault(off, n.below)
	case neg && u < n.negMin:
		return false, 0, n.fault(off, n.above)
	}
	return neg, u, nil
}

// Decimal reads a decimal integer between min and max inclusive: a '-'
// sign if min < 0 (never a '+'), then 1 to maxDigits digits (maxDigits <= 0:
// as many as the wider bound has, so leading zeros are allowed only within
// that width), in one pass over the bytes, without allocating. It is the
// number of RESP's ":<int>\r\n" (Decimal[int64](math.MinInt64,
// math.MaxInt64, 0)) and of a Content-Length (Decimal[uint64](0, limit, 0)).
//
// On non-final input, digits that reach the end of the buffered input ask
// for more, since the number may go on; on final input the number ends
// there. The number is decided as soon as its digits show it is out of
// range, without waiting for the rest. Errors are [*parse.SyntaxError]s:
// no digit where one must be is "expected digit" (at the start of a signed
// one, "expected '-' or digit") at that byte, which [Alt] and [Label]
// treat as any expectation; a value above max or below min, one that
// overflows T, and more than maxDigits digits are faults at the number's
// first byte, naming the bound ("number above the maximum 65535") with Err
// [ErrRange]. Input that ends before any digit (after a '-', say) asks for
// more, on final input too (a truncated message). It panics if max < min.
//
//go:noinline
func Decimal[T Integer](min, max T, maxDigits int) parse.TryParse[T] {
	n := newNumber("Decimal", 10, min, max, maxDigits, "digit")
	return record(numberOf[T](n), &node{kind: "Decimal", params: numberParams(fmt.Sprintf("%v..%v", min, max), maxDigits),
		cap: &numeral[T]{n: n}})
}

// Hex reads a hexadecimal integer between min and max inclusive: 1 to
// maxDigits hex digits of either case (maxDigits <= 0: as many as max has),
// with no sign and no "0x", as an HTTP chunk size is written
// (Hex[uint64](0, math.MaxUint64, 16)). Its streaming behaviour and errors
// are [Decimal]'s, with "expected hex digit", and bounds rendered as
// "0x1f". It panics if max < min.
//
//go:noinline
func Hex[T Unsigned](min, max T, maxDigits int) parse.TryParse[T] {
	n := newNumber("Hex", 16, min, max, maxDigits, "hex digit")
	return record(numberOf[T](n), &node{kind: "Hex", params: numberParams(fmt.Sprintf("%#x..%#x", min, max), maxDigits),
		cap: &numeral[T]{n: n}})
}

// numberParams renders a number parser's parameters for Describe.
func numberParams(bounds string, maxDigits int) []string {
	if maxDigits > 0 {
		return []string{bounds, "at most " + strconv.Itoa(maxDigits) + " digits"}
	}
	return []string{bounds}
}

func numberOf[T Integer](n *number) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		neg, u, err := n.read(in)
		if err != nil {
			return 0, err
		}
		if neg {
			return -T(u), nil // wraps to the most negative value exactly
		}
		return T(u), nil
	}
}

// A number followed by a choice on its next byte. A line whose number is
// followed by optional parameters and then its end ("1a;name=v\r\n", a
// chunk size) is declared as Before(number, Dispatch(cases, def)) where
// one case, the byte that starts the line's end, is that literal: almost
// every line has no parameters, and the Dispatch then reads the literal.
// Fused, the number and that literal are one numeral with a suffix, read
// in one pass over the span; a line with parameters, or anything that is
// not the literal after the number, runs the generic composition. It is
// exact because the number's scan stops at the first byte that is not a
// digit, which is the byte the Dispatch would look up, and the case for
// it reads exactly its literal when the literal is there.

// fuseNumberCase is the hook of Before(a, b) for a number a followed by a
// Dispatch b with one literal case: it returns the fused parser and marks
// n fused, or returns p as it is.
func fuseNumberCase[A, B any](a parse.TryParse[A], b parse.TryParse[B], p parse.TryParse[A], n *node) parse.TryParse[A] {
	if n.fused || !fusion() {
		return p
	}
	nc, ok := numeralOf(a)
	if !ok {
		return p
	}
	lit, ok := caseLiteral(nodeOf(b))
	if !ok {
		return p
	}
	q, c := fuseNumeral(nc, "", lit, p)
	if q == nil {
		return p
	}
	n.cap, n.fused = c, true
	return q
}

// caseLiteral returns the literal of the one case of the Dispatch d that
// matches fixed bytes starting with its own byte (a Literal, a Byte, merged
// literals, or a Map of one), if exactly one case does.
func caseLiteral(d *node) (string, bool) {
	if d == nil || d.kind != "Dispatch" {
		return "", false
	}
	found, lit := 0, ""
	for i, k := range d.kids {
		if i >= len(d.labels) || d.labels[i] == "default" {
			continue
		}
		if s, ok := nodeText(nodeAt(k)); ok && s != "" && quoteByte(s[0]) == d.labels[i] {
			found, lit = found+1, s
		}
	}
	return lit, found == 1
}

// nodeText returns the bytes the parser of node n matches, if it matches
// fixed bytes and succeeds whenever they are there: a Literal, a Byte,
// merged literals, or a Map or a Tag of one of them. A Tag names only the
// failures of its parser, which a fused parser leaves to the generic
// composition: a grammar may name a bare CR by a Tag of its CRLF and keep
// the fusion.
func nodeText(n *node) (string, bool) {
	for range 8 {
		if n == nil {
			return "", false
		}
		switch c := n.cap.(type) {
		case literal:
			return string(c), true
		case oneByte:
			return string([]byte{byte(c)}), true
		case interface{ text() string }:
			return c.text(), true
		}
		if n.kind != "Map" && n.kind != "Tag" || len(n.kids) != 1 {
			return "", false
		}
		n = nodeAt(n.kids[0])
	}
	return "", false
}

// readUnsigned is readNumeral for a number without a sign (an unsigned
// type, or bounds that are not negative): the scan inlined into the
// closure and the literals compared byte by byte, which for the short
// literals around a number (CRLF, "$") costs less than a call to the
// runtime's comparison. It returns nil for a signed number.
func readUnsigned[T Integer](d *numeral[T], slow parse.TryParse[T]) parse.TryParse[T] {
	n := d.n
	if n.signed || !n.posOK {
		return nil
	}
	return readUnsignedOf(n.base, n.posMin, n.posMax, n.safe, d.prefix, d.suffix, slow)
}

//go:noinline
func readUnsignedOf[T Integer](base, least, most uint64, safe int, pre, suf string, slow parse.TryParse[T]) parse.TryParse[T] {
	pw, sw := wordOf(pre), wordOf(suf)
	return func(in *parse.Input) (T, error) {
		span := in.Span()
		if len(span) <= len(pre) || !pw.at(span, pre) {
			return slow(in)
		}
		// At most safe digits (see number.scan): no check in the loop
		// but the digit and the end; the bound once after it.
		i, end := len(pre), len(span)
		if end-i > safe {
			end = i + safe + 1
		}
		var u uint64
		for ; i < end; i++ {
			d := uint64(digitValue[span[i]])
			if d >= base {
				break
			}
			u = u*base + d
		}
		// The number must end before end (a byte of the span that is not
		// a digit, within safe digits), have a digit, be in range and
		// have the suffix after it; read decides anything else.
		if i == len(pre) || i == end || len(span)-i < len(suf) || u < least || u > most || !sw.at(span[i:], suf) {
			return slow(in)
		}
		in.Advance(i + len(suf))
		return T(u), nil
	}
}

// textWord is a literal of at most 8 bytes as a little-endian word and
// the mask of its bytes, compared with 8 bytes of a span in one load;
// ok is false for a longer literal.
type textWord struct {
	w, mask uint64
	ok      bool
}

func wordOf(s string) textWord {
	if len(s) > 8 {
		return textWord{}
	}
	var t textWord
	for i := 0; i < len(s); i++ {
		t.w |= uint64(s[i]) << (8 * i)
		t.mask |= 0xff << (8 * i)
	}
	t.ok = true
	return t
}

// at reports whether b, which holds at least len(s) bytes, starts with s,
// the literal of t.
func (t textWord) at(b []byte, s string) bool {
	if t.ok && len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)&t.mask == t.w
	}
	return hasText(b, s)
}

// hasText reports whether b starts with s; b holds at least len(s) bytes.
func hasText(b []byte, s string) bool {
	for i := 0; i < len(s); i++ {
		if b[i] != s[i] {
			return false
		}
	}
	return true
}
