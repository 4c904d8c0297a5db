package pipe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// advanceCase makes two readers over the same content, one driven with
// AdvanceTo and Read, the other with AdvanceAndRead.
type advanceCase struct {
	name string
	make func() Reader
}

var errAdvanceSource = errors.New("source failed")

// advanceCases returns readers of every kind over data: stream readers
// over sources of several paces and segment sizes (ending in io.EOF or an
// error), pipes written whole before the reads (completed with or without
// an error), and fixed readers over every segmentation.
func advanceCases(data []byte) []advanceCase {
	var cases []advanceCase
	for _, k := range []int{1, 7, 100, 4096} {
		for _, opts := range []ReaderOptions{{}, {BufferSize: 16, MinReadSize: 4}, {BufferSize: 64, MinReadSize: 64}} {
			for _, srcErr := range []error{nil, errAdvanceSource} {
				for _, poison := range []bool{true, false} {
					cases = append(cases, advanceCase{
						name: fmt.Sprintf("stream/k=%d/%d-%d/err=%v/poison=%v", k, opts.BufferSize, opts.MinReadSize, srcErr != nil, poison),
						make: func() Reader {
							opts := opts
							opts.Pool = &countingPool{}
							r := NewReader(&chunkReader{data: data, k: k, err: srcErr}, opts)
							// Tests poison recycled memory by default;
							// programs do not: both settings run.
							r.(*streamReader).poison = poison
							return r
						},
					})
				}
			}
		}
		for _, werr := range []error{nil, errAdvanceSource} {
			cases = append(cases, advanceCase{
				name: fmt.Sprintf("pipe/k=%d/err=%v", k, werr != nil),
				make: func() Reader {
					p := New(Options{PauseThreshold: -1, SegmentSize: 16})
					w := p.Writer()
					for rest := data; len(rest) > 0; {
						n := min(k, len(rest))
						if _, err := w.Write(context.Background(), rest[:n]); err != nil {
							panic(err)
						}
						rest = rest[n:]
					}
					w.Complete(werr)
					return p.Reader()
				},
			})
		}
	}
	for _, c := range segtest.Segmentations(data) {
		cases = append(cases, advanceCase{name: "fixed/" + c.Name, make: func() Reader { return FromSequence(c.Seq) }})
	}
	return cases
}

// TestAdvanceAndReadIsAdvanceToThenRead drives two readers of each kind
// over the same bytes with the same consumed and examined points, drawn at
// random (a third of the time all of the buffer, the steady case): one
// with AdvanceTo and Read, the other with AdvanceAndRead. Every result
// and error must be the same.
func TestAdvanceAndReadIsAdvanceToThenRead(t *testing.T) {
	data := randomBytes(3000, 7)
	for _, tc := range advanceCases(data) {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(4) {
				compareAdvanceAndRead(t, tc.make(), tc.make(), data, seed)
			}
		})
	}
}

func compareAdvanceAndRead(t *testing.T, pair, comb Reader, data []byte, seed uint64) {
	t.Helper()
	defer pair.Complete(nil)
	defer comb.Complete(nil)
	rnd := rand.New(rand.NewPCG(seed, 3))
	ctx := context.Background()
	a, aerr := pair.Read(ctx)
	b, berr := comb.Read(ctx)
	done, exam := 0, 0 // bytes consumed, examined
	for step := 0; ; step++ {
		if step > 100_000 {
			t.Fatalf("seed %d: no end", seed)
		}
		if aerr != berr || a.Completed != b.Completed || a.Canceled != b.Canceled {
			t.Fatalf("seed %d step %d: AdvanceTo+Read gave (completed %v, canceled %v, %v), AdvanceAndRead (completed %v, canceled %v, %v)",
				seed, step, a.Completed, a.Canceled, aerr, b.Completed, b.Canceled, berr)
		}
		got, want := b.Buffer.Bytes(), a.Buffer.Bytes()
		if !bytes.Equal(got, want) || !bytes.Equal(want, data[done:done+len(want)]) {
			t.Fatalf("seed %d step %d at %d: AdvanceAndRead's buffer %x, AdvanceTo+Read's %x", seed, step, done, got, want)
		}
		if aerr != nil {
			if !errors.Is(aerr, errAdvanceSource) || done+len(got) != len(data) {
				t.Fatalf("seed %d: error %v after %d+%d bytes", seed, aerr, done, len(got))
			}
			return
		}
		n := len(got)
		if a.Completed && n == 0 {
			if done != len(data) {
				t.Fatalf("seed %d: ended after %d bytes of %d", seed, done, len(data))
			}
			return
		}
		c := rnd.IntN(n + 1)
		e := max(c+rnd.IntN(n-c+1), exam-done) // never backwards
		if rnd.IntN(3) == 0 || a.Completed {
			c, e = n, n
		}
		pair.AdvanceTo(a.Buffer.PosAt(c), a.Buffer.PosAt(e))
		a, aerr = pair.Read(ctx)
		cp, ep := b.Buffer.PosAt(c), b.Buffer.PosAt(e)
		if c == n && e == n && rnd.IntN(2) == 0 {
			cp, ep = b.Buffer.End(), seq.Position{} // the zero examined means consumed
		}
		b, berr = comb.(AdvanceReader).AdvanceAndRead(ctx, cp, ep)
		done, exam = done+c, done+e
	}
}

// TestAdvanceAndReadFunction checks the package function on a reader that
// is not an AdvanceReader (AdvanceTo, then Read) and on one that is.
func TestAdvanceAndReadFunction(t *testing.T) {
	type plain struct{ Reader } // hides AdvanceAndRead
	data := []byte("0123456789")
	for _, r := range []Reader{plain{FromBytes(data)}, FromBytes(data)} {
		_, isAdv := r.(AdvanceReader)
		ctx := context.Background()
		res, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err = AdvanceAndRead(ctx, r, res.Buffer.PosAt(4), res.Buffer.PosAt(4))
		if err != nil || res.Buffer.String() != "456789" || !res.Completed {
			t.Fatalf("AdvanceReader %v: %q %v", isAdv, res.Buffer.String(), err)
		}
		testutil.MustPanic(t, "examined position 5 before consumed position 7", func() {
			_, _ = AdvanceAndRead(ctx, r, res.Buffer.PosAt(3), res.Buffer.PosAt(1))
		})
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		r.Complete(nil)
	}
}

// TestAdvanceAndReadMisuse checks that AdvanceAndRead refuses what AdvanceTo
// refuses, with its messages, on every kind of reader, its short path
// included: no result pending, a completed reader, a stale position, a
// position from an older read, examined before consumed.
func TestAdvanceAndReadMisuse(t *testing.T) {
	ctx := context.Background()
	kinds := map[string]func() AdvanceReader{
		"stream": func() AdvanceReader {
			return NewReader(funcReader(func(p []byte) (int, error) { return copy(p, "0123456789"), nil }), ReaderOptions{}).(AdvanceReader)
		},
		"pipe": func() AdvanceReader {
			p := New(Options{})
			ptWrite(p.Writer(), []byte("0123456789"))
			p.Writer().Flush(ctx)
			return p.Reader().(AdvanceReader)
		},
		"fixed": func() AdvanceReader { return FromBytes([]byte("0123456789")).(AdvanceReader) },
	}
	for name, mk := range kinds {
		t.Run(name, func(t *testing.T) {
			r := mk()
			res, err := r.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			end := res.Buffer.End()
			testutil.MustPanic(t, "examined position 2 before consumed position 5", func() {
				_, _ = r.AdvanceAndRead(ctx, res.Buffer.PosAt(5), res.Buffer.PosAt(2))
			})
			testutil.MustPanic(t, "examined position 4 before consumed position 10", func() {
				_, _ = r.AdvanceAndRead(ctx, end, res.Buffer.PosAt(4))
			})
			old := res.Buffer.PosAt(2)
			r.AdvanceTo(res.Buffer.PosAt(5), res.Buffer.PosAt(5))
			testutil.MustPanic(t, "without a pending read result", func() {
				_, _ = r.AdvanceAndRead(ctx, end, end)
			})
			res, err = r.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			testutil.MustPanic(t, "consumed position 2 lies before the start of the buffer 5", func() {
				_, _ = r.AdvanceAndRead(ctx, old, res.Buffer.End())
			})
			r.Complete(nil)
			testutil.MustPanic(t, "after the reader completed", func() {
				_, _ = r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
			})
		})
	}
	// A stale position on the stream reader's short path: the end of a
	// buffer two reads old lies at the same offset of the same segment,
	// which was emptied in between.
	r := NewReader(funcReader(func(p []byte) (int, error) { return copy(p, "abcd"), nil }), ReaderOptions{}).(AdvanceReader)
	defer r.Complete(nil)
	res, _ := r.Read(ctx)
	stale := res.Buffer.End()
	if res, _ = r.AdvanceAndRead(ctx, stale, stale); res.Buffer.String() != "abcd" {
		t.Fatalf("buffer %q", res.Buffer.String())
	}
	if stale.Segment() != res.Buffer.End().Segment() || stale.Offset() != res.Buffer.End().Offset() {
		t.Fatal("test setup: the reader did not read into the same segment again")
	}
	testutil.MustPanic(t, "segment was recycled", func() { _, _ = r.AdvanceAndRead(ctx, stale, stale) })
	if res, err := r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End()); err != nil || res.Buffer.String() != "abcd" {
		t.Fatalf("after the misuse: %q %v", res.Buffer.String(), err)
	}
}

// TestAdvanceAndReadSteady checks the stream reader's short path where it
// meets its edges: a cancel before the call (no source read) and during
// the source read (the bytes are kept), a canceled context, empty source
// reads, a source that fails or ends, and a source that completes the
// reader from inside its Read. Each case starts from the steady state and
// reads once before the AdvanceAndRead under test, whose source read is
// the source's second.
func TestAdvanceAndReadSteady(t *testing.T) {
	// Tests poison recycled memory by default and programs do not, so
	// the short path runs with both settings.
	for _, poison := range []bool{true, false} {
		t.Run(fmt.Sprint("poison=", poison), func(t *testing.T) { testAdvanceAndReadSteady(t, poison) })
	}
}

func testAdvanceAndReadSteady(t *testing.T, poison bool) {
	ctx := context.Background()
	// steady returns a reader in the steady state whose source gives "x"
	// to its first read and then answers with second, and the result of
	// that first read, pending.
	steady := func(second func(r Reader, p []byte) (int, error)) (AdvanceReader, Result) {
		first := true
		r := steadyReader(t, func(r Reader, p []byte) (int, error) {
			if first {
				first = false
				return copy(p, "x"), nil
			}
			return second(r, p)
		}).(AdvanceReader)
		r.(*streamReader).poison = poison
		res, err := r.Read(ctx)
		if err != nil || res.Buffer.String() != "x" {
			t.Fatalf("first read: %q %v", res.Buffer.String(), err)
		}
		return r, res
	}
	calls := 0
	y := func(_ Reader, p []byte) (int, error) { calls++; return copy(p, "y"), nil }

	t.Run("cancel before", func(t *testing.T) {
		r, res := steady(y)
		defer r.Complete(nil)
		calls = 0
		r.CancelPendingRead()
		res, err := r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
		if err != nil || !res.Canceled || res.Buffer.Len() != 0 || calls != 0 {
			t.Fatalf("canceled: %+v %v after %d source reads", res, err, calls)
		}
		res, err = r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
		if err != nil || res.Canceled || res.Buffer.String() != "y" {
			t.Fatalf("after: %q %v", res.Buffer.String(), err)
		}
	})
	t.Run("cancel during", func(t *testing.T) {
		r, res := steady(func(r Reader, p []byte) (int, error) { r.CancelPendingRead(); return copy(p, "y"), nil })
		defer r.Complete(nil)
		res, err := r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
		if err != nil || !res.Canceled || res.Buffer.String() != "y" {
			t.Fatalf("canceled during the source read: %+v %q %v", res, res.Buffer.String(), err)
		}
	})
	t.Run("context", func(t *testing.T) {
		r, res := steady(y)
		defer r.Complete(nil)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		calls = 0
		if _, err := r.AdvanceAndRead(canceled, res.Buffer.End(), res.Buffer.End()); !errors.Is(err, context.Canceled) || calls != 0 {
			t.Fatalf("canceled context: %v after %d source reads", err, calls)
		}
		// The advance was made; the reader goes on with a plain Read.
		if res, err := r.Read(ctx); err != nil || res.Buffer.String() != "y" {
			t.Fatalf("after: %q %v", res.Buffer.String(), err)
		}
	})
	t.Run("empty reads", func(t *testing.T) {
		calls = 0
		r, res := steady(func(_ Reader, p []byte) (int, error) {
			if calls++; calls == 100 {
				return copy(p, "z"), nil
			}
			return 0, nil
		})
		defer r.Complete(nil)
		res, err := r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
		if err != nil || res.Buffer.String() != "z" || calls != 100 {
			t.Fatalf("%q %v after %d calls, want \"z\" after 100", res.Buffer.String(), err, calls)
		}
		calls = 0
		r2, res2 := steady(func(Reader, []byte) (int, error) { calls++; return 0, nil })
		defer r2.Complete(nil)
		if _, err := r2.AdvanceAndRead(ctx, res2.Buffer.End(), res2.Buffer.End()); err != io.ErrNoProgress || calls != 100 {
			t.Fatalf("%v after %d calls, want io.ErrNoProgress after 100", err, calls)
		}
	})
	for _, end := range []error{io.EOF, errAdvanceSource} {
		t.Run(fmt.Sprint(end), func(t *testing.T) {
			r, res := steady(func(_ Reader, p []byte) (int, error) { return copy(p, "e"), end })
			defer r.Complete(nil)
			res, err := r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
			if res.Buffer.String() != "e" || !res.Completed || (end == io.EOF) != (err == nil) || (end != io.EOF && err != end) {
				t.Fatalf("source ending with %v: %q completed %v, %v", end, res.Buffer.String(), res.Completed, err)
			}
		})
	}
	t.Run("source completes the reader", func(t *testing.T) {
		pool := &keptPool{}
		var r Reader
		n := 0
		r = NewReader(funcReader(func(p []byte) (int, error) {
			if n++; n == 3 {
				r.Complete(nil)
			}
			return copy(p, "late"), nil
		}), ReaderOptions{Pool: pool})
		r.(*streamReader).poison = poison
		res, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res, err = r.(AdvanceReader).AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End()); err != nil {
			t.Fatal(err)
		}
		if _, err := r.(AdvanceReader).AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End()); err != ErrReaderCompleted {
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
	})
}

// TestAdvanceAndReadRetires reads into the same segment until its
// generation runs out: the short path hands the segment to the general
// one, which retires it, and reading goes on in order. Views of the
// retired segment fail.
func TestAdvanceAndReadRetires(t *testing.T) {
	for _, poison := range []bool{true, false} {
		t.Run(fmt.Sprint("poison=", poison), func(t *testing.T) { testAdvanceAndReadRetires(t, poison) })
	}
}

func testAdvanceAndReadRetires(t *testing.T, poison bool) {
	var i uint16
	r := NewReader(funcReader(func(p []byte) (int, error) {
		i++
		p[0], p[1] = byte(i>>8), byte(i)
		return 2, nil
	}), ReaderOptions{BufferSize: 16, MinReadSize: 4, Pool: &keptPool{}}).(AdvanceReader)
	r.(*streamReader).poison = poison
	defer r.Complete(nil)
	ctx := context.Background()
	res, err := r.Read(ctx)
	first := res.Buffer
	var segs []*seq.Segment
	for want := 1; want < 70_000; want++ {
		if err != nil || res.Buffer.Len() != 2 {
			t.Fatalf("read %d: %d bytes, %v", want, res.Buffer.Len(), err)
		}
		if b := res.Buffer.First(); uint16(b[0])<<8|uint16(b[1]) != uint16(want) {
			t.Fatalf("read %d: % x", want, b)
		}
		if s := res.Buffer.Start().Segment(); len(segs) == 0 || segs[len(segs)-1] != s {
			segs = append(segs, s)
		}
		res, err = r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End())
	}
	if len(segs) != 2 || !segs[0].Retired() || segs[1].Retired() {
		t.Fatalf("%d segments used, want 2, the first retired", len(segs))
	}
	testutil.MustPanic(t, "segment was recycled", func() { _ = first.Len() })
}

// TestAdvanceAndReadAllocs checks that the stream reader's steady
// AdvanceAndRead allocates nothing.
func TestAdvanceAndReadAllocs(t *testing.T) {
	r := NewReader(funcReader(func(p []byte) (int, error) { return len(p), nil }), ReaderOptions{}).(AdvanceReader)
	defer r.Complete(nil)
	ctx := context.Background()
	res, err := r.Read(ctx)
	step := func() {
		if res, err = r.AdvanceAndRead(ctx, res.Buffer.End(), res.Buffer.End()); err != nil || res.Buffer.Len() != DefaultSegmentSize {
			t.Fatalf("%d bytes, %v", res.Buffer.Len(), err)
		}
	}
	step()
	if a := testing.AllocsPerRun(1000, step); a != 0 {
		t.Errorf("%v allocations per AdvanceAndRead", a)
	}
}
