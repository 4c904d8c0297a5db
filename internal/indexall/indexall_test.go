package indexall

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// naive is the offsets of c in b[from:], the first max of them, by a
// plain loop.
func naive(b []byte, from int, c byte, max int) []int {
	var got []int
	for i := from; i < len(b); i++ {
		if len(got) == max {
			break
		}
		if b[i] == c {
			got = append(got, i)
		}
	}
	return got
}

// check compares Byte and byteGeneric with naive on b from every offset,
// for every length of out up to one beyond the matches.
func check(t *testing.T, b []byte, c byte) {
	t.Helper()
	for from := 0; from <= len(b); from++ {
		all := naive(b, from, c, len(b)+1)
		for m := 0; m <= len(all)+1; m++ {
			want := naive(b, from, c, m)
			for _, f := range []struct {
				name string
				fn   func([]byte, int, byte, []int) int
			}{{"Byte", Byte}, {"generic", byteGeneric}} {
				out := make([]int, m+1)
				out[m] = -7 // beyond out[:m]: must stay
				n := f.fn(b, from, c, out[:m])
				if n != len(want) || !equal(out[:n], want) || out[m] != -7 {
					t.Fatalf("%s(%q, %d, %q, [%d]) = %d %v (out[m] %d), want %d %v", f.name, b, from, c, m, n, out[:n], out[m], len(want), want)
				}
			}
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestByteLengths runs every length up to a few blocks, every alignment,
// and matches at every place a block boundary could hide them.
func TestByteLengths(t *testing.T) { eachPath(t, testByteLengths) }

func testByteLengths(t *testing.T) {
	buf := make([]byte, 256)
	for n := 0; n <= 130; n++ {
		if n > 70 && n%32 > 1 && n%32 < 31 {
			continue // beyond a few blocks, only the lengths about a block boundary
		}
		for off := 0; off < 16; off += 5 {
			b := buf[off : off+n]
			for i := range b {
				b[i] = 'a'
			}
			check(t, b, '\n') // none
			for i := range b {
				b[i] = '\n'
				check(t, b, '\n') // one, at i
				b[i] = 'a'
			}
			for i := range b {
				b[i] = '\n'
			}
			check(t, b, '\n') // all
		}
	}
}

// TestByteRandom compares on random bytes of a few densities, with the
// bytes around b set to c so that a read beyond b would count them.
func TestByteRandom(t *testing.T) { eachPath(t, testByteRandom) }

func testByteRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 3000; iter++ {
		n := r.IntN(600)
		c := byte(r.IntN(256))
		buf := bytes.Repeat([]byte{c}, n+64)
		off := r.IntN(32)
		b := buf[off : off+n]
		every := 1 + r.IntN(80)
		for i := range b {
			b[i] = byte(r.IntN(256))
			if b[i] == c && r.IntN(every) != 0 {
				b[i]++
			}
			if r.IntN(every) == 0 {
				b[i] = c
			}
		}
		from := r.IntN(n + 1)
		all := naive(b, from, c, n+1)
		m := r.IntN(len(all) + 2)
		want := naive(b, from, c, m)
		out := make([]int, m)
		if got := Byte(b, from, c, out); got != len(want) || !equal(out[:got], want) {
			t.Fatalf("Byte(%q, %d, %q, [%d]) = %v, want %v", b, from, c, m, out[:got], want)
		}
		if got := byteGeneric(b, from, c, out); got != len(want) || !equal(out[:got], want) {
			t.Fatalf("byteGeneric(%q, %d, %q, [%d]) = %v, want %v", b, from, c, m, out[:got], want)
		}
	}
}

// TestByteResume finds every match of a long input by calling again after
// a full out, as a caller does.
func TestByteResume(t *testing.T) { eachPath(t, testByteResume) }

func testByteResume(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 5000)
	for i := range b {
		b[i] = "ab\n"[r.IntN(3)]
	}
	want := naive(b, 0, '\n', len(b))
	for m := 1; m <= 70; m++ {
		var got []int
		out := make([]int, m)
		for i := 0; ; {
			n := Byte(b, i, '\n', out)
			got = append(got, out[:n]...)
			if n < m {
				break
			}
			i = out[n-1] + 1
		}
		if !equal(got, want) {
			t.Fatalf("out of %d: %d matches, want %d", m, len(got), len(want))
		}
	}
}

func BenchmarkByte(b *testing.B) {
	data := bytes.Repeat([]byte(strings64()), 64)
	var out [64]int
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for i := 0; ; {
			n := Byte(data, i, '\n', out[:])
			if n < len(out) {
				break
			}
			i = out[n-1] + 1
		}
	}
}

func strings64() string {
	return "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n"
}

// TestBytePanics checks that an offset beyond b panics.
func TestBytePanics(t *testing.T) {
	for _, i := range []int{-1, 4} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Byte(3 bytes, %d, ...) did not panic", i)
				}
			}()
			Byte([]byte("a\nb"), i, '\n', make([]int, 2))
		}()
	}
}
