package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/gobwas/ws"

	"github.com/sluicego/sluice/framing/websocket"
	"github.com/sluicego/sluice/pipe"
)

// wsStream is what a client sends a server: n masked frames, most of them
// small text frames of 10–200 bytes (chat, JSON events), one in 32 a
// binary frame of 1–64 KiB, a ping every 100 frames, now and then a text
// message in three fragments.
func wsStream(n int, seed uint64) []byte { return wsStreamOf(n, seed, true) }

// wsStreamOf is wsStream, without its binary frames unless binary.
func wsStreamOf(n int, seed uint64, binary bool) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	payload := alphabet(64 << 10)
	var key [4]byte
	e := websocket.Encoder{Role: websocket.Client, Key: func() [4]byte {
		key[0]++
		key[3] += 3
		return key
	}}
	var out []byte
	for i := range n {
		switch {
		case i%100 == 99:
			out = e.AppendFrame(out, websocket.OpPing, true, payload[:8])
		case i%32 == 31 && binary:
			out = e.AppendFrame(out, websocket.OpBinary, true, payload[:1<<10+rng.IntN(63<<10)])
		case i%50 == 17:
			out = e.AppendFrame(out, websocket.OpText, false, payload[:10+rng.IntN(60)])
			out = e.AppendFrame(out, websocket.OpContinuation, false, payload[:10+rng.IntN(60)])
			out = e.AppendFrame(out, websocket.OpContinuation, true, payload[:10+rng.IntN(60)])
		default:
			out = e.AppendFrame(out, websocket.OpText, true, payload[:10+rng.IntN(191)])
		}
	}
	return out
}

// wsFrame is a frame as both readers see it: header fields and the
// unmasked payload.
type wsFrame struct {
	fin     bool
	rsv     uint8
	op      uint8
	masked  bool
	key     [4]byte
	payload []byte
}

func (f *wsFrame) equal(g *wsFrame) bool {
	return f.fin == g.fin && f.rsv == g.rsv && f.op == g.op && f.masked == g.masked && f.key == g.key &&
		bytes.Equal(f.payload, g.payload)
}

// framesSluice reads every frame of src as a server, in role r.
func framesSluice(src io.Reader, r websocket.Role, o websocket.Options) ([]wsFrame, error) {
	d := websocket.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), r, o)
	defer d.Close()
	var out []wsFrame
	for f := range d.All(context.Background()) {
		if f.First {
			h := f.Header
			out = append(out, wsFrame{fin: h.Fin, rsv: h.RSV, op: uint8(h.Op), masked: h.Masked, key: h.Key, payload: []byte{}})
		}
		last := &out[len(out)-1]
		last.payload = f.AppendData(last.payload)
	}
	return out, d.Err()
}

// framesGobwas reads every frame of src with gobwas/ws ReadHeader.
func framesGobwas(src io.Reader) ([]wsFrame, error) {
	br := bufio.NewReader(src)
	var out []wsFrame
	for {
		h, err := ws.ReadHeader(br)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(br, p); err != nil {
			return out, err
		}
		if h.Masked {
			ws.Cipher(p, h.Mask, 0)
		}
		out = append(out, wsFrame{fin: h.Fin, rsv: h.Rsv, op: uint8(h.OpCode), masked: h.Masked, key: h.Mask, payload: p})
	}
}

// wsPieces reads its data in reads of random sizes, from 1 byte to 4 KiB.
type wsPieces struct {
	data []byte
	rng  *rand.Rand
}

func (r *wsPieces) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := 1 + r.rng.IntN(4096)
	if r.rng.IntN(4) == 0 {
		k = 1 + r.rng.IntN(16)
	}
	n := copy(p[:min(len(p), k)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestWebSocketAgreesWithGobwas reads the same streams with gobwas/ws
// (ReadHeader and io.ReadFull) and with the decoder under random
// chunkings: the same headers, the same payload bytes. The streams are
// the benchmark's, frames of the RFC 6455 examples, and
// permessage-deflate frames (RSV1, payload left compressed).
func TestWebSocketAgreesWithGobwas(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	var rsv []byte
	for i, f := range []struct {
		op  websocket.Opcode
		rsv uint8
		fin bool
		n   int
	}{
		{websocket.OpBinary, websocket.RSV1, true, 0},
		{websocket.OpText, websocket.RSV1, false, 5},
		{websocket.OpContinuation, 0, false, 125},
		{websocket.OpContinuation, 0, true, 126},
		{websocket.OpBinary, websocket.RSV1, true, 65535},
		{websocket.OpBinary, websocket.RSV1, false, 65536},
		{websocket.OpPing, 0, true, 125},
		{websocket.OpContinuation, 0, true, 70000},
	} {
		h := websocket.Header{Fin: f.fin, Op: f.op, RSV: f.rsv, Masked: true, Key: key}
		rsv = websocket.AppendFrame(rsv, h, bytes.Repeat([]byte{byte(i)}, f.n))
	}
	for name, in := range map[string][]byte{"bench 1": wsStream(2000, 1), "bench 2": wsStream(500, 2), "rsv1": rsv} {
		want, err := framesGobwas(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: gobwas: %v", name, err)
		}
		for round := range 20 {
			got, err := framesSluice(&wsPieces{in, rand.New(rand.NewPCG(uint64(round), 3))}, websocket.Server,
				websocket.Options{RSV: websocket.RSV1, MaxPart: 1 << (7 + round%10)})
			if err != nil {
				t.Fatalf("%s round %d: %v", name, round, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s round %d: %d frames, gobwas %d", name, round, len(got), len(want))
			}
			for i := range got {
				if !got[i].equal(&want[i]) {
					t.Fatalf("%s round %d frame %d: %+v, gobwas %+v", name, round, i, got[i], want[i])
				}
			}
		}
	}
}

// TestWebSocketRefusesWhatGobwasAccepts: frames gobwas's ReadHeader reads
// without complaint that RFC 6455 forbids, each refused by the decoder.
func TestWebSocketRefusesWhatGobwasAccepts(t *testing.T) {
	for name, in := range map[string][]byte{
		"non-minimal 64-bit length": {0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 9, 9, 9, 9, 9},
		"reserved opcode":           {0x83, 0x80, 1, 2, 3, 4},
		"long ping":                 append([]byte{0x89, 0xfe, 0, 126, 1, 2, 3, 4}, make([]byte, 126)...),
	} {
		if _, err := framesGobwas(bytes.NewReader(in)); err != nil {
			t.Fatalf("%s: gobwas refuses it too: %v", name, err)
		}
		_, err := framesSluice(bytes.NewReader(in), websocket.Server, websocket.Options{})
		var pe *websocket.Error
		if !errors.As(err, &pe) || pe.Code != websocket.CloseProtocolError {
			t.Fatalf("%s: error %v", name, err)
		}
	}
}

func init() {
	registerWS("ws", wsStream(4096, 1))
	registerWS("websocket-text", wsStreamOf(4096, 1, false))
}

// registerWS registers the framing case name: in read by the decoder and
// by gobwas/ws, each copying and unmasking every payload into a buffer.
func registerWS(name string, in []byte) {
	frames := 0
	for _, f := range mustFrames(framesGobwas(bytes.NewReader(in))) {
		_ = f
		frames++
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
	}
	registerFraming(name, framingContender{"sluice", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		buf := make([]byte, 0, 64<<10)
		var src bytes.Reader
		for b.Loop() {
			src.Reset(in)
			d := websocket.NewDecoder(pipe.NewReader(&src, pipe.ReaderOptions{}), websocket.Server, websocket.Options{})
			for f := range d.All(context.Background()) {
				buf = f.AppendData(buf[:0])
			}
			if err := d.Err(); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	}}, framingContender{"gobwas", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		buf := make([]byte, 64<<10)
		var src bytes.Reader
		br := bufio.NewReaderSize(&src, 4096)
		for b.Loop() {
			src.Reset(in)
			br.Reset(&src)
			for {
				h, err := ws.ReadHeader(br)
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				p := buf[:h.Length]
				if _, err := io.ReadFull(br, p); err != nil {
					b.Fatal(err)
				}
				ws.Cipher(p, h.Mask, 0)
			}
		}
		report(b)
	}})
}

func mustFrames(f []wsFrame, err error) []wsFrame {
	if err != nil {
		panic(err)
	}
	return f
}
