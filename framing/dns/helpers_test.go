package dns

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// render writes a message on one line: header, questions and records,
// the way the tests compare them.
func render(m *Message) string {
	var b strings.Builder
	h := m.Header
	fmt.Fprintf(&b, "id=%d %s %s", h.ID, h.Opcode, h.Rcode)
	for _, f := range []struct {
		on   bool
		name string
	}{{h.QR, "qr"}, {h.AA, "aa"}, {h.TC, "tc"}, {h.RD, "rd"}, {h.RA, "ra"}, {h.Z, "z"}, {h.AD, "ad"}, {h.CD, "cd"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	fmt.Fprintf(&b, " %d/%d/%d/%d", h.QDCount, h.ANCount, h.NSCount, h.ARCount)
	for q := range m.Questions() {
		fmt.Fprintf(&b, " q=%s/%s/%s", q.Name, q.Type, q.Class)
	}
	for r, err := range m.Records() {
		if err != nil {
			fmt.Fprintf(&b, " err=%v", err)
			break
		}
		fmt.Fprintf(&b, " %s:%s/%s/%d/%x", r.Section, r.Name, r.Type, r.TTL, r.Data)
	}
	return b.String()
}

// readAll reads every message of s and renders it.
func readAll(s seq.Sequence, o Options) ([]string, error) {
	r := NewReader(pipe.FromSequence(s), o)
	defer r.Close()
	var out []string
	for m := range r.All(context.Background()) {
		out = append(out, render(&m))
	}
	return out, r.Err()
}

// decoder is the fuzz harness's view of the parser.
func decoder(o Options) fuzz.Decoder[Message] { return fuzz.Parser(Parser(o)) }

// u16 appends v big-endian.
func u16(b []byte, v ...uint16) []byte {
	for _, x := range v {
		b = binary.BigEndian.AppendUint16(b, x)
	}
	return b
}

// prefixed returns msg behind its length prefix, whatever its length.
func prefixed(msg []byte) []byte { return append(u16(nil, uint16(len(msg))), msg...) }

// query is a query for name and type t.
func query(id uint16, name string, t Type) []byte {
	b, err := AppendQuery(nil, id, name, t)
	if err != nil {
		panic(err)
	}
	return b
}

// compressed is the answer to a query for www.example.com A (id 0x1234):
// a CNAME to web.example.com whose data points back into the question, and
// that name's A record, whose owner points into the CNAME's data; an SOA
// in the authority section. Without its prefix.
func compressed() []byte {
	b := AppendHeader(nil, Header{ID: 0x1234, QR: true, RD: true, RA: true, QDCount: 1, ANCount: 2, NSCount: 1})
	b, _ = AppendQuestion(b, "www.example.com", TypeA, ClassIN) // name at 12, "example" at 16
	b = u16(b, 0xc00c, uint16(TypeCNAME), uint16(ClassIN), 0, 300, 6)
	web := len(b)
	b = append(b, 3, 'w', 'e', 'b', 0xc0, 16)
	b = u16(b, 0xc000|uint16(web), uint16(TypeA), uint16(ClassIN), 0, 60, 4)
	b = append(b, 192, 0, 2, 1)
	b = u16(b, 0xc000|16, uint16(TypeSOA), uint16(ClassIN), 0, 3600, 2)
	b = append(b, 0xc0, 16)
	return b
}
