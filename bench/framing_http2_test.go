package bench

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	xhttp2 "golang.org/x/net/http2"

	"github.com/sluicego/sluice/framing/http2"
	"github.com/sluicego/sluice/pipe"
)

// h2Stream is what an HTTP/2 server sends a client (the direction without
// a preface, which x/net's Framer does not read): SETTINGS and its ACK,
// then n responses, each a HEADERS frame of 20–200 bytes and a body of
// DATA frames (most bodies 10 B–2 KiB in one frame, one in four 16–64 KiB
// in frames of 16 KiB, one in twenty padded), a WINDOW_UPDATE every 10
// responses, a PING ACK every 50, a header block in two fragments
// (HEADERS and CONTINUATION) every 25, and a GOAWAY at the end.
func h2Stream(n int, seed uint64) []byte { return h2StreamOf(n, seed, true) }

// h2StreamOf is h2Stream, without its bodies of 16–64 KiB unless large:
// the per-frame cost, not the copying of large payloads.
func h2StreamOf(n int, seed uint64, large bool) []byte {
	rng := rand.New(rand.NewPCG(seed, 11))
	body := alphabet(64 << 10)
	out := http2.AppendSettings(nil, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	out = http2.AppendSettingsAck(out)
	for i := range n {
		id := uint32(2*i + 1)
		block := body[:20+rng.IntN(181)]
		if i%25 == 24 {
			out = http2.AppendHeaders(out, id, 0, 0, http2.Priority{}, block[:len(block)/2])
			out = http2.AppendContinuation(out, id, true, block[len(block)/2:])
		} else {
			out = http2.AppendHeaders(out, id, http2.FlagEndHeaders, 0, http2.Priority{}, block)
		}
		size := 10 + rng.IntN(2039)
		if rng.IntN(4) == 0 && large {
			size = 16<<10 + rng.IntN(48<<10)
		}
		for size > 0 {
			k := min(size, 16384)
			size -= k
			fl := http2.Flags(0)
			if size == 0 {
				fl = http2.FlagEndStream
			}
			if rng.IntN(20) == 0 && k < 16000 {
				out = http2.AppendData(out, id, fl|http2.FlagPadded, uint8(rng.IntN(256)), body[:k])
			} else {
				out = http2.AppendData(out, id, fl, 0, body[:k])
			}
		}
		if i%10 == 9 {
			out = http2.AppendWindowUpdate(out, 0, 1<<16)
		}
		if i%50 == 49 {
			out = http2.AppendPing(out, true, [8]byte{byte(i)})
		}
	}
	return http2.AppendGoAway(out, uint32(2*n-1), http2.CodeNo, nil)
}

// h2Work is what both readers count: frames of each type, DATA bytes
// (padding excluded) and header block bytes.
type h2Work struct {
	frames [16]int
	data   int
	block  int
}

// h2SluiceBuf reads every frame of src with the decoder, in role r, over
// a pipe with segments of buf bytes (0: the default, 4 KiB).
func h2SluiceBuf(src io.Reader, r http2.Role, o http2.Options, buf int) (h2Work, error) {
	var w h2Work
	d := http2.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{BufferSize: buf}), r, o)
	defer d.Close()
	for f := range d.All(context.Background()) {
		if f.First {
			w.frames[min(int(f.Header.Type), 15)]++
		}
		switch f.Header.Type {
		case http2.TypeData:
			w.data += f.Data.Len()
		case http2.TypeHeaders, http2.TypeContinuation, http2.TypePushPromise:
			w.block += f.Data.Len()
		}
	}
	return w, d.Err()
}

// h2Xnet reads every frame of src with x/net's Framer.ReadFrame through a
// bufio.Reader of 4 KiB.
func h2Xnet(src io.Reader) (h2Work, error) {
	var w h2Work
	fr := xhttp2.NewFramer(nil, bufio.NewReaderSize(src, 4096))
	fr.SetMaxReadFrameSize(http2.MinMaxFrameSize)
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return w, nil
		}
		if err != nil {
			return w, err
		}
		w.frames[min(int(f.Header().Type), 15)]++
		switch f := f.(type) {
		case *xhttp2.DataFrame:
			w.data += len(f.Data())
		case *xhttp2.HeadersFrame:
			w.block += len(f.HeaderBlockFragment())
		case *xhttp2.ContinuationFrame:
			w.block += len(f.HeaderBlockFragment())
		case *xhttp2.PushPromiseFrame:
			w.block += len(f.HeaderBlockFragment())
		}
	}
}

// h2Large is n responses of a HEADERS frame and a body of four DATA
// frames of 16 KiB, the initial maximum frame size, as servers send
// large bodies: the copying of payloads, not the framing, is the work.
func h2Large(n int) []byte {
	body := alphabet(16384)
	out := http2.AppendSettings(nil)
	out = http2.AppendSettingsAck(out)
	for i := range n {
		id := uint32(2*i + 1)
		out = http2.AppendHeaders(out, id, http2.FlagEndHeaders, 0, http2.Priority{}, body[:20+i%181])
		for j := range 4 {
			fl := http2.Flags(0)
			if j == 3 {
				fl = http2.FlagEndStream
			}
			out = http2.AppendData(out, id, fl, 0, body)
		}
	}
	return http2.AppendGoAway(out, uint32(2*n-1), http2.CodeNo, nil)
}

func init() {
	registerH2("http2", h2Stream(2000, 1))
	registerH2("http2-small", h2StreamOf(4000, 1, false))
	registerH2("http2-large", h2Large(1000))
}

// capReader passes reads of at most 4 KiB to r, so that every contender
// gets the same reads (a bufio.Reader passes a large read straight
// through).
type capReader struct{ r io.Reader }

func (c *capReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), 4096)]) }

// registerH2 registers the framing case name: in, read by the decoder and
// by x/net's Framer, both from a bytes.Reader in reads of at most 4 KiB
// (capReader), counting the same work.
func registerH2(name string, in []byte) {
	want, err := h2Xnet(bytes.NewReader(in))
	if err != nil {
		panic(err)
	}
	frames := 0
	for _, n := range want.frames {
		frames += n
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
	}
	check := func(b *testing.B, w h2Work, err error) {
		if err != nil || w != want {
			b.Fatalf("%+v, %v; want %+v", w, err, want)
		}
	}
	sluice := func(buf int) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var src bytes.Reader
			for b.Loop() {
				src.Reset(in)
				w, err := h2SluiceBuf(&capReader{&src}, http2.Client, http2.Options{}, buf)
				check(b, w, err)
			}
			report(b)
		}
	}
	// sluice16k reads into pipe segments of 16 KiB (still in reads of
	// at most 4 KiB), so that a frame of the initial maximum size fits
	// one segment, as x/net's frame buffer holds one frame.
	registerFraming(name, framingContender{"sluice", sluice(0)}, framingContender{"sluice16k", sluice(16 << 10)}, framingContender{"xnet", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		var src bytes.Reader
		for b.Loop() {
			src.Reset(in)
			w, err := h2Xnet(&capReader{&src})
			check(b, w, err)
		}
		report(b)
	}})
}

// TestHTTP2BenchWorkAgrees checks that both contenders of
// BenchmarkFraming/http2 count the same frames and bytes, through the
// same reads of at most 4 KiB.
func TestHTTP2BenchWorkAgrees(t *testing.T) {
	in := h2Stream(500, 1)
	want, err := h2Xnet(&capReader{bytes.NewReader(in)})
	if err != nil {
		t.Fatal(err)
	}
	for _, buf := range []int{0, 16 << 10} {
		got, err := h2SluiceBuf(&capReader{bytes.NewReader(in)}, http2.Client, http2.Options{}, buf)
		if err != nil || got != want {
			t.Fatalf("sluice (segments of %d) %+v, %v; x/net %+v", buf, got, err, want)
		}
	}
	if want.frames[http2.TypeContinuation] == 0 || want.frames[http2.TypePing] == 0 || want.data < len(in)/2 {
		t.Fatalf("the stream lacks a frame kind: %+v", want)
	}
}
