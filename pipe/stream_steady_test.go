package pipe

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// steadyReader returns a reader over a source that answers with next after
// one read of "warm" that the test consumed wholly: the state in which Read
// and AdvanceTo take their short paths (everything examined, the buffer in
// the last segment, nothing sticky).
func steadyReader(t *testing.T, next func(r Reader, p []byte) (int, error)) Reader {
	t.Helper()
	var r Reader
	first := true
	r = NewReader(funcReader(func(p []byte) (int, error) {
		if first {
			first = false
			return copy(p, "warm"), nil
		}
		return next(r, p)
	}), ReaderOptions{})
	res, err := r.Read(context.Background())
	if err != nil || string(res.Buffer.First()) != "warm" {
		t.Fatalf("warm-up read: %q %v", res.Buffer.First(), err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	return r
}

// TestReaderSteadyEmptyReads checks that empty reads are counted exactly
// when the first of them is the steady-state read: 99 in a row are retried,
// the 100th fails the read with io.ErrNoProgress.
func TestReaderSteadyEmptyReads(t *testing.T) {
	calls := 0
	r := steadyReader(t, func(_ Reader, p []byte) (int, error) {
		calls++
		if calls == 100 {
			return copy(p, "x"), nil
		}
		return 0, nil
	})
	res, err := r.Read(context.Background())
	if err != nil || string(res.Buffer.First()) != "x" || calls != 100 {
		t.Fatalf("%q %v after %d calls, want \"x\" after 100", res.Buffer.First(), err, calls)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	calls = 0
	r = steadyReader(t, func(Reader, []byte) (int, error) { calls++; return 0, nil })
	if _, err := r.Read(context.Background()); err != io.ErrNoProgress || calls != 100 {
		t.Fatalf("%v after %d calls, want io.ErrNoProgress after 100", err, calls)
	}
}

// TestReaderSteadySourceOutcomes checks every outcome of a steady-state
// source read other than plain bytes: each must give what the first read
// of a reader gives.
func TestReaderSteadySourceOutcomes(t *testing.T) {
	errBoom := errors.New("boom")
	for _, tc := range []struct {
		name      string
		next      func(r Reader, p []byte) (int, error)
		want      string
		err       error
		completed bool
		canceled  bool
	}{
		{"error with data", func(_ Reader, p []byte) (int, error) { return copy(p, "ab"), errBoom }, "ab", errBoom, true, false},
		{"error", func(Reader, []byte) (int, error) { return 0, errBoom }, "", errBoom, true, false},
		{"EOF with data", func(_ Reader, p []byte) (int, error) { return copy(p, "ab"), io.EOF }, "ab", nil, true, false},
		{"EOF", func(Reader, []byte) (int, error) { return 0, io.EOF }, "", nil, true, false},
		{"canceled while reading", func(r Reader, p []byte) (int, error) {
			r.CancelPendingRead()
			return copy(p, "ab"), nil
		}, "ab", nil, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := steadyReader(t, tc.next)
			defer r.Complete(nil)
			res, err := r.Read(context.Background())
			if err != tc.err || string(res.Buffer.First()) != tc.want || res.Completed != tc.completed || res.Canceled != tc.canceled {
				t.Fatalf("got %q %v completed=%v canceled=%v, want %q %v completed=%v canceled=%v",
					res.Buffer.First(), err, res.Completed, res.Canceled, tc.want, tc.err, tc.completed, tc.canceled)
			}
		})
	}
}

// TestReaderSteadyChecks checks that the steady state skips none of the
// documented checks: a done ctx stops the read before the source is read,
// a count larger than the buffer panics, a view or position from an
// earlier read is stale once that read was wholly consumed, and consuming
// everything does not excuse an examined position before the consumed one.
func TestReaderSteadyChecks(t *testing.T) {
	t.Run("ctx done", func(t *testing.T) {
		calls := 0
		r := steadyReader(t, func(Reader, []byte) (int, error) { calls++; return 1, nil })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := r.Read(ctx); err != context.Canceled || calls != 0 {
			t.Fatalf("%v after %d source calls, want context.Canceled after none", err, calls)
		}
	})
	t.Run("invalid count", func(t *testing.T) {
		r := steadyReader(t, func(_ Reader, p []byte) (int, error) { return len(p) + 1, nil })
		testutil.MustPanic(t, "returned count", func() { r.Read(context.Background()) })
	})
	t.Run("stale", func(t *testing.T) {
		r := steadyReader(t, func(_ Reader, p []byte) (int, error) { return copy(p, "abcd"), nil })
		old, err := r.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		oldEnd := old.Buffer.End()
		r.AdvanceTo(oldEnd, oldEnd)
		testutil.MustPanic(t, "", func() { old.Buffer.Len() })
		res, err := r.Read(context.Background())
		if err != nil || string(res.Buffer.First()) != "abcd" {
			t.Fatalf("%q %v", res.Buffer.First(), err)
		}
		// oldEnd names the same segment and offset as the new end, but
		// an earlier generation: it must not pass for the new end.
		if oldEnd.Segment() != res.Buffer.End().Segment() || oldEnd.Offset() != res.Buffer.End().Offset() {
			t.Fatalf("the old end %v and the new %v differ in more than generation", oldEnd, res.Buffer.End())
		}
		testutil.MustPanic(t, "", func() { r.AdvanceTo(oldEnd, oldEnd) })
	})
	t.Run("examined before consumed", func(t *testing.T) {
		r := steadyReader(t, func(_ Reader, p []byte) (int, error) { return copy(p, "abcd"), nil })
		res, err := r.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		testutil.MustPanic(t, "before consumed", func() { r.AdvanceTo(res.Buffer.End(), res.Buffer.Start()) })
	})
}

// TestReaderSteadyAdvance checks the AdvanceTo forms that consume the whole
// buffer: a zero examined means consumed, and an examined end with an
// earlier consumed keeps the rest for the next read.
func TestReaderSteadyAdvance(t *testing.T) {
	src := strings.Repeat("abcd", 4)
	r := NewReader(iotestOneByteAtATime(src), ReaderOptions{})
	defer r.Complete(nil)
	ctx := context.Background()
	res, err := r.Read(ctx)
	if err != nil || string(res.Buffer.First()) != "a" {
		t.Fatalf("%q %v", res.Buffer.First(), err)
	}
	r.AdvanceTo(res.Buffer.End(), seq.Position{}) // zero examined: all consumed and examined
	res, err = r.Read(ctx)
	if err != nil || string(res.Buffer.First()) != "b" {
		t.Fatalf("after AdvanceTo(end, zero): %q %v", res.Buffer.First(), err)
	}
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.End()) // nothing consumed, all examined
	res, err = r.Read(ctx)
	if err != nil || string(res.Buffer.First()) != "bc" {
		t.Fatalf("after AdvanceTo(start, end): %q %v", res.Buffer.First(), err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	res, err = r.Read(ctx)
	if err != nil || string(res.Buffer.First()) != "d" {
		t.Fatalf("after AdvanceTo(end, end): %q %v", res.Buffer.First(), err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
}

// iotestOneByteAtATime returns a source that returns s one byte a read,
// then io.EOF.
func iotestOneByteAtATime(s string) io.Reader {
	return funcReader(func(p []byte) (int, error) {
		if s == "" {
			return 0, io.EOF
		}
		n := copy(p[:1], s)
		s = s[n:]
		return n, nil
	})
}

// keptPool is a Pool that remembers the segments put back to it and never
// hands them out again, so that a test can look at them afterwards.
type keptPool struct{ put []*seq.Segment }

func (p *keptPool) Get(size int) *seq.Segment { return seq.NewSegment(make([]byte, 0, size)) }
func (p *keptPool) Put(s *seq.Segment)        { p.put = append(p.put, s) }

// TestReaderSteadySourceCompletes checks that a source that completes its
// reader from inside Read cannot make the steady-state read commit bytes
// into a segment the reader has already given back to the pool, nor
// commit into the segment it no longer has: the read fails with
// ErrReaderCompleted instead, as AdvanceAndRead's does, and so does every
// later one.
func TestReaderSteadySourceCompletes(t *testing.T) {
	pool := &keptPool{}
	var r Reader
	first := true
	r = NewReader(funcReader(func(p []byte) (int, error) {
		if first {
			first = false
			return copy(p, "warm"), nil
		}
		r.Complete(nil)
		return copy(p, "late"), nil
	}), ReaderOptions{Pool: pool})
	res, err := r.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	if _, err := r.Read(context.Background()); err != ErrReaderCompleted {
		t.Errorf("the read during which the source completed the reader: %v, want ErrReaderCompleted", err)
	}
	if len(pool.put) == 0 {
		t.Fatal("Complete gave no segment back")
	}
	for _, s := range pool.put {
		if s.Len() != 0 {
			t.Errorf("a segment given back to the pool has %d bytes committed after Complete", s.Len())
		}
	}
	if _, err := r.Read(context.Background()); err != ErrReaderCompleted {
		t.Errorf("read after Complete: %v, want ErrReaderCompleted", err)
	}
}

// TestReaderSteadyAfterUneven checks the way back to the short paths:
// after a buffer that spans segments, or bytes left unexamined, Read and
// AdvanceTo must take their general paths until the buffer is again all
// examined in one segment, and then the short ones, always returning the
// unconsumed bytes in order. Small segments make every few reads link a
// new one; the consumed and examined points are drawn at random.
func TestReaderSteadyAfterUneven(t *testing.T) {
	const size = 1 << 12
	src := make([]byte, size)
	for i := range src {
		src[i] = byte(i*7 + i/251)
	}
	for seed := range uint64(20) {
		rnd := rand.New(rand.NewPCG(seed, 1))
		rest, calls := src, 0
		r := NewReader(funcReader(func(p []byte) (int, error) {
			calls++
			if len(rest) == 0 {
				return 0, io.EOF
			}
			n := copy(p[:min(len(p), 1+rnd.IntN(11))], rest)
			rest = rest[n:]
			return n, nil
		}), ReaderOptions{BufferSize: 16, MinReadSize: 4, Pool: &keptPool{}})
		ctx := context.Background()
		done, exam, buffered := 0, 0, 0 // bytes consumed, examined, read so far
		for {
			before := calls
			res, err := r.Read(ctx)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if exam < buffered && calls != before {
				t.Fatalf("seed %d: a read with bytes %d to %d unexamined read the source", seed, exam, buffered)
			}
			got := res.Buffer.Bytes()
			buffered = done + len(got)
			if want := src[done : done+len(got)]; string(got) != string(want) {
				t.Fatalf("seed %d at %d: buffer %x, want %x", seed, done, got, want)
			}
			if res.Completed && len(got) == 0 {
				break
			}
			c := rnd.IntN(len(got) + 1)
			e := max(c+rnd.IntN(len(got)-c+1), exam-done) // never backwards
			if rnd.IntN(3) == 0 || res.Completed {
				c, e = len(got), len(got) // the steady case
			}
			r.AdvanceTo(res.Buffer.Slice(c, c).Start(), res.Buffer.Slice(e, e).Start())
			done, exam = done+c, done+e
		}
		if done != size {
			t.Fatalf("seed %d: consumed %d bytes of %d", seed, done, size)
		}
		r.Complete(nil)
	}
}

// TestReaderUncancelableContext checks which contexts Read's short path
// takes for ones that cannot end (context.Background and TODO only: asking
// another whether its Done is nil could allocate), and that a context that
// can end is still checked at every read after those.
func TestReaderUncancelableContext(t *testing.T) {
	type key struct{}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"Background", context.Background(), true},
		{"TODO", context.TODO(), true},
		{"WithValue", context.WithValue(context.Background(), key{}, 1), false},
		{"WithoutCancel", context.WithoutCancel(canceled), false},
		{"canceled", canceled, false},
	} {
		if got := uncancelable(tc.ctx); got != tc.want {
			t.Errorf("uncancelable(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
	r := NewReader(funcReader(func(p []byte) (int, error) { return copy(p, "line\n"), nil }), ReaderOptions{})
	defer r.Complete(nil)
	for i, ctx := range []context.Context{context.Background(), context.TODO(), context.Background()} {
		res, err := r.Read(ctx)
		if err != nil || res.Buffer.Len() != 5 {
			t.Fatalf("read %d: %d bytes, %v", i, res.Buffer.Len(), err)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	}
	if _, err := r.Read(canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("steady-state read with a canceled context: %v, want context.Canceled", err)
	}
	if res, err := r.Read(context.Background()); err != nil || res.Buffer.Len() != 5 {
		t.Fatalf("read after the canceled one: %d bytes, %v", res.Buffer.Len(), err)
	}
}
