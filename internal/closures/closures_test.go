package closures

import (
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// closure returns the closure pointer of the func value f.
func closure(f func() int) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&f)) }

// counter returns a heap closure: it captures a variable.
//
//go:noinline
func counter(n int) func() int { return func() int { n++; return n } }

func top() int { return 0 }

func TestPutGetUpdate(t *testing.T) {
	var tb Table[[2]int]
	f, g := counter(1), counter(2)
	if _, ok := tb.Get(closure(f)); ok {
		t.Fatal("an empty table holds a value")
	}
	if _, ok := tb.Get(nil); ok {
		t.Fatal("nil has a value")
	}
	tb.Put(closure(f), [2]int{1, 0})
	tb.Update(closure(f), func(v *[2]int) { v[1] = 7 })
	tb.Update(closure(g), func(v *[2]int) { v[1] = 9 })
	if v, ok := tb.Get(closure(f)); !ok || v != [2]int{1, 7} {
		t.Errorf("f: %v %v, want [1 7] true (Update keeps what Put set)", v, ok)
	}
	if v, ok := tb.Get(closure(g)); !ok || v != [2]int{0, 9} {
		t.Errorf("g: %v %v, want [0 9] true (Update starts from zero)", v, ok)
	}
	tb.PutStatic(closure(top), [2]int{3, 3})
	if v, ok := tb.Get(closure(top)); !ok || v != [2]int{3, 3} {
		t.Errorf("static: %v %v", v, ok)
	}
	if tb.Len() != 3 {
		t.Errorf("Len %d, want 3", tb.Len())
	}
	runtime.KeepAlive(f)
	runtime.KeepAlive(g)
}

// TestDropped: the table holds closures weakly, and their entries go once
// they are collected.
func TestDropped(t *testing.T) {
	var tb Table[int]
	addrs := make([]uintptr, 0, 100)
	for i := range 100 {
		f := counter(i)
		tb.Put(closure(f), i)
		addrs = append(addrs, uintptr(closure(f)))
	}
	held := func() int {
		n := 0
		for _, a := range addrs {
			if tb.Holds(a) {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	for held() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 100 entries left after collecting their closures", held())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

// TestConcurrent declares and reads from several goroutines (run with
// -race).
func TestConcurrent(t *testing.T) {
	var tb Table[int]
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				f := counter(i)
				tb.Put(closure(f), g*1000+i)
				tb.Update(closure(f), func(v *int) { *v++ })
				if v, ok := tb.Get(closure(f)); !ok || v != g*1000+i+1 {
					t.Errorf("goroutine %d, closure %d: %v %v", g, i, v, ok)
					return
				}
				runtime.KeepAlive(f)
			}
		})
	}
	wg.Wait()
}
