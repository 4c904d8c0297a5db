package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/sluicego/sluice/framing/mqtt"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// mqttStream is what an MQTT 3.1.1 client sends a broker: a CONNECT, then
// n packets, most of them PUBLISH packets of QoS 0, 1 and 2 on topics like
// "site/7/sensor/42/temp" with payloads of 16 B to 4 KiB (more small than
// large: the length is 16 << k bytes, k uniform in 0..8, plus up to as much
// again), and the acknowledgements a client sends: PUBACK for the QoS 1
// messages it receives, PUBREC and PUBCOMP for QoS 2 ones, PUBREL for its
// own; a PINGREQ now and then.
func mqttStream(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 11))
	payload := alphabet(8 << 10)
	out := mqtt.Append(nil, mqtt.V311, &mqtt.Packet{Type: mqtt.CONNECT, Connect: &mqtt.Connect{
		Version: mqtt.V311, Flags: mqtt.FlagCleanStart, KeepAlive: 60, ClientID: seq.Of([]byte("bench-client")),
	}})
	var id uint16
	next := func() uint16 {
		id++
		if id == 0 {
			id = 1
		}
		return id
	}
	for range n {
		switch k := rng.IntN(100); {
		case k < 60:
			size := 16 << rng.IntN(9)
			size += rng.IntN(size)
			size = min(size, 4096)
			q := uint8(rng.IntN(3))
			p := mqtt.Packet{Type: mqtt.PUBLISH, QoS: q, Retain: rng.IntN(20) == 0,
				Topic: seq.Of(fmt.Appendf(nil, "site/%d/sensor/%d/temp", rng.IntN(10), rng.IntN(100))),
				Data:  seq.Of(payload[:size])}
			if q > 0 {
				p.ID = next()
			}
			out = mqtt.Append(out, mqtt.V311, &p)
		case k < 75:
			out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.PUBACK, ID: next()})
		case k < 83:
			out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.PUBREC, ID: next()})
		case k < 91:
			out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.PUBREL, ID: next()})
		case k < 99:
			out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.PUBCOMP, ID: next()})
		default:
			out = mqtt.Append(out, mqtt.V311, &mqtt.Packet{Type: mqtt.PINGREQ})
		}
	}
	return out
}

// capped reads at most 4 KiB per Read, as a socket would deliver a
// stream: every contender reads through one.
type capped struct{ r io.Reader }

func (c *capped) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), 4096)]) }

// mqttWork is what every contender computes from a stream: packets,
// PUBLISH packets, payload bytes and a sum over the packet identifiers and
// topic lengths, so that each has read every field the others read.
type mqttWork struct {
	packets, publishes, payload, sum int
}

// workSluice reads in with the decoder in the server role.
func workSluice(in io.Reader) (mqttWork, error) {
	var w mqttWork
	d := mqtt.NewDecoder(pipe.NewReader(in, pipe.ReaderOptions{}), mqtt.Server, mqtt.Options{})
	defer d.Close()
	for p := range d.All(context.Background()) {
		if p.First {
			w.packets++
			w.sum += int(p.ID) + p.Topic.Len()
			if p.Type == mqtt.PUBLISH {
				w.publishes++
			}
		}
		w.payload += p.Data.Len()
	}
	return w, d.Err()
}

// workPaho reads in with paho's packets.ReadPacket over a 4 KiB bufio.Reader,
// as paho's client reads a connection.
func workPaho(br *bufio.Reader) (mqttWork, error) {
	var w mqttWork
	for {
		cp, err := packets.ReadPacket(br)
		if err == io.EOF {
			return w, nil
		}
		if err != nil {
			return w, err
		}
		w.packets++
		switch p := cp.(type) {
		case *packets.PublishPacket:
			w.publishes++
			w.payload += len(p.Payload)
			w.sum += int(p.MessageID) + len(p.TopicName)
		default:
			w.sum += int(cp.Details().MessageID)
		}
	}
}

func init() {
	in := mqttStream(4096, 1)
	want, err := workPaho(bufio.NewReaderSize(&capped{bytes.NewReader(in)}, 4096))
	if err != nil {
		panic(err)
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want.packets), "ns/packet")
	}
	registerFraming("mqtt", framingContender{"sluice", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		var src bytes.Reader
		for b.Loop() {
			src.Reset(in)
			w, err := workSluice(&capped{&src})
			if err != nil || w != want {
				b.Fatalf("%+v, %v; want %+v", w, err, want)
			}
		}
		report(b)
	}}, framingContender{"paho", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		var src bytes.Reader
		br := bufio.NewReaderSize(nil, 4096)
		for b.Loop() {
			src.Reset(in)
			br.Reset(&capped{&src})
			w, err := workPaho(br)
			if err != nil || w != want {
				b.Fatalf("%+v, %v; want %+v", w, err, want)
			}
		}
		report(b)
	}})
}

// TestMQTTBenchWorkAgrees: both contenders count the same work on the
// benchmark's stream.
func TestMQTTBenchWorkAgrees(t *testing.T) {
	in := mqttStream(4096, 1)
	a, err := workSluice(&capped{bytes.NewReader(in)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := workPaho(bufio.NewReaderSize(&capped{bytes.NewReader(in)}, 4096))
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a.packets != 4097 {
		t.Fatalf("sluice %+v, paho %+v", a, b)
	}
	t.Logf("%d bytes: %+v", len(in), a)
}
