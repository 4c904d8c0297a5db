package fuzz

import (
	"reflect"
	"sync"
	"unsafe"

	"github.com/sluicego/sluice/seq"
)

var sequenceType = reflect.TypeFor[seq.Sequence]()

// Own returns a deep copy of v in which every seq.Sequence and every []byte
// reachable from v (through fields, exported or not, pointers, slices,
// arrays, maps and interfaces) has memory of its own, so that the copy stays
// valid after the pipe recycles the memory v viewed. Reading a view of
// memory that was already recycled panics, as every stale view does.
// Channels, functions and unsafe pointers are copied as they are. Pointer
// cycles are preserved.
func Own[T any](v T) T {
	ownInPlace(&v)
	return v
}

// ownInPlace gives *v memory of its own, as Own does, in place: every copy
// function reads a value before it writes its copy over it.
func ownInPlace[T any](v *T) {
	t := reflect.TypeFor[T]()
	var c *copier
	if hasPointers(t) {
		c = new(copier)
	}
	ownFor(t)(unsafe.Pointer(v), unsafe.Pointer(v), c)
}

var pointerTypes sync.Map // reflect.Type -> bool

// hasPointers reports whether a value of t may hold a Go pointer (kind
// Pointer), so that a copy needs to remember the pointers it followed.
func hasPointers(t reflect.Type) bool {
	if v, ok := pointerTypes.Load(t); ok {
		return v.(bool)
	}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type) bool
	walk = func(t reflect.Type) bool {
		if seen[t] {
			return false
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface:
			return true
		case reflect.Array, reflect.Slice:
			return walk(t.Elem())
		case reflect.Map:
			return walk(t.Key()) || walk(t.Elem())
		case reflect.Struct:
			if t == sequenceType {
				return false
			}
			for i := range t.NumField() {
				if walk(t.Field(i).Type) {
					return true
				}
			}
		}
		return false
	}
	has := walk(t)
	pointerTypes.Store(t, has)
	return has
}

// copier remembers the pointers a copy already followed, so that cycles
// and shared pointees stay so. The map is made at the first pointer.
type copier struct {
	seen map[unsafe.Pointer]unsafe.Pointer
}

// ownFunc copies the value at src of one type into dst, which holds the
// type's zero value; it is compiled once per type.
type ownFunc func(dst, src unsafe.Pointer, c *copier)

var ownFuncs sync.Map // reflect.Type -> ownFunc

// ownFor returns the compiled copy of type t.
func ownFor(t reflect.Type) ownFunc {
	if f, ok := ownFuncs.Load(t); ok {
		return f.(ownFunc)
	}
	var built ownFunc
	indirect := ownFunc(func(dst, src unsafe.Pointer, c *copier) { built(dst, src, c) })
	if f, loaded := ownFuncs.LoadOrStore(t, indirect); loaded {
		return f.(ownFunc)
	}
	built = buildOwn(t)
	ownFuncs.Store(t, built)
	return built
}

// flat reports whether values of t hold no pointers at all, so that a copy
// of their bytes is a deep copy.
func flat(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return t.Len() == 0 || flat(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !flat(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

func buildOwn(t reflect.Type) ownFunc {
	if t == sequenceType {
		return func(dst, src unsafe.Pointer, _ *copier) {
			*(*seq.Sequence)(dst) = seq.Of((*seq.Sequence)(src).Bytes())
		}
	}
	if flat(t) {
		size := t.Size()
		return func(dst, src unsafe.Pointer, _ *copier) {
			copy(unsafe.Slice((*byte)(dst), size), unsafe.Slice((*byte)(src), size))
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(dst, src unsafe.Pointer, _ *copier) { *(*string)(dst) = *(*string)(src) }
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return func(dst, src unsafe.Pointer, _ *copier) { *(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(src) }
	case reflect.Pointer:
		elem := t.Elem()
		own := ownFor(elem)
		return func(dst, src unsafe.Pointer, c *copier) {
			p := *(*unsafe.Pointer)(src)
			if p == nil {
				return
			}
			if q, ok := c.seen[p]; ok {
				*(*unsafe.Pointer)(dst) = q
				return
			}
			if c.seen == nil {
				c.seen = map[unsafe.Pointer]unsafe.Pointer{}
			}
			q := reflect.New(elem).UnsafePointer()
			c.seen[p] = q
			*(*unsafe.Pointer)(dst) = q
			own(q, p, c)
		}
	case reflect.Array:
		n, size, own := t.Len(), t.Elem().Size(), ownFor(t.Elem())
		return func(dst, src unsafe.Pointer, c *copier) {
			for i := range n {
				own(unsafe.Add(dst, uintptr(i)*size), unsafe.Add(src, uintptr(i)*size), c)
			}
		}
	case reflect.Struct:
		fields := fieldsOf(t, ownFor)
		return func(dst, src unsafe.Pointer, c *copier) {
			for _, f := range fields {
				f.fn(unsafe.Add(dst, f.off), unsafe.Add(src, f.off), c)
			}
		}
	case reflect.Slice:
		elem := t.Elem()
		if flat(elem) {
			size := elem.Size()
			return func(dst, src unsafe.Pointer, _ *copier) {
				s := *(*sliceHeader)(src) // a copy: dst may be src
				if s.data == nil {
					return
				}
				n := s.len * int(size)
				d := reflect.MakeSlice(t, s.len, s.len).UnsafePointer()
				copy(unsafe.Slice((*byte)(d), n), unsafe.Slice((*byte)(s.data), n))
				*(*sliceHeader)(dst) = sliceHeader{d, s.len, s.len}
			}
		}
		size, own := elem.Size(), ownFor(elem)
		return func(dst, src unsafe.Pointer, c *copier) {
			s := *(*sliceHeader)(src) // a copy: dst may be src
			if s.data == nil {
				return
			}
			d := reflect.MakeSlice(t, s.len, s.len).UnsafePointer()
			*(*sliceHeader)(dst) = sliceHeader{d, s.len, s.len}
			for i := range s.len {
				own(unsafe.Add(d, uintptr(i)*size), unsafe.Add(s.data, uintptr(i)*size), c)
			}
		}
	case reflect.Map:
		return func(dst, src unsafe.Pointer, c *copier) {
			m := reflect.NewAt(t, src).Elem()
			if m.IsNil() {
				return
			}
			out := reflect.MakeMapWithSize(t, m.Len())
			for it := m.MapRange(); it.Next(); {
				out.SetMapIndex(ownValue(it.Key(), c), ownValue(it.Value(), c))
			}
			reflect.NewAt(t, dst).Elem().Set(out)
		}
	case reflect.Interface:
		return func(dst, src unsafe.Pointer, c *copier) {
			v := reflect.NewAt(t, src).Elem()
			if v.IsNil() {
				return
			}
			reflect.NewAt(t, dst).Elem().Set(ownValue(v.Elem(), c))
		}
	}
	return func(dst, src unsafe.Pointer, _ *copier) {
		reflect.NewAt(t, dst).Elem().Set(reflect.NewAt(t, src).Elem())
	}
}

// field is a struct field's offset and the compiled function (a copy or a
// comparison) of its type.
type field[F any] struct {
	off uintptr
	fn  F
}

// fieldsOf returns t's fields with the function of each field's type.
func fieldsOf[F any](t reflect.Type, compile func(reflect.Type) F) []field[F] {
	fields := make([]field[F], t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = field[F]{f.Offset, compile(f.Type)}
	}
	return fields
}

// ownValue returns an owned copy of v (a map entry or an interface's
// value, which cannot be addressed).
func ownValue(v reflect.Value, c *copier) reflect.Value {
	src := reflect.New(v.Type())
	src.Elem().Set(v)
	dst := reflect.New(v.Type())
	ownFor(v.Type())(dst.UnsafePointer(), src.UnsafePointer(), c)
	return dst.Elem()
}
