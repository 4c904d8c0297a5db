package dns

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
)

// fuzzOptions bound the harness's buffer to the largest message.
var fuzzOptions = fuzz.Options[Message]{MaxMessageSize: MaxMessage + 2}

// seedInputs are the streams the fuzz target and TestHarness start from:
// the unit tests' stream, the recorded connections and faulty messages.
func seedInputs(tb testing.TB) [][]byte {
	q := query(7, "a.example", TypeA)
	bad := bytes.Clone(q)
	bad[14] = 0xc0 // a pointer forward
	return [][]byte{stream(), q, bad, prefixed(chain(MaxPointers + 2)), prefixed(chain(4)),
		prefixed(compressed()), append(q, 0, 5, 1, 2, 3, 4, 5),
		readCapture(tb, "dig-up.bin"), readCapture(tb, "dig-down.bin"),
		readCapture(tb, "pipelined-up.bin"), readCapture(tb, "pipelined-down.bin")}
}

// checkMessages checks what the harness decoded from data: every message
// is the bytes it was framed from (AppendMessage of Bytes gives them back,
// in order), its records iterate without panicking, and an error is one of
// the kinds the package doc names.
func checkMessages(t *testing.T, data []byte, out fuzz.Outcome[Message]) {
	var again []byte
	for _, m := range out.Messages {
		var err error
		if again, err = AppendMessage(again, m.Bytes()); err != nil {
			t.Fatal(err)
		}
		if !m.Raw.Equal(m.Bytes()) {
			t.Fatalf("Raw and Bytes differ")
		}
		for q := range m.Questions() {
			_ = q.Name.String()
			agreeDeclared(t, m.Bytes(), q.Name.off)
		}
		for r, err := range m.Records() {
			if err == nil {
				_ = r.Name.WireLen()
			}
		}
	}
	if !bytes.HasPrefix(data, again) {
		t.Fatalf("messages are not the input's prefix")
	}
	var se *parse.SyntaxError
	if err := out.Err; err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, parse.ErrTooLarge) &&
		!(errors.As(err, &se) && (errors.Is(err, ErrShort) || errors.Is(err, ErrOverrun) || errors.Is(err, ErrLabelType) ||
			errors.Is(err, ErrNameTooLong) || errors.Is(err, ErrPointer) || errors.Is(err, ErrPointerDepth))) {
		t.Fatalf("unexpected error %v", err)
	}
}

// TestHarness runs the seed streams through fuzz.Check in random
// chunkings: the same messages and error whatever the cuts.
func TestHarness(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, in := range seedInputs(t) {
		for range 8 {
			var cuts []int
			for at := rng.IntN(40) + 1; at < len(in); at += 1 + rng.IntN(300) {
				cuts = append(cuts, at)
			}
			checkMessages(t, in, fuzz.Check(t, decoder(Options{}), in, cuts, fuzzOptions))
		}
	}
}

// FuzzReader decodes fuzzed streams in fuzzed chunkings.
func FuzzReader(f *testing.F) {
	for _, in := range seedInputs(f) {
		f.Add(in, []byte{3, 1, 40})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		checkMessages(t, data, fuzz.Fuzz(t, decoder(Options{}), data, cuts, fuzzOptions))
	})
}
