package pipe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// feed writes data into w in random pieces from a new goroutine, then
// completes w with end. The returned function waits for it.
func feed(t *testing.T, w Writer, data []byte, end error) (wait func()) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Go(func() {
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+rand.IntN(5000))
			if _, err := w.Write(context.Background(), rest[:n]); err != nil {
				t.Error(err)
				break
			}
			rest = rest[n:]
		}
		w.Complete(end)
	})
	return wg.Wait
}

func TestAsReaderIotest(t *testing.T) {
	content := randomBytes(20_000, 10)
	t.Run("FromBytes", func(t *testing.T) {
		if err := iotest.TestReader(AsReader(FromBytes(content)), content); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NewReader", func(t *testing.T) {
		r := AsReader(NewReader(&chunkReader{data: content, k: 7}, ReaderOptions{}))
		if err := iotest.TestReader(r, content); err != nil {
			t.Fatal(err)
		}
		r.Close()
	})
	t.Run("Pipe", func(t *testing.T) {
		p := New(Options{PauseThreshold: 1024})
		wait := feed(t, p.Writer(), content, nil)
		r := AsReader(p.Reader())
		if err := iotest.TestReader(r, content); err != nil {
			t.Fatal(err)
		}
		wait()
		r.Close()
	})
}

// chunkChecker is a writer that records whether every slice it was given
// had no spare capacity, the mark of a chunk handed out by a Sequence rather
// than of io.Copy's own buffer.
type chunkChecker struct {
	bytes.Buffer
	writes      int
	foreignBufs int
}

func (c *chunkChecker) Write(p []byte) (int, error) {
	c.writes++
	if cap(p) != len(p) {
		c.foreignBufs++
	}
	return c.Buffer.Write(p)
}

func TestAsReaderWriterTo(t *testing.T) {
	data := randomBytes(1<<20, 11)
	p := New(Options{})
	wait := feed(t, p.Writer(), data, nil)
	r := AsReader(p.Reader())
	if _, ok := r.(io.WriterTo); !ok {
		t.Fatal("AsReader does not implement io.WriterTo")
	}
	var dst chunkChecker
	n, err := io.Copy(&dst, r)
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatalf("io.Copy: %d, %v", n, err)
	}
	if dst.foreignBufs != 0 {
		t.Errorf("%d of %d writes came from a copy buffer, not from the pipe", dst.foreignBufs, dst.writes)
	}
	wait()
	// Drained: more reads say EOF.
	if n, err := io.Copy(io.Discard, r); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	if _, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Fatal(err)
	}
	r.Close()
}

func TestAsReaderWriterError(t *testing.T) {
	boom := errors.New("boom")
	for _, name := range []string{"Read", "WriteTo"} {
		t.Run(name, func(t *testing.T) {
			p := New(Options{})
			p.Writer().Write(context.Background(), []byte("partial"))
			p.Writer().Complete(boom)
			r := AsReader(p.Reader())
			var got []byte
			var err error
			if name == "Read" {
				got, err = io.ReadAll(iotest.OneByteReader(r))
			} else {
				var b bytes.Buffer
				_, err = r.(io.WriterTo).WriteTo(&b)
				got = b.Bytes()
			}
			if err != boom || string(got) != "partial" {
				t.Fatalf("%q, %v", got, err)
			}
			// The error stays, the bytes are not repeated.
			if n, err := r.Read(make([]byte, 10)); n != 0 || err != boom {
				t.Fatal(n, err)
			}
			r.Close()
		})
	}
}

func TestAsReaderCanceled(t *testing.T) {
	p := New(Options{})
	r := AsReader(p.Reader())
	p.Reader().CancelPendingRead()
	if _, err := r.Read(make([]byte, 10)); err != ErrCanceled {
		t.Fatal(err)
	}
	p.Writer().Write(context.Background(), []byte("abc"))
	p.Reader().CancelPendingRead()
	if _, err := r.(io.WriterTo).WriteTo(io.Discard); err != ErrCanceled {
		t.Fatal(err)
	}
	p.Writer().Complete(nil)
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "abc" {
		t.Fatalf("%q %v", got, err)
	}
	if !strings.HasPrefix(ErrCanceled.Error(), "pipe: ") {
		t.Error(ErrCanceled)
	}
}

func TestAsReaderClose(t *testing.T) {
	p := New(Options{})
	r := AsReader(p.Reader())
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if res, _ := p.Writer().Write(context.Background(), []byte("x")); !res.Completed {
		t.Error("the writer did not see the reader complete")
	}
	if _, err := r.Read(make([]byte, 1)); err != ErrReaderCompleted {
		t.Fatal(err)
	}

	// Over NewReader, Close closes the source and reports its error.
	closeErr := errors.New("close failed")
	src := &closeErrReader{Reader: strings.NewReader("x"), err: closeErr}
	r = AsReader(NewReader(src, ReaderOptions{}))
	if err := r.Close(); err != closeErr {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

type closeErrReader struct {
	io.Reader
	err error
}

func (c *closeErrReader) Close() error { return c.err }

// sizeRecorder is a plain io.Reader (no WriterTo) that records the size of
// every buffer it is asked to fill.
type sizeRecorder struct {
	r     io.Reader
	sizes []int
}

func (s *sizeRecorder) Read(p []byte) (int, error) {
	s.sizes = append(s.sizes, len(p))
	return s.r.Read(p)
}

func TestAsWriterReaderFrom(t *testing.T) {
	data := randomBytes(1<<20, 12)
	p := New(Options{PauseThreshold: 8 << 10, ResumeThreshold: 4 << 10})
	var got []byte
	var wg sync.WaitGroup
	maxLen := 0
	wg.Go(func() {
		r := p.Reader()
		for {
			res, err := r.Read(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			maxLen = max(maxLen, p.Len())
			got = res.Buffer.AppendTo(got)
			r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			if res.Completed {
				r.Complete(nil)
				return
			}
		}
	})
	w := AsWriter(p.Writer())
	if _, ok := w.(io.ReaderFrom); !ok {
		t.Fatal("AsWriter does not implement io.ReaderFrom")
	}
	src := &sizeRecorder{r: bytes.NewReader(data)}
	n, err := io.Copy(w, src)
	if err != nil || n != int64(len(data)) {
		t.Fatal(n, err)
	}
	w.Close()
	wg.Wait()
	if !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	for _, s := range src.sizes {
		if s == 32<<10 {
			t.Fatal("io.Copy used its own buffer, not ReadFrom")
		}
	}
	// Backpressure: at most one read beyond the pause threshold.
	if maxLen > 8<<10+DefaultSegmentSize {
		t.Errorf("the pipe held %d bytes", maxLen)
	}
}

func TestAsWriterReaderGone(t *testing.T) {
	p := New(Options{})
	w := AsWriter(p.Writer())
	if n, err := w.Write([]byte("abc")); n != 3 || err != nil {
		t.Fatal(n, err)
	}
	p.Reader().Complete(nil)
	if n, err := w.Write([]byte("def")); n != 0 || err != io.ErrClosedPipe {
		t.Fatal(n, err)
	}
	if _, err := w.(io.ReaderFrom).ReadFrom(strings.NewReader("ghi")); err != io.ErrClosedPipe {
		t.Fatal(err)
	}

	boom := errors.New("reader failed")
	p = New(Options{})
	w = AsWriter(p.Writer())
	p.Reader().Complete(boom)
	if _, err := w.Write([]byte("x")); err != boom {
		t.Fatal(err)
	}
}

func TestAsWriterCanceled(t *testing.T) {
	p := New(Options{})
	w := AsWriter(p.Writer())
	p.Writer().CancelPendingFlush()
	if n, err := w.Write([]byte("abc")); n != 3 || err != ErrCanceled {
		t.Fatal(n, err)
	}
	// The bytes are in the pipe.
	w.Close()
	got, err := io.ReadAll(AsReader(p.Reader()))
	if err != nil || string(got) != "abc" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestAsWriterClose(t *testing.T) {
	p := New(Options{})
	w := AsWriter(p.Writer())
	w.Write([]byte("abc"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := p.Reader().Read(context.Background())
	if err != nil || !res.Completed || res.Buffer.String() != "abc" {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := w.Write([]byte("x")); err != ErrWriterCompleted {
		t.Fatal(err)
	}

	// Over NewWriter, Close flushes and reports the destination's error.
	boom := errors.New("disk full")
	dst := &recWriter{err: boom}
	w = AsWriter(NewWriter(dst, WriterOptions{}))
	b := w.(*ioWriter).w.Buffer(3)
	copy(b, "abc")
	w.(*ioWriter).w.Advance(3)
	if err := w.Close(); err != boom || dst.closed != 1 {
		t.Fatal(err, dst.closed)
	}
}

// TestIoCopyBothWays copies a source through NewReader and AsReader, then
// io.Copy, then AsWriter and NewWriter, into a destination.
func TestIoCopyBothWays(t *testing.T) {
	data := randomBytes(300_000, 13)
	for _, k := range []int{1, 7, 4096} {
		src := &chunkReader{data: data, k: k}
		dst := &recWriter{}
		r := AsReader(NewReader(src, ReaderOptions{}))
		w := AsWriter(NewWriter(dst, WriterOptions{}))
		n, err := io.Copy(w, r)
		if err != nil || n != int64(len(data)) {
			t.Fatal(n, err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dst.buf.Bytes(), data) || src.closed != 1 || dst.closed != 1 {
			t.Fatalf("k=%d: content differs or not closed (%d, %d)", k, src.closed, dst.closed)
		}
	}
}

func TestCopyTo(t *testing.T) {
	data := randomBytes(200_000, 14)
	p := New(Options{PauseThreshold: 4096})
	wait := feed(t, p.Writer(), data, nil)
	var dst bytes.Buffer
	n, err := CopyTo(context.Background(), p.Reader(), &dst)
	wait()
	if err != nil || n != int64(len(data)) || !bytes.Equal(dst.Bytes(), data) {
		t.Fatal(n, err)
	}
	// CopyTo did not complete the reader.
	res, err := p.Reader().Read(context.Background())
	if err != nil || !res.Completed || !res.Buffer.IsEmpty() {
		t.Fatalf("%+v %v", res, err)
	}
	p.Reader().AdvanceTo(res.Buffer.End(), res.Buffer.End())
	p.Reader().Complete(nil)
}

func TestCopyToDestinationError(t *testing.T) {
	p := New(Options{})
	p.Writer().Write(context.Background(), []byte("hello world"))
	p.Writer().Complete(nil)
	boom := errors.New("boom")
	dst := writerFunc(func(b []byte) (int, error) { return 3, boom })
	n, err := CopyTo(context.Background(), p.Reader(), dst)
	if n != 3 || err != boom {
		t.Fatal(n, err)
	}
	// The bytes dst did not take are still in the pipe.
	res, _ := p.Reader().Read(context.Background())
	if res.Buffer.String() != "lo world" {
		t.Fatalf("%q", res.Buffer.String())
	}
	p.Reader().AdvanceTo(res.Buffer.End(), res.Buffer.End())

	// Short writes are errors.
	p = New(Options{})
	p.Writer().Write(context.Background(), []byte("hello"))
	if _, err := CopyTo(context.Background(), p.Reader(), &recWriter{short: true}); err != io.ErrShortWrite {
		t.Fatal(err)
	}
}

func TestCopyToContext(t *testing.T) {
	p := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CopyTo(ctx, p.Reader(), io.Discard); err != context.Canceled {
		t.Fatal(err)
	}
	// Over a reader that cannot be interrupted, ctx is checked between
	// reads.
	r := NewReader(&endless{pattern: []byte("x"), k: 10}, ReaderOptions{})
	ctx, cancel = context.WithCancel(context.Background())
	count := 0
	dst := writerFunc(func(b []byte) (int, error) {
		if count += len(b); count > 1000 {
			cancel()
		}
		return len(b), nil
	})
	if _, err := CopyTo(ctx, r, dst); err != context.Canceled {
		t.Fatal(err)
	}
}

func TestCopyFrom(t *testing.T) {
	data := randomBytes(200_000, 15)
	p := New(Options{PauseThreshold: 4096})
	var got []byte
	var wg sync.WaitGroup
	wg.Go(func() {
		var b bytes.Buffer
		CopyTo(context.Background(), p.Reader(), &b)
		got = b.Bytes()
	})
	n, err := CopyFrom(context.Background(), p.Writer(), &chunkReader{data: data, k: 1000})
	if err != nil || n != int64(len(data)) {
		t.Fatal(n, err)
	}
	// CopyFrom did not complete the writer.
	if _, err := p.Writer().Write(context.Background(), []byte("tail")); err != nil {
		t.Fatal(err)
	}
	p.Writer().Complete(nil)
	wg.Wait()
	if !bytes.Equal(got, append(data, "tail"...)) {
		t.Fatal("content differs")
	}
}

func TestCopyFromErrors(t *testing.T) {
	boom := errors.New("boom")
	p := New(Options{})
	n, err := CopyFrom(context.Background(), p.Writer(), &chunkReader{data: []byte("abc"), k: 2, err: boom})
	if n != 3 || err != boom {
		t.Fatal(n, err)
	}
	if p.Len() != 3 {
		t.Fatalf("%d bytes flushed, want 3", p.Len())
	}

	calls := 0
	_, err = CopyFrom(context.Background(), p.Writer(), funcReader(func([]byte) (int, error) { calls++; return 0, nil }))
	if err != io.ErrNoProgress || calls != 100 {
		t.Fatal(err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CopyFrom(ctx, p.Writer(), strings.NewReader("x")); err != context.Canceled {
		t.Fatal(err)
	}

	p.Reader().Complete(nil)
	if _, err := CopyFrom(context.Background(), p.Writer(), strings.NewReader("x")); err != io.ErrClosedPipe {
		t.Fatal(err)
	}
	p.Writer().CancelPendingFlush()
	p = New(Options{})
	p.Writer().CancelPendingFlush()
	if n, err := CopyFrom(context.Background(), p.Writer(), strings.NewReader("xyz")); n != 3 || err != ErrCanceled {
		t.Fatal(n, err)
	}
}
