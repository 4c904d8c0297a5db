package bench

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/framing/dns"
	"github.com/sluicego/sluice/framing/grpc"
	"github.com/sluicego/sluice/framing/http1"
	"github.com/sluicego/sluice/framing/http2"
	"github.com/sluicego/sluice/framing/memcache"
	"github.com/sluicego/sluice/framing/mqtt"
	"github.com/sluicego/sluice/framing/nats"
	"github.com/sluicego/sluice/framing/ndjson"
	"github.com/sluicego/sluice/framing/pgwire"
	"github.com/sluicego/sluice/framing/resp"
	"github.com/sluicego/sluice/framing/sse"
	"github.com/sluicego/sluice/framing/stomp"
	"github.com/sluicego/sluice/framing/tlsrecord"
	"github.com/sluicego/sluice/framing/websocket"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// BenchmarkSetup measures what a connection costs before its first byte:
// making the reader or decoder a server makes per connection, over a pipe
// reader of an empty source, and closing it. bufio is the floor a hand loop
// pays, a bufio.Reader of 4 KiB; pipe is the pipe reader alone. A
// protocol whose parser holds no state of the connection's is declared per
// connection here too (stomp, nats, memcache, tlsrecord, lenfield), as a
// new user might, and read by a parse.Reader: its docs say the parser may
// be declared once and shared instead.
func BenchmarkSetup(b *testing.B) {
	empty := func() pipe.Reader { return pipe.NewReader(bytes.NewReader(nil), pipe.ReaderOptions{}) }
	var sink *bufio.Reader
	cases := []struct {
		name string
		make func()
	}{
		{"bufio", func() { sink = bufio.NewReaderSize(bytes.NewReader(nil), 4096) }},
		{"pipe", func() { empty().Complete(nil) }},
		{"http1", func() { http1.NewRequestReader(empty(), http1.Options{}).Close() }},
		{"http2", func() { http2.NewDecoder(empty(), http2.Server, http2.Options{}).Close() }},
		{"ws", func() { websocket.NewDecoder(empty(), websocket.Server, websocket.Options{}).Close() }},
		{"pgwire", func() { pgwire.NewDecoder(empty(), pgwire.Frontend, pgwire.Options{}).Close() }},
		{"mqtt", func() { mqtt.NewDecoder(empty(), mqtt.Server, mqtt.Options{}).Close() }},
		{"grpc", func() { grpc.NewDecoder(empty(), grpc.Options{}).Close() }},
		{"dns", func() { dns.NewReader(empty(), dns.Options{}).Close() }},
		{"resp", func() { resp.NewCommandReader(empty(), resp.Limits{}).Close() }},
		{"sse", func() { sse.NewReader(empty(), sse.Options{}).Close() }},
		{"ndjson", func() { ndjson.NewReader(empty(), ndjson.Options{}).Close() }},
		{"stomp", func() { parse.NewReader(empty(), stomp.Frames(stomp.Limits{}), parse.Options{}).Close() }},
		{"nats", func() { parse.NewReader(empty(), nats.FromClient(nats.Limits{}), parse.Options{}).Close() }},
		{"memcache", func() { parse.NewReader(empty(), memcache.FromClient(memcache.Limits{}), parse.Options{}).Close() }},
		{"tlsrecord", func() { parse.NewReader(empty(), tlsrecord.Parser(tlsrecord.Options{}), parse.Options{}).Close() }},
		{"lenfield", func() {
			parse.NewReader(empty(), framing.LengthField(framing.LengthFieldOptions{Size: 4}), parse.Options{}).Close()
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.make()
			}
		})
	}
	_ = sink
}
