package mqtt

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// dmsg is one control packet as the package's Decoder framed it, with the
// fields Wireshark's MQTT dissector prints for it.
type dmsg struct {
	up     bool
	typ    Type
	flags  uint8
	length uint32
	size   int // bytes on the wire: the fixed header and the rest
	id     uint16
	qos    uint8
	reason ReasonCode
	sp     bool
	// topics are a PUBLISH's topic or a SUBSCRIBE's or UNSUBSCRIBE's
	// filters, opts a SUBSCRIBE's options bytes, codes a SUBACK's or
	// UNSUBACK's reason codes.
	topics []string
	opts   []uint8
	codes  []ReasonCode
	// props and propIDs are the lengths of MQTT 5 properties and the
	// identifiers of the properties, in the order the packet has them
	// (CONNECT's properties, then its will properties).
	props   []int
	propIDs []string
	payload []byte
	// level, conflags, keepAlive and client are a CONNECT's protocol
	// level, connect flags, keep alive and client identifier.
	level, conflags uint8
	keepAlive       uint16
	client          string
}

// varintLen is the size of the Variable Byte Integer that encodes n
// (MQTT 3.1.1 section 2.2.3, MQTT 5.0 section 1.5.5).
func varintLen(n uint32) int {
	k := 1
	for n >= 128 {
		n >>= 7
		k++
	}
	return k
}

// decodeAll frames one direction of a connection with the package's
// Decoder in role r (a Server reads what the client sent and learns the
// version from CONNECT; a Client reads what the server sent in version
// v), gathering each PUBLISH's parts into one packet.
func decodeAll(t *testing.T, b []byte, r Role, v Version) ([]dmsg, Version) {
	t.Helper()
	d := NewDecoder(pipe.FromSequence(seq.Of(b)), r, Options{Version: v})
	defer d.Close()
	var out []dmsg
	for p := range d.All(context.Background()) {
		if !p.First {
			out[len(out)-1].payload = p.Data.AppendTo(out[len(out)-1].payload)
			continue
		}
		m := dmsg{up: r == Server, typ: p.Type, flags: p.Flags, length: p.Length, size: 1 + varintLen(p.Length) + int(p.Length),
			id: p.ID, qos: p.QoS, reason: p.Reason, sp: p.SessionPresent}
		switch p.Type {
		case PUBLISH:
			m.topics = []string{p.Topic.String()}
			m.payload = p.Data.AppendTo(nil)
		case SUBSCRIBE:
			for s := range p.Subscriptions() {
				m.topics = append(m.topics, s.Filter.String())
				m.opts = append(m.opts, s.Options)
			}
		case UNSUBSCRIBE:
			for f := range p.Filters() {
				m.topics = append(m.topics, f.String())
			}
		case SUBACK, UNSUBACK:
			for c := range p.Reasons() {
				m.codes = append(m.codes, c)
			}
		case CONNECT:
			c := p.Connect
			m.level, m.conflags, m.keepAlive, m.client = uint8(c.Version), c.Flags, c.KeepAlive, c.ClientID.String()
		}
		ps := []Properties{p.Props}
		if p.Type == CONNECT {
			ps = []Properties{p.Connect.Props}
			if p.Connect.Will() {
				ps = append(ps, p.Connect.WillProps)
			}
		}
		if d.Version() == V5 && hasProps(p.Type, p.Length) {
			for _, q := range ps {
				m.props = append(m.props, q.Len())
				for x := range q.All() {
					m.propIDs = append(m.propIDs, strconv.Itoa(int(x.ID)))
				}
			}
		}
		out = append(out, m)
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return out, d.Version()
}

// hasProps reports whether an MQTT 5 packet of type t and remaining
// length n has a property length: every packet but PINGREQ and PINGRESP,
// except the acknowledgements of a PUBLISH of remaining length under 4
// (MQTT 5.0 section 3.4.2.2), DISCONNECT under 2 (section 3.14.2.2) and
// AUTH of remaining length 0 (section 3.15.2.2).
func hasProps(t Type, n uint32) bool {
	switch t {
	case PINGREQ, PINGRESP:
		return false
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		return n >= 4
	case DISCONNECT:
		return n >= 2
	case AUTH:
		return n > 0
	}
	return true
}

// pending is a packet one side sent that the other side's answer names
// (MQTT 3.1.1 section 4.3, MQTT 5.0 section 4.3: the acknowledgements of
// a PUBLISH carry its packet identifier; SUBACK and UNSUBACK carry their
// request's).
type pending struct {
	up  bool
	typ Type
	id  uint16
}

// answers returns the packet m must follow, sent by the other side: the
// request it acknowledges. ok is false for a packet that answers nothing.
func answers(m dmsg) (p pending, ok bool) {
	other := !m.up
	switch m.typ {
	case CONNACK:
		return pending{other, CONNECT, 0}, true
	case PINGRESP:
		return pending{other, PINGREQ, 0}, true
	case SUBACK:
		return pending{other, SUBSCRIBE, m.id}, true
	case UNSUBACK:
		return pending{other, UNSUBSCRIBE, m.id}, true
	case PUBACK, PUBREC:
		return pending{other, PUBLISH, m.id}, true
	case PUBREL:
		return pending{other, PUBREC, m.id}, true
	case PUBCOMP:
		return pending{other, PUBREL, m.id}, true
	}
	return pending{}, false
}

// conversation puts the two directions' packets in an order the
// conversation can have had: each direction in its own order, and every
// answer after the request it answers, CONNACK first of the server's
// (MQTT 3.1.1 section 3.2, MQTT 5.0 section 3.2: the server's first
// packet is CONNACK). The server speaks as soon as it can, as a broker
// answers at once; the client's next packet goes when the server has
// nothing it may send yet. It returns the packets in that order.
func conversation(t *testing.T, ups, downs []dmsg) []dmsg {
	t.Helper()
	sent := map[pending]int{} // requests sent and not yet answered
	ready := func(m dmsg) bool {
		p, ok := answers(m)
		return !ok || sent[p] > 0
	}
	emit := func(m dmsg, out []dmsg) []dmsg {
		if p, ok := answers(m); ok {
			sent[p]--
		}
		// A PUBLISH of QoS 0 is answered by nothing.
		if m.typ != PUBLISH || m.qos > 0 {
			sent[pending{m.up, m.typ, m.id}]++
		}
		return append(out, m)
	}
	var out []dmsg
	for len(ups) > 0 || len(downs) > 0 {
		switch {
		case len(downs) > 0 && ready(downs[0]):
			out, downs = emit(downs[0], out), downs[1:]
		case len(ups) > 0 && ready(ups[0]):
			out, ups = emit(ups[0], out), ups[1:]
		default:
			t.Fatalf("no order fits: the next packet of each side answers one not sent yet")
		}
	}
	return out
}

// turns cuts the two directions' bytes into the turns of the
// conversation order: a turn is a run of packets of one side.
func turns(up, down []byte, order []dmsg) []dissect.Turn {
	var upEnds, downEnds []int
	var u, d int
	for i, m := range order {
		if m.up {
			u += m.size
		} else {
			d += m.size
		}
		if i+1 == len(order) || order[i+1].up != m.up {
			if m.up {
				upEnds = append(upEnds, u)
			} else {
				downEnds = append(downEnds, d)
			}
		}
	}
	return dissect.Interleave(up, down, upEnds, downEnds)
}

// perMessage are the fields tshark prints once in every MQTT packet: the
// first byte (type and flags), the type again, and the remaining length
// (MQTT 3.1.1 section 2.2, MQTT 5.0 section 2.1).
var perMessage = []string{"mqtt.hdrflags", "mqtt.msgtype", "mqtt.len"}

// optional are the fields tshark prints in some packets only, each with
// what the package's Decoder gives for a packet m of version v: the values
// tshark prints for it, in the order it prints them (none where the field
// is absent). They are compared as one list per direction. tshark prints
// numbers in decimal or hex ("0x02"), byte strings in hex; norm reads
// both.
var optional = []struct {
	field string
	of    func(m dmsg, v Version) []string
}{
	// The packet identifier: PUBLISH of QoS 1 or 2, its
	// acknowledgements, SUBSCRIBE, UNSUBSCRIBE and their
	// acknowledgements (MQTT 3.1.1 section 2.3.1).
	{"mqtt.msgid", func(m dmsg, _ Version) []string {
		switch m.typ {
		case PUBLISH:
			if m.qos == 0 {
				return nil
			}
		case PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK:
		default:
			return nil
		}
		return []string{strconv.Itoa(int(m.id))}
	}},
	// PUBLISH's topic name and the topic filters of SUBSCRIBE and
	// UNSUBSCRIBE.
	{"mqtt.topic", func(m dmsg, _ Version) []string { return m.topics }},
	// PUBLISH's payload, when there is one.
	{"mqtt.msg", func(m dmsg, _ Version) []string {
		if m.typ != PUBLISH || len(m.payload) == 0 {
			return nil
		}
		return []string{hex.EncodeToString(m.payload)}
	}},
	// CONNECT's protocol level, flags, keep alive and client identifier
	// (MQTT 3.1.1 sections 3.1.2 and 3.1.3).
	{"mqtt.ver", connectField(func(m dmsg) int { return int(m.level) })},
	{"mqtt.conflags", connectField(func(m dmsg) int { return int(m.conflags) })},
	{"mqtt.kalive", connectField(func(m dmsg) int { return int(m.keepAlive) })},
	{"mqtt.clientid", func(m dmsg, _ Version) []string {
		if m.typ != CONNECT || m.client == "" {
			return nil
		}
		return []string{m.client}
	}},
	// CONNACK's acknowledge flags (session present, bit 0) and its
	// return code (3.1.1) or reason code (5).
	{"mqtt.conack.flags", func(m dmsg, _ Version) []string {
		if m.typ != CONNACK {
			return nil
		}
		if m.sp {
			return []string{"1"}
		}
		return []string{"0"}
	}},
	{"mqtt.conack.val", reasonIn(V311, CONNACK)},
	{"mqtt.connack.reason_code", reasonIn(V5, CONNACK)},
	// MQTT 5's reason codes of the acknowledgements of a PUBLISH, absent
	// when the remaining length is 2 (MQTT 5.0 section 3.4.2.1), and of
	// DISCONNECT, absent when the remaining length is 0 (section
	// 3.14.2.1).
	{"mqtt.puback.reason_code", reasonIn(V5, PUBACK)},
	{"mqtt.pubrec.reason_code", reasonIn(V5, PUBREC)},
	{"mqtt.pubrel.reason_code", reasonIn(V5, PUBREL)},
	{"mqtt.pubcomp.reason_code", reasonIn(V5, PUBCOMP)},
	{"mqtt.disconnect.reason_code", reasonIn(V5, DISCONNECT)},
	// SUBSCRIBE's requested QoS (3.1.1) or subscription options (5), and
	// the return codes (3.1.1) or reason codes (5) of SUBACK and
	// UNSUBACK.
	{"mqtt.sub.qos", func(m dmsg, v Version) []string { return numbers(v == V311, m.opts) }},
	{"mqtt.subscription_options", func(m dmsg, v Version) []string { return numbers(v == V5, m.opts) }},
	{"mqtt.suback.qos", func(m dmsg, v Version) []string { return numbers(v == V311 && m.typ == SUBACK, m.codes) }},
	{"mqtt.suback.reason_code", func(m dmsg, v Version) []string { return numbers(v == V5 && m.typ == SUBACK, m.codes) }},
	{"mqtt.unsuback.reason_code", func(m dmsg, v Version) []string { return numbers(v == V5 && m.typ == UNSUBACK, m.codes) }},
	// MQTT 5's property lengths and the identifiers of the properties.
	{"mqtt.property_len", func(m dmsg, _ Version) []string {
		var out []string
		for _, p := range m.props {
			out = append(out, strconv.Itoa(p))
		}
		return out
	}},
	{"mqtt.property_id", func(m dmsg, _ Version) []string { return m.propIDs }},
}

// connectField returns the field f of a CONNECT packet, in decimal.
func connectField(f func(dmsg) int) func(dmsg, Version) []string {
	return func(m dmsg, _ Version) []string {
		if m.typ != CONNECT {
			return nil
		}
		return []string{strconv.Itoa(f(m))}
	}
}

// reasonIn returns the reason code of packets of type t in version v, in
// decimal, where the packet has one: MQTT 3.1.1's CONNACK always, MQTT
// 5's CONNACK always, the acknowledgements of a PUBLISH when the remaining
// length is over 2 and DISCONNECT when it is over 0 (MQTT 5.0 sections
// 3.2.2.2, 3.4.2.1, 3.14.2.1).
func reasonIn(v Version, t Type) func(dmsg, Version) []string {
	return func(m dmsg, mv Version) []string {
		if m.typ != t || mv != v {
			return nil
		}
		switch {
		case t == CONNACK:
		case t == DISCONNECT && m.length == 0:
			return nil
		case t != DISCONNECT && m.length <= 2:
			return nil
		}
		return []string{strconv.Itoa(int(m.reason))}
	}
}

// numbers returns bs in decimal if on, nothing if not.
func numbers[B ~uint8](on bool, bs []B) []string {
	if !on {
		return nil
	}
	var out []string
	for _, b := range bs {
		out = append(out, strconv.Itoa(int(b)))
	}
	return out
}

// norm reads a value as tshark prints it: a hex number ("0x02") in
// decimal; anything else as it is. Both sides' values go through it.
func norm(s string) string {
	if strings.HasPrefix(s, "0x") {
		if n, err := strconv.ParseUint(s[2:], 16, 64); err == nil {
			return strconv.FormatUint(n, 10)
		}
	}
	return s
}

// line renders a packet's per-message fields: its type's name (tshark's
// mqtt.msgtype is the type's number, the package's Type the same number),
// its flags and its remaining length.
func line(t Type, flags uint8, length uint64) string {
	return fmt.Sprintf("%s flags=%#x len=%d", t, flags, length)
}

// tsharkLines renders the messages tshark framed as line does; hdrflags
// is the whole first byte, whose high four bits must be the type.
func tsharkLines(t *testing.T, msgs []dissect.Message) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		b0, err1 := strconv.ParseUint(m.Fields[0], 0, 8)
		typ, err2 := strconv.ParseUint(m.Fields[1], 10, 8)
		n, err3 := strconv.ParseUint(m.Fields[2], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil || b0>>4 != typ {
			t.Fatalf("tshark printed %q", m.Fields)
		}
		out = append(out, line(Type(typ), uint8(b0&0xf), n))
	}
	return out
}

// decodedLines renders the decoder's packets as line does.
func decodedLines(ms []dmsg) []string {
	var out []string
	for _, m := range ms {
		out = append(out, line(m.typ, m.flags, uint64(m.length)))
	}
	return out
}

// TestTsharkAgrees frames every recorded connection (mosquitto 2.0.11 and
// its clients, see TestCaptures) with Wireshark's MQTT dissector and with
// the package's Decoder, and checks that they find the same packets in
// each direction (see compareTshark), in tsharkSeeds different random
// segmentations.
func TestTsharkAgrees(t *testing.T) {
	var conns []tsharkConn
	for _, c := range testutil.Captures(t) {
		conns = append(conns, tsharkConn{c.Name, c.Up, c.Down})
	}
	compareTshark(t, conns, tsharkSeeds)
}

// A tsharkConn is both directions of one connection, named id.
type tsharkConn struct {
	id       string
	up, down []byte
}

// compareTshark frames the connections with Wireshark's MQTT dissector
// and with the package's Decoder, and checks, in a subtest per
// connection, that they find the same packets in each direction: the
// same types, flags and remaining lengths, and the same identifiers,
// topics, payloads, CONNECT and CONNACK fields, reason codes and MQTT 5
// properties. The conversation is replayed in an order the protocol
// allows (see conversation), since tshark learns a connection's version
// from its CONNECT, in TCP segments of seeds different random
// segmentations. All of them are connections of one file, which one run
// of tshark reads.
func compareTshark(t *testing.T, conns []tsharkConn, seeds int) {
	t.Helper()
	fields := slices.Clone(perMessage)
	for _, o := range optional {
		fields = append(fields, o.field)
	}
	// Every connection, decoded and put in a conversation order.
	type capture struct {
		id         string
		v          Version
		ups, downs []dmsg
	}
	var caps []capture
	var convs [][]dissect.Turn
	for _, c := range conns {
		um, v := decodeAll(t, c.up, Server, 0)
		dm, _ := decodeAll(t, c.down, Client, v)
		caps = append(caps, capture{c.id, v, um, dm})
		convs = append(convs, turns(c.up, c.down, conversation(t, um, dm)))
	}
	pcap := dissect.Pcaps(1883, dissect.Seeded(convs, seeds)...)
	pkts := dissect.Run(t, pcap, 1883, []string{"-d", "tcp.port==1883,mqtt"}, fields...)
	for i, c := range caps {
		t.Run(c.id, func(t *testing.T) {
			for k := range seeds {
				conn := dissect.Conn(pkts, i*seeds+k)
				values := compare(t, fmt.Sprintf("seed %d", k), conn, c.v, c.ups, c.downs)
				if k == 0 {
					t.Logf("MQTT %s: %d packets sent and %d received compared, and %d values of optional fields",
						c.v, len(c.ups), len(c.downs), values)
				}
			}
		})
	}
}

// tsharkSeeds is how many segmentations of each conversation tshark
// reads, drawn from the seeds 0, 1, ...
const tsharkSeeds = 3

// compare checks tshark's packets pkts against the decoder's packets of
// each direction, ups and downs, of version v. It returns how many values
// of the optional fields it compared.
func compare(t *testing.T, what string, pkts []dissect.Packet, v Version, ups, downs []dmsg) (values int) {
	t.Helper()
	msgs, err := dissect.Head(pkts, len(perMessage))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, dir := range []struct {
		up   bool
		name string
		ms   []dmsg
	}{{true, "client", ups}, {false, "server", downs}} {
		got := tsharkLines(t, dissect.Direction(msgs, dir.up))
		want := decodedLines(dir.ms)
		if len(want) == 0 || len(got) != len(want) || !slices.Equal(got, want) {
			t.Fatalf("%s: the %s's packets: tshark framed\n%s\nthe decoder\n%s", what, dir.name,
				strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i, o := range optional {
			var got, want []string
			for _, s := range dissect.Values(pkts, dir.up, len(perMessage)+i) {
				got = append(got, norm(s))
			}
			for _, m := range dir.ms {
				for _, s := range o.of(m, v) {
					want = append(want, norm(s))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: the %s's %s: tshark printed %q, the decoder read %q", what, dir.name, o.field, got, want)
			}
			values += len(got)
		}
	}
	return values
}
