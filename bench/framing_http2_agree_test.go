package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	xhttp2 "golang.org/x/net/http2"

	"github.com/sluicego/sluice/framing/http2"
	"github.com/sluicego/sluice/pipe"
)

// h2Render writes a frame as both readers see it: header, fixed fields and
// data (padding excluded), rendered on one line.
func h2Render(h http2.Header, fixed string, data []byte) string {
	return fmt.Sprintf("%s flags=%#x stream=%d len=%d %s data=%x", h.Type, uint8(h.Flags), h.StreamID, h.Length, fixed, data)
}

// h2FramesSluice reads every frame of src with the decoder in role r,
// data parts joined.
func h2FramesSluice(src io.Reader, r http2.Role, o http2.Options) ([]string, error) {
	var out []string
	var h http2.Header
	var fixed string
	var data []byte
	started := false
	flush := func() {
		if started {
			out = append(out, h2Render(h, fixed, data))
		}
	}
	err := forEachH2(src, r, o, func(f http2.Frame) {
		if f.First {
			flush()
			// The frame's views are valid until the next read: render
			// its fixed fields now.
			h, fixed, data, started = f.Header, h2Fixed(f), nil, true
		}
		if f.Header.Type != http2.TypeSettings { // settings are in fixed
			data = f.AppendData(data)
		}
	})
	flush()
	return out, err
}

func forEachH2(src io.Reader, r http2.Role, o http2.Options, fn func(http2.Frame)) error {
	d := http2.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), r, o)
	defer d.Close()
	for f := range d.All(context.Background()) {
		fn(f)
	}
	return d.Err()
}

// h2Fixed renders the fixed fields of a frame's type.
func h2Fixed(f http2.Frame) string {
	h := f.Header
	switch h.Type {
	case http2.TypeHeaders:
		if h.Flags.Has(http2.FlagPriority) {
			return fmt.Sprintf("prio=%v/%d/%d", f.Priority.Exclusive, f.Priority.StreamDep, f.Priority.Weight)
		}
	case http2.TypePriority:
		return fmt.Sprintf("prio=%v/%d/%d", f.Priority.Exclusive, f.Priority.StreamDep, f.Priority.Weight)
	case http2.TypeRSTStream:
		return fmt.Sprintf("code=%d", f.Code)
	case http2.TypeSettings:
		var b strings.Builder
		for i := range f.NumSettings() {
			s := f.Setting(i)
			fmt.Fprintf(&b, "%d=%d,", s.ID, s.Val)
		}
		return b.String()
	case http2.TypePushPromise:
		return fmt.Sprintf("promised=%d", f.PromisedID)
	case http2.TypePing:
		return fmt.Sprintf("ping=%x", f.Ping)
	case http2.TypeGoAway:
		return fmt.Sprintf("last=%d code=%d", f.LastStreamID, f.Code)
	case http2.TypeWindowUpdate:
		return fmt.Sprintf("incr=%d", f.Increment)
	}
	return ""
}

// h2FramesXnet reads every frame of src with x/net's Framer.ReadFrame.
func h2FramesXnet(src io.Reader, maxFrame uint32) ([]string, error) {
	fr := xhttp2.NewFramer(nil, bufio.NewReaderSize(src, 4096))
	fr.SetMaxReadFrameSize(maxFrame)
	var out []string
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		fh := f.Header()
		h := http2.Header{Length: fh.Length, Type: http2.FrameType(fh.Type), Flags: http2.Flags(fh.Flags), StreamID: fh.StreamID}
		var fixed string
		var data []byte
		prio := func(p xhttp2.PriorityParam) string {
			return fmt.Sprintf("prio=%v/%d/%d", p.Exclusive, p.StreamDep, p.Weight)
		}
		switch f := f.(type) {
		case *xhttp2.DataFrame:
			data = f.Data()
		case *xhttp2.HeadersFrame:
			data = f.HeaderBlockFragment()
			if f.HasPriority() {
				fixed = prio(f.Priority)
			}
		case *xhttp2.PriorityFrame:
			fixed = prio(f.PriorityParam)
		case *xhttp2.RSTStreamFrame:
			fixed = fmt.Sprintf("code=%d", f.ErrCode)
		case *xhttp2.SettingsFrame:
			var b strings.Builder
			f.ForeachSetting(func(s xhttp2.Setting) error {
				fmt.Fprintf(&b, "%d=%d,", s.ID, s.Val)
				return nil
			})
			fixed = b.String()
		case *xhttp2.PushPromiseFrame:
			data = f.HeaderBlockFragment()
			fixed = fmt.Sprintf("promised=%d", f.PromiseID)
		case *xhttp2.PingFrame:
			fixed = fmt.Sprintf("ping=%x", f.Data)
		case *xhttp2.GoAwayFrame:
			data = f.DebugData()
			fixed = fmt.Sprintf("last=%d code=%d", f.LastStreamID, f.ErrCode)
		case *xhttp2.WindowUpdateFrame:
			fixed = fmt.Sprintf("incr=%d", f.Increment)
		case *xhttp2.ContinuationFrame:
			data = f.HeaderBlockFragment()
		case *xhttp2.UnknownFrame:
			data = f.Payload()
		}
		out = append(out, h2Render(h, fixed, data))
	}
}

// h2Captures returns the connections framing/http2's live test recorded
// from nghttpd, nghttp and h2load: the client's bytes after the preface
// and the server's, by name.
func h2Captures(t *testing.T) map[string][]byte {
	names, _ := filepath.Glob("../framing/http2/testdata/captures/*.bin.gz")
	if len(names) == 0 {
		t.Fatal("no captures in ../framing/http2/testdata/captures")
	}
	out := map[string][]byte{}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(z)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "-up.bin.gz") {
			b = b[len(http2.Preface):]
		}
		out[filepath.Base(name)] = b
	}
	return out
}

// h2Mixed is a stream of every frame type with padding, priorities,
// header blocks in fragments, unknown types and large frames.
func h2Mixed(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := http2.AppendSettings(nil, http2.Setting{ID: http2.SettingEnablePush, Val: 1}, http2.Setting{ID: 0x77, Val: 9})
	for range 300 {
		sid := uint32(1 + 2*rng.IntN(50))
		data := make([]byte, rng.IntN(17000))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		pad := uint8(rng.IntN(256))
		if len(data)+int(pad)+7 > 16384 {
			data = data[:16384-7-int(pad)]
		}
		fl := http2.Flags(rng.IntN(2)) * http2.FlagPadded
		switch rng.IntN(10) {
		case 0, 1, 2:
			b = http2.AppendData(b, sid, fl|http2.Flags(rng.IntN(2)), pad, data)
		case 3:
			b = http2.AppendHeaders(b, sid, fl|http2.FlagPriority, pad, http2.Priority{Exclusive: rng.IntN(2) == 0, StreamDep: sid + 2, Weight: uint8(rng.IntN(256))}, data[:len(data)/2])
			b = http2.AppendContinuation(b, sid, false, data[:len(data)/3])
			b = http2.AppendContinuation(b, sid, true, data[:len(data)/4])
		case 4:
			b = http2.AppendPushPromise(b, sid, fl|http2.FlagEndHeaders, pad, sid+1, data[:len(data)/2])
		case 5:
			b = http2.AppendGoAway(b, sid, http2.ErrCode(rng.IntN(14)), data[:rng.IntN(min(100, len(data))+1)])
		case 6:
			b = http2.AppendFrame(b, http2.Header{Type: http2.FrameType(10 + rng.IntN(240)), Flags: http2.Flags(rng.IntN(256)), StreamID: sid}, data[:rng.IntN(len(data)+1)])
		case 7:
			b = http2.AppendPing(b, rng.IntN(2) == 0, [8]byte{byte(sid), 1, 2})
			b = http2.AppendPriority(b, sid, http2.Priority{StreamDep: sid + 1, Weight: 7})
		case 8:
			b = http2.AppendWindowUpdate(b, sid, 1+uint32(rng.IntN(1<<31-1)))
			b = http2.AppendRSTStream(b, sid, http2.ErrCode(rng.IntN(20)))
		default:
			b = http2.AppendSettings(b, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 16384 + uint32(rng.IntN(1000))})
			b = http2.AppendSettingsAck(b)
		}
	}
	return b
}

// TestHTTP2AgreesWithXnet reads the same streams with x/net's
// Framer.ReadFrame and with the decoder under random chunkings and part
// sizes: the same frames, fields and data. The streams are the
// benchmark's, a stream of every frame type, and the connections
// recorded from nghttpd, nghttp and h2load.
func TestHTTP2AgreesWithXnet(t *testing.T) {
	streams := map[string][]byte{"bench": h2Stream(300, 2), "mixed 1": h2Mixed(1), "mixed 2": h2Mixed(2)}
	for name, b := range h2Captures(t) {
		streams[name] = b
	}
	for name, in := range streams {
		want, err := h2FramesXnet(bytes.NewReader(in), http2.MinMaxFrameSize)
		if err != nil {
			t.Fatalf("%s: x/net: %v", name, err)
		}
		for round := range 8 {
			got, err := h2FramesSluice(&wsPieces{in, rand.New(rand.NewPCG(uint64(round), 4))}, http2.Client,
				http2.Options{MaxPart: 1 << (6 + round%10)})
			if err != nil {
				t.Fatalf("%s round %d: %v", name, round, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s round %d: %d frames, x/net %d", name, round, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s round %d frame %d:\n%.300s\nx/net:\n%.300s", name, round, i, got[i], want[i])
				}
			}
		}
		t.Logf("%s: %d frames agree", name, len(want))
	}
}

// TestHTTP2ErrorsAgreeWithXnet: streams with one rule broken, refused by
// both with the same HTTP/2 error code where x/net's Framer checks the
// rule; the rules it leaves to its caller are refused here alone.
func TestHTTP2ErrorsAgreeWithXnet(t *testing.T) {
	start := http2.AppendSettings(nil)
	open := http2.AppendHeaders(nil, 1, 0, 0, http2.Priority{}, []byte("h"))
	both := map[string][]byte{
		"frame over 16384":         http2.AppendData(nil, 1, 0, 0, make([]byte, 16385)),
		"DATA on stream 0":         http2.AppendData(nil, 0, 0, 0, []byte("x")),
		"DATA pad over payload":    {0, 0, 2, 0, 8, 0, 0, 0, 1, 2, 0},
		"PING of 7 bytes":          {0, 0, 7, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7},
		"SETTINGS of 5 bytes":      {0, 0, 5, 4, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0},
		"SETTINGS ACK with data":   {0, 0, 6, 4, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0},
		"SETTINGS on a stream":     {0, 0, 0, 4, 0, 0, 0, 0, 1},
		"INITIAL_WINDOW_SIZE 2^31": http2.AppendSettings(nil, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 31}),
		"RST_STREAM of 3 bytes":    {0, 0, 3, 3, 0, 0, 0, 0, 1, 0, 0, 0},
		"PRIORITY of 4 bytes":      {0, 0, 4, 2, 0, 0, 0, 0, 1, 0, 0, 0, 3},
		"GOAWAY on a stream":       {0, 0, 8, 7, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0},
		"WINDOW_UPDATE of 0":       http2.AppendWindowUpdate(nil, 0, 0),
		"CONTINUATION alone":       http2.AppendContinuation(nil, 1, true, nil),
		"DATA in a header block":   append(bytes.Clone(open), http2.AppendData(nil, 1, 0, 0, nil)...),
		"CONTINUATION of stream 3": append(bytes.Clone(open), http2.AppendContinuation(nil, 3, true, nil)...),
	}
	for name, frame := range both {
		in := append(bytes.Clone(start), frame...)
		_, xerr := h2FramesXnet(bytes.NewReader(in), http2.MinMaxFrameSize)
		_, err := h2FramesSluice(bytes.NewReader(in), http2.Client, http2.Options{})
		code, ok := http2.CodeOf(err)
		var ce xhttp2.ConnectionError
		switch {
		case errors.Is(xerr, xhttp2.ErrFrameTooLarge):
			ce = xhttp2.ConnectionError(xhttp2.ErrCodeFrameSize)
		case !errors.As(xerr, &ce):
			t.Fatalf("%s: x/net: %v", name, xerr)
		}
		if !ok || uint32(code) != uint32(ce) {
			t.Fatalf("%s: %v (%s), x/net %v", name, err, code, xerr)
		}
	}
	// What x/net's Framer reads without complaint (its callers check
	// some of it later), refused by the decoder.
	flood := bytes.Clone(open)
	for range 100 {
		flood = http2.AppendContinuation(flood, 1, false, nil)
	}
	only := map[string][]byte{
		"SETTINGS_ENABLE_PUSH 2":    http2.AppendSettings(nil, http2.Setting{ID: http2.SettingEnablePush, Val: 2}),
		"SETTINGS_MAX_FRAME_SIZE 5": http2.AppendSettings(nil, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 5}),
		"CONTINUATION flood":        flood,
		"PRIORITY on itself":        http2.AppendPriority(nil, 5, http2.Priority{StreamDep: 5}),
		"WINDOW_UPDATE 0 on stream": http2.AppendWindowUpdate(nil, 3, 0),
		"HEADERS pad over fragment": {0, 0, 6, 1, 0x2c, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0x10},
	}
	for name, frame := range only {
		in := append(bytes.Clone(start), frame...)
		_, xerr := h2FramesXnet(bytes.NewReader(in), http2.MinMaxFrameSize)
		var ce xhttp2.ConnectionError
		if errors.As(xerr, &ce) {
			t.Fatalf("%s: x/net refuses it as a connection error too: %v", name, xerr)
		}
		_, err := h2FramesSluice(bytes.NewReader(in), http2.Client, http2.Options{})
		if _, ok := http2.CodeOf(err); !ok {
			t.Fatalf("%s: error %v", name, err)
		}
		t.Logf("%s: x/net %v; sluice %v", name, xerr, err)
	}
}
