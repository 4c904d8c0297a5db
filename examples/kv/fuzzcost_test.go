package kv_test

import (
	"testing"

	"github.com/sluicego/sluice/examples/kv"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/testutil"
	"pgregory.net/rapid"
)

// BenchmarkFuzzCost measures the cost per execution of FuzzDecoder's and
// FuzzRoundTrip's bodies against a bare parse of the same bytes
// (bench/fuzzcost.sh), on inputs drawn as the guide's properties draw them.
func BenchmarkFuzzCost(b *testing.B) {
	shape := fuzz.Shape{Delims: []string{"\r\n", "get ", "set ", " "}, Limit: limit}
	var inputs, cmds [][]any
	for i := range 32 {
		in := fuzz.Shaped(shape).Example(i)
		inputs = append(inputs, []any{in, fuzz.EncodeCuts(fuzz.Cuts(len(in)).Example(i))})
		cmds = append(cmds, []any{rapid.SliceOfN(command(), 1, 5).Example(i), rapid.SliceOf(rapid.Byte()).Example(i)})
	}
	b.Run("Decoder", func(b *testing.B) {
		testutil.BenchFuzzCost(b, inputs,
			func(tb testing.TB, in []any) { fuzz.Fuzz(tb, decoder, in[0].([]byte), in[1].([]byte), opts) },
			func(_ testing.TB, in []any) { parsetest.BareParse(kv.Parse, in[0].([]byte), limit) })
	})
	b.Run("RoundTrip", func(b *testing.B) {
		testutil.BenchFuzzCost(b, cmds,
			func(tb testing.TB, in []any) {
				fuzz.RoundTrip(tb, decoder, kv.Append, in[0].([]kv.Command), in[1].([]byte), opts)
			},
			func(_ testing.TB, in []any) {
				var input []byte
				for _, c := range in[0].([]kv.Command) {
					input = kv.Append(input, c)
				}
				parsetest.BareParse(kv.Parse, input, limit)
			})
	})
}
