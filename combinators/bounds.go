package combinators

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// LengthPrefixed reads a length with length, then a body of exactly that
// many bytes with body, and returns the body's value. The length is
// checked before any body byte is looked at: if the prefix and the body
// together would exceed the maximum message size ([parse.Input.Limit]),
// LengthPrefixed returns a [*parse.SizeError] at once, so a peer cannot make
// a message reader buffer an oversized body. If the body is not fully
// buffered it asks for exactly the missing bytes ([parse.Input.NeedMore]),
// so that a message reader waits for them in one piece and body is run
// once, on the whole body, as on final input ([parse.Bounded]): body cannot
// read past the body, and an element of it that would need more is a
// syntax error. A body that does not consume exactly the declared length
// is a syntax error at the offset where it stopped. Failures of length and
// body pass through (by the furthest-failure rule of [Seq2]); an element of
// the body that ran into the end of the body is not a truncation, since
// the body is all there.
//
//go:noinline
func LengthPrefixed[L uint8 | uint16 | uint32 | uint64, T any](length parse.TryParse[L], b parse.TryParse[T]) parse.TryParse[T] {
	p := lengthPrefixed(length, b)
	n := mk("LengthPrefixed", kid(length), kid(b))
	if bc, ok := capOf(b).(*body[T]); ok && fusion() {
		// The body is all that is left: viewed, not bounded.
		if c, ok := capOf(length).(*cappedField[L]); ok {
			// The field decoded once, both bounds checked here.
			n.fused = true
			p = withBatch(prefixedBody(c.raw, c.consumes, c.rem, bc, p), prefixedBodyBatch(c.raw, c.consumes, c.rem, bc))
		} else if f, consumes := lookOf(length); f != nil {
			n.fused = true
			p = withBatch(prefixedBody(f, consumes, math.MaxUint64, bc, p), prefixedBodyBatch(f, consumes, math.MaxUint64, bc))
		}
	}
	return record(p, n)
}

//go:noinline
func lengthPrefixed[L uint8 | uint16 | uint32 | uint64, T any](length parse.TryParse[L], body parse.TryParse[T]) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		var zero T
		n, err := declared(in, length)
		if err != nil {
			return zero, in.Furthest(err)
		}
		at := in.Consumed()
		if in.Remaining() < n {
			return zero, in.NeedMore(n)
		}
		v, err := parse.Bounded(in, n, body)
		if err != nil {
			return zero, in.Furthest(err)
		}
		if used := in.Consumed() - at; used != n {
			return zero, in.Furthest(expected(in, "length-prefixed body used "+strconv.Itoa(used)+
				" of its "+strconv.Itoa(n)+" bytes"))
		}
		return v, nil
	}
}

// LengthPrefixedBytes reads a length with length, then returns the next
// that many bytes: LengthPrefixed(length, Rest()) without setting up a
// bounded input for the body, the common framing of binary protocols. Its
// limit check and waiting are LengthPrefixed's.
//
//go:noinline
func LengthPrefixedBytes[L uint8 | uint16 | uint32 | uint64](length parse.TryParse[L]) parse.TryParse[seq.Sequence] {
	p := func(in *parse.Input) (seq.Sequence, error) {
		return lengthPrefixedBytes(in, length)
	}
	n := mk("LengthPrefixedBytes", kid(length))
	if f, ok := fixedOf(length); ok {
		n.fused = true
		return record(withBatch(fixedPrefixedBytes(f, p), fixedPrefixedBatch(f)), n)
	}
	if c, ok := capOf(length).(*cappedField[L]); ok && fusion() {
		// A Capped field: decoded once, both bounds checked, the body
		// viewed.
		n.fused = true
		bc := &body[seq.Sequence]{conv: identity, id: true}
		return record(withBatch(prefixedBody(c.raw, c.consumes, c.rem, bc, p), prefixedBodyBatch(c.raw, c.consumes, c.rem, bc)), n)
	}
	return record(p, n)
}

func lengthPrefixedBytes[L uint8 | uint16 | uint32 | uint64](in *parse.Input, length parse.TryParse[L]) (seq.Sequence, error) {
	n, err := declared(in, length)
	if err != nil {
		return seq.Sequence{}, in.Furthest(err)
	}
	if n < len(in.Span()) {
		s := in.SpanSeq(n)
		in.Advance(n)
		return s, nil
	}
	s, ok := in.ReadN(n)
	if !ok {
		return seq.Sequence{}, in.NeedMore(n)
	}
	return s, nil
}

// fixedPrefixedBytes is LengthPrefixedBytes with one of the package's own
// fixed-width integer parsers, described by f, as the length: it decodes
// the length from the cursor's span itself, without calling the length
// parser, and views the body there, when the body ends before the span
// does (so the cursor stays in its segment) and the message fits the
// limit. When the span is all that is buffered and the body goes on past
// it within the limit, a field of up to 4 bytes returns the need slow
// would return (the header and the declared body from the cursor: once per
// read in a stream of small frames, the frame cut by the read's end; an
// 8-byte length could overflow the sum, so slow decides it). slow, the
// general LengthPrefixedBytes, does the rest (a segment end, a size error,
// a header cut short). One function per width and byte order, each
// written out: a switch in a shared one, or a helper too
// large to inline, costs more than the call to the length parser it saves,
// and a generic one instantiated per width and byte order (the byte order
// as a type, so that both are constants in each instance) ran about 5% more
// cycles per 100-byte frame than these (perf stat, Frames/len=100/parse).
func fixedPrefixedBytes(f fixedInt, slow parse.TryParse[seq.Sequence]) parse.TryParse[seq.Sequence] {
	switch f {
	case fixedInt{1, true}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 1 {
				l := uint64(span[0])
				if l < uint64(len(span)-1) && uint64(in.Consumed()+1)+l <= uint64(in.Limit()) {
					in.Advance(1)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
				if l > uint64(len(span)-1) && uint64(in.Consumed()+1)+l <= uint64(in.Limit()) && len(span) == in.Remaining() {
					return seq.Sequence{}, in.NeedMore(1 + int(l))
				}
			}
			return slow(in)
		}
	case fixedInt{2, true}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 2 {
				l := uint64(binary.BigEndian.Uint16(span))
				if l < uint64(len(span)-2) && uint64(in.Consumed()+2)+l <= uint64(in.Limit()) {
					in.Advance(2)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
				if l > uint64(len(span)-2) && uint64(in.Consumed()+2)+l <= uint64(in.Limit()) && len(span) == in.Remaining() {
					return seq.Sequence{}, in.NeedMore(2 + int(l))
				}
			}
			return slow(in)
		}
	case fixedInt{2, false}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 2 {
				l := uint64(binary.LittleEndian.Uint16(span))
				if l < uint64(len(span)-2) && uint64(in.Consumed()+2)+l <= uint64(in.Limit()) {
					in.Advance(2)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
				if l > uint64(len(span)-2) && uint64(in.Consumed()+2)+l <= uint64(in.Limit()) && len(span) == in.Remaining() {
					return seq.Sequence{}, in.NeedMore(2 + int(l))
				}
			}
			return slow(in)
		}
	case fixedInt{4, true}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 4 {
				l := uint64(binary.BigEndian.Uint32(span))
				if l < uint64(len(span)-4) && uint64(in.Consumed()+4)+l <= uint64(in.Limit()) {
					in.Advance(4)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
				if l > uint64(len(span)-4) && uint64(in.Consumed()+4)+l <= uint64(in.Limit()) && len(span) == in.Remaining() {
					return seq.Sequence{}, in.NeedMore(4 + int(l))
				}
			}
			return slow(in)
		}
	case fixedInt{4, false}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 4 {
				l := uint64(binary.LittleEndian.Uint32(span))
				if l < uint64(len(span)-4) && uint64(in.Consumed()+4)+l <= uint64(in.Limit()) {
					in.Advance(4)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
				if l > uint64(len(span)-4) && uint64(in.Consumed()+4)+l <= uint64(in.Limit()) && len(span) == in.Remaining() {
					return seq.Sequence{}, in.NeedMore(4 + int(l))
				}
			}
			return slow(in)
		}
	case fixedInt{8, true}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 8 {
				l := binary.BigEndian.Uint64(span)
				if l < uint64(len(span)-8) && uint64(in.Consumed()+8)+l <= uint64(in.Limit()) {
					in.Advance(8)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
			}
			return slow(in)
		}
	case fixedInt{8, false}:
		return func(in *parse.Input) (seq.Sequence, error) {
			if span := in.Span(); len(span) > 8 {
				l := binary.LittleEndian.Uint64(span)
				if l < uint64(len(span)-8) && uint64(in.Consumed()+8)+l <= uint64(in.Limit()) {
					in.Advance(8)
					s := in.SpanSeq(int(l))
					in.Advance(int(l))
					return s, nil
				}
			}
			return slow(in)
		}
	}
	return slow
}

// declared reads a length with length and returns it, or the
// [*parse.SizeError] if the bytes read so far and that many more would
// exceed the maximum message size: checked before any of them is buffered.
func declared[L uint8 | uint16 | uint32 | uint64](in *parse.Input, length parse.TryParse[L]) (int, error) {
	l, err := length(in)
	if err != nil {
		return 0, err
	}
	if at := in.Consumed(); at > in.Limit() || uint64(l) > uint64(in.Limit()-at) {
		return 0, in.TooLarge()
	}
	return int(l), nil
}

// Bounded runs p on at most the next n bytes ([parse.Bounded]): p cannot
// examine further, so a delimiter search inside it stops at the bound. When
// n bytes are buffered p sees them as final input and an element of p that
// would need more is a syntax error; when fewer are, p sees what is
// buffered with the input's finality, and its need for more input passes
// through. p may consume fewer than n bytes. Bounded panics if n is
// negative.
//
//go:noinline
func Bounded[T any](n int, p parse.TryParse[T]) parse.TryParse[T] {
	if n < 0 {
		panic("combinators: Bounded with a negative bound " + strconv.Itoa(n))
	}
	return record(func(in *parse.Input) (T, error) {
		v, err := parse.Bounded(in, n, p)
		if err != nil {
			return v, in.Furthest(err)
		}
		return v, nil
	}, mk("Bounded", kid(p)).with(strconv.Itoa(n)))
}
