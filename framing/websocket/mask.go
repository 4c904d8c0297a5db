package websocket

import (
	"crypto/subtle"
	"encoding/binary"
	"slices"
)

// Unmask XORs b in place with the masking key, b being the payload bytes
// from offset pos of a frame's payload (RFC 6455 section 5.3). Masking and
// unmasking are the same operation: Unmask also masks.
//
// The payload a [Decoder] delivers is read-only pipe memory: copy it
// first (seq.Sequence.AppendTo), or let [Frame.AppendData] copy and
// unmask in one pass.
func Unmask(b []byte, key [4]byte, pos uint64) {
	var pat *pattern
	if len(b) >= minPattern {
		pat = new(pattern) // on the stack: it does not escape
		pat.fill(key)
	}
	xorKey(b, b, key, pat, pos)
}

// patternSize is the length of the blocks that long payloads are XORed
// in, with the key repeated, by crypto/subtle's vectorised XORBytes.
const patternSize = 4096

// minPattern is the shortest payload XORed by crypto/subtle rather than
// eight bytes at a time.
const minPattern = 256

// pattern is the key repeated over patternSize bytes and 3 more, so that
// pat[r:r+patternSize] is the key rotated by r.
type pattern [patternSize + 4]byte

func (p *pattern) fill(key [4]byte) {
	copy(p[:], key[:])
	for n := 4; n < len(p); n *= 2 {
		copy(p[n:], p[:n])
	}
}

// keyPattern is a pattern and the key it repeats, kept by a Decoder so
// that the parts of a frame, and frames with the same key, share it.
type keyPattern struct {
	pat pattern
	key [4]byte
	ok  bool
}

func (k *keyPattern) get(key [4]byte) *pattern {
	if !k.ok || k.key != key {
		k.pat.fill(key)
		k.key, k.ok = key, true
	}
	return &k.pat
}

// xorKey writes src XOR the key, from payload offset pos, to dst (len(dst)
// >= len(src)); dst and src may be the same memory, not otherwise overlap.
// pat is the key's pattern, needed (non-nil) if len(src) >= minPattern.
func xorKey(dst, src []byte, key [4]byte, pat *pattern, pos uint64) {
	k := [4]byte{key[pos&3], key[(pos+1)&3], key[(pos+2)&3], key[(pos+3)&3]}
	k32 := uint64(binary.LittleEndian.Uint32(k[:]))
	k64 := k32 | k32<<32
	dst = dst[:len(src)]
	if len(src) >= minPattern {
		p := pat[pos&3:][:patternSize]
		for len(src) >= patternSize {
			subtle.XORBytes(dst[:patternSize], src[:patternSize], p)
			dst, src = dst[patternSize:], src[patternSize:]
		}
		if len(src) >= minPattern {
			m := len(src) &^ 7
			subtle.XORBytes(dst[:m], src[:m], p[:m])
			dst, src = dst[m:], src[m:]
		}
	}
	n := len(src)
	i := 0
	for ; i+32 <= n; i += 32 {
		s, d := src[i:i+32:i+32], dst[i:i+32:i+32]
		binary.LittleEndian.PutUint64(d[0:], binary.LittleEndian.Uint64(s[0:])^k64)
		binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:])^k64)
		binary.LittleEndian.PutUint64(d[16:], binary.LittleEndian.Uint64(s[16:])^k64)
		binary.LittleEndian.PutUint64(d[24:], binary.LittleEndian.Uint64(s[24:])^k64)
	}
	for ; i+8 <= n; i += 8 {
		binary.LittleEndian.PutUint64(dst[i:i+8], binary.LittleEndian.Uint64(src[i:i+8])^k64)
	}
	if i+4 <= n {
		binary.LittleEndian.PutUint32(dst[i:i+4], binary.LittleEndian.Uint32(src[i:i+4])^uint32(k32))
		i += 4
	}
	for ; i < n; i++ {
		dst[i] = src[i] ^ k[i&3]
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
	var pat *pattern
	switch {
	case total < minPattern:
	case f.pat != nil:
		pat = f.pat.get(f.Header.Key)
	default:
		pat = new(pattern)
		pat.fill(f.Header.Key)
	}
	pos := f.Pos
	if f.Data.IsSingleSegment() {
		xorKey(dst[n:], f.Data.First(), f.Header.Key, pat, pos)
		return dst
	}
	for c := range f.Data.Chunks() {
		xorKey(dst[n:], c, f.Header.Key, pat, pos)
		n += len(c)
		pos += uint64(len(c))
	}
	return dst
}
