package fuzz_test

import (
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
)

func appendCRLF(dst []byte, s string) []byte { return append(append(dst, s...), "\r\n"...) }

// TestRoundTripOneChunking: RoundTrip passes a correct decoder and encoder,
// reports an encoder that loses a byte, and checks the chunking its cuts
// choose (a decoder that fails only when a CRLF is split is caught with
// cuts that split one, not without cuts).
func TestRoundTripOneChunking(t *testing.T) {
	values := []string{"ab", "", "cd", "efgh"}
	if msg := fuzz.Prop(func(t fuzz.TB) {
		fuzz.RoundTrip(t, fuzz.Parser(goodCRLF), appendCRLF, values, []byte{2, 0}, fuzz.Options[string]{})
	}); msg != "" {
		t.Fatalf("a correct decoder failed: %s", msg)
	}
	lossy := func(dst []byte, s string) []byte { return appendCRLF(dst, strings.TrimPrefix(s, "c")) }
	if msg := fuzz.Prop(func(t fuzz.TB) {
		fuzz.RoundTrip(t, fuzz.Parser(goodCRLF), lossy, values, nil, fuzz.Options[string]{})
	}); !strings.Contains(msg, "decoded values differ from the encoded ones") {
		t.Fatalf("an encoder that loses a byte: got %q", msg)
	}
	noCuts := fuzz.Prop(func(t fuzz.TB) {
		fuzz.RoundTrip(t, fuzz.Parser(splitCRLF), appendCRLF, values, nil, fuzz.Options[string]{})
	})
	// "ab\r" | "\n..." splits the first CRLF.
	splitting := fuzz.Prop(func(t fuzz.TB) {
		fuzz.RoundTrip(t, fuzz.Parser(splitCRLF), appendCRLF, values, fuzz.EncodeCuts([]int{3}), fuzz.Options[string]{})
	})
	if noCuts != "" || !strings.Contains(splitting, "mismatch") {
		t.Fatalf("split-CRLF decoder: without cuts %q (want a pass), with a cut in a CRLF %q (want a mismatch)", noCuts, splitting)
	}
}
