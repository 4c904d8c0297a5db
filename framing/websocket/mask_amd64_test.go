//go:build amd64 && !purego

package websocket

import "unsafe"

// asmImpl calls an assembly routine at every length, below asmMin too,
// with xorKey's contract.
func asmImpl(f func(dst, src *byte, n int, k uint64)) func(dst, src []byte, key [4]byte, pos uint64) {
	return func(dst, src []byte, key [4]byte, pos uint64) {
		f(unsafe.SliceData(dst[:len(src)]), unsafe.SliceData(src), len(src), keyWord(key, pos))
	}
}

func init() {
	xorImpls = append(xorImpls, xorImpl{"sse2", asmImpl(xorSSE2)})
	if hasAVX2 {
		xorImpls = append(xorImpls, xorImpl{"avx2", asmImpl(xorAVX2)})
	}
}
