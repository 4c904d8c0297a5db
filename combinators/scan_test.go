package combinators_test

import (
	"errors"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Byte classes of a header line, for the span-scan cases.
func isTok(b byte) bool {
	return isAlpha(b) || isDigit(b) || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}
func isVal(b byte) bool { return b == '\t' || 0x20 <= b && b <= 0x7e || b >= 0x80 }

var errBadValue = errors.New("test: bad value")

// scanCases are declarations whose parsers scan the cursor's span (scan.go),
// each with inputs that take every path: in the span, cut by a segment end,
// short, over a limit, malformed.
var scanCases = []struct {
	name   string
	limit  int
	build  func() fused
	inputs []string
}{
	{"Seq3(TakeWhile, Then(Byte, TakeWhile), Literal)", 64, func() fused {
		return fuse(c.Seq3(c.TakeWhile("name", isTok, 1, -1), c.Then(c.Byte(':'), c.TakeWhile("value", isVal, 0, -1)), c.Literal("\r\n"),
			func(n, v seq.Sequence, _ string) string { return n.String() + "=" + v.String() }))
	}, []string{"Host: a.example\r\n", "a:\r\n", ":x\r\n", "Host : x\r\n", "Host: \x01\r\n", "Host: x\rz", "Hö: x\r\n",
		"Accept: text/html,application/xhtml+xml;q=0.9\r\nrest", "k: \x7f\r\n", "k:\tv\t\r\n"}},
	{"Limit(MapErr(Seq2(TakeIn, Before(TakeNotIn, Literal))))", 64, func() fused {
		line := c.Seq2(c.TakeIn("0123456789", 1, 6), c.Before(c.TakeNotIn("\r\n", 0, -1), c.Literal("\r\n")),
			func(n, s seq.Sequence) [2]string { return [2]string{n.String(), s.String()} })
		return fuse(c.Limit(12, c.MapErr(line, func(v [2]string) (string, error) {
			if strings.Contains(v[1], "bad") {
				return "", errBadValue
			}
			return v[0] + "|" + v[1], nil
		})))
	}, []string{"12 ok\r\n", "1234567 x\r\n", "12 bad\r\n", "12 0123456789\r\n", "12 012345\r\n", "x\r\n", "12\n"}},
	{"Recognize(FoldTill(Dispatch(lines), Literal))", 64, func() fused {
		crlf := c.Dispatch(map[byte]parse.TryParse[byte]{'\r': c.Then(c.Byte('\r'), c.Byte('\n'))}, nil)
		line := c.Before(c.Seq2(c.TakeWhile("name", isTok, 1, 8), c.Then(c.Byte(':'), c.TakeWhile("value", isVal, 0, -1)),
			func(n, v seq.Sequence) int { return n.Len() + v.Len() }), crlf)
		el := c.Dispatch(map[byte]parse.TryParse[int]{' ': c.Map(c.Satisfy("letter", isAlpha), func(byte) int { return -1 })}, line)
		sum := c.FoldTill(el, c.Literal("\r\n"), 1, 3, 0, func(a, n int) int { return a + n })
		return fuse(c.Map(c.Recognize(sum), func(r c.Recognized[int]) string { return r.Bytes.String() + "#" + show(r.Value) }))
	}, []string{"\r\n", "a:b\r\n\r\n", "a:b\r\nc:d\r\n\r\n", "a:b\r\nc:d\r\ne:f\r\ng:h\r\n\r\n", "a:b\r\n\rx", "a:b\r\n x\r\n",
		"abcdefghi:x\r\n\r\n", "a:b\r\n@\r\n", "a:b\r\nc:d\r", "a:b\n\r\n"}},
	{"ManyTill(Limit(Seq4(Satisfy, TakeWhile, OneOf, TakeIn)), Byte)", 32, func() fused {
		word := c.Seq4(c.Satisfy("letter", isAlpha), c.TakeWhile("letter", isAlpha, 0, 3), c.OneOf("=:"), c.TakeIn("0123456789", 1, -1),
			func(a byte, b seq.Sequence, _ byte, d seq.Sequence) string {
				return string(a) + b.String() + d.String()
			})
		return fuse(c.Map(c.ManyTill(c.Limit(8, c.Before(word, c.Byte(';'))), c.Byte('.'), 0, -1), func(v []string) string { return strings.Join(v, ",") }))
	}, []string{".", "a=1;.", "a:1;b=2;.", "ab=12;cd=3;.", "abcde=1;.", "a=123456789;.", "a=1;b", "a=;.", "1=1;."}},
}

// TestScanAgrees runs each declaration that scans the span and the generic
// composition of the same declaration (fusion off) over every segmentation
// of every prefix of every input, as final and non-final input, and
// through message readers fed in every chunking, and compares their
// values, cursors, errors and furthest-failure records.
func TestScanAgrees(t *testing.T) {
	for _, tc := range scanCases {
		t.Run(tc.name, func(t *testing.T) {
			c.SetFusion(false)
			generic := tc.build()
			c.SetFusion(true)
			fusedp := tc.build()
			if strings.Contains(generic.desc, "[fused]") || !strings.Contains(fusedp.desc, "[fused]") {
				t.Fatalf("fusion off:\n%sfusion on:\n%s", generic.desc, fusedp.desc)
			}
			slow, fast := generic.p, fusedp.p
			inputs := append([]string{}, tc.inputs...)
			inputs = append(inputs, strings.Join(tc.inputs, ""))
			for _, input := range inputs {
				for i := 0; i <= len(input); i++ {
					prefix := []byte(input[:i])
					for _, sg := range segtest.Segmentations(prefix) {
						for _, final := range []bool{true, false} {
							want := outcome(slow, sg.Seq, final, tc.limit)
							if got := outcome(fast, sg.Seq, final, tc.limit); got != want {
								t.Errorf("%q as %s, final %v: fused %s, generic %s", prefix, sg.Name, final, got, want)
							}
						}
					}
				}
				want := readStream(t, slow, pipe.FromBytes([]byte(input)), tc.limit)
				for name, cuts := range chunkings(len(input)) {
					if got := readStream(t, fast, chunked([]byte(input), cuts), tc.limit); !got.equal(want) {
						t.Errorf("%q in %s: fused %v, generic %v", input, name, got, want)
					}
				}
			}
		})
	}
}

// TestScanMergesTerminator: a failure where the last element of a scanned
// repetition began merges with what the terminator expected there, as it
// does after the generic repetition.
func TestScanMergesTerminator(t *testing.T) {
	line := c.Before(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(';'))
	p := c.MapErr(c.Recognize(c.FoldTill(line, c.Byte('.'), 0, -1, 0, func(n int, _ seq.Sequence) int { return n + 1 })),
		func(r c.Recognized[int]) (int, error) { return r.Value, nil })
	q := c.Seq2(p, c.Byte('!'), func(n int, _ byte) int { return n })
	got := outcome(erase(q), seq.Of([]byte("ab;cd;.?")), true, 64)
	if !strings.Contains(got, "offset 7") {
		t.Errorf("got %s", got)
	}
	if d := c.Describe(p); !strings.Contains(d, "FoldTill(0..) ") || !strings.Contains(d, "[fused]") {
		t.Errorf("not scanned:\n%s", d)
	}
}
