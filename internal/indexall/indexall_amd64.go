//go:build !purego

package indexall

// indexByte is Byte for a non-empty out and an i in range, in assembly:
// with AVX2 (if hasAVX2) 64 bytes compared per step in two YMM registers,
// else with SSE2 (which every amd64 has) 32 bytes per step; each match's
// offset is taken from the comparison's bit mask.
//
//go:noescape
func indexByte(b []byte, i int, c byte, out []int) int

// hasAVX2 reports whether the CPU has AVX2 and the operating system saves
// the YMM registers; the assembly reads it to pick its AVX2 loop. Tests
// clear it to run the SSE2 loop.
var hasAVX2 = detectAVX2()

// detectAVX2 asks CPUID for AVX2 (leaf 7, EBX bit 5) and for AVX with
// OSXSAVE (leaf 1, ECX bits 28 and 27), and XGETBV whether the operating
// system saves the XMM and YMM state (XCR0 bits 1 and 2).
func detectAVX2() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	const osxsave, avx = 1 << 27, 1 << 28
	if _, _, c, _ := cpuid(1, 0); c&(osxsave|avx) != osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, b, _, _ := cpuid(7, 0)
	return b&(1<<5) != 0
}

// cpuid executes CPUID with EAX leaf and ECX sub and returns EAX, EBX,
// ECX and EDX.
func cpuid(leaf, sub uint32) (a, b, c, d uint32)

// xgetbv returns XCR0 (EDX:EAX of XGETBV with ECX 0); call it only if
// CPUID reports OSXSAVE.
func xgetbv() (lo, hi uint32)
