package fuzz

import (
	"context"
	"strings"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// TestBareRunChecksNothing: with SLUICE_FUZZ_BARE=1, Fuzz runs the decoder
// once over the whole input and checks nothing: a decoder that never
// completes its reader (a bookkeeping problem the checks report) passes,
// and its messages and error come back.
func TestBareRunChecksNothing(t *testing.T) {
	sloppy := func(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(res.Buffer.String(), "\n") {
			emit(line)
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		return nil // without r.Complete
	}
	input := []byte("a\nb")
	if msg := Prop(func(t TB) { Fuzz(t, sloppy, input, []byte{0}, Options[string]{}) }); !strings.Contains(msg, "without completing its pipe reader") {
		t.Fatalf("checked run: got %q, want the bookkeeping problem", msg)
	}
	bareFuzz = true
	defer func() { bareFuzz = false }()
	var out Outcome[string]
	if msg := Prop(func(t TB) { out = Fuzz(t, sloppy, input, []byte{0}, Options[string]{}) }); msg != "" {
		t.Fatalf("bare run reported %q", msg)
	}
	if strings.Join(out.Messages, ",") != "a,b" || out.Err != nil {
		t.Fatalf("bare run: %q, %v", out.Messages, out.Err)
	}
}
