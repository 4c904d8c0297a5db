package mqtt

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	text := strings.Join(got, "\n") + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != text {
		t.Errorf("%s: got\n%s\nwant\n%s", name, text, want)
	}
}

// TestSession decodes both directions of a session with every packet
// type, in both versions, against golden renderings (checked by hand
// against MQTT 3.1.1 section 3 and MQTT 5.0 section 3: the remaining
// lengths, the fields, the property values).
func TestSession(t *testing.T) {
	for _, v := range []Version{V311, V5} {
		up, down := session(v)
		got, err := readAll(seq.Of(up), Server, Options{MaxPart: 128})
		if err != nil {
			t.Fatalf("v%d up: %v", v, err)
		}
		golden(t, fmt.Sprintf("session-v%d-up.txt", v), got)
		got, err = readAll(seq.Of(down), Client, Options{Version: v, MaxPart: 128})
		if err != nil {
			t.Fatalf("v%d down: %v", v, err)
		}
		golden(t, fmt.Sprintf("session-v%d-down.txt", v), got)
	}
}

// TestRoundTrip decodes the sessions with payloads whole and encodes every
// packet again: the same bytes.
func TestRoundTrip(t *testing.T) {
	for _, v := range []Version{V311, V5} {
		up, down := session(v)
		for _, dir := range []struct {
			in   []byte
			role Role
		}{{up, Server}, {down, Client}} {
			d := NewDecoder(pipeOf(dir.in), dir.role, Options{Version: v})
			var out []byte
			n := 0
			for p := range d.All(t.Context()) {
				if !p.First || p.Left != 0 {
					t.Fatalf("a packet in parts: %s", render(p))
				}
				out = Append(out, v, &p)
				n++
			}
			if err := d.Err(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, dir.in) {
				t.Fatalf("v%d %s: %d packets re-encoded differ:\n%x\n%x", v, dir.role, n, out, dir.in)
			}
		}
	}
}

// TestRemainingLengths decodes PUBLISH packets whose remaining lengths sit
// on both sides of each boundary of the Variable Byte Integer (MQTT 5.0
// section 1.5.5: 127/128, 16383/16384, 2097151/2097152).
func TestRemainingLengths(t *testing.T) {
	for _, rem := range []int{7, 127, 128, 16383, 16384, 2097151, 2097152} {
		p := Packet{Type: PUBLISH, Topic: so("t")}
		p.Data = seq.Of(bytes.Repeat([]byte{'x'}, rem-3))
		b := Append(nil, V311, &p)
		if want := 1 + varLen(uint32(rem)) + rem; len(b) != want {
			t.Fatalf("rem %d: %d bytes, want %d", rem, len(b), want)
		}
		c := Append(nil, V311, &Packet{Type: CONNECT, Connect: &Connect{Version: V311, ClientID: so("c")}})
		d := NewDecoder(pipeOf(append(c, b...)), Server, Options{})
		var got []Packet
		total := 0
		for q := range d.All(t.Context()) {
			if q.Type == PUBLISH {
				got = append(got, q)
				total += q.Data.Len()
				if q.Length != uint32(rem) {
					t.Fatalf("rem %d: Length %d", rem, q.Length)
				}
			}
		}
		if err := d.Err(); err != nil || total != rem-3 || len(got) != (rem-3+DefaultMaxPart-1)/DefaultMaxPart {
			t.Fatalf("rem %d: %d parts, %d payload bytes, %v", rem, len(got), total, err)
		}
	}
}

// connect311 is a minimal 3.1.1 CONNECT: what a server decoder must read
// before anything else.
var connect311 = hexBytes("10 0d 00 04 4d 51 54 54 04 02 00 3c 00 01 63")

// connect5 is the same in MQTT 5, with no properties.
var connect5 = hexBytes("10 0e 00 04 4d 51 54 54 05 02 00 3c 00 00 01 63")

func TestMalformed(t *testing.T) {
	n311, n5 := int64(len(connect311)), int64(len(connect5))
	for _, tc := range []struct {
		name string
		v    Version // 0: a server's stream, starting with CONNECT
		role Role
		in   []byte
		off  int64
		want error
	}{
		{"reserved-type", V311, Server, hexBytes("00 00"), n311, ErrReservedType},
		{"auth-in-311", V311, Client, hexBytes("f0 00"), 0, ErrReservedType},
		{"pingreq-flags", V311, Server, hexBytes("c1 00"), n311, ErrFlags},
		{"pubrel-flags", V311, Server, hexBytes("60 02 00 01"), n311, ErrFlags},
		{"subscribe-flags", V5, Server, hexBytes("80 06 00 01 00 00 01 61"), n5, ErrFlags},
		{"publish-qos3", V311, Server, hexBytes("36 05 00 01 61 00 01"), n311, ErrFlags},
		{"publish-dup-qos0", V311, Server, hexBytes("38 03 00 01 61"), n311, ErrFlags},
		{"fifth-length-byte", V311, Server, hexBytes("30 ff ff ff ff 01"), n311 + 1, ErrRemainingLength},
		{"length-not-shortest", V311, Server, hexBytes("c0 80 00"), n311 + 1, ErrRemainingLength},
		{"pingreq-length", V311, Server, hexBytes("c0 01 00"), n311 + 1, ErrRemainingLength},
		{"puback-length-311", V311, Server, hexBytes("40 03 00 01 00"), n311 + 1, ErrRemainingLength},
		{"too-large", V311, Server, hexBytes("30 ff ff ff 7f"), n311, ErrPacketTooLarge},
		{"whole-too-large", V311, Server, hexBytes("82 80 80 04"), n311, ErrPacketTooLarge},
		{"not-connected", 0, Server, hexBytes("c0 00"), 0, ErrNotConnected},
		{"second-connect", V311, Server, connect311, n311, ErrSecondConnect},
		{"direction", V311, Server, hexBytes("20 02 00 00"), n311, ErrDirection},
		{"direction-client", V5, Client, hexBytes("c0 00"), 0, ErrDirection},
		{"protocol-name", 0, Server, hexBytes("10 0d 00 04 4d 51 54 58 04 02 00 3c 00 01 63"), 2, ErrProtocolName},
		{"protocol-version", 0, Server, hexBytes("10 0d 00 04 4d 51 54 54 03 02 00 3c 00 01 63"), 2, ErrProtocolVersion},
		{"connect-reserved-flag", 0, Server, hexBytes("10 0d 00 04 4d 51 54 54 04 03 00 3c 00 01 63"), 2, ErrConnectFlags},
		{"password-without-user-311", 0, Server, hexBytes("10 10 00 04 4d 51 54 54 04 42 00 3c 00 01 63 00 01 70"), 2, ErrConnectFlags},
		{"will-qos-without-will", 0, Server, hexBytes("10 0d 00 04 4d 51 54 54 04 0a 00 3c 00 01 63"), 2, ErrConnectFlags},
		{"utf8", V311, Server, hexBytes("30 04 00 02 c3 28"), n311 + 2, ErrString},
		{"nul", V311, Server, hexBytes("30 04 00 02 61 00"), n311 + 2, ErrString},
		{"wildcard-topic", V311, Server, hexBytes("30 04 00 02 61 2b"), n311 + 2, ErrTopic},
		{"empty-topic-311", V311, Server, hexBytes("30 02 00 00"), n311 + 2, ErrTopic},
		{"empty-topic-no-alias", V5, Server, hexBytes("30 03 00 00 00"), n5 + 2, ErrTopic},
		{"packet-id-0", V311, Server, hexBytes("32 05 00 01 61 00 00"), n311 + 5, ErrPacketID},
		{"unknown-property", V5, Server, hexBytes("30 06 00 01 61 02 05 00"), n5 + 6, ErrProperty},
		{"misplaced-property", V5, Server, hexBytes("30 08 00 01 61 03 13 00 05"), n5 + 5, ErrProperty},
		{"duplicate-property", V5, Server, hexBytes("30 09 00 01 61 04 01 00 01 01"), n5 + 5, ErrDuplicateProperty},
		{"property-value", V5, Server, hexBytes("30 07 00 01 61 02 01 02"), n5 + 7, ErrPropertyValue},
		{"subscription-id-0", V5, Server, hexBytes("30 07 00 01 61 02 0b 00"), n5 + 7, ErrPropertyValue},
		{"sub-options-311", V311, Server, hexBytes("82 06 00 01 00 01 61 04"), n311 + 7, ErrSubscription},
		{"sub-options-5", V5, Server, hexBytes("82 07 00 01 00 00 01 61 30"), n5 + 8, ErrSubscription},
		{"suback-code", V311, Client, hexBytes("90 03 00 01 03"), 4, ErrSubscription},
		{"subscribe-empty", V5, Server, hexBytes("82 03 00 01 00"), n5 + 5, ErrEmptyPayload},
		{"connack-flags", V311, Client, hexBytes("20 02 02 00"), 2, ErrConnackFlags},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			switch {
			case tc.role == Client || tc.v == 0:
			case tc.v == V311:
				in = append(bytes.Clone(connect311), in...)
			default:
				in = append(bytes.Clone(connect5), in...)
			}
			_, err := readAll(seq.Of(in), tc.role, Options{Version: tc.v})
			if !violation(err, tc.off, tc.want) {
				t.Fatalf("got %v, want %v at offset %d", err, tc.want, tc.off)
			}
			var e *Error
			if !errors.As(err, &e) || ReasonCodeOf(err) != e.Code {
				t.Fatalf("%v: no *Error or reason code %#x", err, ReasonCodeOf(err))
			}
		})
	}
	// The limit errors also match parse.ErrTooLarge.
	_, err := readAll(seq.Of(hexBytes("30 ff ff ff 7f")), Client, Options{})
	if !errors.Is(err, parse.ErrTooLarge) || ReasonCodeOf(err) != PacketTooLarge {
		t.Fatalf("got %v", err)
	}
	// Truncated anywhere: io.ErrUnexpectedEOF, no reason code.
	up, _ := session(V5)
	for cut := 1; cut < len(up); cut += 7 {
		_, err := readAll(seq.Of(up[:cut]), Server, Options{})
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if ReasonCodeOf(err) != Success {
			t.Fatalf("cut at %d: reason %#x", cut, ReasonCodeOf(err))
		}
	}
}

// TestValidString checks the UTF-8 rule across segment boundaries: a rune
// cut anywhere is whole again, a bad one anywhere is refused.
func TestValidString(t *testing.T) {
	for _, tc := range []struct {
		s  string
		ok bool
	}{
		{"", true}, {"abc", true}, {"é/€/𝄞", true}, {"\uFFFD", true},
		{"a\x00b", false}, {"\xc3(", false}, {"\xed\xa0\x80", false}, {"€"[:2], false}, {"ab\xf0\x9d\x84", false},
	} {
		for _, c := range segmentations([]byte(tc.s)) {
			if got := validString(c); got != tc.ok {
				t.Errorf("%q in %d segments: %v", tc.s, countChunks(c), got)
			}
		}
	}
}

// TestWritePacket writes a session's packets into a pipe with
// WritePacket, PUBLISH payloads passed apart, and reads them back: the
// bytes Append gives.
func TestWritePacket(t *testing.T) {
	for _, v := range []Version{V311, V5} {
		up, _ := session(v)
		p := pipe.New(pipe.Options{})
		go func() {
			w := p.Writer()
			d := NewDecoder(pipe.FromBytes(up), Server, Options{MaxPart: 1 << 20})
			defer d.Close()
			for q := range d.All(context.Background()) {
				payload := q.Data.Bytes()
				q.Data = seq.Sequence{}
				if err := WritePacket(context.Background(), w, v, &q, payload); err != nil {
					w.Complete(err)
					return
				}
			}
			w.Complete(d.Err())
		}()
		got, err := io.ReadAll(pipe.AsReader(p.Reader()))
		if err != nil || !bytes.Equal(got, up) {
			t.Fatalf("v%d: %v\n%x\nwant\n%x", v, err, got, up)
		}
	}
}
