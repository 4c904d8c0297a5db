package bench

import (
	"context"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// BenchmarkGrammar reads the same input with a grammar declared with
// combinators and with the same grammar written by hand as a TryParse.
func BenchmarkGrammar(b *testing.B) {
	var resp []byte
	for len(resp) < 4<<20 {
		resp = grammars.AppendRESP(resp, grammars.RESP{Kind: grammars.Array, Elems: []grammars.RESP{
			bulk("SET"), bulk("key:000123"), bulk(strings.Repeat("v", 40))}})
	}
	lf := grammars.LenField{Length: 4, Max: 1 << 20}
	var frames []byte
	body := []byte(strings.Repeat("x", 100))
	for len(frames) < 4<<20 {
		frames = lf.Append(frames, body)
	}
	benchGrammar(b, "resp/combinators", resp, grammars.RESPCombinators())
	benchGrammar(b, "resp/hand", resp, grammars.RESPHand)
	benchGrammar(b, "lenfield/combinators", frames, lf.Combinators())
	benchGrammar(b, "lenfield/hand", frames, lf.Hand)
}

func bulk(s string) grammars.RESP {
	return grammars.RESP{Kind: grammars.BulkString, Str: seq.Of([]byte(s))}
}

func benchGrammar[T any](b *testing.B, name string, input []byte, p parse.TryParse[T]) {
	b.Run(name, func(b *testing.B) {
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		for b.Loop() {
			src := &chunkReader{data: input}
			r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), p, parse.Options{})
			n := 0
			for range r.All(context.Background()) {
				n++
			}
			if err := r.Err(); err != nil || n == 0 {
				b.Fatalf("%d messages, %v", n, err)
			}
		}
	})
}
