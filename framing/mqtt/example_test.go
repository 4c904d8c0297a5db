package mqtt_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/mqtt"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// A broker's side of a connection: CONNECT sets the version, a PUBLISH
// arrives with its payload, a SUBSCRIBE with its filters.
func Example() {
	b := []byte{}
	b = mqtt.Append(b, mqtt.V5, &mqtt.Packet{Type: mqtt.CONNECT, Connect: &mqtt.Connect{
		Version: mqtt.V5, Flags: mqtt.FlagCleanStart, KeepAlive: 30, ClientID: seq.Of([]byte("sensor-1")),
	}})
	props := mqtt.PropertiesOf(mqtt.AppendProperty(nil, mqtt.Property{ID: mqtt.PropUserProperty,
		Key: seq.Of([]byte("unit")), Data: seq.Of([]byte("celsius"))}))
	b = mqtt.Append(b, mqtt.V5, &mqtt.Packet{Type: mqtt.PUBLISH, QoS: 1, ID: 7, Topic: seq.Of([]byte("room/temp")),
		Props: props, Data: seq.Of([]byte("21.5"))})
	b = mqtt.Append(b, mqtt.V5, &mqtt.Packet{Type: mqtt.SUBSCRIBE, ID: 8,
		Body: seq.Of(mqtt.AppendSubscriptions(nil, mqtt.Subscription{Filter: seq.Of([]byte("room/#")), Options: 1}))})

	d := mqtt.NewDecoder(pipe.FromBytes(b), mqtt.Server, mqtt.Options{})
	defer d.Close()
	for p := range d.All(context.Background()) {
		switch p.Type {
		case mqtt.CONNECT:
			fmt.Printf("CONNECT %s v%s keepalive %d\n", p.Connect.ClientID, p.Connect.Version, p.Connect.KeepAlive)
		case mqtt.PUBLISH:
			u, _ := p.Props.Get(mqtt.PropUserProperty)
			fmt.Printf("PUBLISH %s q%d id %d %s=%s: %s\n", p.Topic, p.QoS, p.ID, u.Key, u.Data, p.Data)
		case mqtt.SUBSCRIBE:
			for s := range p.Subscriptions() {
				fmt.Printf("SUBSCRIBE %s q%d\n", s.Filter, s.QoS())
			}
		}
	}
	if err := d.Err(); err != nil {
		fmt.Println(err, mqtt.ReasonCodeOf(err))
	}
	// Output:
	// CONNECT sensor-1 v5 keepalive 30
	// PUBLISH room/temp q1 id 7 unit=celsius: 21.5
	// SUBSCRIBE room/# q1
}

// A client's side: the version is given, and a PUBLISH larger than a part
// arrives in several messages.
func ExampleNewDecoder() {
	b := mqtt.Append(nil, mqtt.V311, &mqtt.Packet{Type: mqtt.CONNACK})
	b = mqtt.Append(b, mqtt.V311, &mqtt.Packet{Type: mqtt.PUBLISH, Topic: seq.Of([]byte("big")), Data: seq.Of(make([]byte, 70000))})
	d := mqtt.NewDecoder(pipe.FromBytes(b), mqtt.Client, mqtt.Options{Version: mqtt.V311})
	defer d.Close()
	for p := range d.All(context.Background()) {
		fmt.Println(p.Type, p.First, p.Pos, p.Data.Len(), p.Left)
	}
	// Output:
	// CONNACK true 0 0 0
	// PUBLISH true 0 32768 37232
	// PUBLISH false 32768 32768 4464
	// PUBLISH false 65536 4464 0
}

// A violation carries the reason code to disconnect with.
func ExampleReasonCodeOf() {
	// A fixed header claiming 256 MiB: refused on the header.
	d := mqtt.NewDecoder(pipe.FromBytes([]byte{0x30, 0xff, 0xff, 0xff, 0x7f}), mqtt.Client, mqtt.Options{Version: mqtt.V5})
	defer d.Close()
	_, err := d.Next(context.Background())
	fmt.Println(err)
	fmt.Printf("%#x\n", mqtt.ReasonCodeOf(err))
	// Output:
	// parse: at offset 0: invalid packet: mqtt: packet too large
	// 0x95
}
