package bench

import (
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// wholeReader returns all its data in one Read.
type wholeReader struct {
	data []byte
	off  int
}

func (r *wholeReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

// keepPool is a pipe.Pool that keeps every segment it is given and hands it
// out again for any size it can hold, so that a benchmark operation reuses
// the large segments of the one before instead of allocating (and page
// faulting) them anew. It is used by one benchmark goroutine at a time.
type keepPool struct {
	mu   sync.Mutex
	free []*seq.Segment
}

func (p *keepPool) Get(size int) *seq.Segment {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, s := range p.free {
		if s.Cap() >= size {
			p.free = append(p.free[:i], p.free[i+1:]...)
			return s
		}
	}
	return seq.NewSegment(make([]byte, 0, size))
}

func (p *keepPool) Put(s *seq.Segment) {
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// BenchmarkLongMessage reads one 64 MiB line, or one 64 MiB frame, arriving
// in 4 KiB pieces (chunked) or in one piece (whole). Linear incremental
// parsing makes the two take about the same time. The whole case reads into
// 16 MiB segments kept from one operation to the next (keepPool): allocating
// them per operation measured the kernel's page faults, not the parser.
func BenchmarkLongMessage(b *testing.B) {
	const size = inputSize - 8
	line := make([]byte, size+1)
	for i := range size {
		line[i] = 'a' + byte(i%26)
	}
	line[size] = '\n'
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, size+4), size)
	frame = append(frame, line[:size]...)

	lineP := combinators.Line()
	for _, msg := range []struct {
		name string
		data []byte
		p    parse.TryParse[seq.Sequence]
	}{{"line", line, lineP}, {"frame", frame, frameParser}} {
		for _, feed := range []string{"chunked", "whole"} {
			b.Run(msg.name+"/"+feed, func(b *testing.B) {
				b.SetBytes(int64(len(msg.data)))
				b.ReportAllocs()
				pool := &keepPool{}
				for b.Loop() {
					var src io.Reader = &chunkReader{data: msg.data}
					opts := pipe.ReaderOptions{LeaveOpen: true}
					if feed == "whole" {
						src = &wholeReader{data: msg.data}
						opts.BufferSize, opts.Pool = seq.MaxSegment, pool
					}
					r := parse.NewReader(pipe.NewReader(src, opts), msg.p, parse.Options{MaxMessageSize: inputSize})
					m, err := r.Next(context.Background())
					if err != nil || m.Len() != size {
						b.Fatalf("message of %d bytes, err %v", m.Len(), err)
					}
					r.Close()
				}
			})
		}
	}
}
