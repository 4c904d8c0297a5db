package framing_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// TestSharedParsers: each constructor returns one parser per set of
// options, so that a reader per connection does not declare a grammar per
// connection (Netstring's declaration was about 100 µs and 270
// allocations, LengthField's 15 µs and 64), and readers share it at once.
func TestSharedParsers(t *testing.T) {
	lf := framing.LengthFieldOptions{Size: 2, Adjustment: -2, MaxFrame: 3000}
	for _, c := range []struct {
		name  string
		parse func() parse.TryParse[seq.Sequence]
		frame func([]byte, []byte) []byte
	}{
		{"Netstring", func() parse.TryParse[seq.Sequence] { return framing.Netstring(framing.NetstringOptions{}) }, framing.AppendNetstring},
		{"LengthField", func() parse.TryParse[seq.Sequence] { return framing.LengthField(lf) }, func(dst, b []byte) []byte {
			out, err := framing.AppendLengthField(dst, b, lf)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"Lines", func() parse.TryParse[seq.Sequence] { return framing.Lines(framing.LineOptions{}) }, func(dst, b []byte) []byte {
			out, err := framing.AppendLine(dst, b, framing.EndLF)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"UvarintDelimited", func() parse.TryParse[seq.Sequence] { return framing.UvarintDelimited(framing.UvarintOptions{}) },
			framing.AppendUvarintDelimited},
		{"Fixed", func() parse.TryParse[seq.Sequence] { return framing.Fixed(7) }, func(dst, b []byte) []byte {
			return append(dst, fmt.Sprintf("%07d", len(b))...)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var in []byte
			for i := range 3000 {
				in = c.frame(in, []byte(strings.Repeat("p", i%200)))
			}
			open := func(src pipe.Reader) io.Closer {
				return parse.NewReader(src, c.parse(), parse.Options{})
			}
			read := func(src pipe.Reader) []string {
				r := parse.NewReader(src, c.parse(), parse.Options{})
				defer r.Close()
				var out []string
				for v := range r.All(context.Background()) {
					out = append(out, v.String())
				}
				return append(out, fmt.Sprint(r.Err()))
			}
			parsetest.SharedSetup(t, 0, open, read, in)
		})
	}
}
