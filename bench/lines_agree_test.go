package bench

import (
	"bytes"
	"io"
	"testing"
)

// TestLinesAgree checks that every contender of BenchmarkLines counts the
// same lines on inputs whose lines straddle reads and segments, so that
// the benchmark compares implementations that do the same work.
func TestLinesAgree(t *testing.T) {
	var in bytes.Buffer
	for i := range 5000 {
		in.Write(bytes.Repeat([]byte{'a' + byte(i%26)}, i%3000))
		in.WriteByte('\n')
	}
	data := in.Bytes()
	want := bytes.Count(data, []byte{'\n'})
	for name, count := range map[string]func(io.Reader) (int, error){
		"sluice": countSluice, "parse": countParse, "scanner": countScanner, "hand": countHand,
	} {
		got, err := count(&chunkReader{data: data})
		if err != nil || got != want {
			t.Errorf("%s counted %d lines, err %v; want %d", name, got, err, want)
		}
	}
}
