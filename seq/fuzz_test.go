package seq_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/seq"
)

// fuzzSplit cuts data into segments: each byte of cuts is the length of the
// next segment (mod 17, so 0 makes an empty segment); what is left after the
// cuts is the last segment.
func fuzzSplit(data, cuts []byte) seq.Sequence {
	var at []int
	pos := 0
	for _, c := range cuts {
		pos += int(c % 17)
		if pos > len(data) {
			break
		}
		at = append(at, pos)
	}
	return segtest.Split(data, at...)
}

func FuzzIndex(f *testing.F) {
	f.Add([]byte("abc\r\ndef"), []byte("\r\n"), []byte{4})
	f.Add([]byte("abc\r\ndef\r\n"), []byte("\r\n"), []byte{0, 0, 4, 0, 0, 5})
	f.Add([]byte("aaaaab"), []byte("aab"), []byte{1, 1, 1, 1, 1})
	f.Add([]byte("abcabcabd"), []byte("cabd"), []byte{3, 0, 3, 0})
	f.Add([]byte("hello"), []byte("hello!"), []byte{2})
	f.Add([]byte("x\xe2\x82\xacy\xff"), []byte("\xe2\x82\xac"), []byte{2, 1})
	f.Add([]byte("a,b;c"), []byte(";,"), []byte{1, 1, 1, 1, 1})
	f.Add([]byte(""), []byte(""), []byte(nil))
	f.Fuzz(func(t *testing.T, data, sep, cuts []byte) {
		s := fuzzSplit(data, cuts)
		if !s.Equal(data) {
			t.Fatalf("split content %q, want %q", s, data)
		}
		n := len(data)
		lo := min(1, n)
		hi := max(lo, n-1)
		views := []struct {
			ref []byte
			s   seq.Sequence
		}{{data, s}, {data[lo:hi], s.Slice(lo, hi)}}
		for _, v := range views {
			ref, s := v.ref, v.s
			if got, want := s.Index(sep), bytes.Index(ref, sep); got != want {
				t.Fatalf("Index(%q) in %q = %d, want %d", sep, ref, got, want)
			}
			c := byte(0)
			if len(sep) > 0 {
				c = sep[0]
			}
			if got, want := s.IndexByte(c), bytes.IndexByte(ref, c); got != want {
				t.Fatalf("IndexByte(%q) in %q = %d, want %d", c, ref, got, want)
			}
			got, want := s.IndexAny(string(sep)), indexAnyRef(ref, string(sep))
			if got != want {
				t.Fatalf("IndexAny(%q) in %q = %d, want %d", sep, ref, got, want)
			}
			if isASCII(string(sep)) && got != bytes.IndexAny(ref, string(sep)) {
				t.Fatalf("IndexAny(%q) in %q = %d, bytes.IndexAny says %d", sep, ref, got, bytes.IndexAny(ref, string(sep)))
			}
			if got, want := s.HasPrefix(sep), bytes.HasPrefix(ref, sep); got != want {
				t.Fatalf("HasPrefix(%q) of %q = %v", sep, ref, got)
			}
			if len(sep) == 0 {
				continue
			}
			pieces, rest := splitRef(ref, func(b []byte) int { return bytes.Index(b, sep) }, len(sep))
			r := seq.NewReader(s)
			for i := 0; ; i++ {
				piece, ok := r.ReadToDelim(sep)
				if !ok {
					if i != len(pieces) {
						t.Fatalf("ReadToDelim(%q) in %q: %d pieces, want %d", sep, ref, i, len(pieces))
					}
					break
				}
				if i >= len(pieces) || !piece.Equal(pieces[i]) {
					t.Fatalf("ReadToDelim(%q) in %q: piece %d = %q, want %q", sep, ref, i, piece, pieces)
				}
			}
			if !r.Rest().Equal(rest) {
				t.Fatalf("ReadToDelim(%q) in %q left %q, want %q", sep, ref, r.Rest(), rest)
			}
		}
	})
}

// Operations of the FuzzReader program.
const (
	opReadByte = iota
	opReadN
	opRewind
	opAdvance
	opUint16BE
	opUint16LE
	opUint32BE
	opUint32LE
	opUint64BE
	opUint64LE
	opUvarint
	opVarint
	opReadTo
	opReadToAny
	opReadToDelim
	opPeek
	opPeekInto
	opSkipPrefix
	opReset
	opRead
	numOps
)

func FuzzReader(f *testing.F) {
	var varints []byte
	varints = binary.AppendUvarint(varints, 300)
	varints = binary.AppendVarint(varints, -12345678)
	varints = append(varints, bytes.Repeat([]byte{0x80}, 11)...)
	f.Add([]byte("line one\nline two\r\nlast"), []byte{opReadTo, '\n', opReadToDelim, '\r', '\n', opRewind, 7, opReadTo, '\n', opReadByte, 0}, []byte{3, 0, 9, 0})
	f.Add(varints, []byte{opUvarint, 0, opVarint, 0, opUvarint, 0, opRewind, 3, opUvarint, 0, opAdvance, 1, opUvarint, 0}, []byte{1, 1, 0, 1, 1, 1})
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"),
		[]byte{opUint16BE, 0, opUint32LE, 0, opUint64BE, 0, opRewind, 5, opUint64LE, 0, opUint16LE, 0, opUint32BE, 0}, []byte{1, 0, 1, 0, 3})
	f.Add([]byte("a,b;c|d"), []byte{opReadToAny, ',', ';', opReadToAny, '|', ';', opPeekInto, 3, opSkipPrefix, 2, opReset, 0, opRead, 5, opReadN, 9}, []byte{1, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data, prog, cuts []byte) {
		s := fuzzSplit(data, cuts)
		r := seq.NewReader(s)
		pos := 0 // the model: the flat reader reads data[pos:]
		i := 0
		next := func() byte {
			if i < len(prog) {
				i++
				return prog[i-1]
			}
			return 0
		}
		for i < len(prog) {
			op := next() % numOps
			arg := next()
			rest := data[pos:]
			switch op {
			case opReadByte:
				b, err := r.ReadByte()
				if len(rest) == 0 {
					if err != io.EOF {
						t.Fatalf("ReadByte at the end: %q, %v", b, err)
					}
				} else {
					if err != nil || b != rest[0] {
						t.Fatalf("ReadByte at %d = %q, %v, want %q", pos, b, err, rest[0])
					}
					pos++
				}
			case opReadN:
				k := int(arg % 32)
				got, ok := r.ReadN(k)
				if ok != (k <= len(rest)) || (ok && !got.Equal(rest[:k])) {
					t.Fatalf("ReadN(%d) at %d = %q, %v", k, pos, got, ok)
				}
				if ok {
					pos += k
				}
			case opRewind:
				k := int(arg) % (pos + 1)
				r.Rewind(k)
				pos -= k
			case opAdvance:
				k := int(arg) % (len(rest) + 1)
				r.Advance(k)
				pos += k
			case opUint16BE, opUint16LE, opUint32BE, opUint32LE, opUint64BE, opUint64LE:
				size := []int{2, 2, 4, 4, 8, 8}[op-opUint16BE]
				var got uint64
				var ok bool
				switch op {
				case opUint16BE:
					v, o := r.ReadUint16BE()
					got, ok = uint64(v), o
				case opUint16LE:
					v, o := r.ReadUint16LE()
					got, ok = uint64(v), o
				case opUint32BE:
					v, o := r.ReadUint32BE()
					got, ok = uint64(v), o
				case opUint32LE:
					v, o := r.ReadUint32LE()
					got, ok = uint64(v), o
				case opUint64BE:
					got, ok = r.ReadUint64BE()
				case opUint64LE:
					got, ok = r.ReadUint64LE()
				}
				if ok != (size <= len(rest)) {
					t.Fatalf("op %d at %d of %d: ok = %v", op, pos, len(data), ok)
				}
				if !ok {
					break
				}
				var want uint64
				switch op {
				case opUint16BE:
					want = uint64(binary.BigEndian.Uint16(rest))
				case opUint16LE:
					want = uint64(binary.LittleEndian.Uint16(rest))
				case opUint32BE:
					want = uint64(binary.BigEndian.Uint32(rest))
				case opUint32LE:
					want = uint64(binary.LittleEndian.Uint32(rest))
				case opUint64BE:
					want = binary.BigEndian.Uint64(rest)
				case opUint64LE:
					want = binary.LittleEndian.Uint64(rest)
				}
				if got != want {
					t.Fatalf("op %d at %d = %#x, want %#x", op, pos, got, want)
				}
				pos += size
			case opUvarint, opVarint:
				var got, want uint64
				var err error
				var n int
				if op == opUvarint {
					got, err = r.ReadUvarint()
					want, n = binary.Uvarint(rest)
				} else {
					v, e := r.ReadVarint()
					w, k := binary.Varint(rest)
					got, err, want, n = uint64(v), e, uint64(w), k
				}
				switch {
				case n > 0:
					if err != nil || got != want {
						t.Fatalf("varint op %d at %d = %d, %v, want %d", op, pos, got, err, want)
					}
					pos += n
				case n == 0:
					if !errors.Is(err, seq.ErrShort) {
						t.Fatalf("varint op %d at %d: %v, want ErrShort", op, pos, err)
					}
				default:
					if !errors.Is(err, seq.ErrOverflow) {
						t.Fatalf("varint op %d at %d: %v, want ErrOverflow", op, pos, err)
					}
				}
			case opReadTo:
				got, ok := r.ReadTo(arg)
				j := bytes.IndexByte(rest, arg)
				if ok != (j >= 0) || (ok && !got.Equal(rest[:j])) {
					t.Fatalf("ReadTo(%q) at %d = %q, %v; reference %d", arg, pos, got, ok, j)
				}
				if ok {
					pos += j + 1
				}
			case opReadToAny:
				chars := string([]byte{arg, next()})
				got, d, ok := r.ReadToAny(chars)
				j := indexAnyRef(rest, chars)
				if ok != (j >= 0) || (ok && (!got.Equal(rest[:j]) || d != rest[j])) {
					t.Fatalf("ReadToAny(%q) at %d = %q, %q, %v; reference %d", chars, pos, got, d, ok, j)
				}
				if ok {
					pos += j + 1
				}
			case opReadToDelim:
				delim := []byte{arg, next()}
				got, ok := r.ReadToDelim(delim)
				j := bytes.Index(rest, delim)
				if ok != (j >= 0) || (ok && !got.Equal(rest[:j])) {
					t.Fatalf("ReadToDelim(%q) at %d = %q, %v; reference %d", delim, pos, got, ok, j)
				}
				if ok {
					pos += j + len(delim)
				}
			case opPeek:
				b, ok := r.Peek()
				if ok != (len(rest) > 0) || (ok && b != rest[0]) {
					t.Fatalf("Peek at %d = %q, %v", pos, b, ok)
				}
			case opPeekInto:
				dst := make([]byte, arg%16)
				ok := r.PeekInto(dst)
				if ok != (len(dst) <= len(rest)) || (ok && !bytes.Equal(dst, rest[:len(dst)])) {
					t.Fatalf("PeekInto(%d) at %d = %q, %v", len(dst), pos, dst, ok)
				}
			case opSkipPrefix:
				k := min(int(arg%8), len(rest))
				p := bytes.Clone(rest[:k])
				if arg&0x80 != 0 && k > 0 {
					p[k-1] ^= 1
				}
				if arg&0x40 != 0 {
					p = append(p, next())
				}
				want := bytes.HasPrefix(rest, p)
				if got := r.IsNext(p); got != want {
					t.Fatalf("IsNext(%q) at %d = %v", p, pos, got)
				}
				if got := r.SkipPrefix(p); got != want {
					t.Fatalf("SkipPrefix(%q) at %d = %v", p, pos, got)
				}
				if want {
					pos += len(p)
				}
			case opReset:
				r.Reset()
				pos = 0
			case opRead:
				buf := make([]byte, arg%16)
				k, err := r.Read(buf)
				switch {
				case len(buf) == 0:
					if k != 0 || err != nil {
						t.Fatalf("Read(empty) = %d, %v", k, err)
					}
				case len(rest) == 0:
					if k != 0 || err != io.EOF {
						t.Fatalf("Read at the end = %d, %v", k, err)
					}
				default:
					if k != min(len(buf), len(rest)) || err != nil || !bytes.Equal(buf[:k], rest[:k]) {
						t.Fatalf("Read(%d) at %d = %d %q, %v", len(buf), pos, k, buf[:k], err)
					}
					pos += k
				}
			}
			if r.Consumed() != pos || r.Remaining() != len(data)-pos || r.AtEnd() != (pos == len(data)) {
				t.Fatalf("after op %d: reader at %d (remaining %d, at end %v), model at %d of %d",
					op, r.Consumed(), r.Remaining(), r.AtEnd(), pos, len(data))
			}
			if s.OffsetOf(r.Position()) != pos || !r.Rest().Equal(data[pos:]) {
				t.Fatalf("after op %d: Position at %d, Rest %q; model at %d", op, s.OffsetOf(r.Position()), r.Rest(), pos)
			}
		}
	})
}
