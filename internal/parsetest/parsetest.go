// Package parsetest holds helpers shared by the tests and benchmarks of
// parsers in this module: feeding input through a pipe in pieces, and
// timing a parser without a pipe. (It imports pipe, so pipe's own tests use
// internal/testutil instead.)
package parsetest

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Trickle feeds b through a real pipe with opts, in writes of k bytes from
// a goroutine, then completes the writer, so that parsers reading the
// returned reader see partial, non-final input. The goroutine ends when
// everything is written or the reader completes.
func Trickle(b []byte, k int, opts pipe.Options) pipe.Reader {
	p := pipe.New(opts)
	go func() {
		w := p.Writer()
		for len(b) > 0 {
			n := min(k, len(b))
			if _, err := w.Write(context.Background(), b[:n]); err != nil {
				break
			}
			b = b[n:]
		}
		w.Complete(nil)
	}()
	return p.Reader()
}

// BenchParse parses every message of input, held whole as final input,
// with p: the parsing cost alone, without a pipe.
func BenchParse[T any](b *testing.B, p parse.TryParse[T], input []byte) {
	b.Helper()
	s := seq.Of(input)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		in := parse.NewInput(s, true, 0)
		for in.Remaining() > 0 {
			if _, err := p(in); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchPair runs a grammar declared with combinators and the same parser
// written by hand on the same input, as sub-benchmarks "combinators" and
// "hand" to compare with benchstat.
func BenchPair[T any](b *testing.B, comb, hand parse.TryParse[T], input []byte) {
	b.Run("combinators", func(b *testing.B) { BenchParse(b, comb, input) })
	b.Run("hand", func(b *testing.B) { BenchParse(b, hand, input) })
}
