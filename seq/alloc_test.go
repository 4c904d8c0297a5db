package seq_test

import (
	"bytes"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/seq"
)

// Sinks keep the compiler from dropping the measured calls.
var (
	sinkInt  int
	sinkSeq  seq.Sequence
	sinkPos  seq.Position
	sinkU64  uint64
	sinkBool bool
)

// allocInput is multi-segment input for the allocation tests: lines of
// "key: value\r\n" records cut every 7 bytes, with empty segments mixed in,
// and some uvarints and fixed-width integers straddling boundaries at the end.
func allocInput() (seq.Sequence, int) {
	var b []byte
	for i := 0; i < 20; i++ {
		b = append(b, "key: value, more\r\n"...)
	}
	tail := len(b)
	for i := 0; i < 10; i++ {
		b = append(b, 0xde, 0xad, 0xbe, 0xef)
		b = append(b, "\xff\xff\xff\x7f"...) // a 4-byte uvarint
	}
	var cuts []int
	for c := 0; c <= len(b); c += 7 {
		cuts = append(cuts, c, c)
	}
	return segtest.Split(b, cuts...), tail
}

func assertNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(100, f); n != 0 {
		t.Errorf("%s: %v allocations per run, want 0", name, n)
	}
}

func TestNoAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation changes allocations")
	}
	s, tail := allocInput()
	if s.IsSingleSegment() {
		t.Fatal("input is a single segment")
	}
	n := s.Len()
	crlf := []byte("\r\n")
	longSep := []byte("value, more\r\nkey")
	dst := make([]byte, n)
	app := make([]byte, 0, n+10)

	assertNoAllocs(t, "Len", func() { sinkInt = s.Len() })
	assertNoAllocs(t, "Slice", func() { sinkSeq = s.Slice(3, n-5) })
	assertNoAllocs(t, "From", func() { sinkSeq = s.From(n / 2) })
	assertNoAllocs(t, "PosAt", func() { sinkPos = s.PosAt(n - 3) })
	assertNoAllocs(t, "OffsetOf", func() { sinkInt = s.OffsetOf(s.End()) })
	assertNoAllocs(t, "IndexByte", func() { sinkInt = s.IndexByte(0xef) })
	assertNoAllocs(t, "IndexAny", func() { sinkInt = s.IndexAny("\xef#") })
	assertNoAllocs(t, "IndexAny ASCII", func() { sinkInt = s.IndexAny("#\x7f") })
	assertNoAllocs(t, "Index", func() { sinkInt = s.Index([]byte{0xad, 0xbe, 0xef}) })
	assertNoAllocs(t, "Index long", func() { sinkInt = s.From(20).Index(longSep) })
	assertNoAllocs(t, "HasPrefix", func() { sinkBool = s.HasPrefix([]byte("key: value")) })
	assertNoAllocs(t, "CopyTo", func() { sinkInt = s.CopyTo(dst) })
	assertNoAllocs(t, "AppendTo", func() { sinkInt = len(s.AppendTo(app[:0])) })
	assertNoAllocs(t, "Chunks", func() {
		k := 0
		for c := range s.Chunks() {
			k += len(c)
		}
		sinkInt = k
	})
	assertNoAllocs(t, "Chunks break", func() {
		for c := range s.Chunks() {
			if len(c) > 0 {
				sinkInt = len(c)
				break
			}
		}
	})
	assertNoAllocs(t, "Reader.ReadTo", func() {
		r := seq.NewReader(s.Slice(0, tail))
		k := 0
		for {
			line, ok := r.ReadTo('\n')
			if !ok {
				break
			}
			k += line.Len()
		}
		sinkInt = k
	})
	assertNoAllocs(t, "Reader.ReadToDelim", func() {
		r := seq.NewReader(s.Slice(0, tail))
		k := 0
		for {
			line, ok := r.ReadToDelim(crlf)
			if !ok {
				break
			}
			k += line.Len()
		}
		sinkInt = k
	})
	assertNoAllocs(t, "Reader.ReadToAny", func() {
		r := seq.NewReader(s.Slice(0, tail))
		for {
			if _, _, ok := r.ReadToAny(",\n"); !ok {
				break
			}
		}
		sinkInt = r.Consumed()
	})
	assertNoAllocs(t, "Reader.ReadUint32BE", func() {
		r := seq.NewReader(s.From(tail))
		var sum uint64
		for !r.AtEnd() {
			v, _ := r.ReadUint32BE()
			sum += uint64(v)
		}
		sinkU64 = sum
	})
	assertNoAllocs(t, "Reader.ReadUint64LE", func() {
		r := seq.NewReader(s.From(tail + 3))
		v, _ := r.ReadUint64LE()
		sinkU64 = v
	})
	assertNoAllocs(t, "Reader.ReadUvarint", func() {
		r := seq.NewReader(s.From(tail))
		var sum uint64
		for !r.AtEnd() {
			r.Advance(4)
			v, err := r.ReadUvarint()
			if err != nil {
				panic(err)
			}
			sum += v
		}
		sinkU64 = sum
	})
	assertNoAllocs(t, "Reader.Advance/Rewind", func() {
		r := seq.NewReader(s)
		r.Advance(n - 1)
		r.Rewind(n - 5)
		r.Advance(10)
		r.Rewind(3)
		sinkInt = r.Consumed()
	})
	assertNoAllocs(t, "Reader.ReadN/PeekInto", func() {
		r := seq.NewReader(s)
		var buf [16]byte
		sinkBool = r.PeekInto(buf[:])
		sinkSeq, sinkBool = r.ReadN(40)
	})
	// Sanity: the measured calls did what they should.
	if !bytes.Equal(dst, s.Bytes()) {
		t.Fatalf("CopyTo copied wrong bytes")
	}
}
