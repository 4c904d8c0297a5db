package websocket

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// benchStream is bench/framing_ws_test.go's stream: masked frames, most
// of them text of 10–200 bytes, one in 32 binary of 1–64 KiB.
func benchStream(n int, small bool) []byte {
	rng := rand.New(rand.NewPCG(1, 7))
	payload := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), 64<<10/26+1)
	e := Encoder{Role: Client, Key: counterKey()}
	var out []byte
	for i := range n {
		switch {
		case i%32 == 31 && !small:
			out = e.AppendFrame(out, OpBinary, true, payload[:1<<10+rng.IntN(63<<10)])
		default:
			out = e.AppendFrame(out, OpText, true, payload[:10+rng.IntN(191)])
		}
	}
	return out
}

func benchDecode(b *testing.B, in []byte) {
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	buf := make([]byte, 0, 64<<10)
	var src bytes.Reader
	for b.Loop() {
		src.Reset(in)
		d := NewDecoder(pipe.NewReader(&src, pipe.ReaderOptions{}), Server, Options{})
		for f := range d.All(context.Background()) {
			buf = f.AppendData(buf[:0])
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
