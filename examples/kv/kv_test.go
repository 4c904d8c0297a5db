package kv_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/sluicego/sluice/examples/kv"
	"github.com/sluicego/sluice/fuzz"
	"pgregory.net/rapid"
)

// limit is the maximum message size the tests run the decoder with: small,
// so that commands near and over it are easy to generate.
const limit = 256

// decoder is kv.Parse read through a parse.Reader, as an application
// reads it.
var decoder = fuzz.Parser(kv.Parse)

// opts are the harness's options: the limit, and an empty value equal to
// a nil one (a get has a nil Value, a set of no bytes an empty one).
var opts = fuzz.Options[kv.Command]{
	MaxMessageSize: limit,
	Cmp:            []cmp.Option{cmpopts.EquateEmpty()},
}

// command draws a command whose encoding fits the limit.
func command() *rapid.Generator[kv.Command] {
	return rapid.Custom(func(t *rapid.T) kv.Command {
		key := rapid.StringMatching(`[a-zA-Z0-9_.:-]{1,20}`).Draw(t, "key")
		if rapid.Bool().Draw(t, "get") {
			return kv.Command{Op: "get", Key: key}
		}
		// Any bytes, CRLF and bytes that look like commands included.
		value := rapid.SliceOfN(rapid.SampledFrom([]byte("ab\r\n 0get set")), 0, limit-len(key)-20).Draw(t, "value")
		return kv.Command{Op: "set", Key: key, Value: value}
	})
}

// TestRoundTrip: any sequence of commands, encoded, decodes to the same
// commands whatever the chunking.
func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cmds := rapid.SliceOfN(command(), 1, 5).Draw(t, "commands")
		fuzz.CheckRoundTrip(t, decoder, kv.Append, cmds, opts)
	})
}

// TestChunking: protocol-shaped input, valid or not, gives the same
// commands and the same error in every chunking.
func TestChunking(t *testing.T) {
	shape := fuzz.Shape{Delims: []string{"\r\n", "get ", "set ", " "}, Limit: limit}
	rapid.Check(t, func(t *rapid.T) {
		input := fuzz.Shaped(shape).Draw(t, "input")
		cuts := fuzz.Cuts(len(input)).Draw(t, "cuts")
		fuzz.Check(t, decoder, input, cuts, opts)
	})
}

// TestChunkingGopter is TestChunking as a gopter property.
func TestChunkingGopter(t *testing.T) {
	shape := fuzz.Shape{Delims: []string{"\r\n", "get ", "set ", " "}, Limit: limit}
	properties := gopter.NewProperties(nil)
	properties.Property("same commands in every chunking", prop.ForAll(
		func(input []byte, cutBytes []byte) string {
			return fuzz.Prop(func(t fuzz.TB) {
				fuzz.Check(t, decoder, input, fuzz.DecodeCuts(cutBytes, len(input)), opts)
			})
		},
		fuzz.GenShaped(shape),
		gen.SliceOf(gen.UInt8()),
	))
	properties.TestingRun(t)
}

// FuzzDecoder is the fuzz target: go test -fuzz FuzzDecoder. The second
// argument chooses the chunk boundaries.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte("get a\r\nset b 3\r\nxyz\r\n"), []byte{5, 0})
	f.Add([]byte("set k 5\r\na\r\nbc\r\n"), []byte{9})
	f.Add([]byte("set k 9999999\r\n"), []byte{})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder, data, cuts, opts)
	})
}

// FuzzRoundTrip runs the round-trip property under go test -fuzz, with
// rapid drawing the commands and the chunking from the fuzzer's bytes.
func FuzzRoundTrip(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		cmds := rapid.SliceOfN(command(), 1, 5).Draw(t, "commands")
		cuts := rapid.SliceOf(rapid.Byte()).Draw(t, "cuts")
		fuzz.RoundTrip(t, decoder, kv.Append, cmds, cuts, opts)
	}))
}
