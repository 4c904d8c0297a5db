package grammars

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// fuzzLimit is the maximum message size of the fuzz targets: small, so that
// size errors are within the fuzzer's reach.
const fuzzLimit = 1 << 10

// fuzzBoth runs the harness on the combinator and hand versions of a
// grammar with the same input and chunking, then checks that they agree.
func fuzzBoth[T any](t testing.TB, comb, hand parse.TryParse[T], data, cuts []byte) {
	t.Helper()
	oc := fuzz.Options[T]{MaxMessageSize: fuzzLimit, Name: "combinators"}
	oh := fuzz.Options[T]{MaxMessageSize: fuzzLimit, Name: "hand"}
	agree(t, fuzz.Fuzz(t, fuzz.Parser(comb), data, cuts, oc), fuzz.Fuzz(t, fuzz.Parser(hand), data, cuts, oh))
}

// agree fails t unless the combinator and hand-written versions of a
// grammar decoded the same messages and ended the same way: cleanly, with
// truncated input, with a message over the limit, or with malformed input.
// (The two word their syntax errors differently.)
func agree[T any](t testing.TB, comb, hand fuzz.Outcome[T]) {
	t.Helper()
	if !fuzz.Equal(comb.Messages, hand.Messages) {
		diff := cmp.Diff(comb.Messages, hand.Messages, cmp.Transformer("seq", func(s seq.Sequence) string { return s.String() }))
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

// bareBoth parses data whole with both grammars and nothing else: what a
// fuzz target without the harness would do with an input.
func bareBoth[T any](comb, hand parse.TryParse[T], data []byte) {
	parsetest.BareParse(comb, data, fuzzLimit)
	parsetest.BareParse(hand, data, fuzzLimit)
}

// fileSeed is a seed of the file's first n bytes, with the cuts given.
func fileSeed(name string, n int, cuts []byte) []any {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return []any{b[:min(n, len(b))], cuts}
}

var respComb = RESPCombinators()

func respSeeds() [][]any {
	return [][]any{
		fileSeed("redis-cli-requests.resp", 600, nil),
		fileSeed("redis-cli-requests.resp", 600, []byte{0, 6, 200, 1}),
		{[]byte("*2\r\n$3\r\nGET\r\n$-1\r\n:12\r\n+OK\r\n-ERR x\r\n*-1\r\n"), []byte{3, 3}},
	}
}

func fuzzRESP(t testing.TB, in []any) {
	fuzzBoth(t, respComb, RESPHand, in[0].([]byte), in[1].([]byte))
}

// FuzzRESP checks both RESP decoders for chunking invariance (through the
// fuzz harness) and against each other.
func FuzzRESP(f *testing.F) {
	testutil.AddSeeds(f, respSeeds())
	f.Fuzz(func(t *testing.T, data, cuts []byte) { fuzzRESP(t, []any{data, cuts}) })
}

func lenFieldSeeds() [][]any {
	return [][]any{
		{byte(0), []byte("\x00\x00\x00\x03abc\x00\x00\x00\x00"), []byte{2}},
		{byte(9), []byte("\x02\x00\x05hello\x00\x00"), []byte{}},
		{byte(0x1e), []byte("HDR\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00"), []byte{0, 0, 0, 0}},
	}
}

// lenFieldConfig is the configuration the first fuzzed byte chooses, or
// false if it is not a valid one.
func lenFieldConfig(config byte) (LenField, bool) {
	c := LenField{
		Offset:       int(config>>3) & 3,
		Length:       1 << (config & 3),
		Adjustment:   []int{0, -2, 3, -8}[config>>5&3],
		LittleEndian: config&4 != 0,
	}
	c.Strip = min(int(config>>7)*(c.Offset+c.Length), c.Offset+c.Length)
	return c, c.Validate() == nil
}

// lenFieldGrammars are the two decoders of each configuration, declared
// once.
var lenFieldGrammars = func() (g [256][2]parse.TryParse[seq.Sequence]) {
	for i := range g {
		if c, ok := lenFieldConfig(byte(i)); ok {
			g[i] = [2]parse.TryParse[seq.Sequence]{c.Combinators(), c.Hand}
		}
	}
	return g
}()

func fuzzLenField(t testing.TB, in []any) {
	if g := lenFieldGrammars[in[0].(byte)]; g[0] != nil {
		fuzzBoth(t, g[0], g[1], in[1].([]byte), in[2].([]byte))
	}
}

// FuzzLenField checks both decoders of the length-field frame, in a
// configuration chosen by the first fuzzed byte.
func FuzzLenField(f *testing.F) {
	testutil.AddSeeds(f, lenFieldSeeds())
	f.Fuzz(func(t *testing.T, config byte, data, cuts []byte) { fuzzLenField(t, []any{config, data, cuts}) })
}

// BenchmarkFuzzCost measures each fuzz target's cost per execution on its
// corpus against a bare parse of the same inputs by both grammars
// (bench/fuzzcost.sh runs it in interleaved rounds).
func BenchmarkFuzzCost(b *testing.B) {
	b.Run("RESP", func(b *testing.B) {
		testutil.BenchFuzzCost(b, testutil.FuzzCorpus(b, "FuzzRESP", respSeeds()...), fuzzRESP,
			func(_ testing.TB, in []any) { bareBoth(respComb, RESPHand, in[0].([]byte)) })
	})
	b.Run("LenField", func(b *testing.B) {
		testutil.BenchFuzzCost(b, testutil.FuzzCorpus(b, "FuzzLenField", lenFieldSeeds()...), fuzzLenField,
			func(_ testing.TB, in []any) {
				if g := lenFieldGrammars[in[0].(byte)]; g[0] != nil {
					bareBoth(g[0], g[1], in[1].([]byte))
				}
			})
	})
}
