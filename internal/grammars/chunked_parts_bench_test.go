package grammars

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// BenchmarkChunkedParts reads 1 MiB of bodies of 64 chunks of 1 to 64
// bytes from memory with both streaming decoders: the parsers' cost per
// message without a pipe's reads, for profiling.
func BenchmarkChunkedParts(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var in []byte
	for len(in) < 1<<20 {
		var chunks [][]byte
		for range 64 {
			chunks = append(chunks, randBytes(rng, 1+rng.IntN(64)))
		}
		in = AppendChunked(in, chunks, nil)
	}
	benchParts(b, in)
}

// BenchmarkChunkedPartsTrailer is BenchmarkChunkedParts on small bodies
// with a trailer field, as bench/'s chunked/trailer stream: 1 to 3 chunks
// of 16 to 256 bytes and a checksum.
func BenchmarkChunkedPartsTrailer(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var in []byte
	for len(in) < 1<<20 {
		var chunks [][]byte
		for range 1 + rng.IntN(3) {
			chunks = append(chunks, randBytes(rng, 16+rng.IntN(256-16+1)))
		}
		in = AppendChunked(in, chunks, []Field{{"X-Checksum", "0123abcd"}})
	}
	benchParts(b, in)
}

func benchParts(b *testing.B, in []byte) {
	for _, v := range partsVersions {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				r := parse.NewReader(pipe.FromBytes(in), v.new(0), parse.Options{})
				n := 0
				for p := range r.All(context.Background()) {
					n += p.Data.Len()
				}
				if r.Err() != nil {
					b.Fatal(r.Err())
				}
			}
		})
	}
}
