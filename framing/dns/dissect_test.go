package dns

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// dmsg is one message as the package's reader framed it, with the fields
// Wireshark's DNS dissector prints for it.
type dmsg struct {
	Header
	length int // the message's length, the 2-byte prefix not counted
	// optional holds the values of the fields of dnsOptional, in that
	// order, in tshark's notation.
	optional [][]string
}

// tsharkName writes a name as tshark prints it: without the final dot,
// and the root as "<Root>".
func tsharkName(n Name) string {
	if s := n.String(); s != "." {
		return strings.TrimSuffix(s, ".")
	}
	return "<Root>"
}

// dnsPerMessage are the fields tshark prints once in every DNS message
// over TCP: the 2-byte length prefix (RFC 1035 section 4.2.2) and the
// header's id, flags and four counts (section 4.1.1). tshark prints the
// id and the flags in hex ("0x8580"), the rest in decimal.
var dnsPerMessage = []string{"dns.length", "dns.id", "dns.flags",
	"dns.count.queries", "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr"}

// dnsOptional are the fields tshark prints per entry of a section, with
// what the package's reader gives for a message m (its question section,
// RFC 1035 section 4.1.2, and its resource records, section 4.1.3). They
// are compared as one list per direction, in tshark's notation (a class
// in hex, "0x0001"; a name as tsharkName writes it). An OPT record (RFC 6891 section
// 6.1.2) has no class and TTL: those bits are the requestor's UDP payload
// size and the extended rcode and flags, which tshark prints in fields of
// their own; dns.resp.class and dns.resp.ttl leave it out.
var dnsOptional = []struct {
	field string
	of    func(m *Message) ([]string, error)
}{
	{"dns.qry.name", questions(func(q Question) string { return tsharkName(q.Name) })},
	{"dns.qry.type", questions(func(q Question) string { return strconv.Itoa(int(q.Type)) })},
	{"dns.qry.class", questions(func(q Question) string { return fmt.Sprintf("0x%04x", uint16(q.Class)) })},
	{"dns.resp.name", records(func(r Record) string { return tsharkName(r.Name) })},
	{"dns.resp.type", records(func(r Record) string { return strconv.Itoa(int(r.Type)) })},
	{"dns.resp.len", records(func(r Record) string { return strconv.Itoa(len(r.Data)) })},
	{"dns.resp.class", records(func(r Record) string {
		if r.Type == TypeOPT {
			return ""
		}
		return fmt.Sprintf("0x%04x", uint16(r.Class))
	})},
	{"dns.resp.ttl", records(func(r Record) string {
		if r.Type == TypeOPT {
			return ""
		}
		return strconv.FormatUint(uint64(r.TTL), 10)
	})},
}

// questions returns the values f gives for each entry of a message's
// question section.
func questions(f func(Question) string) func(*Message) ([]string, error) {
	return func(m *Message) ([]string, error) {
		var out []string
		for q := range m.Questions() {
			out = append(out, f(q))
		}
		return out, nil
	}
}

// records returns the values f gives for each resource record of a
// message, leaving out the empty ones.
func records(f func(Record) string) func(*Message) ([]string, error) {
	return func(m *Message) ([]string, error) {
		var out []string
		for r, err := range m.Records() {
			if err != nil {
				return nil, err
			}
			if s := f(r); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	}
}

// decodeAll frames a stream of length-prefixed messages with the
// package's reader.
func decodeAll(t *testing.T, b []byte) []dmsg {
	t.Helper()
	r := NewReader(pipe.FromSequence(seq.Of(b)), Options{})
	defer r.Close()
	var out []dmsg
	for m := range r.All(context.Background()) {
		d := dmsg{Header: m.Header, length: m.Raw.Len()}
		for _, o := range dnsOptional {
			vs, err := o.of(&m)
			if err != nil {
				t.Fatalf("message %d: %s: %v", len(out), o.field, err)
			}
			d.optional = append(d.optional, vs)
		}
		out = append(out, d)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ends returns the offsets in their stream at which the messages ms end.
func ends(ms []dmsg) []int {
	var out []int
	n := 0
	for _, m := range ms {
		n += 2 + m.length
		out = append(out, n)
	}
	return out
}

// headerLine renders a message's per-message fields.
func headerLine(length int, id, flags uint16, qd, an, ns, ar uint64) string {
	return fmt.Sprintf("len=%d id=%#04x flags=%#04x %d/%d/%d/%d", length, id, flags, qd, an, ns, ar)
}

// tsharkLines renders the messages tshark framed as headerLine does,
// reading its hex and decimal numbers.
func tsharkLines(t *testing.T, msgs []dissect.Message) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		var v [7]uint64
		for i, f := range m.Fields {
			n, err := strconv.ParseUint(f, 0, 16)
			if err != nil {
				t.Fatalf("tshark printed %s=%q", dnsPerMessage[i], f)
			}
			v[i] = n
		}
		out = append(out, headerLine(int(v[0]), uint16(v[1]), uint16(v[2]), v[3], v[4], v[5], v[6]))
	}
	return out
}

// decodedLines renders the reader's messages as headerLine does.
func decodedLines(ms []dmsg) []string {
	var out []string
	for _, m := range ms {
		h := m.Header
		out = append(out, headerLine(m.length, h.ID, h.Flags(), uint64(h.QDCount), uint64(h.ANCount), uint64(h.NSCount), uint64(h.ARCount)))
	}
	return out
}

// TestTsharkAgrees frames the recorded connections (dig and a pipelined
// client against dnsmasq, see TestCaptures) with Wireshark's DNS dissector
// and with the package's reader (see compareTshark), in tsharkSeeds
// different random segmentations.
func TestTsharkAgrees(t *testing.T) {
	var conns []tsharkConn
	for _, id := range []string{"dig", "pipelined"} {
		up, down := readCapture(t, id+"-up.bin"), readCapture(t, id+"-down.bin")
		conns = append(conns, tsharkConn{id, up, down, id == "pipelined"})
	}
	compareTshark(t, conns, tsharkSeeds)
}

// A tsharkConn is both directions of one connection, named id: a
// client's that sent a query and read its answer before the next (dig's),
// or one that pipelined, sending all its queries first.
type tsharkConn struct {
	id        string
	up, down  []byte
	pipelined bool
}

// compareTshark frames the connections with Wireshark's DNS dissector and
// with the package's reader, and checks, in a subtest per connection,
// that they find the same messages in each direction: the same lengths,
// ids, flags and counts, questions, and resource records' names, types,
// classes, TTLs and data lengths. The conversation is replayed as it
// went, in TCP segments of seeds different random segmentations: a query
// then its answer, or all the queries first (RFC 7766 section 6.2.1.1).
// All of them are connections of one file, which one run of tshark reads.
func compareTshark(t *testing.T, conns []tsharkConn, seeds int) {
	t.Helper()
	fields := slices.Clone(dnsPerMessage)
	for _, o := range dnsOptional {
		fields = append(fields, o.field)
	}
	// Every connection, decoded and cut into the turns of its
	// conversation.
	var ups, downs [][]dmsg
	var convs [][]dissect.Turn
	for _, c := range conns {
		u, d := decodeAll(t, c.up), decodeAll(t, c.down)
		ups, downs = append(ups, u), append(downs, d)
		if c.pipelined {
			convs = append(convs, dissect.Interleave(c.up, c.down, []int{len(c.up)}, nil))
		} else {
			convs = append(convs, dissect.Interleave(c.up, c.down, ends(u), ends(d)))
		}
	}
	pcap := dissect.Pcaps(53, dissect.Seeded(convs, seeds)...)
	pkts := dissect.Run(t, pcap, 53, []string{"-d", "tcp.port==53,dns"}, fields...)
	for i, c := range conns {
		t.Run(c.id, func(t *testing.T) {
			for k := range seeds {
				conn := dissect.Conn(pkts, i*seeds+k)
				values := compare(t, fmt.Sprintf("seed %d", k), conn, ups[i], downs[i])
				if k == 0 {
					t.Logf("%d queries and %d answers compared, and %d values of questions and records",
						len(ups[i]), len(downs[i]), values)
				}
			}
		})
	}
}

// tsharkSeeds is how many segmentations of each conversation tshark
// reads, drawn from the seeds 0, 1, ...
const tsharkSeeds = 3

// compare checks tshark's packets pkts against the reader's messages of
// each direction, ups and downs. It returns how many values of the
// per-entry fields it compared.
func compare(t *testing.T, what string, pkts []dissect.Packet, ups, downs []dmsg) (values int) {
	t.Helper()
	msgs, err := dissect.Head(pkts, len(dnsPerMessage))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, dir := range []struct {
		up   bool
		name string
		ms   []dmsg
	}{{true, "queries", ups}, {false, "answers", downs}} {
		got := tsharkLines(t, dissect.Direction(msgs, dir.up))
		want := decodedLines(dir.ms)
		if len(want) == 0 || len(got) != len(want) || !slices.Equal(got, want) {
			t.Fatalf("%s: the %s: tshark framed\n%s\nthe reader\n%s", what, dir.name,
				strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i, o := range dnsOptional {
			got := dissect.Values(pkts, dir.up, len(dnsPerMessage)+i)
			var want []string
			for _, m := range dir.ms {
				want = append(want, m.optional[i]...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: the %s' %s: tshark printed %q, the reader read %q", what, dir.name, o.field, got, want)
			}
			values += len(got)
		}
	}
	return values
}
