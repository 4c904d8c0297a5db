package stomp_test

import (
	"testing"

	"github.com/sluicego/sluice/framing/stomp"
	"github.com/sluicego/sluice/fuzz"
)

// seeds are shaped like what stomp.py and the test broker exchange in
// live_test.go, and hostile cases.
var seeds = []string{
	"CONNECT\naccept-version:1.2\nhost:127.0.0.1\nheart-beat:100,100\n\n\x00\nCONNECTED\nversion:1.2\nheart-beat:100,100\n\n\x00",
	"SUBSCRIBE\ndestination:/queue/t\nid:1\nack:auto\n\n\x00SEND\ncontent-length:5\ndestination:/queue/t\n\nhe\x00lo\x00\n",
	"MESSAGE\nsubscription:1\nmessage-id:7\ndestination:/queue/t\nk\\c:v\\n\\\\\ncontent-length:0\n\n\x00\r\n",
	"DISCONNECT\nreceipt:9\n\n\x00RECEIPT\nreceipt-id:9\n\n\x00",
	"SEND\ncontent-length:99999999999\n\n", "SEND\nk:\\t\n\n\x00", "SEND\n\nno nul", "\r\r\n",
}

func FuzzFrames(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), []byte{3, 11})
	}
	l := stomp.Limits{MaxBody: 1024, MaxHeaders: 8, MaxHeaderLine: 128}
	p := stomp.Frames(l)
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(p), data, cuts, fuzz.Options[stomp.Frame]{MaxMessageSize: l.MessageSize()})
	})
}
