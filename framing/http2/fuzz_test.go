package http2

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/testutil"
)

// seeds are the mixed stream, frames on the edges of the rules, and the
// small frames of the nghttp captures.
func seeds(f *testing.F, role Role) {
	start := settings0
	if role == Server {
		start = append([]byte(Preface), settings0...)
	}
	for _, b := range [][]byte{
		mixed()[len(Preface):],
		hexBytes("000002 00 08 00000001 02 00"),
		hexBytes("000006 01 2c 00000001 01 00000000 10"),
		hexBytes("000004 08 00 00000000 00000000"),
		AppendSettings(nil, Setting{SettingMaxFrameSize, 16383}),
		AppendContinuation(nil, 1, true, nil),
		append(AppendHeaders(nil, 1, 0, 0, Priority{}, []byte("a")), AppendContinuation(nil, 1, false, []byte("b"))...),
		append(AppendHeaders(nil, 1, 0, 0, Priority{}, []byte("a")), AppendData(nil, 1, 0, 0, nil)...),
	} {
		f.Add(append(bytes.Clone(start), b...), []byte{3, 1, 7})
	}
	dir := "up"
	if role == Client {
		dir = "down"
	}
	captures, _ := filepath.Glob(filepath.Join("testdata", "captures", "*-"+dir+".bin.gz"))
	if len(captures) == 0 {
		f.Fatal("no captures in testdata/captures")
	}
	for _, name := range captures {
		f.Add(smallFrames(testutil.ReadGzip(f, name), role), []byte{5, 2, 200})
	}
}

// smallFrames returns the start of a capture (preface and first SETTINGS)
// and its frames of at most 300 bytes, as they were on the wire: a valid
// stream of the same direction, for fuzz seeds.
func smallFrames(b []byte, role Role) []byte {
	var out []byte
	if role == Server {
		out, b = append(out, b[:len(Preface)]...), b[len(Preface):]
	}
	for len(b) >= HeaderSize {
		n := HeaderSize + (int(b[0])<<16 | int(b[1])<<8 | int(b[2]))
		if n > len(b) {
			break
		}
		if n <= 300 && len(out) < 8000 {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func fuzzRole(f *testing.F, role Role) {
	seeds(f, role)
	o := Options{MaxPart: 130, MaxHeaderBlock: 1000, MaxContinuations: 5}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder(role, o), data, cuts, fuzz.Options[Frame]{MaxMessageSize: 130 + MaxHeadSize})
		agreeFast(t, data, role, o, uint64(len(cuts)))
	})
}

// FuzzServer decodes what a client sends, in fuzzed chunkings.
func FuzzServer(f *testing.F) { fuzzRole(f, Server) }

// FuzzClient decodes what a server sends, in fuzzed chunkings.
func FuzzClient(f *testing.F) { fuzzRole(f, Client) }

// TestSeedsFrame checks that the seeds cut from the captures are valid
// streams of their direction.
func TestSeedsFrame(t *testing.T) {
	captures, _ := filepath.Glob(filepath.Join("testdata", "captures", "*.bin.gz"))
	for _, name := range captures {
		role := Server
		if strings.HasSuffix(name, "-down.bin.gz") {
			role = Client
		}
		if got, err := readAll(smallFrames(testutil.ReadGzip(t, name), role), role, Options{}); err != nil || len(got) < 3 {
			t.Fatalf("%s: %d frames, %v", name, len(got), err)
		}
	}
	if len(captures) == 0 {
		t.Fatal("no captures")
	}
}
