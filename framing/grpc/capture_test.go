package grpc

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicego/sluice/fuzz"
)

// captureSizes are the payload sizes of the calls bench's TestGRPCGoCalls
// recorded between a grpc-go client and server (its grpcSizes).
var captureSizes = []int{0, 1, 10, 300, 4096, 16379, 16380, 40000, 70000, 100000}

// capturePayload is the payload of message i the client sent
// (grpcPayload in bench); the server answered "re:" and the payload.
func capturePayload(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j*7 + j>>9)
	}
	return b
}

// TestCaptures frames what grpc-go sent in the recorded calls (the DATA
// frame payloads of each call's stream, taken from the HTTP/2 bytes by
// x/net/http2's Framer), in random chunkings and part sizes: the
// messages the client sent and the replies, the compressed flags of the
// gzip call (grpc-go leaves the one empty message uncompressed).
func TestCaptures(t *testing.T) {
	for _, call := range []string{"plain", "gzip"} {
		for _, dir := range []string{"up", "down"} {
			b, err := os.ReadFile(filepath.Join("testdata", "captures", "grpc-go-"+call+"-"+dir+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			want, rerr := splitRef(b, DefaultMaxMessageSize)
			if rerr != nil || len(want) != len(captureSizes) {
				t.Fatalf("%s %s: reference %d messages, %v", call, dir, len(want), rerr)
			}
			for i, m := range want {
				if m.Compressed != (call == "gzip" && (i > 0 || dir == "down")) {
					t.Fatalf("%s %s message %d: compressed %v", call, dir, i, m.Compressed)
				}
				if call == "plain" {
					p := capturePayload(i, captureSizes[i])
					if dir == "down" {
						p = append([]byte("re:"), p...)
					}
					if !bytes.Equal([]byte(m.Data), p) {
						t.Fatalf("%s %s message %d differs from what grpc-go sent", call, dir, i)
					}
				}
			}
			for _, part := range []int{100, 4096, 0} {
				o := Options{MaxPart: part}
				lim := o.MaxPart + PrefixSize
				if part == 0 {
					lim = DefaultMaxPart + PrefixSize
				}
				var cuts []int
				for c := 1 + part%7; c < len(b); c += 1 + (c*7919+part)%3000 {
					cuts = append(cuts, c)
				}
				out := fuzz.Check(t, decoder(o), b, cuts, fuzz.Options[Message]{MaxMessageSize: lim})
				got, err := gather(out.Messages)
				if err != nil || out.Err != nil || len(got) != len(want) {
					t.Fatalf("%s %s part %d: %d messages, %v %v", call, dir, part, len(got), err, out.Err)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s %s part %d: message %d differs", call, dir, part, i)
					}
				}
			}
		}
	}
}
