//go:build amd64 && !purego

package websocket

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

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

// TestDetectAVX2 compares the CPUID and XGETBV probe with the flags Linux
// reports in /proc/cpuinfo (avx2 only when the kernel saves the YMM
// registers).
func TestDetectAVX2(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo:", err)
	}
	var flags []string
	for line := range strings.Lines(string(info)) {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(value)
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	if want := slices.Contains(flags, "avx2"); hasAVX2 != want || detectAVX2() != want {
		t.Fatalf("AVX2 detected %v, /proc/cpuinfo says %v", hasAVX2, want)
	}
}
