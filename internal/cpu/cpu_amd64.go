//go:build !purego

package cpu

// HasAVX2 reports whether the CPU has AVX2 and the operating system saves
// the YMM registers. It is set once, when the program starts; packages
// copy it into a variable of their own that their tests may clear.
var HasAVX2 = detectAVX2()

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
