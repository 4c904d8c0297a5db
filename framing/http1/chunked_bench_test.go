package http1

import (
	"context"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// BenchmarkChunkedRequests reads 1 MiB of POST requests whose bodies come
// in 16 chunks of 1 to 64 bytes with a RequestReader: the chunked grammar
// as a connection reads it.
func BenchmarkChunkedRequests(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var in []byte
	for len(in) < 1<<20 {
		in = append(in, "POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"...)
		for range 16 {
			n := 1 + rng.IntN(64)
			in = strconv.AppendUint(in, uint64(n), 16)
			in = append(in, "\r\n"...)
			for j := range n {
				in = append(in, 'a'+byte(j%26))
			}
			in = append(in, "\r\n"...)
		}
		in = append(in, "0\r\n\r\n"...)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewRequestReader(pipe.FromBytes(in), Options{})
		n := 0
		for {
			p, err := r.Next(context.Background())
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n += p.Data.Len()
		}
		if n == 0 {
			b.Fatal("no body bytes")
		}
	}
}
