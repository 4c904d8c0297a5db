package combinators_test

import (
	"errors"
	"fmt"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// LengthPrefixedBytes gives the messages and errors of LengthPrefixed with
// Rest, over every segmentation, truncation and limit.
func TestLengthPrefixedBytes(t *testing.T) {
	fast := c.LengthPrefixedBytes(c.Uint16BE())
	slow := c.LengthPrefixed(c.Uint16BE(), c.Rest())
	inputs := [][]byte{
		{0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z'},
		{0, 3, 'a', 'b'},         // truncated body
		{0},                      // truncated length
		{0, 200, 1, 2, 3},        // over a limit of 100
		{0, 5, 1, 2, 3, 4, 5, 0}, // a trailing partial length
	}
	for _, in := range inputs {
		for _, sg := range segtest.Segmentations(in) {
			run := func(p parse.TryParse[seq.Sequence]) string {
				r := parse.NewReader(pipe.FromSequence(sg.Seq), p, parse.Options{MaxMessageSize: 100})
				out := ""
				for m := range r.All(t.Context()) {
					out += fmt.Sprintf("%q ", m.String())
				}
				err := r.Err()
				var se *parse.SizeError
				if errors.As(err, &se) {
					return out + fmt.Sprintf("size error at %d", se.Offset)
				}
				return out + fmt.Sprint(err)
			}
			if a, b := run(fast), run(slow); a != b {
				t.Fatalf("%x %s: LengthPrefixedBytes %s, LengthPrefixed+Rest %s", in, sg.Name, a, b)
			}
		}
	}
}
