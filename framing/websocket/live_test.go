package websocket

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/pipe"
)

// python is the interpreter with Debian's modules (the python3 on PATH may
// be a pyenv shim without them).
const python = "/usr/bin/python3"

// requireWebsockets skips t unless python3-websockets is installed, or
// fails it when CI is "true" (CI installs it: .ci/packages/websocket.txt).
func requireWebsockets(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import websockets").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s with the websockets module is required in CI: %v", python, err)
		}
		t.Skipf("%s with the websockets module is not installed: %v", python, err)
	}
}

// liveServer echoes every message back as one frame, answers pings (the
// library does), and prints how many messages it received.
const liveServer = `import asyncio, json, sys, websockets

async def handler(ws):
    n = 0
    async for msg in ws:
        n += 1
        await ws.send(msg)
    print(json.dumps({"messages": n}), flush=True)

async def main():
    comp = "deflate" if sys.argv[2] == "deflate" else None
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), compression=comp,
                                max_size=2**24, ping_interval=None):
        await asyncio.Future()

asyncio.run(main())
`

// liveClient sends text and binary messages at the length-encoding edges,
// fragmented messages (websockets sends each fragment as a frame, then an
// empty final continuation), pings with payloads, and a close with a
// reason; it checks every echo and prints what it sent.
const liveClient = `import asyncio, hashlib, json, sys, websockets

async def main():
    comp = "deflate" if sys.argv[2] == "deflate" else None
    h = hashlib.sha256()
    st = {"text": 0, "binary": 0, "fragmented": 0, "fragments": 0, "pings": 0, "bytes": 0}
    async with websockets.connect(sys.argv[1], compression=comp, max_size=2**24, ping_interval=None) as ws:
        async def echo(msg, kind):
            await ws.send(msg)
            back = await ws.recv()
            whole = "".join(msg) if isinstance(msg, list) else msg
            assert back == whole, kind
            b = whole.encode() if isinstance(whole, str) else whole
            h.update(b)
            st["bytes"] += len(b)
            st[kind] += 1
        for i in range(20):
            await echo(("hello %d, " % i) * (i * 7 + 1), "text")
        for n in (0, 125, 126, 65535, 65536, 200000):
            await echo((bytes(range(256)) * (n // 256 + 1))[:n], "binary")
        for k in (2, 3, 5):
            await echo([("part %d; " % j) * 9 for j in range(k)], "fragmented")
            st["fragments"] += k
        for j in range(3):
            await (await ws.ping(b"ping %d" % j))
            st["pings"] += 1
        await ws.close(code=1000, reason="done \u2713")
    st["sha256"] = h.hexdigest()
    print(json.dumps(st))

asyncio.run(main())
`

type liveStats struct {
	Text, Binary, Fragmented, Fragments, Pings, Bytes int
	SHA256                                            string
}

// liveMessage is a data message as the decoder framed it.
type liveMessage struct {
	op     Opcode
	frames int // frames with payload
	rsv1   bool
	data   []byte
}

// liveDirection is what one direction carried.
type liveDirection struct {
	messages []liveMessage
	pings    [][]byte
	pongs    [][]byte
	closes   []Close
	rsvLater int // RSV1 on a frame other than a message's first
}

// frameDirection frames what crossed one direction after the HTTP
// upgrade, in the relay's pieces.
func frameDirection(t *testing.T, pieces [][]byte, role Role, o Options) liveDirection {
	t.Helper()
	all := bytes.Join(pieces, nil)
	end := bytes.Index(all, []byte("\r\n\r\n"))
	if end < 0 {
		t.Fatalf("no HTTP head in %q", all[:min(len(all), 200)])
	}
	// Drop the head from the pieces, keeping the relay's cuts after it.
	skip := end + 4
	var rest [][]byte
	for _, p := range pieces {
		if skip >= len(p) {
			skip -= len(p)
			continue
		}
		rest = append(rest, p[skip:])
		skip = 0
	}
	d := NewDecoder(pipe.NewReader(&piecesReader{rest}, pipe.ReaderOptions{}), role, o)
	defer d.Close()
	var dir liveDirection
	var cur *liveMessage
	for f := range d.All(context.Background()) {
		h := f.Header
		switch h.Op {
		case OpPing:
			dir.pings = append(dir.pings, f.AppendData(nil))
		case OpPong:
			dir.pongs = append(dir.pongs, f.AppendData(nil))
		case OpClose:
			dir.closes = append(dir.closes, Close{Code: f.Close.Code, Reason: bytes.Clone(f.Close.Reason)})
		default:
			if f.First && h.Op != OpContinuation {
				dir.messages = append(dir.messages, liveMessage{op: h.Op, rsv1: h.RSV&RSV1 != 0})
				cur = &dir.messages[len(dir.messages)-1]
			} else if f.First && h.RSV&RSV1 != 0 {
				dir.rsvLater++
			}
			if f.First && h.Length > 0 {
				cur.frames++
			}
			cur.data = f.AppendData(cur.data)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", role, err)
	}
	if d.InMessage() {
		t.Fatalf("%s: the stream ended inside a message", role)
	}
	return dir
}

type piecesReader struct{ pieces [][]byte }

func (r *piecesReader) Read(p []byte) (int, error) {
	for len(r.pieces) > 0 && len(r.pieces[0]) == 0 {
		r.pieces = r.pieces[1:]
	}
	if len(r.pieces) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.pieces[0])
	r.pieces[0] = r.pieces[0][n:]
	return n, nil
}

// inflated returns the plain text of a direction's messages: with
// permessage-deflate and its default context takeover, the payloads of the
// compressed messages, each followed by 00 00 ff ff (RFC 7692 section
// 7.2.2), are one raw DEFLATE stream.
func inflated(t *testing.T, msgs []liveMessage) []byte {
	var stream []byte
	for _, m := range msgs {
		if !m.rsv1 {
			t.Fatalf("a message without RSV1 on a compressed connection")
		}
		stream = append(append(stream, m.data...), 0, 0, 0xff, 0xff)
	}
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
	if !errors.Is(err, io.ErrUnexpectedEOF) { // the stream has no final block
		t.Fatalf("inflate: %v", err)
	}
	return out
}

// TestLivePython frames what python3-websockets' client and server
// exchange through a recording relay, with and without
// permessage-deflate: text and binary messages at the length-encoding
// edges (7, 16 and 64-bit lengths), fragmented messages, pings and pongs,
// and the closing handshake. The counts and kinds match what the scripts
// print, the payloads hash to the client's digest (inflated, for
// permessage-deflate, whose RSV1 frames are framed and not inflated by the
// decoder), and the recorded bytes frame the same in random chunkings.
func TestLivePython(t *testing.T) {
	requireWebsockets(t)
	dir := t.TempDir()
	server, client := filepath.Join(dir, "server.py"), filepath.Join(dir, "client.py")
	os.WriteFile(server, []byte(liveServer), 0o644)
	os.WriteFile(client, []byte(liveClient), 0o644)
	for _, mode := range []string{"plain", "deflate"} {
		t.Run(mode, func(t *testing.T) {
			srv := wiretap.Start(t, python, func(port int) []string { return []string{server, strconv.Itoa(port), mode} })
			tap := wiretap.Listen(t, srv.Addr)
			out := wiretap.Run(t, nil, python, client, "ws://"+tap.Addr()+"/", mode)
			var st liveStats
			if err := json.Unmarshal(out, &st); err != nil {
				t.Fatalf("client printed %q: %v", out, err)
			}
			recs, err := tap.Recordings(10 * time.Second)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%d recordings, %v", len(recs), err)
			}
			var o Options
			if mode == "deflate" {
				o.RSV = RSV1
				// Without the extension claimed, RSV1 is a protocol error.
				_, err := readAll(seqOf(upgraded(recs[0].UpBytes())), Server, Options{})
				if !errors.Is(err, ErrRSV) || CloseCodeOf(err) != CloseProtocolError {
					t.Fatalf("RSV1 without the extension: %v", err)
				}
			}
			up := frameDirection(t, recs[0].Up, Server, o)
			down := frameDirection(t, recs[0].Down, Client, o)
			checkLive(t, "client", up, st, mode, true)
			checkLive(t, "server", down, st, mode, false)
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(srv.Output(), `"messages"`) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			want := `{"messages": ` + strconv.Itoa(len(up.messages)) + `}`
			if !strings.Contains(srv.Output(), want) {
				t.Fatalf("server printed %q, want %s", srv.Output(), want)
			}
			if dir := os.Getenv("SLUICE_WS_CAPTURE"); dir != "" {
				// Fuzz seeds: the small frames of each direction.
				os.WriteFile(filepath.Join(dir, mode+"-up.bin"), smallFrames(t, upgraded(recs[0].UpBytes()), Server, o), 0o644)
				os.WriteFile(filepath.Join(dir, mode+"-down.bin"), smallFrames(t, upgraded(recs[0].DownBytes()), Client, o), 0o644)
			}
			// The whole connection, from the real HTTP heads to the
			// closing handshake, large and fragmented messages included,
			// framed by tshark as by the Decoder.
			hsUp, hsDown, frUp, frDown := wsHandshake(t, recs[0].UpBytes(), recs[0].DownBytes(), mode == "deflate")
			compareTshark(t, hsUp, hsDown, frUp, frDown, mode == "deflate", 3, 400)
			// The recorded bytes in random chunkings: the same frames.
			for i, b := range [][]byte{upgraded(recs[0].UpBytes()), upgraded(recs[0].DownBytes())} {
				role := Role(i)
				lim := DefaultMaxPart + MaxHeaderSize
				o := o
				fuzz.Check(t, decoder(role, o), b, randomCuts(len(b), int64(i)), fuzz.Options[Frame]{MaxMessageSize: lim})
			}
		})
	}
}

// upgraded returns b after its HTTP head.
func upgraded(b []byte) []byte {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	return b[i+4:]
}

// randomCuts returns about n/1000 increasing cut points in (0, n).
func randomCuts(n int, seed int64) []int {
	var cuts []int
	for c := 1 + int(seed)%7; c < n; c += 1 + (c*7919+int(seed))%2000 {
		cuts = append(cuts, c)
	}
	return cuts
}

func checkLive(t *testing.T, who string, d liveDirection, st liveStats, mode string, fromClient bool) {
	t.Helper()
	var text, binary, fragmented, fragments int
	var plain []byte
	for _, m := range d.messages {
		switch m.op {
		case OpText:
			text++
		case OpBinary:
			binary++
		}
		if m.frames > 1 {
			fragmented++
			fragments += m.frames
		}
		plain = append(plain, m.data...)
	}
	if mode == "deflate" {
		plain = inflated(t, d.messages)
	}
	sum := sha256.Sum256(plain)
	t.Logf("%s: %d text, %d binary, %d fragmented (%d frames with payload), %d pings, %d pongs, closes %+v, %d bytes",
		who, text, binary, fragmented, fragments, len(d.pings), len(d.pongs), d.closes, len(plain))
	wantFrag, wantFragments := 0, 0
	if fromClient && mode == "plain" {
		// The server echoes a fragmented message as one frame; with
		// permessage-deflate a fragment may compress to the same
		// frame count, so only the plain run counts fragments.
		wantFrag, wantFragments = st.Fragmented, st.Fragments
	}
	switch {
	case text != st.Text+st.Fragmented || binary != st.Binary:
		t.Fatalf("%s: %d text and %d binary messages, the client sent %d and %d", who, text, binary, st.Text+st.Fragmented, st.Binary)
	case mode == "plain" && (fragmented != wantFrag || fragments != wantFragments):
		t.Fatalf("%s: %d fragmented messages of %d frames with payload, want %d of %d", who, fragmented, fragments, wantFrag, wantFragments)
	case len(plain) != st.Bytes || hex.EncodeToString(sum[:]) != st.SHA256:
		t.Fatalf("%s: %d payload bytes, hash %x; the client sent %d, hash %s", who, len(plain), sum, st.Bytes, st.SHA256)
	case d.rsvLater != 0:
		t.Fatalf("%s: RSV1 on %d continuation frames", who, d.rsvLater)
	case len(d.closes) != 1 || d.closes[0].Code != CloseNormal || string(d.closes[0].Reason) != "done ✓":
		t.Fatalf("%s: close frames %+v", who, d.closes)
	}
	if fromClient {
		if len(d.pings) != st.Pings || len(d.pongs) != 0 {
			t.Fatalf("%s: %d pings and %d pongs, want %d pings", who, len(d.pings), len(d.pongs), st.Pings)
		}
		for i, p := range d.pings {
			if string(p) != "ping "+strconv.Itoa(i) {
				t.Fatalf("%s: ping %d payload %q", who, i, p)
			}
		}
	} else if len(d.pongs) != st.Pings || len(d.pings) != 0 {
		t.Fatalf("%s: %d pongs and %d pings, want %d pongs", who, len(d.pongs), len(d.pings), st.Pings)
	}
}

// smallFrames returns the frames of b of at most 300 bytes, as they were
// on the wire: a valid stream of the same direction (a fragmented
// message's frames are all small here), for fuzz seeds.
func smallFrames(t *testing.T, b []byte, role Role, o Options) []byte {
	d := NewDecoder(pipe.FromBytes(b), role, o)
	defer d.Close()
	var out []byte
	off := 0
	for f := range d.All(context.Background()) {
		if !f.First {
			continue
		}
		n := f.Header.Size() + int(f.Header.Length)
		if n <= 300 {
			out = append(out, b[off:off+n]...)
		}
		off += n
	}
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	return out
}
