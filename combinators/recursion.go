package combinators

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/sluicego/sluice/parse"
)

// ErrDepth is the Err of the [*parse.SyntaxError] that a parser declared
// with [Fix] returns for input nested deeper than its limit; match it with
// errors.Is.
var ErrDepth = errors.New("combinators: nesting too deep")

// Fix declares a recursive grammar: it calls f once, with self, a parser
// that stands for the result of f, and returns that result. f builds the
// grammar of one level with self where a nested value goes (a RESP array's
// elements, a bracketed list's items), so the grammar is built once, not
// once per depth, and parses any nesting up to maxDepth levels.
//
// The depth is the number of calls of self in progress on one
// [parse.Input]: the parser Fix returns is the first level. A value nested
// deeper than maxDepth is a [*parse.SyntaxError] at the offset where the
// level past the limit starts, "nesting deeper than 64 levels", with Err
// [ErrDepth], before anything of it is read, so a peer that sends a million
// '[' makes one error, not a million stack frames. Each level costs stack
// (a few hundred bytes per combinator on the path from self to self): a
// limit in the thousands is safe. The depth is counted per Input: a bound
// on the recursion's path ([Bounded], [LengthPrefixed]) parses on an Input
// of its own, and counts its levels from zero again; bound the nesting of
// such a grammar with the sizes of its bounds, or with Fix inside each.
//
// Parsing allocates nothing for the count while fewer than 16 parses run
// the same grammar at once (it finds its count in a small table by the
// Input); more take a lock. Streaming behaviour and errors are those of
// the grammar f builds. It panics if maxDepth < 1 or if f returns nil.
//
//go:noinline
func Fix[T any](maxDepth int, f func(self parse.TryParse[T]) parse.TryParse[T]) parse.TryParse[T] {
	if maxDepth < 1 {
		panic("combinators: Fix with a maximum depth of " + strconv.Itoa(maxDepth))
	}
	var p parse.TryParse[T]
	d := new(depths)
	msg := "nesting deeper than " + strconv.Itoa(maxDepth) + " levels"
	self := func(in *parse.Input) (T, error) {
		n := d.find(in)
		if n == nil {
			return top(d, in, p)
		}
		if *n >= maxDepth {
			var zero T
			return zero, &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Err: ErrDepth}
		}
		*n++
		v, err := p(in)
		*n--
		return v, err
	}
	p = f(self)
	if p == nil {
		panic("combinators: Fix with a grammar function that returned nil")
	}
	return self
}

// depths holds the nesting depth of each parse in progress in one Fix
// grammar, by Input.
type depths struct {
	slots [16]depthSlot
	spill atomic.Int32 // len(more), so that find takes the lock only when it may help
	mu    sync.Mutex
	more  map[*parse.Input]*int
}

type depthSlot struct {
	in    atomic.Pointer[parse.Input]
	depth int // owned by the parse that holds the slot
}

// find returns the depth counter of the parse in progress on in, or nil.
func (d *depths) find(in *parse.Input) *int {
	for i := range d.slots {
		if s := &d.slots[i]; s.in.Load() == in {
			return &s.depth
		}
	}
	if d.spill.Load() == 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.more[in]
}

// claim takes a free slot for in, or returns nil if all are taken.
func (d *depths) claim(in *parse.Input) *depthSlot {
	for i := range d.slots {
		if s := &d.slots[i]; s.in.CompareAndSwap(nil, in) {
			return s
		}
	}
	return nil
}

// top runs p as the first level of a parse on in, with a depth counter
// held for the duration.
func top[T any](d *depths, in *parse.Input, p parse.TryParse[T]) (T, error) {
	if s := d.claim(in); s != nil {
		s.depth = 1
		defer s.in.Store(nil) // released even if p panics (not in a loop: a deferral there allocates)
		return p(in)
	}
	n := 1
	d.mu.Lock()
	if d.more == nil {
		d.more = make(map[*parse.Input]*int)
	}
	d.more[in] = &n
	d.spill.Add(1)
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.more, in)
		d.spill.Add(-1)
		d.mu.Unlock()
	}()
	return p(in)
}
