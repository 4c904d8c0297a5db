package framing

import (
	"strings"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TestLinesBatchAgrees calls the batch form of Lines directly, for every
// line end and maxima below, around and above the fast path's window, with
// outs shorter and longer than the line ends one search finds: every line
// it cuts, and its cursor, are what the parser gives called as many times,
// on lines of every length from 0 to beyond the window with CRs where they
// end a line and where they do not.
func TestLinesBatchAgrees(t *testing.T) {
	var b []byte
	for i := range 20 {
		b = append(b, strings.Repeat("z", i)+"\n"...)
	}
	for i := range 400 {
		s := strings.Repeat(string(rune('a'+i%26)), i*7%(fastScan+90))
		switch i % 6 {
		case 1:
			s += "\r"
		case 2:
			s = "\r" + s
		case 3:
			s = "\r\r"[:1+i%2]
		case 4:
			s += "\n" // a bare LF inside a CRLF line
		}
		b = append(b, s...)
		b = append(b, "\n\r\n"[i%2:i%2+1+i%2]...)
	}
	b = append(b, "partial\r"...)
	whole := seq.Of(b)
	most := 0 // the most lines one call cut
	for _, e := range []LineEnd{EndLFOrCRLF, EndLF, EndCRLF} {
		for _, lim := range []int{0, 3, 6, 13, 64, fastScan - 1, fastScan, fastScan + 50} {
			o := LineOptions{End: e, MaxLength: lim}
			p := Lines(o)
			fn := fastBatch(e, o.max())
			for _, m := range []int{1, 2, 64, 65, 129, 500} {
				for _, from := range []int{0, 1, 57} {
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
							t.Fatalf("%v max %d, out of %d from %d: line %d: the parser failed: %v", e, lim, m, from, k, err)
						}
						if out[k].String() != want.String() || out[k].Start() != want.Start() || out[k].End() != want.End() {
							t.Fatalf("%v max %d, out of %d from %d: line %d is %q, want %q", e, lim, m, from, k, out[k].String(), want.String())
						}
					}
					if in.Consumed() != ref.Consumed() {
						t.Fatalf("%v max %d, out of %d from %d: cursor at %d after %d lines, the parser's at %d", e, lim, m, from, in.Consumed(), n, ref.Consumed())
					}
				}
			}
		}
	}
	if most <= lfBatchEnds {
		t.Fatalf("no call cut more than %d lines: the search was never resumed", most)
	}
}
