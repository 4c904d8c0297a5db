package seq_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/seq"
)

// contents is the shared table of inputs; every test runs each of them over
// every segmentation from segtest.
var contents = [][]byte{
	nil,
	[]byte("a"),
	[]byte("ab"),
	[]byte("\n"),
	[]byte("\r\n"),
	[]byte("hello\r\nworld\r\n"),
	[]byte("line one\nline two\n\nlast, no newline"),
	[]byte("a,b;c|d,,;;"),
	[]byte("aaaaaaaaab"),
	[]byte("abcabcabdabcabd"),
	[]byte("\r\r\n\r\r\r\n\n"),
	[]byte("héllo wörld €uro \xff\xfe\x80 tail"),
	[]byte("\x00\x01\x02\x7f\x80\xfe\xff\x00\xff"),
	mixed(200),
}

// mixed returns n deterministic bytes from a small alphabet (so that searches
// hit and miss often) with a few high bytes.
func mixed(n int) []byte {
	const alphabet = "ab\r\n,;\x00\xff\x80c"
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = alphabet[x%uint32(len(alphabet))]
	}
	return b
}

// forEach runs f as a subtest for every content of the table and every
// segmentation of it. f receives the flat reference too.
func forEach(t *testing.T, f func(t *testing.T, ref []byte, s seq.Sequence)) {
	t.Helper()
	for ci, ref := range contents {
		forEachOf(t, fmt.Sprintf("c%d", ci), ref, f)
	}
}

// forEachOf runs f for every segmentation of ref.
func forEachOf(t *testing.T, name string, ref []byte, f func(t *testing.T, ref []byte, s seq.Sequence)) {
	t.Helper()
	for _, c := range segtest.Segmentations(ref) {
		t.Run(name+"/"+c.Name, func(t *testing.T) {
			if got := c.Seq.Bytes(); !bytes.Equal(got, ref) {
				t.Fatalf("segtest built %q, want %q", got, ref)
			}
			f(t, ref, c.Seq)
		})
	}
}

// ranges returns the (i, j) pairs, 0 <= i <= j <= n, to test sub-slices on:
// all of them for short inputs, a deterministic sample otherwise.
func ranges(n int) [][2]int {
	var out [][2]int
	if n <= 24 {
		for i := 0; i <= n; i++ {
			for j := i; j <= n; j++ {
				out = append(out, [2]int{i, j})
			}
		}
		return out
	}
	edges := []int{0, 1, 2, n / 3, n/3 + 1, n / 2, 2 * n / 3, n - 2, n - 1, n}
	for _, i := range edges {
		for _, j := range edges {
			if i <= j {
				out = append(out, [2]int{i, j})
			}
		}
	}
	for k := 0; k < 40; k++ {
		i, j := (k*37)%(n+1), (k*101+13)%(n+1)
		if i > j {
			i, j = j, i
		}
		out = append(out, [2]int{i, j})
	}
	return out
}

// indexAnyRef is the flat reference for Sequence.IndexAny: the first byte of
// b that is one of the bytes of chars (byte semantics, as documented). For
// ASCII chars it agrees with bytes.IndexAny.
func indexAnyRef(b []byte, chars string) int {
	for i, c := range b {
		if strings.IndexByte(chars, c) >= 0 {
			return i
		}
	}
	return -1
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// bytesOf returns a copy of the sequence's content, failing the test on a
// mismatch between Len and the copied bytes.
func bytesOf(t *testing.T, s seq.Sequence) []byte {
	t.Helper()
	b := s.Bytes()
	if len(b) != s.Len() {
		t.Fatalf("Bytes returned %d bytes, Len is %d", len(b), s.Len())
	}
	return b
}

// segments counts the segments a sequence spans (its chunks).
func segments(s seq.Sequence) int {
	n := 0
	for range s.Chunks() {
		n++
	}
	return n
}
