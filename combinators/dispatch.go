package combinators

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/sluicego/sluice/parse"
)

// Dispatch chooses a parser by the next byte, without consuming it: the
// parser cases maps that byte to runs from the cursor, so it reads the
// byte itself (a type byte, a sign, a command letter). It is the switch
// that replaces nested [Alt]s when the first byte decides: a table of 256
// parsers built when Dispatch is declared, one lookup per message, no
// backtracking and no first-byte learning. A byte with no case runs def;
// with a nil def it is a [*parse.SyntaxError] at the cursor naming every
// byte that has a case, "expected '+' or '-' or ':'" (also listed in its
// Expected field, so that [Alt] and the furthest-failure rule merge them).
// At the end of the buffered input Dispatch asks for one more byte, on
// final input too (a truncated message). Failures of the chosen parser
// pass through, by the furthest-failure rule of [Seq2]. It panics if cases
// is empty or holds a nil parser.
//
//go:noinline
func Dispatch[T any](cases map[byte]parse.TryParse[T], def parse.TryParse[T]) parse.TryParse[T] {
	if len(cases) == 0 {
		panic("combinators: Dispatch with no cases")
	}
	var table [256]parse.TryParse[T]
	keys := make([]byte, 0, len(cases))
	for b, p := range cases {
		if p == nil {
			panic("combinators: Dispatch with a nil parser for " + quoteByte(b))
		}
		table[b] = p
		keys = append(keys, b)
	}
	slices.Sort(keys)
	exps := make([]string, len(keys))
	for i, b := range keys {
		exps[i] = quoteByte(b)
	}
	msg := "expected " + strings.Join(exps, " or ")
	n := mk("Dispatch")
	for _, b := range keys {
		n.kids = append(n.kids, kid(table[b]))
		n.labels = append(n.labels, quoteByte(b))
	}
	if def != nil {
		n.kids = append(n.kids, kid(def))
		n.labels = append(n.labels, "default")
		for i, p := range table {
			if p == nil {
				table[i] = def
			}
		}
	}
	// The destination forms of the cases, for Dispatch's own. Called as a
	// plain parser, Dispatch runs the case's plain form: a destination of
	// its own would have to live in the reader's scratch storage (one on
	// the stack escapes to the heap, a destination form being called
	// through a func value), and taking it, giving it back and copying
	// out of it cost more (about 150 instructions per RESP command,
	// callgrind) than the few copies of the value that the fused layers
	// of a case still make.
	var itable [256]into[T]
	if fusion() {
		itable = byRun(&table, intoOf[T])
	}
	n.cap = &dispatched[T]{table: &table, itable: &itable}
	di := dispatchInto(&itable, msg, exps)
	if sub, ok := subTables(&table); ok && fusion() {
		di = dispatch2Into(&itable, sub, msg, exps) // dispatch2.go
	}
	plain := func(in *parse.Input) (T, error) {
		b, ok := in.Peek()
		if !ok {
			var zero T
			return zero, in.NeedMore(1)
		}
		p := table[b]
		if p == nil {
			var zero T
			return zero, &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Expected: slices.Clone(exps)}
		}
		v, err := p(in)
		if err != nil {
			return v, in.Furthest(err)
		}
		return v, nil
	}
	if s := dispatchScan(&table); s != nil {
		// Behind the scan, each case's own generic composition: its scan
		// was the one that failed.
		slow := byRun(&table, slowOf[T])
		plain = func(in *parse.Input) (T, error) {
			b, ok := in.Peek()
			if !ok {
				var zero T
				return zero, in.NeedMore(1)
			}
			p := slow[b]
			if p == nil {
				var zero T
				return zero, &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Expected: slices.Clone(exps)}
			}
			v, err := p(in)
			if err != nil {
				return v, in.Furthest(err)
			}
			return v, nil
		}
		plain = withScan(plain, n, s)
	}
	return recordInto(record(plain, n), di)
}

// byRun returns f of each parser of t (nil entries stay zero), calling f
// once per run of entries that hold the same parser, as a default fills
// most of a table: f reads the node table under its lock, and intoOf wraps
// a parser without a recorded form in a new closure.
func byRun[T, R any](t *[256]parse.TryParse[T], f func(parse.TryParse[T]) R) [256]R {
	var out [256]R
	var last parse.TryParse[T]
	var r R
	for i, p := range t {
		if p == nil {
			continue
		}
		if last == nil || closure(p) != closure(last) {
			last, r = p, f(p)
		}
		out[i] = r
	}
	return out
}

// dispatched is the capability of a Dispatch: its cases by byte (def's
// where a byte has none, nil where there is no def), and their
// destination forms (all nil with fusion off). A literal before it is
// fused with it ([Then]): one look at the span matches the literal and
// chooses the case.
type dispatched[T any] struct {
	table  *[256]parse.TryParse[T]
	itable *[256]into[T]
}

// litDispatch is the fused parser of Then(literal, Dispatch), and its
// destination form: when the literal and the byte after it are in the
// cursor's span and that byte has a case, the literal is passed over and
// the case runs, with no call for the literal and none for the Dispatch.
// Otherwise (a short span, a mismatch, a byte with no case) slow and
// slowInto, the generic composition, run from the start. The case runs
// from where it would in the generic composition, so its value, its
// failures and the cursor it leaves are the generic ones.
//
//go:noinline
func litDispatch[T any](lit string, d *dispatched[T], slow parse.TryParse[T], slowInto into[T]) (parse.TryParse[T], into[T]) {
	table, itable := d.table, d.itable
	p := func(in *parse.Input) (T, error) {
		if span := in.Span(); len(span) > len(lit) && hasAt(span, 0, lit) {
			if c := table[span[len(lit)]]; c != nil {
				in.Advance(len(lit))
				v, err := c(in)
				if err != nil {
					return v, in.Furthest(err)
				}
				return v, nil
			}
		}
		return slow(in)
	}
	pi := func(in *parse.Input, dst *T) error {
		if span := in.Span(); len(span) > len(lit) && hasAt(span, 0, lit) {
			if f := itable[span[len(lit)]]; f != nil {
				in.Advance(len(lit))
				if err := f(in, dst); err != nil {
					return in.Furthest(err)
				}
				return nil
			}
		}
		return slowInto(in, dst)
	}
	return p, pi
}

// Switch runs p and chooses the parser that reads what follows by p's
// value: cases maps the value to the parser, which runs from where p
// stopped, and a value with no case runs def. It is [Bind] declared as a
// table, for a tag or a command name that selects a body, so that the
// parsers are built once, when Switch is declared. A value with no case
// and a nil def is a [*parse.SyntaxError] at the offset where p started,
// naming the values that have a case ("expected \"GET\" or \"SET\"",
// strings quoted, values sorted by their text). Failures of p and of the
// chosen parser pass through, by the furthest-failure rule of [Seq2]. The
// lookup allocates nothing, but a string value made for it
// (seq.Sequence.String) is an allocation per message. It panics if cases
// is empty or holds a nil parser.
//
//go:noinline
func Switch[A comparable, T any](p parse.TryParse[A], cases map[A]parse.TryParse[T], def parse.TryParse[T]) parse.TryParse[T] {
	if len(cases) == 0 {
		panic("combinators: Switch with no cases")
	}
	table := make(map[A]parse.TryParse[T], len(cases))
	exps := make([]string, 0, len(cases))
	for v, q := range cases {
		if q == nil {
			panic(fmt.Sprintf("combinators: Switch with a nil parser for %v", v))
		}
		table[v] = q
		exps = append(exps, caseName(v))
	}
	slices.Sort(exps)
	msg := "expected " + strings.Join(exps, " or ")
	n := mk("Switch")
	for v, q := range table {
		n.kids = append(n.kids, kid(q))
		n.labels = append(n.labels, caseName(v))
	}
	sortByLabel(n)
	n.kids = append([]unsafe.Pointer{kid(p)}, n.kids...)
	n.labels = append([]string{"on"}, n.labels...)
	if def != nil {
		n.kids = append(n.kids, kid(def))
		n.labels = append(n.labels, "default")
	}
	return record(func(in *parse.Input) (T, error) {
		var zero T
		off := in.Offset()
		v, err := p(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		q, ok := table[v]
		if !ok {
			q = def
		}
		if q == nil {
			return zero, in.Furthest(&parse.SyntaxError{Offset: off, Msg: msg, Expected: slices.Clone(exps)})
		}
		w, err := q(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		return w, nil
	}, n)
}

// caseName formats a case value for an error message: strings quoted, bytes
// as Byte names them, anything else as fmt prints it.
func caseName(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case byte:
		return quoteByte(x)
	}
	return fmt.Sprint(v)
}
