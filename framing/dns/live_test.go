package dns

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/pipe"
)

// digQueries are the queries TestLiveDnsmasq sends with dig on one
// connection: every answer dnsmasq gives from its own entries, a large TXT
// answer (20 strings, over 5 KiB), a CNAME, an MX, a PTR, NXDOMAIN,
// REFUSED, and a query without EDNS.
var digQueries = []string{"a.test", "A", "h.test", "AAAA", "big.test", "TXT", "nx.test", "A", "alias.test", "A",
	"mail.test", "MX", "-x", "10.1.2.3", "small.test", "TXT", "+noedns", "elsewhere.example", "A", "H.TEST", "A"}

// pipelined are the names the test's own client asks for, written to the
// server back to back before any answer is read.
var pipelined = []string{"a.test", "h.test", "big.test", "nx.test", "alias.test", "small.test", "mail.test", "h.test"}

// dnsmasqArgs is dnsmasq answering from its own entries only.
func dnsmasqArgs(port int) []string {
	var txt []string
	for i := range 20 {
		txt = append(txt, fmt.Sprintf("%02d%s", i, strings.Repeat("x", 248)))
	}
	return []string{"--no-daemon", "--port=" + strconv.Itoa(port), "--listen-address=127.0.0.1", "--bind-interfaces",
		"--no-resolv", "--no-hosts", "--log-queries", "--log-facility=-",
		"--address=/a.test/10.0.0.1", "--address=/nx.test/",
		"--host-record=h.test,10.1.2.3,fd00::1", "--cname=alias.test,h.test", "--mx-host=mail.test,h.test,10",
		"--txt-record=small.test,hello world", "--txt-record=big.test," + strings.Join(txt, ",")}
}

// TestLiveDnsmasq runs dnsmasq and dig +tcp +keepopen through a recording
// relay, frames both directions of every connection in the relay's cuts
// and in random ones, and compares each message's header and question
// with what dig printed (TestCaptures does the same on the recorded bytes).
// A second connection, of the test's own, pipelines queries and matches
// the answers by IsAnswerTo. DNS_WRITE_CAPTURES=1 rewrites testdata.
func TestLiveDnsmasq(t *testing.T) {
	wiretap.Require(t, "dig")
	srv := wiretap.Start(t, "dnsmasq", dnsmasqArgs)
	tap := wiretap.Listen(t, srv.Addr)
	out := wiretap.Run(t, nil, "dig", append([]string{"+tcp", "+keepopen", "+qr", "+tries=1", "+time=5",
		"@127.0.0.1", "-p", strconv.Itoa(tap.Port())}, digQueries...)...)
	askPipelined(t, tap.Addr())
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d connections, want dig's and the pipelining client's", len(recs))
	}
	checkDig(t, string(out), recs[0].Up, recs[0].Down)
	checkPipelined(t, recs[1].Up, recs[1].Down)
	// Both whole connections, framed by tshark as by the reader: two
	// segmentations each, all in one run of tshark.
	t.Run("tshark", func(t *testing.T) {
		compareTshark(t, []tsharkConn{{"dig", recs[0].UpBytes(), recs[0].DownBytes(), false},
			{"pipelined", recs[1].UpBytes(), recs[1].DownBytes(), true}}, 2)
	})
	// dnsmasq logs each query it received.
	want := len(collect(t, recs[0].UpBytes())) + len(collect(t, recs[1].UpBytes()))
	if want != 10+len(pipelined) {
		t.Errorf("%d queries framed, want 10 from dig and %d pipelined", want, len(pipelined))
	}
	var logged int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if logged = strings.Count(srv.Output(), ": query["); logged >= want {
			break
		}
	}
	if logged != want {
		t.Errorf("dnsmasq logged %d queries, want %d:\n%s", logged, want, srv.Output())
	}
	if os.Getenv("DNS_WRITE_CAPTURES") == "1" {
		dir := filepath.Join("testdata", "captures")
		for name, b := range map[string][]byte{"dig.txt": out, "dig-up.bin": recs[0].UpBytes(),
			"dig-down.bin": recs[0].DownBytes(), "pipelined-up.bin": recs[1].UpBytes(),
			"pipelined-down.bin": recs[1].DownBytes()} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// askPipelined sends every query of pipelined in one write, then reads the
// answers.
func askPipelined(t *testing.T, addr string) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var qs []byte
	for i, n := range pipelined {
		qs, _ = AppendQuery(qs, uint16(0x5000+i), n, []Type{TypeA, TypeAAAA, TypeTXT}[i%3])
	}
	if _, err := conn.Write(qs); err != nil {
		t.Fatal(err)
	}
	r := NewReader(pipe.NewReader(conn, pipe.ReaderOptions{}), Options{})
	defer r.Close()
	for range pipelined {
		if _, err := r.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// digMessage is what dig printed of a message.
type digMessage struct {
	sent                  bool // ";; Sending:" rather than ";; Got answer:"
	opcode, status, flags string
	id, qd, an, ns, ar    int
	question              string // "name. IN A", empty without one
}

var (
	digHead  = regexp.MustCompile(`^;; ->>HEADER<<- opcode: (\w+), status: (\w+), id: (\d+)$`)
	digFlags = regexp.MustCompile(`^;; flags:([\w ]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)$`)
)

// parseDig reads dig's +qr output: every message sent and received.
func parseDig(t *testing.T, out string) []digMessage {
	var ms []digMessage
	sent, inQuestion := false, false
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == ";; Sending:":
			sent = true
		case line == ";; Got answer:":
			sent = false
		case digHead.MatchString(line):
			m := digHead.FindStringSubmatch(line)
			id, _ := strconv.Atoi(m[3])
			ms = append(ms, digMessage{sent: sent, opcode: m[1], status: m[2], id: id})
		case digFlags.MatchString(line):
			m := digFlags.FindStringSubmatch(line)
			d := &ms[len(ms)-1]
			d.flags = strings.TrimSpace(m[1])
			d.qd, _ = strconv.Atoi(m[2])
			d.an, _ = strconv.Atoi(m[3])
			d.ns, _ = strconv.Atoi(m[4])
			d.ar, _ = strconv.Atoi(m[5])
		case line == ";; QUESTION SECTION:":
			inQuestion = true
		case inQuestion:
			inQuestion = false
			ms[len(ms)-1].question = strings.Join(strings.Fields(strings.TrimPrefix(line, ";")), " ")
		}
	}
	if len(ms) == 0 {
		t.Fatalf("no message in dig's output:\n%s", out)
	}
	return ms
}

// digView is what dig would print of m.
func digView(m *Message, sent bool) digMessage {
	h := m.Header
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{h.QR, "qr"}, {h.AA, "aa"}, {h.TC, "tc"}, {h.RD, "rd"}, {h.RA, "ra"}, {h.AD, "ad"}, {h.CD, "cd"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	d := digMessage{sent: sent, opcode: h.Opcode.String(), status: h.Rcode.String(), flags: strings.Join(flags, " "),
		id: int(h.ID), qd: int(h.QDCount), an: int(h.ANCount), ns: int(h.NSCount), ar: int(h.ARCount)}
	if q, ok := m.Question(); ok {
		d.question = q.Name.String() + " " + q.Class.String() + " " + q.Type.String()
	}
	return d
}

// frameAll reads every message of the pieces and returns what dig would
// print of each, and their renderings.
func frameAll(t *testing.T, src pipe.Reader, sent bool) ([]digMessage, []string) {
	t.Helper()
	r := NewReader(src, Options{})
	defer r.Close()
	var ds []digMessage
	var rs []string
	for m := range r.All(context.Background()) {
		ds = append(ds, digView(&m, sent))
		rs = append(rs, render(&m))
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return ds, rs
}

// checkDig frames what dig sent (up) and received (down), in the relay's
// cuts and in random ones, and compares every message with dig's output,
// in order: dig sends a query, reads its answer, sends the next.
func checkDig(t *testing.T, out string, up, down [][]byte) {
	t.Helper()
	want := parseDig(t, out)
	ups, upr := frameAll(t, pipe.NewReader(new(segtest.Pieces(slices.Clone(up))), pipe.ReaderOptions{}), true)
	downs, downr := frameAll(t, pipe.NewReader(new(segtest.Pieces(slices.Clone(down))), pipe.ReaderOptions{}), false)
	if len(ups) != len(downs) || 2*len(ups) != len(want) {
		t.Fatalf("%d queries and %d answers framed; dig printed %d messages", len(ups), len(downs), len(want))
	}
	for i := range ups {
		if ups[i] != want[2*i] {
			t.Errorf("query %d: framed %+v\ndig printed %+v", i, ups[i], want[2*i])
		}
		if downs[i] != want[2*i+1] {
			t.Errorf("answer %d: framed %+v\ndig printed %+v", i, downs[i], want[2*i+1])
		}
	}
	sameInPieces(t, up, upr, true)
	sameInPieces(t, down, downr, false)
	// Some answer straddles the reader's 4 KiB buffers: the big TXT.
	big := false
	for _, d := range downs {
		big = big || d.question == "big.test. IN TXT"
	}
	if !big {
		t.Errorf("no big.test TXT answer")
	}
}

// sameInPieces frames the joined bytes in random pieces and in every
// segmentation, expecting the renderings want.
func sameInPieces(t *testing.T, pieces [][]byte, want []string, sent bool) {
	t.Helper()
	var all []byte
	for _, p := range pieces {
		all = append(all, p...)
	}
	rng := rand.New(rand.NewPCG(uint64(len(all)), 3))
	for i := range 20 {
		_, got := frameAll(t, pipe.NewReader(new(segtest.RandomPieces(rng, all, 1+i*i*20)), pipe.ReaderOptions{}), sent)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("random pieces of at most %d bytes: other messages:\n%s\nwant\n%s", 1+i*i*20, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	for _, c := range segtest.Segmentations(all) {
		got, err := readAll(c.Seq, Options{})
		if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s: other messages (%v)", c.Name, err)
		}
	}
}

// checkPipelined frames the pipelining client's connection: every query,
// every answer, each answer matching exactly one query.
func checkPipelined(t *testing.T, up, down [][]byte) {
	t.Helper()
	qs := collect(t, joined(up))
	as := collect(t, joined(down))
	if len(qs) != len(pipelined) || len(as) != len(pipelined) {
		t.Fatalf("%d queries, %d answers, want %d", len(qs), len(as), len(pipelined))
	}
	for i, q := range qs {
		if qq, _ := q.Question(); !qq.Name.Equal(pipelined[i]) {
			t.Errorf("query %d asks for %s", i, qq.Name)
		}
	}
	for _, a := range as {
		n := 0
		for _, q := range qs {
			if a.IsAnswerTo(&q) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("answer %s matches %d queries", render(&a), n)
		}
	}
	var seen []string
	sameInPieces(t, up, renderAll(qs, &seen), true)
	sameInPieces(t, down, renderAll(as, new([]string)), false)
}

func joined(pieces [][]byte) []byte {
	var b []byte
	for _, p := range pieces {
		b = append(b, p...)
	}
	return b
}

func renderAll(ms []Message, out *[]string) []string {
	for i := range ms {
		*out = append(*out, render(&ms[i]))
	}
	return *out
}
