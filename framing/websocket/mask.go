package websocket

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// Unmask XORs b in place with the masking key, b being the payload bytes
// from offset pos of a frame's payload (RFC 6455 section 5.3). Masking and
// unmasking are the same operation: Unmask also masks.
//
// The payload a [Decoder] delivers is read-only pipe memory: copy it
// first (seq.Sequence.AppendTo), or let [Frame.AppendData] copy and
// unmask in one pass.
func Unmask(b []byte, key [4]byte, pos uint64) { xorKey(b, b, key, pos) }

// keyWord is the masking key rotated to payload offset pos and repeated
// in a word: the little-endian word to XOR with the eight payload bytes
// from any offset congruent to pos modulo 4.
func keyWord(key [4]byte, pos uint64) uint64 {
	k32 := bits.RotateLeft32(binary.LittleEndian.Uint32(key[:]), -8*int(pos&3))
	return uint64(k32) | uint64(k32)<<32
}

// xorKeyGo writes src XOR the key, from payload offset pos, to dst
// (len(dst) >= len(src)); dst and src may be the same memory, not
// otherwise overlap. It works eight bytes at a time with the key repeated
// in a word, so it needs no key-expanded buffer: a frame's key, new in
// every frame a client sends, costs nothing to set up. xorKey uses it on
// every architecture but amd64, and on amd64 for short payloads and with
// the purego build tag.
func xorKeyGo(dst, src []byte, key [4]byte, pos uint64) { xorWords(dst, src, keyWord(key, pos)) }

// xorWords writes src XOR k64, a key word of keyWord, to dst: xorKeyGo's
// loop.
func xorWords(dst, src []byte, k64 uint64) {
	k32 := uint32(k64)
	n := len(src)
	dst = dst[:n]
	i := 0
	for ; i <= n-64; i += 64 {
		s, d := src[i:i+64:i+64], dst[i:i+64:i+64]
		binary.LittleEndian.PutUint64(d[0:], binary.LittleEndian.Uint64(s[0:])^k64)
		binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:])^k64)
		binary.LittleEndian.PutUint64(d[16:], binary.LittleEndian.Uint64(s[16:])^k64)
		binary.LittleEndian.PutUint64(d[24:], binary.LittleEndian.Uint64(s[24:])^k64)
		binary.LittleEndian.PutUint64(d[32:], binary.LittleEndian.Uint64(s[32:])^k64)
		binary.LittleEndian.PutUint64(d[40:], binary.LittleEndian.Uint64(s[40:])^k64)
		binary.LittleEndian.PutUint64(d[48:], binary.LittleEndian.Uint64(s[48:])^k64)
		binary.LittleEndian.PutUint64(d[56:], binary.LittleEndian.Uint64(s[56:])^k64)
	}
	for ; i <= n-8; i += 8 {
		binary.LittleEndian.PutUint64(dst[i:i+8], binary.LittleEndian.Uint64(src[i:i+8])^k64)
	}
	if i <= n-4 {
		binary.LittleEndian.PutUint32(dst[i:i+4], binary.LittleEndian.Uint32(src[i:i+4])^k32)
		i += 4
	}
	for ; i < n; i++ {
		dst[i] = src[i] ^ byte(k32)
		k32 >>= 8
	}
}

// AppendData appends the part's payload bytes, unmasked, to dst and
// returns the extended buffer: one pass over the bytes, copying and
// unmasking together.
func (f *Frame) AppendData(dst []byte) []byte {
	if !f.Header.Masked {
		return f.Data.AppendTo(dst)
	}
	n, total := len(dst), f.Data.Len()
	dst = slices.Grow(dst, total)[:n+total]
	if f.Data.IsSingleSegment() {
		xorKey(dst[n:], f.Data.First(), f.Header.Key, f.Pos)
		return dst
	}
	pos := f.Pos
	for c := range f.Data.Chunks() {
		xorKey(dst[n:], c, f.Header.Key, pos)
		n += len(c)
		pos += uint64(len(c))
	}
	return dst
}
