package bench

import (
	"context"
	"io"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// BenchmarkPipe moves 64 MiB from a writer goroutine to a reader goroutine in
// writes of a fixed size; the reader consumes everything without copying
// where the pipe allows it.
func BenchmarkPipe(b *testing.B) {
	src := make([]byte, 64<<10)
	for i := range src {
		src[i] = byte(i)
	}
	for _, size := range []struct {
		name string
		n    int
	}{{"write=4KiB", 4 << 10}, {"write=64KiB", 64 << 10}} {
		b.Run(size.name+"/sluice", func(b *testing.B) {
			b.SetBytes(inputSize)
			b.ReportAllocs()
			for b.Loop() {
				if got := pipeSluice(src[:size.n]); got != inputSize {
					b.Fatalf("moved %d bytes", got)
				}
			}
		})
		b.Run(size.name+"/iopipe", func(b *testing.B) {
			b.SetBytes(inputSize)
			b.ReportAllocs()
			for b.Loop() {
				if got := pipeIO(src[:size.n]); got != inputSize {
					b.Fatalf("moved %d bytes", got)
				}
			}
		})
	}
}

func pipeSluice(w []byte) int64 {
	p := pipe.New(pipe.Options{})
	ctx := context.Background()
	go func() {
		pw := p.Writer()
		for sent := 0; sent < inputSize; sent += len(w) {
			if _, err := pw.Write(ctx, w); err != nil {
				panic(err)
			}
		}
		pw.Complete(nil)
	}()
	r := p.Reader()
	var n int64
	for {
		res, err := r.Read(ctx)
		if err != nil {
			panic(err)
		}
		n += int64(res.Buffer.Len())
		end := res.Buffer.End()
		r.AdvanceTo(end, end)
		if res.Completed {
			r.Complete(nil)
			return n
		}
	}
}

func pipeIO(w []byte) int64 {
	pr, pw := io.Pipe()
	go func() {
		for sent := 0; sent < inputSize; sent += len(w) {
			if _, err := pw.Write(w); err != nil {
				panic(err)
			}
		}
		pw.Close()
	}()
	buf := make([]byte, 64<<10)
	var n int64
	for {
		m, err := pr.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n
		} else if err != nil {
			panic(err)
		}
	}
}
