package memo

import (
	"sync"
	"testing"
)

func TestGet(t *testing.T) {
	var tb Table[int, *int]
	made := 0
	mk := func(int) func(int) *int { return func(k int) *int { made++; return &k } }
	a, b := tb.Get(1, mk(1)), tb.Get(1, mk(1))
	if a != b || *a != 1 || made != 1 {
		t.Fatalf("the same key made %d values (%p, %p)", made, a, b)
	}
	for k := range 2 * Max {
		tb.Get(100+k, mk(k))
	}
	if len(tb.m) != Max {
		t.Errorf("%d values kept, at most %d", len(tb.m), Max)
	}
	made = 0
	x, y := tb.Get(-1, mk(-1)), tb.Get(-1, mk(-1))
	if x != y || made != 1 || *x != -1 || len(tb.m) != Max {
		t.Errorf("a new key in a full table: %d made, shared %v, %d kept", made, x == y, len(tb.m))
	}
}

func TestGetConcurrent(t *testing.T) {
	var tb Table[int, *int]
	var wg sync.WaitGroup
	got := make([]*int, 8)
	for g := range 8 {
		wg.Go(func() { got[g] = tb.Get(7, func(int) *int { return new(int) }) })
	}
	wg.Wait()
	for _, p := range got {
		if p != got[0] {
			t.Fatal("goroutines got different values for one key")
		}
	}
}
