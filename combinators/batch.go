package combinators

import (
	"encoding/binary"

	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/internal/indexall"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Batch forms. A message reader given one of the parsers below finds its
// batch form (internal/batch) and reads every whole message of the
// cursor's span with one call of it, instead of one parser call per
// message: the per-message floor of a stream of small lines or frames is
// then the search or the length decode, a store and the caller's loop. A
// batch form returns exactly the messages its parser returns, and stops
// where the parser's fast path would not decide (a message cut by the
// span's end, a length over a bound): the parser, called next, decides
// those, with every error and need for more input it has.

// withBatch records fn as the batch form of p, a closure allocated on the
// heap, and returns p.
func withBatch[T any](p parse.TryParse[T], fn func(*parse.Input, []T) int) parse.TryParse[T] {
	batch.Record(batch.Closure(p), fn)
	return p
}

func init() {
	batch.RecordStatic(batch.Closure(parse.TryParse[seq.Sequence](line)), lineBatch)
}

// lineBatch is the batch form of Line: the lines whose LF lies in the
// cursor's span. One search finds the LFs of many lines at once
// (internal/indexall), so the loop that cuts the lines makes no call.
func lineBatch(in *parse.Input, out []seq.Sequence) int {
	span := in.Span()
	v := in.SpanViews()
	var ends [lineBatchEnds]int
	i, k := 0, 0 // the next line's start in span, the lines written
	for k < len(out) {
		dst := out[k:min(len(out), k+len(ends))]
		n := indexall.Byte(span, i, '\n', ends[:len(dst)])
		i = cutLines(span, v, ends[:n], i, dst)
		k += n
		if n < len(ends) {
			break // the span has no more LF, or out is full
		}
	}
	in.Advance(i)
	return k
}

// cutLines views in dst the lines of span that end at the LFs at ends, the
// first line starting at offset i, and returns the offset after the last
// LF. A loop of its own, not inlined, keeps lineBatch's values out of its
// registers.
//
// i is 0 or follows an LF, so the byte before each LF is read without
// asking whether the line is empty: before an empty line's LF stands the
// LF of the line before it, never a CR. The one exception, an empty line
// at the span's start (no byte before it in span), is cut first.
//
//go:noinline
func cutLines(span []byte, v seq.SpanViews, ends []int, i int, dst []seq.Sequence) int {
	if len(ends) > 0 && ends[0] == 0 {
		// An empty line at the span's start (so i is 0): no byte before it.
		dst[0] = v.At(0, 0)
		ends, dst, i = ends[1:], dst[1:], 1
	}
	dst = dst[:len(ends)]
	for x, e := range ends {
		l := e - i
		if span[e-1] == '\r' {
			l--
		}
		dst[x] = v.At(i, l)
		i = e + 1
	}
	return i
}

// lineBatchEnds is how many line ends lineBatch finds with one search.
const lineBatchEnds = 64

// fixedPrefixedBatch is the batch form of fixedPrefixedBytes(f, ...): the
// frames whose body ends before the cursor's span does and that fit the
// limit, as that parser's fast path takes them. The common 4-byte
// big-endian field has a loop of its own, without a switch per frame.
func fixedPrefixedBatch(f fixedInt) func(*parse.Input, []seq.Sequence) int {
	if f == (fixedInt{4, true}) {
		return prefixed32BE
	}
	return fixedPrefixedAny(f)
}

func prefixed32BE(in *parse.Input, out []seq.Sequence) int {
	span := in.Span()
	v := in.SpanViews()
	lim := uint64(in.Limit() - in.Consumed()) // the budget of each frame
	i, k := 0, 0
	// i < len(span)-4, not len(span)-i > 4: the compiler then knows that
	// span[i:] is not empty and makes it without masking i, three
	// instructions fewer on the chain from one frame's length to the next
	// (the loop runs at that chain's latency).
	for ; k < len(out) && i < len(span)-4; k++ {
		l := uint64(binary.BigEndian.Uint32(span[i:]))
		if l >= uint64(len(span)-i-4) || 4+l > lim {
			break
		}
		out[k] = v.At(i+4, int(l))
		i += 4 + int(l)
	}
	in.Advance(i)
	return k
}

// fixedPrefixedAny is fixedPrefixedBatch for any width and byte order. It
// is not inlined: a closure made inside an instance of a generic function
// (its caller) does not get its own calls inlined.
//
//go:noinline
func fixedPrefixedAny(f fixedInt) func(*parse.Input, []seq.Sequence) int {
	w, big := f.width, f.big
	return func(in *parse.Input, out []seq.Sequence) int {
		span := in.Span()
		v := in.SpanViews()
		lim := uint64(in.Limit() - in.Consumed()) // the budget of each frame
		i, k := 0, 0
		for ; k < len(out) && i < len(span)-w; k++ { // see prefixed32BE
			b := span[i:]
			var l uint64
			switch {
			case w == 4:
				l = uint64(binary.LittleEndian.Uint32(b))
			case w == 2 && big:
				l = uint64(binary.BigEndian.Uint16(b))
			case w == 2:
				l = uint64(binary.LittleEndian.Uint16(b))
			case w == 1:
				l = uint64(b[0])
			case big:
				l = binary.BigEndian.Uint64(b)
			default:
				l = binary.LittleEndian.Uint64(b)
			}
			if l >= uint64(len(b)-w) || uint64(w)+l > lim {
				break
			}
			out[k] = v.At(i+w, int(l))
			i += w + int(l)
		}
		in.Advance(i)
		return k
	}
}

// prefixedBodyBatch is the batch form of prefixedBody(f, consumes, rem, b,
// ...): the frames that its fast path takes, one after another.
//
//go:noinline
func prefixedBodyBatch[L uint8 | uint16 | uint32 | uint64, T any](f *field[L], consumes bool, rem uint64, b *body[T]) func(*parse.Input, []T) int {
	skip, n, get, conv := f.skip, f.size(), f.get, b.conv
	adv := 0
	if consumes {
		adv = n
	}
	return func(in *parse.Input, out []T) int {
		span := in.Span()
		v := in.SpanViews()
		lim := in.Limit() - in.Consumed() // the budget of each frame
		i, k := 0, 0
		for k < len(out) && len(span)-i >= n {
			l, ok := get(span[i+skip:])
			if !ok || uint64(l) >= uint64(len(span)-i-adv) || uint64(l) > rem || adv > lim || uint64(l) > uint64(lim-adv) {
				break
			}
			out[k] = conv(v.At(i+adv, int(l)))
			k++
			i += adv + int(l)
		}
		in.Advance(i)
		return k
	}
}

// scanBatch is the batch form of readScan(s, ...): the elements that the
// span scan decides one after another, each within the limit and of at
// least a byte.
//
//go:noinline
func scanBatch[T any](s *scanner[T]) func(*parse.Input, []T) int {
	scan := s.scan
	return func(in *parse.Input, out []T) int {
		span := in.Span()
		lim := in.Limit() - in.Consumed() // the budget of each element
		i, k := 0, 0
		for k < len(out) {
			v, j := scan(in, span, i)
			if j <= i || j-i > lim {
				break
			}
			out[k] = v
			k++
			i = j
		}
		in.Advance(i)
		return k
	}
}
