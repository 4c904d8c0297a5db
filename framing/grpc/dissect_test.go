package grpc

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing/http2"
	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// tsharkPort is the server port of the pcap files, dissected as HTTP/2
// (cleartext with prior knowledge has no port of its own).
const tsharkPort = 50051

// tsharkCompressed maps the compressed flag tshark prints
// (grpc.compressed_flag, the prefix's first byte in decimal) to the
// package's (gRPC's PROTOCOL-HTTP2.md, Length-Prefixed-Message).
var tsharkCompressed = map[string]bool{"0": false, "1": true}

// recordedCalls are the calls of testdata/captures: bench's
// TestGRPCGoCalls made them on one connection, the plain one on stream 1
// and the gzip one on stream 3, and saved the DATA payloads of each
// call's stream.
var recordedCalls = []struct {
	name     string
	stream   uint32
	encoding string // grpc-encoding, "" for identity
}{{"plain", 1, ""}, {"gzip", 3, "gzip"}}

// hpackLiteral appends a header field as an HPACK literal without
// indexing and with a new name (RFC 7541 section 6.2.2), lengths in one
// byte with no Huffman coding: name and value under 127 bytes.
func hpackLiteral(dst []byte, name, value string) []byte {
	dst = append(dst, 0, byte(len(name)))
	dst = append(dst, name...)
	dst = append(dst, byte(len(value)))
	return append(dst, value...)
}

// headerBlock is the HPACK block of the header fields kv (name, value,
// name, value...).
func headerBlock(kv ...string) []byte {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		b = hpackLiteral(b, kv[i], kv[i+1])
	}
	return b
}

// decodeMessages reads one direction's gRPC bytes with the Decoder, in
// the pieces given, and returns the messages, their parts gathered, and
// the offsets in the stream where each message ends.
func decodeMessages(t *testing.T, pieces [][]byte) (msgs []whole, ends []int) {
	t.Helper()
	src := segtest.Pieces(slices.Clone(pieces))
	d := NewDecoder(pipe.NewReader(&src, pipe.ReaderOptions{}), Options{})
	defer d.Close()
	var parts []Message
	end := 0
	for m := range d.All(context.Background()) {
		if m.First {
			end += PrefixSize
		}
		end += m.Data.Len()
		if m.End() {
			ends = append(ends, end)
		}
		m.Data = seq.Of(m.Data.Bytes())
		parts = append(parts, m)
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	msgs, err := gather(parts)
	if err != nil {
		t.Fatal(err)
	}
	return msgs, ends
}

// A tsharkMessage is a message as tshark prints it: the prefix and the
// message data, which tshark decompresses when the prefix says the
// payload is compressed and the call's grpc-encoding is one it knows.
type tsharkMessage struct {
	Prefix
	data []byte
}

// tsharkMessages reads what tshark printed for one direction's packets:
// the prefix fields, one value per message, and the message data, which
// tshark leaves out for an empty payload, so a packet's values belong to
// its messages of non-zero length, in order.
func tsharkMessages(t *testing.T, pkts []dissect.Packet, up bool) []tsharkMessage {
	t.Helper()
	var out []tsharkMessage
	for _, p := range pkts {
		if p.Up != up {
			continue
		}
		msgs, err := dissect.Messages([]dissect.Packet{{Frame: p.Frame, Up: p.Up, Fields: p.Fields[:2]}})
		if err != nil {
			t.Fatal(err)
		}
		data := p.Fields[2]
		for _, m := range msgs {
			compressed, ok := tsharkCompressed[m.Fields[0]]
			n, err := strconv.ParseUint(m.Fields[1], 10, 32)
			if !ok || err != nil {
				t.Fatalf("frame %d: tshark printed %q", p.Frame, m.Fields)
			}
			tm := tsharkMessage{Prefix: Prefix{Compressed: compressed, Length: uint32(n)}}
			if n > 0 {
				if len(data) == 0 {
					t.Fatalf("frame %d: no message data for a message of %d bytes", p.Frame, n)
				}
				if tm.data, err = hex.DecodeString(data[0]); err != nil {
					t.Fatalf("frame %d: message data: %v", p.Frame, err)
				}
				data = data[1:]
			}
			out = append(out, tm)
		}
		if len(data) > 0 {
			t.Fatalf("frame %d: %d message data values left over", p.Frame, len(data))
		}
	}
	return out
}

// payload is a decoded message's payload as tshark shows it: gunzipped
// when compressed (the gzip call's grpc-encoding).
func payload(t *testing.T, m whole) []byte {
	t.Helper()
	if !m.Compressed {
		return []byte(m.Data)
	}
	z, err := gzip.NewReader(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dataFrames appends b as DATA frames of stream of 1 to 16,384 bytes
// (the initial SETTINGS_MAX_FRAME_SIZE, RFC 9113 section 6.5.2), their
// sizes drawn from rng.
func dataFrames(dst []byte, stream uint32, b []byte, rng *rand.Rand) []byte {
	for len(b) > 0 {
		n := min(len(b), 1+rng.IntN(http2.MinMaxFrameSize))
		if rng.IntN(2) == 0 {
			n = min(len(b), 1+rng.IntN(16))
		}
		dst = http2.AppendData(dst, stream, 0, 0, b[:n])
		b = b[n:]
	}
	return dst
}

// dataOf reads one side's HTTP/2 bytes with framing/http2's Decoder in
// role r and returns the data of its DATA frames on stream, frame part by
// frame part: a call's gRPC bytes as a server or a client would hand them
// to a Decoder of this package.
func dataOf(t *testing.T, b []byte, r http2.Role, stream uint32) [][]byte {
	t.Helper()
	d := http2.NewDecoder(pipe.FromBytes(b), r, http2.Options{})
	defer d.Close()
	var out [][]byte
	for f := range d.All(context.Background()) {
		if f.Header.Type == http2.TypeData && f.Header.StreamID == stream {
			out = append(out, f.AppendData(nil))
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return out
}

// A conversation is a call carried over HTTP/2: each side's bytes and
// the offsets where each side's turns end.
type conversation struct {
	up, down         []byte
	upEnds, downEnds []int
}

// carry wraps the gRPC bytes of a recorded call in the HTTP/2 connection
// grpc-go made (gRPC's PROTOCOL-HTTP2.md): the client's preface, SETTINGS
// and request headers, the server's SETTINGS, its acknowledgement and
// response headers; each message in DATA frames of random sizes, the
// client's turn ending after each request message and the server's
// after each reply (the call sent a message and waited for its reply);
// the client's end of stream and the server's trailers. upEnds and
// downEnds are where the messages end in up and down.
func carry(up, down []byte, upEnds, downEnds []int, stream uint32, encoding, path string, rng *rand.Rand) conversation {
	var c conversation
	req := []string{":method", "POST", ":scheme", "http", ":path", path, ":authority", fmt.Sprintf("127.0.0.2:%d", tsharkPort),
		"content-type", "application/grpc", "te", "trailers"}
	resp := []string{":status", "200", "content-type", "application/grpc"}
	if encoding != "" {
		req = append(req, "grpc-encoding", encoding, "grpc-accept-encoding", encoding)
		resp = append(resp, "grpc-encoding", encoding)
	}
	c.up = http2.AppendPreface(nil)
	c.up = http2.AppendSettings(c.up)
	c.up = http2.AppendHeaders(c.up, stream, http2.FlagEndHeaders, 0, http2.Priority{}, headerBlock(req...))
	c.down = http2.AppendSettings(nil)
	c.down = http2.AppendSettingsAck(c.down)
	c.down = http2.AppendHeaders(c.down, stream, http2.FlagEndHeaders, 0, http2.Priority{}, headerBlock(resp...))
	prev := 0
	for i, e := range upEnds {
		if i == 1 {
			c.up = http2.AppendSettingsAck(c.up)
		}
		c.up = dataFrames(c.up, stream, up[prev:e], rng)
		c.upEnds = append(c.upEnds, len(c.up))
		prev = e
	}
	c.up = http2.AppendData(c.up, stream, http2.FlagEndStream, 0, nil)
	prev = 0
	for _, e := range downEnds {
		c.down = dataFrames(c.down, stream, down[prev:e], rng)
		c.downEnds = append(c.downEnds, len(c.down))
		prev = e
	}
	c.down = http2.AppendHeaders(c.down, stream, http2.FlagEndHeaders|http2.FlagEndStream, 0, http2.Priority{},
		headerBlock("grpc-status", "0"))
	return c
}

// TestTsharkAgrees carries the gRPC bytes of every recorded call (both
// directions of a grpc-go client and server, testdata/captures) over
// HTTP/2 in DATA frames and TCP segments of random sizes, and checks that
// Wireshark's gRPC dissector finds the messages the Decoder finds, in each
// direction: the same number (the call's ten), and for each its
// compressed flag, its length and its payload (tshark shows it gunzipped
// when compressed). The recordings hold the DATA payloads only, not the
// HTTP/2 connection, so the test writes the frames around them; tshark
// frames the messages from the DATA frames by itself, and the Decoder
// reads the DATA frames' data as framing/http2 hands it over. The
// requests come before their replies, as in the call.
func TestTsharkAgrees(t *testing.T) {
	for _, call := range recordedCalls {
		t.Run(call.name, func(t *testing.T) {
			t.Parallel()
			var dirs [2][]byte
			for i, dir := range []string{"up", "down"} {
				b, err := os.ReadFile(filepath.Join("testdata", "captures", "grpc-go-"+call.name+"-"+dir+".bin"))
				if err != nil {
					t.Fatal(err)
				}
				dirs[i] = b
			}
			_, upEnds := decodeMessages(t, [][]byte{dirs[0]})
			_, downEnds := decodeMessages(t, [][]byte{dirs[1]})
			// A connection per seed, in one file: one run of tshark,
			// whose start costs more than the calls' dissection.
			seeds := []uint64{1, 2, 3}
			var carried []conversation
			var conns []dissect.Connection
			for _, seed := range seeds {
				c := carry(dirs[0], dirs[1], upEnds, downEnds, call.stream, call.encoding, "/sluice.Echo/"+call.name,
					rand.New(rand.NewPCG(seed, 0x67)))
				carried = append(carried, c)
				conns = append(conns, dissect.Connection{Turns: dissect.Interleave(c.up, c.down, c.upEnds, c.downEnds), Seed: seed})
			}
			all := dissect.Run(t, dissect.Pcaps(tsharkPort, conns...), tsharkPort,
				// The calls' payloads are raw bytes (bench's rawCodec),
				// not the protobuf tshark would parse them as.
				[]string{"-d", fmt.Sprintf("tcp.port==%d,http2", tsharkPort), "--disable-protocol", "protobuf"},
				"grpc.compressed_flag", "grpc.message_length", "grpc.message_data")
			for k, seed := range seeds {
				c, pkts := carried[k], dissect.Conn(all, k)
				for _, dir := range []struct {
					name string
					up   bool
					h2   []byte
					role http2.Role
				}{{"up", true, c.up, http2.Server}, {"down", false, c.down, http2.Client}} {
					t.Run(fmt.Sprintf("seed=%d/%s", seed, dir.name), func(t *testing.T) {
						want, _ := decodeMessages(t, dataOf(t, dir.h2, dir.role, call.stream))
						got := tsharkMessages(t, pkts, dir.up)
						if len(want) != len(captureSizes) || len(got) != len(want) {
							t.Fatalf("tshark found %d messages, the decoder %d", len(got), len(want))
						}
						for i := range got {
							if got[i].Prefix != want[i].Prefix {
								t.Fatalf("message %d: tshark %+v, the decoder %+v", i, got[i].Prefix, want[i].Prefix)
							}
							if p := payload(t, want[i]); !bytes.Equal(got[i].data, p) {
								t.Fatalf("message %d: tshark's %d bytes of message data differ from the decoder's %d", i, len(got[i].data), len(p))
							}
						}
						t.Logf("%d messages agree", len(got))
					})
				}
			}
		})
	}
}
