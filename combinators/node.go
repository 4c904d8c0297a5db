package combinators

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/sluicego/sluice/internal/closures"
	"github.com/sluicego/sluice/parse"
)

// A grammar is a tree of parsers, and each constructor of this package
// records the node it made, what it is (kind), how it was declared
// (parameters, user functions) and of which parsers (children), in a side
// table keyed by the parser it returns (internal/closures). A parser is a
// func value, a pointer to its closure, so the closure identifies the node:
// the table holds it weakly and a cleanup removes the entry when the
// closure is collected, so a grammar built per message (inside Bind's
// function, say) leaves nothing behind. The children are held strongly,
// as their parent's closure holds them anyway; a node never refers to its
// own closure. Grammars may be declared concurrently.
//
// Constructors read the table to fuse: when the children of a combinator
// are nodes it knows (a fixed-width integer, a Map of one, a Peek of
// one), it returns a closure that does their work in one piece on the fast
// path and runs the generic composition otherwise (fuse.go). Describe
// reads it to print a grammar.

// node is what the table records for one parser.
type node struct {
	kind   string
	params []string
	funcs  []uintptr // code pointers of the user functions given
	labels []string  // per child, or nil: what selects it (Dispatch)
	kids   []unsafe.Pointer
	fused  bool // the recorded parser is a fused closure
	cap    any  // what fusing constructors can use (fuse.go), or nil
	scan   any  // a *scanner of the parser's type (scan.go), or nil
	slow   any  // the generic composition behind a span scan's fast path, or nil
}

// known maps a parser's closure to what the package knows of it: its node
// and its destination form (into.go), in one entry, so that a constructor
// pays one weak pointer and one cleanup for both.
var known closures.Table[facts]

// facts is what known holds for one parser.
type facts struct {
	n    *node
	into any // an into[T], or nil
}

// unfused disables fusion for parsers declared while it is set: the tests
// compare each fusion with the generic composition.
var unfused atomic.Bool

// fusion reports whether constructors may fuse.
func fusion() bool { return !unfused.Load() }

// closure returns the closure pointer of the func value p.
func closure[T any](p parse.TryParse[T]) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}

// funcPC returns the code pointer of the func value f (any func type).
func funcPC(f any) uintptr {
	if f == nil {
		return 0
	}
	// A func value in an interface is its closure pointer; the closure
	// starts with the code pointer.
	c := (*[2]unsafe.Pointer)(unsafe.Pointer(&f))[1]
	if c == nil {
		return 0
	}
	return *(*uintptr)(c)
}

// record notes n as the node of p and returns p. p must be a closure
// allocated on the heap, one that captures variables, as the closures
// the constructors return do (weak pointers and cleanups work only on
// heap memory; a closure that captures nothing is static): the top-level
// functions are recorded with recordStatic.
func record[T any](p parse.TryParse[T], n *node) parse.TryParse[T] {
	known.Update(closure(p), func(f *facts) { f.n = n })
	return p
}

// recordStatic notes n as the node of the top-level function p.
func recordStatic[T any](p parse.TryParse[T], n *node) {
	known.PutStatic(closure(p), facts{n: n})
}

// nodeAt returns the node recorded for the closure c, or nil.
func nodeAt(c unsafe.Pointer) *node {
	f, _ := known.Get(c) // nil for a dead closure's entry, its cleanup not yet run
	return f.n
}

// nodeOf returns the node recorded for p, or nil.
func nodeOf[T any](p parse.TryParse[T]) *node {
	if p == nil {
		return nil
	}
	return nodeAt(closure(p))
}

// capOf returns the fusion capability recorded for p, or nil.
func capOf[T any](p parse.TryParse[T]) any {
	if n := nodeOf(p); n != nil {
		return n.cap
	}
	return nil
}

// kid returns the closure pointer of a child parser, for a node.
func kid[T any](p parse.TryParse[T]) unsafe.Pointer { return closure(p) }

// mk is a node of kind with the given children and no parameters.
func mk(kind string, kids ...unsafe.Pointer) *node {
	return &node{kind: kind, kids: kids}
}

// with returns n with parameters added.
func (n *node) with(params ...string) *node {
	n.params = append(n.params, params...)
	return n
}

// capable returns n with the capability c: what fusions may read of it.
func (n *node) capable(c any) *node {
	n.cap = c
	return n
}

// calls returns n with user functions added.
func (n *node) calls(fs ...any) *node {
	for _, f := range fs {
		n.funcs = append(n.funcs, funcPC(f))
	}
	return n
}

// bounds renders the bounds of a repetition or a run: "1..", "2..5".
func bounds(min, max int) string {
	if max < 0 {
		return strconv.Itoa(min) + ".."
	}
	return strconv.Itoa(min) + ".." + strconv.Itoa(max)
}

// Describe returns the grammar p was declared as: one line per parser,
// its kind as the constructor is named and its parameters ("Take(4)",
// "Literal(\"\\r\\n\")", "Decimal(-1..9223372036854775807)"), then the
// names of the user functions it was given, then its children indented
// below it. A parser the package did not build (a hand-written TryParse,
// a func given to Bind) is "func" and its name. A combinator the package
// compiled into one fused closure is marked "[fused]"; the tree is the
// declared one either way. Recursion ([Fix]) is shown once and then as
// "(recursion)". Describe is for people: error messages, docs of a
// grammar, checking what a declaration became; its format may change.
func Describe[T any](p parse.TryParse[T]) string {
	var b strings.Builder
	describe(&b, closure(p), "", 0, map[unsafe.Pointer]bool{})
	return b.String()
}

func describe(b *strings.Builder, c unsafe.Pointer, label string, depth int, open map[unsafe.Pointer]bool) {
	b.WriteString(strings.Repeat("  ", depth))
	if label != "" {
		b.WriteString(label + ": ")
	}
	n := nodeAt(c)
	if n == nil {
		b.WriteString("func")
		if c != nil {
			b.WriteString(" " + funcName(*(*uintptr)(c)))
		}
		b.WriteByte('\n')
		return
	}
	if open[c] {
		b.WriteString(n.kind + " (recursion)\n")
		return
	}
	b.WriteString(n.kind)
	if len(n.params) > 0 {
		b.WriteString("(" + strings.Join(n.params, ", ") + ")")
	}
	for _, pc := range n.funcs {
		b.WriteString(" " + funcName(pc))
	}
	if n.fused {
		b.WriteString(" [fused]")
	}
	b.WriteByte('\n')
	open[c] = true
	for i, k := range n.kids {
		l := ""
		if i < len(n.labels) {
			l = n.labels[i]
		}
		describe(b, k, l, depth+1, open)
	}
	delete(open, c)
}

// funcName names the function at code pointer pc, without its package
// path ("grammars.LenField.Combinators.func1").
func funcName(pc uintptr) string {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return "?"
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// sortByLabel orders n's children by their labels.
func sortByLabel(n *node) {
	idx := make([]int, len(n.kids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(n.labels[a], n.labels[b]) })
	kids, labels := make([]unsafe.Pointer, len(idx)), make([]string, len(idx))
	for i, j := range idx {
		kids[i], labels[i] = n.kids[j], n.labels[j]
	}
	n.kids, n.labels = kids, labels
}
