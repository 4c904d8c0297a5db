package tlsrecord

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// tlsPort is the server's port in the pcap files, s_server's default,
// which tshark is told to read as TLS.
const tlsPort = 4433

// tlsFields are the fields tshark prints: per record its content type
// (tls.record.content_type, or tls.record.opaque_type for a protected
// record of a TLS 1.3 connection), legacy version and length; per
// plaintext handshake message its type and length.
var tlsFields = []string{
	"tls.record.content_type", "tls.record.opaque_type", "tls.record.version", "tls.record.length",
	"tls.handshake.type", "tls.handshake.length",
}

// tsharkTypes maps the content types tshark prints (decimal) to the
// package's.
var tsharkTypes = map[string]ContentType{
	"20": TypeChangeCipherSpec, "21": TypeAlert, "22": TypeHandshake, "23": TypeApplicationData, "24": TypeHeartbeat,
}

// tsharkVersions maps the legacy versions tshark prints (hex) to the
// package's.
var tsharkVersions = map[string]Version{"0x0301": VersionTLS10, "0x0302": VersionTLS11, "0x0303": VersionTLS12}

// handshakeMsg is the header of a plaintext handshake message (RFC 8446
// section 4, RFC 5246 section 7.4): its type and body length.
type handshakeMsg struct {
	Type   HandshakeType
	Length uint32
}

// tlsDirection is what the test compares of one direction: the headers of
// its records and the handshake messages of its plaintext handshake
// records.
type tlsDirection struct {
	Records   []Header
	Handshake []handshakeMsg
}

// decodedDirection reads the records of b with the package's Parser, and
// the headers of the handshake messages in the plaintext handshake
// records: those of type handshake before the direction's
// change_cipher_spec (RFC 5246 section 7.1: what follows it is under the
// new keys; in TLS 1.3, RFC 8446 section 5.2, protected records are all of
// type application_data). A message that does not end in its record is an
// error: the captures have none, and the walk does not join records.
func decodedDirection(t *testing.T, b []byte) tlsDirection {
	t.Helper()
	r := parse.NewReader(pipe.FromBytes(b), Parser(Options{}), parse.Options{})
	defer r.Close()
	var d tlsDirection
	protected := false
	for rec := range r.All(context.Background()) {
		d.Records = append(d.Records, rec.Header)
		switch {
		case rec.Type == TypeChangeCipherSpec:
			protected = true
		case rec.Type == TypeHandshake && !protected:
			frag := rec.Fragment.Bytes()
			for len(frag) > 0 {
				if len(frag) < 4 {
					t.Fatalf("a handshake header split across records: % x", frag)
				}
				n := uint32(frag[1])<<16 | uint32(frag[2])<<8 | uint32(frag[3])
				if uint32(len(frag)-4) < n {
					t.Fatalf("a handshake message of %d bytes in a record of %d", n, len(frag)-4)
				}
				d.Handshake = append(d.Handshake, handshakeMsg{HandshakeType(frag[0]), n})
				frag = frag[4+n:]
			}
		}
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return d
}

// tsharkDirections gathers what tshark printed, per direction. A packet's
// i-th version and length belong to the i-th record that ends in it. tshark
// prints a record's type as tls.record.opaque_type (always 23) instead of
// tls.record.content_type when the connection is TLS 1.3 and the record is
// of type application_data (packet-tls.c, dissect_ssl3_record), so the two
// are two lists for one packet: the content types come first, since a
// TLS 1.3 direction sends its plaintext records (hello, the compatibility
// change_cipher_spec of RFC 8446 appendix D.4) before its protected ones
// (RFC 8446 section 5.1); a packet where that order is not the records'
// reads as a disagreement, not as a pass.
func tsharkDirections(pkts []dissect.Packet) (map[bool]*tlsDirection, error) {
	out := map[bool]*tlsDirection{true: {}, false: {}}
	for _, p := range pkts {
		f := p.Fields
		d := out[p.Up]
		types := append(append([]string(nil), f[0]...), f[1]...)
		for _, s := range f[1] {
			if s != "23" {
				return nil, fmt.Errorf("frame %d: opaque type %s", p.Frame, s)
			}
		}
		if len(types) != len(f[2]) || len(f[2]) != len(f[3]) {
			return nil, fmt.Errorf("frame %d: %d types, %d versions and %d lengths", p.Frame, len(types), len(f[2]), len(f[3]))
		}
		for i := range f[2] {
			typ, ok1 := tsharkTypes[types[i]]
			v, ok2 := tsharkVersions[f[2][i]]
			n, err := strconv.ParseUint(f[3][i], 10, 16)
			if !ok1 || !ok2 || err != nil {
				return nil, fmt.Errorf("frame %d: type %q, version %q, length %q", p.Frame, types[i], f[2][i], f[3][i])
			}
			d.Records = append(d.Records, Header{typ, v, uint16(n)})
		}
		if len(f[4]) != len(f[5]) {
			return nil, fmt.Errorf("frame %d: %d handshake types and %d lengths", p.Frame, len(f[4]), len(f[5]))
		}
		for i := range f[4] {
			typ, err1 := strconv.ParseUint(f[4][i], 10, 8)
			n, err2 := strconv.ParseUint(f[5][i], 10, 24)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("frame %d: handshake type %q, length %q", p.Frame, f[4][i], f[5][i])
			}
			d.Handshake = append(d.Handshake, handshakeMsg{HandshakeType(typ), uint32(n)})
		}
	}
	return out, nil
}

// msgTurns returns where each side's turns end in the conversation that
// openssl's -msg output logs (s_client's view, msgHeader's lines): a run
// of records it sent is a turn of the client, a run it received one of
// the server, each ending at the offset in its direction's bytes after the
// run's last record. It also returns the bytes the log lists in each
// direction.
func msgTurns(t *testing.T, log []byte) (upEnds, downEnds []int, upLen, downLen int) {
	t.Helper()
	off := map[bool]int{}
	last := false
	for _, r := range msgRecords(t, log) {
		if r.up != last && off[last] > 0 {
			if last {
				upEnds = append(upEnds, off[true])
			} else {
				downEnds = append(downEnds, off[false])
			}
		}
		last = r.up
		off[r.up] += HeaderSize + int(r.h.Length)
	}
	return upEnds, downEnds, off[true], off[false]
}

// TestTsharkAgrees frames every stored capture with Wireshark's TLS
// dissector and checks that it finds the records the Parser finds, in
// each direction: type, legacy version and length of every record, and
// type and length of the plaintext handshake messages. The conversation
// runs in the order s_client's -msg output logs (the ClientHello, the
// server's flight, the client's, ...), since tshark learns from the
// ServerHello that a connection is TLS 1.3 and then prints its protected
// records' types as opaque types; each pcap cuts the turns into TCP
// segments of its own.
func TestTsharkAgrees(t *testing.T) {
	for _, c := range testutil.Captures(t) {
		t.Run(c.Name, func(t *testing.T) {
			log, err := os.ReadFile(filepath.Join("testdata", "captures", c.Name+"-msg.txt"))
			if err != nil {
				t.Fatal(err)
			}
			compareTshark(t, c.Up, c.Down, log, 4)
		})
	}
}

// compareTshark checks that tshark's TLS dissector finds, in each
// direction, the records and plaintext handshake messages the Parser finds
// in up (the client's) and down (the server's): the conversation runs in
// the turns s_client's -msg output log lists (msgTurns), which must account
// for every byte, in one connection per seed below seeds, all in one pcap
// and one run of tshark.
func compareTshark(t *testing.T, up, down, log []byte, seeds uint64) {
	t.Helper()
	want := map[bool]tlsDirection{true: decodedDirection(t, up), false: decodedDirection(t, down)}
	upEnds, downEnds, upLen, downLen := msgTurns(t, log)
	if upLen != len(up) || downLen != len(down) {
		t.Fatalf("the -msg log lists %d and %d bytes, the connection holds %d and %d", upLen, downLen, len(up), len(down))
	}
	turns := dissect.Interleave(up, down, upEnds, downEnds)
	// A connection per seed, in one file: one run of tshark, whose start
	// costs more than the dissection.
	var conns []dissect.Connection
	for seed := range seeds {
		conns = append(conns, dissect.Connection{Turns: turns, Seed: seed})
	}
	all := dissect.Run(t, dissect.Pcaps(tlsPort, conns...), tlsPort, []string{"-d", fmt.Sprintf("tcp.port==%d,tls", tlsPort)}, tlsFields...)
	for seed := range seeds {
		pkts := dissect.Conn(all, int(seed))
		got, err := tsharkDirections(pkts)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, dir := range []bool{true, false} {
			who := map[bool]string{true: "client", false: "server"}[dir]
			w, g := want[dir], *got[dir]
			if len(w.Records) == 0 || len(w.Handshake) == 0 || len(g.Records) != len(w.Records) {
				t.Fatalf("seed %d: the %s sent %d records (%d plaintext handshake messages), tshark found %d",
					seed, who, len(w.Records), len(w.Handshake), len(g.Records))
			}
			if diff := cmp.Diff(w, g); diff != "" {
				t.Fatalf("seed %d: the %s's records, decoder (-) and tshark (+):\n%s", seed, who, diff)
			}
		}
		if seed == 0 {
			t.Logf("%d turns; client: %d records, %d handshake messages; server: %d records, %d handshake messages agree with tshark",
				len(turns), len(want[true].Records), len(want[true].Handshake), len(want[false].Records), len(want[false].Handshake))
		}
	}
}
