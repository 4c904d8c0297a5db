package nats_test

import (
	"testing"

	"github.com/sluicego/sluice/framing/nats"
	"github.com/sluicego/sluice/fuzz"
)

// seeds are shaped like the captures of nats.go talking to nats-server
// that bench/framing_nats_test.go frames (its CONNECT and INFO lines,
// PUB/HPUB/MSG/HMSG at benchmark sizes), and hostile cases.
var seeds = []string{
	"CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"name\":\"\",\"lang\":\"go\",\"version\":\"1.56.0\",\"protocol\":1,\"echo\":true,\"headers\":true,\"no_responders\":true}\r\nPING\r\n",
	"SUB bench.x  1\r\nPUB bench.x 16\r\n0123456789abcdef\r\nHPUB bench.h 22 24\r\nNATS/1.0\r\nK: v\r\n\r\n\r\nhi\r\nUNSUB 1 10\r\n",
	"INFO {\"server_id\":\"N\",\"version\":\"2.9.20\",\"max_payload\":1048576,\"headers\":true}\r\nPONG\r\nMSG bench.x 1 _INBOX.a 3\r\nabc\r\n",
	"HMSG bench.h 1 22 24\r\nNATS/1.0\r\nK: v\r\n\r\n\r\nhi\r\n+OK\r\n-ERR 'Unknown Protocol Operation'\r\n",
	"PUB x 99999999999999999999999\r\n", "pub x 3\nab", "PiNg\r\n", "PUB  \r\n",
}

func FuzzFromClient(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), []byte{3, 7})
	}
	p := nats.FromClient(nats.Limits{MaxControlLine: 256, MaxPayload: 1024})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(p), data, cuts, fuzz.Options[nats.Message]{MaxMessageSize: 2048})
	})
}

func FuzzFromServer(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), []byte{5})
	}
	p := nats.FromServer(nats.Limits{MaxControlLine: 256, MaxPayload: 1024})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(p), data, cuts, fuzz.Options[nats.Message]{MaxMessageSize: 2048})
	})
}
