package seq_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"testing"
	"testing/iotest"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

// checkAt fails unless the reader stands at offset pos of ref.
func checkAt(t *testing.T, r *seq.Reader, ref []byte, pos int) {
	t.Helper()
	if r.Consumed() != pos || r.Remaining() != len(ref)-pos || r.AtEnd() != (pos == len(ref)) {
		t.Fatalf("reader at Consumed %d Remaining %d AtEnd %v, want offset %d of %d",
			r.Consumed(), r.Remaining(), r.AtEnd(), pos, len(ref))
	}
	s := r.Sequence()
	if got := s.OffsetOf(r.Position()); got != pos {
		t.Fatalf("OffsetOf(Position()) = %d, want %d", got, pos)
	}
	if got := r.Rest(); !got.Equal(ref[pos:]) {
		t.Fatalf("Rest() = %q, want %q", got, ref[pos:])
	}
	span := r.Span()
	if !bytes.HasPrefix(ref[pos:], span) || (len(span) == 0) != (pos == len(ref)) {
		t.Fatalf("Span() = %q at offset %d of %q", span, pos, ref)
	}
	b, ok := r.Peek()
	if ok != (pos < len(ref)) || (ok && b != ref[pos]) {
		t.Fatalf("Peek() = %q, %v at offset %d", b, ok, pos)
	}
}

func TestReaderReadByte(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		r := seq.NewReader(s)
		if r.Sequence() != s {
			t.Fatalf("Sequence() differs from the reader's sequence")
		}
		for i := range ref {
			checkAt(t, &r, ref, i)
			b, err := r.ReadByte()
			if err != nil || b != ref[i] {
				t.Fatalf("ReadByte at %d = %q, %v, want %q", i, b, err, ref[i])
			}
		}
		checkAt(t, &r, ref, len(ref))
		if b, err := r.ReadByte(); err != io.EOF {
			t.Fatalf("ReadByte at the end = %q, %v, want io.EOF", b, err)
		}
		var _ io.ByteReader = &r
	})
}

func TestReaderRead(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		r := seq.NewReader(s)
		if err := iotest.TestReader(&r, ref); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 2, 3, 7, 64, 1000} {
			r := seq.NewReader(s)
			var got []byte
			buf := make([]byte, size)
			for {
				n, err := r.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil || n == 0 {
					t.Fatalf("Read(%d-byte buf) = %d, %v", size, n, err)
				}
				checkAt(t, &r, ref, len(got))
			}
			if !bytes.Equal(got, ref) {
				t.Fatalf("Read(%d-byte buf) loop got %q, want %q", size, got, ref)
			}
			if n, err := r.Read(nil); n != 0 || err != nil {
				t.Fatalf("Read(nil) = %d, %v", n, err)
			}
		}
	})
}

func TestReaderAdvanceRewind(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		for _, rg := range ranges(n) {
			a, b := rg[1], rg[0] // advance to a, then rewind to b <= a
			r := seq.NewReader(s)
			r.Advance(a)
			checkAt(t, &r, ref, a)
			r.Rewind(a - b)
			checkAt(t, &r, ref, b)
			if b < n {
				if c, err := r.ReadByte(); err != nil || c != ref[b] {
					t.Fatalf("after Advance(%d) Rewind(%d): ReadByte = %q, %v, want %q", a, a-b, c, err, ref[b])
				}
				r.Rewind(1)
			}
			// Step forward and back one byte at a time across boundaries.
			for i := b; i < n; i++ {
				r.Advance(1)
			}
			checkAt(t, &r, ref, n)
			for i := n; i > b; i-- {
				r.Rewind(1)
				checkAt(t, &r, ref, i-1)
			}
			r.Advance(0)
			r.Rewind(0)
			checkAt(t, &r, ref, b)
			r.Reset()
			checkAt(t, &r, ref, 0)
		}
	})
}

func TestReaderPeekIntoReadN(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, rg := range ranges(len(ref)) {
			pos, end := rg[0], rg[1]
			for _, k := range []int{0, 1, 2, end - pos, end - pos + 1, len(ref) - pos, len(ref) - pos + 1} {
				r := seq.NewReader(s)
				r.Advance(pos)
				ok := pos+k <= len(ref)
				dst := bytes.Repeat([]byte{'#'}, k)
				if got := r.PeekInto(dst); got != ok || (ok && !bytes.Equal(dst, ref[pos:pos+k])) {
					t.Fatalf("at %d PeekInto(%d) = %v, %q", pos, k, got, dst)
				}
				if !ok && !bytes.Equal(dst, bytes.Repeat([]byte{'#'}, k)) {
					t.Fatalf("at %d failed PeekInto(%d) wrote %q", pos, k, dst)
				}
				checkAt(t, &r, ref, pos)
				sub, got := r.ReadN(k)
				if got != ok {
					t.Fatalf("at %d ReadN(%d) ok = %v", pos, k, got)
				}
				if !ok {
					checkAt(t, &r, ref, pos)
					continue
				}
				if !sub.Equal(ref[pos : pos+k]) {
					t.Fatalf("at %d ReadN(%d) = %q, want %q", pos, k, sub, ref[pos:pos+k])
				}
				checkAt(t, &r, ref, pos+k)
				if off := s.OffsetOf(sub.Start()); off != pos {
					t.Fatalf("ReadN result starts at %d, want %d", off, pos)
				}
			}
			r := seq.NewReader(s)
			r.Advance(pos)
			if _, ok := r.ReadN(-1); ok {
				t.Fatalf("ReadN(-1) succeeded")
			}
			checkAt(t, &r, ref, pos)
		}
	})
}

func TestReaderIsNextSkipPrefix(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, rg := range ranges(len(ref)) {
			pos, end := rg[0], rg[1]
			for _, p := range [][]byte{nil, ref[pos:end], ref[pos:], append(bytes.Clone(ref[pos:]), 'x'), []byte("\r\n"), []byte("ab")} {
				want := bytes.HasPrefix(ref[pos:], p)
				r := seq.NewReader(s)
				r.Advance(pos)
				if got := r.IsNext(p); got != want {
					t.Fatalf("at %d IsNext(%q) = %v, want %v", pos, p, got, want)
				}
				checkAt(t, &r, ref, pos)
				if got := r.SkipPrefix(p); got != want {
					t.Fatalf("at %d SkipPrefix(%q) = %v, want %v", pos, p, got, want)
				}
				if want {
					checkAt(t, &r, ref, pos+len(p))
				} else {
					checkAt(t, &r, ref, pos)
				}
			}
		}
	})
}

// splitRef is the flat model of a ReadTo loop: the pieces before each
// delimiter found by index, and the unread rest.
func splitRef(ref []byte, index func([]byte) int, dlen int) (pieces [][]byte, rest []byte) {
	for {
		j := index(ref)
		if j < 0 {
			return pieces, ref
		}
		pieces = append(pieces, ref[:j])
		ref = ref[j+dlen:]
	}
}

func TestReaderReadTo(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, c := range byteProbes(ref) {
			want, rest := splitRef(ref, func(b []byte) int { return bytes.IndexByte(b, c) }, 1)
			r := seq.NewReader(s)
			pos := 0
			for i := 0; ; i++ {
				piece, ok := r.ReadTo(c)
				if !ok {
					if i != len(want) {
						t.Fatalf("ReadTo(%q): %d pieces, want %d", c, i, len(want))
					}
					break
				}
				if i >= len(want) || !piece.Equal(want[i]) {
					t.Fatalf("ReadTo(%q) piece %d = %q, want %q", c, i, piece, want)
				}
				if off := s.OffsetOf(piece.Start()); off != pos {
					t.Fatalf("ReadTo(%q) piece %d starts at %d, want %d", c, i, off, pos)
				}
				pos += len(want[i]) + 1
				checkAt(t, &r, ref, pos)
			}
			checkAt(t, &r, ref, len(ref)-len(rest))
		}
	})
}

func TestReaderReadToAny(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, chars := range anySets {
			r := seq.NewReader(s)
			pos := 0
			for {
				j := indexAnyRef(ref[pos:], chars)
				piece, d, ok := r.ReadToAny(chars)
				if ok != (j >= 0) {
					t.Fatalf("at %d ReadToAny(%q) ok = %v, reference index %d", pos, chars, ok, j)
				}
				if !ok {
					checkAt(t, &r, ref, pos)
					break
				}
				if !piece.Equal(ref[pos:pos+j]) || d != ref[pos+j] {
					t.Fatalf("at %d ReadToAny(%q) = %q, %q, want %q, %q", pos, chars, piece, d, ref[pos:pos+j], ref[pos+j])
				}
				pos += j + 1
				checkAt(t, &r, ref, pos)
			}
		}
	})
}

func TestReaderReadToDelim(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, delim := range sepProbes(ref) {
			if len(delim) == 0 {
				r := seq.NewReader(s)
				if piece, ok := r.ReadToDelim(nil); !ok || piece.Len() != 0 || r.Consumed() != 0 {
					t.Fatalf("ReadToDelim(nil) = %q, %v, consumed %d", piece, ok, r.Consumed())
				}
				continue
			}
			want, rest := splitRef(ref, func(b []byte) int { return bytes.Index(b, delim) }, len(delim))
			r := seq.NewReader(s)
			pos := 0
			for i := 0; ; i++ {
				piece, ok := r.ReadToDelim(delim)
				if !ok {
					if i != len(want) {
						t.Fatalf("ReadToDelim(%q): %d pieces, want %d", delim, i, len(want))
					}
					break
				}
				if i >= len(want) || !piece.Equal(want[i]) {
					t.Fatalf("ReadToDelim(%q) piece %d = %q, want %q", delim, i, piece, want)
				}
				pos += len(want[i]) + len(delim)
				checkAt(t, &r, ref, pos)
			}
			checkAt(t, &r, ref, len(ref)-len(rest))
		}
	})
}

// TestReadToStraddling places a delimiter across every segment boundary.
func TestReadToStraddling(t *testing.T) {
	ref := []byte("key: value\r\nnext\r\n\r\nend")
	forEachOf(t, "crlf", ref, func(t *testing.T, ref []byte, s seq.Sequence) {
		r := seq.NewReader(s)
		for _, want := range []string{"key: value", "next", ""} {
			got, ok := r.ReadToDelim([]byte("\r\n"))
			if !ok || got.String() != want {
				t.Fatalf("ReadToDelim = %q, %v, want %q", got, ok, want)
			}
		}
		if got, ok := r.ReadToDelim([]byte("\r\n")); ok {
			t.Fatalf("ReadToDelim found %q in %q", got, "end")
		}
		if r.Rest().String() != "end" {
			t.Fatalf("rest %q", r.Rest())
		}
		r.Reset()
		if got, ok := r.ReadTo(':'); !ok || got.String() != "key" {
			t.Fatalf("ReadTo(':') = %q, %v", got, ok)
		}
		if !r.SkipPrefix([]byte(" value\r")) || !r.IsNext([]byte("\nnext")) {
			t.Fatalf("SkipPrefix/IsNext across segments failed at %d", r.Consumed())
		}
	})
}

// intData is input for the fixed-width readers: every offset is tried.
var intData = []byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\xfa\xfb\xfc\xfd\xfe\xff\x00\x80\x7f")

func TestReaderInts(t *testing.T) {
	type op struct {
		name string
		size int
		read func(r *seq.Reader) (uint64, bool)
		ref  func(b []byte) uint64
	}
	ops := []op{
		{"Uint16BE", 2, func(r *seq.Reader) (uint64, bool) { v, ok := r.ReadUint16BE(); return uint64(v), ok },
			func(b []byte) uint64 { return uint64(binary.BigEndian.Uint16(b)) }},
		{"Uint16LE", 2, func(r *seq.Reader) (uint64, bool) { v, ok := r.ReadUint16LE(); return uint64(v), ok },
			func(b []byte) uint64 { return uint64(binary.LittleEndian.Uint16(b)) }},
		{"Uint32BE", 4, func(r *seq.Reader) (uint64, bool) { v, ok := r.ReadUint32BE(); return uint64(v), ok },
			func(b []byte) uint64 { return uint64(binary.BigEndian.Uint32(b)) }},
		{"Uint32LE", 4, func(r *seq.Reader) (uint64, bool) { v, ok := r.ReadUint32LE(); return uint64(v), ok },
			func(b []byte) uint64 { return uint64(binary.LittleEndian.Uint32(b)) }},
		{"Uint64BE", 8, func(r *seq.Reader) (uint64, bool) { return r.ReadUint64BE() },
			func(b []byte) uint64 { return binary.BigEndian.Uint64(b) }},
		{"Uint64LE", 8, func(r *seq.Reader) (uint64, bool) { return r.ReadUint64LE() },
			func(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }},
	}
	forEachOf(t, "ints", intData, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, o := range ops {
			for pos := 0; pos <= len(ref); pos++ {
				r := seq.NewReader(s)
				r.Advance(pos)
				v, ok := o.read(&r)
				if pos+o.size > len(ref) {
					if ok {
						t.Fatalf("%s at %d of %d succeeded", o.name, pos, len(ref))
					}
					checkAt(t, &r, ref, pos)
					continue
				}
				if want := o.ref(ref[pos:]); !ok || v != want {
					t.Fatalf("%s at %d = %#x, %v, want %#x", o.name, pos, v, ok, want)
				}
				checkAt(t, &r, ref, pos+o.size)
			}
		}
		// A run of reads over the whole input.
		r := seq.NewReader(s)
		a, _ := r.ReadUint16BE()
		b, _ := r.ReadUint32LE()
		c, _ := r.ReadUint64BE()
		d, ok := r.ReadUint32BE()
		if a != 0x0102 || b != 0x06050403 || c != 0x0708_09fa_fbfc_fdfe || d != 0xff00807f || !ok || !r.AtEnd() {
			t.Fatalf("sequence of reads = %#x %#x %#x %#x %v", a, b, c, d, ok)
		}
	})
}

var uvarints = []uint64{0, 1, 127, 128, 255, 300, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<32 - 1, 1 << 35, 1<<56 + 3, 1<<63 - 1, 1 << 63, math.MaxUint64}
var varints = []int64{0, 1, -1, 63, -64, 64, -65, 8191, -8192, 1 << 40, -(1 << 40), math.MaxInt64, math.MinInt64}

func TestReaderVarintRoundTrip(t *testing.T) {
	var enc []byte
	for _, v := range uvarints {
		enc = binary.AppendUvarint(enc, v)
	}
	for _, v := range varints {
		enc = binary.AppendVarint(enc, v)
	}
	forEachOf(t, "varints", enc, func(t *testing.T, ref []byte, s seq.Sequence) {
		r := seq.NewReader(s)
		pos := 0
		for _, want := range uvarints {
			got, err := r.ReadUvarint()
			if err != nil || got != want {
				t.Fatalf("ReadUvarint = %d, %v, want %d", got, err, want)
			}
			pos += len(binary.AppendUvarint(nil, want))
			checkAt(t, &r, ref, pos)
		}
		for _, want := range varints {
			got, err := r.ReadVarint()
			if err != nil || got != want {
				t.Fatalf("ReadVarint = %d, %v, want %d", got, err, want)
			}
			pos += len(binary.AppendVarint(nil, want))
			checkAt(t, &r, ref, pos)
		}
		if _, err := r.ReadUvarint(); err != seq.ErrShort {
			t.Fatalf("ReadUvarint at the end: %v, want ErrShort", err)
		}
		if _, err := r.ReadVarint(); err != seq.ErrShort {
			t.Fatalf("ReadVarint at the end: %v, want ErrShort", err)
		}
	})
}

// checkUvarintAt compares ReadUvarint at pos with binary.Uvarint on the flat
// rest: a value and its length, ErrShort for n == 0, ErrOverflow for n < 0,
// the reader unmoved on error.
func checkUvarintAt(t *testing.T, s seq.Sequence, ref []byte, pos int) {
	t.Helper()
	r := seq.NewReader(s)
	r.Advance(pos)
	got, err := r.ReadUvarint()
	want, n := binary.Uvarint(ref[pos:])
	switch {
	case n > 0:
		if err != nil || got != want {
			t.Fatalf("ReadUvarint at %d = %d, %v, want %d", pos, got, err, want)
		}
		checkAt(t, &r, ref, pos+n)
	case n == 0:
		if !errors.Is(err, seq.ErrShort) {
			t.Fatalf("ReadUvarint at %d = %d, %v, want ErrShort", pos, got, err)
		}
		checkAt(t, &r, ref, pos)
	default:
		if !errors.Is(err, seq.ErrOverflow) {
			t.Fatalf("ReadUvarint at %d = %d, %v, want ErrOverflow", pos, got, err)
		}
		checkAt(t, &r, ref, pos)
	}
	// ReadVarint is the zig-zag of the same bytes.
	r = seq.NewReader(s)
	r.Advance(pos)
	sv, serr := r.ReadVarint()
	wsv, sn := binary.Varint(ref[pos:])
	if sn != n || (n > 0 && (serr != nil || sv != wsv)) || (n <= 0 && serr != err) {
		t.Fatalf("ReadVarint at %d = %d, %v; binary.Varint = %d, %d", pos, sv, serr, wsv, sn)
	}
}

func TestReaderVarintErrors(t *testing.T) {
	inputs := map[string][]byte{
		"max":            []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
		"tenth byte 2":   []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"),
		"ten cont":       bytes.Repeat([]byte{0x80}, 10),
		"eleven cont":    bytes.Repeat([]byte{0x80}, 11),
		"ten cont + end": append(bytes.Repeat([]byte{0x80}, 10), 0x00),
		"long":           append(bytes.Repeat([]byte{0xff}, 12), 0x01, 0x05),
		"overlong zero":  []byte("\x80\x80\x80\x00"),
		"short":          []byte("\x80\x81\xff"),
	}
	// Every truncation of every encoding is short.
	for _, v := range uvarints {
		e := binary.AppendUvarint(nil, v)
		inputs[string(e)+" truncated"] = e[:len(e)-1]
	}
	for name, in := range inputs {
		forEachOf(t, name, in, func(t *testing.T, ref []byte, s seq.Sequence) {
			for pos := 0; pos <= len(ref); pos++ {
				checkUvarintAt(t, s, ref, pos)
			}
		})
	}
}

func TestZeroReader(t *testing.T) {
	for name, r := range map[string]seq.Reader{"zero": {}, "NewReader(zero)": seq.NewReader(seq.Sequence{})} {
		t.Run(name, func(t *testing.T) {
			if !r.AtEnd() || r.Consumed() != 0 || r.Remaining() != 0 || len(r.Span()) != 0 {
				t.Fatalf("zero Reader not at the end of nothing")
			}
			if !r.Position().IsZero() || r.Rest().Len() != 0 || r.Sequence().Len() != 0 {
				t.Fatalf("zero Reader: Position/Rest/Sequence not empty")
			}
			if _, ok := r.Peek(); ok {
				t.Fatalf("Peek succeeded")
			}
			if _, err := r.ReadByte(); err != io.EOF {
				t.Fatalf("ReadByte: %v", err)
			}
			if n, err := r.Read(make([]byte, 4)); n != 0 || err != io.EOF {
				t.Fatalf("Read = %d, %v", n, err)
			}
			if n, err := r.Read(nil); n != 0 || err != nil {
				t.Fatalf("Read(nil) = %d, %v", n, err)
			}
			if s, ok := r.ReadN(0); !ok || s.Len() != 0 {
				t.Fatalf("ReadN(0) = %v, %v", s, ok)
			}
			if _, ok := r.ReadN(1); ok {
				t.Fatalf("ReadN(1) succeeded")
			}
			if !r.PeekInto(nil) || r.PeekInto(make([]byte, 1)) {
				t.Fatalf("PeekInto wrong")
			}
			if !r.IsNext(nil) || r.IsNext([]byte("a")) || !r.SkipPrefix(nil) || r.SkipPrefix([]byte("a")) {
				t.Fatalf("IsNext/SkipPrefix wrong")
			}
			if _, ok := r.ReadTo('\n'); ok {
				t.Fatalf("ReadTo succeeded")
			}
			if _, _, ok := r.ReadToAny("\n,"); ok {
				t.Fatalf("ReadToAny succeeded")
			}
			if _, ok := r.ReadToDelim([]byte("\r\n")); ok {
				t.Fatalf("ReadToDelim succeeded")
			}
			if s, ok := r.ReadToDelim(nil); !ok || s.Len() != 0 {
				t.Fatalf("ReadToDelim(nil) = %v, %v", s, ok)
			}
			if _, ok := r.ReadUint16BE(); ok {
				t.Fatalf("ReadUint16BE succeeded")
			}
			if _, ok := r.ReadUint64LE(); ok {
				t.Fatalf("ReadUint64LE succeeded")
			}
			if _, err := r.ReadUvarint(); err != seq.ErrShort {
				t.Fatalf("ReadUvarint: %v", err)
			}
			if _, err := r.ReadVarint(); err != seq.ErrShort {
				t.Fatalf("ReadVarint: %v", err)
			}
			r.Advance(0)
			r.Rewind(0)
			r.Reset()
			testutil.MustPanic(t, "seq:", func() { r.Advance(1) })
			testutil.MustPanic(t, "seq:", func() { r.Rewind(1) })
			if !r.AtEnd() {
				t.Fatalf("not at end after all that")
			}
		})
	}
}
