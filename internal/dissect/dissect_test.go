package dissect

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// joined returns each direction's bytes of turns.
func joined(turns []Turn) (up, down []byte) {
	for _, t := range turns {
		if t.Up {
			up = append(up, t.Data...)
		} else {
			down = append(down, t.Data...)
		}
	}
	return up, down
}

func stream(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func TestAlternate(t *testing.T) {
	for _, sizes := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1000, 10}, {10, 5000}, {3000, 3000}} {
		up, down := stream(sizes[0], 1), stream(sizes[1], 2)
		turns := Alternate(up, down, 7, 100)
		gu, gd := joined(turns)
		if !bytes.Equal(gu, up) || !bytes.Equal(gd, down) {
			t.Fatalf("%v: the turns do not carry the streams", sizes)
		}
		for i, tu := range turns {
			if len(tu.Data) == 0 || len(tu.Data) > 100 {
				t.Fatalf("%v: turn %d has %d bytes", sizes, i, len(tu.Data))
			}
		}
		if len(turns) > 0 && !turns[0].Up && len(up) > 0 {
			t.Fatalf("%v: the server spoke first", sizes)
		}
	}
}

func TestInterleave(t *testing.T) {
	up, down := []byte("aabbbc"), []byte("XYYZ")
	got := Interleave(up, down, []int{2, 5}, []int{1, 3})
	want := []Turn{{true, []byte("aa")}, {false, []byte("X")}, {true, []byte("bbb")}, {false, []byte("YY")},
		{true, []byte("c")}, {false, []byte("Z")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
	// Ends out of range or not increasing are passed over; the rest of a
	// direction is its last turn.
	got = Interleave(up, nil, []int{0, 3, 3, 99}, nil)
	want = []Turn{{true, []byte("aab")}, {true, []byte("bbc")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

// segment is a TCP segment read back from a pcap file.
type segment struct {
	conn     int
	up       bool
	flags    byte
	seq, ack uint32
	payload  []byte
}

// readPcap reads back what Pcap wrote, checking the file and IP headers.
func readPcap(t *testing.T, b []byte, port uint16) []segment {
	t.Helper()
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 || binary.LittleEndian.Uint32(b[20:]) != 101 {
		t.Fatalf("not a raw-IP pcap file: % x", b[:min(len(b), 24)])
	}
	b = b[24:]
	var segs []segment
	for len(b) > 0 {
		if len(b) < 16 {
			t.Fatalf("a record header cut short")
		}
		incl, orig := binary.LittleEndian.Uint32(b[8:]), binary.LittleEndian.Uint32(b[12:])
		if incl != orig || int(incl) > len(b)-16 {
			t.Fatalf("record lengths %d, %d with %d bytes left", incl, orig, len(b)-16)
		}
		pkt := b[16 : 16+incl]
		b = b[16+incl:]
		if pkt[0] != 0x45 || pkt[9] != 6 || int(binary.BigEndian.Uint16(pkt[2:])) != len(pkt) {
			t.Fatalf("IP header % x for a packet of %d bytes", pkt[:20], len(pkt))
		}
		if checksum(pkt[:20]) != 0 {
			t.Fatalf("IP header checksum wrong: % x", pkt[:20])
		}
		tcp := pkt[20:]
		sp, dp := binary.BigEndian.Uint16(tcp), binary.BigEndian.Uint16(tcp[2:])
		up := dp == port
		client := sp
		if !up {
			client = dp
		}
		if client < ClientPort || !up && sp != port {
			t.Fatalf("ports %d -> %d", sp, dp)
		}
		segs = append(segs, segment{int(client - ClientPort), up, tcp[13], binary.BigEndian.Uint32(tcp[4:]), binary.BigEndian.Uint32(tcp[8:]), tcp[20:]})
	}
	return segs
}

func TestPcap(t *testing.T) {
	up, down := stream(5000, 3), stream(7000, 4)
	for seed := range uint64(5) {
		turns := Alternate(up, down, seed, 2000)
		segs := readPcap(t, Pcap(turns, 5432, seed), 5432)
		// SYN, SYN-ACK, ACK; then data; then FIN, FIN, ACK.
		if len(segs) < 6 || segs[0].flags != 0x02 || segs[1].flags != 0x12 || segs[2].flags != 0x10 ||
			segs[len(segs)-3].flags != 0x11 || segs[len(segs)-2].flags != 0x11 || segs[len(segs)-1].flags != 0x10 {
			t.Fatalf("seed %d: handshake or close missing", seed)
		}
		// Each direction's sequence numbers follow its bytes, and each
		// segment acknowledges all the other direction has sent.
		next := map[bool]uint32{true: segs[0].seq + 1, false: segs[1].seq + 1}
		var gu, gd []byte
		for i, s := range segs[2 : len(segs)-3] {
			if s.seq != next[s.up] || s.ack != next[!s.up] {
				t.Fatalf("seed %d: segment %d: seq %d ack %d, want %d and %d", seed, i, s.seq, s.ack, next[s.up], next[!s.up])
			}
			if len(s.payload) > mss {
				t.Fatalf("seed %d: segment %d of %d bytes", seed, i, len(s.payload))
			}
			next[s.up] += uint32(len(s.payload))
			if s.up {
				gu = append(gu, s.payload...)
			} else {
				gd = append(gd, s.payload...)
			}
		}
		if !bytes.Equal(gu, up) || !bytes.Equal(gd, down) {
			t.Fatalf("seed %d: the segments do not carry the streams", seed)
		}
	}
}

// TestPcaps checks that connections written to one file keep their own
// ports and turns, one after another.
func TestPcaps(t *testing.T) {
	a := Alternate(stream(3000, 5), stream(2000, 6), 1, 500)
	b := Alternate(stream(100, 7), stream(5000, 8), 2, 500)
	segs := readPcap(t, Pcaps(8080, Connection{a, 1}, Connection{b, 2}), 8080)
	one := readPcap(t, Pcap(a, 8080, 1), 8080)
	if len(segs) <= len(one) || !cmp.Equal(segs[:len(one)], one, cmp.AllowUnexported(segment{})) {
		t.Fatal("the first connection is not the file Pcap writes for it")
	}
	var gu, gd []byte
	for _, s := range segs[len(one):] {
		if s.conn != 1 {
			t.Fatalf("a segment of connection %d after the first connection", s.conn)
		}
		if s.up {
			gu = append(gu, s.payload...)
		} else {
			gd = append(gd, s.payload...)
		}
	}
	wu, wd := joined(b)
	if !bytes.Equal(gu, wu) || !bytes.Equal(gd, wd) {
		t.Fatal("the second connection does not carry its streams")
	}
}

func TestSeeded(t *testing.T) {
	a, b := []Turn{{true, []byte("a")}}, []Turn{{false, []byte("b")}}
	got := Seeded([][]Turn{a, b}, 2)
	want := []Connection{{a, 0}, {a, 1}, {b, 0}, {b, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestParseFields(t *testing.T) {
	out := "4\t40000\t5432\tSimple query\t32\n5\t5432\t40000\t\t\n6\t5432\t40001\tData row|Ready for query\t20|5\n"
	pkts, err := parseFields(out, 5432, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []Packet{
		{Frame: 4, Up: true, Fields: [][]string{{"Simple query"}, {"32"}}},
		{Frame: 6, Conn: 1, Up: false, Fields: [][]string{{"Data row", "Ready for query"}, {"20", "5"}}},
	}
	if diff := cmp.Diff(want, pkts); diff != "" {
		t.Fatal(diff)
	}
	msgs, err := Messages(pkts)
	if err != nil {
		t.Fatal(err)
	}
	wantMsgs := []Message{{0, true, []string{"Simple query", "32"}}, {1, false, []string{"Data row", "20"}},
		{1, false, []string{"Ready for query", "5"}}}
	if diff := cmp.Diff(wantMsgs, msgs); diff != "" {
		t.Fatal(diff)
	}
	if got := Direction(msgs, false); !slices.EqualFunc(got, wantMsgs[1:], func(a, b Message) bool { return cmp.Equal(a, b) }) {
		t.Fatalf("Direction: %v", got)
	}
	head, err := Head(pkts, 1)
	if err != nil || len(head) != 3 || head[2].Fields[0] != "Ready for query" || len(head[2].Fields) != 1 {
		t.Fatalf("Head: %v, %v", head, err)
	}
	if got := Values(pkts, false, 1); !slices.Equal(got, []string{"20", "5"}) {
		t.Fatalf("Values: %q", got)
	}
	if got := Conn(pkts, 1); len(got) != 1 || got[0].Frame != 6 {
		t.Fatalf("Conn: %v", got)
	}
	for _, bad := range []string{"4\t40000\t5432\tx\n", "4\t39999\t5432\tx\t1\n", "4\t5433\t40000\tx\t1\n", "x\t40000\t5432\tx\t1\n"} {
		if _, err := parseFields(bad, 5432, 2); err == nil {
			t.Fatalf("%q was taken", bad)
		}
	}
	if _, err := Messages([]Packet{{Frame: 9, Fields: [][]string{{"a", "b"}, {"1"}}}}); err == nil {
		t.Fatal("fields with different numbers of values were zipped")
	}
}

// dnsMessage is a DNS over TCP message (RFC 7766: a 2-byte length) with
// id, a question for name, and, for an answer, one A record.
func dnsMessage(id uint16, name string, answer bool) []byte {
	var m []byte
	m = binary.BigEndian.AppendUint16(m, id)
	flags, an := uint16(0x0100), uint16(0)
	if answer {
		flags, an = 0x8180, 1
	}
	m = binary.BigEndian.AppendUint16(m, flags)
	m = binary.BigEndian.AppendUint16(m, 1)
	m = binary.BigEndian.AppendUint16(m, an)
	m = append(m, 0, 0, 0, 0)
	for _, label := range bytes.Split([]byte(name), []byte(".")) {
		m = append(m, byte(len(label)))
		m = append(m, label...)
	}
	m = append(m, 0, 0, 1, 0, 1)
	if answer {
		m = append(m, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, byte(id))
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(m))), m...)
}

// TestTsharkReassembles runs tshark over pipelined DNS queries and their
// answers cut into random segments: it must find every message, in order,
// whatever the cuts.
func TestTsharkReassembles(t *testing.T) {
	var up, down []byte
	var want []Message
	for i := range 40 {
		id := uint16(100 + i)
		name := fmt.Sprintf("host%d.%s.example", i, bytes.Repeat([]byte("x"), 1+i*3))
		up = append(up, dnsMessage(id, name, false)...)
		want = append(want, Message{0, true, []string{fmt.Sprint(id), "0"}})
	}
	for i := range 40 {
		id := uint16(100 + i)
		name := fmt.Sprintf("host%d.%s.example", i, bytes.Repeat([]byte("x"), 1+i*3))
		down = append(down, dnsMessage(id, name, true)...)
		want = append(want, Message{0, false, []string{fmt.Sprint(id), "1"}})
	}
	// Three connections in one file, each cut with a seed of its own.
	turns := Interleave(up, down, nil, nil) // the queries, then the answers
	var conns []Connection
	for seed := range uint64(3) {
		conns = append(conns, Connection{turns, seed})
	}
	pkts := Run(t, Pcaps(5353, conns...), 5353, []string{"-d", "tcp.port==5353,dns"}, "dns.id", "dns.flags.response")
	for k := range conns {
		got, err := Messages(Conn(pkts, k))
		if err != nil {
			t.Fatal(err)
		}
		// tshark prints numbers in hex or decimal as the field's display
		// asks: dns.id is hex.
		for i := range got {
			var id uint16
			if _, err := fmt.Sscanf(got[i].Fields[0], "0x%x", &id); err == nil {
				got[i].Fields[0] = fmt.Sprint(id)
			}
		}
		for i := range want {
			want[i].Conn = k
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("connection %d: tshark's messages (-want +got):\n%s", k, diff)
		}
	}
}
