package grammars

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/internal/parsetest"
)

// benchBoth benchmarks both versions of g, or for RESP2 the hand one
// alone (bench/'s BenchmarkGrammar/resp compares it with framing/resp).
func benchBoth[T any](b *testing.B, g grammar[T], input []byte) {
	if g.comb == nil {
		b.Run("hand", func(b *testing.B) { parsetest.BenchParse(b, g.hand, input) })
		return
	}
	parsetest.BenchPair(b, g.comb, g.hand, input)
}

func BenchmarkRESPCommands(b *testing.B) {
	var input []byte
	for range 1000 {
		input = AppendRESP(input, RESP{Kind: Array, Elems: []RESP{bulk("SET"), bulk("key:000123"), bulk(strings.Repeat("v", 40))}})
	}
	benchBoth(b, respGrammar, input)
}

func BenchmarkRESPReplies(b *testing.B) {
	input, err := os.ReadFile(filepath.Join("testdata", "redis-server-replies.resp"))
	if err != nil {
		b.Fatal(err)
	}
	benchBoth(b, respGrammar, input)
}

func BenchmarkLenField100(b *testing.B) {
	c := framing.LengthFieldOptions{Size: 4, Strip: 4}
	body := bytes.Repeat([]byte("x"), 96)
	var input []byte
	for range 1000 {
		input = appendLen(b, c, input, body)
	}
	benchBoth(b, lenGrammar(c), input)
}
