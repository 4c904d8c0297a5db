// Package lineartest checks that parsing a message fed a byte per read
// costs work linear in the message: it counts the steps package seq takes
// from segment to segment (package segsteps) while a message of n parts
// and one of 4n parts are read, and compares the two. Counting steps
// rather than time makes the check exact on a busy machine; with one-byte
// segments every byte a parser passes is a step, so the count is the
// bytes examined.
package lineartest

import (
	"io"
	"testing"

	"github.com/sluicego/sluice/internal/segsteps"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// MaxRatio is the largest ratio of steps between a message of 4n parts and
// one of n parts that passes: 4 is linear, 16 quadratic, and the margin
// covers a constant per message.
const MaxRatio = 5.0

// ByteSource returns data a byte per Read, then io.EOF.
type ByteSource struct {
	data []byte
	read int
}

// NewByteSource returns a ByteSource over data.
func NewByteSource(data []byte) *ByteSource { return &ByteSource{data: data} }

// Read returns the next byte.
func (s *ByteSource) Read(p []byte) (int, error) {
	if s.read == len(s.data) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = s.data[s.read]
	s.read++
	return 1, nil
}

// exactPool hands out segments of exactly the size asked for, so that a
// reader with a one-byte BufferSize chains one segment per byte.
type exactPool struct{}

func (exactPool) Get(size int) *seq.Segment { return seq.NewSegment(make([]byte, 0, size)) }
func (exactPool) Put(*seq.Segment)          {}

// Feed returns a pipe reader over data that reads it a byte per read into
// segments of segSize bytes: 1 chains one segment per byte, 0 is the
// reader's default (4 KiB segments, a partial message linked across them).
func Feed(data []byte, segSize int) pipe.Reader {
	opts := pipe.ReaderOptions{}
	if segSize > 0 {
		opts = pipe.ReaderOptions{BufferSize: segSize, MinReadSize: 1, Pool: exactPool{}}
	}
	return pipe.NewReader(NewByteSource(data), opts)
}

// Steps returns the segment steps read takes on src.
func Steps(t testing.TB, src pipe.Reader, read func(pipe.Reader) error) int64 {
	t.Helper()
	segsteps.Start()
	err := read(src)
	steps := segsteps.Stop()
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

// Check reads mk(n) and mk(4n), each fed a byte per read into segments of
// segSize bytes (see [Feed]), with read, and fails t if the second costs
// more than [MaxRatio] times the steps of the first. It returns the two
// counts. mk(4n) is called after the first message is read, so that read
// may check the message against what the last call of mk made.
func Check(t testing.TB, n, segSize int, mk func(n int) []byte, read func(pipe.Reader) error) (small, large int64) {
	t.Helper()
	a := mk(n)
	small = Steps(t, Feed(a, segSize), read)
	b := mk(4 * n)
	large = Steps(t, Feed(b, segSize), read)
	ratio := float64(large) / float64(max(small, 1))
	t.Logf("segments of %d: %d bytes: %d steps (%.2f a byte); %d bytes: %d steps (%.2f a byte); ratio %.2f",
		segSize, len(a), small, float64(small)/float64(len(a)), len(b), large, float64(large)/float64(len(b)), ratio)
	if ratio > MaxRatio {
		t.Errorf("4x the parts took %.2fx the segment steps (linear: 4, quadratic: 16)", ratio)
	}
	return small, large
}
