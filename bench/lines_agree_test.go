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

// TestLinesBetween checks the input of BenchmarkLines/len=var: every line is
// 32 to 96 bytes long, every length in that range occurs, and the stream is
// the same on every call.
func TestLinesBetween(t *testing.T) {
	data := linesBetween(32, 96)
	seen := map[int]int{}
	for rest := data; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			t.Fatalf("input ends in a partial line of %d bytes", len(rest))
		}
		n := i + 1
		if n < 32 || n > 96 {
			t.Fatalf("line of %d bytes", n)
		}
		seen[n]++
		rest = rest[n:]
	}
	if len(seen) != 96-32+1 {
		t.Errorf("%d distinct lengths, want 65", len(seen))
	}
	linesOnce.Delete([2]int{32, 96})
	if again := linesBetween(32, 96); !bytes.Equal(again, data) {
		t.Error("a second build of the input differs from the first")
	}
}
