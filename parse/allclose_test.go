package parse_test

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// TestAllStopsAtClose: a range body that closes the reader and goes on
// gets no further message, even one already in the buffer the reader held
// (its memory went back to the pipe with Close), and the loop ends with
// Err nil, as Next returns ErrClosed.
func TestAllStopsAtClose(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		p    parse.TryParse[string]
	}{{"line", line}, {"strict", strictLine}, {"frame", frame}} {
		in := "a\nb\nc\nd\n"
		if c.name == "frame" {
			in = "\x00\x01a\x00\x01b\x00\x01c\x00\x01d"
		}
		r := parse.NewReader(pipe.FromBytes([]byte(in)), c.p, parse.Options{})
		var got []string
		for m := range r.All(ctx) {
			got = append(got, m)
			if len(got) == 2 {
				r.Close()
			}
		}
		if len(got) != 2 || r.Err() != nil {
			t.Errorf("%s: a loop that closed the reader at its second message got %q, Err %v", c.name, got, r.Err())
		}
	}
}
