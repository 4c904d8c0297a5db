package bench

import (
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// inputSize is the volume each benchmark operation moves.
const inputSize = 64 << 20

// chunk is the most a source returns from one Read, as a socket would.
const chunk = 4 << 10

// srcSkew places the input this many bytes past the start of its
// allocation, so that the source's 4 KiB chunks do not share their offset
// within a page with the destination buffers, which every contender
// allocates page-aligned. When they do, memmove suffers from 4K aliasing
// (loads falsely depending on earlier stores) by an amount that depends on
// each contender's buffer reuse pattern rather than on its design; a
// socket's kernel copy has no such coincidence. docs/benchmarks.md also
// gives the figures with srcSkew = 0.
const srcSkew = 1000

// chunkReader returns its data at most chunk bytes per Read.
type chunkReader struct {
	data []byte
	off  int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), chunk)], r.data[r.off:])
	r.off += n
	return n, nil
}

func (r *chunkReader) reset() { r.off = 0 }

var linesOnce sync.Map // [2]int{lo, hi} -> []byte

// lines returns inputSize bytes of lines of n bytes each (newline included),
// with printable content that varies from line to line.
func lines(n int) []byte { return linesBetween(n, n) }

// linesBetween returns inputSize bytes of lines whose lengths (newline
// included) are drawn uniformly from lo..hi with a fixed seed, so that every
// run and every contender reads the same stream. Real streams vary: a fixed
// length keeps branch predictors and copy sizes in a pattern that flatters
// every contender.
func linesBetween(lo, hi int) []byte {
	key := [2]int{lo, hi}
	if v, ok := linesOnce.Load(key); ok {
		return v.([]byte)
	}
	rng := rand.New(rand.NewPCG(uint64(lo), uint64(hi)))
	b := make([]byte, 0, inputSize+srcSkew)[srcSkew:srcSkew]
	for i := 0; ; i++ {
		n := lo + rng.IntN(hi-lo+1)
		if len(b)+n > inputSize {
			break
		}
		for j := 0; j < n-1; j++ {
			b = append(b, 'a'+byte((i+j)%26))
		}
		b = append(b, '\n')
	}
	linesOnce.Store(key, b)
	return b
}

// benchTally is a sub-benchmark name that runs tally over data delivered by
// a chunkReader on every iteration and fails unless it returns want; what
// names the tallied quantity in the failure.
func benchTally(b *testing.B, name string, data []byte, want int, what string, tally func(io.Reader) (int, error)) {
	b.Run(name, func(b *testing.B) {
		src := &chunkReader{data: data}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			src.reset()
			got, err := tally(src)
			if err != nil || got != want {
				b.Fatalf("got %d %s, err %v; want %d", got, what, err, want)
			}
		}
	})
}
