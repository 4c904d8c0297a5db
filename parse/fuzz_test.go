package parse_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// fuzzMsg is a message of the fuzzed grammar: a frame ('#', a one-byte
// length, that many bytes) or a line. Body views the input.
type fuzzMsg struct {
	Frame bool
	Body  seq.Sequence
}

// fuzzGrammar is the grammar FuzzReader decodes: a length-prefixed frame
// when the message starts with '#', a line (LF or CRLF) otherwise.
var fuzzGrammar = combinators.Alt(
	combinators.Map(combinators.Then(combinators.Byte('#'), combinators.LengthPrefixedBytes(combinators.Uint8())),
		func(b seq.Sequence) fuzzMsg { return fuzzMsg{Frame: true, Body: b} }),
	combinators.Map(combinators.Line(), func(b seq.Sequence) fuzzMsg { return fuzzMsg{Body: b} }),
)

// fuzzLimit is FuzzReader's maximum message size.
const fuzzLimit = 40

// reference decodes data as fuzzGrammar does, from a flat slice and
// knowing that it is all the input: the
// messages, and how the input ends ("clean", "truncated", "too large"),
// or "either" when a message's size is so close to the limit that this
// simple reference does not decide between ending kinds.
func reference(data []byte) (frames []bool, bodies []string, end string) {
	for len(data) > 0 {
		var size int
		// A frame that does not fit or is cut short by the end of input
		// is not a frame: the line alternative gets the bytes. (An
		// oversized one is left undecided.)
		frame := data[0] == '#' && len(data) >= 2 && len(data) >= 2+int(data[1])
		if data[0] == '#' && len(data) >= 2 && 2+int(data[1]) > fuzzLimit {
			return frames, bodies, "either"
		}
		if frame {
			size = 2 + int(data[1])
			bodies = append(bodies, string(data[2:size]))
		} else {
			i := bytes.IndexByte(data, '\n')
			switch {
			case i < 0 && len(data) > fuzzLimit+1:
				return frames, bodies, "too large"
			case i < 0 && len(data) >= fuzzLimit-1:
				return frames, bodies, "either"
			case i < 0:
				return frames, bodies, "truncated"
			case i+1 > fuzzLimit+1:
				return frames, bodies, "too large"
			case i+1 >= fuzzLimit-1:
				return frames, bodies, "either"
			}
			size = i + 1
			body := i
			if i > 0 && data[i-1] == '\r' {
				body--
			}
			bodies = append(bodies, string(data[:body]))
		}
		frames = append(frames, frame)
		data = data[size:]
	}
	return frames, bodies, "clean"
}

// FuzzReader fuzzes the message reader and the combinators with the input
// and its chunking: the harness checks that every chunking gives the
// messages and the error of the whole input, and the whole input is
// checked against a flat reference decoder.
func FuzzReader(f *testing.F) {
	testutil.AddSeeds(f, readerSeeds)
	f.Fuzz(func(t *testing.T, data, cuts []byte) { fuzzReader(t, data, cuts) })
}

// readerSeeds are FuzzReader's seeds.
var readerSeeds = [][]any{
	{[]byte("hello\r\n#\x03abcworld\n\n#\x00"), []byte{6, 0}},
	{[]byte("#\x05ab\ncd\n"), []byte{}},
	{[]byte("a line that is far too long for the limit of forty bytes\n"), []byte{10, 10}},
	{[]byte("#\xff"), []byte{0}},
}

var (
	readerDecoder = fuzz.Parser(fuzzGrammar)
	readerOpts    = fuzz.Options[fuzzMsg]{MaxMessageSize: fuzzLimit}
)

// BenchmarkFuzzCost measures FuzzReader's cost per execution on its corpus
// against a bare parse of the same inputs (bench/fuzzcost.sh).
func BenchmarkFuzzCost(b *testing.B) {
	b.Run("Reader", func(b *testing.B) {
		testutil.BenchFuzzCost(b, testutil.FuzzCorpus(b, "FuzzReader", readerSeeds...),
			func(tb testing.TB, in []any) { fuzzReader(tb, in[0].([]byte), in[1].([]byte)) },
			func(_ testing.TB, in []any) { parsetest.BareParse(fuzzGrammar, in[0].([]byte), fuzzLimit) })
	})
}

// fuzzReader is FuzzReader's body.
func fuzzReader(t testing.TB, data, cuts []byte) {
	t.Helper()
	{
		out := fuzz.Fuzz(t, readerDecoder, data, cuts, readerOpts)
		frames, bodies, end := reference(data)
		if end == "either" {
			return
		}
		if len(out.Messages) != len(bodies) {
			t.Fatalf("%d messages, reference %d (%q); err %v", len(out.Messages), len(bodies), bodies, out.Err)
		}
		for i, m := range out.Messages {
			if m.Frame != frames[i] || m.Body.String() != bodies[i] {
				t.Fatalf("message %d: %v %q, reference %v %q", i, m.Frame, m.Body.String(), frames[i], bodies[i])
			}
		}
		var got string
		switch err := out.Err; {
		case err == nil:
			got = "clean"
		case errors.Is(err, io.ErrUnexpectedEOF):
			got = "truncated"
		case errors.Is(err, parse.ErrTooLarge):
			got = "too large"
		default:
			got = err.Error()
		}
		if got != end {
			t.Fatalf("input ends %q (%v), reference %q", got, out.Err, end)
		}
	}
}
