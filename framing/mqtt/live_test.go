package mqtt

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/pipe"
)

// debugLine is a line that mosquitto_pub and mosquitto_sub print with -d
// for every packet they send or receive, e.g.
//
//	Client pub-5-1 sending PUBLISH (d0, q1, r0, m1, 'live/5/a', ... (121 bytes))
//	Client pub-5-1 received PUBACK (Mid: 1, RC:0)
var debugLine = regexp.MustCompile(`^Client (\S+) (sending|received) ([A-Z]+)(?: \((.*)\))?$`)

// publishArgs is the part of a PUBLISH debug line this test compares: the
// flags, topic and payload length (the packet identifier is the client's
// own count, compared as it is).
var publishArgs = regexp.MustCompile(`^d(\d), q(\d), r(\d), m(\d+), '([^']*)', \.\.\. \((\d+) bytes\)$`)

// seen is what a client printed about one connection: a line per packet
// sent and received, as "PUBLISH q1 r0 m1 live/5/a 121" for a PUBLISH and
// the type name otherwise.
type printed struct{ sent, received []string }

func parseDebug(t *testing.T, out []byte) printed {
	t.Helper()
	var p printed
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m := debugLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		line := m[3]
		if m[3] == "PUBLISH" {
			a := publishArgs.FindStringSubmatch(m[4])
			if a == nil {
				t.Fatalf("PUBLISH line %q", sc.Text())
			}
			mid := a[4]
			if a[2] == "0" {
				mid = "0" // the client's own count: a QoS 0 packet has no identifier
			}
			line = fmt.Sprintf("PUBLISH d%s q%s r%s m%s %s %s", a[1], a[2], a[3], mid, a[5], a[6])
		}
		if m[2] == "sending" {
			p.sent = append(p.sent, line)
		} else {
			p.received = append(p.received, line)
		}
	}
	return p
}

// framed decodes one direction of a recorded connection in the relay's
// pieces and returns a line per packet in the form of parseDebug, the
// Length of every PUBLISH, and the version a server decoder learnt.
func framed(t *testing.T, pieces [][]byte, role Role, v Version) (lines []string, lengths []uint32, learnt Version) {
	t.Helper()
	d := NewDecoder(pipe.NewReader(&piecesReader{pieces: slices.Clone(pieces)}, pipe.ReaderOptions{}), role, Options{Version: v})
	defer d.Close()
	var payload int
	var head Packet
	for p := range d.All(context.Background()) {
		if p.First {
			head = p
			head.Topic = so(p.Topic.String())
			payload = 0
		}
		payload += p.Data.Len()
		if !p.End() {
			continue
		}
		if head.Type != PUBLISH {
			lines = append(lines, head.Type.String())
			continue
		}
		b := func(v bool) int {
			if v {
				return 1
			}
			return 0
		}
		lines = append(lines, fmt.Sprintf("PUBLISH d%d q%d r%d m%d %s %d", b(head.Dup), head.QoS, b(head.Retain), head.ID, head.Topic, payload))
		lengths = append(lengths, head.Length)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", role, err)
	}
	return lines, lengths, d.Version()
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

// syncBuffer is a buffer that a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// livePublish is one mosquitto_pub run.
type livePublish struct {
	qos    int
	retain bool
	rem    int // the remaining length the PUBLISH is to have
}

// TestLiveMosquitto frames what mosquitto_pub and mosquitto_sub exchange
// with mosquitto through a recording relay, in MQTT 3.1.1 and 5: QoS 0, 1
// and 2 in both directions, a retained message delivered on subscription,
// MQTT 5 properties (user properties, content type, message expiry,
// session expiry), and PUBLISH packets whose remaining lengths sit on the
// 1/2 and 2/3-byte boundaries of the Variable Byte Integer (127/128,
// 16383/16384). Every packet each client printed with -d, sent and
// received, is framed with the same kind and order, and PUBLISH packets
// with the same flags, topic and payload length; the recorded bytes frame
// the same in random chunkings.
func TestLiveMosquitto(t *testing.T) {
	wiretap.Require(t, "mosquitto")
	sub := wiretap.Require(t, "mosquitto_sub")
	wiretap.Require(t, "mosquitto_pub")
	dir := t.TempDir()
	srv := wiretap.Start(t, "mosquitto", func(port int) []string {
		conf := filepath.Join(dir, "mosquitto.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n", port)), 0o644)
		return []string{"-c", conf}
	})
	tap := wiretap.Listen(t, srv.Addr)
	host, port := "127.0.0.1", strconv.Itoa(tap.Port())
	outputs := map[string]printed{} // by client id
	pubs := []livePublish{{0, false, 100}, {1, false, 127}, {2, false, 128}, {1, false, 16383}, {2, false, 16384}, {0, false, 300}}
	for _, v := range []Version{V311, V5} {
		ver := map[Version]string{V311: "mqttv311", V5: "mqttv5"}[v]
		topic := func(s string) string { return fmt.Sprintf("live/%d/%s", v, s) }
		var props []string
		propsLen := 0
		if v == V5 {
			props = []string{"-D", "publish", "user-property", "origin", "sluice", "-D", "publish", "content-type", "text/plain",
				"-D", "publish", "message-expiry-interval", "120", "-D", "connect", "session-expiry-interval", "30"}
			propsLen = 1 + (1 + 2 + 6 + 2 + 6) + (1 + 2 + 10) + (1 + 4)
		}
		common := func(id string) []string {
			return append([]string{"-h", host, "-p", port, "-V", ver, "-d", "-i", id}, props...)
		}
		// A retained message first: the subscriber gets it on SUBACK.
		rid := fmt.Sprintf("ret-%d", v)
		outputs[rid] = parseDebug(t, wiretap.Run(t, nil, "mosquitto_pub", append(common(rid), "-t", topic("kept"), "-q", "1", "-r", "-m", "retained")...))

		sid := fmt.Sprintf("sub-%d", v)
		args := append(common(sid), "-t", topic("#"), "-q", "2", "-C", strconv.Itoa(len(pubs)+1))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, sub, args...)
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); cmd.Wait() })
		for !bytes.Contains(out.Bytes(), []byte("received SUBACK")) {
			if ctx.Err() != nil {
				t.Fatalf("mosquitto_sub did not subscribe: %s", out.Bytes())
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i, p := range pubs {
			id := fmt.Sprintf("pub-%d-%d", v, i)
			tp := topic(strconv.Itoa(i))
			over := 2 + len(tp) + propsLen
			if p.qos > 0 {
				over += 2
			}
			payload := strings.Repeat("x", p.rem-over)
			a := append(common(id), "-t", tp, "-q", strconv.Itoa(p.qos), "-s")
			outputs[id] = parseDebug(t, wiretap.Run(t, []byte(payload), "mosquitto_pub", a...))
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("mosquitto_sub: %v\n%s", err, out.Bytes())
		}
		cancel()
		outputs[sid] = parseDebug(t, out.Bytes())
	}
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(outputs) {
		t.Fatalf("%d connections recorded, %d clients ran", len(recs), len(outputs))
	}
	var lengths []uint32
	var conns []tsharkConn
	for i, rec := range recs {
		upLines, ls, v := framed(t, rec.Up, Server, 0)
		downLines, ld, _ := framed(t, rec.Down, Client, v)
		lengths = append(append(lengths, ls...), ld...)
		id := clientID(t, rec.UpBytes())
		want, ok := outputs[id]
		if !ok {
			t.Fatalf("connection %d: client %q ran no command", i, id)
		}
		if !equalLines(upLines, want.sent) || !equalLines(downLines, want.received) {
			t.Fatalf("%s (v%d): framed\n sent %q\n received %q\nthe client printed\n sent %q\n received %q", id, v, upLines, downLines, want.sent, want.received)
		}
		t.Logf("%s (v%d): %d packets sent, %d received, as printed", id, v, len(upLines), len(downLines))
		conns = append(conns, tsharkConn{id, rec.UpBytes(), rec.DownBytes()})
		if dir := os.Getenv("SLUICE_MQTT_CAPTURE"); dir != "" {
			os.WriteFile(filepath.Join(dir, id+"-up.bin"), rec.UpBytes(), 0o644)
			os.WriteFile(filepath.Join(dir, id+"-down.bin"), rec.DownBytes(), 0o644)
		}
		// The recorded bytes in random chunkings: the same packets.
		fuzz.Check(t, decoder(Server, Options{}), rec.UpBytes(), randomCuts(len(rec.UpBytes()), int64(i)), fuzz.Options[Packet]{MaxMessageSize: DefaultMaxHeadSize + DefaultMaxPart})
		fuzz.Check(t, decoder(Client, Options{Version: v}), rec.DownBytes(), randomCuts(len(rec.DownBytes()), int64(i)), fuzz.Options[Packet]{MaxMessageSize: DefaultMaxHeadSize + DefaultMaxPart})
	}
	// Every whole connection as this run interleaved the broker's
	// deliveries and acknowledgements, framed by tshark as by the Decoder:
	// two segmentations each, all in one run of tshark.
	t.Run("tshark", func(t *testing.T) { compareTshark(t, conns, 2) })
	for _, want := range []uint32{127, 128, 16383, 16384} {
		n := 0
		for _, l := range lengths {
			if l == want {
				n++
			}
		}
		if n < 4 { // sent and received, in both versions
			t.Errorf("%d PUBLISH packets with remaining length %d, want at least 4", n, want)
		}
	}
}

// clientID returns the client identifier of the CONNECT that starts b.
func clientID(t *testing.T, b []byte) string {
	t.Helper()
	d := NewDecoder(pipe.FromBytes(b), Server, Options{})
	defer d.Close()
	p, err := d.Next(context.Background())
	if err != nil || p.Type != CONNECT {
		t.Fatalf("first packet %v, %v", p.Type, err)
	}
	return p.Connect.ClientID.String()
}

// equalLines compares framed lines with printed ones.
func equalLines(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// randomCuts returns about n/1000 increasing cut points in (0, n).
func randomCuts(n int, seed int64) []int {
	var cuts []int
	for c := 1 + int(seed)%7; c < n; c += 1 + (c*7919+int(seed))%2000 {
		cuts = append(cuts, c)
	}
	return cuts
}
