package websocket

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicego/sluice/fuzz"
)

// seeds are the RFC 6455 section 5.7 examples, a stream of every frame
// kind, and frames on the edges of the rules.
func seeds(f *testing.F, role Role) {
	for _, b := range [][]byte{rfcUnmaskedHello, rfcMaskedHello, rfcFragmented, rfcPing, rfcMaskedPong, rfc256,
		mixed(Server), mixed(Client),
		hexBytes("82 7f 00 00 00 00 00 00 00 05"), hexBytes("82 ff 80 00 00 00 00 00 00 00 01 02 03 04"),
		hexBytes("88 04 03 e8 c3 28"), hexBytes("88 82 01 02 03 04 02 ea"), hexBytes("41 01 61 80 01 62"),
		hexBytes("01 00 89 00 81 00"), hexBytes("09 00"), hexBytes("89 7e 00 7e"),
	} {
		f.Add(b, []byte{3, 1, 7})
	}
	// What python3-websockets sent in TestLivePython, plain and with
	// permessage-deflate (its frames of at most 300 bytes).
	dir := "up"
	if role == Client {
		dir = "down"
	}
	captures, _ := filepath.Glob(filepath.Join("testdata", "captures", "*-"+dir+".bin"))
	if len(captures) == 0 {
		f.Fatal("no captures in testdata/captures")
	}
	for _, name := range captures {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{5, 2, 200})
	}
}

func fuzzRole(f *testing.F, role Role) {
	seeds(f, role)
	o := Options{MaxPart: 130, RSV: RSV1, MaxMessageSize: 1 << 16}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		agreeHeader(t, data)
		fuzz.Fuzz(t, decoder(role, o), data, cuts, fuzz.Options[Frame]{MaxMessageSize: 130 + MaxHeaderSize})
	})
}

// FuzzServer decodes what a client sends, in fuzzed chunkings.
func FuzzServer(f *testing.F) { fuzzRole(f, Server) }

// FuzzClient decodes what a server sends, in fuzzed chunkings.
func FuzzClient(f *testing.F) { fuzzRole(f, Client) }
