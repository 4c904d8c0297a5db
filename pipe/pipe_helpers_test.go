package pipe

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sluicego/sluice/seq"
)

// Helpers shared by the pipe_*_test.go files. Their names carry a "pt"
// prefix so that they cannot collide with helpers of the other test files of
// this package.

// ptPool is a Pool that wraps another and keeps the books: every segment it
// hands out must come back exactly once, and nothing else may be put.
type ptPool struct {
	t     testing.TB
	inner Pool

	mu       sync.Mutex
	out      map[*seq.Segment]bool
	gets     int
	puts     int
	getBytes int64
	maxOut   int
}

// ptCountingPool returns a ptPool over inner (DefaultPool if nil).
func ptCountingPool(t testing.TB, inner Pool) *ptPool {
	if inner == nil {
		inner = DefaultPool
	}
	return &ptPool{t: t, inner: inner, out: make(map[*seq.Segment]bool)}
}

func (c *ptPool) Get(size int) *seq.Segment {
	s := c.inner.Get(size)
	if s.Len() != 0 || s.Cap() < size {
		c.t.Errorf("pool returned a segment with Len %d, Cap %d for Get(%d)", s.Len(), s.Cap(), size)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out[s] {
		c.t.Errorf("pool handed out a segment that is already out")
	}
	c.out[s] = true
	c.gets++
	c.getBytes += int64(s.Cap())
	c.maxOut = max(c.maxOut, len(c.out))
	return s
}

func (c *ptPool) Put(s *seq.Segment) {
	c.mu.Lock()
	ok := c.out[s]
	delete(c.out, s)
	c.puts++
	c.mu.Unlock()
	if !ok {
		c.t.Errorf("Put of a segment that is not out (double Put, or not from this pool)")
		return
	}
	if s.Len() != 0 {
		c.t.Errorf("Put of a segment that was not recycled (Len %d)", s.Len())
	}
	c.inner.Put(s)
}

// counts reports the Gets and Puts so far and the segments still out.
func (c *ptPool) counts() (gets, puts, out int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets, c.puts, len(c.out)
}

// wantOut fails the test unless exactly n segments are out.
func (c *ptPool) wantOut(t testing.TB, n int) {
	t.Helper()
	if g, p, o := c.counts(); o != n {
		t.Fatalf("%d segments out (%d Gets, %d Puts), want %d", o, g, p, n)
	}
}

// ptExactPool allocates segments of exactly the requested size (at least one
// byte) and never reuses them, so that tests get small segments and recycled
// memory stays as the pipe left it.
type ptExactPool struct{}

func (ptExactPool) Get(size int) *seq.Segment { return seq.NewSegment(make([]byte, 0, max(size, 1))) }
func (ptExactPool) Put(*seq.Segment)          {}

// ptPattern is the content every test writes: byte i of a stream is
// ptRef[i%ptPeriod]. ptRef is long enough to view any chunk up to
// ptMaxChunk bytes without copying.
const (
	ptPeriod   = 251
	ptMaxChunk = 4 << 20
)

var ptRef = func() []byte {
	b := make([]byte, ptMaxChunk+ptPeriod)
	for i := range b {
		b[i] = byte(i % ptPeriod * 7)
	}
	return b
}()

// ptPattern returns the n bytes of the test stream from offset off. The
// result aliases a shared table: do not modify it.
func ptPattern(off int64, n int) []byte {
	if n > ptMaxChunk {
		panic("ptPattern: chunk too long")
	}
	i := int(off % ptPeriod)
	return ptRef[i : i+n : i+n]
}

// ptWrite copies p into the pipe with Buffer and Advance, without flushing.
func ptWrite(w Writer, p []byte) {
	for len(p) > 0 {
		b := w.Buffer(len(p))
		n := copy(b, p)
		w.Advance(n)
		p = p[n:]
	}
}

// ptMustWrite writes p and flushes, failing the test on an error or an
// unexpected flag.
func ptMustWrite(t testing.TB, w Writer, p []byte) {
	t.Helper()
	res, err := w.Write(context.Background(), p)
	if err != nil || res.Completed || res.Canceled {
		t.Fatalf("Write(%d bytes) = %+v, %v", len(p), res, err)
	}
}

// ptMustRead reads, failing the test on an error.
func ptMustRead(t testing.TB, r Reader) Result {
	t.Helper()
	res, err := r.Read(context.Background())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return res
}

// ptMustTryRead reads without waiting, failing the test unless data was
// ready.
func ptMustTryRead(t testing.TB, r Reader) Result {
	t.Helper()
	res, ok, err := r.TryRead()
	if err != nil || !ok {
		t.Fatalf("TryRead = %v, %v; want a result", ok, err)
	}
	return res
}

// ptWantNoData fails the test if a read would not wait.
func ptWantNoData(t testing.TB, r Reader) {
	t.Helper()
	res, ok, err := r.TryRead()
	if err != nil || ok {
		t.Fatalf("TryRead = %v (%d bytes, %+v), %v; want nothing ready", ok, res.Buffer.Len(), res, err)
	}
}

// ptWantBuffer fails the test unless s holds want.
func ptWantBuffer(t testing.TB, s seq.Sequence, want []byte) {
	t.Helper()
	if got := s.Bytes(); !bytes.Equal(got, want) {
		if len(got) > 64 || len(want) > 64 {
			t.Fatalf("buffer holds %d bytes, not the %d expected (or different content)", len(got), len(want))
		}
		t.Fatalf("buffer = %q, want %q", got, want)
	}
}

// ptAsync runs f on a new goroutine and returns a channel that receives its
// result.
func ptAsync[T any](f func() T) <-chan T {
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	return ch
}

// ptFlushOut is the outcome of a Flush or Write run with ptAsync.
type ptFlushOut struct {
	res FlushResult
	err error
}

func ptAsyncWrite(ctx context.Context, w Writer, p []byte) <-chan ptFlushOut {
	return ptAsync(func() ptFlushOut {
		res, err := w.Write(ctx, p)
		return ptFlushOut{res, err}
	})
}

func ptAsyncFlush(ctx context.Context, w Writer) <-chan ptFlushOut {
	return ptAsync(func() ptFlushOut {
		res, err := w.Flush(ctx)
		return ptFlushOut{res, err}
	})
}

// ptReadOut is the outcome of a read run with ptAsync.
type ptReadOut struct {
	res Result
	err error
}

func ptAsyncRead(ctx context.Context, r Reader) <-chan ptReadOut {
	return ptAsync(func() ptReadOut {
		res, err := r.Read(ctx)
		return ptReadOut{res, err}
	})
}

func ptAsyncReadAtLeast(ctx context.Context, r Reader, n int) <-chan ptReadOut {
	return ptAsync(func() ptReadOut {
		res, err := r.ReadAtLeast(ctx, n)
		return ptReadOut{res, err}
	})
}

// ptWantBlocked fails the test if ch has a value ready. Call synctest.Wait
// before it.
func ptWantBlocked[T any](t testing.TB, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("%s returned (%+v); want it still waiting", what, v)
	default:
	}
}

// ptRecv receives from ch, failing the test if nothing is ready. Call
// synctest.Wait before it.
func ptRecv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	default:
		t.Fatalf("%s is still waiting; want it done", what)
		panic("unreachable")
	}
}

// ptGoid returns the id of the calling goroutine, parsed from its stack
// header ("goroutine 123 [running]:"). For tests of schedulers only.
func ptGoid() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	f := strings.Fields(string(buf[:n]))
	if len(f) < 2 || f[0] != "goroutine" {
		panic("ptGoid: unexpected stack header " + string(buf[:n]))
	}
	id, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}
