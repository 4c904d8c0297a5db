package stomp_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sluicego/sluice/framing/stomp"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// python returns the Python that Debian's python3-* packages install
// into, skipping t (failing it in CI) when module cannot be imported.
func python(t *testing.T, module string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = wiretap.Require(t, "python3")
	}
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import %s (CI installs it: see .ci/packages)", py, module)
		}
		t.Skipf("%s cannot import %s", py, module)
	}
	return py
}

// broker is a minimal STOMP 1.2 broker built on framing/stomp, enough for
// a real client to connect, subscribe, send, and disconnect with a
// receipt: each SEND is delivered as a MESSAGE to the subscriptions of its
// destination on the same connection.
func broker(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveSTOMP(t, conn) })
		}
	})
	return ln.Addr().String()
}

func serveSTOMP(t *testing.T, conn net.Conn) {
	defer conn.Close()
	b := func(s string) seq.Sequence { return seq.Of([]byte(s)) }
	r := parse.NewReader(pipe.NewReader(conn, pipe.ReaderOptions{}), stomp.Frames(stomp.Limits{}),
		parse.Options{MaxMessageSize: stomp.DefaultLimits.MessageSize()})
	defer r.Close()
	subs := map[string]string{} // destination → subscription id
	next := 0
	for f := range r.All(context.Background()) {
		var out []byte
		switch f.Command.String() {
		case "CONNECT", "STOMP":
			// The broker sends no heart-beats and wants the client's
			// every 100 ms.
			out = stomp.Append(out, stomp.Frame{Command: b("CONNECTED"), Headers: []stomp.Header{
				{Name: b("version"), Value: b("1.2")}, {Name: b("heart-beat"), Value: b("0,100")}}})
		case "SUBSCRIBE":
			dest, _ := f.Header("destination")
			id, _ := f.Header("id")
			subs[dest.String()] = id.String()
		case "SEND":
			dest, _ := f.Header("destination")
			if id, ok := subs[dest.String()]; ok {
				next++
				hs := []stomp.Header{{Name: b("subscription"), Value: b(id)}, {Name: b("message-id"), Value: b(strconv.Itoa(next))}}
				for _, h := range f.Headers {
					if !h.Name.Equal([]byte("content-length")) {
						hs = append(hs, h)
					}
				}
				hs = append(hs, stomp.Header{Name: b("content-length"), Value: b(strconv.Itoa(f.Body.Len()))})
				out = stomp.Append(out, stomp.Frame{Command: b("MESSAGE"), Headers: hs, Body: f.Body})
			}
		}
		if id, ok := f.Header("receipt"); ok {
			out = stomp.Append(out, stomp.Frame{Command: b("RECEIPT"), Headers: []stomp.Header{{Name: b("receipt-id"), Value: id}}})
		}
		if _, err := conn.Write(out); err != nil {
			return
		}
		if f.Command.String() == "DISCONNECT" {
			return
		}
	}
	if err := r.Err(); err != nil {
		t.Errorf("broker: %v", err)
	}
}

// stompScript drives the broker through the relay (argv[1] its port)
// with stomp.py, and prints what its listener saw as JSON.
const stompScript = `
import json, sys, threading, time
import stomp

class Listener(stomp.ConnectionListener):
    def __init__(self):
        self.bodies = []
        self.done = threading.Event()
    def on_message(self, frame):
        self.bodies.append(frame.body)
        if len(self.bodies) == 203:
            self.done.set()

conn = stomp.Connection12([('127.0.0.1', int(sys.argv[1]))], heartbeats=(100, 100), auto_decode=False)
l = Listener()
conn.set_listener('', l)
conn.connect('guest', 'guest', wait=True)
conn.subscribe(destination='/queue/sluice', id='1', ack='auto')
for i in range(200):
    conn.send(destination='/queue/sluice', body=('m%d ' % i) * (i % 50), headers={'seq': str(i)})
# stomp.py 8.0 writes header names and values as given, without STOMP 1.2's
# escapes (it only unescapes what it receives): escaped here.
conn.send(destination='/queue/sluice', body=b'nul\x00inside\x00', headers={'k\\ccolon': 'line\\nbreak\\\\'})
conn.send(destination='/queue/sluice', body=b'x' * 300000)
conn.send(destination='/queue/sluice', body=b'')
time.sleep(0.5)  # heart-beats go out meanwhile
if not l.done.wait(10):
    sys.exit('received %d messages' % len(l.bodies))
conn.disconnect(receipt='bye')
print(json.dumps({'messages': len(l.bodies), 'bytes': sum(len(b) for b in l.bodies),
                  'nul': l.bodies[200] == b'nul\x00inside\x00'}))

`

// TestLiveStomp frames what stomp.py (Debian python3-stomp, a client this
// project did not write) sends to a small broker built on this package
// and what it gets back, through a recording relay: CONNECT with
// heart-beats, SUBSCRIBE, 203 SENDs (one with NULs in its body and
// escapes in its headers, one of 300 kB, one empty), heart-beats, and
// DISCONNECT with a receipt; back CONNECTED, the MESSAGEs and the RECEIPT.
// Debian has no light STOMP broker, so the broker is the test's own: the
// client's bytes are real, the broker's are this package's encoder's. Both
// directions are read as relayed, in random pieces and a byte per read, and
// the counts are checked against what stomp.py's listener saw.
func TestLiveStomp(t *testing.T) {
	py := python(t, "stomp")
	tap := wiretap.Listen(t, broker(t))
	out := wiretap.Run(t, []byte(stompScript), py, "-", strconv.Itoa(tap.Port()))
	var seen struct {
		Messages, Bytes int
		NUL             bool
	}
	if err := json.Unmarshal(out, &seen); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d connections recorded", len(recs))
	}
	rec := recs[0]
	rng := rand.New(rand.NewPCG(12, 3))
	for _, cut := range []struct {
		name     string
		up, down [][]byte
	}{
		{"as relayed", rec.Up, rec.Down},
		{"random pieces", segtest.RandomPieces(rng, rec.UpBytes(), 500), segtest.RandomPieces(rng, rec.DownBytes(), 500)},
		{"a byte at a time", segtest.RandomPieces(rng, rec.UpBytes(), 1), segtest.RandomPieces(rng, rec.DownBytes(), 1)},
	} {
		up, upBytes := count(t, cut.up)
		down, downBytes := count(t, cut.down)
		t.Logf("%s: client sent %v (%d body bytes), broker sent %v (%d body bytes)", cut.name, up, upBytes, down, downBytes)
		switch {
		case up["SEND"] != seen.Messages || down["MESSAGE"] != seen.Messages || upBytes != seen.Bytes || downBytes != seen.Bytes:
			t.Errorf("%s: stomp.py received %d messages, %d bytes", cut.name, seen.Messages, seen.Bytes)
		case up["CONNECT"]+up["STOMP"] != 1 || up["SUBSCRIBE"] != 1 || up["DISCONNECT"] != 1 || up["heart-beat"] == 0 ||
			down["CONNECTED"] != 1 || down["RECEIPT"] != 1 || !seen.NUL:
			t.Errorf("%s: frames %v and %v", cut.name, up, down)
		}
	}
}

// count reads every frame of the pieces and counts them by command, with
// the bytes of their bodies.
func count(t *testing.T, ps [][]byte) (map[string]int, int) {
	t.Helper()
	r := parse.NewReader(pipe.NewReader(new(segtest.Pieces(slices.Clone(ps))), pipe.ReaderOptions{}), stomp.Frames(stomp.Limits{}),
		parse.Options{MaxMessageSize: stomp.DefaultLimits.MessageSize()})
	defer r.Close()
	n, body := map[string]int{}, 0
	for f := range r.All(context.Background()) {
		if f.IsHeartBeat() {
			n["heart-beat"]++
			continue
		}
		n[f.Command.String()]++
		body += f.Body.Len()
	}
	if err := r.Err(); err != nil {
		t.Fatalf("after %v: %v", n, err)
	}
	return n, body
}
