package grpc

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// benchStream is bench/framing_grpc_test.go's stream: mostly protobufs of
// 10–400 bytes, one in 16 of 1–16 KiB, one in 256 of 64–256 KiB; small
// leaves out the large ones.
func benchStream(n int, small bool) []byte {
	rng := rand.New(rand.NewPCG(1, 11))
	payload := make([]byte, 256<<10)
	var out []byte
	for i := range n {
		size := 10 + rng.IntN(391)
		switch {
		case small:
		case i%256 == 255:
			size = 64<<10 + rng.IntN(192<<10)
		case i%16 == 15:
			size = 1<<10 + rng.IntN(15<<10)
		}
		out = appendMsg(out, i%8 == 3, payload[:size])
	}
	return out
}

func benchDecode(b *testing.B, in []byte) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var src bytes.Reader
	for b.Loop() {
		src.Reset(in)
		d := NewDecoder(pipe.NewReader(&src, pipe.ReaderOptions{}), Options{})
		n := 0
		for m := range d.All(context.Background()) {
			n += m.Data.Len()
		}
		if err := d.Err(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	b.Run("mixed", func(b *testing.B) { benchDecode(b, benchStream(4096, false)) })
	b.Run("small", func(b *testing.B) { benchDecode(b, benchStream(4096, true)) })
}
