package http1

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/lineartest"
	"github.com/sluicego/sluice/pipe"
)

// headOf returns a request head of n header fields.
func headOf(n int) []byte {
	var b strings.Builder
	b.WriteString("GET /index.html HTTP/1.1\r\nHost: example.com\r\n")
	for i := range n - 1 {
		fmt.Fprintf(&b, "X-Field-%d: value %d\r\n", i, i)
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// TestLinearHead sends request heads of thousands of fields a byte per
// read, through a RequestReader whose limits admit them, and checks that
// the work is linear in the head: 4 times the fields cost about 4 times
// the segment steps, not 16. With one segment per byte a step is a byte a
// parser passes; with the pipe reader's default segments it is a move to
// the next segment.
func TestLinearHead(t *testing.T) {
	o := Options{MaxHeaderBytes: 16 << 20, MaxFields: 1 << 20}
	for _, seg := range []struct{ size, n int }{{1, 200}, {0, 4000}} {
		var want int
		lineartest.Check(t, seg.n, seg.size, func(n int) []byte {
			want = n
			return headOf(n)
		}, func(src pipe.Reader) error {
			r := NewRequestReader(src, o)
			defer r.Close()
			p, err := r.Next(context.Background())
			if err == nil && (!p.IsHead || p.Head.Fields.Len() != want) {
				t.Errorf("head of %d fields, want %d", p.Head.Fields.Len(), want)
			}
			return err
		})
	}
}

// BenchmarkBytewiseHead reads a request head of 20 000 fields (about
// 540 KiB) sent a byte per read, within limits raised to admit it.
func BenchmarkBytewiseHead(b *testing.B) {
	data := headOf(20_000)
	o := Options{MaxHeaderBytes: 16 << 20, MaxFields: 1 << 20}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewRequestReader(pipe.NewReader(lineartest.NewByteSource(data), pipe.ReaderOptions{}), o)
		p, err := r.Next(context.Background())
		if err != nil || p.Head.Fields.Len() != 20_000 {
			b.Fatalf("%d fields, %v", p.Head.Fields.Len(), err)
		}
		r.Close()
	}
}

// chunkedOf returns a chunked body of n one-byte chunks and a trailer
// section of n fields.
func chunkedOf(n int) []byte {
	var b strings.Builder
	for range n {
		b.WriteString("1\r\nx\r\n")
	}
	b.WriteString("0\r\n")
	for i := range n {
		fmt.Fprintf(&b, "X-Trailer-%d: value %d\r\n", i, i)
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// TestLinearChunked sends chunked bodies of thousands of chunks and
// trailer fields a byte per read through a ChunkedReader, whose batch
// form and one-pass trailer scan look at the buffered span before the
// grammar does, and checks that the work stays linear in the body.
func TestLinearChunked(t *testing.T) {
	o := Options{MaxHeaderBytes: 16 << 20, MaxFields: 1 << 20}
	for _, seg := range []struct{ size, n int }{{1, 200}, {0, 4000}} {
		var want int
		lineartest.Check(t, seg.n, seg.size, func(n int) []byte {
			want = n
			return chunkedOf(n)
		}, func(src pipe.Reader) error {
			r := NewChunkedReader(src, o)
			defer r.Close()
			data := 0
			for {
				p, err := r.Next(context.Background())
				if err != nil {
					return err
				}
				data += p.Data.Len()
				if p.End {
					if data != want || p.Trailers.Len() != want {
						t.Errorf("%d bytes and %d trailer fields, want %d", data, p.Trailers.Len(), want)
					}
					return nil
				}
			}
		})
	}
}
