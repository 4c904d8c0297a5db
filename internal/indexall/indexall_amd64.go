//go:build !purego

package indexall

import "github.com/sluicego/sluice/internal/cpu"

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
var hasAVX2 = cpu.HasAVX2
