package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/sluicego/sluice/framing/dns"
	"github.com/sluicego/sluice/pipe"
)

// dnsRender writes what both readers give of a message on one line:
// header, questions, and each record's owner, type, class, TTL and data
// length.
func dnsRenderSluice(m *dns.Message) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %04x %d/%d/%d/%d", m.ID, m.Flags(), m.QDCount, m.ANCount, m.NSCount, m.ARCount)
	for q := range m.Questions() {
		fmt.Fprintf(&b, " q=%s/%d/%d", wireSluice(q.Name), q.Type, q.Class)
	}
	for r, err := range m.Records() {
		if err != nil {
			return b.String(), err
		}
		fmt.Fprintf(&b, " %s/%d/%d/%d/%d", wireSluice(r.Name), r.Type, r.Class, r.TTL, len(r.Data))
	}
	return b.String(), nil
}

func dnsRenderMiekg(raw []byte) (string, error) {
	var m mdns.Msg
	if err := m.Unpack(raw); err != nil {
		return "", err
	}
	if len(m.Question) != int(binary.BigEndian.Uint16(raw[4:])) {
		return "", errors.New("question count differs from the header")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %04x %d/%d/%d/%d", m.Id, binary.BigEndian.Uint16(raw[2:]), len(m.Question), len(m.Answer), len(m.Ns), len(m.Extra))
	for _, q := range m.Question {
		fmt.Fprintf(&b, " q=%s/%d/%d", wireMiekg(q.Name), q.Qtype, q.Qclass)
	}
	for _, sec := range [][]mdns.RR{m.Answer, m.Ns, m.Extra} {
		for _, r := range sec {
			h := r.Header()
			fmt.Fprintf(&b, " %s/%d/%d/%d/%d", wireMiekg(h.Name), h.Rrtype, h.Class, h.Ttl, h.Rdlength)
		}
	}
	return b.String(), nil
}

// The two libraries escape odd bytes of names differently (a space is
// \032 as dig writes it, "\ " in miekg/dns): names are compared as their
// uncompressed wire form, in hex.
func wireSluice(n dns.Name) string {
	var b []byte
	for l := range n.Labels() {
		b = append(append(b, byte(len(l))), l...)
	}
	return fmt.Sprintf("%x00", b)
}

func wireMiekg(name string) string {
	buf := make([]byte, 256)
	n, err := mdns.PackDomainName(name, buf, 0, nil, false)
	if err != nil {
		return "bad name " + name
	}
	return fmt.Sprintf("%x", buf[:n])
}

// TestDNSAgreesWithMiekg reads the benchmark's kind of stream (several
// seeds, with the dnsmasq captures) under random chunkings with
// framing/dns, and each length-prefixed message with (*dns.Msg).Unpack:
// the same headers, questions and records.
func TestDNSAgreesWithMiekg(t *testing.T) {
	for seed := range uint64(4) {
		in := dnsStream(t, 300, seed+10)
		var want []string
		for rest := in; len(rest) > 0; {
			n := int(binary.BigEndian.Uint16(rest))
			s, err := dnsRenderMiekg(rest[2 : 2+n])
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, s)
			rest = rest[2+n:]
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		for _, max := range []int{1, 7, 300, 4096} {
			r := dns.NewReader(pipe.NewReader(&randomReader{data: in, r: rng, max: max}, pipe.ReaderOptions{}), dns.Options{})
			i := 0
			for m := range r.All(context.Background()) {
				s, err := dnsRenderSluice(&m)
				if err != nil || i >= len(want) || s != want[i] {
					t.Fatalf("seed %d, pieces of %d, message %d: %v\n%s\nmiekg:\n%s", seed, max, i, err, s, want[min(i, len(want)-1)])
				}
				i++
			}
			if r.Err() != nil || i != len(want) {
				t.Fatalf("seed %d: %d messages of %d: %v", seed, i, len(want), r.Err())
			}
			r.Close()
		}
	}
}

// TestDNSMutatedAgreesWithMiekg flips bytes of real messages and reads each
// with both: where both accept a message they read the same, and where
// only miekg accepts one it is for a compression pointer that framing/dns
// refuses by design (one that does not point backwards: miekg follows any
// pointer and bounds their number), or for a message that ends at a
// record's boundary before the header's counts are reached (miekg
// tolerates it, returning fewer records). framing/dns accepts some messages
// miekg refuses: it does not parse the records' data.
func TestDNSMutatedAgreesWithMiekg(t *testing.T) {
	in := dnsStream(t, 200, 99)
	var msgs [][]byte
	for rest := in; len(rest) > 0; {
		n := int(binary.BigEndian.Uint16(rest))
		msgs, rest = append(msgs, rest[2:2+n]), rest[2+n:]
	}
	rng := rand.New(rand.NewPCG(7, 7))
	var both, onlySluice, onlyMiekg, neither, cut int
	for range 20000 {
		m := bytes.Clone(msgs[rng.IntN(len(msgs))])
		for range 1 + rng.IntN(3) {
			i := 4 + rng.IntN(len(m)-4) // the counts and after
			switch rng.IntN(3) {
			case 0:
				m[i] = byte(rng.IntN(256))
			case 1:
				m[i] = 0xc0 | byte(rng.IntN(2))
			default:
				m[i] ^= 1 << rng.IntN(8)
			}
		}
		framed, _ := dns.AppendMessage(nil, m)
		r := dns.NewReader(pipe.NewReader(bytes.NewReader(framed), pipe.ReaderOptions{}), dns.Options{})
		var s string
		msg, err := r.Next(context.Background())
		if err == nil {
			s, err = dnsRenderSluice(&msg)
		}
		w, werr := dnsRenderMiekg(m)
		switch {
		case err == nil && werr == nil:
			both++
			if s != w {
				t.Fatalf("%x:\nsluice %s\nmiekg  %s", m, s, w)
			}
		case err == nil:
			onlySluice++
		case werr == nil:
			onlyMiekg++
			records := int(binary.BigEndian.Uint16(m[6:])) + int(binary.BigEndian.Uint16(m[8:])) + int(binary.BigEndian.Uint16(m[10:]))
			if !errors.Is(err, dns.ErrPointer) && !(errors.Is(err, dns.ErrOverrun) && strings.Count(w, " ")-2-int(m[5]) < records) {
				t.Fatalf("%x: miekg reads %s, framing/dns refuses: %v", m, w, err)
			}
			if errors.Is(err, dns.ErrOverrun) {
				cut++
			}
		default:
			neither++
		}
		r.Close()
	}
	t.Logf("both accept %d, only framing/dns %d, only miekg %d (%d sections cut short, the others pointers not backwards), neither %d",
		both, onlySluice, onlyMiekg, cut, neither)
	if both < 1000 || neither < 1000 {
		t.Errorf("mutations too mild or too strong")
	}
}
