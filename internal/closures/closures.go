// Package closures keeps what a package knows of func values, keyed by
// their closures: a func value is a pointer to its closure, so the closure
// identifies it. Package combinators keeps the node and destination form of
// every parser it builds there, package batch the batch forms of parsers.
//
// A table holds a closure weakly and a cleanup removes its entry when the
// closure is collected, so that a grammar declared per connection or per
// message leaves nothing behind. It is a map under a read-write lock, not a
// sync.Map: entries are written once per declaration and read while
// declaring (and by Describe), never on a parse's path, and a sync.Map
// insert allocates and walks a trie that, with the entries of grammars
// not yet collected, is deep; declaring a grammar of twenty parsers took
// tens of microseconds, most of it there and in the collector.
package closures

import (
	"runtime"
	"sync"
	"unsafe"
	"weak"
)

// Table maps closures to values of type V.
type Table[V any] struct {
	mu sync.RWMutex
	m  map[uintptr]*slot[V]
}

// slot is what a table holds for one closure: a weak pointer to it, which
// tells a live closure from a dead one whose address was reused before its
// cleanup ran, or static for a top-level function's closure, which is never
// collected.
type slot[V any] struct {
	w      weak.Pointer[byte]
	static bool
	v      V
}

// Update sets the value of the closure c, a closure allocated on the heap
// (one that captures variables: weak pointers and cleanups work only on
// heap memory), to f of its value: the zero V for a closure the table does
// not hold yet (a dead closure's entry at the same address is replaced).
// The closure is held weakly.
func (t *Table[V]) Update(c unsafe.Pointer, f func(*V)) {
	p := (*byte)(c)
	addr := uintptr(c)
	t.mu.Lock()
	if s := t.m[addr]; s != nil && !s.static && s.w.Value() == p {
		f(&s.v)
		t.mu.Unlock()
		return
	}
	s := &slot[V]{w: weak.Make(p)}
	f(&s.v)
	if t.m == nil {
		t.m = make(map[uintptr]*slot[V])
	}
	t.m[addr] = s
	t.mu.Unlock()
	runtime.AddCleanup(p, t.drop, key[V]{addr, s})
}

// key names the slot a cleanup removes.
type key[V any] struct {
	addr uintptr
	s    *slot[V]
}

// drop removes a collected closure's slot, unless another closure at the
// same address replaced it.
func (t *Table[V]) drop(k key[V]) {
	t.mu.Lock()
	if t.m[k.addr] == k.s {
		delete(t.m, k.addr)
	}
	t.mu.Unlock()
}

// Put sets the value of the heap closure c to v, as Update does.
func (t *Table[V]) Put(c unsafe.Pointer, v V) { t.Update(c, func(x *V) { *x = v }) }

// PutStatic sets the value of the static closure c of a top-level function
// to v. The entry stays for the life of the program.
func (t *Table[V]) PutStatic(c unsafe.Pointer, v V) {
	t.mu.Lock()
	if t.m == nil {
		t.m = make(map[uintptr]*slot[V])
	}
	t.m[uintptr(c)] = &slot[V]{static: true, v: v}
	t.mu.Unlock()
}

// Get returns the value of the closure c, and whether the table holds one
// for it (false for nil and for a dead closure's entry whose cleanup has not
// run yet).
func (t *Table[V]) Get(c unsafe.Pointer) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	s := t.m[uintptr(c)]
	if s == nil || !s.static && unsafe.Pointer(s.w.Value()) != c {
		return zero, false
	}
	return s.v, true
}

// Len returns the number of entries, those of dead closures whose cleanup
// has not run yet included: for tests.
func (t *Table[V]) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

// Holds reports whether the table has an entry at the address addr, a dead
// closure's included: for tests that check that entries are dropped.
func (t *Table[V]) Holds(addr uintptr) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.m[addr] != nil
}
