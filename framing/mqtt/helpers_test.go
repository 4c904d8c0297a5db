package mqtt

import (
	"context"
	"fmt"
	"github.com/sluicego/sluice/internal/parsetest"
	"strings"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// render writes a packet or payload part on one line.
func render(p Packet) string {
	var b strings.Builder
	if !p.First {
		fmt.Fprintf(&b, "%s +%d: %q", p.Type, p.Pos, p.Data.String())
		if p.Left > 0 {
			fmt.Fprintf(&b, " (%d left)", p.Left)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s len=%d", p.Type, p.Length)
	switch p.Type {
	case CONNECT:
		c := p.Connect
		fmt.Fprintf(&b, " v%d flags=%#x keepalive=%d id=%q", c.Version, c.Flags, c.KeepAlive, c.ClientID.String())
		if c.Will() {
			fmt.Fprintf(&b, " will=%q:%q%s", c.WillTopic.String(), c.WillPayload.String(), renderProps(c.WillProps))
		}
		if c.HasUsername() {
			fmt.Fprintf(&b, " user=%q", c.Username.String())
		}
		if c.HasPassword() {
			fmt.Fprintf(&b, " pass=%q", c.Password.String())
		}
		b.WriteString(renderProps(c.Props))
		return b.String()
	case CONNACK:
		fmt.Fprintf(&b, " sp=%v rc=%#x", p.SessionPresent, p.Reason)
	case PUBLISH:
		fmt.Fprintf(&b, " q%d", p.QoS)
		if p.Dup {
			b.WriteString(" dup")
		}
		if p.Retain {
			b.WriteString(" retain")
		}
		fmt.Fprintf(&b, " %q", p.Topic.String())
		if p.QoS > 0 {
			fmt.Fprintf(&b, " id=%d", p.ID)
		}
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		fmt.Fprintf(&b, " id=%d rc=%#x", p.ID, p.Reason)
	case SUBSCRIBE:
		fmt.Fprintf(&b, " id=%d", p.ID)
		for s := range p.Subscriptions() {
			fmt.Fprintf(&b, " %q/%#x", s.Filter.String(), s.Options)
		}
	case UNSUBSCRIBE:
		fmt.Fprintf(&b, " id=%d", p.ID)
		for f := range p.Filters() {
			fmt.Fprintf(&b, " %q", f.String())
		}
	case SUBACK, UNSUBACK:
		fmt.Fprintf(&b, " id=%d", p.ID)
		for r := range p.Reasons() {
			fmt.Fprintf(&b, " %#x", r)
		}
	case DISCONNECT, AUTH:
		fmt.Fprintf(&b, " rc=%#x", p.Reason)
	}
	b.WriteString(renderProps(p.Props))
	if p.Type == PUBLISH {
		fmt.Fprintf(&b, ": %q", p.Data.String())
		if p.Left > 0 {
			fmt.Fprintf(&b, " (%d left)", p.Left)
		}
	}
	return b.String()
}

func renderProps(ps Properties) string {
	var b strings.Builder
	for q := range ps.All() {
		switch q.ID.Kind() {
		case KindString, KindBinary:
			fmt.Fprintf(&b, " [%#x=%q]", q.ID, q.Data.String())
		case KindPair:
			fmt.Fprintf(&b, " [%q=%q]", q.Key.String(), q.Data.String())
		default:
			fmt.Fprintf(&b, " [%#x=%d]", q.ID, q.Value)
		}
	}
	return b.String()
}

// readAll decodes s in role r and renders every message.
func readAll(s seq.Sequence, r Role, o Options) ([]string, error) {
	d := NewDecoder(pipe.FromSequence(s), r, o)
	defer d.Close()
	var out []string
	for p := range d.All(context.Background()) {
		out = append(out, render(p))
	}
	return out, d.Err()
}

// decoder is the fuzz harness's view of a fresh Decoder per run.
func decoder(r Role, o Options) fuzz.Decoder[Packet] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(Packet)) error {
		return fuzz.Parser(Parser(r, o))(ctx, src, limit, emit)
	}
}

// hexBytes decodes space-separated hex bytes.
var hexBytes = parsetest.Hex

// violation reports whether err is a syntax error at off matching want.
var violation = parsetest.SyntaxAt

func so(s string) seq.Sequence { return seq.Of([]byte(s)) }

func propsOf(qs ...Property) Properties {
	var b []byte
	for _, q := range qs {
		b = AppendProperty(b, q)
	}
	return PropertiesOf(b)
}

// session returns the two directions of a session of version v with
// every packet type the version has, encoded: what a client sends and
// what a server sends.
func session(v Version) (up, down []byte) {
	c := &Connect{Version: v, Flags: FlagCleanStart | FlagWill | 1<<3 | FlagUsername | FlagPassword, KeepAlive: 60,
		ClientID: so("client-1"), WillTopic: so("last/will"), WillPayload: so("gone"), Username: so("user"), Password: so("pw\x00")}
	var cprops, props, pubProps Properties
	if v == V5 {
		cprops = propsOf(Property{ID: PropSessionExpiry, Value: 30}, Property{ID: PropReceiveMaximum, Value: 10},
			Property{ID: PropUserProperty, Key: so("a"), Data: so("1")}, Property{ID: PropUserProperty, Key: so("a"), Data: so("2")})
		c.Props = cprops
		c.WillProps = propsOf(Property{ID: PropWillDelay, Value: 5}, Property{ID: PropContentType, Data: so("text/plain")})
		props = propsOf(Property{ID: PropReasonString, Data: so("why")})
		pubProps = propsOf(Property{ID: PropPayloadFormat, Value: 1}, Property{ID: PropSubscriptionID, Value: 1},
			Property{ID: PropSubscriptionID, Value: 200}, Property{ID: PropCorrelationData, Data: so("\x00\x01")})
	}
	big := strings.Repeat("0123456789", 30)
	up = Append(up, v, &Packet{Type: CONNECT, Connect: c})
	up = Append(up, v, &Packet{Type: SUBSCRIBE, ID: 1, Body: seq.Of(AppendSubscriptions(nil, Subscription{so("a/+"), 1}, Subscription{so("b/#"), 2}))})
	up = Append(up, v, &Packet{Type: PUBLISH, Topic: so("a/b"), Data: so("q0")})
	up = Append(up, v, &Packet{Type: PUBLISH, QoS: 1, ID: 2, Retain: true, Topic: so("a/c"), Data: so(big), Props: pubProps})
	up = Append(up, v, &Packet{Type: PUBLISH, QoS: 2, ID: 3, Dup: true, Topic: so("a/d"), Data: seq.Sequence{}})
	up = Append(up, v, &Packet{Type: PUBACK, ID: 7})
	up = Append(up, v, &Packet{Type: PUBREC, ID: 8, Reason: 0x10, Props: props})
	up = Append(up, v, &Packet{Type: PUBREL, ID: 8})
	up = Append(up, v, &Packet{Type: PUBCOMP, ID: 9, Reason: 0x92})
	up = Append(up, v, &Packet{Type: UNSUBSCRIBE, ID: 4, Body: seq.Of(AppendFilters(nil, "a/+", "b/#"))})
	up = Append(up, v, &Packet{Type: PINGREQ})
	if v == V5 {
		up = Append(up, v, &Packet{Type: AUTH, Reason: 0x18, Props: propsOf(Property{ID: PropAuthMethod, Data: so("SCRAM")})})
	}
	up = Append(up, v, &Packet{Type: DISCONNECT})

	down = Append(down, v, &Packet{Type: CONNACK, SessionPresent: true, Props: props})
	codes := []byte{0, 1, 2, 0x80}
	down = Append(down, v, &Packet{Type: SUBACK, ID: 1, Body: seq.Of(codes), Props: props})
	down = Append(down, v, &Packet{Type: PUBLISH, QoS: 1, ID: 5, Topic: so("a/b"), Data: so(big + big), Props: pubProps})
	down = Append(down, v, &Packet{Type: PUBACK, ID: 2})
	down = Append(down, v, &Packet{Type: PUBREC, ID: 3})
	down = Append(down, v, &Packet{Type: PUBREL, ID: 3, Reason: 0x92})
	down = Append(down, v, &Packet{Type: PUBCOMP, ID: 3})
	down = Append(down, v, &Packet{Type: UNSUBACK, ID: 4, Body: seq.Of([]byte{0, 0x11})})
	down = Append(down, v, &Packet{Type: PINGRESP})
	if v == V5 {
		down = Append(down, v, &Packet{Type: DISCONNECT, Reason: 0x8b, Props: propsOf(Property{ID: PropServerReference, Data: so("other")})})
	}
	return up, down
}

func pipeOf(b []byte) pipe.Reader { return pipe.FromBytes(b) }

// segmentations returns b cut in every segmentation of segtest.
func segmentations(b []byte) []seq.Sequence {
	var out []seq.Sequence
	for _, c := range segtest.Segmentations(b) {
		out = append(out, c.Seq)
	}
	return out
}

func countChunks(s seq.Sequence) int {
	n := 0
	for range s.Chunks() {
		n++
	}
	return n
}
