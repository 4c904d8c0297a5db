package grammars

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// fuzzMaxPart is the maximum part size of the streaming decoders under the
// fuzzer: small, so that chunks are cut in several parts.
const fuzzMaxPart = 7

// partsDecoder is the fuzz.Decoder of a streaming version, with a decoder
// of its own for every run.
func partsDecoder(v partsVersion) fuzz.Decoder[ChunkedPart] {
	return func(ctx context.Context, r pipe.Reader, limit int, emit func(ChunkedPart)) error {
		return fuzz.Parser(v.new(fuzzMaxPart))(ctx, r, limit, emit)
	}
}

func fuzzChunkedParts(t testing.TB, in []any) {
	data, cuts := in[0].([]byte), in[1].([]byte)
	var outs [2]fuzz.Outcome[ChunkedPart]
	for i, v := range partsVersions {
		outs[i] = fuzz.Fuzz(t, partsDecoder(v), data, cuts, fuzz.Options[ChunkedPart]{MaxMessageSize: fuzzLimit, Name: v.name})
	}
	agree(t, outs[0], outs[1])
	agreeWhole(t, data, joinBodies(outs[0].Messages), outs[0].Err, parse.Options{MaxMessageSize: fuzzLimit})
}

// FuzzChunkedParts checks both streaming decoders of the chunked transfer
// coding for chunking invariance and bounded memory (through the fuzz
// harness), against each other, and against the whole-body grammar.
func FuzzChunkedParts(f *testing.F) {
	testutil.AddSeeds(f, chunkedSeeds())
	f.Fuzz(func(t *testing.T, data, cuts []byte) { fuzzChunkedParts(t, []any{data, cuts}) })
}
