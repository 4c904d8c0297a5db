package ndjson

import (
	"strings"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TestValuesBatchAgrees calls the batch form of Values directly, with and
// without validation and at maxima around the lines' lengths, with outs
// shorter and longer than the line ends one search finds: every value it
// cuts, and its cursor, are what the parser gives called as many times.
// The lines are JSON values and not, blank, empty, led by blanks, with CRLF
// and LF, short and beyond the fast path's window.
func TestValuesBatchAgrees(t *testing.T) {
	var b []byte
	for i := range 20 {
		b = append(b, `"`+strings.Repeat("z", i)+`"`+"\n"...)
	}
	for i := range 300 {
		s := `{"k":"` + strings.Repeat(string(rune('a'+i%26)), i*7%(fastScan+60)) + `"}`
		switch i % 9 * min(1, i/60) { // the first lines plain, then the others
		case 1:
			s = " " + s
		case 2:
			s = ""
		case 3:
			s = " \t\r"
		case 4:
			s = "{bad"
		case 5:
			s = "\t" + s
		case 6:
			s = "\r"
		case 7:
			s = "\r" + s
		}
		b = append(b, s...)
		b = append(b, "\n\r\n"[i%2:i%2+1+i%2]...)
	}
	b = append(b, `{"partial":`...)
	whole := seq.Of(b)
	froms := []int{1}
	for i, c := range b {
		if c == '\n' {
			froms = append(froms, i+1)
		}
	}
	most := 0 // the most values one call cut
	for _, validate := range []bool{false, true} {
		for _, lim := range []int{0, 5, 6, 12, 64, fastScan - 1, fastScan + 10} {
			o := Options{MaxLine: lim, Validate: validate}
			p := Values(o)
			bound := lim
			if bound == 0 {
				bound = 64 << 10
			}
			fn := fastBatch(bound, validate)
			for _, m := range []int{1, 64, 65, 500} {
				for _, from := range froms {
					in := parse.NewInput(whole, false, 0)
					in.Advance(from)
					ref := parse.NewInput(whole, false, 0)
					ref.Advance(from)
					out := make([]seq.Sequence, m)
					n := fn(in, out)
					most = max(most, n)
					for k := range n {
						want, err := p(ref)
						if err != nil {
							t.Fatalf("validate %v max %d, out of %d from %d: value %d: the parser failed: %v", validate, lim, m, from, k, err)
						}
						if out[k].String() != want.String() || out[k].Start() != want.Start() || out[k].End() != want.End() {
							t.Fatalf("validate %v max %d, out of %d from %d: value %d is %q, want %q", validate, lim, m, from, k, out[k].String(), want.String())
						}
					}
					if in.Consumed() != ref.Consumed() {
						t.Fatalf("validate %v max %d, out of %d from %d: cursor at %d after %d values, the parser's at %d", validate, lim, m, from, in.Consumed(), n, ref.Consumed())
					}
				}
			}
		}
	}
	if most <= batchEnds {
		t.Fatalf("no call cut more than %d values: the search was never resumed", most)
	}
}
