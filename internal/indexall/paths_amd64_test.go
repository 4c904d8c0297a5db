//go:build !purego

package indexall

import (
	"testing"

	"github.com/sluicego/sluice/internal/cpu"
)

// eachPath runs f once for each loop of the assembly this CPU can run:
// SSE2, and AVX2 if it has it.
func eachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	saved := hasAVX2
	defer func() { hasAVX2 = saved }()
	hasAVX2 = false
	t.Run("sse2", f)
	if cpu.HasAVX2 {
		hasAVX2 = true
		t.Run("avx2", f)
	} else {
		t.Log("no AVX2: its loop is not tested")
	}
}
