package mqtt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicego/sluice/fuzz"
)

// fuzzOptions cut payloads into parts of 130 bytes and keep heads under
// 1 KiB, so that the harness's memory bound is tight.
var fuzzOptions = Options{MaxPart: 130, MaxHeadSize: 1024}

const fuzzLimit = 1024 + 130

// seeds are the sessions of every packet type, the malformed packets of
// TestMalformed, and the small connections mosquitto's clients had in
// TestLiveMosquitto.
func seeds(f *testing.F, dir string, v Version) {
	up, down := session(v)
	s := up
	if dir == "down" {
		s = down
	}
	f.Add(s, []byte{3, 1, 7})
	for _, b := range [][]byte{hexBytes("30 ff ff ff ff 01"), hexBytes("c0 80 00"), hexBytes("30 06 00 01 61 02 05 00"),
		hexBytes("30 09 00 01 61 04 01 00 01 01"), hexBytes("82 07 00 01 00 00 01 61 30"), hexBytes("90 03 00 01 03"),
		hexBytes("30 04 00 02 c3 28"), hexBytes("20 02 02 00")} {
		if dir == "up" {
			c := connect311
			if v == V5 {
				c = connect5
			}
			b = append(append([]byte(nil), c...), b...)
		}
		f.Add(b, []byte{2, 5})
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
		if len(b) < 2048 {
			f.Add(b, []byte{5, 2, 200})
		}
	}
}

// FuzzServer decodes what a client sends (CONNECT first, either version),
// in fuzzed chunkings: the same packets and error in every chunking,
// memory within the limit.
func FuzzServer(f *testing.F) {
	seeds(f, "up", V311)
	seeds(f, "up", V5)
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder(Server, fuzzOptions), data, cuts, fuzz.Options[Packet]{MaxMessageSize: fuzzLimit})
	})
}

// FuzzClient5 decodes what an MQTT 5 server sends, in fuzzed chunkings.
func FuzzClient5(f *testing.F) {
	seeds(f, "down", V5)
	o := fuzzOptions
	o.Version = V5
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder(Client, o), data, cuts, fuzz.Options[Packet]{MaxMessageSize: fuzzLimit})
	})
}

// FuzzClient311 decodes what an MQTT 3.1.1 server sends, in fuzzed
// chunkings.
func FuzzClient311(f *testing.F) {
	seeds(f, "down", V311)
	o := fuzzOptions
	o.Version = V311
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder(Client, o), data, cuts, fuzz.Options[Packet]{MaxMessageSize: fuzzLimit})
	})
}
