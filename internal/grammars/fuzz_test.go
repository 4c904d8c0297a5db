package grammars

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// fuzzLimit is the maximum message size of the fuzz targets: small, so that
// size errors are within the fuzzer's reach.
const fuzzLimit = 1 << 10

// fuzzBoth runs the harness on the combinator and hand versions of a
// grammar with the same input and chunking, then checks that they agree.
func fuzzBoth[T any](t *testing.T, comb, hand parse.TryParse[T], data, cuts []byte) {
	t.Helper()
	oc := fuzz.Options[T]{MaxMessageSize: fuzzLimit, Name: "combinators"}
	oh := fuzz.Options[T]{MaxMessageSize: fuzzLimit, Name: "hand"}
	agree(t, fuzz.Fuzz(t, fuzz.Parser(comb), data, cuts, oc), fuzz.Fuzz(t, fuzz.Parser(hand), data, cuts, oh))
}

// agree fails t unless the combinator and hand-written versions of a
// grammar decoded the same messages and ended the same way: cleanly, with
// truncated input, with a message over the limit, or with malformed input.
// (The two word their syntax errors differently.)
func agree[T any](t *testing.T, comb, hand fuzz.Outcome[T]) {
	t.Helper()
	if diff := cmp.Diff(comb.Messages, hand.Messages, cmp.Transformer("seq", func(s seq.Sequence) string { return s.String() })); diff != "" {
		t.Fatalf("combinators and hand decode differently (-combinators +hand):\n%s\nerrors: %v / %v", diff, comb.Err, hand.Err)
	}
	if ca, ha := ending(comb.Err), ending(hand.Err); ca != ha {
		t.Fatalf("combinators end with %v (%s), hand with %v (%s)", comb.Err, ca, hand.Err, ha)
	}
}

// ending classifies how a decoding ended.
func ending(err error) string {
	switch {
	case err == nil:
		return "clean end"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated"
	case errors.Is(err, parse.ErrTooLarge):
		return "too large"
	}
	return "malformed"
}

// addFile adds a seed of the file's first n bytes with no cuts and with a
// few.
func addFile(f *testing.F, name string, n int) {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	b = b[:min(n, len(b))]
	f.Add(b, []byte(nil))
	f.Add(b, []byte{0, 6, 200, 1})
}

// FuzzRESP checks both RESP decoders for chunking invariance (through the
// fuzz harness) and against each other.
func FuzzRESP(f *testing.F) {
	addFile(f, "redis-cli-requests.resp", 600)
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$-1\r\n:12\r\n+OK\r\n-ERR x\r\n*-1\r\n"), []byte{3, 3})
	f.Fuzz(func(t *testing.T, data, cuts []byte) { fuzzBoth(t, RESPCombinators(), RESPHand, data, cuts) })
}

// FuzzChunked checks both decoders of the chunked transfer coding.
func FuzzChunked(f *testing.F) {
	f.Add([]byte("4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n"), []byte{5, 0})
	f.Add([]byte("A\r\n0123456789\r\n0\r\n\r\n"), []byte{})
	addFile(f, "nginx-ssi.http", 3000)
	f.Fuzz(func(t *testing.T, data, cuts []byte) { fuzzBoth(t, ChunkedCombinators(), ChunkedHand, data, cuts) })
}

// FuzzLenField checks both decoders of the length-field frame, in a
// configuration chosen by the first fuzzed byte.
func FuzzLenField(f *testing.F) {
	f.Add(byte(0), []byte("\x00\x00\x00\x03abc\x00\x00\x00\x00"), []byte{2})
	f.Add(byte(9), []byte("\x02\x00\x05hello\x00\x00"), []byte{})
	f.Add(byte(0x1e), []byte("HDR\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00"), []byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, config byte, data, cuts []byte) {
		c := LenField{
			Offset:       int(config>>3) & 3,
			Length:       1 << (config & 3),
			Adjustment:   []int{0, -2, 3, -8}[config>>5&3],
			LittleEndian: config&4 != 0,
		}
		c.Strip = min(int(config>>7)*(c.Offset+c.Length), c.Offset+c.Length)
		if c.Validate() != nil {
			return
		}
		fuzzBoth(t, c.Combinators(), c.Hand, data, cuts)
	})
}
