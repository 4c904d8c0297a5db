package pipe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// chunkReader returns its data at most k bytes per Read, then err (io.EOF if
// nil). It records how often it was read and closed.
type chunkReader struct {
	data   []byte
	k      int
	err    error
	reads  int
	closed int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	c.reads++
	if len(c.data) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.k)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkReader) Close() error { c.closed++; return nil }

// countingPool wraps DefaultPool and counts the segments it hands out and
// takes back.
type countingPool struct {
	gets, puts atomic.Int64
}

func (p *countingPool) Get(size int) *seq.Segment {
	p.gets.Add(1)
	return DefaultPool.Get(size)
}

func (p *countingPool) Put(s *seq.Segment) {
	if s.Len() != 0 {
		panic("countingPool: Put of a segment that was not recycled")
	}
	p.puts.Add(1)
	DefaultPool.Put(s)
}

func (p *countingPool) check(t *testing.T) {
	t.Helper()
	if g, u := p.gets.Load(), p.puts.Load(); g != u {
		t.Errorf("pool: %d Get, %d Put", g, u)
	}
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// drain reads r to the end, consuming every read entirely, and returns the
// bytes and the final error.
func drain(t *testing.T, r Reader) ([]byte, error) {
	t.Helper()
	var out []byte
	for range 1 << 20 {
		res, err := r.Read(context.Background())
		if err != nil {
			return out, err
		}
		out = res.Buffer.AppendTo(out)
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			return out, nil
		}
	}
	t.Fatal("drain: no end")
	return nil, nil
}

func TestReaderChunkSizes(t *testing.T) {
	data := randomBytes(100_000, 1)
	for _, k := range []int{1, 7, 4096} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			var pool countingPool
			src := &chunkReader{data: data, k: k}
			r := NewReader(src, ReaderOptions{Pool: &pool})
			got, err := drain(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatal("content differs")
			}
			r.Complete(nil)
			pool.check(t)
			if src.closed != 1 {
				t.Errorf("source closed %d times, want 1", src.closed)
			}
		})
	}
}

// TestReaderPartialConsumption consumes up to a delimiter and examines
// everything, so that buffers span several segments.
func TestReaderPartialConsumption(t *testing.T) {
	var want []string
	var all strings.Builder
	for i := range 3000 {
		line := strings.Repeat(string(rune('a'+i%26)), i%300)
		want = append(want, line)
		all.WriteString(line)
		all.WriteByte('\n')
	}
	for _, k := range []int{1, 7, 4096} {
		for _, opts := range []ReaderOptions{{}, {BufferSize: 16, MinReadSize: 4}, {BufferSize: 8192, MinReadSize: 8192}} {
			t.Run(fmt.Sprintf("k=%d/%d-%d", k, opts.BufferSize, opts.MinReadSize), func(t *testing.T) {
				var pool countingPool
				opts.Pool = &pool
				r := NewReader(&chunkReader{data: []byte(all.String()), k: k}, opts)
				var got []string
				for {
					res, err := r.Read(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					buf := res.Buffer
					for {
						i := buf.IndexByte('\n')
						if i < 0 {
							break
						}
						got = append(got, buf.Slice(0, i).String())
						buf = buf.From(i + 1)
					}
					r.AdvanceTo(buf.Start(), buf.End())
					if res.Completed {
						if !buf.IsEmpty() {
							t.Fatalf("leftover %q", buf.String())
						}
						break
					}
				}
				r.Complete(nil)
				pool.check(t)
				if len(got) != len(want) {
					t.Fatalf("%d lines, want %d", len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("line %d = %q, want %q", i, got[i], want[i])
					}
				}
			})
		}
	}
}

func TestReaderIotestSources(t *testing.T) {
	data := randomBytes(10_000, 2)
	for name, src := range map[string]io.Reader{
		"OneByteReader": iotest.OneByteReader(bytes.NewReader(data)),
		"HalfReader":    iotest.HalfReader(bytes.NewReader(data)),
		"DataErrReader": iotest.DataErrReader(bytes.NewReader(data)),
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader(src, ReaderOptions{})
			got, err := drain(t, r)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes, %v", len(got), err)
			}
			r.Complete(nil)
		})
	}
}

func TestReaderTimeoutReaderErrorIsSticky(t *testing.T) {
	r := NewReader(iotest.TimeoutReader(&chunkReader{data: []byte("hello"), k: 4}), ReaderOptions{})
	res, err := r.Read(context.Background())
	if err != nil || res.Buffer.String() != "hell" {
		t.Fatalf("first read: %q, %v", res.Buffer.String(), err)
	}
	r.AdvanceTo(res.Buffer.PosAt(1), res.Buffer.End())
	for range 3 {
		res, err = r.Read(context.Background())
		if !errors.Is(err, iotest.ErrTimeout) || !res.Completed || res.Buffer.String() != "ell" {
			t.Fatalf("read after the error: %q completed=%v, %v", res.Buffer.String(), res.Completed, err)
		}
	}
	if res, ok, err := r.TryRead(); !ok || !errors.Is(err, iotest.ErrTimeout) || res.Buffer.String() != "ell" {
		t.Fatalf("TryRead: %q %v %v", res.Buffer.String(), ok, err)
	}
	r.Complete(nil)
}

func TestReaderErrReader(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(iotest.ErrReader(boom), ReaderOptions{})
	res, err := r.Read(context.Background())
	if err != boom || !res.Completed || !res.Buffer.IsEmpty() {
		t.Fatalf("%+v, %v", res, err)
	}
	if _, err := r.ReadAtLeast(context.Background(), 10); err != boom {
		t.Fatal(err)
	}
	r.Complete(nil)
}

func TestReaderErrorWithData(t *testing.T) {
	boom := errors.New("boom")
	src := &chunkReader{data: []byte("abcdef"), k: 4, err: boom}
	r := NewReader(src, ReaderOptions{})
	res, err := r.ReadAtLeast(context.Background(), 100)
	if err != boom || res.Buffer.String() != "abcdef" || !res.Completed {
		t.Fatalf("%q, %v", res.Buffer.String(), err)
	}
	reads := src.reads
	res, err = r.Read(context.Background())
	if err != boom || res.Buffer.String() != "abcdef" || src.reads != reads {
		t.Fatalf("second read: %q, %v, source read again: %v", res.Buffer.String(), err, src.reads != reads)
	}
	testutil.MustPanic(t, "without a pending read result", func() { r.AdvanceTo(res.Buffer.End(), res.Buffer.End()) })
	r.Complete(nil)
}

func TestReaderEOFWithLeftover(t *testing.T) {
	src := &chunkReader{data: []byte("abc"), k: 10}
	r := NewReader(src, ReaderOptions{})
	res, err := r.Read(context.Background())
	if err != nil || res.Buffer.String() != "abc" || res.Completed {
		t.Fatalf("%q %v %v", res.Buffer.String(), res.Completed, err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End()) // nothing consumed, all examined
	res, err = r.Read(context.Background())
	if err != nil || res.Buffer.String() != "abc" || !res.Completed {
		t.Fatalf("%q %v %v", res.Buffer.String(), res.Completed, err)
	}
	r.AdvanceTo(res.Buffer.PosAt(1), res.Buffer.End())
	reads := src.reads
	for range 3 {
		res, err = r.Read(context.Background())
		if err != nil || res.Buffer.String() != "bc" || !res.Completed {
			t.Fatalf("%q %v %v", res.Buffer.String(), res.Completed, err)
		}
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	}
	if src.reads != reads {
		t.Errorf("source read %d more times after EOF", src.reads-reads)
	}
	res, err = r.ReadAtLeast(context.Background(), 5)
	if err != nil || res.Buffer.String() != "bc" || !res.Completed {
		t.Fatalf("ReadAtLeast at EOF: %q %v %v", res.Buffer.String(), res.Completed, err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	res, err = r.Read(context.Background())
	if err != nil || !res.Buffer.IsEmpty() || !res.Completed {
		t.Fatalf("%q %v %v", res.Buffer.String(), res.Completed, err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
}

func TestReaderEmptySource(t *testing.T) {
	r := NewReader(strings.NewReader(""), ReaderOptions{})
	res, err := r.Read(context.Background())
	if err != nil || !res.Completed || !res.Buffer.IsEmpty() {
		t.Fatalf("%+v %v", res, err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	r.Complete(nil)
}

type funcReader func([]byte) (int, error)

func (f funcReader) Read(p []byte) (int, error) { return f(p) }

func TestReaderNoProgress(t *testing.T) {
	calls := 0
	r := NewReader(funcReader(func([]byte) (int, error) { calls++; return 0, nil }), ReaderOptions{})
	_, err := r.Read(context.Background())
	if err != io.ErrNoProgress || calls != 100 {
		t.Fatalf("%v after %d calls", err, calls)
	}
	if _, err := r.Read(context.Background()); err != io.ErrNoProgress || calls != 100 {
		t.Fatalf("%v after %d calls", err, calls)
	}
	r.Complete(nil)
}

func TestReaderEmptyReadsThenData(t *testing.T) {
	calls := 0
	r := NewReader(funcReader(func(p []byte) (int, error) {
		calls++
		switch {
		case calls%50 != 0:
			return 0, nil
		case calls > 200:
			return 0, io.EOF
		}
		return copy(p, "x"), nil
	}), ReaderOptions{})
	got, err := drain(t, r)
	if err != nil || string(got) != "xxxx" {
		t.Fatalf("%q %v", got, err)
	}
	r.Complete(nil)
}

func TestReaderInvalidCount(t *testing.T) {
	r := NewReader(funcReader(func(p []byte) (int, error) { return len(p) + 1, nil }), ReaderOptions{})
	testutil.MustPanic(t, "returned count", func() { r.Read(context.Background()) })
}

func TestReaderReadAtLeast(t *testing.T) {
	data := randomBytes(50_000, 3)
	var pool countingPool
	src := &chunkReader{data: data, k: 7}
	r := NewReader(src, ReaderOptions{Pool: &pool})
	var got []byte
	for {
		res, err := r.ReadAtLeast(context.Background(), 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Completed && res.Buffer.Len() < 10_000 {
			t.Fatalf("ReadAtLeast returned %d bytes", res.Buffer.Len())
		}
		// Consume 9000 bytes: the next ReadAtLeast must read more even
		// though bytes remain.
		n := min(9000, res.Buffer.Len())
		got = res.Buffer.Slice(0, n).AppendTo(got)
		last := res.Completed && n == res.Buffer.Len()
		r.AdvanceTo(res.Buffer.PosAt(n), res.Buffer.PosAt(n))
		if last {
			break
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	r.Complete(nil)
	pool.check(t)
}

func TestReaderTryRead(t *testing.T) {
	src := &chunkReader{data: []byte("hello world"), k: 5}
	r := NewReader(src, ReaderOptions{})
	if _, ok, err := r.TryRead(); ok || err != nil || src.reads != 0 {
		t.Fatalf("TryRead on an empty reader: ok=%v err=%v reads=%d", ok, err, src.reads)
	}
	res, _ := r.Read(context.Background())
	r.AdvanceTo(res.Buffer.PosAt(2), res.Buffer.PosAt(3))
	res, ok, err := r.TryRead()
	if !ok || err != nil || res.Buffer.String() != "llo" {
		t.Fatalf("TryRead: %q %v %v", res.Buffer.String(), ok, err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	if _, ok, _ := r.TryRead(); ok || src.reads != 1 {
		t.Fatalf("TryRead with everything examined: ok=%v reads=%d", ok, src.reads)
	}
	r.Complete(nil)
}

func TestReaderCancelBeforeRead(t *testing.T) {
	src := &chunkReader{data: []byte("abc"), k: 10}
	r := NewReader(src, ReaderOptions{})
	r.CancelPendingRead()
	res, err := r.Read(context.Background())
	if err != nil || !res.Canceled || src.reads != 0 {
		t.Fatalf("%+v %v reads=%d", res, err, src.reads)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start())
	res, err = r.Read(context.Background())
	if err != nil || res.Canceled || res.Buffer.String() != "abc" {
		t.Fatalf("%+v %v", res, err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	// Buffered unexamined bytes do not hide a cancel either.
	r.CancelPendingRead()
	if res, ok, err := r.TryRead(); !ok || err != nil || !res.Canceled {
		t.Fatalf("TryRead after cancel: %+v %v %v", res, ok, err)
	}
	r.Complete(nil)
}

// blockingReader hands out what is sent on its channel, one send per Read,
// and io.EOF once the channel is closed.
type blockingReader struct{ ch chan []byte }

func (b blockingReader) Read(p []byte) (int, error) {
	d, ok := <-b.ch
	if !ok {
		return 0, io.EOF
	}
	return copy(p, d), nil
}

// A cancel cannot interrupt a source without deadlines: the blocked read
// returns Canceled once the source returns, keeping the bytes.
func TestReaderCancelFromAnotherGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := blockingReader{make(chan []byte)}
		r := NewReader(src, ReaderOptions{})
		type out struct {
			res Result
			err error
		}
		done := make(chan out)
		go func() {
			res, err := r.Read(context.Background())
			done <- out{res, err}
		}()
		synctest.Wait()
		r.CancelPendingRead()
		src.ch <- []byte("data")
		o := <-done
		if o.err != nil || !o.res.Canceled || o.res.Buffer.String() != "data" {
			t.Fatalf("%q canceled=%v %v", o.res.Buffer.String(), o.res.Canceled, o.err)
		}
		r.AdvanceTo(o.res.Buffer.Start(), o.res.Buffer.Start())
		res, err := r.Read(context.Background())
		if err != nil || res.Canceled || res.Buffer.String() != "data" {
			t.Fatalf("%+v %v", res, err)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		close(src.ch)
		if res, err := r.Read(context.Background()); err != nil || !res.Completed {
			t.Fatalf("%+v %v", res, err)
		}
		r.Complete(nil)
	})
}

func TestReaderContextDoneBeforeRead(t *testing.T) {
	src := &chunkReader{data: []byte("abc"), k: 10}
	r := NewReader(src, ReaderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Read(ctx); err != context.Canceled || src.reads != 0 {
		t.Fatalf("%v reads=%d", err, src.reads)
	}
	if _, err := r.ReadAtLeast(ctx, 1); err != context.Canceled || src.reads != 0 {
		t.Fatalf("%v reads=%d", err, src.reads)
	}
	// The reader is still usable, and buffered bytes come without ctx.
	res, err := r.Read(context.Background())
	if err != nil || res.Buffer.String() != "abc" {
		t.Fatal(res.Buffer.String(), err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(1))
	if res, err := r.Read(ctx); err != nil || res.Buffer.String() != "abc" {
		t.Fatal(res.Buffer.String(), err)
	}
	r.Complete(nil)
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.FailNow()
	}
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

func TestReaderContextInterruptsConnRead(t *testing.T) {
	client, server := tcpPair(t)
	defer client.Close()
	r := NewReader(server, ReaderOptions{})
	defer r.Complete(nil)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := r.Read(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Read: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("interrupted after %v", d)
	}
	// The deadline was cleared: a later read waits for data as usual.
	go func() {
		time.Sleep(30 * time.Millisecond)
		client.Write([]byte("late"))
	}()
	res, err := r.Read(context.Background())
	if err != nil || res.Buffer.String() != "late" {
		t.Fatalf("%q %v", res.Buffer.String(), err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())

	// A cancelable ctx that does not end costs nothing but works.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	client.Write([]byte("more"))
	res, err = r.Read(ctx2)
	if err != nil || res.Buffer.String() != "more" {
		t.Fatalf("%q %v", res.Buffer.String(), err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())

	// Cancel a blocked read from another goroutine.
	go func() {
		time.Sleep(30 * time.Millisecond)
		r.CancelPendingRead()
	}()
	res, err = r.Read(context.Background())
	if err != nil || !res.Canceled {
		t.Fatalf("canceled read: %+v %v", res, err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	client.Write([]byte("after"))
	client.CloseWrite()
	got, err := drain(t, r)
	if err != nil || string(got) != "after" {
		t.Fatalf("%q %v", got, err)
	}
}

// Many interrupts racing with data must lose no byte and never leave a
// deadline set.
func TestReaderInterruptStress(t *testing.T) {
	client, server := tcpPair(t)
	r := NewReader(server, ReaderOptions{})
	defer r.Complete(nil)
	const total = 1 << 20
	data := randomBytes(total, 4)
	go func() {
		for b := data; len(b) > 0; {
			n := min(len(b), 1+rand.IntN(3000))
			client.Write(b[:n])
			b = b[n:]
			if rand.IntN(4) == 0 {
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
			}
		}
		client.Close()
	}()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(rand.IntN(300)) * time.Microsecond):
				r.CancelPendingRead()
			}
		}
	})
	var got []byte
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(500))*time.Microsecond)
		res, err := r.Read(ctx)
		cancel()
		if err == context.DeadlineExceeded {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = res.Buffer.AppendTo(got)
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			break
		}
	}
	close(stop)
	wg.Wait()
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, want %d (or content differs)", len(got), len(data))
	}
}

func TestReaderLeaveOpen(t *testing.T) {
	for _, leave := range []bool{false, true} {
		src := &chunkReader{data: []byte("x"), k: 1}
		r := NewReader(src, ReaderOptions{LeaveOpen: leave})
		r.Complete(nil)
		r.Complete(nil)
		if want := map[bool]int{false: 1, true: 0}[leave]; src.closed != want {
			t.Errorf("LeaveOpen=%v: closed %d times, want %d", leave, src.closed, want)
		}
	}
	// A source that is not a Closer is fine.
	NewReader(strings.NewReader("x"), ReaderOptions{}).Complete(nil)
}

func TestReaderPoolReturn(t *testing.T) {
	data := randomBytes(30_000, 5)
	for _, stop := range []int{0, 1, 5_000, 29_999, 30_000} {
		var pool countingPool
		r := NewReader(&chunkReader{data: data, k: 3000}, ReaderOptions{Pool: &pool, BufferSize: 4096, MinReadSize: 4096})
		// Consume nothing until stop bytes are buffered, then complete
		// with a result pending.
		for {
			res, err := r.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Buffer.Len() >= stop || res.Completed {
				break
			}
			r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
		}
		r.Complete(errors.New("done"))
		pool.check(t)
		if pool.gets.Load() == 0 && stop > 0 {
			t.Error("no segment was taken from the pool")
		}
	}
}

// A slice kept past AdvanceTo shows the poison pattern in tests, and a
// position kept past it fails loudly.
func TestReaderRecycledMemoryIsPoisoned(t *testing.T) {
	r := NewReader(strings.NewReader(strings.Repeat("a", 100)), ReaderOptions{})
	res, _ := r.Read(context.Background())
	kept := res.Buffer.First()
	old := res.Buffer
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	if bytes.Contains(kept, []byte("a")) {
		t.Errorf("recycled memory still holds the data: %q", kept[:8])
	}
	testutil.MustPanic(t, "recycled", func() { old.Len() })
	r.Complete(nil)
}

func TestReaderMisuse(t *testing.T) {
	newR := func() Reader { return NewReader(strings.NewReader("hello world"), ReaderOptions{}) }
	t.Run("second read before AdvanceTo", func(t *testing.T) {
		r := newR()
		r.Read(context.Background())
		if _, err := r.Read(context.Background()); err != ErrReadInProgress {
			t.Fatal(err)
		}
		if _, err := r.ReadAtLeast(context.Background(), 1); err != ErrReadInProgress {
			t.Fatal(err)
		}
		if _, _, err := r.TryRead(); err != ErrReadInProgress {
			t.Fatal(err)
		}
	})
	t.Run("AdvanceTo without read", func(t *testing.T) {
		r := newR()
		testutil.MustPanic(t, "without a pending read result", func() { r.AdvanceTo(seq.Position{}, seq.Position{}) })
		res, _ := r.Read(context.Background())
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start())
		testutil.MustPanic(t, "without a pending read result", func() { r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start()) })
	})
	t.Run("examined before consumed", func(t *testing.T) {
		r := newR()
		res, _ := r.Read(context.Background())
		testutil.MustPanic(t, "examined position 2 before consumed position 5", func() {
			r.AdvanceTo(res.Buffer.PosAt(5), res.Buffer.PosAt(2))
		})
	})
	t.Run("examined backwards", func(t *testing.T) {
		r := newR()
		res, _ := r.Read(context.Background())
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(5))
		res, _ = r.Read(context.Background())
		testutil.MustPanic(t, "moved backwards", func() { r.AdvanceTo(res.Buffer.PosAt(1), res.Buffer.PosAt(2)) })
	})
	t.Run("past the end", func(t *testing.T) {
		r := newR()
		res, _ := r.Read(context.Background())
		other := seq.Of([]byte(strings.Repeat("z", 100)))
		testutil.MustPanic(t, "past the end", func() { r.AdvanceTo(res.Buffer.Start(), other.PosAt(50)) })
	})
	t.Run("position from an older read", func(t *testing.T) {
		r := NewReader(&chunkReader{data: []byte("hello world"), k: 3}, ReaderOptions{})
		res, _ := r.Read(context.Background())
		old := res.Buffer.PosAt(1)
		r.AdvanceTo(res.Buffer.PosAt(2), res.Buffer.End())
		res, _ = r.Read(context.Background())
		testutil.MustPanic(t, "before the start of the buffer", func() { r.AdvanceTo(old, res.Buffer.End()) })
	})
	t.Run("after Complete", func(t *testing.T) {
		r := newR()
		res, _ := r.Read(context.Background())
		r.Complete(nil)
		if _, err := r.Read(context.Background()); err != ErrReaderCompleted {
			t.Fatal(err)
		}
		if _, err := r.ReadAtLeast(context.Background(), 1); err != ErrReaderCompleted {
			t.Fatal(err)
		}
		if _, _, err := r.TryRead(); err != ErrReaderCompleted {
			t.Fatal(err)
		}
		testutil.MustPanic(t, "after the reader completed", func() { r.AdvanceTo(res.Buffer.End(), res.Buffer.End()) })
	})
}

func TestReaderOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		o  ReaderOptions
		ok bool
	}{
		{ReaderOptions{}, true},
		{ReaderOptions{BufferSize: 512}, true}, // MinReadSize defaults down
		{ReaderOptions{BufferSize: 512, MinReadSize: 512}, true},
		{ReaderOptions{BufferSize: 512, MinReadSize: 513}, false},
		{ReaderOptions{MinReadSize: 4097}, false},
		{ReaderOptions{BufferSize: -1}, false},
		{ReaderOptions{MinReadSize: -1}, false},
	} {
		if err := c.o.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.o, err)
		} else if err != nil && !strings.HasPrefix(err.Error(), "pipe: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
	}
	testutil.MustPanic(t, "MinReadSize", func() { NewReader(strings.NewReader(""), ReaderOptions{MinReadSize: 1 << 20}) })
	if err := (WriterOptions{MinBufferSize: -1}).Validate(); err == nil {
		t.Error("negative MinBufferSize accepted")
	}
}

// endless returns its pattern over and over, at most k bytes per Read.
// Short patterns are repeated up to 64 KiB first, so that a Read is mostly
// one copy.
type endless struct {
	pattern []byte
	off, k  int
}

func newEndless(pattern []byte, k int) *endless {
	p := pattern
	for len(p) < 64<<10 {
		p = append(p, pattern...)
	}
	return &endless{pattern: p, k: k}
}

func (e *endless) Read(p []byte) (int, error) {
	p = p[:min(len(p), e.k)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], e.pattern[e.off:])
		n += c
		e.off = (e.off + c) % len(e.pattern)
	}
	return n, nil
}

func linePattern(lineLen int) []byte {
	line := bytes.Repeat([]byte("x"), lineLen-1)
	return append(line, '\n')
}

func TestReaderSteadyStateAllocs(t *testing.T) {
	src := &endless{pattern: linePattern(100), k: 4096}
	r := NewReader(src, ReaderOptions{})
	defer r.Complete(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	step := func() {
		// Consume one line per read, examining everything when no
		// complete line is left, as a message reader does.
		res, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i := res.Buffer.IndexByte('\n'); i >= 0 {
			p := res.Buffer.PosAt(i + 1)
			r.AdvanceTo(p, p)
		} else {
			r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
		}
	}
	for range 1000 {
		step()
	}
	if a := testing.AllocsPerRun(10_000, step); a != 0 {
		t.Errorf("%v allocations per read", a)
	}
}

func TestFromBytes(t *testing.T) {
	b := []byte("hello world")
	r := FromBytes(b)
	for range 2 {
		res, err := r.Read(context.Background())
		if err != nil || !res.Completed || res.Buffer.String() != "hello world" {
			t.Fatalf("%q %v %v", res.Buffer.String(), res.Completed, err)
		}
		r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	}
	res, _ := r.ReadAtLeast(context.Background(), 100)
	r.AdvanceTo(res.Buffer.PosAt(6), res.Buffer.End())
	res, ok, err := r.TryRead()
	if !ok || err != nil || res.Buffer.String() != "world" || !res.Completed {
		t.Fatalf("%q %v %v", res.Buffer.String(), ok, err)
	}
	if _, err := r.Read(context.Background()); err != ErrReadInProgress {
		t.Fatal(err)
	}
	testutil.MustPanic(t, "before consumed", func() { r.AdvanceTo(res.Buffer.PosAt(3), res.Buffer.PosAt(1)) })
	r.AdvanceTo(res.Buffer.PosAt(1), res.Buffer.End())
	r.CancelPendingRead()
	res, _ = r.Read(context.Background())
	if !res.Canceled || !res.Completed || res.Buffer.String() != "orld" {
		t.Fatalf("%+v", res)
	}
	testutil.MustPanic(t, "moved backwards", func() { r.AdvanceTo(res.Buffer.Start(), res.Buffer.Start()) })
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
	if string(b) != "hello world" {
		t.Errorf("Complete touched the caller's memory: %q", b)
	}
	if _, err := r.Read(context.Background()); err != ErrReaderCompleted {
		t.Fatal(err)
	}
	testutil.MustPanic(t, "after the reader completed", func() { r.AdvanceTo(seq.Position{}, seq.Position{}) })
}

func TestFromSequence(t *testing.T) {
	parts := [][]byte{[]byte("ab"), nil, []byte("c"), []byte("def")}
	r := FromSequence(seq.Chain(parts...).Slice(1, 5))
	got, err := drain(t, r)
	if err != nil || string(got) != "bcde" {
		t.Fatalf("%q %v", got, err)
	}
	r.Complete(nil)

	// Line by line across segments.
	r = FromSequence(seq.Chain([]byte("one\ntw"), []byte("o\nthree")))
	var lines []string
	for {
		res, err := r.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := res.Buffer.IndexByte('\n')
		if i < 0 {
			lines = append(lines, res.Buffer.String())
			r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			break
		}
		lines = append(lines, res.Buffer.Slice(0, i).String())
		p := res.Buffer.PosAt(i + 1)
		r.AdvanceTo(p, p)
	}
	if strings.Join(lines, ",") != "one,two,three" {
		t.Fatal(lines)
	}

	// The zero sequence.
	r = FromSequence(seq.Sequence{})
	res, err := r.Read(context.Background())
	if err != nil || !res.Completed || !res.Buffer.IsEmpty() {
		t.Fatal(res, err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
}

// Writer.

// recWriter records every Write call; it fails with err after failAfter
// writes if err is set, and can write short.
type recWriter struct {
	buf       bytes.Buffer
	writes    [][]byte // the slices passed in (aliases!)
	sizes     []int
	err       error
	failAfter int
	short     bool
	closed    int
}

func (w *recWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, p)
	w.sizes = append(w.sizes, len(p))
	if w.err != nil && len(w.sizes) > w.failAfter {
		return 0, w.err
	}
	if w.short && len(p) > 1 {
		p = p[:len(p)/2]
	}
	return w.buf.Write(p)
}

func (w *recWriter) Close() error { w.closed++; return nil }

func TestWriterFlushSegments(t *testing.T) {
	var pool countingPool
	dst := &recWriter{}
	w := NewWriter(dst, WriterOptions{Pool: &pool})
	data := randomBytes(10_000, 6)
	// Fill three 4 KiB segments without flushing.
	for rest := data; len(rest) > 0; {
		b := w.Buffer(4096)
		n := copy(b, rest)
		w.Advance(n)
		rest = rest[n:]
	}
	if dst.buf.Len() != 0 {
		t.Fatal("bytes reached dst before Flush")
	}
	if res, err := w.Flush(context.Background()); err != nil || res != (FlushResult{}) {
		t.Fatal(res, err)
	}
	if !bytes.Equal(dst.buf.Bytes(), data) {
		t.Fatal("content differs")
	}
	if len(dst.sizes) != 3 {
		t.Errorf("%d writes (%v), want one per segment", len(dst.sizes), dst.sizes)
	}
	// Flushing nothing writes nothing.
	w.Flush(context.Background())
	if len(dst.sizes) != 3 {
		t.Errorf("an empty flush wrote: %v", dst.sizes)
	}
	// Small writes coalesce into one segment and one dst.Write.
	for i := range 10 {
		b := w.Buffer(1)
		b[0] = byte('0' + i)
		w.Advance(1)
	}
	w.Flush(context.Background())
	if got := dst.buf.String()[len(data):]; got != "0123456789" || len(dst.sizes) != 4 {
		t.Fatalf("%q, writes %v", got, dst.sizes)
	}
	w.Complete(nil)
	pool.check(t)
	if dst.closed != 1 {
		t.Errorf("closed %d times", dst.closed)
	}
}

func TestWriterBufferSizing(t *testing.T) {
	w := NewWriter(io.Discard, WriterOptions{})
	if b := w.Buffer(0); len(b) == 0 {
		t.Error("Buffer(0) is empty")
	}
	if b := w.Buffer(-5); len(b) == 0 {
		t.Error("Buffer(-5) is empty")
	}
	if b := w.Buffer(1 << 20); len(b) < 1<<20 {
		t.Errorf("Buffer(1 MiB) has %d bytes", len(b))
	}
	w.Advance(1 << 20)
	if b := w.Buffer(3 << 20); len(b) < 3<<20 {
		t.Errorf("Buffer(3 MiB) has %d bytes", len(b))
	}
	if _, err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	testutil.MustPanic(t, "Advance(1) beyond the 0-byte buffer", func() { w.Advance(1) })
	b := w.Buffer(10)
	testutil.MustPanic(t, fmt.Sprintf("Advance(%d) beyond the %d-byte buffer", len(b)+1, len(b)), func() { w.Advance(len(b) + 1) })
	testutil.MustPanic(t, "Advance(-1)", func() { w.Advance(-1) })
	w.Complete(nil)
	testutil.MustPanic(t, "pipe: Buffer after the writer completed", func() { w.Buffer(1) })
	if _, err := w.Flush(context.Background()); err != ErrWriterCompleted {
		t.Fatal(err)
	}
	if _, err := w.Write(context.Background(), []byte("x")); err != ErrWriterCompleted {
		t.Fatal(err)
	}
}

func TestWriterWriteDirect(t *testing.T) {
	dst := &recWriter{}
	w := NewWriter(dst, WriterOptions{})
	p := []byte("direct")
	if _, err := w.Write(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if len(dst.writes) != 1 || &dst.writes[0][0] != &p[0] {
		t.Fatal("Write with nothing buffered copied its argument")
	}
	// With bytes buffered, Write copies behind them and flushes once.
	b := w.Buffer(3)
	copy(b, "abc")
	w.Advance(3)
	if _, err := w.Write(context.Background(), []byte("def")); err != nil {
		t.Fatal(err)
	}
	if dst.buf.String() != "directabcdef" || len(dst.writes) != 2 {
		t.Fatalf("%q, %v", dst.buf.String(), dst.sizes)
	}
	w.Complete(nil)
}

func TestWriterCancelAndContext(t *testing.T) {
	dst := &recWriter{}
	w := NewWriter(dst, WriterOptions{})
	b := w.Buffer(5)
	copy(b, "hello")
	w.Advance(5)
	w.CancelPendingFlush()
	res, err := w.Flush(context.Background())
	if err != nil || !res.Canceled || dst.buf.Len() != 0 {
		t.Fatalf("%+v %v %q", res, err, dst.buf.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Flush(ctx); err != context.Canceled || dst.buf.Len() != 0 {
		t.Fatal(err)
	}
	if _, err := w.Write(ctx, []byte(" world")); err != context.Canceled || dst.buf.Len() != 0 {
		t.Fatal(err)
	}
	w.CancelPendingFlush()
	if res, err := w.Write(context.Background(), []byte("!")); err != nil || !res.Canceled {
		t.Fatal(res, err)
	}
	// Nothing was lost.
	if res, err := w.Flush(context.Background()); err != nil || res.Canceled || dst.buf.String() != "hello world!" {
		t.Fatalf("%+v %v %q", res, err, dst.buf.String())
	}
	w.Complete(nil)
}

// A cancel from another goroutine during a blocking dst.Write is reported
// by that flush once the write returns.
func TestWriterCancelFromAnotherGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var got bytes.Buffer
		dst := writerFunc(func(p []byte) (int, error) {
			<-release
			return got.Write(p)
		})
		w := NewWriter(dst, WriterOptions{})
		done := make(chan FlushResult)
		go func() {
			res, err := w.Write(context.Background(), []byte("x"))
			if err != nil {
				t.Error(err)
			}
			done <- res
		}()
		synctest.Wait()
		w.CancelPendingFlush()
		close(release)
		if res := <-done; !res.Canceled || got.String() != "x" {
			t.Fatalf("%+v %q", res, got.String())
		}
		if res, _ := w.Flush(context.Background()); res.Canceled {
			t.Fatal("cancel reported twice")
		}
		w.Complete(nil)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWriterErrorIsSticky(t *testing.T) {
	var pool countingPool
	boom := errors.New("boom")
	dst := &recWriter{err: boom, failAfter: 1}
	w := NewWriter(dst, WriterOptions{Pool: &pool})
	for range 3 {
		b := w.Buffer(4096)
		w.Advance(len(b))
	}
	if _, err := w.Flush(context.Background()); err != boom {
		t.Fatal(err)
	}
	if pool.gets.Load() != pool.puts.Load() {
		t.Error("segments not released after a write error")
	}
	calls := len(dst.sizes)
	if _, err := w.Flush(context.Background()); err != boom {
		t.Fatal(err)
	}
	if _, err := w.Write(context.Background(), []byte("x")); err != boom {
		t.Fatal(err)
	}
	if len(dst.sizes) != calls {
		t.Error("dst written after its error")
	}
	w.Complete(nil)
	pool.check(t)

	w = NewWriter(&recWriter{short: true}, WriterOptions{})
	if _, err := w.Write(context.Background(), []byte("abcd")); err != io.ErrShortWrite {
		t.Fatal(err)
	}
	w.Complete(nil)
}

func TestWriterComplete(t *testing.T) {
	t.Run("nil flushes and closes", func(t *testing.T) {
		var pool countingPool
		dst := &recWriter{}
		w := NewWriter(dst, WriterOptions{Pool: &pool})
		b := w.Buffer(3)
		copy(b, "abc")
		w.Advance(3)
		w.Complete(nil)
		w.Complete(nil)
		if dst.buf.String() != "abc" || dst.closed != 1 {
			t.Fatalf("%q closed=%d", dst.buf.String(), dst.closed)
		}
		pool.check(t)
	})
	t.Run("error drops", func(t *testing.T) {
		var pool countingPool
		dst := &recWriter{}
		w := NewWriter(dst, WriterOptions{Pool: &pool})
		b := w.Buffer(3)
		copy(b, "abc")
		w.Advance(3)
		w.Complete(errors.New("abort"))
		if dst.buf.Len() != 0 || dst.closed != 1 {
			t.Fatalf("%q closed=%d", dst.buf.String(), dst.closed)
		}
		pool.check(t)
	})
	t.Run("LeaveOpen", func(t *testing.T) {
		dst := &recWriter{}
		w := NewWriter(dst, WriterOptions{LeaveOpen: true})
		w.Write(context.Background(), []byte("abc"))
		w.Complete(nil)
		if dst.closed != 0 {
			t.Fatal("closed with LeaveOpen")
		}
	})
	t.Run("nil after a cancel still flushes", func(t *testing.T) {
		dst := &recWriter{}
		w := NewWriter(dst, WriterOptions{})
		w.Buffer(1)[0] = 'z'
		w.Advance(1)
		w.CancelPendingFlush()
		w.Complete(nil)
		if dst.buf.String() != "z" {
			t.Fatalf("%q", dst.buf.String())
		}
	})
}

func TestWriterSteadyStateAllocs(t *testing.T) {
	w := NewWriter(io.Discard, WriterOptions{})
	defer w.Complete(nil)
	line := linePattern(64)
	step := func() {
		for range 100 {
			b := w.Buffer(len(line))
			w.Advance(copy(b, line))
		}
		if _, err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if a := testing.AllocsPerRun(1000, step); a != 0 {
		t.Errorf("%v allocations per flush", a)
	}
}

// Benchmarks: 64-byte lines through a source that returns at most 4 KiB per
// read, the adapter's share of the line-reading benchmark.

const benchInput = 16 << 20

func benchLines(b *testing.B, lineLen int, perLine bool) {
	src := newEndless(linePattern(lineLen), 4096)
	b.SetBytes(benchInput)
	b.ReportAllocs()
	ctx := context.Background()
	r := NewReader(src, ReaderOptions{})
	r.(*streamReader).poison = false // measure the production setting
	defer r.Complete(nil)
	for b.Loop() {
		lines := 0
		for lines < benchInput/lineLen {
			res, err := r.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			buf := res.Buffer
			if perLine {
				if i := buf.IndexByte('\n'); i >= 0 {
					lines++
					p := buf.PosAt(i + 1)
					r.AdvanceTo(p, p)
				} else {
					r.AdvanceTo(buf.Start(), buf.End())
				}
				continue
			}
			for {
				i := buf.IndexByte('\n')
				if i < 0 {
					break
				}
				lines++
				buf = buf.From(i + 1)
			}
			r.AdvanceTo(buf.Start(), buf.End())
		}
	}
}

func BenchmarkReaderLines64PerLine(b *testing.B) { benchLines(b, 64, true) }
func BenchmarkReaderLines64Batch(b *testing.B)   { benchLines(b, 64, false) }

func BenchmarkBufioScannerLines64(b *testing.B) {
	src := newEndless(linePattern(64), 4096)
	b.SetBytes(benchInput)
	b.ReportAllocs()
	sc := bufio.NewScanner(src)
	for b.Loop() {
		for range benchInput / 64 {
			if !sc.Scan() {
				b.Fatal(sc.Err())
			}
		}
	}
}

func BenchmarkWriterLines64(b *testing.B) {
	w := NewWriter(io.Discard, WriterOptions{})
	defer w.Complete(nil)
	line := linePattern(64)
	b.SetBytes(benchInput)
	b.ReportAllocs()
	for b.Loop() {
		for range benchInput / 64 / 64 {
			for range 64 {
				buf := w.Buffer(64)
				w.Advance(copy(buf, line))
			}
			w.Flush(context.Background())
		}
	}
}

// BenchmarkReaderReadAdvance measures one Read and one AdvanceTo by a byte,
// the per-message overhead of a message reader that advances lazily.
func BenchmarkReaderReadAdvance(b *testing.B) {
	r := NewReader(newEndless(linePattern(64), 4096), ReaderOptions{})
	r.(*streamReader).poison = false
	defer r.Complete(nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, _ := r.Read(ctx)
		p := res.Buffer.PosAt(1)
		r.AdvanceTo(p, p)
	}
}

// TestReaderReadAtLeastOneSegment: a ReadAtLeast that waits for more bytes
// than the last segment has room for reads them into one segment large
// enough, the unconsumed bytes of the last segment moved to its start, so
// that a long message is one segment; a need beyond the largest pooled
// segment is linked as before. Either way every byte arrives once, in
// order, and every segment goes back to the pool.
func TestReaderReadAtLeastOneSegment(t *testing.T) {
	data := randomBytes(1<<20+200_000, 9)
	for _, c := range []struct {
		k, skip, need int
		single        bool
	}{
		{k: 4096, skip: 100, need: 20_000, single: true},
		{k: 1000, skip: 900, need: 16_393, single: true},
		{k: 1 << 20, skip: 10, need: 70_000, single: true},
		{k: 4096, skip: 0, need: 5000, single: true},
		{k: 4096, skip: 4000, need: 1<<20 - 96, single: true},
		{k: 4096, skip: 10, need: 1<<20 + 100_000, single: false}, // over the largest pooled segment
	} {
		var pool countingPool
		r := NewReader(&chunkReader{data: data, k: c.k}, ReaderOptions{Pool: &pool})
		// A first read, of which skip bytes are consumed: the partial
		// message left lies in the first segment.
		res, err := r.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got := res.Buffer.Slice(0, c.skip).AppendTo(nil)
		r.AdvanceTo(res.Buffer.PosAt(c.skip), res.Buffer.End())
		res, err = r.ReadAtLeast(context.Background(), c.need)
		if err != nil || res.Buffer.Len() < c.need {
			t.Fatalf("%+v: %d bytes, %v", c, res.Buffer.Len(), err)
		}
		if one := res.Buffer.Slice(0, c.need).IsSingleSegment(); one != c.single {
			t.Errorf("%+v: the %d bytes in one segment: %v", c, c.need, one)
		}
		got = res.Buffer.AppendTo(got)
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		rest, err := drain(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if got = append(got, rest...); !bytes.Equal(got, data) {
			t.Fatalf("%+v: content differs", c)
		}
		r.Complete(nil)
		pool.check(t)
	}
}

// randomChunks returns its data in reads of 1 to max bytes.
type randomChunks struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (c *randomChunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+c.rng.IntN(c.max))], c.data)
	c.data = c.data[n:]
	return n, nil
}

// TestReaderWideSegments reads a stream of length-prefixed messages as a
// message reader does (a Read, then a ReadAtLeast for the rest of a
// message whose length is known), in reads of random sizes: every message
// arrives intact; one longer than a segment arrives in one segment unless
// its start had to be linked (more than half of the larger segment
// buffered), which happens to few; the reader takes segments of the
// larger size while such messages come, and of BufferSize again soon
// after (wideSegments of them read without one).
func TestReaderWideSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var in []byte
	var lens []int
	for i := range 3000 {
		n := 1 + rng.IntN(2000)
		if i < 1500 && rng.IntN(4) == 0 {
			n = 4096 + rng.IntN(30_000)
		}
		lens = append(lens, n)
		in = binary.BigEndian.AppendUint32(in, uint32(n))
		for j := range n {
			in = append(in, byte(i+j))
		}
	}
	var pool countingPool
	src := &randomChunks{data: in, rng: rand.New(rand.NewPCG(7, 8)), max: 5000}
	r := NewReader(src, ReaderOptions{Pool: &pool})
	ctx := context.Background()
	res, err := r.Read(ctx)
	// Offsets in the stream: of the last long message, of the last
	// message read with segments larger than 4 KiB; the largest size.
	large, split, off, last, wide, widest := 0, 0, 0, 0, 0, 0
	for i, n := range lens {
		if sz := r.(*streamReader).segSize; sz > 4096 {
			wide, widest = off, max(widest, sz)
		}
		off += 4 + n
		for res.Buffer.Len() < 4+n {
			if err != nil || res.Completed {
				t.Fatalf("message %d: %v, %d bytes left", i, err, res.Buffer.Len())
			}
			need := 4 + n
			if res.Buffer.Len() < 4 {
				need = 0
			}
			r.AdvanceTo(res.Buffer.Start(), res.Buffer.End())
			if need > 0 {
				res, err = r.ReadAtLeast(ctx, need)
			} else {
				res, err = r.Read(ctx)
			}
		}
		var h [4]byte
		res.Buffer.Slice(0, 4).CopyTo(h[:])
		if int(binary.BigEndian.Uint32(h[:])) != n {
			t.Fatalf("message %d: length %d, want %d", i, binary.BigEndian.Uint32(h[:]), n)
		}
		msg := res.Buffer.Slice(4, 4+n)
		for j, b := range msg.AppendTo(nil) {
			if b != byte(i+j) {
				t.Fatalf("message %d: byte %d is %d", i, j, b)
			}
		}
		if n > 4096 {
			large, last = large+1, off
			if !msg.IsSingleSegment() {
				split++
			}
		}
		rest := res.Buffer.Slice(4+n, res.Buffer.Len())
		if rest.Len() == 0 && i < len(lens)-1 {
			r.AdvanceTo(rest.Start(), rest.End())
			res, err = r.Read(ctx)
			continue
		}
		res.Buffer = rest
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
	pool.check(t)
	if split*5 > large {
		t.Errorf("%d of %d long messages in more than one segment", split, large)
	}
	// The second half has no long message: the reader went back to
	// segments of 4 KiB once it had read wideSegments segments (and the
	// one being read) after the last.
	if wide < last || wide > last+(wideSegments+1)*widest || r.(*streamReader).segSize != 4096 {
		t.Errorf("segments of up to %d bytes taken up to offset %d, the last long message at %d; %d bytes at the end",
			widest, wide, last, r.(*streamReader).segSize)
	}
}
