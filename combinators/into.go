package combinators

import (
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/sluicego/sluice/parse"
)

// Destinations. A value is returned from a parser to its caller: a small
// one in registers, a large one (a struct of more than a few words, such
// as a protocol's tagged value) through memory, copied once per layer of
// the grammar it passes through, and once more into the slice a
// repetition appends it to. Some constructors therefore also record a
// destination form of the parser they return, an into[T] that writes the
// value into *dst, and the constructors that call a child use the child's
// destination form when it has one: a repetition hands each element the
// slot it will occupy, a Dispatch hands its case the caller's slot, a Map
// writes its function's result there, a Then passes it on to its second
// parser. A value so reaches its final place once, however many layers
// choose, wrap or convert it.
//
// The destination form is the same parser: it reads the same bytes and
// fails the same way, with the same errors; only the value's way out
// differs. On failure *dst holds anything (the repetitions treat a slot as
// theirs only once its element succeeded). The forms are recorded in the
// parser's entry of the node table (node.go), and only while fusion is on,
// so that the tests compare grammars built with and without them.

// into is the destination form of a parse.TryParse[T].
type into[T any] func(in *parse.Input, dst *T) error

// recordInto notes f as the destination form of p, a closure allocated on
// the heap, and returns p. It records nothing with fusion off.
func recordInto[T any](p parse.TryParse[T], f into[T]) parse.TryParse[T] {
	if !fusion() {
		return p
	}
	known.Update(closure(p), func(x *facts) { x.into = f })
	return p
}

// recordedInto returns the destination form recorded for p, or nil.
func recordedInto[T any](p parse.TryParse[T]) into[T] {
	x, _ := known.Get(closure(p))
	f, _ := x.into.(into[T])
	return f
}

// intoOf returns p's destination form: the one recorded, or one that
// copies p's value.
func intoOf[T any](p parse.TryParse[T]) into[T] {
	if f := recordedInto(p); f != nil {
		return f
	}
	return func(in *parse.Input, dst *T) error {
		v, err := p(in)
		*dst = v
		return err
	}
}

// intoMap records the destination form of Map(p, f), the parser q, unless
// q is fused (its fast path is q itself): the value of p converted by f
// straight into the destination.
func intoMap[A, B any](q parse.TryParse[B], p parse.TryParse[A], f func(A) B, fused bool) parse.TryParse[B] {
	if fused || !fusion() {
		return q
	}
	return recordInto(q, func(in *parse.Input, dst *B) error {
		v, err := p(in)
		if err != nil {
			return in.Furthest(err)
		}
		*dst = f(v)
		return nil
	})
}

// intoThen records the destination form of Then(a, b), the parser q,
// unless q is fused: b's destination form after a.
func intoThen[A, B any](q parse.TryParse[B], a parse.TryParse[A], b parse.TryParse[B], fused bool) parse.TryParse[B] {
	if fused || !fusion() {
		return q
	}
	return recordInto(q, thenInto(a, b))
}

// thenInto is the generic destination form of Then(a, b): b's destination
// form after a.
func thenInto[A, B any](a parse.TryParse[A], b parse.TryParse[B]) into[B] {
	bi := intoOf(b)
	return func(in *parse.Input, dst *B) error {
		if _, err := a(in); err != nil {
			return in.Furthest(err)
		}
		if err := bi(in, dst); err != nil {
			return in.Furthest(err)
		}
		return nil
	}
}

// intoBind records the destination form of Bind(p, f), the parser q,
// unless q is fused: the chosen parser writes its value into the
// destination, through its own destination form when it has one (found
// through a small cache of the parsers f returned, so that a lookup in
// the side table is paid once per parser, not per message). When p is a
// number between literals (RESP's "$" length "\r\n"), it is read inline
// on the fast path, as readNumeral reads it.
func intoBind[A, B any](q parse.TryParse[B], p parse.TryParse[A], f func(A) parse.TryParse[B], fused bool) parse.TryParse[B] {
	if fused || !fusion() {
		return q
	}
	var cache chosenCache[B]
	if c, ok := capOf(p).(interface {
		parts() (*number, string, string, any)
	}); ok {
		n, pre, suf, cv := c.parts()
		if conv, ok := cv.(func(bool, uint64) A); ok {
			return recordInto(q, func(in *parse.Input, dst *B) error {
				var v A
				if neg, u, end, ok := n.between(in.Span(), pre, suf); ok {
					in.Advance(end)
					v = conv(neg, u)
				} else {
					var err error
					if v, err = p(in); err != nil {
						return in.Furthest(err)
					}
				}
				if err := cache.into(f(v))(in, dst); err != nil {
					return in.Furthest(err)
				}
				return nil
			})
		}
	}
	return recordInto(q, func(in *parse.Input, dst *B) error {
		v, err := p(in)
		if err != nil {
			return in.Furthest(err)
		}
		if err := cache.into(f(v))(in, dst); err != nil {
			return in.Furthest(err)
		}
		return nil
	})
}

// parts describes a numeral for intoBind: the number, the literals around
// it, and the conversion of a sign and a magnitude to its value (a
// func(bool, uint64) T).
func (d *numeral[T]) parts() (*number, string, string, any) {
	return d.n, d.prefix, d.suffix, func(neg bool, u uint64) T {
		if neg {
			return -T(u)
		}
		return T(u)
	}
}

// between reads a number between the literals pre and suf at the start
// of span, as readNumeral's fast path does, and returns the bytes they
// span; ok is false when readNumeral would run its generic composition.
func (n *number) between(span []byte, pre, suf string) (neg bool, u uint64, end int, ok bool) {
	if len(span) <= len(pre) || string(span[:len(pre)]) != pre {
		return false, 0, 0, false
	}
	neg, u, used, ok := n.scan(span[len(pre):])
	if !ok {
		return false, 0, 0, false
	}
	if end = len(pre) + used; len(span)-end < len(suf) || string(span[end:end+len(suf)]) != suf {
		return false, 0, 0, false
	}
	return neg, u, end + len(suf), true
}

// chosenCache remembers the destination forms of the parsers a Bind's
// function returned, by closure, in a few slots: a function that returns
// parsers declared in advance returns the same few again and again. A slot
// keeps its parser alive until another parser takes it, so a Bind holds
// at most eight parsers it would not otherwise.
type chosenCache[B any] struct {
	slots [8]atomic.Pointer[chosen[B]]
}

// chosen is one parser and its destination form.
type chosen[B any] struct {
	c unsafe.Pointer
	f into[B]
}

// into returns p's destination form. A parser met for the first time is
// looked up and takes the slot its address selects; a parser built per
// message (not recorded) gets a copying form and no slot.
func (cc *chosenCache[B]) into(p parse.TryParse[B]) into[B] {
	c := closure(p)
	slot := &cc.slots[(uintptr(c)>>4)%uintptr(len(cc.slots))]
	if e := slot.Load(); e != nil && e.c == c {
		return e.f
	}
	f := recordedInto(p)
	if f == nil {
		return func(in *parse.Input, dst *B) error {
			w, err := p(in)
			*dst = w
			return err
		}
	}
	slot.Store(&chosen[B]{c: c, f: f})
	return f
}

// dispatchInto is the destination form of a Dispatch: table holds the
// destination forms of its cases (def's where a byte has none, nil where
// there is no def), msg and exps its error for a byte with no case.
func dispatchInto[T any](table *[256]into[T], msg string, exps []string) into[T] {
	return func(in *parse.Input, dst *T) error {
		b, ok := in.Peek()
		if !ok {
			return in.NeedMore(1)
		}
		p := table[b]
		if p == nil {
			return &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Expected: slices.Clone(exps)}
		}
		if err := p(in, dst); err != nil {
			return in.Furthest(err)
		}
		return nil
	}
}

// repeatInto is repeatN for an element with a destination form: each
// element is written into the slot it occupies. When the element is a
// Dispatch chosen by two bytes (sub, from twoByteCases; nil otherwise),
// the loop looks the two bytes up itself and calls the case, as the
// Dispatch's destination form would (dispatch2Into), with no call for the
// Dispatch; anything else runs p.
func repeatInto[T any](in *parse.Input, key *parse.RepeatKey, p into[T], sub *[256]*[256]into[T], n, size int, progress bool, sk *scratchKeys) ([]T, error) {
	from := in.Consumed()
	i, out := startN[T](in, key, size, sk)
	for ; i < n; i++ {
		start := in.Consumed()
		if len(out) == cap(out) {
			if sk != nil {
				out = scratchGrow(in, sk, out, n)
			} else {
				out = slices.Grow(out, 1)
			}
		}
		out = out[:i+1]
		var err error
		if span := in.Span(); sub != nil && len(span) >= 2 && sub[span[0]] != nil && sub[span[0]][span[1]] != nil {
			in.Advance(1)
			if err = sub[span[0]][span[1]](in, &out[i]); err != nil {
				err = in.Furthest(in.Furthest(err))
			}
		} else {
			err = p(in, &out[i])
		}
		if err != nil {
			out = out[:i]
			shortSlice(in, key, sk, err, from, start, i, out)
			return nil, in.Furthest(err)
		}
		if progress && in.Consumed() == start {
			return nil, in.Furthest(noProgress(in))
		}
	}
	return out, nil
}

// twoByteCases returns the inner tables of p, a Dispatch whose
// destination form pi chooses some cases by two bytes (see dispatch2.go),
// for repeatInto to look them up itself; nil for any other parser, or
// with fusion off (pi nil).
func twoByteCases[T any](p parse.TryParse[T], pi into[T]) *[256]*[256]into[T] {
	if pi == nil {
		return nil
	}
	d, ok := capOf(p).(*dispatched[T])
	if !ok {
		return nil
	}
	if sub, ok := subTables(d.table); ok {
		return sub
	}
	return nil
}
