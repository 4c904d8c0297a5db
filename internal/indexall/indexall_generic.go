//go:build !amd64 || purego

package indexall

func indexByte(b []byte, i int, c byte, out []int) int { return byteGeneric(b, i, c, out) }
