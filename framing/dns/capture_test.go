package dns

import (
	"os"
	"path/filepath"
	"testing"
)

// readCapture returns a file of testdata/captures, recorded by
// TestLiveDnsmasq with DNS_WRITE_CAPTURES=1.
func readCapture(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "captures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCaptures checks the recorded connections without the programs: dig's
// queries and dnsmasq's answers against dig's printed output, the
// pipelined connection's answers against its queries, each in random
// pieces and every segmentation.
func TestCaptures(t *testing.T) {
	cut := func(b []byte) [][]byte { // about as a relay cuts: 4 KiB reads
		var out [][]byte
		for len(b) > 4096 {
			out, b = append(out, b[:4096]), b[4096:]
		}
		return append(out, b)
	}
	checkDig(t, string(readCapture(t, "dig.txt")), cut(readCapture(t, "dig-up.bin")), cut(readCapture(t, "dig-down.bin")))
	checkPipelined(t, cut(readCapture(t, "pipelined-up.bin")), cut(readCapture(t, "pipelined-down.bin")))
}
