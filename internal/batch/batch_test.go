package batch

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type input struct{ n int }

// owner holds its parser, as a decoder holds its message reader's parser.
type owner struct {
	parse func(*input) int
	seen  int
}

func (o *owner) batch(in *input, out []int) int {
	o.seen++
	out[0] = in.n
	return 1
}

func newOwner() *owner {
	o := &owner{}
	o.parse = func(in *input) int { return in.n + o.seen }
	RecordWeak(Closure(o.parse), o, (*owner).batch)
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

// TestRecordWeakLetsOwnerGo: the table holds neither the owner nor its
// parser, so an owner no one else holds is collected and its entry dropped.
func TestRecordWeakLetsOwnerGo(t *testing.T) {
	var gone atomic.Int32
	addrs := make([]uintptr, 0, 8)
	for range 8 {
		o := newOwner()
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
