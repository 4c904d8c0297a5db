package websocket

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/seq"
)

// TestXORWords checks the word-wise unmasking against the byte-wise rule
// of RFC 6455 section 5.3 at every length up to a few words past the
// unrolled loop, from every key offset, in place and copying, and through
// AppendData over payloads cut into random segments.
func TestXORWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	src := randBytes(rng, 300)
	for n := range len(src) {
		for pos := range uint64(4) {
			want := make([]byte, n)
			for i := range want {
				want[i] = src[i] ^ key[(pos+uint64(i))&3]
			}
			got := make([]byte, n+3)
			xorKey(got, src[:n], key, pos)
			if !bytes.Equal(got[:n], want) || !bytes.Equal(got[n:], []byte{0, 0, 0}) {
				t.Fatalf("len %d pos %d: copy %x, want %x", n, pos, got, want)
			}
			in := bytes.Clone(src[:n])
			Unmask(in, key, pos)
			if !bytes.Equal(in, want) {
				t.Fatalf("len %d pos %d: in place %x, want %x", n, pos, in, want)
			}
			// The same bytes as a part at payload offset pos+4k, in
			// segments of random sizes, after bytes already in dst.
			var parts [][]byte
			for rest := src[:n]; len(rest) > 0; {
				k := min(len(rest), 1+rng.IntN(80))
				parts, rest = append(parts, rest[:k]), rest[k:]
			}
			f := Frame{Header: Header{Masked: true, Key: key}, Data: seq.Chain(parts...), Pos: pos + 4*uint64(rng.IntN(100))}
			out := f.AppendData([]byte("head"))
			if !bytes.Equal(out[:4], []byte("head")) || !bytes.Equal(out[4:], want) {
				t.Fatalf("len %d pos %d in %d segments: %x, want %x", n, pos, len(parts), out[4:], want)
			}
		}
	}
}
