package batch

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/testutil"
)

type input struct{ n int }

// owner holds its parser, as a decoder holds its message reader's parser.
type owner struct {
	parse func(*input) int
	seen  int
	held  any // the bound form, when the owner holds it as a message reader does
}

func (o *owner) batch(in *input, out []int) int {
	o.seen++
	out[0] = in.n
	return 1
}

func newOwner() *owner {
	o := &owner{}
	o.parse = func(in *input) int { return in.n + o.seen }
	RecordWeak(Closure(o.parse), o, func(o *owner) func(*input, []int) int { return o.batch })
	return o
}

func TestRecordWeakCallsThrough(t *testing.T) {
	o := newOwner()
	fn, ok := Lookup(Closure(o.parse)).(func(*input, []int) int)
	if !ok {
		t.Fatalf("Lookup: %T, want the recorded batch form", Lookup(Closure(o.parse)))
	}
	out := make([]int, 1)
	if k := fn(&input{n: 7}, out); k != 1 || out[0] != 7 || o.seen != 1 {
		t.Fatalf("batch form: k=%d out=%v seen=%d, want 1 [7] 1", k, out, o.seen)
	}
	runtime.KeepAlive(o)
}

// TestAliasKeepsWeak: an alias of a form recorded with RecordWeak is bound
// on lookup as the form is, and keeps its owner no more than it does.
func TestAliasKeepsWeak(t *testing.T) {
	n := 0
	testutil.Collected(t, 1, func() *owner {
		o := newOwner()
		q := func(in *input) int { n++; return o.parse(in) }
		Alias(Closure(q), Closure(o.parse))
		fn, ok := Lookup(Closure(q)).(func(*input, []int) int)
		if !ok {
			t.Fatalf("Lookup of the alias: %T, want the bound form", Lookup(Closure(q)))
		}
		out := make([]int, 1)
		if k := fn(&input{n: 3}, out); k != 1 || out[0] != 3 || o.seen != 1 {
			t.Fatalf("aliased form: k=%d out=%v seen=%d, want 1 [3] 1", k, out, o.seen)
		}
		// The owner holds the wrapper, as a decoder would hold the message
		// reader of a wrapped parser: a table holding the owner would keep
		// both.
		o.held = q
		return o
	}, func(*owner) {})
	if n != 0 {
		t.Fatalf("q ran %d times", n)
	}
}

// TestRecordWeakLetsOwnerGo: the table holds neither the owner nor its
// parser, so an owner no one else holds is collected and its entry dropped.
func TestRecordWeakLetsOwnerGo(t *testing.T) {
	t.Run("looked up", func(t *testing.T) { ownersGo(t, false) })
	// The bound form holds its owner; held by the owner, as the message
	// reader of a decoder holds it, it makes a cycle the collector takes.
	t.Run("held by the owner", func(t *testing.T) { ownersGo(t, true) })
}

func ownersGo(t *testing.T, hold bool) {
	var gone atomic.Int32
	addrs := make([]uintptr, 0, 8)
	for range 8 {
		o := newOwner()
		if hold {
			o.held = Lookup(Closure(o.parse))
			if o.held == nil {
				t.Fatal("Lookup: nil, want the bound form")
			}
		}
		addrs = append(addrs, uintptr(Closure(o.parse)))
		runtime.AddCleanup(o, func(*atomic.Int32) { gone.Add(1) }, &gone)
	}
	deadline := time.Now().Add(10 * time.Second)
	for gone.Load() < 8 || entries(addrs) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after GC: %d of 8 owners collected, %d entries left", gone.Load(), entries(addrs))
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func entries(addrs []uintptr) int {
	n := 0
	for _, a := range addrs {
		if table.Holds(a) {
			n++
		}
	}
	return n
}
