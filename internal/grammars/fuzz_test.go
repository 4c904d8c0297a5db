package grammars

import (
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

var respValues = RESPValues()

func respSeeds() [][]any {
	return [][]any{
		fileSeed("redis-cli-requests.resp", 600, nil),
		fileSeed("redis-cli-requests.resp", 600, []byte{0, 6, 200, 1}),
		{[]byte("*2\r\n$3\r\nGET\r\n$-1\r\n:12\r\n+OK\r\n-ERR x\r\n*-1\r\n"), []byte{3, 3}},
	}
}

// fuzzRESP runs the harness on the hand-written RESP2 decoder and on
// framing/resp's values (RESPValues) with the same input and chunking, and
// checks that they decode the same values as far as both read: the two
// read RESP2 alike, but framing/resp reads RESP3 too, refuses "-0" and
// leading zeros past its limits' digits, and words its errors its own way.
func fuzzRESP(t testing.TB, in []any) {
	t.Helper()
	data, cuts := in[0].([]byte), in[1].([]byte)
	hand := fuzz.Fuzz(t, fuzz.Parser(RESPHand), data, cuts, fuzz.Options[RESP]{MaxMessageSize: fuzzLimit, Name: "hand"})
	framing := fuzz.Fuzz(t, fuzz.Parser(respValues), data, cuts, fuzz.Options[RESP]{MaxMessageSize: fuzzLimit, Name: "framing/resp"})
	n := min(len(hand.Messages), len(framing.Messages))
	if n > 0 && !fuzz.Equal(framing.Messages[:n], hand.Messages[:n]) {
		diff := cmp.Diff(framing.Messages[:n], hand.Messages[:n], cmp.Transformer("seq", func(s seq.Sequence) string { return s.String() }))
		t.Fatalf("framing/resp and hand decode differently (-framing/resp +hand):\n%s\nerrors: %v / %v", diff, framing.Err, hand.Err)
	}
	if hand.Err == nil && framing.Err == nil && len(hand.Messages) != len(framing.Messages) {
		t.Fatalf("framing/resp decoded %d values, hand %d", len(framing.Messages), len(hand.Messages))
	}
}

// FuzzRESP checks the hand-written RESP2 decoder and framing/resp's for
// chunking invariance (through the fuzz harness) and against each other
// on what RESP2 reads.
func FuzzRESP(f *testing.F) {
	testutil.AddSeeds(f, respSeeds())
	f.Fuzz(func(t *testing.T, data, cuts []byte) { fuzzRESP(t, []any{data, cuts}) })
}

// BenchmarkFuzzCost measures each fuzz target's cost per execution on its
// corpus against a bare parse of the same inputs by both grammars
// (bench/fuzzcost.sh runs it in interleaved rounds).
func BenchmarkFuzzCost(b *testing.B) {
	b.Run("RESP", func(b *testing.B) {
		testutil.BenchFuzzCost(b, testutil.FuzzCorpus(b, "FuzzRESP", respSeeds()...), fuzzRESP,
			func(_ testing.TB, in []any) { bareBoth(respValues, RESPHand, in[0].([]byte)) })
	})
}
