package fuzz

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/sluicego/sluice/seq"
)

// Failure reports show messages the way render writes them: one line per
// message, the same in every run.
const (
	// maxShown is how many bytes of a string, a []byte or a seq.Sequence
	// a report shows before cutting it short.
	maxShown = 200
	// maxElems is how many elements of a slice, an array or a map a report
	// shows.
	maxElems = 32
	// maxDepth is how deep into nested values a report goes.
	maxDepth = 12
	// maxLine is the length past which a message's line is cut short.
	maxLine = 2000
	// diffContext is how many equal messages a diff shows around a change.
	diffContext = 2
	// maxAlign bounds the work of aligning the differing middles of two
	// message lists (their lengths multiplied); past it, every message of
	// the middle is shown as removed and added.
	maxAlign = 1 << 14
)

var errorType = reflect.TypeFor[error]()

// renderer writes a value on one line: seq.Sequence values as Go-quoted
// strings, []byte and byte arrays as Go-quoted strings when more than half
// of their bytes are printable text and as hex"..." otherwise, strings
// quoted, structs as {Field: value, ...} with every field, slices and
// arrays as [a, b], maps as map[k: v] in the order of their rendered keys,
// errors as error("text"), and values that only a String method can show
// (a struct without exported fields) as Type("text"). Long values are cut
// short with a note of what was left out.
type renderer struct {
	b     strings.Builder
	shown int              // bytes of a string or bytes value shown before cutting
	path  map[uintptr]bool // pointers being rendered, to stop at cycles
}

// render returns v on one line, cut short as the constants above say.
func render[T any](v T) string { return renderFull(v, maxShown, maxLine) }

// renderFull is render with other bounds on a value's bytes and on the
// line.
func renderFull[T any](v T, shown, line int) string {
	r := &renderer{shown: shown, path: map[uintptr]bool{}}
	x := reflect.New(reflect.TypeFor[T]()).Elem()
	x.Set(reflect.ValueOf(&v).Elem())
	r.value(x, 0, line)
	return r.b.String()
}

// exported returns v in a form whose value can be read even if it was
// reached through an unexported field.
func exported(v reflect.Value) reflect.Value {
	if v.CanInterface() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

func (r *renderer) value(v reflect.Value, depth, line int) {
	if r.b.Len() > line {
		r.b.WriteString("...")
		return
	}
	if !v.IsValid() {
		r.b.WriteString("nil")
		return
	}
	v = exported(v)
	t := v.Type()
	if t == sequenceType && v.CanInterface() {
		r.sequence(v.Interface().(seq.Sequence))
		return
	}
	if depth > maxDepth {
		r.b.WriteString("...")
		return
	}
	switch t.Kind() {
	case reflect.Bool:
		r.b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		r.b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		r.b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		r.b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, t.Bits()))
	case reflect.Complex64, reflect.Complex128:
		r.b.WriteString(strconv.FormatComplex(v.Complex(), 'g', -1, t.Bits()))
	case reflect.String:
		r.quoted(v.String())
	case reflect.Slice:
		if v.IsNil() {
			r.b.WriteString("nil")
			return
		}
		if t.Elem().Kind() == reflect.Uint8 {
			r.bytes(v.Bytes())
			return
		}
		r.list(v, depth, line)
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			for i := range b {
				b[i] = byte(v.Index(i).Uint())
			}
			r.bytes(b)
			return
		}
		r.list(v, depth, line)
	case reflect.Map:
		if v.IsNil() {
			r.b.WriteString("nil")
			return
		}
		r.mapping(v, depth, line)
	case reflect.Pointer:
		if v.IsNil() {
			r.b.WriteString("nil")
			return
		}
		if r.special(v) {
			return
		}
		if r.path[v.Pointer()] {
			r.b.WriteString("<cycle>")
			return
		}
		r.path[v.Pointer()] = true
		r.b.WriteByte('&')
		r.value(v.Elem(), depth+1, line)
		delete(r.path, v.Pointer())
	case reflect.Interface:
		if v.IsNil() {
			r.b.WriteString("nil")
			return
		}
		e := v.Elem()
		switch e.Kind() {
		case reflect.Struct, reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Interface:
			r.value(e, depth+1, line)
		default:
			// Name a scalar's type: int(1) and int64(1) differ.
			fmt.Fprintf(&r.b, "%s(", e.Type())
			r.value(e, depth+1, line)
			r.b.WriteByte(')')
		}
	case reflect.Struct:
		if r.special(v) {
			return
		}
		r.b.WriteByte('{')
		for i := range v.NumField() {
			if i > 0 {
				r.b.WriteString(", ")
			}
			r.b.WriteString(t.Field(i).Name)
			r.b.WriteString(": ")
			r.value(v.Field(i), depth+1, line)
			if r.b.Len() > line {
				r.b.WriteString("...")
				break
			}
		}
		r.b.WriteByte('}')
	case reflect.Chan:
		if v.IsNil() {
			r.b.WriteString("nil")
			return
		}
		fmt.Fprintf(&r.b, "(%s)", t)
	case reflect.Func:
		if v.IsNil() {
			r.b.WriteString("nil")
			return
		}
		fmt.Fprintf(&r.b, "(%s)", t)
	default: // unsafe pointers: an address differs from run to run
		fmt.Fprintf(&r.b, "(%s)", t)
	}
}

// special writes an error as error("text"), and a struct without exported
// fields (or a pointer to one) that has a String method as Type("text"),
// and reports whether it did. A method that panics is left alone.
func (r *renderer) special(v reflect.Value) (done bool) {
	if !v.CanInterface() {
		return false
	}
	t := v.Type()
	var text string
	defer func() {
		if recover() != nil {
			done = false
		}
	}()
	switch {
	case t.Implements(errorType):
		text = v.Interface().(error).Error()
		t = errorType
	case opaque(t):
		s, ok := v.Interface().(fmt.Stringer)
		if !ok && v.CanAddr() {
			s, ok = v.Addr().Interface().(fmt.Stringer)
		}
		if !ok {
			return false
		}
		text = s.String()
	default:
		return false
	}
	r.b.WriteString(t.String())
	r.b.WriteByte('(')
	r.quoted(text)
	r.b.WriteByte(')')
	return true
}

// opaque reports whether t is a struct, or a pointer to one, without
// exported fields: its fields say little about its value.
func opaque(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			return false
		}
	}
	return true
}

func (r *renderer) list(v reflect.Value, depth, line int) {
	r.b.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			r.b.WriteString(", ")
		}
		if i == maxElems || r.b.Len() > line {
			fmt.Fprintf(&r.b, "...(%d more)", v.Len()-i)
			break
		}
		r.value(v.Index(i), depth+1, line)
	}
	r.b.WriteByte(']')
}

func (r *renderer) mapping(v reflect.Value, depth, line int) {
	type entry struct{ k, v string }
	var entries []entry
	for it := v.MapRange(); it.Next(); {
		k := &renderer{shown: r.shown, path: r.path}
		k.value(it.Key(), depth+1, line)
		e := &renderer{shown: r.shown, path: r.path}
		e.value(it.Value(), depth+1, line)
		entries = append(entries, entry{k.b.String(), e.b.String()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.k+"\x00"+a.v, b.k+"\x00"+b.v) })
	r.b.WriteString("map[")
	for i, e := range entries {
		if i > 0 {
			r.b.WriteString(", ")
		}
		if i == maxElems || r.b.Len() > line {
			fmt.Fprintf(&r.b, "...(%d more)", len(entries)-i)
			break
		}
		r.b.WriteString(e.k)
		r.b.WriteString(": ")
		r.b.WriteString(e.v)
	}
	r.b.WriteByte(']')
}

// quoted writes s Go-quoted, cut short.
func (r *renderer) quoted(s string) {
	if len(s) <= r.shown {
		r.b.WriteString(strconv.Quote(s))
		return
	}
	r.b.WriteString(strconv.Quote(s[:r.shown]))
	fmt.Fprintf(&r.b, "...(%d more bytes)", len(s)-r.shown)
}

// sequence writes s Go-quoted, cut short, or says that its memory was
// recycled (an Options.Own that kept a view).
func (r *renderer) sequence(s seq.Sequence) {
	var b []byte
	ok := func() (ok bool) {
		defer func() { _ = recover() }()
		b = s.Bytes()
		return true
	}()
	if !ok {
		r.b.WriteString("<a seq.Sequence of recycled memory>")
		return
	}
	r.text(b)
}

// text writes b Go-quoted, cut short.
func (r *renderer) text(b []byte) { r.quoted(string(b)) }

// bytes writes b quoted if it is mostly text, in hex otherwise.
func (r *renderer) bytes(b []byte) {
	if isText(b) {
		r.text(b)
		return
	}
	n := min(len(b), r.shown)
	r.b.WriteString(`hex"`)
	r.b.WriteString(hex.EncodeToString(b[:n]))
	r.b.WriteByte('"')
	if n < len(b) {
		fmt.Fprintf(&r.b, "...(%d more bytes)", len(b)-n)
	}
}

// isText reports whether more than half of b's bytes are printable text:
// printable UTF-8, tabs and line ends. An empty b is text.
func isText(b []byte) bool {
	text := 0
	for i := 0; i < len(b); {
		c, n := utf8.DecodeRune(b[i:])
		if (c != utf8.RuneError || n > 1) && (unicode.IsPrint(c) || c == '\t' || c == '\n' || c == '\r') {
			text += n
		}
		i += n
	}
	return len(b) == 0 || 2*text > len(b)
}

// diffMessages describes how got differs from want, one line per message:
// "  " for a message both have, "- " for one only want has, "+ " for one
// only got has, each with its index in want (or, for "+", in got). Equal
// messages more than diffContext away from a change are counted, not
// shown. equal decides which messages are the same; it returns "" if all
// are.
func diffMessages[T any](want, got []T, equal func(a, b T) bool) string {
	ops := align(want, got, equal)
	var b strings.Builder
	changed := func(i int) bool { return i >= 0 && i < len(ops) && ops[i].kind != ' ' }
	near := func(i int) bool {
		for d := -diffContext; d <= diffContext; d++ {
			if changed(i + d) {
				return true
			}
		}
		return false
	}
	var skipped []int // indices in want of equal messages not shown yet
	flush := func() {
		if len(skipped) == 1 {
			// A line that says one message is left out is no shorter.
			fmt.Fprintf(&b, "  [%d] %s\n", skipped[0], render(want[skipped[0]]))
		} else if len(skipped) > 1 {
			fmt.Fprintf(&b, "  ... %d equal messages\n", len(skipped))
		}
		skipped = skipped[:0]
	}
	changes := false
	for i, op := range ops {
		if op.kind == ' ' && !near(i) {
			skipped = append(skipped, op.i)
			continue
		}
		flush()
		changes = changes || op.kind != ' '
		switch op.kind {
		case ' ':
			fmt.Fprintf(&b, "  [%d] %s\n", op.i, render(want[op.i]))
		case '-':
			w := render(want[op.i])
			if j := i + 1; j < len(ops) && ops[j].kind == '+' {
				// A replaced message: if the two read the same as far as
				// they are shown, show where they differ instead.
				if g := render(got[ops[j].j]); g == w {
					w, g = window(renderFull(want[op.i], 1<<16, 1<<20), renderFull(got[ops[j].j], 1<<16, 1<<20))
					fmt.Fprintf(&b, "- [%d] %s\n+ [%d] %s\n", op.i, w, ops[j].j, g)
					ops[j].kind = '=' // shown
					continue
				}
			}
			fmt.Fprintf(&b, "- [%d] %s\n", op.i, w)
		case '+':
			fmt.Fprintf(&b, "+ [%d] %s\n", op.j, render(got[op.j]))
		}
	}
	flush()
	if !changes {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// window cuts two renderings that differ to the part around their first
// difference. If they do not differ as rendered, it says so.
func window(a, b string) (string, string) {
	if a == b {
		const note = " (differs in what is not shown: see Options.Cmp)"
		return a + note, b + note
	}
	k := 0
	for k < len(a) && k < len(b) && a[k] == b[k] {
		k++
	}
	cut := func(s string) string {
		from := max(0, k-maxShown/2)
		out := s[from:]
		if len(out) > maxShown {
			out = out[:maxShown] + "..."
		}
		if from > 0 {
			out = "..." + out
		}
		return out
	}
	return cut(a), cut(b)
}

// op is one line of a diff: kind ' ' (want[i] and got[j] are equal), '-'
// (want[i] only) or '+' (got[j] only).
type op struct {
	kind byte
	i, j int
}

// align lines want and got up: the common prefix and suffix, and a longest
// common subsequence of the middle if it is small enough (maxAlign),
// changes in a run interleaved so that a replaced message's two lines are
// next to each other.
func align[T any](want, got []T, equal func(a, b T) bool) []op {
	p := 0
	for p < len(want) && p < len(got) && equal(want[p], got[p]) {
		p++
	}
	s := 0
	for s < len(want)-p && s < len(got)-p && equal(want[len(want)-1-s], got[len(got)-1-s]) {
		s++
	}
	var ops []op
	for k := range p {
		ops = append(ops, op{' ', k, k})
	}
	w, g := want[p:len(want)-s], got[p:len(got)-s]
	var middle []op
	if len(w)*len(g) <= maxAlign {
		middle = lcs(w, g, equal)
	} else {
		for i := range w {
			middle = append(middle, op{'-', i, 0})
		}
		for j := range g {
			middle = append(middle, op{'+', 0, j})
		}
	}
	// Interleave each run of removals and additions.
	for k := 0; k < len(middle); {
		if middle[k].kind == ' ' {
			ops = append(ops, op{' ', p + middle[k].i, p + middle[k].j})
			k++
			continue
		}
		var del, ins []op
		for ; k < len(middle) && middle[k].kind != ' '; k++ {
			if middle[k].kind == '-' {
				del = append(del, op{'-', p + middle[k].i, 0})
			} else {
				ins = append(ins, op{'+', 0, p + middle[k].j})
			}
		}
		for n := 0; n < max(len(del), len(ins)); n++ {
			if n < len(del) {
				ops = append(ops, del[n])
			}
			if n < len(ins) {
				ops = append(ops, ins[n])
			}
		}
	}
	for k := range s {
		ops = append(ops, op{' ', len(want) - s + k, len(got) - s + k})
	}
	return ops
}

// lcs returns the edit script of a longest common subsequence of w and g.
func lcs[T any](w, g []T, equal func(a, b T) bool) []op {
	n, m := len(w), len(g)
	// eq[i][j] is equal(w[i], g[j]), and l[i][j] the length of an LCS of
	// w[i:] and g[j:].
	eq := make([][]bool, n)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
		if i < n {
			eq[i] = make([]bool, m)
			for j := range m {
				eq[i][j] = equal(w[i], g[j])
			}
		}
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if eq[i][j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case eq[i][j]:
			ops = append(ops, op{' ', i, j})
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			ops = append(ops, op{'-', i, 0})
			i++
		default:
			ops = append(ops, op{'+', 0, j})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, op{'-', i, 0})
	}
	for ; j < m; j++ {
		ops = append(ops, op{'+', 0, j})
	}
	return ops
}
