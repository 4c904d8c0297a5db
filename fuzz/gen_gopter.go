package fuzz

import (
	"math/rand"

	"github.com/leanovate/gopter"
)

// genRand takes decisions from gopter's random source, uniformly.
type genRand struct{ r *rand.Rand }

func (c genRand) intRange(lo, hi int) int { return lo + int(c.r.Int63n(int64(hi)-int64(lo)+1)) }

// GenCuts is the gopter version of [Cuts]: it generates []int values,
// strictly increasing cut offsets in (0, n) where an input of n bytes is
// split into chunks (see [Chunks]), with the same biases: often none, often
// every byte when n is small, often cuts near the ends, else random.
//
// Its shrinker tries fewer cuts: first none, then the cuts without their
// first or second half, and so on down to the cuts without one of them.
// Every shrunk value is valid cuts.
func GenCuts(n int) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(genBuildCuts(genRand{p.Rng}, n), genShrinkCuts)
	}
}

// GenShaped is the gopter version of [Shaped]: it generates []byte values
// made of the same runs (random bytes, the delimiters whole and cut in
// half, decimal and hex numbers and binary length fields near s.Limit,
// repeats of earlier runs), at most s.MaxLen bytes long.
//
// Its shrinker tries shorter strings: first the empty one, then the
// string without its first or second half, and so on down to the string
// without one of its bytes.
func GenShaped(s Shape) gopter.Gen {
	s = genShapeDefaults(s)
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(genBuildShaped(genRand{p.Rng}, s), genShrinkBytes)
	}
}

func genShrinkCuts(v any) gopter.Shrink  { return genDropBlocks(v.([]int)) }
func genShrinkBytes(v any) gopter.Shrink { return genDropBlocks(v.([]byte)) }

// genDropBlocks returns the shrink of xs that removes blocks of elements:
// all of them, then each half, each quarter, and so on down to each single
// element. Every candidate is a new slice shorter than xs.
func genDropBlocks[T any](xs []T) gopter.Shrink {
	size, start := len(xs), 0
	return func() (any, bool) {
		for size > 0 {
			if start < len(xs) {
				end := min(start+size, len(xs))
				v := make([]T, 0, len(xs)-(end-start))
				v = append(append(v, xs[:start]...), xs[end:]...)
				start = end
				return v, true
			}
			size, start = size/2, 0
		}
		return nil, false
	}
}
