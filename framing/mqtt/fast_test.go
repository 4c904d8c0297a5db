package mqtt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// randomUpstream is what a 3.1.1 client sends, drawn from r: a CONNECT,
// then PUBLISH packets (QoS 0, 1 and 2, payloads around the part size,
// topics now and then empty, with a wildcard, a NUL or invalid UTF-8, a
// packet identifier 0), acknowledgements and PINGREQs, some with a byte
// changed.
func randomUpstream(r *rand.Rand, n int) []byte {
	out := Append(nil, V311, &Packet{Type: CONNECT, Connect: &Connect{Version: V311, Flags: FlagCleanStart, ClientID: so("c")}})
	payload := strings.Repeat("p", 300)
	for range n {
		var p Packet
		switch k := r.IntN(10); {
		case k < 6:
			topic := fmt.Sprintf("a/%d", r.IntN(100))
			switch r.IntN(20) {
			case 0:
				topic = ""
			case 1:
				topic = "a/+"
			case 2:
				topic = "a\x00"
			case 3:
				topic = "a\xff"
			case 4:
				topic = "\u00e9t\u00e9"
			}
			p = Packet{Type: PUBLISH, QoS: uint8(r.IntN(3)), Retain: r.IntN(5) == 0, Topic: so(topic), Data: so(payload[:r.IntN(len(payload))])}
			if p.QoS > 0 {
				p.ID, p.Dup = uint16(r.IntN(3)), r.IntN(5) == 0
			}
		case k < 9:
			p = Packet{Type: []Type{PUBACK, PUBREC, PUBREL, PUBCOMP}[r.IntN(4)], ID: uint16(r.IntN(3))}
		default:
			p = Packet{Type: PINGREQ}
		}
		b := Append(nil, V311, &p)
		if r.IntN(15) == 0 {
			b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
		}
		out = append(out, b...)
	}
	return out
}

// readPlain decodes src with d and renders every message with its plain
// fields, the error last.
func readPlain(d *Decoder) []string {
	defer d.Close()
	var out []string
	for p := range d.All(context.Background()) {
		out = append(out, fmt.Sprintf("%s first=%v pos=%d left=%d len=%d size=%d data=%d@%v", render(p), p.First, p.Pos, p.Left,
			p.Length, p.size, p.Data.Len(), p.Data.IsEmpty()))
	}
	return append(out, fmt.Sprint(d.Err()))
}

// TestFastPath reads random client streams, with and without mutations,
// with the fast path and with the declared path alone, in segmentations
// and in random pieces through a pipe, with the default options and small
// parts and heads: the same packets and the same error every time.
func TestFastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 83))
	n := 200
	if testing.Short() || raceEnabled {
		n = 40
	}
	for range n {
		in := randomUpstream(r, 1+r.IntN(20))
		for _, o := range []Options{{}, {MaxPart: 64, MaxHeadSize: 128}} {
			read := func(src func() pipe.Reader, slow bool) []string {
				d := NewDecoder(src(), Server, o)
				d.slow = slow
				return readPlain(d)
			}
			var srcs []func() pipe.Reader
			for _, sc := range segtest.Segmentations(in)[:5] {
				srcs = append(srcs, func() pipe.Reader { return pipe.FromSequence(seq.Of(sc.Seq.Bytes())) }, func() pipe.Reader { return pipe.FromSequence(sc.Seq) })
			}
			for _, max := range []int{1, 7, 100, 4096} {
				seed := r.Uint64()
				srcs = append(srcs, func() pipe.Reader {
					ps := segtest.RandomPieces(rand.New(rand.NewPCG(seed, 2)), in, max)
					return pipe.NewReader(&ps, pipe.ReaderOptions{})
				})
			}
			for i, src := range srcs {
				fast, slow := read(src, false), read(src, true)
				if strings.Join(fast, "\n") != strings.Join(slow, "\n") {
					t.Fatalf("input %q, source %d, options %+v:\nfast path %q\ndeclared  %q", in, i, o, fast, slow)
				}
			}
		}
	}
}

// TestFastPathTaken checks that the fast path reads the common packets by
// itself (so that TestFastPath compares two readings), and leaves the
// cursor alone for what it does not read.
func TestFastPathTaken(t *testing.T) {
	d := newDecoder(Server, Options{})
	d.connected, d.version = true, V311
	for _, tc := range []struct {
		p    Packet
		fast bool
	}{
		{Packet{Type: PUBLISH, Topic: so("a/b"), Data: so("hello")}, true},
		{Packet{Type: PUBLISH, QoS: 2, Dup: true, Retain: true, ID: 7, Topic: so("a"), Data: so("")}, true},
		{Packet{Type: PUBACK, ID: 1}, true}, {Packet{Type: PUBREC, ID: 2}, true}, {Packet{Type: PUBREL, ID: 3}, true},
		{Packet{Type: PUBCOMP, ID: 4}, true}, {Packet{Type: PINGREQ}, true},
		{Packet{Type: PUBLISH, QoS: 1, ID: 0, Topic: so("a")}, false}, {Packet{Type: PUBLISH, Topic: so("a/#")}, false},
		{Packet{Type: PUBACK, ID: 0}, false}, {Packet{Type: SUBSCRIBE, ID: 1, Body: so("\x00\x01a\x00")}, false},
	} {
		b := append(Append(nil, V311, &tc.p), 0) // a byte after the packet: it ends before the span does
		in := parse.NewInput(seq.Of(b), true, 0)
		p, ok := d.whole(in)
		if ok != tc.fast || ok && (in.Consumed() != len(b)-1 || p.Type != tc.p.Type || p.ID != tc.p.ID) || !ok && in.Consumed() != 0 {
			t.Errorf("%s %d: fast path %v, read %d of %d bytes, %s", tc.p.Type, tc.p.ID, ok, in.Consumed(), len(b)-1, render(p))
		}
	}
}
