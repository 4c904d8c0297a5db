// Package dissect lets a test compare a decoder's framing with an
// independent dissector's: it writes a recorded TCP conversation (the two
// byte streams a wiretap recording or a capture file holds) as a pcap file
// of one TCP connection, cut into segments at places of its own choosing,
// and runs Wireshark's tshark over it, which reassembles the segments and
// frames the protocol with its own dissector.
//
// A test reads the fields tshark prints for each message and checks that
// the decoder found the same messages, in the same order, with the same
// lengths and kinds. The segments are cut at random sizes drawn from a
// seed, not where the decoder's messages end, so that tshark's framing owes
// nothing to ours.
package dissect

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/wiretap"
)

// A Turn is bytes one side sends before the other side's next turn: the
// client's (Up) or the server's.
type Turn struct {
	Up   bool
	Data []byte
}

// Alternate returns the conversation of a client that sent up and a server
// that sent down, as turns that alternate between them, each of 1 to max
// bytes drawn from seed, starting with the client. A recording keeps each
// direction's bytes but not how the two interleaved; a dissector that keeps
// state across directions may need turns of the caller's (a handshake
// first), which can precede these.
func Alternate(up, down []byte, seed uint64, max int) []Turn {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var turns []Turn
	for len(up) > 0 || len(down) > 0 {
		if len(up) > 0 {
			n := min(len(up), 1+rng.IntN(max))
			turns = append(turns, Turn{true, up[:n]})
			up = up[n:]
		}
		if len(down) > 0 {
			n := min(len(down), 1+rng.IntN(max))
			turns = append(turns, Turn{false, down[:n]})
			down = down[n:]
		}
	}
	return turns
}

// Interleave returns the conversation of a client that sent up and a
// server that sent down as turns that alternate, starting with the
// client: the client's turns end at the offsets upEnds of up, the server's
// at the offsets downEnds of down (each increasing), and whatever follows
// the last end of a direction is its last turn. A test that knows where a
// protocol's side waits for the other (after a query, before a handshake's
// answer) cuts there, since a dissector that keeps state across directions
// needs the conversation in its order; within a turn the segments are
// Pcap's.
func Interleave(up, down []byte, upEnds, downEnds []int) []Turn {
	cut := func(b []byte, ends []int) [][]byte {
		var out [][]byte
		prev := 0
		for _, e := range ends {
			if e > prev && e <= len(b) {
				out = append(out, b[prev:e])
				prev = e
			}
		}
		if prev < len(b) {
			out = append(out, b[prev:])
		}
		return out
	}
	ups, downs := cut(up, upEnds), cut(down, downEnds)
	var turns []Turn
	for i := range max(len(ups), len(downs)) {
		if i < len(ups) {
			turns = append(turns, Turn{true, ups[i]})
		}
		if i < len(downs) {
			turns = append(turns, Turn{false, downs[i]})
		}
	}
	return turns
}

// Addresses of the connections a pcap file holds: the first client port
// (connection k of a file uses ClientPort+k), and 127.0.0.1 and 127.0.0.2
// for the client and the server.
const (
	ClientPort = 40000
	clientIP   = 0x7f000001
	serverIP   = 0x7f000002
	mss        = 1460
)

// A Connection is one TCP connection of a pcap file: the turns it carries,
// and the seed that draws the sizes of its segments.
type Connection struct {
	Turns []Turn
	Seed  uint64
}

// Pcap returns a pcap file (link type raw IPv4) of one TCP connection from
// the client to port on the server that carries turns in order: the
// three-way handshake, each turn in segments of 1 to 1,460 bytes whose
// sizes are drawn from seed, and a FIN from each side.
func Pcap(turns []Turn, port uint16, seed uint64) []byte {
	return Pcaps(port, Connection{turns, seed})
}

// Pcaps returns a pcap file of the connections, one after another, each
// as Pcap writes one: connection k from client port ClientPort+k, starting
// k seconds after the first. tshark keeps them apart (Packet.Conn), so
// that one run of tshark, whose start costs far more than dissecting a
// capture, frames many connections.
func Pcaps(port uint16, conns ...Connection) []byte {
	var buf []byte
	buf = binary.LittleEndian.AppendUint32(buf, 0xa1b2c3d4)
	buf = binary.LittleEndian.AppendUint16(buf, 2)
	buf = binary.LittleEndian.AppendUint16(buf, 4)
	buf = binary.LittleEndian.AppendUint64(buf, 0)     // time zone, accuracy
	buf = binary.LittleEndian.AppendUint32(buf, 1<<16) // snapshot length
	buf = binary.LittleEndian.AppendUint32(buf, 101)   // LINKTYPE_RAW
	for k, c := range conns {
		w := &pcapWriter{buf: buf, port: port, client: uint16(ClientPort + k), cseq: 1000, sseq: 5000, usec: uint64(k) * 1_000_000}
		w.connection(c.Turns, rand.New(rand.NewPCG(c.Seed, 0xca9)))
		buf = w.buf
	}
	return buf
}

// connection appends the segments of one connection that carries turns,
// cut at sizes drawn from rng.
func (w *pcapWriter) connection(turns []Turn, rng *rand.Rand) {
	const syn, ack, psh, fin = 0x02, 0x10, 0x08, 0x01
	w.segment(true, syn, nil)
	w.cseq++
	w.segment(false, syn|ack, nil)
	w.sseq++
	w.segment(true, ack, nil)
	for _, t := range turns {
		data := t.Data
		for len(data) > 0 {
			n := min(len(data), 1+rng.IntN(mss))
			// Small segments are what stress reassembly; half of them
			// are at most 64 bytes.
			if rng.IntN(2) == 0 {
				n = min(len(data), 1+rng.IntN(64))
			}
			w.segment(t.Up, ack|psh, data[:n])
			data = data[n:]
		}
	}
	w.segment(true, fin|ack, nil)
	w.cseq++
	w.segment(false, fin|ack, nil)
	w.sseq++
	w.segment(true, ack, nil)
}

type pcapWriter struct {
	buf          []byte
	port, client uint16
	cseq, sseq   uint32
	usec         uint64
}

// segment appends a TCP segment with flags and payload p from the client
// (up) or the server, and moves that side's sequence number past p.
func (w *pcapWriter) segment(up bool, flags byte, p []byte) {
	src, dst, sp, dp, seq, ack := uint32(clientIP), uint32(serverIP), w.client, w.port, w.cseq, w.sseq
	if !up {
		src, dst, sp, dp, seq, ack = dst, src, dp, sp, w.sseq, w.cseq
	}
	if flags == 0x02 { // the first SYN acknowledges nothing
		ack = 0
	}
	total := 40 + len(p)
	w.usec += 10
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(1_700_000_000+w.usec/1_000_000))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(w.usec%1_000_000))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(total))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(total))
	ip := len(w.buf)
	w.buf = append(w.buf, 0x45, 0)
	w.buf = binary.BigEndian.AppendUint16(w.buf, uint16(total))
	w.buf = append(w.buf, 0, 0, 0x40, 0, 64, 6, 0, 0) // id, DF, TTL, TCP, checksum
	w.buf = binary.BigEndian.AppendUint32(w.buf, src)
	w.buf = binary.BigEndian.AppendUint32(w.buf, dst)
	binary.BigEndian.PutUint16(w.buf[ip+10:], checksum(w.buf[ip:ip+20]))
	w.buf = binary.BigEndian.AppendUint16(w.buf, sp)
	w.buf = binary.BigEndian.AppendUint16(w.buf, dp)
	w.buf = binary.BigEndian.AppendUint32(w.buf, seq)
	w.buf = binary.BigEndian.AppendUint32(w.buf, ack)
	w.buf = append(w.buf, 5<<4, flags)
	w.buf = binary.BigEndian.AppendUint16(w.buf, 65535) // window
	w.buf = append(w.buf, 0, 0, 0, 0)                   // checksum (not verified by default), urgent pointer
	w.buf = append(w.buf, p...)
	if up {
		w.cseq += uint32(len(p))
	} else {
		w.sseq += uint32(len(p))
	}
}

// checksum is the Internet checksum of b.
func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// A Packet is what tshark printed for one packet: the connection it
// belongs to, which side sent it, and for each field asked for, its values in the packet (one
// per message that ends in the packet, in order; none in a packet that ends
// no message).
type Packet struct {
	Frame  int
	Conn   int // the connection's index in the file (see Pcaps)
	Up     bool
	Fields [][]string
}

// Run writes pcap, a file of Pcap's with the server at port, to a
// temporary directory and runs tshark over it with the extra arguments
// args (such as "-d", "tcp.port==5432,pgsql"), asking for fields. It
// returns the packets that hold at least one of them, in order. It
// requires tshark (see wiretap.Require: the test is skipped without it,
// and fails without it in CI).
func Run(t testing.TB, pcap []byte, port uint16, args []string, fields ...string) []Packet {
	t.Helper()
	tshark := wiretap.Require(t, "tshark")
	dir := t.TempDir()
	name := filepath.Join(dir, "conversation.pcap")
	if err := os.WriteFile(name, pcap, 0o644); err != nil {
		t.Fatal(err)
	}
	cmdArgs := []string{"-n", "-r", name, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|",
		"-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.dstport"}
	for _, f := range fields {
		cmdArgs = append(cmdArgs, "-e", f)
	}
	cmdArgs = append(cmdArgs, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tshark, cmdArgs...)
	// tshark keeps its preferences and its recent files in the home
	// directory: a temporary one leaves the user's alone and reads none.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dissect: tshark %s: %v\n%s", strings.Join(cmdArgs, " "), err, stderr.Bytes())
	}
	pkts, err := parseFields(stdout.String(), port, len(fields))
	if err != nil {
		t.Fatalf("dissect: tshark's output: %v", err)
	}
	return pkts
}

// parseFields reads tshark's -T fields output: a line per packet, the frame
// number, the source and destination ports and n fields, tab-separated,
// each field's values joined by '|'. Packets that hold none of the n
// fields are left out.
func parseFields(out string, port uint16, n int) ([]Packet, error) {
	var pkts []Packet
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3+n {
			return nil, fmt.Errorf("%q: %d columns, want %d", line, len(cols), 3+n)
		}
		var num [3]int
		for i := range num {
			v, err := strconv.Atoi(cols[i])
			if err != nil {
				return nil, fmt.Errorf("%q: column %d: %v", line, i+1, err)
			}
			num[i] = v
		}
		p := Packet{Frame: num[0], Up: num[2] == int(port), Fields: make([][]string, n)}
		client := num[1]
		if !p.Up {
			client = num[2]
		}
		p.Conn = client - ClientPort
		if p.Conn < 0 || !p.Up && num[1] != int(port) {
			return nil, fmt.Errorf("%q: ports %d -> %d, not the file's", line, num[1], num[2])
		}
		any := false
		for i, c := range cols[3:] {
			if c != "" {
				p.Fields[i] = strings.Split(c, "|")
				any = true
			}
		}
		if any {
			pkts = append(pkts, p)
		}
	}
	return pkts, nil
}

// A Message is one message as tshark framed it: its connection, which
// side sent it and its fields' values.
type Message struct {
	Conn   int
	Up     bool
	Fields []string
}

// Messages returns the messages of pkts, for fields that have one value in
// every message (a type and a length): a packet's i-th value of each field
// belongs to its i-th message. A packet whose fields have different numbers
// of values is an error, with the packet's frame number.
func Messages(pkts []Packet) ([]Message, error) {
	var msgs []Message
	for _, p := range pkts {
		n := len(p.Fields[0])
		for i, f := range p.Fields {
			if len(f) != n {
				return msgs, fmt.Errorf("frame %d: field %d has %d values, field 0 has %d", p.Frame, i, len(f), n)
			}
		}
		for j := range n {
			m := Message{Conn: p.Conn, Up: p.Up, Fields: make([]string, len(p.Fields))}
			for i, f := range p.Fields {
				m.Fields[i] = f[j]
			}
			msgs = append(msgs, m)
		}
	}
	return msgs, nil
}

// Direction returns the messages of msgs that the client sent (up) or the
// server sent, in order.
func Direction(msgs []Message, up bool) []Message {
	var out []Message
	for _, m := range msgs {
		if m.Up == up {
			out = append(out, m)
		}
	}
	return out
}

// Conn returns the packets of pkts that belong to connection k of the file
// (see Pcaps), in order.
func Conn(pkts []Packet, k int) []Packet {
	var out []Packet
	for _, p := range pkts {
		if p.Conn == k {
			out = append(out, p)
		}
	}
	return out
}

// Seeded returns the connections that carry each conversation of convs
// cut with the seeds 0, 1, ..., seeds-1: conversation i with seed k is
// connection i*seeds+k, for one file of Pcaps.
func Seeded(convs [][]Turn, seeds int) []Connection {
	var out []Connection
	for _, turns := range convs {
		for k := range seeds {
			out = append(out, Connection{Turns: turns, Seed: uint64(k)})
		}
	}
	return out
}

// Head returns the messages of pkts for their first n fields, those with
// one value in every message (see Messages); the fields after them, which
// some messages have, are read with Values.
func Head(pkts []Packet, n int) ([]Message, error) {
	head := make([]Packet, len(pkts))
	for i, p := range pkts {
		head[i] = p
		head[i].Fields = p.Fields[:n]
	}
	return Messages(head)
}

// Values returns the values of field i in the packets of pkts that the
// client sent (up) or the server sent, in order.
func Values(pkts []Packet, up bool, i int) []string {
	var out []string
	for _, p := range pkts {
		if p.Up == up {
			out = append(out, p.Fields[i]...)
		}
	}
	return out
}
