//go:build amd64 && !purego

package websocket

import "github.com/sluicego/sluice/internal/cpu"

// asmMin is the payload length from which xorKey calls the assembly:
// below it the word loop's call is cheaper than the assembly's setup.
const asmMin = 64

// hasAVX2 reports whether the CPU has AVX2 and the operating system saves
// the YMM registers; it picks xorAVX2 over xorSSE2.
var hasAVX2 = cpu.HasAVX2

// xorKey writes src XOR the key, from payload offset pos, to dst (len(dst)
// >= len(src)); dst and src may be the same memory, not otherwise overlap.
// On amd64 a payload of asmMin bytes or more is XORed 32 bytes at a time
// with AVX2, or 16 at a time with SSE2 (part of every amd64 CPU).
func xorKey(dst, src []byte, key [4]byte, pos uint64) {
	n, k := len(src), keyWord(key, pos)
	switch {
	case n < asmMin:
		xorWords(dst, src, k)
	case hasAVX2:
		xorAVX2(&dst[:n][0], &src[0], n, k)
	default:
		xorSSE2(&dst[:n][0], &src[0], n, k)
	}
}

// xorAVX2 writes the n bytes from src XOR k, the key word of keyWord for
// the payload offset of src[0], to dst: from 256 bytes on, first the
// bytes up to a 32-byte boundary of dst, then 128 bytes per iteration in
// four YMM registers, then 32, 16, 8, 4 and single bytes. dst and src may
// be the same memory, not otherwise overlap. Only if hasAVX2.
//
//go:noescape
func xorAVX2(dst, src *byte, n int, k uint64)

// xorSSE2 is xorAVX2 with SSE2: 64 bytes per iteration in four XMM
// registers, then 16, 8, 4 and single bytes.
//
//go:noescape
func xorSSE2(dst, src *byte, n int, k uint64)
