package fuzz

import (
	"reflect"
	"sync"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/seq"
)

// Equal reports whether two messages (or lists of messages) are equal as
// the harness compares a chunked run's messages with the whole run's:
// with cmp.Equal, reading unexported fields, comparing a seq.Sequence by
// its bytes, and with the options given (Options.Cmp). Values that are
// deeply equal field by field (sequences by content, floats by ==) are
// recognised by a check compiled once per type, without go-cmp's
// reflection; only values that differ there are handed to cmp.Equal,
// which decides. A differential test of two decoders compares their
// outcomes with it.
func Equal[T any](x, y T, opts ...cmp.Option) bool {
	if fastEqual(&x, &y) {
		return true
	}
	return cmp.Equal(x, y, append(baseCmp(), opts...)...)
}

// baseCmp is how the harness compares messages before any user option.
func baseCmp() []cmp.Option {
	return []cmp.Option{
		cmp.Transformer("seq.Sequence", func(s seq.Sequence) string { return s.String() }),
		cmp.Exporter(func(reflect.Type) bool { return true }),
	}
}

// fastEqual reports whether *x and *y are deeply equal: the same as
// cmp.Equal under baseCmp for every pair it accepts. It may report false
// for values cmp.Equal accepts (an Equal method, cycles, nesting deeper
// than maxEqualDepth), never the other way round.
func fastEqual[T any](x, y *T) bool {
	eq := equalFor(reflect.TypeFor[T]())
	return eq(unsafe.Pointer(x), unsafe.Pointer(y), 0)
}

// eqFunc compares two values of one type through pointers to them; depth
// counts the pointers, slices and interfaces followed so far.
type eqFunc func(a, b unsafe.Pointer, depth int) bool

// maxEqualDepth bounds the nesting fastEqual follows; deeper values (and
// cyclic ones) go to cmp.Equal.
const maxEqualDepth = 256

var equalFuncs sync.Map // reflect.Type -> eqFunc

// equalFor returns the compiled comparison of type t.
func equalFor(t reflect.Type) eqFunc {
	if f, ok := equalFuncs.Load(t); ok {
		return f.(eqFunc)
	}
	// A recursive type refers to itself while being built: it finds this
	// indirection, filled in once the function is complete.
	var built eqFunc
	indirect := eqFunc(func(a, b unsafe.Pointer, depth int) bool { return built(a, b, depth) })
	if f, loaded := equalFuncs.LoadOrStore(t, indirect); loaded {
		return f.(eqFunc)
	}
	built = buildEqual(t)
	equalFuncs.Store(t, built)
	return built
}

var sequenceEqual eqFunc = func(a, b unsafe.Pointer, _ int) bool {
	x, y := *(*seq.Sequence)(a), *(*seq.Sequence)(b)
	if x.Len() != y.Len() {
		return false
	}
	if x.IsSingleSegment() {
		return y.Equal(x.First())
	}
	if y.IsSingleSegment() {
		return x.Equal(y.First())
	}
	return x.String() == y.String()
}

func buildEqual(t reflect.Type) eqFunc {
	if t == sequenceType {
		return sequenceEqual
	}
	if _, ok := reflect.PointerTo(t).MethodByName("Equal"); ok {
		return never // cmp.Equal calls the method: let it
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int8, reflect.Uint8:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*uint8)(a) == *(*uint8)(b) }
	case reflect.Int16, reflect.Uint16:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*uint16)(a) == *(*uint16)(b) }
	case reflect.Int32, reflect.Uint32:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*uint32)(a) == *(*uint32)(b) }
	case reflect.Int, reflect.Uint, reflect.Int64, reflect.Uint64, reflect.Uintptr:
		if t.Size() == 8 {
			return func(a, b unsafe.Pointer, _ int) bool { return *(*uint64)(a) == *(*uint64)(b) }
		}
		return func(a, b unsafe.Pointer, _ int) bool { return *(*uint32)(a) == *(*uint32)(b) }
	case reflect.Float32:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*float32)(a) == *(*float32)(b) }
	case reflect.Float64:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*float64)(a) == *(*float64)(b) }
	case reflect.Complex64:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*complex64)(a) == *(*complex64)(b) }
	case reflect.Complex128:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*complex128)(a) == *(*complex128)(b) }
	case reflect.String:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*string)(a) == *(*string)(b) }
	case reflect.UnsafePointer, reflect.Chan:
		return func(a, b unsafe.Pointer, _ int) bool { return *(*unsafe.Pointer)(a) == *(*unsafe.Pointer)(b) }
	case reflect.Func:
		return func(a, b unsafe.Pointer, _ int) bool {
			return *(*unsafe.Pointer)(a) == nil && *(*unsafe.Pointer)(b) == nil
		}
	case reflect.Pointer:
		eq := equalFor(t.Elem())
		return func(a, b unsafe.Pointer, depth int) bool {
			pa, pb := *(*unsafe.Pointer)(a), *(*unsafe.Pointer)(b)
			if pa == nil || pb == nil {
				return pa == pb
			}
			if depth >= maxEqualDepth {
				return false
			}
			return eq(pa, pb, depth+1)
		}
	case reflect.Array:
		n, size, eq := t.Len(), t.Elem().Size(), equalFor(t.Elem())
		return func(a, b unsafe.Pointer, depth int) bool {
			for i := range n {
				if !eq(unsafe.Add(a, uintptr(i)*size), unsafe.Add(b, uintptr(i)*size), depth) {
					return false
				}
			}
			return true
		}
	case reflect.Slice:
		size, elem := t.Elem().Size(), t.Elem()
		if elem.Kind() == reflect.Uint8 {
			return func(a, b unsafe.Pointer, _ int) bool {
				x, y := *(*[]byte)(a), *(*[]byte)(b)
				return (x == nil) == (y == nil) && string(x) == string(y)
			}
		}
		eq := equalFor(elem)
		return func(a, b unsafe.Pointer, depth int) bool {
			x, y := (*sliceHeader)(a), (*sliceHeader)(b)
			if (x.data == nil) != (y.data == nil) || x.len != y.len {
				return false
			}
			if x.len == 0 {
				return true
			}
			if depth >= maxEqualDepth {
				return false
			}
			for i := range x.len {
				if !eq(unsafe.Add(x.data, uintptr(i)*size), unsafe.Add(y.data, uintptr(i)*size), depth+1) {
					return false
				}
			}
			return true
		}
	case reflect.Struct:
		fields := fieldsOf(t, equalFor)
		return func(a, b unsafe.Pointer, depth int) bool {
			for _, f := range fields {
				if !f.fn(unsafe.Add(a, f.off), unsafe.Add(b, f.off), depth) {
					return false
				}
			}
			return true
		}
	case reflect.Interface:
		return func(a, b unsafe.Pointer, depth int) bool {
			x, y := reflect.NewAt(t, a).Elem(), reflect.NewAt(t, b).Elem()
			if x.IsNil() || y.IsNil() {
				return x.IsNil() && y.IsNil()
			}
			dx, dy := x.Elem(), y.Elem()
			if dx.Type() != dy.Type() || depth >= maxEqualDepth {
				return false
			}
			px, py := reflect.New(dx.Type()), reflect.New(dy.Type())
			px.Elem().Set(dx)
			py.Elem().Set(dy)
			return equalFor(dx.Type())(px.UnsafePointer(), py.UnsafePointer(), depth+1)
		}
	case reflect.Map:
		return func(a, b unsafe.Pointer, depth int) bool {
			x, y := reflect.NewAt(t, a).Elem(), reflect.NewAt(t, b).Elem()
			if x.IsNil() != y.IsNil() || x.Len() != y.Len() {
				return false
			}
			if depth >= maxEqualDepth || hasNaNKeys(t.Key()) {
				return false
			}
			eq := equalFor(t.Elem())
			px, py := reflect.New(t.Elem()), reflect.New(t.Elem())
			for it := x.MapRange(); it.Next(); {
				vy := y.MapIndex(it.Key())
				if !vy.IsValid() {
					return false
				}
				px.Elem().Set(it.Value())
				py.Elem().Set(vy)
				if !eq(px.UnsafePointer(), py.UnsafePointer(), depth+1) {
					return false
				}
			}
			return true
		}
	}
	return never
}

// never sends a comparison to cmp.Equal.
func never(unsafe.Pointer, unsafe.Pointer, int) bool { return false }

// hasNaNKeys reports whether map keys of type k may be floats, whose NaN
// keys a lookup cannot find.
func hasNaNKeys(k reflect.Type) bool {
	switch k.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.Interface, reflect.Struct, reflect.Array:
		return true
	}
	return false
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}
