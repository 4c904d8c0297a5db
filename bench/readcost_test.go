package bench

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// BenchmarkReadCost measures what one read costs when the source copies
// nothing, so that only the reading interface's own work is left:
//
//   - io: one io.Reader Read call into a 4 KiB buffer, through an
//     interface the compiler cannot see through;
//   - pipe: one pipe.AdvanceReader AdvanceAndRead(end, end), which
//     releases the last result and reads the next in one call, on
//     pipe.NewReader over the same source: the call a consumer makes once
//     per read in its loop, as parse's message readers do;
//   - pipepair: the same with the two calls AdvanceTo(end, end) and Read.
//
// The source reports min(len(p), 4 KiB) bytes read without writing them.
// pipe.NewReader is the reader users put over a connection, so its
// bookkeeping is what a read costs them: the state checks, the source
// call, committing the bytes to the segment, building the result's
// sequence and positions, and on the advance the position checks and the
// recycling of the drained segment. With the default 4 KiB segments, every
// read fills the segment it is given and the advance consumes all of it,
// so the reader recycles that segment in place: no memmove and no pool
// traffic is measured, as none is on the io side. (A pipe.Reader written
// here over a fixed seq.Sequence would measure this file's code, not the
// library's.) Both pipe loops check the length of every result, as io
// checks the count of every read.
//
// The reads are of 4 KiB, the chunk size of the other benchmarks, and the
// path names it (ReadCost/4KiB/{io,pipe,pipepair}), which also gives
// rounds.sh the benchmark-and-contender path it measures:
// bench/rounds.sh 'ReadCost/4KiB' io pipe pipepair.
func BenchmarkReadCost(b *testing.B) {
	b.Run("4KiB/io", func(b *testing.B) {
		src := newNoCopySource()
		buf := make([]byte, chunk)
		b.SetBytes(chunk)
		b.ReportAllocs()
		for b.Loop() {
			if n, err := src.Read(buf); n != chunk || err != nil {
				b.Fatalf("read %d, %v", n, err)
			}
		}
	})
	b.Run("4KiB/pipe", func(b *testing.B) {
		r := pipe.NewReader(newNoCopySource(), pipe.ReaderOptions{}).(pipe.AdvanceReader)
		defer r.Complete(nil)
		ctx := context.Background()
		b.SetBytes(chunk)
		b.ReportAllocs()
		res, err := r.Read(ctx)
		for b.Loop() {
			if err != nil || res.Buffer.Len() != chunk {
				b.Fatalf("read %d, %v", res.Buffer.Len(), err)
			}
			end := res.Buffer.End()
			res, err = r.AdvanceAndRead(ctx, end, end)
		}
	})
	b.Run("4KiB/pipepair", func(b *testing.B) {
		r := pipe.NewReader(newNoCopySource(), pipe.ReaderOptions{})
		defer r.Complete(nil)
		ctx := context.Background()
		b.SetBytes(chunk)
		b.ReportAllocs()
		for b.Loop() {
			res, err := r.Read(ctx)
			if err != nil || res.Buffer.Len() != chunk {
				b.Fatalf("read %d, %v", res.Buffer.Len(), err)
			}
			end := res.Buffer.End()
			r.AdvanceTo(end, end)
		}
	})
}

// noCopySource is an endless source that reports up to chunk bytes read
// without writing them.
type noCopySource struct{}

func (noCopySource) Read(p []byte) (int, error) { return min(len(p), chunk), nil }

// newNoCopySource returns a noCopySource as an io.Reader. It is not
// inlined, so that callers see only the interface and make a dynamic call,
// as they would on a connection.
//
//go:noinline
func newNoCopySource() io.Reader { return noCopySource{} }

// TestReadCostSource checks what BenchmarkReadCost says of its source and
// of the pipe contenders: the source writes nothing and reports up to 4
// KiB, and a pipe read, made either way, then returns exactly those 4 KiB
// and, after the first read, allocates nothing.
func TestReadCostSource(t *testing.T) {
	src := newNoCopySource()
	buf := bytes.Repeat([]byte{0xa5}, 2*chunk)
	if n, err := src.Read(buf); n != chunk || err != nil || bytes.Count(buf, []byte{0xa5}) != len(buf) {
		t.Fatalf("read %d, %v; or the source wrote to the buffer", n, err)
	}
	if n, err := src.Read(buf[:10]); n != 10 || err != nil {
		t.Fatalf("10-byte read: %d, %v", n, err)
	}
	r := pipe.NewReader(newNoCopySource(), pipe.ReaderOptions{})
	defer r.Complete(nil)
	ctx := context.Background()
	read := func() {
		res, err := r.Read(ctx)
		if err != nil || res.Buffer.Len() != chunk {
			t.Fatalf("read %d, %v", res.Buffer.Len(), err)
		}
		end := res.Buffer.End()
		r.AdvanceTo(end, end)
	}
	read()
	if a := testing.AllocsPerRun(1000, read); a != 0 {
		t.Errorf("%v allocations per Read and AdvanceTo", a)
	}
	ar := pipe.NewReader(newNoCopySource(), pipe.ReaderOptions{}).(pipe.AdvanceReader)
	defer ar.Complete(nil)
	res, err := ar.Read(ctx)
	next := func() {
		if err != nil || res.Buffer.Len() != chunk {
			t.Fatalf("read %d, %v", res.Buffer.Len(), err)
		}
		end := res.Buffer.End()
		res, err = ar.AdvanceAndRead(ctx, end, end)
	}
	next()
	if a := testing.AllocsPerRun(1000, next); a != 0 {
		t.Errorf("%v allocations per AdvanceAndRead", a)
	}
}
