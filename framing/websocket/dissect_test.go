package websocket

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
)

// wsPort is the server's port in the pcap files; tshark is told to read
// it as HTTP, whose dissector hands the connection to its websocket
// dissector once it has seen the 101 answer to an Upgrade request.
const wsPort = 8765

// wsFields are the fields tshark prints for each frame: the first five
// once per frame, the rest only in some frames (pmc where permessage-deflate
// was negotiated, an extended length where the 7-bit length is 126 or 127,
// a masking key in masked frames, a status code and a reason in close
// frames with a payload).
var wsFields = []string{
	"websocket.fin", "websocket.rsv", "websocket.opcode", "websocket.mask", "websocket.payload_length",
	"websocket.pmc", "websocket.payload_length_ext_16", "websocket.payload_length_ext_64",
	"websocket.masking_key", "websocket.payload.close.status_code", "websocket.payload.close.reason",
}

// tsharkOpcodes maps the opcodes tshark prints (decimal) to the package's.
var tsharkOpcodes = map[string]Opcode{
	"0": OpContinuation, "1": OpText, "2": OpBinary, "8": OpClose, "9": OpPing, "10": OpPong,
}

// tsharkBools maps tshark's booleans to Go's.
var tsharkBools = map[string]bool{"1": true, "0": false}

// wireFrame is what the test compares of a frame: its header fields as
// they crossed the wire, the permessage-deflate bit as tshark names it
// (RFC 7692 section 6: RSV1 marks a compressed message, only where the
// extension was negotiated), and a close frame's status code and reason
// (RFC 6455 section 5.5.1).
type wireFrame struct {
	Fin        bool
	RSV        uint8
	Compressed bool
	Op         Opcode
	Masked     bool
	Key        string
	Length     uint64
	Code       CloseCode
	Reason     string
}

// decodedFrames reads the frames of b with a Decoder in role r, one
// wireFrame per frame (its first part).
func decodedFrames(t *testing.T, b []byte, r Role, o Options) []wireFrame {
	t.Helper()
	d := NewDecoder(pipe.FromBytes(b), r, o)
	defer d.Close()
	var out []wireFrame
	for f := range d.All(context.Background()) {
		if !f.First {
			continue
		}
		h := f.Header
		w := wireFrame{Fin: h.Fin, RSV: h.RSV, Compressed: o.RSV&RSV1 != 0 && h.RSV&RSV1 != 0, Op: h.Op, Masked: h.Masked, Length: h.Length}
		if h.Masked {
			w.Key = hex.EncodeToString(h.Key[:])
		}
		if h.Op == OpClose {
			w.Code, w.Reason = f.Close.Code, string(f.Close.Reason)
		}
		out = append(out, w)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return out
}

// tsharkFrames zips the values tshark printed for each packet into
// frames: a packet's i-th fin, rsv, opcode, mask and length belong to the
// i-th frame that ends in it, and the optional fields are taken in order
// by the frames that have them. deflate says whether the handshake
// negotiated permessage-deflate, where tshark prints pmc for every frame.
func tsharkFrames(pkts []dissect.Packet, deflate bool) (map[bool][]wireFrame, error) {
	out := map[bool][]wireFrame{}
	for _, p := range pkts {
		f := p.Fields
		n := len(f[0])
		for i := range 5 {
			if len(f[i]) != n {
				return nil, fmt.Errorf("frame %d: %s has %d values for %d frames", p.Frame, wsFields[i], len(f[i]), n)
			}
		}
		if want := map[bool]int{true: n, false: 0}[deflate]; len(f[5]) != want {
			return nil, fmt.Errorf("frame %d: %d pmc values for %d frames", p.Frame, len(f[5]), n)
		}
		next := make([]int, len(f)) // the next unused value of each optional field
		take := func(i int) (string, error) {
			if next[i] >= len(f[i]) {
				return "", fmt.Errorf("frame %d: too few values of %s", p.Frame, wsFields[i])
			}
			next[i]++
			return f[i][next[i]-1], nil
		}
		for j := range n {
			var w wireFrame
			var ok [3]bool
			w.Fin, ok[0] = tsharkBools[f[0][j]]
			w.Op, ok[1] = tsharkOpcodes[f[2][j]]
			w.Masked, ok[2] = tsharkBools[f[3][j]]
			rsv, err := strconv.ParseUint(f[1][j], 0, 8)
			if ok != [3]bool{true, true, true} || err != nil || rsv > 7 {
				return nil, fmt.Errorf("frame %d: fin %q, opcode %q, mask %q, rsv %q", p.Frame, f[0][j], f[2][j], f[3][j], f[1][j])
			}
			w.RSV = uint8(rsv)
			if deflate {
				w.Compressed = f[5][j] == "1"
			}
			// RFC 6455 section 5.2: a 7-bit length of 126 or 127 is
			// followed by a 16-bit or a 64-bit length.
			lenField := map[string]int{"126": 6, "127": 7}[f[4][j]]
			s := f[4][j]
			if lenField != 0 {
				if s, err = take(lenField); err != nil {
					return nil, err
				}
			}
			if w.Length, err = strconv.ParseUint(s, 10, 64); err != nil {
				return nil, fmt.Errorf("frame %d: length %q", p.Frame, s)
			}
			if w.Masked {
				if w.Key, err = take(8); err != nil {
					return nil, err
				}
			}
			if w.Op == OpClose {
				// RFC 6455 section 7.1.5: a close frame without a
				// status code counts as 1005; tshark prints the code
				// of a payload of 2 bytes or more, and the reason of
				// one longer than that.
				w.Code = CloseNoStatus
				if w.Length >= 2 {
					s, err := take(9)
					if err != nil {
						return nil, err
					}
					c, err := strconv.ParseUint(s, 10, 16)
					if err != nil {
						return nil, fmt.Errorf("frame %d: status code %q", p.Frame, s)
					}
					w.Code = CloseCode(c)
				}
				if w.Length > 2 {
					if w.Reason, err = take(10); err != nil {
						return nil, err
					}
				}
			}
			out[p.Up] = append(out[p.Up], w)
		}
		for i := 6; i < len(f); i++ {
			if next[i] != len(f[i]) {
				return nil, fmt.Errorf("frame %d: %d values of %s left over", p.Frame, len(f[i])-next[i], wsFields[i])
			}
		}
	}
	return out, nil
}

// wsHandshake returns the opening handshake of a connection whose frames
// up and down hold: the HTTP heads a capture starts with, or, for a
// capture of frames only (TestLivePython stores the frames after the
// heads), the request and answer of RFC 6455 section 1.3 with its example
// key and accept value, and, for deflate, the permessage-deflate offer and
// its acceptance (RFC 7692 section 5). It returns the frames that follow.
func wsHandshake(t *testing.T, up, down []byte, deflate bool) (hsUp, hsDown, frUp, frDown []byte) {
	t.Helper()
	if bytes.HasPrefix(up, []byte("GET ")) {
		i, j := bytes.Index(up, []byte("\r\n\r\n")), bytes.Index(down, []byte("\r\n\r\n"))
		if i < 0 || j < 0 {
			t.Fatal("an HTTP head without its end")
		}
		return up[:i+4], down[:j+4], up[i+4:], down[j+4:]
	}
	ext := ""
	if deflate {
		ext = "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	}
	req := "GET / HTTP/1.1\r\nHost: 127.0.0.2:" + strconv.Itoa(wsPort) + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + ext + "\r\n"
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" + ext + "\r\n"
	return []byte(req), []byte(resp), up, down
}

// TestTsharkAgrees frames every stored capture with Wireshark's websocket
// dissector and checks that it finds the frames the Decoder finds, in
// each direction: the client's masked frames read in the server role,
// the server's in the client role. The conversation opens with the HTTP
// Upgrade request and its 101 answer, each a turn of its own (tshark's
// HTTP dissector switches the connection to websocket on that answer);
// the frames follow in turns of random sizes, since tshark frames each
// direction on its own after the switch, and each pcap cuts the turns
// into TCP segments of its own.
func TestTsharkAgrees(t *testing.T) {
	for _, c := range testutil.Captures(t) {
		t.Run(c.Name, func(t *testing.T) {
			// python3-websockets negotiated permessage-deflate in the
			// deflate recordings, which claims RSV1.
			deflate := strings.Contains(c.Name, "deflate")
			hsUp, hsDown, up, down := wsHandshake(t, c.Up, c.Down, deflate)
			compareTshark(t, hsUp, hsDown, up, down, deflate, 4, 400)
		})
	}
}

// compareTshark checks that tshark's websocket dissector finds, in each
// direction, the frames the Decoder finds in up (the client's, read in the
// server role) and down (the server's, read in the client role): the
// conversation opens with the heads hsUp and hsDown, each a turn of its own
// (tshark's HTTP dissector switches the connection to websocket on the 101
// answer), then the frames in turns of 1 to maxTurn bytes, one connection per
// seed below seeds, all in one pcap and one run of tshark.
func compareTshark(t *testing.T, hsUp, hsDown, up, down []byte, deflate bool, seeds uint64, maxTurn int) {
	t.Helper()
	var o Options
	if deflate {
		o.RSV = RSV1
	}
	want := map[bool][]wireFrame{true: decodedFrames(t, up, Server, o), false: decodedFrames(t, down, Client, o)}
	// A connection per seed, in one file: one run of tshark, whose start
	// costs more than the dissection.
	var conns []dissect.Connection
	for seed := range seeds {
		turns := append([]dissect.Turn{{Up: true, Data: hsUp}, {Up: false, Data: hsDown}}, dissect.Alternate(up, down, seed, maxTurn)...)
		conns = append(conns, dissect.Connection{Turns: turns, Seed: seed})
	}
	all := dissect.Run(t, dissect.Pcaps(wsPort, conns...), wsPort, []string{"-d", fmt.Sprintf("tcp.port==%d,http", wsPort)}, wsFields...)
	for seed := range seeds {
		got, err := tsharkFrames(dissect.Conn(all, int(seed)), deflate)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for _, dir := range []bool{true, false} {
			who := map[bool]string{true: "client", false: "server"}[dir]
			if len(want[dir]) == 0 || len(got[dir]) != len(want[dir]) {
				t.Fatalf("seed %d: the %s sent %d frames, tshark found %d", seed, who, len(want[dir]), len(got[dir]))
			}
			if diff := cmp.Diff(want[dir], got[dir]); diff != "" {
				t.Fatalf("seed %d: the %s's frames, decoder (-) and tshark (+):\n%s", seed, who, diff)
			}
		}
		if seed == 0 {
			t.Logf("%d client and %d server frames agree with tshark", len(want[true]), len(want[false]))
		}
	}
}
