package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/sluicego/sluice/framing/nats"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// natsSizes are the payload sizes nats-server's own benchmarks publish
// (server/norace_test.go and "nats bench"): from empty to 8 KiB, 128 the
// default of nats bench.
var natsSizes = []int{0, 8, 32, 128, 256, 1024, 4096, 8192}

// natsStream is what a publisher sends and what its subscriber receives:
// PUB and MSG of every size in natsSizes, with and without a reply
// subject, a PING/PONG every 64 messages.
func natsStream(n int) (pubs, msgs []byte) {
	payload := alphabet(8192)
	for i := range n {
		size := natsSizes[i%len(natsSizes)]
		m := nats.Message{Op: nats.OpPub, Subject: seq.Of([]byte("bench.subject.foo")), Payload: seq.Of(payload[:size])}
		if i%3 == 0 {
			m.Reply = seq.Of([]byte("_INBOX.Mp4ts2Y7k9ae1bYyDLwHO1.Bc1Zz6Qm"))
		}
		pubs = nats.Append(pubs, m)
		m.Op, m.SID = nats.OpMsg, seq.Of([]byte("1"))
		msgs = nats.Append(msgs, m)
		if i%64 == 63 {
			pubs = append(pubs, "PING\r\n"...)
			msgs = append(msgs, "PONG\r\n"...)
		}
	}
	return pubs, msgs
}

// readAll reads every message of input with p through a message reader,
// as a connection would, and returns how many there were.
func readAllNATS(b *testing.B, p parse.TryParse[nats.Message], input []byte) int {
	r := parse.NewReader(pipe.FromBytes(input), p, parse.Options{MaxMessageSize: nats.DefaultLimits.MessageSize()})
	n := 0
	for range r.All(context.Background()) {
		n++
	}
	if err := r.Err(); err != nil {
		b.Fatal(err)
	}
	r.Close()
	return n
}

func init() {
	pubs, msgs := natsStream(4096)
	registerFraming("nats", framingContender{"sluice", func(b *testing.B) {
		client, server := nats.FromClient(nats.Limits{}), nats.FromServer(nats.Limits{})
		b.SetBytes(int64(len(pubs) + len(msgs)))
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n = readAllNATS(b, client, pubs) + readAllNATS(b, server, msgs)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	}})
}

// natsVarz returns nats-server's counters from its monitoring endpoint.
func natsVarz(t *testing.T, port int) (inMsgs, outMsgs int64) {
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/varz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		InMsgs  int64 `json:"in_msgs"`
		OutMsgs int64 `json:"out_msgs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v.InMsgs, v.OutMsgs
}

// natsPieces reads the pieces one per Read.
type natsPieces struct{ pieces [][]byte }

func (r *natsPieces) Read(p []byte) (int, error) {
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

// frameNATS reads every message of the pieces with p and counts them by
// operation, failing t on an error.
func frameNATS(t *testing.T, p parse.TryParse[nats.Message], pieces [][]byte) map[nats.Op]int {
	t.Helper()
	src := &natsPieces{pieces: slices.Clone(pieces)}
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), p, parse.Options{MaxMessageSize: nats.DefaultLimits.MessageSize()})
	defer r.Close()
	ops := map[nats.Op]int{}
	for m := range r.All(context.Background()) {
		ops[m.Op]++
	}
	if err := r.Err(); err != nil {
		t.Fatalf("after %v: %v", ops, err)
	}
	return ops
}

// TestLiveNATS frames what nats.go (v1.56.0, a client this project did not
// write) and nats-server exchange through a recording relay: CONNECT,
// SUB with and without a queue group, UNSUB with a maximum, PUB and HPUB
// at nats-server's benchmark sizes and a payload near max_payload,
// requests with reply subjects, PING/PONG from Flush, and the server's
// INFO, MSG, HMSG, PONG. It reads both directions as the relay read them
// and in random pieces, and checks the counts against the client's
// statistics and the server's /varz.
func TestLiveNATS(t *testing.T) {
	mon := wiretap.FreePort(t)
	srv := wiretap.Start(t, "nats-server", func(port int) []string {
		return []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port), "-m", strconv.Itoa(mon)}
	})
	tap := wiretap.Listen(t, srv.Addr)
	nc, err := natsgo.Connect("nats://"+tap.Addr(), natsgo.Name("sluice-live"))
	if err != nil {
		t.Fatal(err)
	}
	received := make(chan *natsgo.Msg, 4096)
	if _, err := nc.ChanSubscribe("bench.>", received); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.QueueSubscribe("svc.echo", "workers", func(m *natsgo.Msg) { m.Respond(m.Data) }); err != nil {
		t.Fatal(err)
	}
	once, err := nc.SubscribeSync("once.*")
	if err != nil {
		t.Fatal(err)
	}
	if err := once.AutoUnsubscribe(2); err != nil {
		t.Fatal(err)
	}
	payload := strings.Repeat("x", 8192)
	published := 0
	for i := range 400 {
		size := natsSizes[i%len(natsSizes)]
		if i%5 == 0 {
			m := natsgo.NewMsg("bench.h")
			m.Header.Set("Seq", strconv.Itoa(i))
			m.Header.Add("Trace", "a b")
			m.Data = []byte(payload[:size])
			err = nc.PublishMsg(m)
		} else {
			err = nc.Publish(fmt.Sprintf("bench.s%d", size), []byte(payload[:size]))
		}
		if err != nil {
			t.Fatal(err)
		}
		published++
	}
	if err := nc.Publish("bench.big", []byte(strings.Repeat("y", 1000000))); err != nil {
		t.Fatal(err)
	}
	published++
	for i := range 5 {
		if _, err := nc.Request("svc.echo", []byte("ping "+strconv.Itoa(i)), 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		nc.Publish("once."+strconv.Itoa(i), []byte("o"))
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for got := 0; got < published; got++ {
		select {
		case <-received:
		case <-deadline:
			t.Fatalf("received %d of %d", got, published)
		}
	}
	stats := nc.Stats()
	in, out := natsVarz(t, mon)
	nc.Close()
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d connections recorded", len(recs))
	}
	rec := recs[0]
	rng := rand.New(rand.NewPCG(10, 1))
	for _, cut := range []struct {
		name     string
		up, down [][]byte
	}{
		{"as relayed", rec.Up, rec.Down},
		{"random pieces", randomNATSPieces(rng, rec.UpBytes(), 300), randomNATSPieces(rng, rec.DownBytes(), 300)},
		{"a byte at a time", randomNATSPieces(rng, rec.UpBytes(), 1), randomNATSPieces(rng, rec.DownBytes(), 1)},
	} {
		up := frameNATS(t, nats.FromClient(nats.Limits{}), cut.up)
		down := frameNATS(t, nats.FromServer(nats.Limits{}), cut.down)
		pubs, msgs := up[nats.OpPub]+up[nats.OpHPub], down[nats.OpMsg]+down[nats.OpHMsg]
		t.Logf("%s: client sent %v, server sent %v", cut.name, up, down)
		switch {
		case uint64(pubs) != stats.OutMsgs || uint64(msgs) != stats.InMsgs:
			t.Errorf("%s: %d PUB/HPUB and %d MSG/HMSG framed; nats.go counted %d out, %d in", cut.name, pubs, msgs, stats.OutMsgs, stats.InMsgs)
		case int64(pubs) != in || int64(msgs) != out:
			t.Errorf("%s: %d PUB/HPUB and %d MSG/HMSG framed; nats-server counted %d in, %d out", cut.name, pubs, msgs, in, out)
		case up[nats.OpConnect] != 1 || down[nats.OpInfo] != 1 || up[nats.OpSub] != 4 || up[nats.OpUnsub] != 1 ||
			up[nats.OpHPub] != 80 || down[nats.OpHMsg] != 80 || up[nats.OpPing] == 0 || down[nats.OpPong] != up[nats.OpPing]:
			t.Errorf("%s: client sent %v, server sent %v", cut.name, up, down)
		}
	}
}

// randomNATSPieces cuts b into pieces of 1 to max bytes.
func randomNATSPieces(r *rand.Rand, b []byte, max int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := min(len(b), 1+r.IntN(max))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}
