package bench

import (
	"context"
	"encoding/binary"
	"io"
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

// BenchmarkLongMessage reads one 64 MiB line, or one 64 MiB frame, arriving
// in 4 KiB pieces (chunked) or in one piece (whole). Linear incremental
// parsing makes the two take about the same time.
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
				for b.Loop() {
					var src io.Reader = &chunkReader{data: msg.data}
					opts := pipe.ReaderOptions{LeaveOpen: true}
					if feed == "whole" {
						src = &wholeReader{data: msg.data}
						opts.BufferSize = seq.MaxSegment
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
