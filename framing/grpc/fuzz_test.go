package grpc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicego/sluice/fuzz"
)

// FuzzDecoder decodes fuzzed bytes in fuzzed chunkings with a small part
// size and limit, and checks the whole messages and the error against the
// reference splitter. Seeds: a call's messages, prefixes on the edges,
// the gzip call grpc-go made in bench's TestGRPCGoCalls (testdata/captures),
// and testdata/fuzz.
func FuzzDecoder(f *testing.F) {
	for _, b := range [][]byte{call(), {0, 0, 0, 0, 0}, {1, 0, 0, 0, 1, 'x'}, {2, 0, 0, 0, 0},
		{0, 0, 0, 4, 0}, {0, 0, 0, 4, 1}, {0, 0xff, 0xff, 0xff, 0xff}, {0, 0, 0, 0, 3, 'a'}} {
		f.Add(b, []byte{3, 1, 7})
	}
	for _, name := range []string{"grpc-go-gzip-up.bin", "grpc-go-gzip-down.bin"} {
		b, err := os.ReadFile(filepath.Join("testdata", "captures", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{5, 2, 200})
	}
	o := Options{MaxMessageSize: 1024, MaxPart: 100}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		out := fuzz.Fuzz(t, decoder(o), data, cuts, fuzz.Options[Message]{MaxMessageSize: 100 + PrefixSize})
		got, err := gather(out.Messages)
		if err != nil {
			t.Fatal(err)
		}
		want, rerr := splitRef(data, 1024)
		if rerr != nil && len(got) > len(want) {
			got = got[:len(want)] // the parts of a message cut by the error
		}
		if len(got) != len(want) {
			t.Fatalf("%d messages, reference %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("message %d: %v, reference %v", i, got[i].Prefix, want[i].Prefix)
			}
		}
		if d := rerr.Mismatch(out.Err); d != "" {
			t.Fatalf("%s", d)
		}
	})
}
