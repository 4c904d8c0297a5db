package seq_test

import (
	"bytes"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/seq"
)

// chunked cuts b into segments of size bytes.
func chunked(b []byte, size int) seq.Sequence {
	var cuts []int
	for c := size; c < len(b); c += size {
		cuts = append(cuts, c)
	}
	return segtest.Split(b, cuts...)
}

const (
	benchSize    = 64 << 10
	benchSegment = 4 << 10
)

// BenchmarkIndexByte searches 64 KiB in 4 KiB segments for a byte that is
// only at the end.
func BenchmarkIndexByte(b *testing.B) {
	data := bytes.Repeat([]byte{'a'}, benchSize)
	data[len(data)-1] = '\n'
	s := chunked(data, benchSegment)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if s.IndexByte('\n') != benchSize-1 {
			b.Fatal("wrong index")
		}
	}
}

// BenchmarkIndex searches 64 KiB in 4 KiB segments for "\r\n", which is at
// the end; lone '\r's on the way and at every segment end make it work.
func BenchmarkIndex(b *testing.B) {
	data := bytes.Repeat([]byte("abcdefg\r"), benchSize/8)
	copy(data[len(data)-2:], "\r\n")
	s := chunked(data, benchSegment)
	sep := []byte("\r\n")
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if s.Index(sep) != benchSize-2 {
			b.Fatal("wrong index")
		}
	}
}

// BenchmarkReadToLines splits 64 KiB of 64-byte lines in 4 KiB segments
// (segment size not a multiple of the line length) with Reader.ReadTo.
func BenchmarkReadToLines(b *testing.B) {
	line := append(bytes.Repeat([]byte{'x'}, 63), '\n')
	data := bytes.Repeat(line, benchSize/len(line))
	s := chunked(data, benchSegment+5)
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		r := seq.NewReader(s)
		lines := 0
		for {
			l, ok := r.ReadTo('\n')
			if !ok {
				break
			}
			lines++
			sinkInt = l.Len()
		}
		if lines != benchSize/len(line) {
			b.Fatalf("%d lines", lines)
		}
	}
}
