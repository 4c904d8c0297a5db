package websocket

import (
	"bytes"
	"fmt"
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

// xorImpl is an unmasking routine under test, with xorKey's contract.
type xorImpl struct {
	name string
	f    func(dst, src []byte, key [4]byte, pos uint64)
}

// xorImpls are the unmasking routines of this build: xorKey and the word
// loop everywhere, and on amd64 without purego each assembly routine the
// CPU runs, called at every length (mask_amd64_test.go adds them).
var xorImpls = []xorImpl{{"xorKey", xorKey}, {"go", xorKeyGo}}

// checkXOR runs every routine of xorImpls on src at payload offset pos,
// copying into a buffer at dstOff bytes from its start and in place, and
// compares each result with the byte-at-a-time rule of RFC 6455 section
// 5.3; the bytes around the destination must stay untouched.
func checkXOR(t *testing.T, src []byte, key [4]byte, pos uint64, dstOff int) {
	t.Helper()
	want := make([]byte, len(src))
	for i := range want {
		want[i] = src[i] ^ key[(pos+uint64(i))&3]
	}
	const guard = 0xa5
	for _, x := range xorImpls {
		buf := bytes.Repeat([]byte{guard}, dstOff+len(src)+40)
		dst := buf[dstOff : dstOff+len(src)]
		x.f(dst, src, key, pos)
		if !bytes.Equal(dst, want) {
			t.Fatalf("%s: len %d pos %d dst offset %d: copy differs from the bytewise rule", x.name, len(src), pos, dstOff)
		}
		for i, c := range buf {
			if (i < dstOff || i >= dstOff+len(src)) && c != guard {
				t.Fatalf("%s: len %d pos %d dst offset %d: wrote byte %d outside dst", x.name, len(src), pos, dstOff, i-dstOff)
			}
		}
		copy(dst, src)
		x.f(dst, dst, key, pos)
		if !bytes.Equal(dst, want) {
			t.Fatalf("%s: len %d pos %d dst offset %d: in place differs from the bytewise rule", x.name, len(src), pos, dstOff)
		}
	}
}

// TestXORImpls checks every unmasking routine of the build against the
// bytewise rule at every length 0..300, from every key rotation, with the
// source and the destination at every start modulo 32 of a pair of
// buffers (unaligned loads and stores), and at random lengths to 70 KiB.
func TestXORImpls(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	key := [4]byte{0x9e, 0x01, 0xf7, 0x5c}
	big := randBytes(rng, 70<<10+64)
	for n := range 301 {
		for pos := range uint64(4) {
			off := int(pos)*7 + n%32
			checkXOR(t, big[off:off+n], key, pos, (n*5+int(pos))%32)
		}
	}
	for srcOff := range 32 {
		for dstOff := range 32 {
			checkXOR(t, big[srcOff:srcOff+256+srcOff+dstOff], key, uint64(dstOff), dstOff)
		}
	}
	for range 200 {
		n := rng.IntN(70 << 10)
		if rng.IntN(4) == 0 {
			n = rng.IntN(1024)
		}
		off := rng.IntN(64)
		k := rng.Uint32()
		key = [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
		checkXOR(t, big[off:off+n], key, rng.Uint64(), rng.IntN(64))
	}
}

// FuzzXOR checks every unmasking routine of the build against the
// bytewise rule on fuzzed bytes, key, payload offset and alignments.
func FuzzXOR(f *testing.F) {
	f.Add([]byte("Hello"), uint32(0x3d21fa37), uint64(0), uint8(0), uint8(0))
	f.Add(bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), 40), uint32(0x01020304), uint64(3), uint8(1), uint8(31))
	f.Add(make([]byte, 4099), uint32(0xffffffff), uint64(1<<40+2), uint8(17), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, k uint32, pos uint64, srcOff, dstOff uint8) {
		key := [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
		src := append(make([]byte, srcOff%64), data...)[srcOff%64:]
		checkXOR(t, src, key, pos, int(dstOff%64))
	})
}

// BenchmarkXOR unmasks in place, and copying as Frame.AppendData does,
// with every routine of the build at payload sizes of the benchmark stream.
func BenchmarkXOR(b *testing.B) {
	key := [4]byte{0x9e, 0x01, 0xf7, 0x5c}
	for _, n := range []int{100, 1 << 10, 32 << 10} {
		// Unaligned as pipe segments and a buffer's later parts are.
		src := make([]byte, n+1)[1:]
		dst := make([]byte, n+5)[5:]
		for _, x := range xorImpls {
			b.Run(fmt.Sprintf("%s/inplace/%d", x.name, n), func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					x.f(src, src, key, 1)
				}
			})
			b.Run(fmt.Sprintf("%s/copy/%d", x.name, n), func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					x.f(dst, src, key, 1)
				}
			})
		}
	}
}
