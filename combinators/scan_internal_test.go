package combinators

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// runClasses are byte classes of real grammars and random ones, with the
// empty and the full class.
func runClasses() map[string]*byteTable {
	r := rand.New(rand.NewPCG(1, 2))
	classes := map[string]*byteTable{
		"value":  tableOf(func(b byte) bool { return b == '\t' || 0x20 <= b && b <= 0x7e || b >= 0x80 }),
		"target": tableOf(func(b byte) bool { return 0x21 <= b && b <= 0x7e }),
		"token": tableOf(func(b byte) bool {
			return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
				b == '!' || b == '#' || b == '-' || b == '.' || b == '_' || b == '~'
		}),
		"not CRLF": tableOf(func(b byte) bool { return b != '\r' && b != '\n' }),
		"not NUL":  tableOf(func(b byte) bool { return b != 0 }),
		"digits":   tableOf(func(b byte) bool { return '0' <= b && b <= '9' }),
		"ascii":    tableOf(func(b byte) bool { return b < 0x80 }),
		"high":     tableOf(func(b byte) bool { return b >= 0x40 }),
		"none":     tableOf(func(byte) bool { return false }),
		"all":      tableOf(func(byte) bool { return true }),
	}
	for k := range 20 {
		p := r.Float64()
		t := tableOf(func(byte) bool { return r.Float64() < p })
		classes["random"+string(rune('a'+k))] = t
	}
	return classes
}

// TestRunSetFlagsEveryStop: a word that holds a byte outside the class, at
// any position, among any bytes, is flagged, so the eight-byte test never
// skips the end of a run.
func TestRunSetFlagsEveryStop(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, tb := range runClasses() {
		rs := newRunSet(tb)
		if !rs.swar {
			continue
		}
		for s := range 256 {
			if tb[s] {
				continue
			}
			for pos := range 8 {
				for range 64 {
					var w [8]byte
					for k := range w {
						w[k] = byte(r.IntN(256))
					}
					w[pos] = byte(s)
					if !rs.flags(binary.LittleEndian.Uint64(w[:])) {
						t.Fatalf("%s: stop %#x at %d in % x not flagged", name, s, pos, w)
					}
				}
			}
		}
	}
}

// TestRunSetEnd: the end of a run is the table's, from every start, in
// inputs of every length made of the class's own bytes and its stops.
func TestRunSetEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	swar := 0
	for name, tb := range runClasses() {
		rs := newRunSet(tb)
		if rs.swar {
			swar++
		}
		var in, out []byte
		for b := range 256 {
			if tb[b] {
				in = append(in, byte(b))
			} else {
				out = append(out, byte(b))
			}
		}
		for n := range 70 {
			for range 20 {
				b := make([]byte, n)
				for k := range b {
					if len(out) > 0 && (len(in) == 0 || r.IntN(n+1) == 0) {
						b[k] = out[r.IntN(len(out))]
					} else {
						b[k] = in[r.IntN(len(in))]
					}
				}
				for i := 0; i <= n; i++ {
					want := i
					for want < n && tb[b[want]] {
						want++
					}
					if got := rs.end(b, i); got != want {
						t.Fatalf("%s: end(% x, %d) = %d, want %d", name, b, i, got, want)
					}
				}
			}
		}
	}
	if swar < 5 {
		t.Errorf("only %d classes scanned eight bytes at a time", swar)
	}
}
