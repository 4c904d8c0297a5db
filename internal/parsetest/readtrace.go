package parsetest

import (
	"context"

	"github.com/sluicego/sluice/pipe"
)

// ReadTrace is a pipe.Reader that records the reads made of it, for
// tests of the bytes a message reader waits for: 0 for a Read, n for a
// ReadAtLeast(n).
type ReadTrace struct {
	pipe.Reader
	Reads []int
}

// Read records 0 and reads from the embedded reader.
func (r *ReadTrace) Read(ctx context.Context) (pipe.Result, error) {
	r.Reads = append(r.Reads, 0)
	return r.Reader.Read(ctx)
}

// ReadAtLeast records n and reads from the embedded reader.
func (r *ReadTrace) ReadAtLeast(ctx context.Context, n int) (pipe.Result, error) {
	r.Reads = append(r.Reads, n)
	return r.Reader.ReadAtLeast(ctx, n)
}
