package websocket

import "encoding/binary"

// Unmask XORs b in place with the masking key, b being the payload bytes
// from offset pos of a frame's payload (RFC 6455 section 5.3). Masking and
// unmasking are the same operation: Unmask also masks.
//
// The payload a [Decoder] delivers is read-only pipe memory: copy it
// first (seq.Sequence.AppendTo, or [Frame.AppendData], which does both).
func Unmask(b []byte, key [4]byte, pos uint64) {
	k := [4]byte{key[pos&3], key[(pos+1)&3], key[(pos+2)&3], key[(pos+3)&3]}
	if len(b) >= 8 {
		k32 := uint64(binary.LittleEndian.Uint32(k[:]))
		k64 := k32 | k32<<32
		for len(b) >= 8 {
			binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
			b = b[8:]
		}
	}
	for i := range b {
		b[i] ^= k[i&3]
	}
}
