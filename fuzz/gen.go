package fuzz

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"pgregory.net/rapid"
)

// The generators are written once, as builders that take their decisions
// from a genChooser. The rapid generators (this file) hand them rapid's
// bit stream, so that rapid shrinks a value by shrinking the decisions
// that made it: every decision is ordered so that its smallest value is
// the simplest outcome (no cuts, stop adding runs, the plainest run). The
// gopter generators (gen_gopter.go) hand them gopter's random source and
// shrink the values they produce.

// genChooser is the source of a builder's decisions.
type genChooser interface {
	// intRange returns an int in [lo, hi], lo <= hi. With rapid,
	// shrinking moves it toward lo.
	intRange(lo, hi int) int
}

// genRapid takes decisions from rapid.
type genRapid struct{ t *rapid.T }

func (c genRapid) intRange(lo, hi int) int { return rapid.IntRange(lo, hi).Draw(c.t, "") }

// genFlip reports a decision with probability about 1/n, false when shrunk.
func genFlip(c genChooser, n int) bool { return c.intRange(0, n-1) == n-1 }

// genPick returns an element of xs (the first when shrunk).
func genPick[T any](c genChooser, xs []T) T { return xs[c.intRange(0, len(xs)-1)] }

// Limits of Cuts.
const (
	// genEveryByteMax is the largest input Cuts may cut at every byte.
	genEveryByteMax = 512
	// genMaxRandomCuts bounds the number of random cuts.
	genMaxRandomCuts = 64
	// genNearEnd is how close to an end a cut near the ends is.
	genNearEnd = 4
	// genKeep is the range of the draws that keep a cut at every byte.
	genKeep = 1 << 20
)

// Cuts generates strictly increasing cut offsets in (0, n): where an input
// of n bytes is split into chunks (see [Chunks]) to test a streaming parser
// with every way its input may arrive. A cut at offset i ends a chunk
// before byte i.
//
// The cuts are biased toward the splits that find bugs: often none (the
// input in one piece), often every byte (n-1 cuts, one byte per chunk;
// rapid's draws leave out about one cut in a thousand) when n is small (at
// most 512), often one to four cuts near the ends (within 4 bytes of the
// first or the last byte), else 1 to 64 cuts anywhere. For n < 2 there is
// nothing to cut and the result is always empty.
//
// It shrinks toward fewer cuts: toward none at all, random cuts toward
// fewer at lower offsets, and cuts at every byte by removing them one at a
// time. The result is nil when there are no cuts.
func Cuts(n int) *rapid.Generator[[]int] {
	if n < 2 {
		return rapid.Just[[]int](nil) // a Custom generator must draw
	}
	return rapid.Custom(func(t *rapid.T) []int { return genBuildCuts(genRapid{t}, n) })
}

// genBuildCuts builds the cuts of Cuts and GenCuts. Its modes are ordered
// from the simplest (none) to the most (every byte), so that a shrunk mode
// has fewer cuts. The shares in the comments are gopter's; rapid's draws
// favour small values, so it cuts nothing more often (about 40%).
func genBuildCuts(c genChooser, n int) []int {
	if n < 2 {
		return nil
	}
	switch mode := c.intRange(0, 9); {
	case mode < 3: // 30%: in one piece
		return nil
	case mode < 5: // 20%: near the ends
		cuts := make([]int, 0, genNearEnd)
		for range c.intRange(1, genNearEnd) {
			d := c.intRange(0, genNearEnd-1)
			if c.intRange(0, 1) == 0 {
				cuts = append(cuts, min(1+d, n-1))
			} else {
				cuts = append(cuts, max(n-1-d, 1))
			}
		}
		return genSortedSet(cuts)
	case mode < 8 || n > genEveryByteMax: // 30% (50% for large inputs): random
		return genRandomCuts(c, n)
	default: // 20% for small inputs: one byte per chunk
		// Each cut is kept if any of three draws is not zero: with rapid
		// (which draws 0 about one time in twelve), 999 cuts in 1000 are
		// kept and the input is nearly always cut at every byte; with
		// gopter, practically always. Rapid shrinks the cuts one at a time by
		// lowering their draws to zero.
		cuts := make([]int, 0, n-1)
		for i := 1; i < n; i++ {
			if genKept(c) {
				cuts = append(cuts, i)
			}
		}
		if len(cuts) == 0 {
			return nil
		}
		return cuts
	}
}

// genKept reports whether any of three draws is not zero. It makes all
// three, always, so that the draws of the next cut stay in place.
func genKept(c genChooser) bool {
	kept := false
	for range 3 {
		if c.intRange(0, genKeep) != 0 {
			kept = true
		}
	}
	return kept
}

// genRandomCuts returns 1 to genMaxRandomCuts cuts anywhere in (0, n).
func genRandomCuts(c genChooser, n int) []int {
	k := c.intRange(1, min(n-1, genMaxRandomCuts))
	cuts := make([]int, 0, k)
	for range k {
		cuts = append(cuts, c.intRange(1, n-1))
	}
	return genSortedSet(cuts)
}

// genSortedSet sorts xs and removes duplicates.
func genSortedSet(xs []int) []int {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// Chunks splits input at the given cuts, as produced by [Cuts]: it
// returns len(cuts)+1 sub-slices of input whose concatenation is input,
// chunk i ending before offset cuts[i]. The chunks alias input (nothing is
// copied) but have their capacity clipped, so that appending to one does
// not overwrite the next.
//
// Cuts must be non-decreasing offsets within [0, len(input)]; a repeated
// offset, 0 or len(input) gives an empty chunk. Chunks panics otherwise.
func Chunks(input []byte, cuts []int) [][]byte {
	chunks := make([][]byte, 0, len(cuts)+1)
	prev := 0
	for _, c := range cuts {
		if c < prev || c > len(input) {
			panic(fmt.Sprintf("fuzz.Chunks: cut %d is before the previous cut %d or beyond the %d-byte input", c, prev, len(input)))
		}
		chunks = append(chunks, input[prev:c:c])
		prev = c
	}
	return append(chunks, input[prev:len(input):len(input)])
}

// Shape describes protocol-shaped bytes, as generated by [Shaped] and
// [GenShaped].
type Shape struct {
	// Delims are the delimiters to sprinkle, e.g. "\r\n", "\n", ":".
	// Empty means "\r\n" and "\n".
	Delims []string
	// Limit is a size limit of the parser under test: lengths near it
	// (Limit-1, Limit, Limit+1, 0, 1 and huge values) appear as decimal
	// and hex numbers and as 1-, 2-, 4- and 8-byte big- and little-endian
	// fields. Zero (or less) means 64.
	Limit int
	// MaxLen is the maximum length of a generated byte string. Zero (or
	// less) means 4*Limit, capped to 1<<16.
	MaxLen int
}

// Defaults of Shape.
const (
	genDefaultLimit = 64
	genMaxDefaultLn = 1 << 16
)

// genShapeDefaults returns s with its defaults filled in.
func genShapeDefaults(s Shape) Shape {
	if len(s.Delims) == 0 {
		s.Delims = []string{"\r\n", "\n"}
	} else {
		s.Delims = slices.Clone(s.Delims)
	}
	if s.Limit <= 0 {
		s.Limit = genDefaultLimit
	}
	if s.MaxLen <= 0 {
		s.MaxLen = genMaxDefaultLn
		if s.Limit <= genMaxDefaultLn/4 {
			s.MaxLen = 4 * s.Limit
		}
	}
	return s
}

// Shaped generates byte strings made of runs of: random bytes, the
// delimiters (whole and cut in half), ASCII decimal and hex numbers near
// Shape.Limit, binary length fields near Shape.Limit, and repeats of
// earlier runs. Such strings reach the corners of a protocol parser that
// uniformly random bytes almost never do: a length field followed by
// Limit bytes, a delimiter split by a chunk boundary, a count of 2^64-1.
//
// In detail, each run is one of:
//   - 1 to 16 random bytes: lower-case letters, any bytes, or bytes that
//     matter to protocols (digits, the delimiters' bytes, sign, space,
//     0x00, 0xff);
//   - a delimiter of Shape.Delims, whole or only its first or second
//     half;
//   - a decimal number: Limit-1, Limit, Limit+1, 0, 1, -1 or a huge one
//     (2^31-1, 2^32-1, 2^63-1, 2^64-1, or 21 digits, which overflows 64
//     bits);
//   - a hex number (lower or upper case) of the same kind: near Limit,
//     0, 1, 2^32-1, 2^63-1, 2^64-1 or 17 digits;
//   - a binary field of 1, 2, 4 or 8 bytes, big or little endian,
//     holding Limit-1, Limit, Limit+1, 0, 1, the field's maximum or its
//     top bit alone (values truncated to the field's width);
//   - an earlier run repeated 1 to 4 times, or repeated to a length of
//     exactly Limit-1, Limit or Limit+1 bytes (a body at the limit).
//
// The string is cut to Shape.MaxLen bytes and may be empty. It shrinks
// toward fewer runs and toward simpler runs (fewer, lower bytes; the value
// Limit; the first delimiter).
func Shaped(s Shape) *rapid.Generator[[]byte] {
	s = genShapeDefaults(s)
	return rapid.Custom(func(t *rapid.T) []byte { return genBuildShaped(genRapid{t}, s) })
}

// Alphabets of the random-bytes run, besides any byte.
const (
	genLetters = "abcdefghijklmnopqrstuvwxyz"
	genProto   = "0123456789+-: \r\n\t\x00\xff"
)

// Huge values of number runs, as text.
var (
	genHugeDecimal = []string{"2147483647", "4294967295", "9223372036854775807", "18446744073709551615", "100000000000000000000"}
	genHugeHex     = []string{"ffffffff", "7fffffffffffffff", "ffffffffffffffff", "10000000000000000"}
)

// genBuildShaped builds a byte string of Shaped and GenShaped; s has its
// defaults filled in.
func genBuildShaped(c genChooser, s Shape) []byte {
	var out []byte
	var runs [][2]int // start and end of each run in out
	protoBytes := genProto + strings.Join(s.Delims, "")
	for len(out) < s.MaxLen && c.intRange(0, 7) != 0 {
		start := len(out)
		switch kind := c.intRange(0, 9); {
		case kind < 3 || kind >= 8 && len(runs) == 0: // random bytes
			alphabet := genPick(c, []string{genLetters, "", protoBytes})
			for range c.intRange(1, 16) {
				if alphabet == "" {
					out = append(out, byte(c.intRange(0, 255)))
				} else {
					out = append(out, alphabet[c.intRange(0, len(alphabet)-1)])
				}
			}
		case kind < 5: // a delimiter, whole or half
			d := genPick(c, s.Delims)
			switch c.intRange(0, 3) {
			case 0, 1:
				out = append(out, d...)
			case 2:
				out = append(out, d[:len(d)/2]...)
			default:
				out = append(out, d[len(d)/2:]...)
			}
		case kind == 5: // decimal
			out = append(out, genDecimal(c, s.Limit)...)
		case kind == 6: // hex
			h := genHex(c, s.Limit)
			if c.intRange(0, 1) == 1 {
				h = strings.ToUpper(h)
			}
			out = append(out, h...)
		case kind == 7: // binary length field
			out = genAppendField(c, out, s.Limit)
		default: // a repeat of an earlier run
			r := runs[c.intRange(0, len(runs)-1)]
			if r[0] == r[1] {
				break
			}
			n := (r[1] - r[0]) * c.intRange(1, 4)
			if genFlip(c, 3) {
				n = s.Limit + c.intRange(-1, 1)
			}
			n = min(n, s.MaxLen-len(out))
			for len(out)-start < n {
				out = append(out, out[r[0]:r[0]+min(r[1]-r[0], n-(len(out)-start))]...)
			}
		}
		runs = append(runs, [2]int{start, len(out)})
	}
	if len(out) > s.MaxLen {
		out = out[:s.MaxLen]
	}
	return out
}

// genNear returns Limit (the simplest), Limit-1, Limit+1, 0, 1, or -1 to
// ask for a huge value.
func genNear(c genChooser, limit int) int {
	return genPick(c, []int{limit, limit - 1, limit + 1, 0, 1, -1})
}

// genDecimal returns a decimal number near limit, -1 or a huge one.
func genDecimal(c genChooser, limit int) string {
	if genFlip(c, 6) {
		return "-1"
	}
	if v := genNear(c, limit); v >= 0 {
		return strconv.Itoa(v)
	}
	return genPick(c, genHugeDecimal)
}

// genHex returns a lower-case hex number near limit or a huge one.
func genHex(c genChooser, limit int) string {
	if v := genNear(c, limit); v >= 0 {
		return strconv.FormatUint(uint64(v), 16)
	}
	return genPick(c, genHugeHex)
}

// genAppendField appends a binary field near limit to out.
func genAppendField(c genChooser, out []byte, limit int) []byte {
	width := genPick(c, []int{1, 2, 4, 8})
	bits := 8 * width
	var v uint64
	if n := genNear(c, limit); n >= 0 {
		v = uint64(n)
	} else if c.intRange(0, 1) == 0 {
		v = math.MaxUint64 // the field's maximum once truncated
	} else {
		v = 1 << (bits - 1)
	}
	if c.intRange(0, 1) == 0 { // big endian
		for i := width - 1; i >= 0; i-- {
			out = append(out, byte(v>>(8*i)))
		}
		return out
	}
	for i := range width {
		out = append(out, byte(v>>(8*i)))
	}
	return out
}
