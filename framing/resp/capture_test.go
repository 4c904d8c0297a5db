package resp

import (
	"os"
	"path/filepath"
	"testing"
)

// captureSeeds returns the files of testdata/captures/<dir>: bytes
// recorded between redis-cli or redis-benchmark and redis-server by
// TestLiveRedis (with RESP_WRITE_CAPTURES=1), each at most a few KiB.
func captureSeeds(tb testing.TB, dir string) []string {
	paths, _ := filepath.Glob(filepath.Join("testdata", "captures", dir, "*"))
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}
