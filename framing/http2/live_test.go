package http2

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/pipe"
)

// logged is a frame as `nghttp -v` logs it: a HEADERS or PUSH_PROMISE
// frame and its CONTINUATION frames as one, with the length of them all
// and END_HEADERS set.
type logged struct {
	Type   string
	Length uint32
	Flags  uint8
	Stream uint32
}

func (l logged) String() string {
	return fmt.Sprintf("%s len=%d flags=%#x stream=%d", l.Type, l.Length, l.Flags, l.Stream)
}

var nghttpFrame = regexp.MustCompile(`\] (send|recv) ([A-Z_]+) frame <length=(\d+), flags=0x([0-9a-f]+), stream_id=(\d+)>`)

// nghttpLog returns the frames `nghttp -v` says it sent and received.
func nghttpLog(t *testing.T, out []byte) (sent, recv []logged) {
	for _, m := range nghttpFrame.FindAllSubmatch(out, -1) {
		n, _ := strconv.ParseUint(string(m[3]), 10, 32)
		fl, _ := strconv.ParseUint(string(m[4]), 16, 8)
		id, _ := strconv.ParseUint(string(m[5]), 10, 32)
		l := logged{Type: string(m[2]), Length: uint32(n), Flags: uint8(fl), Stream: uint32(id)}
		if string(m[1]) == "send" {
			sent = append(sent, l)
		} else {
			recv = append(recv, l)
		}
	}
	if len(sent) == 0 || len(recv) == 0 {
		t.Fatalf("no frames in nghttp's log:\n%s", out[:min(len(out), 2000)])
	}
	return sent, recv
}

// direction is what the decoder framed in one direction.
type direction struct {
	Frames        []logged          // as nghttp logs them
	Kinds         map[string]int    // frames of each type, CONTINUATION too
	Data          map[uint32]int    // DATA bytes per stream, padding excluded
	Continuations int               // CONTINUATION frames
	LongestBlock  int               // the largest header block, fragments together
	GoAway        *logged           // the GOAWAY frame, if any
	Settings      map[uint16]uint32 // the last value of each setting
}

// frameAll frames one direction of a recording as an endpoint of role r
// would, reading it in pieces.
func frameAll(t *testing.T, src io.Reader, r Role, o Options) direction {
	t.Helper()
	d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), r, o)
	defer d.Close()
	dir := direction{Kinds: map[string]int{}, Data: map[uint32]int{}, Settings: map[uint16]uint32{}}
	block := 0
	for f := range d.All(context.Background()) {
		h := f.Header
		if f.First {
			dir.Kinds[h.Type.String()]++
			switch h.Type {
			case TypeContinuation:
				dir.Continuations++
				last := &dir.Frames[len(dir.Frames)-1]
				last.Length += h.Length
				last.Flags |= uint8(h.Flags & FlagEndHeaders)
			case TypeHeaders, TypePushPromise:
				block = 0
				fallthrough
			default:
				dir.Frames = append(dir.Frames, logged{Type: h.Type.String(), Length: h.Length, Flags: uint8(h.Flags), Stream: h.StreamID})
			}
			if h.Type == TypeGoAway {
				g := dir.Frames[len(dir.Frames)-1]
				dir.GoAway = &g
			}
			for i := range f.NumSettings() {
				s := f.Setting(i)
				dir.Settings[uint16(s.ID)] = s.Val
			}
		}
		switch h.Type {
		case TypeData:
			dir.Data[h.StreamID] += f.Data.Len()
		case TypeHeaders, TypePushPromise, TypeContinuation:
			block += f.Data.Len()
			dir.LongestBlock = max(dir.LongestBlock, block)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	if d.InHeaderBlock() {
		t.Fatalf("%s: the stream ended inside a header block", r)
	}
	return dir
}

// bigBody is the large file nghttpd serves and nghttp uploads: 3 MiB of
// text, so that the recorded connections compress well under testdata.
func bigBody() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, "line %d of a large body served by nghttpd\n", i)
	}
	return b.Bytes()
}

// liveFiles writes the files nghttpd serves: the large one and a small
// one.
func liveFiles(t *testing.T) (dir string, big []byte) {
	dir = t.TempDir()
	big = bigBody()
	os.WriteFile(filepath.Join(dir, "big.txt"), big, 0o644)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<html>small</html>\n"), 0o644)
	return dir, big
}

// liveRun is one client run through the tap: its name, the client's
// arguments (after the URL's host is known), and what it checks.
type liveRun struct {
	name, client string
	args         func(host, dir string) []string
}

var liveRuns = []liveRun{
	// An upload of 3 MiB with a header too long for one frame (HEADERS
	// and CONTINUATION), WINDOW_UPDATE from the server, GOAWAY at the end.
	{"upload", "nghttp", func(host, dir string) []string {
		return []string{"-v", "-n", "-H", "x-long: " + strings.Repeat("sluice-", 5000), "-d", filepath.Join(dir, "big.txt"),
			"http://" + host + "/index.html"}
	}},
	// Many streams on one connection: the large file twice and the small
	// one 30 times, with a header needing CONTINUATION on every request;
	// WINDOW_UPDATE from the client.
	{"streams", "nghttp", func(host, dir string) []string {
		return []string{"-v", "-n", "-m", "2", "-H", "x-long: " + strings.Repeat("0123456789", 3000), "http://" + host + "/big.txt",
			"http://" + host + "/index.html", "http://" + host + "/index.html?a", "http://" + host + "/index.html?b"}
	}},
	// 100 requests, 10 streams at a time: h2load prints how many
	// succeeded, and logs no frames (its closing GOAWAY is not checked).
	{"h2load", "h2load", func(host, dir string) []string {
		return []string{"-n", "100", "-c", "1", "-m", "10", "http://" + host + "/index.html"}
	}},
}

// TestLiveNghttp runs nghttpd (--no-tls) and nghttp over h2c (prior
// knowledge) through a recording relay: a 3 MiB upload, a 3 MiB download
// on several streams, request headers long enough for CONTINUATION
// frames, WINDOW_UPDATE frames both ways and the client's GOAWAY at the
// end. Both directions, framed in the relay's pieces and in random
// chunkings, give the frames `nghttp -v` logs, in order, with their
// lengths and flags (a header block's CONTINUATION frames folded into its
// HEADERS frame, as nghttp logs them), and the DATA carries the file's
// bytes.
func TestLiveNghttp(t *testing.T) {
	wiretap.Require(t, "nghttp")
	dir, big := liveFiles(t)
	srv := wiretap.Start(t, "nghttpd", func(port int) []string { return []string{"--no-tls", "-d", dir, strconv.Itoa(port)} })
	for _, run := range liveRuns {
		t.Run(run.name, func(t *testing.T) {
			tap := wiretap.Listen(t, srv.Addr)
			out := wiretap.Run(t, nil, run.client, run.args(tap.Addr(), dir)...)
			recs, err := tap.Recordings(10 * time.Second)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%d recordings, %v", len(recs), err)
			}
			var sent, recv []logged
			if run.client == "nghttp" {
				sent, recv = nghttpLog(t, out)
			} else if !bytes.Contains(out, []byte("requests: 100 total, 100 started, 100 done, 100 succeeded")) {
				t.Fatalf("h2load printed:\n%s", out)
			}
			checkRun(t, run.name, recs[0].Up, recs[0].Down, sent, recv, big)
			if cdir := os.Getenv("SLUICE_H2_CAPTURE"); cdir != "" {
				saveCapture(t, cdir, run.name, recs[0].UpBytes(), recs[0].DownBytes(), sent, recv)
			}
		})
	}
}

// checkRun frames both directions of a recorded connection, in the pieces
// given and in random chunkings, and compares them with nghttp's log.
func checkRun(t *testing.T, name string, upPieces, downPieces [][]byte, sent, recv []logged, big []byte) {
	t.Helper()
	upR, downR := segtest.Pieces(slices.Clone(upPieces)), segtest.Pieces(slices.Clone(downPieces))
	up := frameAll(t, &upR, Server, Options{})
	down := frameAll(t, &downR, Client, Options{})
	if sent != nil {
		same(t, "client sent", up.Frames, sent)
		same(t, "client received", down.Frames, recv)
	}
	t.Logf("%s: client sent %v, %d CONTINUATION, longest header block %d bytes; server sent %v", name, up.Kinds, up.Continuations, up.LongestBlock, down.Kinds)
	switch name {
	case "upload":
		if up.Continuations == 0 || up.LongestBlock < MinMaxFrameSize {
			t.Fatalf("no CONTINUATION: %d frames, block of %d bytes", up.Continuations, up.LongestBlock)
		}
		if up.Data[13] != len(big) || down.Kinds["WINDOW_UPDATE"] == 0 {
			t.Fatalf("uploaded %v bytes, want %d; %d WINDOW_UPDATE", up.Data, len(big), down.Kinds["WINDOW_UPDATE"])
		}
	case "streams":
		n := 0
		for _, v := range down.Data {
			if v == len(big) {
				n++
			}
		}
		if n != 2 || up.Continuations < 8 || up.Kinds["WINDOW_UPDATE"] == 0 || up.Kinds["HEADERS"] != 8 {
			t.Fatalf("%d downloads of the large file, %d CONTINUATION, client sent %v", n, up.Continuations, up.Kinds)
		}
	case "h2load":
		ends := 0
		for _, f := range down.Frames {
			if f.Type == "DATA" && f.Flags&uint8(FlagEndStream) != 0 {
				ends++
			}
		}
		if up.Kinds["HEADERS"] != 100 || down.Kinds["HEADERS"] != 100 || ends != 100 {
			t.Fatalf("client sent %v, server sent %v, %d streams ended", up.Kinds, down.Kinds, ends)
		}
	}
	if name != "h2load" && (up.GoAway == nil || up.GoAway.Stream != 0 || up.Frames[len(up.Frames)-1].Type != "GOAWAY") {
		t.Fatalf("no GOAWAY at the end: %v", up.GoAway)
	}
	if up.Settings[uint16(SettingInitialWindowSize)] == 0 && up.Settings[uint16(SettingMaxConcurrentStreams)] == 0 {
		t.Fatalf("client settings %v", up.Settings)
	}
	// Random chunkings: the same frames, in the harness's checks.
	for i, b := range [][]byte{bytes.Join(upPieces, nil), bytes.Join(downPieces, nil)} {
		fuzz.Check(t, decoder(Role(i), Options{}), b, randomCuts(len(b), int64(i)),
			fuzz.Options[Frame]{MaxMessageSize: DefaultMaxPart + MaxHeadSize, Timeout: 20 * time.Second})
	}
}

func same(t *testing.T, what string, got, want []logged) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			var g, w logged
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			t.Fatalf("%s: frame %d of %d is %v, nghttp logged %v (of %d)", what, i, len(got), g, w, len(want))
		}
	}
}

// capture is a recorded connection under testdata/captures: both
// directions gzipped, and nghttp's log of it.
type capture struct {
	Sent, Recv []logged
}

func saveCapture(t *testing.T, dir, name string, up, down []byte, sent, recv []logged) {
	for suffix, b := range map[string][]byte{"up": up, "down": down} {
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(b)
		w.Close()
		if err := os.WriteFile(filepath.Join(dir, name+"-"+suffix+".bin.gz"), z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j, _ := json.Marshal(capture{sent, recv})
	if err := os.WriteFile(filepath.Join(dir, name+".json"), j, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCaptures frames the connections TestLiveNghttp recorded
// (SLUICE_H2_CAPTURE=<dir> go test -run LiveNghttp writes them), in
// random pieces of up to 4 KiB, without the programs.
func TestCaptures(t *testing.T) {
	for _, run := range liveRuns {
		t.Run(run.name, func(t *testing.T) {
			base := filepath.Join("testdata", "captures", run.name)
			j, err := os.ReadFile(base + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var c capture
			if err := json.Unmarshal(j, &c); err != nil {
				t.Fatal(err)
			}
			up, down := testutil.ReadGzip(t, base+"-up.bin.gz"), testutil.ReadGzip(t, base+"-down.bin.gz")
			rng := rand.New(rand.NewPCG(3, uint64(len(up))))
			checkRun(t, run.name, segtest.RandomPieces(rng, up, 4096), segtest.RandomPieces(rng, down, 4096), c.Sent, c.Recv, bigBody())
		})
	}
}
