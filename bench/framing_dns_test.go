package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/sluicego/sluice/framing/dns"
	"github.com/sluicego/sluice/pipe"
)

// BenchmarkFraming/dns/{sluice,miekg}: a stream of DNS over TCP messages as
// a recursive resolver's connection carries them (dnsStream), read through
// a source of at most 4 KiB per Read. sluice: framing/dns's reader, each
// message's question read and its records walked (names checked, pointers
// followed); miekg: the 2-byte length read from a bufio.Reader of 4 KiB,
// the message read into a buffer with io.ReadFull and given to
// (*dns.Msg).Unpack, which parses every record. Both count messages,
// questions (and the sum of their types) and records (dnsWork), and a test
// checks that the counts agree.
func init() {
	registerFraming("dns",
		framingContender{"sluice", func(b *testing.B) { benchDNS(b, dnsWorkSluice) }},
		framingContender{"miekg", func(b *testing.B) { benchDNS(b, dnsWorkMiekg) }},
	)
}

// dnsWork is what a contender counts while reading a stream.
type dnsWork struct{ messages, questions, qtypes, records int }

// dnsNames are names a resolver's traffic could hold.
var dnsNames = []string{"www.example.com.", "api.service.internal.", "mail.example.org.", "a.root-servers.net.",
	"cdn-123.edge.example.net.", "xn--bcher-kva.example.", "_sip._tcp.example.com.", "img.static.example.com.",
	"tracker.analytics.example.co.uk.", "ns1.example.net."}

// dnsStream returns n query/answer pairs packed by miekg/dns with name
// compression: queries for A, AAAA, MX, TXT, SRV (half with an EDNS OPT
// record), answers with 1–4 addresses, a CNAME before them one time in
// four, MX and SRV records with their targets, TXT of one to three strings
// (one in 16 over 512 bytes), NXDOMAIN with an SOA in the authority
// section; then the connections dnsmasq and dig made in framing/dns's live
// test.
func dnsStream(tb testing.TB, n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 53))
	var out []byte
	add := func(m *mdns.Msg) {
		b, err := m.Pack()
		if err != nil {
			tb.Fatal(err)
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
		out = append(out, b...)
	}
	types := []uint16{mdns.TypeA, mdns.TypeA, mdns.TypeAAAA, mdns.TypeA, mdns.TypeMX, mdns.TypeTXT, mdns.TypeSRV, mdns.TypeAAAA}
	for i := range n {
		name := dnsNames[rng.IntN(len(dnsNames))]
		t := types[rng.IntN(len(types))]
		q := new(mdns.Msg)
		q.SetQuestion(name, t)
		q.Id = uint16(i)
		if rng.IntN(2) == 0 {
			q.SetEdns0(1232, false)
		}
		add(q)
		a := new(mdns.Msg)
		a.SetReply(q)
		a.Compress = true
		a.RecursionAvailable = true
		hdr := func(n string, t uint16) mdns.RR_Header {
			return mdns.RR_Header{Name: n, Rrtype: t, Class: mdns.ClassINET, Ttl: uint32(60 + rng.IntN(3600))}
		}
		owner := name
		if rng.IntN(4) == 0 {
			owner = "edge-" + fmt.Sprint(rng.IntN(100)) + ".cdn.example.net."
			a.Answer = append(a.Answer, &mdns.CNAME{Hdr: hdr(name, mdns.TypeCNAME), Target: owner})
		}
		switch {
		case rng.IntN(10) == 0:
			a.Rcode = mdns.RcodeNameError
			a.Answer = nil
			a.Ns = append(a.Ns, &mdns.SOA{Hdr: hdr("example.com.", mdns.TypeSOA), Ns: "ns1.example.net.",
				Mbox: "hostmaster.example.com.", Serial: 2026120301, Refresh: 7200, Retry: 3600, Expire: 1209600, Minttl: 300})
		case t == mdns.TypeA:
			for k := range 1 + rng.IntN(4) {
				a.Answer = append(a.Answer, &mdns.A{Hdr: hdr(owner, t), A: []byte{192, 0, 2, byte(k + 1)}})
			}
		case t == mdns.TypeAAAA:
			for k := range 1 + rng.IntN(3) {
				a.Answer = append(a.Answer, &mdns.AAAA{Hdr: hdr(owner, t), AAAA: []byte{0x20, 1, 0xd, 0xb8, 15: byte(k + 1)}})
			}
		case t == mdns.TypeMX:
			a.Answer = append(a.Answer, &mdns.MX{Hdr: hdr(name, t), Preference: 10, Mx: "mx1." + name},
				&mdns.MX{Hdr: hdr(name, t), Preference: 20, Mx: "mx2." + name})
			a.Extra = append(a.Extra, &mdns.A{Hdr: hdr("mx1."+name, mdns.TypeA), A: []byte{192, 0, 2, 25}})
		case t == mdns.TypeTXT:
			var txt []string
			for range 1 + rng.IntN(3) {
				l := 10 + rng.IntN(60)
				if rng.IntN(16) == 0 {
					l = 250
				}
				s := make([]byte, l)
				for j := range s {
					s[j] = 'a' + byte(j%26)
				}
				txt = append(txt, string(s))
			}
			a.Answer = append(a.Answer, &mdns.TXT{Hdr: hdr(name, t), Txt: txt})
		default:
			a.Answer = append(a.Answer, &mdns.SRV{Hdr: hdr(name, t), Priority: 10, Weight: 5, Port: 5060, Target: "sip1." + name})
		}
		if q.IsEdns0() != nil {
			a.SetEdns0(1232, false)
		}
		add(a)
	}
	for _, f := range []string{"dig-up.bin", "dig-down.bin", "pipelined-up.bin", "pipelined-down.bin"} {
		b, err := os.ReadFile(filepath.Join("..", "framing", "dns", "testdata", "captures", f))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

var dnsData []byte

// dnsInput is the benchmark's stream: 2000 pairs and the captures, 4036
// messages in 315 KiB.
func dnsInput(tb testing.TB) []byte {
	if dnsData == nil {
		dnsData = dnsStream(tb, 2000, 1)
	}
	return dnsData
}

// dnsWorkSluice reads src with framing/dns.
func dnsWorkSluice(src io.Reader) (w dnsWork, err error) {
	r := dns.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), dns.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		w.messages++
		for q := range m.Questions() {
			w.questions++
			w.qtypes += int(q.Type)
		}
		for _, err := range m.Records() {
			if err != nil {
				return w, err
			}
			w.records++
		}
	}
	return w, r.Err()
}

// dnsWorkMiekg reads src with a bufio.Reader of 4 KiB and miekg/dns.
func dnsWorkMiekg(src io.Reader) (w dnsWork, err error) {
	br := bufio.NewReaderSize(src, 4096)
	var m mdns.Msg
	var lenBuf [2]byte
	buf := make([]byte, 65535)
	for {
		if _, err := io.ReadFull(br, lenBuf[:]); err != nil {
			if err == io.EOF {
				return w, nil
			}
			return w, err
		}
		b := buf[:binary.BigEndian.Uint16(lenBuf[:])]
		if _, err := io.ReadFull(br, b); err != nil {
			return w, err
		}
		if err := m.Unpack(b); err != nil {
			return w, err
		}
		w.messages++
		for _, q := range m.Question {
			w.questions++
			w.qtypes += int(q.Qtype)
		}
		w.records += len(m.Answer) + len(m.Ns) + len(m.Extra)
	}
}

// benchDNS runs count over the stream, read at most 4 KiB per Read.
func benchDNS(b *testing.B, count func(io.Reader) (dnsWork, error)) {
	in := dnsInput(b)
	want, err := dnsWorkMiekg(&chunkReader{data: in})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	src := &chunkReader{data: in}
	for b.Loop() {
		src.reset()
		w, err := count(src)
		if err != nil || w != want {
			b.Fatalf("%+v, %v; want %+v", w, err, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want.messages), "ns/msg")
}

// TestDNSCountsAgree: both contenders count the same work on the
// benchmark's stream.
func TestDNSCountsAgree(t *testing.T) {
	in := dnsInput(t)
	a, err := dnsWorkSluice(&chunkReader{data: in})
	if err != nil {
		t.Fatal(err)
	}
	b, err := dnsWorkMiekg(&chunkReader{data: in})
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a.messages < 4000 {
		t.Fatalf("sluice %+v, miekg %+v", a, b)
	}
	t.Logf("%d bytes: %+v", len(in), a)
}
