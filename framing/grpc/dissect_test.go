package grpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/sluicego/sluice/framing/http2"
	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
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
	return testutil.Gunzip(t, []byte(m.Data))
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

// A side is one direction of a recorded HTTP/2 connection as framing/http2
// reads it: the DATA of each stream, frame part by frame part, and for
// each DATA frame of a stream the offset in the connection where the
// frame ends and the offset in the stream's data where its data ends.
type side struct {
	data    map[uint32][][]byte
	streams []uint32 // in the order of their first DATA frame
	frames  map[uint32][]dataFrame
}

type dataFrame struct{ end, dataEnd int }

// readSide reads b, one side of a connection, with framing/http2's
// Decoder in role r (a server reads the client's preface first, RFC 9113
// section 3.4).
func readSide(t *testing.T, b []byte, r http2.Role) side {
	t.Helper()
	s := side{data: map[uint32][][]byte{}, frames: map[uint32][]dataFrame{}}
	d := http2.NewDecoder(pipe.FromBytes(b), r, http2.Options{})
	defer d.Close()
	pos := 0
	if r == http2.Server {
		pos = len(http2.Preface)
	}
	n := map[uint32]int{} // data bytes so far per stream
	for f := range d.All(context.Background()) {
		id := f.Header.StreamID
		if f.First {
			pos += http2.HeaderSize + int(f.Header.Length)
		}
		if f.Header.Type != http2.TypeData {
			continue
		}
		if _, ok := s.data[id]; !ok {
			s.streams = append(s.streams, id)
		}
		s.data[id] = append(s.data[id], f.AppendData(nil))
		n[id] += f.Data.Len()
		if f.End() {
			s.frames[id] = append(s.frames[id], dataFrame{pos, n[id]})
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	if pos != len(b) {
		t.Fatalf("%s: frames end at %d of %d bytes", r, pos, len(b))
	}
	return s
}

// waits returns the messages of each stream, read by the Decoder from
// the stream's DATA, and the offsets of the side's frames that end a
// message, in order: where the side waits for the other, since each call
// of the recording sent a message and waited for its reply.
func (s side) waits(t *testing.T) (msgs map[uint32][]whole, ends []int) {
	t.Helper()
	msgs = map[uint32][]whole{}
	for _, id := range s.streams {
		m, msgEnds := decodeMessages(t, s.data[id])
		msgs[id] = m
		for _, f := range s.frames[id] {
			for len(msgEnds) > 0 && msgEnds[0] <= f.dataEnd {
				if len(ends) == 0 || ends[len(ends)-1] != f.end {
					ends = append(ends, f.end)
				}
				msgEnds = msgEnds[1:]
			}
		}
	}
	slices.Sort(ends)
	return msgs, ends
}

// tsharkByStream reads what tshark printed for one direction's packets
// (the fields of tsharkMessages, then http2.streamid, http2.type and
// http2.flags, one value per HTTP/2 frame) and returns the messages per
// stream. tshark frames a stream's messages when the stream's body ends
// (content type application/grpc+raw is not one it reads as a stream
// of messages): a packet's messages belong to its frame with
// END_STREAM, a DATA or HEADERS frame (RFC 9113 sections 6.1 and 6.2).
func tsharkByStream(t *testing.T, pkts []dissect.Packet, up bool) map[uint32][]tsharkMessage {
	t.Helper()
	out := map[uint32][]tsharkMessage{}
	for _, p := range pkts {
		if p.Up != up || len(p.Fields[0]) == 0 {
			continue
		}
		ids, types, flags := p.Fields[3], p.Fields[4], p.Fields[5]
		if len(ids) != len(types) || len(ids) != len(flags) {
			t.Fatalf("frame %d: %d stream ids, %d types, %d flags", p.Frame, len(ids), len(types), len(flags))
		}
		stream := -1
		for i := range ids {
			f, err := strconv.ParseUint(flags[i], 0, 8)
			if err != nil {
				t.Fatalf("frame %d: flags %q", p.Frame, flags[i])
			}
			if types[i] != "0" && types[i] != "1" || http2.Flags(f)&http2.FlagEndStream == 0 {
				continue
			}
			id, err := strconv.Atoi(ids[i])
			if err != nil || stream >= 0 && id != stream {
				t.Fatalf("frame %d: messages and streams %q ending", p.Frame, ids)
			}
			stream = id
		}
		if stream < 0 {
			t.Fatalf("frame %d: messages and no stream ending", p.Frame)
		}
		out[uint32(stream)] = append(out[uint32(stream)], tsharkMessages(t, []dissect.Packet{p}, up)...)
	}
	return out
}

// TestTsharkAgreesConnection dissects the whole HTTP/2 connection bench's
// TestGRPCGoCalls recorded between a grpc-go client and server (both
// calls, the client's preface, SETTINGS, HPACK headers, WINDOW_UPDATE and
// PING frames as grpc-go sent them) and checks that Wireshark's gRPC
// dissector finds, per direction and per stream, the messages that
// framing/http2's Decoder and this package's find: the same number, and
// for each its compressed flag, its length and its payload. The
// recording keeps each direction's bytes but not how they interleaved,
// so the turns end where a side waited: the client after each request
// message's frame, the server after each reply's. Turns of random sizes
// would not do: tshark would read a reply's frames before the request
// headers that open its stream.
func TestTsharkAgreesConnection(t *testing.T) {
	dir := filepath.Join("testdata", "captures")
	up, down := testutil.ReadGzip(t, filepath.Join(dir, "grpc-go-conn-up.bin.gz")), testutil.ReadGzip(t, filepath.Join(dir, "grpc-go-conn-down.bin.gz"))
	ups, downs := readSide(t, up, http2.Server), readSide(t, down, http2.Client)
	wantUp, upEnds := ups.waits(t)
	wantDown, downEnds := downs.waits(t)
	turns := dissect.Interleave(up, down, upEnds, downEnds)
	seeds := []uint64{1, 2, 3}
	var conns []dissect.Connection
	for _, seed := range seeds {
		conns = append(conns, dissect.Connection{Turns: turns, Seed: seed})
	}
	all := dissect.Run(t, dissect.Pcaps(tsharkPort, conns...), tsharkPort,
		// grpc-go names the codec in the content type,
		// application/grpc+raw (PROTOCOL-HTTP2.md allows any
		// subtype); tshark knows application/grpc and +proto only. The
		// payloads are raw bytes, not protobuf.
		[]string{"-d", fmt.Sprintf("tcp.port==%d,http2", tsharkPort), "-d", "media_type==application/grpc+raw,grpc",
			"--disable-protocol", "protobuf"},
		"grpc.compressed_flag", "grpc.message_length", "grpc.message_data", "http2.streamid", "http2.type", "http2.flags")
	for k, seed := range seeds {
		pkts := dissect.Conn(all, k)
		for _, d := range []struct {
			name string
			up   bool
			want map[uint32][]whole
		}{{"up", true, wantUp}, {"down", false, wantDown}} {
			got := tsharkByStream(t, pkts, d.up)
			if len(got) != len(d.want) {
				t.Errorf("seed %d %s: tshark found messages on %d streams, the decoders on %d", seed, d.name, len(got), len(d.want))
			}
			for _, id := range slices.Sorted(maps.Keys(d.want)) {
				want, g := d.want[id], got[id]
				if len(want) == 0 || len(g) != len(want) {
					t.Errorf("seed %d %s stream %d: tshark found %d messages, the decoders %d", seed, d.name, id, len(g), len(want))
					continue
				}
				for i := range g {
					if g[i].Prefix != want[i].Prefix {
						t.Fatalf("seed %d %s stream %d message %d: tshark %+v, the decoders %+v", seed, d.name, id, i, g[i].Prefix, want[i].Prefix)
					}
					if p := payload(t, want[i]); !bytes.Equal(g[i].data, p) {
						t.Fatalf("seed %d %s stream %d message %d: tshark's %d bytes of message data differ from the decoders' %d", seed, d.name, id, i, len(g[i].data), len(p))
					}
				}
				t.Logf("seed %d %s stream %d: %d messages agree", seed, d.name, id, len(g))
			}
		}
	}
}
