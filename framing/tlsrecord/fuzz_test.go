package tlsrecord

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicego/sluice/fuzz"
)

// FuzzRecords frames fuzzed bytes in fuzzed chunkings with every option
// set, and checks the records and the error against the reference
// splitter. Seeds: the openssl captures, the stream of every record type,
// and headers on the edges of the rules.
func FuzzRecords(f *testing.F) {
	for _, b := range [][]byte{flight(),
		hexBytes("16 03 01 00 05 01 00 00 01 00"), hexBytes("18 03 03 00 01 01"), hexBytes("17 03 03 48 00"),
		hexBytes("17 03 03 48 01"), hexBytes("16 03 00 00 01 01"), hexBytes("15 03 03 00 00"), hexBytes("17 03 03 00 00"),
		hexBytes("80 2c 01 03 01"),
	} {
		f.Add(b, []byte{3, 1, 7}, uint8(0))
	}
	captures, _ := filepath.Glob(filepath.Join("testdata", "captures", "*.bin"))
	if len(captures) == 0 {
		f.Fatal("no captures in testdata/captures")
	}
	for _, name := range captures {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{5, 2, 200}, uint8(1))
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte, opts uint8) {
		o := Options{Heartbeat: opts&1 != 0, Plaintext: opts&2 != 0}
		out := fuzz.Fuzz(t, decoder(o), data, cuts, fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
		want, rerr := splitRef(data, o)
		if len(out.Messages) != len(want) {
			t.Fatalf("%d records, reference %d", len(out.Messages), len(want))
		}
		for i, r := range out.Messages {
			if plainOf(r) != want[i] {
				t.Fatalf("record %d: %v, reference %v", i, r.Header, want[i].Header)
			}
		}
		if d := rerr.Mismatch(out.Err); d != "" {
			t.Fatalf("%s", d)
		}
	})
}
