// Package memo keeps what a package declares once and shares between
// connections: a protocol's grammar for one set of options, which holds no
// state of a connection's (its message reader keeps that), made by the first
// reader with those options and handed to the next ones. Declaring a grammar
// costs microseconds and tens of allocations; a connection that carries one
// request should not pay it.
package memo

import "sync"

// Max is how many values a Table keeps, so that options read from a peer
// cannot grow a table without bound: a value made when the table is full
// takes the place of one made before, which is made again if asked for.
const Max = 16

// Table maps keys to values made once. The zero Table is empty and ready.
type Table[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// Get returns the value of k, made by make(k) on the first Get of k (under
// the table's lock, so that it is made once). make is best a function that
// captures nothing, so that a Get that finds the value allocates nothing.
func (t *Table[K, V]) Get(k K, make func(K) V) V {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.m[k]; ok {
		return v
	}
	v := make(k)
	if t.m == nil {
		t.m = map[K]V{}
	}
	if len(t.m) >= Max {
		for old := range t.m {
			delete(t.m, old) // any one: map order is unspecified
			break
		}
	}
	t.m[k] = v
	return v
}
