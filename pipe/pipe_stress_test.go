package pipe

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestConcurrentStream moves a long stream from a writer goroutine to a
// reader goroutine, with random write sizes, random flush points, and
// random consumed/examined choices, and checks every byte. Run it under
// -race.
func TestConcurrentStream(t *testing.T) {
	for _, tc := range []struct {
		name  string
		total int64
		opts  Options
	}{
		{"defaults", 64 << 20, Options{}},
		{"small thresholds", 8 << 20, Options{PauseThreshold: 5000, ResumeThreshold: 1000}},
		{"tiny segments", 2 << 20, Options{SegmentSize: 61, Pool: ptExactPool{}, PauseThreshold: 3000, ResumeThreshold: 2999}},
		{"no pause", 16 << 20, Options{PauseThreshold: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			total := tc.total
			if testing.Short() {
				total /= 16
			}
			seed := rand.Uint64()
			t.Logf("seed %d", seed)
			pool := ptCountingPool(t, tc.opts.Pool)
			tc.opts.Pool = pool
			p := New(tc.opts)
			var wg sync.WaitGroup
			wg.Go(func() { ptStressWriter(t, p.Writer(), total, seed) })
			var readErr error
			wg.Go(func() { readErr = ptStressReader(p.Reader(), total, seed+1) })
			wg.Wait()
			if readErr != nil {
				t.Fatal(readErr)
			}
			pool.wantOut(t, 0)
		})
	}
}

func ptStressWriter(t *testing.T, w Writer, total int64, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	var off int64
	defer func() { w.Complete(nil) }()
	for off < total {
		var n int
		switch k := rng.IntN(100); {
		case k < 60:
			n = rng.IntN(512)
		case k < 95:
			n = rng.IntN(16 << 10)
		default:
			n = rng.IntN(300 << 10)
		}
		n = int(min(int64(n), total-off))
		if rng.IntN(4) == 0 {
			// A copying write, which also flushes.
			res, err := w.Write(ctx, ptPattern(off, n))
			if err != nil || res.Completed || res.Canceled {
				t.Errorf("Write = %+v, %v", res, err)
				return
			}
			off += int64(n)
			continue
		}
		// Ask for at least n, but commit a random amount up to what we
		// got (and what is left), sometimes in two Advances.
		b := w.Buffer(n)
		if len(b) < n {
			t.Errorf("Buffer(%d) returned %d bytes", n, len(b))
			return
		}
		k := int(min(int64(rng.IntN(len(b)+1)), total-off, ptMaxChunk))
		copy(b, ptPattern(off, k))
		if k > 1 && rng.IntN(3) == 0 {
			w.Advance(k / 2)
			w.Advance(k - k/2)
		} else {
			w.Advance(k)
		}
		off += int64(k)
		if rng.IntN(3) != 0 {
			res, err := w.Flush(ctx)
			if err != nil || res.Completed || res.Canceled {
				t.Errorf("Flush = %+v, %v", res, err)
				return
			}
		}
	}
}

func ptStressReader(r Reader, total int64, seed uint64) (err error) {
	rng := rand.New(rand.NewPCG(seed, 2))
	ctx := context.Background()
	defer func() { r.Complete(err) }()
	var (
		consumed int64 // stream offset of the buffer's start
		examined int64 // furthest examined offset
		verified int64 // bytes checked against the pattern so far
		reads    int
	)
	for {
		var res Result
		if rng.IntN(8) == 0 {
			res, err = r.ReadAtLeast(ctx, 1+rng.IntN(8<<10))
		} else {
			res, err = r.Read(ctx)
		}
		if err != nil {
			return fmt.Errorf("read %d: %w", reads, err)
		}
		reads++
		buf := res.Buffer
		n := buf.Len()
		end := consumed + int64(n)
		if end < verified || end > total {
			return fmt.Errorf("read %d: buffer [%d, %d) with %d verified, %d written", reads, consumed, end, verified, total)
		}
		// Check the bytes not seen before, and the first few again (they
		// must not have changed since).
		if head := min(n, 16); !buf.Slice(0, head).Equal(ptPattern(consumed, head)) {
			return fmt.Errorf("read %d: bytes at %d changed", reads, consumed)
		}
		fresh := buf.From(int(verified - consumed))
		off := verified
		for c := range fresh.Chunks() {
			if !bytes.Equal(c, ptPattern(off, len(c))) {
				return fmt.Errorf("read %d: bytes at %d differ", reads, off)
			}
			off += int64(len(c))
		}
		verified = end

		if res.Completed {
			if end != total {
				return fmt.Errorf("completed after %d of %d bytes", end, total)
			}
			r.AdvanceTo(buf.End(), buf.End())
			return nil
		}
		// Random consumed <= examined, examined never backwards. Examine
		// to the end often, so that the reader also waits for new data.
		lo := int(examined - consumed)
		e := n
		if rng.IntN(3) == 0 {
			e = lo + rng.IntN(n-lo+1)
		}
		c := rng.IntN(e + 1)
		if rng.IntN(4) == 0 {
			c = e
		}
		r.AdvanceTo(buf.PosAt(c), buf.PosAt(e))
		consumed += int64(c)
		examined = max(examined, consumed+int64(e-c))
	}
}
