package dns

import (
	"encoding/binary"
	"iter"

	"github.com/sluicego/sluice/seq"
)

// Message is one DNS message read from a stream: its header decoded, its
// question section checked, the rest of its bytes as they came.
//
// A Message views the reader's memory: it is valid until the next read
// from the reader that returned it, as the message readers of package
// parse define (Raw panics when used later; the []byte views of Bytes,
// Name and Record cannot be checked). Copy what you keep (Raw.Bytes, or
// Bytes appended to a buffer of yours).
type Message struct {
	Header
	// Raw is the whole message, header included, without its length
	// prefix.
	Raw seq.Sequence

	b    []byte // Raw, contiguous
	qend int    // the offset just past the question section
	q1   int    // the offset just past the first question's name
}

// Bytes returns the whole message, header included, without its length
// prefix, as one slice: a view of the reader's memory (a copy in the
// reader's scratch memory when the message straddled buffers), valid as
// long as the Message.
func (m *Message) Bytes() []byte { return m.b }

// Question is an entry of a message's question section.
type Question struct {
	Name  Name
	Type  Type
	Class Class
}

// Question returns the first entry of the question section; ok is false
// if the section is empty. It allocates nothing.
func (m *Message) Question() (q Question, ok bool) {
	if m.QDCount == 0 {
		return q, false
	}
	b, end := m.b, m.q1
	return Question{Name{b, HeaderLen}, Type(binary.BigEndian.Uint16(b[end:])), Class(binary.BigEndian.Uint16(b[end+2:]))}, true
}

// questionAt reads the checked question at off and returns it and the
// offset after it.
func questionAt(b []byte, off int) (Question, int) {
	end, _, _ := checkName(b, off)
	return Question{Name{b, off}, Type(binary.BigEndian.Uint16(b[end:])), Class(binary.BigEndian.Uint16(b[end+2:]))}, end + 4
}

// Questions returns the entries of the question section, in order.
func (m *Message) Questions() iter.Seq[Question] {
	return func(yield func(Question) bool) {
		off := HeaderLen
		for range m.QDCount {
			q, next := questionAt(m.b, off)
			if !yield(q) {
				return
			}
			off = next
		}
	}
}

// checkQuestions checks the qd questions of msg and returns the offset
// after them and the offset after the first one's name, or the offset of
// a fault and its sentinel.
func checkQuestions(msg []byte, qd uint16) (end, first, bad int, err error) {
	off := HeaderLen
	for i := range qd {
		if off, bad, err = checkName(msg, off); err != nil {
			return 0, 0, bad, err
		}
		if i == 0 {
			first = off
		}
		if off+4 > len(msg) {
			return 0, 0, off, ErrOverrun
		}
		off += 4
	}
	return off, first, 0, nil
}

// RecordBytes returns the bytes after the question section: the answer,
// authority and additional sections (and whatever a peer put after them),
// unchecked, as a view of Bytes.
func (m *Message) RecordBytes() []byte { return m.b[m.qend:] }

// RecordsOffset returns the offset in Bytes where RecordBytes starts.
func (m *Message) RecordsOffset() int { return m.qend }

// NameAt checks the name that starts at offset off of Bytes (in a record's
// data, at Record.DataOffset for a CNAME, NS or PTR, 2 bytes further for
// an MX) by the rules of the package doc, and returns it and the offset
// just past its bytes there. A fault is a *FormatError.
func (m *Message) NameAt(off int) (n Name, end int, err error) {
	if off < 0 || off > len(m.b) {
		return n, 0, &FormatError{Offset: off, Err: ErrOverrun}
	}
	end, bad, err := checkName(m.b, off)
	if err != nil {
		return n, 0, &FormatError{Offset: bad, Err: err}
	}
	return Name{m.b, off}, end, nil
}

// Section is the section of a message that holds a record.
type Section uint8

// The sections after the question section.
const (
	Answer Section = iota + 1
	Authority
	Additional
)

// String returns "answer", "authority" or "additional".
func (s Section) String() string {
	switch s {
	case Answer:
		return "answer"
	case Authority:
		return "authority"
	case Additional:
		return "additional"
	}
	return "section?"
}

// Record is a resource record (RFC 1035 section 4.1.3), its name and data
// viewing the message.
type Record struct {
	// Section is where the record is.
	Section Section
	Name    Name
	Type    Type
	Class   Class
	// TTL is the time to live in seconds (for an OPT record, the extended
	// rcode and flags).
	TTL uint32
	// Data is the record's RDATA, unparsed: names in it may be compressed
	// (read them with Message.NameAt at DataOffset).
	Data []byte
	// DataOffset is the offset of Data in the message's Bytes.
	DataOffset int
}

// Records walks the answer, authority and additional sections, as many
// records as the header counts. Each record's name is checked by the rules
// of the package doc and its data must lie within the message; the first
// fault ends the walk with a *FormatError (yielded with a zero Record).
// Bytes after the last record are not looked at. It allocates nothing.
func (m *Message) Records() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		off := m.qend
		for i, counts := 0, [3]uint16{m.ANCount, m.NSCount, m.ARCount}; i < 3; i++ {
			for range counts[i] {
				r, next, err := recordAt(m.b, off)
				if err != nil {
					yield(Record{}, err)
					return
				}
				r.Section = Section(i + 1)
				if !yield(r, nil) {
					return
				}
				off = next
			}
		}
	}
}

// recordAt reads the record at off of msg and returns it and the offset
// after it.
func recordAt(msg []byte, off int) (r Record, next int, err error) {
	end, bad, err := checkName(msg, off)
	if err != nil {
		return r, 0, &FormatError{Offset: bad, Err: err}
	}
	if end+10 > len(msg) {
		return r, 0, &FormatError{Offset: end, Err: ErrOverrun}
	}
	f := msg[end : end+10]
	n := int(binary.BigEndian.Uint16(f[8:]))
	if end+10+n > len(msg) {
		return r, 0, &FormatError{Offset: end + 8, Err: ErrOverrun}
	}
	return Record{
		Name:       Name{msg, off},
		Type:       Type(binary.BigEndian.Uint16(f)),
		Class:      Class(binary.BigEndian.Uint16(f[2:])),
		TTL:        binary.BigEndian.Uint32(f[4:]),
		Data:       msg[end+10 : end+10+n],
		DataOffset: end + 10,
	}, end + 10 + n, nil
}

// IsAnswerTo reports whether m answers the query q, as a client that
// pipelines queries matches answers that come in any order (RFC 7766
// section 7): m is a response (QR set), q a query, with the same ID, the
// same opcode and the same question section (names compared without regard
// to ASCII case). An answer without a question section (some servers send
// one with FORMERR) matches on the ID alone.
func (m *Message) IsAnswerTo(q *Message) bool {
	if !m.QR || q.QR || m.ID != q.ID || m.Opcode != q.Opcode {
		return false
	}
	if m.QDCount == 0 {
		return true
	}
	if m.QDCount != q.QDCount {
		return false
	}
	ao, bo := HeaderLen, HeaderLen
	for range m.QDCount {
		var a, b Question
		a, ao = questionAt(m.b, ao)
		b, bo = questionAt(q.b, bo)
		if a.Type != b.Type || a.Class != b.Class || !a.Name.equalName(b.Name) {
			return false
		}
	}
	return true
}

// equalName reports whether n and o are the same name, ASCII letters
// compared without regard to case.
func (n Name) equalName(o Name) bool {
	a, b := n, o
	for {
		la, na, oka := a.first()
		lb, nb, okb := b.first()
		if !oka || !okb {
			return oka == okb
		}
		if len(la) != len(lb) {
			return false
		}
		for i := range la {
			if lower(la[i]) != lower(lb[i]) {
				return false
			}
		}
		a, b = na, nb
	}
}

// first returns n's first label and the name after it; ok is false at the
// root.
func (n Name) first() (label []byte, rest Name, ok bool) {
	msg, off := n.msg, n.off
	for hops := 0; off < len(msg) && hops <= MaxPointers; hops++ {
		b := msg[off]
		switch {
		case b == 0:
			return nil, n, false
		case b&0xc0 == 0 && off+1+int(b) <= len(msg):
			return msg[off+1 : off+1+int(b)], Name{msg, off + 1 + int(b)}, true
		case b&0xc0 == 0xc0 && off+1 < len(msg):
			off = int(b&0x3f)<<8 | int(msg[off+1])
		default:
			return nil, n, false
		}
	}
	return nil, n, false
}
