package bench

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// BenchmarkGrammar reads the same input with a grammar declared with
// combinators, with the same grammar written by hand as a TryParse, and,
// for RESP and the chunked coding, with the reader of the library a new
// user would otherwise pick (grammar_peers_test.go):
//
//   - resp/{combinators,hand,redcon}: 4 MiB of pipelined SET commands;
//   - lenfield/{combinators,hand}: 4 MiB of 100-byte frames after a 4-byte
//     length, framing.LengthField against internal/grammars.LenFieldHand;
//   - chunked/STREAM/{combinators,hand,nethttp}: about 4 MiB of chunked
//     bodies one after another, as on a keep-alive connection, for three
//     streams (see chunkedStream): chunks (many small chunks, no
//     trailers), trailer (small bodies with one trailer field) and nginx
//     (the body nginx sent in framing/http1/testdata, repeated).
//     combinators (framing/http1's ChunkedDecoder) and hand stream each
//     body a chunk (or a part of one) per message, as nethttp reads it.
//
// Every contender of resp and chunked visits every message and its parts
// and sums their sizes, and fails the benchmark unless it counts what the
// stream holds (TestGrammarAgree checks the same on smaller streams).
func BenchmarkGrammar(b *testing.B) {
	resp, respWant := respStream(4 << 20)
	lf := framing.LengthFieldOptions{Size: 4, MaxFrame: 1 << 20}
	var frames []byte
	body := []byte(strings.Repeat("x", 100))
	for len(frames) < 4<<20 {
		frames, _ = framing.AppendLengthField(frames, body, lf)
	}
	for _, c := range respContenders {
		benchGrammarTally(b, "resp/"+c.name, resp, respWant, c.tally)
	}
	benchGrammar(b, "lenfield/combinators", frames, framing.LengthField(lf))
	benchGrammar(b, "lenfield/hand", frames, grammars.LenFieldHand(lf))
	for _, stream := range chunkedStreams {
		data, want := chunkedStream(b, stream, 4<<20)
		for _, c := range chunkedContenders {
			benchGrammarTally(b, "chunked/"+stream+"/"+c.name, data, want, c.tally)
		}
	}
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

// grammarTally is what a grammar contender counts in a stream, so that a
// benchmark can check that every contender did the whole work: messages
// (commands; bodies), their parts (arguments; trailer fields) and their
// payload bytes (argument bytes; decoded body bytes).
type grammarTally struct {
	msgs, parts, bytes int
}

// grammarContender reads a whole stream from an io.Reader and counts it.
type grammarContender struct {
	name  string
	tally func(io.Reader) (grammarTally, error)
}

// benchGrammarTally is a sub-benchmark name that runs tally over input
// delivered by a chunkReader (at most 4 KiB per Read) on every iteration and
// fails unless it counts want.
func benchGrammarTally(b *testing.B, name string, input []byte, want grammarTally, tally func(io.Reader) (grammarTally, error)) {
	b.Run(name, func(b *testing.B) {
		src := &chunkReader{data: input}
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		for b.Loop() {
			src.reset()
			got, err := tally(src)
			if err != nil || got != want {
				b.Fatalf("counted %+v, err %v; want %+v", got, err, want)
			}
		}
	})
}

// tallyParse returns a contender that reads messages with p through a
// message reader over a pipe reader, and counts each with count.
func tallyParse[T any](p parse.TryParse[T], count func(*grammarTally, T)) func(io.Reader) (grammarTally, error) {
	return func(src io.Reader) (grammarTally, error) {
		r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), p, parse.Options{})
		defer r.Close()
		var t grammarTally
		for m := range r.All(context.Background()) {
			count(&t, m)
		}
		return t, r.Err()
	}
}
