package cpu

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestHasAVX2 checks the detection against the flags Linux reports for
// the CPU (its "avx2" flag is set only when the kernel saves the YMM
// registers too); without assembly HasAVX2 is false.
func TestHasAVX2(t *testing.T) {
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
	want := slices.Contains(flags, "avx2") && runtime.GOARCH == "amd64" && !purego
	if HasAVX2 != want {
		t.Fatalf("AVX2 detected %v, want %v (/proc/cpuinfo, GOARCH %s, purego %v)", HasAVX2, want, runtime.GOARCH, purego)
	}
}
