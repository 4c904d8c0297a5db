package fuzz

import (
	"reflect"
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
	c := copier{seen: map[uintptr]reflect.Value{}}
	src := reflect.ValueOf(&v).Elem()
	dst := reflect.New(src.Type()).Elem()
	c.copy(dst, src)
	return dst.Interface().(T)
}

// copier deep-copies values, remembering the pointers it already copied.
type copier struct {
	seen map[uintptr]reflect.Value
}

// settable returns v in a form that can be set even if it was reached
// through an unexported field.
func settable(v reflect.Value) reflect.Value {
	if v.CanSet() || !v.CanAddr() {
		return v
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

// copy sets dst, a settable value, to a deep copy of src.
func (c *copier) copy(dst, src reflect.Value) {
	if src.CanAddr() {
		src = settable(src)
	} else {
		// A map entry or an interface's value: copy it somewhere
		// addressable so that its unexported fields can be read.
		tmp := reflect.New(src.Type()).Elem()
		tmp.Set(src)
		src = tmp
	}
	if src.Type() == sequenceType {
		s := src.Interface().(seq.Sequence)
		dst.Set(reflect.ValueOf(seq.Of(s.Bytes())))
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		if p, ok := c.seen[src.Pointer()]; ok {
			dst.Set(p)
			return
		}
		p := reflect.New(src.Type().Elem())
		c.seen[src.Pointer()] = p
		c.copy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Struct:
		for i := range src.NumField() {
			c.copy(settable(dst.Field(i)), src.Field(i))
		}
	case reflect.Array:
		for i := range src.Len() {
			c.copy(dst.Index(i), src.Index(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if src.Type().Elem().Kind() == reflect.Uint8 {
			reflect.Copy(s, src)
		} else {
			for i := range src.Len() {
				c.copy(s.Index(i), src.Index(i))
			}
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			c.copy(k, it.Key())
			e := reflect.New(src.Type().Elem()).Elem()
			c.copy(e, it.Value())
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		c.copy(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}
