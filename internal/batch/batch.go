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

// RecordWeak notes, as [Record] does, the batch form of the parser whose
// closure is c, where the batch form is a method of owner's and owner holds
// the parser (through its message reader): the recorded form holds owner
// weakly, so that the table keeps neither alive, and reads nothing once
// owner is gone. In is parse.Input and M the parser's message type.
func RecordWeak[T, In, M any](c unsafe.Pointer, owner *T, fn func(*T, *In, []M) int) {
	w := weak.Make(owner)
	Record(c, func(in *In, out []M) int {
		if o := w.Value(); o != nil {
			return fn(o, in, out)
		}
		return 0
	})
}

// RecordStatic notes fn as the batch form of the top-level function whose
// static closure is c.
func RecordStatic(c unsafe.Pointer, fn any) {
	table.PutStatic(c, fn)
}

// Lookup returns the batch form recorded for the closure c, or nil.
func Lookup(c unsafe.Pointer) any {
	fn, _ := table.Get(c) // nil for a dead closure's entry, its cleanup not yet run
	return fn
}

// Closure returns the closure pointer of the func value f.
func Closure[F any](f F) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&f))
}
