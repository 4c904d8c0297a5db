//go:build !purego

package indexall

// indexByte is Byte for a non-empty out and an i in range, in assembly (SSE2, which every
// amd64 has): 32 bytes compared per step, and each match's offset taken
// from the comparison's bit mask.
//
//go:noescape
func indexByte(b []byte, i int, c byte, out []int) int
