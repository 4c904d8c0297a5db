package resp

import (
	"context"
	"errors"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/lineartest"
	"github.com/sluicego/sluice/pipe"
)

// readCommandOf returns a read for lineartest: one command of want
// arguments.
func readCommandOf(t *testing.T, want *int) func(pipe.Reader) error {
	return func(src pipe.Reader) error {
		r := NewCommandReader(src, Limits{})
		defer r.Close()
		c, err := r.Next(context.Background())
		if err == nil && len(c.Args) != *want {
			t.Errorf("%d arguments, want %d", len(c.Args), *want)
		}
		return err
	}
}

// readValueOf returns a read for lineartest: one value whose last element
// has want elements.
func readValueOf(t *testing.T, want *int) func(pipe.Reader) error {
	return func(src pipe.Reader) error {
		r := NewValueReader(src, Limits{})
		defer r.Close()
		v, err := r.Next(context.Background())
		if err == nil {
			if len(v.Elems) == 0 || len(v.Elems[len(v.Elems)-1].Elems) != *want {
				t.Errorf("wrong value shape")
			}
		}
		return err
	}
}

// TestLinearManyArgs sends commands of many one-byte arguments a byte per
// read and checks that the work is linear in the command: 4 times the
// arguments cost about 4 times the segment steps, not 16. With one segment
// per byte a step is a byte a parser passes; with the pipe reader's
// default segments it is a move to the next segment.
func TestLinearManyArgs(t *testing.T) {
	for _, seg := range []struct{ size, n int }{{1, 1000}, {0, 20000}} {
		var want int
		lineartest.Check(t, seg.n, seg.size, func(n int) []byte {
			want = n + 2
			return manyArgs(n)
		}, readCommandOf(t, &want))
	}
}

// TestLinearNestedReply does the same with replies: an array whose last
// element is an array of many integers, and one of many bulk strings in a
// map, so that the inner repetition resumes inside the outer one.
func TestLinearNestedReply(t *testing.T) {
	for _, tc := range []struct {
		name string
		mk   func(n int) string
	}{
		{"array", func(n int) string {
			return "*2\r\n:1\r\n*" + strconv.Itoa(n) + "\r\n" + strings.Repeat(":7\r\n", n)
		}},
		{"map", func(n int) string {
			return "*2\r\n%1\r\n+k\r\n$1\r\nv\r\n*" + strconv.Itoa(n) + "\r\n" + strings.Repeat("$1\r\nx\r\n", n)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, seg := range []struct{ size, n int }{{1, 1000}, {0, 20000}} {
				var want int
				lineartest.Check(t, seg.n, seg.size, func(n int) []byte {
					want = n
					return []byte(tc.mk(n))
				}, readValueOf(t, &want))
			}
		})
	}
}

// TestBytewiseStack reads a 1 MiB command of one-byte arguments a byte per
// read, the deepest reply the limits allow, and a million nested arrays,
// with every goroutine's stack limited to 1 MiB (the default is 1 GiB): a
// reader that recursed once per read or per element would exceed it and
// crash the test binary. Ours loops: an attempt resumes where the last one
// stopped instead of calling itself, and nesting is bounded by MaxDepth
// (combinators.Fix counts the levels), so the stack is the same for a
// byte as for a megabyte.
func TestBytewiseStack(t *testing.T) {
	if testing.Short() {
		t.Skip("a megabyte a byte per read")
	}
	old := debug.SetMaxStack(1 << 20)
	defer debug.SetMaxStack(old)
	n := 150_000
	if raceEnabled {
		n = 15_000
	}
	c, err := NewCommandReader(pipe.NewReader(lineartest.NewByteSource(manyArgs(n)), pipe.ReaderOptions{}), Limits{}).
		Next(context.Background())
	if err != nil || len(c.Args) != n+2 {
		t.Fatalf("%d arguments, %v", len(c.Args), err)
	}
	deep := strings.Repeat("*1\r\n", DefaultMaxDepth) + ":1\r\n"
	v, err := NewValueReader(pipe.NewReader(lineartest.NewByteSource([]byte(deep)), pipe.ReaderOptions{}), Limits{}).
		Next(context.Background())
	depth := 0
	for ; err == nil && len(v.Elems) == 1; v = v.Elems[0] {
		depth++
	}
	if err != nil || depth != DefaultMaxDepth {
		t.Fatalf("depth %d, %v", depth, err)
	}
	_, err = NewValueReader(pipe.NewReader(lineartest.NewByteSource([]byte(strings.Repeat("*1\r\n", 1_000_000))), pipe.ReaderOptions{}), Limits{}).
		Next(context.Background())
	if !errors.Is(err, cb.ErrDepth) {
		t.Fatalf("a million nested arrays: %v, want %v", err, cb.ErrDepth)
	}
}

// BenchmarkBytewise reads a command of 150 000 one-byte arguments (1 MiB)
// sent a byte per read: a million attempts, each resuming where the last
// stopped.
func BenchmarkBytewise(b *testing.B) {
	data := manyArgs(150_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewCommandReader(pipe.NewReader(lineartest.NewByteSource(data), pipe.ReaderOptions{}), Limits{})
		c, err := r.Next(context.Background())
		if err != nil || len(c.Args) != 150_002 {
			b.Fatalf("%d arguments, %v", len(c.Args), err)
		}
		r.Close()
	}
}

// TestLinearFlatReply does the same with the fast path's own array: a
// reply of many bulk strings and integers, resumed after its last whole
// element on every read.
func TestLinearFlatReply(t *testing.T) {
	for _, seg := range []struct{ size, n int }{{1, 1000}, {0, 20000}} {
		var want int
		lineartest.Check(t, seg.n, seg.size, func(n int) []byte {
			want = 2 * n
			return []byte("*" + strconv.Itoa(2*n) + "\r\n" + strings.Repeat("$3\r\nabc\r\n:-12\r\n", n))
		}, func(src pipe.Reader) error {
			r := NewValueReader(src, Limits{})
			defer r.Close()
			v, err := r.Next(context.Background())
			if err == nil && len(v.Elems) != want {
				t.Errorf("%d elements, want %d", len(v.Elems), want)
			}
			return err
		})
	}
}
