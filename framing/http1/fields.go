package http1

import (
	"bytes"
	"iter"

	"github.com/sluicego/sluice/seq"
)

// Fields is a header or trailer section as it arrived: a view of its
// lines, each "name:" OWS value OWS CRLF, already checked by the grammar.
// It is valid as long as the message that holds it (until the next read
// from the reader that returned it); copy what you keep.
//
// Reading it allocates nothing: Get and All walk the lines each time, so
// look a field up once per message rather than in a loop.
type Fields struct {
	block seq.Sequence
	n     int
}

// Len returns the number of fields.
func (f Fields) Len() int { return f.n }

// Raw returns the section's bytes: its field lines, without the empty
// line that ends it.
func (f Fields) Raw() seq.Sequence { return f.block }

// All yields every field in order, the name as sent and the value with
// the whitespace around it trimmed.
func (f Fields) All() iter.Seq2[seq.Sequence, seq.Sequence] {
	return func(yield func(seq.Sequence, seq.Sequence) bool) {
		if f.block.IsSingleSegment() {
			// The common case: the lines lie in one segment, found in its
			// bytes and viewed by slicing the block.
			b := f.block.First()
			for i := 0; i < len(b); {
				nl := i + bytes.IndexByte(b[i:], '\n')
				colon := i + bytes.IndexByte(b[i:nl], ':')
				vs, ve := colon+1, nl-1 // without CRLF
				for vs < ve && isOWS(b[vs]) {
					vs++
				}
				for ve > vs && isOWS(b[ve-1]) {
					ve--
				}
				if !yield(f.block.Slice(i, colon), f.block.Slice(vs, ve)) {
					return
				}
				i = nl + 1
			}
			return
		}
		rest := f.block
		for rest.Len() > 0 {
			nl := rest.IndexByte('\n')
			line := rest.Slice(0, nl-1) // without CRLF
			rest = rest.From(nl + 1)
			colon := line.IndexByte(':')
			if !yield(line.Slice(0, colon), trimOWS(line.From(colon+1))) {
				return
			}
		}
	}
}

// Get returns the value of the first field named name, compared without
// regard to ASCII case, and whether there is one. It allocates nothing.
func (f Fields) Get(name string) (seq.Sequence, bool) {
	if f.block.IsSingleSegment() {
		// The common case, without the iterator: a line's name is
		// compared only where a colon follows name's length of bytes, and
		// only the value found is trimmed and viewed.
		b := f.block.First()
		for i := 0; i < len(b); {
			nl := i + bytes.IndexByte(b[i:], '\n')
			if colon := i + len(name); colon < nl && b[colon] == ':' &&
				equalFoldBytes(b[i:colon], name) && bytes.IndexByte(b[i:colon], ':') < 0 {
				vs, ve := colon+1, nl-1 // without CRLF
				for vs < ve && isOWS(b[vs]) {
					vs++
				}
				for ve > vs && isOWS(b[ve-1]) {
					ve--
				}
				return f.block.Slice(vs, ve), true
			}
			i = nl + 1
		}
		return seq.Sequence{}, false
	}
	for k, v := range f.All() {
		if equalFold(k, name) {
			return v, true
		}
	}
	return seq.Sequence{}, false
}

// Values yields the value of every field named name (ASCII case
// ignored), in order.
func (f Fields) Values(name string) iter.Seq[seq.Sequence] {
	return func(yield func(seq.Sequence) bool) {
		for k, v := range f.All() {
			if equalFold(k, name) && !yield(v) {
				return
			}
		}
	}
}

// equalFold reports whether s is name without regard to ASCII case.
func equalFold(s seq.Sequence, name string) bool {
	if s.Len() != len(name) {
		return false
	}
	if s.IsSingleSegment() {
		b := s.First()
		for i := range len(b) {
			if lower(b[i]) != lower(name[i]) {
				return false
			}
		}
		return true
	}
	i := 0
	for c := range s.Chunks() {
		for _, b := range c {
			if lower(b) != lower(name[i]) {
				return false
			}
			i++
		}
	}
	return true
}

// equalFoldBytes reports whether b is name without regard to ASCII case.
func equalFoldBytes(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := range len(b) {
		if lower(b[i]) != lower(name[i]) {
			return false
		}
	}
	return true
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// trimOWS returns s without the spaces and tabs at its ends.
func trimOWS(s seq.Sequence) seq.Sequence {
	if s.IsSingleSegment() {
		b := s.First()
		i, j := 0, len(b)
		for i < j && isOWS(b[i]) {
			i++
		}
		for j > i && isOWS(b[j-1]) {
			j--
		}
		if i == j {
			return seq.Sequence{}
		}
		return s.Slice(i, j)
	}
	i, n := 0, s.Len()
	for c := range s.Chunks() {
		k := 0
		for k < len(c) && isOWS(c[k]) {
			k++
		}
		i += k
		if k < len(c) {
			break
		}
	}
	if i == n {
		return seq.Sequence{}
	}
	j := n
	for j > i && isOWS(byteAt(s, j-1)) {
		j--
	}
	return s.Slice(i, j)
}

// byteAt returns the byte at i of s: the last segments are short, so
// this is cheap at the end of a value.
func byteAt(s seq.Sequence, i int) byte {
	var b [1]byte
	s.Slice(i, i+1).CopyTo(b[:])
	return b[0]
}

func isOWS(b byte) bool { return b == ' ' || b == '\t' }
