package http2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

func TestMixed(t *testing.T) {
	got, err := readAll(mixed(), Server, Options{MaxPart: 128})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SETTINGS flags=0x0 stream=0 len=24 0x3=100 0x4=1048576 0x2=0 0x99=7: ",
		"WINDOW_UPDATE flags=0x0 stream=0 len=4 incr=16777216: \"\"",
		"HEADERS flags=0x28 stream=1 len=16 pad=3 prio={Exclusive:true StreamDep:0 Weight:15}: \"hpack-1\"",
		"CONTINUATION flags=0x0 stream=1 len=200: \"" + strings.Repeat("c", 128) + "\" (72 left)",
		"+128: \"" + strings.Repeat("c", 72) + "\"",
		"CONTINUATION flags=0x4 stream=1 len=3: \"end\"",
		"DATA flags=0x8 stream=1 len=311 pad=10: \"" + strings.Repeat("d", 128) + "\" (182 left)",
		"+128: \"" + strings.Repeat("d", 128) + "\" (54 left)",
		"+256: \"" + strings.Repeat("d", 44) + "\"",
		"DATA flags=0x0 stream=1 len=400: \"" + strings.Repeat("\\x00\\x01\\x02\\x03", 32) + "\" (272 left)",
		"+128: \"" + strings.Repeat("\\x00\\x01\\x02\\x03", 32) + "\" (144 left)",
		"+256: \"" + strings.Repeat("\\x00\\x01\\x02\\x03", 32) + "\" (16 left)",
		"+384: \"" + strings.Repeat("\\x00\\x01\\x02\\x03", 4) + "\"",
		"PRIORITY flags=0x0 stream=3 len=5 prio={Exclusive:false StreamDep:1 Weight:200}: \"\"",
		"HEADERS flags=0x5 stream=3 len=7: \"hpack-3\"",
		"RST_STREAM flags=0x0 stream=3 len=4 code=CANCEL: \"\"",
		"PUSH_PROMISE flags=0xc stream=1 len=14 pad=2 promised=2: \"promise\"",
		"PING flags=0x0 stream=0 len=8 ping=0102030405060708: \"\"",
		"PING flags=0x1 stream=0 len=8 ping=0807060504030201: \"\"",
		"SETTINGS flags=0x1 stream=0 len=0: ",
		"UNKNOWN(66) flags=0xff stream=9 len=9: \"extension\"",
		"DATA flags=0x9 stream=1 len=201 pad=200: \"\" (72 left)",
		"+0: \"\"",
		"GOAWAY flags=0x0 stream=0 len=11 last=3 code=NO_ERROR: \"bye\"",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestChunkings reads the mixed stream in every chunking the harness
// makes, and truncated at several points.
func TestChunkings(t *testing.T) {
	in := mixed()
	o := Options{MaxPart: 128}
	fo := fuzz.Options[Frame]{MaxMessageSize: 128 + MaxHeadSize}
	out := fuzz.CheckChunkings(t, decoder(Server, o), in, fo)
	if out.Err != nil || len(out.Messages) != 24 {
		t.Fatalf("%d frames, error %v", len(out.Messages), out.Err)
	}
	for _, cut := range []int{1, 23, 24, 30, 60, 200, len(in) - 1} {
		out := fuzz.Check(t, decoder(Server, o), in[:cut], []int{cut / 2}, fo)
		if !errors.Is(out.Err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", cut, out.Err)
		}
	}
	// The client role reads the same frames without the preface.
	out = fuzz.CheckChunkings(t, decoder(Client, o), in[len(Preface):], fo)
	if out.Err != nil || len(out.Messages) != 24 {
		t.Fatalf("client: %d frames, error %v", len(out.Messages), out.Err)
	}
}

// TestRoundTrip encodes random frames and decodes them under random
// chunkings and part sizes: the same fields and data.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 60 {
		var in []byte
		in = AppendSettings(in, Setting{SettingMaxFrameSize, 1 << 15})
		type sent struct {
			typ  FrameType
			data []byte
		}
		want := []sent{{TypeSettings, nil}}
		for range 1 + rng.IntN(30) {
			sid := 1 + 2*uint32(rng.IntN(100))
			data := make([]byte, rng.IntN(3000))
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			pad := uint8(rng.IntN(256))
			fl := Flags(rng.IntN(2)) * FlagPadded
			switch k := rng.IntN(9); k {
			case 0, 1:
				in = AppendData(in, sid, fl|FlagEndStream, pad, data)
				want = append(want, sent{TypeData, data})
			case 2:
				in = AppendHeaders(in, sid, fl|FlagPriority, pad, Priority{StreamDep: sid + 2, Weight: 9}, data)
				in = AppendContinuation(in, sid, true, data[:len(data)/2])
				want = append(want, sent{TypeHeaders, data}, sent{TypeContinuation, data[:len(data)/2]})
			case 3:
				in = AppendPushPromise(in, sid, fl|FlagEndHeaders, pad, sid+1, data)
				want = append(want, sent{TypePushPromise, data})
			case 4:
				in = AppendGoAway(in, sid, CodeEnhanceYourCalm, data)
				want = append(want, sent{TypeGoAway, data})
			case 5:
				in = AppendFrame(in, Header{Type: 0xf0, StreamID: sid}, data)
				want = append(want, sent{0xf0, data})
			case 6:
				in = AppendPing(in, rng.IntN(2) == 0, [8]byte{byte(sid)})
				want = append(want, sent{TypePing, nil})
			case 7:
				in = AppendWindowUpdate(in, sid, sid)
				want = append(want, sent{TypeWindowUpdate, nil})
			default:
				in = AppendRSTStream(in, sid, ErrCode(sid))
				want = append(want, sent{TypeRSTStream, nil})
			}
		}
		part := 64 + rng.IntN(5000)
		o := Options{MaxPart: part, MidStream: round%2 == 0}
		if !o.MidStream {
			in = append([]byte(Preface), in...)
		}
		out := fuzz.Check(t, decoder(Server, o), in, randomCuts(len(in), int64(round)), fuzz.Options[Frame]{MaxMessageSize: part + MaxHeadSize})
		if out.Err != nil {
			t.Fatalf("round %d: %v", round, out.Err)
		}
		var got []sent
		for _, f := range out.Messages {
			if f.First {
				got = append(got, sent{f.Header.Type, nil})
			}
			if f.Header.Type != TypeSettings {
				g := &got[len(got)-1]
				if int(f.Pos) != len(g.data) {
					t.Fatalf("round %d: part at %d after %d bytes", round, f.Pos, len(g.data))
				}
				g.data = f.AppendData(g.data)
			}
			if f.First && f.Header.Type == TypePing && f.Ping[0] == 0 {
				t.Fatalf("round %d: ping data lost", round)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: %d frames, want %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i].typ != want[i].typ || !bytes.Equal(got[i].data, want[i].data) {
				t.Fatalf("round %d frame %d: %s %d bytes, want %s %d bytes", round, i, got[i].typ, len(got[i].data), want[i].typ, len(want[i].data))
			}
		}
	}
}

// randomCuts returns increasing cut points in (0, n).
func randomCuts(n int, seed int64) []int {
	var cuts []int
	for c := 1 + int(seed)%7; c < n; c += 1 + (c*7919+int(seed))%700 {
		cuts = append(cuts, c)
	}
	return cuts
}

// TestViolations feeds one rule break each after a valid start, and
// checks the sentinel, its error code and the offset of the frame.
func TestViolations(t *testing.T) {
	start := append([]byte(Preface), settings0...)
	at := int64(len(start))
	open := AppendHeaders(nil, 1, 0, 0, Priority{}, []byte("h"))
	cases := []struct {
		name  string
		frame []byte
		want  *Error
		off   int64
	}{
		{"DATA over max frame size", AppendData(nil, 1, 0, 0, make([]byte, 16385)), ErrFrameSize, 0},
		{"DATA on stream 0", AppendData(nil, 0, 0, 0, []byte("x")), ErrStreamZero, 0},
		{"DATA padded, no pad byte", hexBytes("000000 00 08 00000001"), ErrFrameLength, 0},
		{"DATA pad length = payload", hexBytes("000002 00 08 00000001 02 00"), ErrPadding, 0},
		{"HEADERS on stream 0", AppendHeaders(nil, 0, FlagEndHeaders, 0, Priority{}, nil), ErrStreamZero, 0},
		{"HEADERS too short for priority", hexBytes("000004 01 24 00000001 00000000"), ErrFrameLength, 0},
		{"HEADERS depends on itself", AppendHeaders(nil, 5, FlagPriority|FlagEndHeaders, 0, Priority{StreamDep: 5}, nil), ErrSelfDependency, 0},
		{"HEADERS pad over fragment", hexBytes("000006 01 2c 00000001 01 00000000 10"), ErrPadding, 0},
		{"PRIORITY of 4 bytes", hexBytes("000004 02 00 00000001 00000003"), ErrFrameLength, 0},
		{"PRIORITY on stream 0", hexBytes("000005 02 00 00000000 00000003 01"), ErrStreamZero, 0},
		{"PRIORITY depends on itself", AppendPriority(nil, 7, Priority{StreamDep: 7}), ErrSelfDependency, 0},
		{"RST_STREAM of 3 bytes", hexBytes("000003 03 00 00000001 000000"), ErrFrameLength, 0},
		{"RST_STREAM on stream 0", AppendRSTStream(nil, 0, CodeCancel), ErrStreamZero, 0},
		{"SETTINGS on a stream", hexBytes("000000 04 00 00000001"), ErrStreamNonZero, 0},
		{"SETTINGS of 5 bytes", hexBytes("000005 04 00 00000000 0001000000"), ErrFrameLength, 0},
		{"SETTINGS ACK with a payload", hexBytes("000006 04 01 00000000 000100000000"), ErrFrameLength, 0},
		{"SETTINGS_ENABLE_PUSH 2", AppendSettings(nil, Setting{SettingHeaderTableSize, 0}, Setting{SettingEnablePush, 2}), ErrSettingValue, 15},
		{"SETTINGS_MAX_FRAME_SIZE 16383", AppendSettings(nil, Setting{SettingMaxFrameSize, 16383}), ErrSettingValue, 9},
		{"SETTINGS_MAX_FRAME_SIZE 2^24", AppendSettings(nil, Setting{SettingMaxFrameSize, 1 << 24}), ErrSettingValue, 9},
		{"SETTINGS_INITIAL_WINDOW_SIZE 2^31", AppendSettings(nil, Setting{SettingInitialWindowSize, 1 << 31}), ErrInitialWindowSize, 9},
		{"SETTINGS_ENABLE_CONNECT_PROTOCOL 3", AppendSettings(nil, Setting{SettingEnableConnectProtocol, 3}), ErrSettingValue, 9},
		{"PUSH_PROMISE on stream 0", AppendPushPromise(nil, 0, FlagEndHeaders, 0, 2, nil), ErrStreamZero, 0},
		{"PUSH_PROMISE of stream 0", AppendPushPromise(nil, 1, FlagEndHeaders, 0, 0, nil), ErrPromisedID, 0},
		{"PUSH_PROMISE of 3 bytes", hexBytes("000003 05 04 00000001 000002"), ErrFrameLength, 0},
		{"PING of 7 bytes", hexBytes("000007 06 00 00000000 01020304050607"), ErrFrameLength, 0},
		{"PING on a stream", hexBytes("000008 06 00 00000001 0102030405060708"), ErrStreamNonZero, 0},
		{"GOAWAY of 7 bytes", hexBytes("000007 07 00 00000000 00000000 000000"), ErrFrameLength, 0},
		{"GOAWAY on a stream", hexBytes("000008 07 00 00000003 00000000 00000000"), ErrStreamNonZero, 0},
		{"WINDOW_UPDATE of 0", AppendWindowUpdate(nil, 0, 0), ErrZeroIncrement, 0},
		{"WINDOW_UPDATE of 0 on a stream", AppendWindowUpdate(nil, 3, 0), ErrZeroIncrement, 0},
		{"WINDOW_UPDATE of 5 bytes", hexBytes("000005 08 00 00000000 0000000100"), ErrFrameLength, 0},
		{"CONTINUATION alone", AppendContinuation(nil, 1, true, nil), ErrUnexpectedContinuation, 0},
		{"CONTINUATION on stream 0", append(AppendHeaders(nil, 1, 0, 0, Priority{}, nil), AppendContinuation(nil, 0, true, nil)...), ErrExpectedContinuation, 9},
		{"CONTINUATION of another stream", append(bytes.Clone(open), AppendContinuation(nil, 3, true, nil)...), ErrExpectedContinuation, 10},
		{"DATA inside a header block", append(bytes.Clone(open), AppendData(nil, 1, 0, 0, nil)...), ErrExpectedContinuation, 10},
		{"PING inside a header block", append(bytes.Clone(open), AppendPing(nil, false, [8]byte{})...), ErrExpectedContinuation, 10},
		{"unknown type inside a header block", append(bytes.Clone(open), AppendFrame(nil, Header{Type: 0x20, StreamID: 1}, nil)...), ErrExpectedContinuation, 10},
	}
	for _, c := range cases {
		in := append(bytes.Clone(start), c.frame...)
		_, err := readAll(in, Server, Options{})
		if !violation(err, at+c.off, c.want) {
			t.Errorf("%s: %v, want %v at %d", c.name, err, c.want, at+c.off)
			continue
		}
		if code, ok := CodeOf(err); !ok || code != c.want.Code {
			t.Errorf("%s: CodeOf = %s, %v", c.name, code, ok)
		}
		// The same in every chunking.
		out := fuzz.CheckChunkings(t, decoder(Server, Options{}), in, fuzz.Options[Frame]{MaxMessageSize: DefaultMaxPart + MaxHeadSize, Name: c.name})
		if !errors.Is(out.Err, c.want) {
			t.Errorf("%s in chunks: %v", c.name, out.Err)
		}
	}
}

func TestPrefaceAndFirstSettings(t *testing.T) {
	bad := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := readAll(bad, Server, Options{}); !violation(err, 0, ErrPreface) {
		t.Fatalf("HTTP/1.1 request: %v", err)
	}
	if _, err := readAll([]byte("PRI * HTTP/2.0\r\n\r\nXM"), Server, Options{}); !errors.Is(err, ErrPreface) {
		t.Fatalf("a bad byte in the preface: %v", err)
	}
	ping := AppendPing(nil, false, [8]byte{})
	if _, err := readAll(append([]byte(Preface), ping...), Server, Options{}); !violation(err, 24, ErrFirstSettings) {
		t.Fatalf("PING first: %v", err)
	}
	if _, err := readAll(AppendSettingsAck(nil), Client, Options{}); !violation(err, 0, ErrFirstSettings) {
		t.Fatalf("SETTINGS ACK first: %v", err)
	}
	if got, err := readAll(ping, Client, Options{MidStream: true}); err != nil || len(got) != 1 {
		t.Fatalf("mid-stream PING: %v %v", got, err)
	}
	// A clean end after the preface and settings; a truncated one inside
	// the preface.
	if got, err := readAll(append([]byte(Preface), settings0...), Server, Options{}); err != nil || len(got) != 1 {
		t.Fatalf("preface and settings: %q %v", got, err)
	}
	if _, err := readAll([]byte(Preface[:10]), Server, Options{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated preface: %v", err)
	}
}

// TestMaxFrameSize applies a larger SETTINGS_MAX_FRAME_SIZE between
// frames, as an endpoint does once its SETTINGS are acknowledged.
func TestMaxFrameSize(t *testing.T) {
	big := AppendData(nil, 1, 0, 0, make([]byte, 20000))
	in := append(AppendSettings(nil), big...)
	d := NewDecoder(pipeOf(in), Client, Options{})
	defer d.Close()
	if d.MaxFrameSize() != 16384 {
		t.Fatalf("initial %d", d.MaxFrameSize())
	}
	if _, err := d.Next(ctxb); err != nil {
		t.Fatal(err)
	}
	if err := d.SetMaxFrameSize(1 << 24); !errors.Is(err, ErrSettingValue) {
		t.Fatalf("2^24: %v", err)
	}
	if err := d.SetMaxFrameSize(20000); err != nil {
		t.Fatal(err)
	}
	n := 0
	for f := range d.All(ctxb) {
		n += f.Data.Len()
	}
	if d.Err() != nil || n != 20000 {
		t.Fatalf("%d bytes, %v", n, d.Err())
	}
	// Without it: FRAME_SIZE_ERROR on the header alone.
	if _, err := readAll(in, Client, Options{}); !violation(err, 9, ErrFrameSize) {
		t.Fatalf("default: %v", err)
	}
	if _, err := readAll(in, Client, Options{MaxFrameSize: 20000}); err != nil {
		t.Fatalf("MaxFrameSize 20000: %v", err)
	}
}

// TestHeaderBlockBounds: the CONTINUATION flood (CVE-2024-27316) is
// stopped by the count and the size of a header block's fragments, on the
// frame header that passes the bound.
func TestHeaderBlockBounds(t *testing.T) {
	in := AppendSettings(nil)
	in = AppendHeaders(in, 1, 0, 0, Priority{}, []byte("x"))
	for range 200 {
		in = AppendContinuation(in, 1, false, nil)
	}
	_, err := readAll(in, Client, Options{})
	if !violation(err, int64(9+10+64*9), ErrTooManyContinuations) {
		t.Fatalf("empty CONTINUATIONs: %v", err)
	}
	if code, _ := CodeOf(err); code != CodeEnhanceYourCalm {
		t.Fatalf("code %s", code)
	}
	if _, err := readAll(in, Client, Options{MaxContinuations: 3}); !violation(err, int64(9+10+3*9), ErrTooManyContinuations) {
		t.Fatalf("MaxContinuations 3: %v", err)
	}
	if _, err := readAll(in, Client, Options{MaxContinuations: -1}); !errors.Is(err, io.EOF) && err != nil {
		t.Fatalf("no limit: %v", err)
	}
	// Size: fragments of 10000 bytes, a limit of 25000 passed by the
	// third, refused on its header.
	in = AppendSettings(nil)
	in = AppendHeaders(in, 1, 0, 0, Priority{}, make([]byte, 10000))
	in = AppendContinuation(in, 1, false, make([]byte, 10000))
	third := len(in)
	in = AppendContinuation(in, 1, true, make([]byte, 10000))
	if _, err := readAll(in, Client, Options{MaxHeaderBlock: 25000}); !violation(err, int64(third), ErrHeaderBlockTooLarge) {
		t.Fatalf("block size: %v", err)
	}
	if _, err := readAll(in, Client, Options{MaxHeaderBlock: 9999}); !violation(err, 9, ErrHeaderBlockTooLarge) {
		t.Fatalf("HEADERS alone: %v", err)
	}
	if _, err := readAll(in, Client, Options{MaxHeaderBlock: 30000}); err != nil {
		t.Fatalf("within: %v", err)
	}
	// A connection that ends inside a header block ends cleanly for the
	// reader; InHeaderBlock tells.
	d := NewDecoder(pipeOf(in[:third]), Client, Options{})
	defer d.Close()
	for range d.All(ctxb) {
	}
	if d.Err() != nil || !d.InHeaderBlock() {
		t.Fatalf("end inside a block: %v, in block %v", d.Err(), d.InHeaderBlock())
	}
}

func TestSettingsWhole(t *testing.T) {
	var ss []Setting
	for i := range 20 {
		ss = append(ss, Setting{SettingID(0x100 + i), uint32(i)})
	}
	in := AppendSettings(nil, ss...)
	if _, err := readAll(in, Client, Options{MaxPart: 64}); !violation(err, 0, ErrSettingsTooLarge) {
		t.Fatalf("120-byte SETTINGS, parts of 64: %v", err)
	}
	got, err := readAll(in, Client, Options{MaxPart: 120})
	if err != nil || len(got) != 1 || !strings.HasSuffix(got[0], " 0x113=19: ") {
		t.Fatalf("%q %v", got, err)
	}
}

func TestCodeOf(t *testing.T) {
	cases := []struct {
		err  error
		code ErrCode
		ok   bool
	}{
		{nil, 0, false},
		{io.EOF, 0, false},
		{io.ErrUnexpectedEOF, 0, false},
		{&parse.SyntaxError{Err: ErrFrameSize}, CodeFrameSize, true},
		{&parse.SyntaxError{Msg: "other"}, CodeProtocol, true},
		{&parse.SizeError{Limit: 10}, CodeFrameSize, true},
	}
	for _, c := range cases {
		if code, ok := CodeOf(c.err); code != c.code || ok != c.ok {
			t.Errorf("CodeOf(%v) = %s, %v", c.err, code, ok)
		}
	}
	if CodeFrameSize.String() != "FRAME_SIZE_ERROR" || ErrCode(99).String() != "UNKNOWN(99)" || TypeGoAway.String() != "GOAWAY" {
		t.Fatal("names")
	}
}

// TestParserSmallLimit: a message reader of your own whose limit cuts a
// SETTINGS frame refuses it with a size error, rather than deliver part
// of its settings.
func TestParserSmallLimit(t *testing.T) {
	in := AppendSettings(nil, Setting{SettingHeaderTableSize, 1}, Setting{SettingEnablePush, 0}, Setting{SettingMaxConcurrentStreams, 5})
	r := parse.NewReader(pipeOf(in), Parser(Client, Options{}), parse.Options{MaxMessageSize: 20})
	defer r.Close()
	_, err := r.Next(ctxb)
	if !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("error %v", err)
	}
	if code, ok := CodeOf(err); !ok || code != CodeFrameSize {
		t.Fatalf("CodeOf: %s %v", code, ok)
	}
}

// TestDecoderSetup: making a Decoder declares no grammar, so that a
// connection costs about its message reader's setup (it cost about 110
// allocations and 35 µs when the declared grammar was made with it). The
// grammar is declared the first time a frame needs it, here a header cut by
// a segment's end just after the preface, and the frames are the same
// either way.
func TestDecoderSetup(t *testing.T) {
	empty := func() pipe.Reader { return pipe.NewReader(bytes.NewReader(nil), pipe.ReaderOptions{}) }
	for _, r := range []Role{Client, Server} {
		if n := testing.AllocsPerRun(50, func() { NewDecoder(empty(), r, Options{}).Close() }); n > 20 {
			t.Errorf("%v: NewDecoder made %v allocations", r, n)
		}
	}
	in := mixed()
	read := func(src pipe.Reader) (*Decoder, []string) {
		d := NewDecoder(src, Server, Options{})
		defer d.Close()
		var out []string
		for f := range d.All(context.Background()) {
			out = append(out, render(f))
		}
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
		return d, out
	}
	whole, want := read(pipe.FromBytes(in))
	if whole.frame != nil {
		t.Error("a stream in one segment made the decoder declare its grammar")
	}
	cut, got := read(pipe.FromSequence(segtest.Split(in, len(AppendPreface(nil))+4)))
	if cut.frame == nil {
		t.Error("a header cut after the preface was read without the declared grammar")
	}
	if !slices.Equal(got, want) {
		t.Errorf("cut after the preface:\n%s\nwhole:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDecodersCollected: the table of batch forms holds a decoder weakly
// and its message reader holds the form bound to it, so a decoder that
// has read frames, batches among them, and is dropped unclosed is
// collected.
func TestDecodersCollected(t *testing.T) {
	in := mixed()
	testutil.Collected(t, 8, func() *Decoder {
		return NewDecoder(pipe.FromBytes(in), Server, Options{MaxPart: 128})
	}, func(d *Decoder) {
		n := 0
		for range d.All(context.Background()) {
			n++
		}
		if n == 0 || d.Err() != nil {
			t.Fatalf("%d frames, %v", n, d.Err())
		}
	})
}
