// Package indexall finds every occurrence of a byte in a slice with one
// call: a parser that cuts many small messages (lines) out of one span
// searches the span once into a small array of offsets, instead of calling
// bytes.IndexByte once per message, a call that costs its setup and the
// caller's live values spilled around it every time.
package indexall

import "bytes"

// Byte writes to out the offsets in b of the bytes of b[i:] equal to c,
// in order, until out is full or b is searched, and returns how many it
// wrote. If it returns less than len(out), b[i:] holds no other c; if it
// returns len(out), the search stopped at the last offset written, and the
// caller goes on after it. It panics unless 0 <= i <= len(b).
func Byte(b []byte, i int, c byte, out []int) int {
	if uint(i) > uint(len(b)) {
		panic("indexall: offset out of range")
	}
	if len(out) == 0 {
		return 0
	}
	return indexByte(b, i, c, out)
}

// byteGeneric is Byte without assembly: the reference that the assembly
// is tested against, and Byte where there is none.
func byteGeneric(b []byte, i int, c byte, out []int) int {
	n := 0
	for n < len(out) {
		j := indexByteFrom(b, i, c)
		if j < 0 {
			break
		}
		out[n] = j
		n++
		i = j + 1
	}
	return n
}

// indexByteFrom returns the offset in b of the first c at or after i, or
// -1.
func indexByteFrom(b []byte, i int, c byte) int {
	j := bytes.IndexByte(b[i:], c)
	if j < 0 {
		return -1
	}
	return i + j
}
