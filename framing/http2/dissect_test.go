package http2

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
)

// tsharkPort is the server port of the pcap files; tshark is told to
// dissect it as HTTP/2 (cleartext with prior knowledge has no port of its
// own).
const tsharkPort = 8080

// tsharkType maps the frame types tshark prints (http2.type, the numbers
// of RFC 9113 section 11.2's registry, in decimal) to the package's.
var tsharkType = map[string]FrameType{
	"0": TypeData, "1": TypeHeaders, "2": TypePriority, "3": TypeRSTStream, "4": TypeSettings,
	"5": TypePushPromise, "6": TypePing, "7": TypeGoAway, "8": TypeWindowUpdate, "9": TypeContinuation,
}

// tsharkMagic is the client connection preface (RFC 9113 section 3.4) as
// tshark prints http2.magic: CR and LF escaped.
const tsharkMagic = `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`

// frameFields are the fields tshark prints once for every frame: its
// header (RFC 9113 section 4.1). Flags come in hex ("0x25").
var frameFields = []string{"http2.type", "http2.length", "http2.streamid", "http2.flags"}

// tsharkSetting names the field tshark prints a setting's value in, by
// its identifier (RFC 9113 section 6.5.2; RFC 8441 section 3 for
// SETTINGS_ENABLE_CONNECT_PROTOCOL); other identifiers' values are
// http2.settings.unknown.
var tsharkSetting = map[SettingID]string{
	SettingHeaderTableSize:       "http2.settings.header_table_size",
	SettingEnablePush:            "http2.settings.enable_push",
	SettingMaxConcurrentStreams:  "http2.settings.max_concurrent_streams",
	SettingInitialWindowSize:     "http2.settings.initial_window_size",
	SettingMaxFrameSize:          "http2.settings.max_frame_size",
	SettingMaxHeaderListSize:     "http2.settings.max_header_list_size",
	SettingEnableConnectProtocol: "http2.settings.extended_connect",
}

// A fixedField is a field tshark prints for some frames only (a frame
// type's fixed fields, RFC 9113 section 6), with the values the decoder's
// frame gives it, in tshark's representation (decimal); nil for frames
// without it.
type fixedField struct {
	name string
	of   func(f *Frame) []string
}

// prioritized reports whether f carries priority fields: a PRIORITY frame,
// or HEADERS with the PRIORITY flag (RFC 9113 sections 6.2 and 6.3).
func prioritized(f *Frame) bool {
	return f.Header.Type == TypePriority || f.Header.Type == TypeHeaders && f.Header.Flags.Has(FlagPriority)
}

// decimal is v in decimal, as a one-value list.
func decimal[T ~uint8 | ~uint16 | ~uint32](v T) []string {
	return []string{strconv.FormatUint(uint64(v), 10)}
}

// fixedFields are the per-type fields the test compares. The weight is
// the wire value (the weight minus one) in both; the E bit prints as 0 or
// 1.
var fixedFields = func() []fixedField {
	ff := []fixedField{
		{"http2.stream_dependency", func(f *Frame) []string {
			if !prioritized(f) {
				return nil
			}
			return decimal(f.Priority.StreamDep)
		}},
		{"http2.headers.weight", func(f *Frame) []string {
			if !prioritized(f) {
				return nil
			}
			return decimal(f.Priority.Weight)
		}},
		{"http2.exclusive", func(f *Frame) []string {
			if !prioritized(f) {
				return nil
			}
			if f.Priority.Exclusive {
				return []string{"1"}
			}
			return []string{"0"}
		}},
		{"http2.window_update.window_size_increment", func(f *Frame) []string {
			if f.Header.Type != TypeWindowUpdate {
				return nil
			}
			return decimal(f.Increment)
		}},
		{"http2.goaway.last_stream_id", func(f *Frame) []string {
			if f.Header.Type != TypeGoAway {
				return nil
			}
			return decimal(f.LastStreamID)
		}},
		{"http2.goaway.error", func(f *Frame) []string {
			if f.Header.Type != TypeGoAway {
				return nil
			}
			return decimal(f.Code)
		}},
		{"http2.settings.id", func(f *Frame) []string {
			var out []string
			for i := range f.NumSettings() {
				out = append(out, decimal(f.Setting(i).ID)...)
			}
			return out
		}},
	}
	// A setting's value, in the field of its identifier.
	names := slices.Sorted(func(yield func(string) bool) {
		for _, n := range tsharkSetting {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range append(names, "http2.settings.unknown") {
		ff = append(ff, fixedField{name, func(f *Frame) []string {
			var out []string
			for i := range f.NumSettings() {
				s := f.Setting(i)
				n, ok := tsharkSetting[s.ID]
				if !ok {
					n = "http2.settings.unknown"
				}
				if n == name {
					out = append(out, decimal(s.Val)...)
				}
			}
			return out
		}})
	}
	return ff
}()

// A seenFrame is a frame as the test compares it: its header, and the
// values of fixedFields.
type seenFrame struct {
	Header
	fixed [][]string
}

// decodeFrames frames one direction as an endpoint of role r, reading the
// pieces given (the turns of that direction), and returns each frame's
// header and fixed fields.
func decodeFrames(t *testing.T, pieces [][]byte, r Role) []seenFrame {
	t.Helper()
	src := segtest.Pieces(slices.Clone(pieces))
	d := NewDecoder(pipe.NewReader(&src, pipe.ReaderOptions{}), r, Options{})
	defer d.Close()
	var out []seenFrame
	for f := range d.All(context.Background()) {
		if !f.First {
			continue
		}
		s := seenFrame{Header: f.Header, fixed: make([][]string, len(fixedFields))}
		for i, ff := range fixedFields {
			s.fixed[i] = ff.of(&f)
		}
		out = append(out, s)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return out
}

// A tsharkPacket is what tshark printed for one packet of a direction:
// the headers of the frames that end in it, and the values of each of
// fixedFields in those frames, in order.
type tsharkPacket struct {
	frame   int
	headers []Header
	fixed   [][]string
}

// tsharkFrames reads what tshark printed for one direction's packets: the
// header fields, one value per frame, first in a packet's fields, then
// fixedFields'.
func tsharkFrames(t *testing.T, pkts []dissect.Packet, up bool) []tsharkPacket {
	t.Helper()
	nf := len(frameFields)
	var out []tsharkPacket
	for _, p := range pkts {
		if p.Up != up {
			continue
		}
		msgs, err := dissect.Messages([]dissect.Packet{{Frame: p.Frame, Up: p.Up, Fields: p.Fields[:nf]}})
		if err != nil {
			t.Fatal(err)
		}
		tp := tsharkPacket{frame: p.Frame, fixed: p.Fields[nf:]}
		for _, m := range msgs {
			typ, ok := tsharkType[m.Fields[0]]
			length, err1 := strconv.ParseUint(m.Fields[1], 10, 24)
			stream, err2 := strconv.ParseUint(m.Fields[2], 10, 31)
			flags, err3 := strconv.ParseUint(m.Fields[3], 0, 8)
			if !ok || err1 != nil || err2 != nil || err3 != nil {
				t.Fatalf("frame %d: tshark printed %q", p.Frame, m.Fields)
			}
			tp.headers = append(tp.headers, Header{Length: uint32(length), Type: typ, Flags: Flags(flags), StreamID: uint32(stream)})
		}
		out = append(out, tp)
	}
	return out
}

// compareFrames checks that tshark's frames of a direction are the
// decoder's: the same number, the same headers in order, and in each
// packet the fixed fields of the decoder's frames at the places of the
// frames that end in it. It returns the number of frames and of fixed
// field values compared.
func compareFrames(t *testing.T, pkts []tsharkPacket, want []seenFrame) (frames, fixed int) {
	t.Helper()
	var got []Header
	for _, p := range pkts {
		got = append(got, p.headers...)
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("tshark found %d frames, the decoder %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i].Header {
			t.Fatalf("frame %d: tshark %+v, the decoder %+v", i, got[i], want[i].Header)
		}
	}
	k := 0
	for _, p := range pkts {
		for i, ff := range fixedFields {
			var w []string
			for _, f := range want[k : k+len(p.headers)] {
				w = append(w, f.fixed[i]...)
			}
			if !slices.Equal(p.fixed[i], w) {
				t.Fatalf("packet %d (frames %d to %d of the direction): %s is %q, the decoder's frames give %q",
					p.frame, k, k+len(p.headers)-1, ff.name, p.fixed[i], w)
			}
			fixed += len(w)
		}
		k += len(p.headers)
	}
	return len(got), fixed
}

// piecesOf returns the data of the turns one side sent.
func piecesOf(turns []dissect.Turn, up bool) [][]byte {
	var out [][]byte
	for _, tu := range turns {
		if tu.Up == up {
			out = append(out, tu.Data)
		}
	}
	return out
}

// TestTsharkAgrees frames every recorded connection of testdata/captures
// (nghttp, h2load and nghttpd over cleartext HTTP/2 with prior knowledge)
// in TCP segments of random sizes, and checks that Wireshark's HTTP/2
// dissector finds the frames the Decoder finds, in each direction: the
// same number, and for each its type, length, stream and flags, and the
// fixed fields of PRIORITY, HEADERS with priority, SETTINGS,
// WINDOW_UPDATE and GOAWAY; and the client connection preface where the
// client's stream starts. tshark keeps HPACK state per direction and
// frames each direction by itself, so the turns alternate at random
// sizes (up to 4, 16 and 64 KiB with the seeds); the Decoder reads each
// direction in its turns.
func TestTsharkAgrees(t *testing.T) {
	// The header fields, the fixed fields, and the preface last.
	fields := slices.Clone(frameFields)
	for _, ff := range fixedFields {
		fields = append(fields, ff.name)
	}
	magicField := len(fields)
	fields = append(fields, "http2.magic")
	for _, name := range []string{"h2load", "streams", "upload"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := filepath.Join("testdata", "captures", name)
			up, down := testutil.ReadGzip(t, base+"-up.bin.gz"), testutil.ReadGzip(t, base+"-down.bin.gz")
			// A connection per seed, in one file: one run of tshark,
			// whose start costs more than most captures' dissection.
			var conns []dissect.Connection
			for _, seed := range []uint64{1, 2, 3} {
				conns = append(conns, dissect.Connection{Turns: dissect.Alternate(up, down, seed, 1<<(10+2*seed)), Seed: seed})
			}
			all := dissect.Run(t, dissect.Pcaps(tsharkPort, conns...), tsharkPort,
				[]string{"-d", fmt.Sprintf("tcp.port==%d,http2", tsharkPort)}, fields...)
			for k, conn := range conns {
				seed, turns, pkts := conn.Seed, conn.Turns, dissect.Conn(all, k)
				// The preface: once, the client's, before its first frame.
				var magic []string
				for i, p := range pkts {
					if len(p.Fields[magicField]) == 0 {
						continue
					}
					magic = append(magic, p.Fields[magicField]...)
					if !p.Up || slices.IndexFunc(pkts, func(q dissect.Packet) bool { return q.Up && len(q.Fields[0]) > 0 }) < i {
						t.Fatalf("seed %d: the preface in frame %d, not the client's first", seed, p.Frame)
					}
				}
				if !slices.Equal(magic, []string{tsharkMagic}) ||
					strings.NewReplacer(`\r`, "\r", `\n`, "\n").Replace(tsharkMagic) != Preface {
					t.Fatalf("seed %d: tshark found the prefaces %q", seed, magic)
				}
				for _, dir := range []struct {
					up   bool
					role Role
				}{{true, Server}, {false, Client}} {
					t.Run(fmt.Sprintf("seed=%d/%s", seed, dir.role), func(t *testing.T) {
						want := decodeFrames(t, piecesOf(turns, dir.up), dir.role)
						frames, fixed := compareFrames(t, tsharkFrames(t, pkts, dir.up), want)
						t.Logf("%d frames and %d fixed field values agree", frames, fixed)
					})
				}
			}
		})
	}
}
