// Package batch records the batch forms of parsers, for the message readers
// of package parse to find: a batch form reads every whole message at the
// cursor's span in one call, so that a reader pays a parser call, and its
// size and progress checks, once per batch instead of once per message.
//
// A parser is a func value, a pointer to its closure, so the closure
// identifies it. The table (internal/closures) holds a closure weakly and
// drops its entry when the closure is collected, as combinators' node table
// does, so that a grammar declared per message leaves nothing behind; a
// top-level function, whose closure is static, is recorded with
// [RecordStatic].
// Only the packages of this module record: each knows which of its
// closures live on the heap.
package batch

import (
	"unsafe"
	"weak"

	"github.com/sluicego/sluice/internal/closures"
)

var table closures.Table[any] // closure -> the batch form of its parser

// Record notes fn as the batch form of the parser whose closure is c, a
// closure allocated on the heap (one that captures variables). fn is a
// func(*parse.Input, []T) int for the parser's message type T.
func Record(c unsafe.Pointer, fn any) {
	table.Put(c, fn)
}

// RecordWeak notes the batch form of the parser whose closure is c, where
// the batch form is bound to owner (bind(owner), a method value) and owner
// holds the parser (through its message reader). The table holds owner
// weakly, so that it keeps neither alive; [Lookup] binds the form to owner
// once, and the message reader that asked holds the bound form, and owner
// with it, as it holds the parser. F is func(*parse.Input, []M) int for the
// parser's message type M.
func RecordWeak[T, F any](c unsafe.Pointer, owner *T, bind func(*T) F) {
	table.Put(c, weakForm[T, F]{weak.Make(owner), bind})
}

// weakForm is a batch form recorded with RecordWeak.
type weakForm[T, F any] struct {
	owner weak.Pointer[T]
	bind  func(*T) F
}

// bound returns the form bound to its owner, or nil once the owner is gone.
func (f weakForm[T, F]) bound() any {
	if o := f.owner.Value(); o != nil {
		return f.bind(o)
	}
	return nil
}

// binder is a recorded form bound on lookup.
type binder interface{ bound() any }

// RecordStatic notes fn as the batch form of the top-level function whose
// static closure is c.
func RecordStatic(c unsafe.Pointer, fn any) {
	table.PutStatic(c, fn)
}

// Lookup returns the batch form recorded for the closure c, or nil. A form
// recorded with [RecordWeak] comes bound to its owner: the caller holds it,
// as it holds the parser, instead of resolving a weak pointer on every call.
func Lookup(c unsafe.Pointer) any {
	fn, _ := table.Get(c) // nil for a dead closure's entry, its cleanup not yet run
	if b, ok := fn.(binder); ok {
		return b.bound()
	}
	return fn
}

// Alias records for the closure c what is recorded for the closure of, as
// it is recorded (a form recorded with [RecordWeak] stays weak), for a
// parser c that reads the messages the parser of reads.
func Alias(c, of unsafe.Pointer) {
	if fn, ok := table.Get(of); ok && fn != nil {
		table.Put(c, fn)
	}
}

// Closure returns the closure pointer of the func value f.
func Closure[F any](f F) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&f))
}
