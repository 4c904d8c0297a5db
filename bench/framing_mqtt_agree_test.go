package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/sluicego/sluice/framing/mqtt"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// mqttMixed is a random MQTT 3.1.1 stream in one direction: every packet
// type that direction carries, CONNECT (with will, user name and password
// or without) first for a client, PUBLISH payloads up to 70 KB (parts of
// several messages), SUBSCRIBE and UNSUBSCRIBE with several filters,
// SUBACK with every return code.
func mqttMixed(rng *rand.Rand, fromClient bool, n int) []byte {
	text := func(k int) []byte {
		b := make([]byte, k)
		for i := range b {
			b[i] = "abcdefgh/é"[rng.IntN(9)]
		}
		return b
	}
	id := func() uint16 { return uint16(1 + rng.IntN(65535)) }
	var out []byte
	if fromClient {
		c := &mqtt.Connect{Version: mqtt.V311, Flags: mqtt.FlagCleanStart, KeepAlive: uint16(rng.IntN(600)), ClientID: seq.Of(text(rng.IntN(23)))}
		if rng.IntN(2) == 0 {
			c.Flags |= mqtt.FlagWill | byte(rng.IntN(3))<<3 | mqtt.FlagWillRetain
			c.WillTopic, c.WillPayload = seq.Of(text(1+rng.IntN(20))), seq.Of(text(rng.IntN(300)))
		}
		if rng.IntN(2) == 0 {
			c.Flags |= mqtt.FlagUsername | mqtt.FlagPassword
			c.Username, c.Password = seq.Of(text(rng.IntN(10))), seq.Of(text(rng.IntN(10)))
		}
		out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.CONNECT, Connect: c})
	} else {
		out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.CONNACK, SessionPresent: rng.IntN(2) == 0, Reason: mqtt.ReasonCode(rng.IntN(6))})
	}
	for range n {
		p := mqtt.Packet{}
		switch k := rng.IntN(12); {
		case k < 5:
			size := rng.IntN(200)
			if rng.IntN(10) == 0 {
				size = rng.IntN(70000)
			}
			p = mqtt.Packet{Type: mqtt.PUBLISH, QoS: uint8(rng.IntN(3)), Retain: rng.IntN(2) == 0, Topic: seq.Of(text(1 + rng.IntN(40))), Data: seq.Of(text(size))}
			if p.QoS > 0 {
				p.ID, p.Dup = id(), rng.IntN(4) == 0
			}
		case k < 9:
			p = mqtt.Packet{Type: mqtt.Type(int(mqtt.PUBACK) + k - 5), ID: id()}
		case k == 9 && fromClient:
			var subs []mqtt.Subscription
			for range 1 + rng.IntN(5) {
				subs = append(subs, mqtt.Subscription{Filter: seq.Of(text(1 + rng.IntN(30))), Options: byte(rng.IntN(3))})
			}
			p = mqtt.Packet{Type: mqtt.SUBSCRIBE, ID: id(), Body: seq.Of(mqtt.AppendSubscriptions(nil, subs...))}
		case k == 9:
			codes := make([]byte, 1+rng.IntN(5))
			for i := range codes {
				codes[i] = []byte{0, 1, 2, 0x80}[rng.IntN(4)]
			}
			p = mqtt.Packet{Type: mqtt.SUBACK, ID: id(), Body: seq.Of(codes)}
		case k == 10 && fromClient:
			var fs []string
			for range 1 + rng.IntN(4) {
				fs = append(fs, string(text(1+rng.IntN(30))))
			}
			p = mqtt.Packet{Type: mqtt.UNSUBSCRIBE, ID: id(), Body: seq.Of(mqtt.AppendFilters(nil, fs...))}
		case k == 10:
			p = mqtt.Packet{Type: mqtt.UNSUBACK, ID: id()}
		case fromClient:
			p = mqtt.Packet{Type: mqtt.PINGREQ}
		default:
			p = mqtt.Packet{Type: mqtt.PINGRESP}
		}
		out = mqtt.Append(out, mqtt.V311, &p)
	}
	if fromClient {
		out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.DISCONNECT})
	}
	return out
}

// packetsSluice renders every packet of src, payloads gathered from their
// parts, in the form of packetsPaho.
func packetsSluice(src io.Reader, r mqtt.Role, maxPart int) ([]string, error) {
	d := mqtt.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), r, mqtt.Options{Version: mqtt.V311, MaxPart: maxPart})
	defer d.Close()
	var out []string
	var head string
	var payload []byte
	for p := range d.All(context.Background()) {
		if p.First {
			payload = payload[:0]
			head = renderSluice(&p)
		}
		payload = p.Data.AppendTo(payload)
		if p.End() {
			if p.Type == mqtt.PUBLISH {
				head += fmt.Sprintf(" payload=%q", payload)
			}
			out = append(out, head)
		}
	}
	return out, d.Err()
}

func renderSluice(p *mqtt.Packet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d dup=%v qos=%d retain=%v len=%d", p.Type, p.Dup, p.QoS, p.Retain, p.Length)
	switch p.Type {
	case mqtt.CONNECT:
		c := p.Connect
		fmt.Fprintf(&b, " MQTT v%d clean=%v will=%v/%d/%v user=%v pass=%v keepalive=%d id=%q", c.Version, c.CleanStart(), c.Will(), c.WillQoS(), c.WillRetain(),
			c.HasUsername(), c.HasPassword(), c.KeepAlive, c.ClientID.String())
		if c.Will() {
			fmt.Fprintf(&b, " will=%q:%q", c.WillTopic.String(), c.WillPayload.String())
		}
		if c.HasUsername() {
			fmt.Fprintf(&b, " user=%q", c.Username.String())
		}
		if c.HasPassword() {
			fmt.Fprintf(&b, " pass=%q", c.Password.String())
		}
	case mqtt.CONNACK:
		fmt.Fprintf(&b, " sp=%v rc=%d", p.SessionPresent, p.Reason)
	case mqtt.PUBLISH:
		fmt.Fprintf(&b, " topic=%q id=%d", p.Topic.String(), p.ID)
	case mqtt.SUBSCRIBE:
		fmt.Fprintf(&b, " id=%d", p.ID)
		for s := range p.Subscriptions() {
			fmt.Fprintf(&b, " %q/%d", s.Filter.String(), s.QoS())
		}
	case mqtt.UNSUBSCRIBE:
		fmt.Fprintf(&b, " id=%d", p.ID)
		for f := range p.Filters() {
			fmt.Fprintf(&b, " %q", f.String())
		}
	case mqtt.SUBACK:
		fmt.Fprintf(&b, " id=%d", p.ID)
		for r := range p.Reasons() {
			fmt.Fprintf(&b, " %d", r)
		}
	case mqtt.PUBACK, mqtt.PUBREC, mqtt.PUBREL, mqtt.PUBCOMP, mqtt.UNSUBACK:
		fmt.Fprintf(&b, " id=%d", p.ID)
	}
	return b.String()
}

// packetsPaho renders every packet of src read with packets.ReadPacket.
func packetsPaho(src io.Reader) ([]string, error) {
	br := bufio.NewReaderSize(src, 4096)
	var out []string
	for {
		cp, err := packets.ReadPacket(br)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var b strings.Builder
		var h packets.FixedHeader
		switch p := cp.(type) {
		case *packets.ConnectPacket:
			h = p.FixedHeader
		case *packets.ConnackPacket:
			h = p.FixedHeader
		case *packets.PublishPacket:
			h = p.FixedHeader
		case *packets.PubackPacket:
			h = p.FixedHeader
		case *packets.PubrecPacket:
			h = p.FixedHeader
		case *packets.PubrelPacket:
			h = p.FixedHeader
		case *packets.PubcompPacket:
			h = p.FixedHeader
		case *packets.SubscribePacket:
			h = p.FixedHeader
		case *packets.SubackPacket:
			h = p.FixedHeader
		case *packets.UnsubscribePacket:
			h = p.FixedHeader
		case *packets.UnsubackPacket:
			h = p.FixedHeader
		case *packets.PingreqPacket:
			h = p.FixedHeader
		case *packets.PingrespPacket:
			h = p.FixedHeader
		case *packets.DisconnectPacket:
			h = p.FixedHeader
		}
		// Flags that are fixed for a type read as their bits: PUBREL's,
		// SUBSCRIBE's and UNSUBSCRIBE's 0010 is "QoS 1" to paho.
		qos, dup, retain := h.Qos, h.Dup, h.Retain
		if h.MessageType != packets.Publish {
			qos, dup, retain = 0, false, false
		}
		fmt.Fprintf(&b, "%d dup=%v qos=%d retain=%v len=%d", h.MessageType, dup, qos, retain, h.RemainingLength)
		switch p := cp.(type) {
		case *packets.ConnectPacket:
			fmt.Fprintf(&b, " %s v%d clean=%v will=%v/%d/%v user=%v pass=%v keepalive=%d id=%q", p.ProtocolName, p.ProtocolVersion, p.CleanSession,
				p.WillFlag, p.WillQos, p.WillRetain, p.UsernameFlag, p.PasswordFlag, p.Keepalive, p.ClientIdentifier)
			if p.WillFlag {
				fmt.Fprintf(&b, " will=%q:%q", p.WillTopic, p.WillMessage)
			}
			if p.UsernameFlag {
				fmt.Fprintf(&b, " user=%q", p.Username)
			}
			if p.PasswordFlag {
				fmt.Fprintf(&b, " pass=%q", p.Password)
			}
		case *packets.ConnackPacket:
			fmt.Fprintf(&b, " sp=%v rc=%d", p.SessionPresent, p.ReturnCode)
		case *packets.PublishPacket:
			fmt.Fprintf(&b, " topic=%q id=%d payload=%q", p.TopicName, p.MessageID, p.Payload)
		case *packets.SubscribePacket:
			fmt.Fprintf(&b, " id=%d", p.MessageID)
			for i, f := range p.Topics {
				fmt.Fprintf(&b, " %q/%d", f, p.Qoss[i])
			}
		case *packets.UnsubscribePacket:
			fmt.Fprintf(&b, " id=%d", p.MessageID)
			for _, f := range p.Topics {
				fmt.Fprintf(&b, " %q", f)
			}
		case *packets.SubackPacket:
			fmt.Fprintf(&b, " id=%d", p.MessageID)
			for _, r := range p.ReturnCodes {
				fmt.Fprintf(&b, " %d", r)
			}
		case *packets.PubackPacket, *packets.PubrecPacket, *packets.PubrelPacket, *packets.PubcompPacket, *packets.UnsubackPacket:
			fmt.Fprintf(&b, " id=%d", cp.Details().MessageID)
		}
		out = append(out, b.String())
	}
}

// TestMQTTAgreesWithPaho reads random MQTT 3.1.1 streams of both
// directions with paho's packets.ReadPacket and with the decoder under
// random chunkings and part sizes: the same packets, field by field, the
// same payloads.
func TestMQTTAgreesWithPaho(t *testing.T) {
	for round := range 60 {
		rng := rand.New(rand.NewPCG(uint64(round), 5))
		fromClient := round%2 == 0
		in := mqttMixed(rng, fromClient, 50+rng.IntN(200))
		if round == 0 {
			in = mqttStream(2000, 3)
		}
		want, err := packetsPaho(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("round %d: paho: %v", round, err)
		}
		role := mqtt.Client
		if fromClient {
			role = mqtt.Server
		}
		got, err := packetsSluice(&wsPieces{in, rand.New(rand.NewPCG(uint64(round), 9))}, role, 1<<(6+round%10))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: %d packets, paho %d", round, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("round %d packet %d:\n%s\npaho:\n%s", round, i, got[i], want[i])
			}
		}
	}
}

// TestMQTTRefusesWhatPahoAccepts: packets paho's ReadPacket reads without
// complaint that MQTT 3.1.1 forbids, each refused by the decoder with the
// matching error.
func TestMQTTRefusesWhatPahoAccepts(t *testing.T) {
	connect := mqtt.Append(nil, mqtt.V311, &mqtt.Packet{Type: mqtt.CONNECT, Connect: &mqtt.Connect{Version: mqtt.V311, ClientID: seq.Of([]byte("c"))}})
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"non-minimal remaining length": {[]byte{0xc0, 0x80, 0x00}, mqtt.ErrRemainingLength},
		"PINGREQ with flags":           {[]byte{0xc3, 0x00}, mqtt.ErrFlags},
		"PUBLISH with QoS 3":           {[]byte{0x36, 0x05, 0x00, 0x01, 'a', 0x00, 0x01}, mqtt.ErrFlags},
		"PUBLISH with a wildcard":      {[]byte{0x30, 0x04, 0x00, 0x02, 'a', '#'}, mqtt.ErrTopic},
		"topic not UTF-8":              {[]byte{0x30, 0x04, 0x00, 0x02, 0xc3, 0x28}, mqtt.ErrString},
		"packet identifier 0":          {[]byte{0x40, 0x02, 0x00, 0x00}, mqtt.ErrPacketID},
		"SUBSCRIBE with QoS 3":         {[]byte{0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x03}, mqtt.ErrSubscription},
		"second CONNECT":               {connect, mqtt.ErrSecondConnect},
	} {
		in := append(bytes.Clone(connect), tc.in...)
		if _, err := packetsPaho(bytes.NewReader(in)); err != nil {
			t.Fatalf("%s: paho refuses it too: %v", name, err)
		}
		_, err := packetsSluice(bytes.NewReader(in), mqtt.Server, 0)
		var e *mqtt.Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) {
			t.Fatalf("%s: error %v, want %v", name, err, tc.want)
		}
	}
}
