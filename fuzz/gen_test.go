package fuzz_test

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
	"pgregory.net/rapid"

	"github.com/sluicego/sluice/fuzz"
)

// genCheckCuts reports what is wrong with cuts as cut offsets of an n-byte
// input, or "".
func genCheckCuts(cuts []int, n int) string {
	prev := 0
	for i, c := range cuts {
		if c <= prev || c >= n {
			return fmt.Sprintf("cut %d is %d: not in (%d, %d)", i, c, prev, n)
		}
		prev = c
	}
	return ""
}

// genCutStats counts the kinds of cuts drawn.
type genCutStats struct {
	draws, none, every, nearEnds, other int
}

func (s *genCutStats) add(cuts []int, n int) {
	s.draws++
	switch {
	case len(cuts) == 0:
		s.none++
	case len(cuts) == n-1:
		s.every++
	case len(cuts) <= 4 && !slices.ContainsFunc(cuts, func(c int) bool { return c > 4 && c < n-4 }):
		s.nearEnds++
	default:
		s.other++
	}
}

// atLeast fails t unless got is at least frac of all draws.
func (s *genCutStats) atLeast(t *testing.T, what string, got int, frac float64) {
	t.Helper()
	if float64(got) < frac*float64(s.draws) {
		t.Errorf("%s: %d of %d draws, want at least %.0f%%", what, got, s.draws, 100*frac)
	}
}

// genDrawsPerCheck returns how many values a counting property draws per
// rapid check to draw about total in all, whatever -rapid.checks and
// -short say.
func genDrawsPerCheck(total int) int {
	checks := 100
	if f := flag.Lookup("rapid.checks"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			checks = n
		}
	}
	if testing.Short() {
		checks = max(checks/5, 1)
	}
	return max((total+checks-1)/checks, 1)
}

func TestCutsContract(t *testing.T) {
	var small, large genCutStats
	draws := genDrawsPerCheck(1000)
	rapid.Check(t, func(t *rapid.T) {
		for range draws {
			n := rapid.IntRange(0, 2000).Draw(t, "n")
			cuts := fuzz.Cuts(n).Draw(t, "cuts")
			if msg := genCheckCuts(cuts, n); msg != "" {
				t.Fatalf("n=%d %v: %s", n, cuts, msg)
			}
			if n < 2 && len(cuts) != 0 {
				t.Fatalf("n=%d: cuts %v, want none", n, cuts)
			}
			if n >= 10 && n <= 512 {
				small.add(cuts, n)
			} else if n > 512 {
				large.add(cuts, n)
			}
		}
	})
	t.Logf("small inputs: %+v; large inputs: %+v", small, large)
	// The biases the documentation promises: each mode has 20% or more of
	// the draws with uniform decisions; a missing one fails.
	small.atLeast(t, "small inputs, no cuts", small.none, 0.1)
	small.atLeast(t, "small inputs, every byte", small.every, 0.05)
	small.atLeast(t, "small inputs, near the ends", small.nearEnds, 0.05)
	small.atLeast(t, "small inputs, random", small.other, 0.05)
	large.atLeast(t, "large inputs, no cuts", large.none, 0.1)
	large.atLeast(t, "large inputs, random", large.other, 0.1)
	if large.every != 0 {
		t.Errorf("large inputs: %d draws cut every byte", large.every)
	}
}

func TestCutsChunksConcatenate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		input := rapid.SliceOfN(rapid.Byte(), 0, 600).Draw(t, "input")
		orig := bytes.Clone(input)
		cuts := fuzz.Cuts(len(input)).Draw(t, "cuts")
		chunks := fuzz.Chunks(input, cuts)
		if len(chunks) != len(cuts)+1 {
			t.Fatalf("%d chunks for %d cuts", len(chunks), len(cuts))
		}
		if got := bytes.Join(chunks, nil); !bytes.Equal(got, input) {
			t.Fatalf("chunks join to %q, want %q", got, input)
		}
		at := 0
		for i, c := range chunks {
			if len(input) > 0 && len(c) == 0 {
				t.Fatalf("chunk %d is empty", i)
			}
			if len(c) > 0 && &c[0] != &input[at] {
				t.Fatalf("chunk %d does not alias input at %d", i, at)
			}
			at += len(c)
			if i < len(cuts) && at != cuts[i] {
				t.Fatalf("chunk %d ends at %d, want %d", i, at, cuts[i])
			}
		}
		for _, c := range chunks {
			_ = append(c, '!') // must not write into the next chunk
		}
		if !bytes.Equal(input, orig) {
			t.Fatalf("appending to a chunk changed the input: %q, want %q", input, orig)
		}
	})
}

func TestCutsChunksEmptyAndInvalid(t *testing.T) {
	in := []byte("abc")
	got := fuzz.Chunks(in, []int{0, 2, 2, 3})
	want := []string{"", "ab", "", "c", ""}
	if len(got) != len(want) {
		t.Fatalf("Chunks: %q, want %q", got, want)
	}
	for i := range got {
		if string(got[i]) != want[i] {
			t.Fatalf("Chunks: %q, want %q", got, want)
		}
	}
	if got := fuzz.Chunks(nil, nil); len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("Chunks(nil, nil) = %q, want one empty chunk", got)
	}
	for _, cuts := range [][]int{{2, 1}, {-1}, {4}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Chunks(%q, %v) did not panic", in, cuts)
				}
			}()
			fuzz.Chunks(in, cuts)
		}()
	}
}

// genShapeSeen counts the draws of shaped bytes that contain each thing.
type genShapeSeen struct {
	draws     int
	delim     int // the whole first delimiter
	halfDelim int // the first delimiter's second half alone
	decimal   int // Limit, Limit-1 or Limit+1 in decimal
	hex       int // the same in hex
	binary    int // the same as a 2-byte big- or little-endian field
	huge      int // 2^64-1 in decimal or hex
	minusOne  int // -1 in decimal
	fieldEdge int // an 8-byte field's maximum or top bit alone
	atLimit   int // at least Limit-1 bytes long
	maxLen    int
}

// genNearLimit is the Limit of the counting tests: its numbers are
// unlikely to appear by chance, in any notation.
const genNearLimit = 1000

// genShapeDelims are the delimiters of the counting tests. The first one's
// halves are "<|" and "||>"; the second, three bytes long, is unlikely to
// appear but as a half.
var genShapeDelims = []string{"<|||>", ";"}

func (s *genShapeSeen) add(b []byte) {
	s.draws++
	has := func(subs ...string) bool {
		for _, sub := range subs {
			if bytes.Contains(b, []byte(sub)) {
				return true
			}
		}
		return false
	}
	count := func(ok bool, n *int) {
		if ok {
			*n++
		}
	}
	var fields []string
	for v := genNearLimit - 1; v <= genNearLimit+1; v++ {
		fields = append(fields, string(binary.BigEndian.AppendUint16(nil, uint16(v))), string(binary.LittleEndian.AppendUint16(nil, uint16(v))))
	}
	d := genShapeDelims[0]
	count(has(d), &s.delim)
	count(bytes.Count(b, []byte(d[len(d)/2:])) > bytes.Count(b, []byte(d)), &s.halfDelim)
	count(has("999", "1000", "1001"), &s.decimal)
	count(has("3e7", "3e8", "3e9", "3E7", "3E8", "3E9"), &s.hex)
	count(has(fields...), &s.binary)
	count(has("18446744073709551615", "ffffffffffffffff", "FFFFFFFFFFFFFFFF"), &s.huge)
	count(has("-1"), &s.minusOne)
	count(has(strings.Repeat("\xff", 8), "\x80"+strings.Repeat("\x00", 7), strings.Repeat("\x00", 7)+"\x80"), &s.fieldEdge)
	count(len(b) >= genNearLimit-1, &s.atLimit)
	s.maxLen = max(s.maxLen, len(b))
}

// check fails t unless every kind of content appeared often enough.
func (s *genShapeSeen) check(t *testing.T, maxLen int) {
	t.Helper()
	t.Logf("%+v", *s)
	for _, c := range []struct {
		what string
		n    int
		frac float64
	}{
		{"the delimiter", s.delim, 0.1},
		{"half a delimiter", s.halfDelim, 0.03},
		{"decimal numbers near the limit", s.decimal, 0.1},
		{"hex numbers near the limit", s.hex, 0.1},
		{"binary fields near the limit", s.binary, 0.05},
		{"2^64-1", s.huge, 0.003},
		{"-1", s.minusOne, 0.03},
		{"8-byte fields' maximum or top bit", s.fieldEdge, 0.002},
		{"strings near the limit's length", s.atLimit, 0.05},
	} {
		if float64(c.n) < c.frac*float64(s.draws) {
			t.Errorf("%s: in %d of %d draws, want at least %.1f%%", c.what, c.n, s.draws, 100*c.frac)
		}
	}
	if s.maxLen > maxLen {
		t.Errorf("a draw of %d bytes, over MaxLen %d", s.maxLen, maxLen)
	}
}

func TestShapedContent(t *testing.T) {
	var seen genShapeSeen
	shape := fuzz.Shape{Delims: genShapeDelims, Limit: genNearLimit, MaxLen: 3000}
	draws := genDrawsPerCheck(1000)
	rapid.Check(t, func(t *rapid.T) {
		for range draws {
			b := fuzz.Shaped(shape).Draw(t, "b")
			if len(b) > shape.MaxLen {
				t.Fatalf("%d bytes, over MaxLen %d", len(b), shape.MaxLen)
			}
			seen.add(b)
		}
	})
	seen.check(t, shape.MaxLen)
}

// genEffectiveMaxLen is Shape's documented MaxLen default.
func genEffectiveMaxLen(s fuzz.Shape) int {
	if s.MaxLen > 0 {
		return s.MaxLen
	}
	limit := s.Limit
	if limit <= 0 {
		limit = 64
	}
	return min(4*limit, 1<<16)
}

func TestShapedMaxLenAndDefaults(t *testing.T) {
	crlf, lf := 0, 0
	draws, perCheck := 0, genDrawsPerCheck(1000)
	rapid.Check(t, func(t *rapid.T) {
		s := fuzz.Shape{
			Limit:  rapid.SampledFrom([]int{-5, 0, 1, 2, 3, 64, 300, 1 << 15, 1 << 20}).Draw(t, "limit"),
			MaxLen: rapid.SampledFrom([]int{-1, 0, 1, 5, 63, 64, 65, 500}).Draw(t, "maxLen"),
		}
		for range perCheck {
			b := fuzz.Shaped(s).Draw(t, "b")
			if m := genEffectiveMaxLen(s); len(b) > m {
				t.Fatalf("%+v: %d bytes, over %d", s, len(b), m)
			}
			draws++
			if bytes.Contains(b, []byte("\r\n")) {
				crlf++
			}
			if bytes.Count(b, []byte("\n")) > bytes.Count(b, []byte("\r\n")) {
				lf++
			}
		}
	})
	// The default delimiters, whenever the strings are long enough.
	if crlf < draws/20 || lf < draws/20 {
		t.Errorf("default delimiters: CRLF in %d and bare LF in %d of %d draws, want 5%% each", crlf, lf, draws)
	}
}

// TestCutsShrinks checks that rapid shrinks a failing property's cuts to
// the fewest that fail it.
func TestCutsShrinks(t *testing.T) {
	genNoFailFile(t)
	for _, want := range []int{1, 3} {
		var last []int
		tb := &genFakeTB{TB: t}
		rapid.Check(tb, func(t *rapid.T) {
			last = fuzz.Cuts(30).Draw(t, "cuts")
			if len(last) >= want {
				t.Fatalf("%d cuts", len(last))
			}
		})
		if !tb.failed {
			t.Fatalf("want=%d: the property never failed", want)
		}
		if len(last) != want {
			t.Errorf("want=%d: shrunk to %d cuts %v; rapid's log:\n%s", want, len(last), last, tb.log.String())
		}
	}
}

// TestShapedShrinks checks that rapid shrinks a failing property's bytes
// to the delimiter that fails it.
func TestShapedShrinks(t *testing.T) {
	genNoFailFile(t)
	var last []byte
	tb := &genFakeTB{TB: t}
	rapid.Check(tb, func(t *rapid.T) {
		last = fuzz.Shaped(fuzz.Shape{Delims: []string{"\r\n"}, Limit: 100}).Draw(t, "b")
		if bytes.Contains(last, []byte("\r\n")) {
			t.Fatalf("%q", last)
		}
	})
	if !tb.failed {
		t.Fatal("the property never failed")
	}
	if string(last) != "\r\n" {
		t.Errorf("shrunk to %q, want %q; rapid's log:\n%s", last, "\r\n", tb.log.String())
	}
}

// genNoFailFile stops rapid from saving fail files in testdata until t
// ends: the shrinking tests fail rapid properties on purpose.
func genNoFailFile(t *testing.T) {
	f := flag.Lookup("rapid.nofailfile")
	if f == nil {
		t.Skip("rapid has no -rapid.nofailfile flag")
	}
	old := f.Value.String()
	if err := f.Value.Set("true"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Value.Set(old) })
}

// genFakeTB is a rapid.TB that records failures and logs instead of
// reporting them.
type genFakeTB struct {
	testing.TB
	failed bool
	log    strings.Builder
}

func (f *genFakeTB) Errorf(s string, a ...any) { f.failed = true; f.Logf(s, a...) }
func (f *genFakeTB) Error(a ...any)            { f.failed = true; f.Log(a...) }
func (f *genFakeTB) Fatalf(s string, a ...any) { f.failed = true; f.Logf(s, a...) }
func (f *genFakeTB) Fatal(a ...any)            { f.failed = true; f.Log(a...) }
func (f *genFakeTB) Fail()                     { f.failed = true }
func (f *genFakeTB) FailNow()                  { f.failed = true }
func (f *genFakeTB) Failed() bool              { return f.failed }
func (f *genFakeTB) Logf(s string, a ...any)   { fmt.Fprintf(&f.log, s+"\n", a...) }
func (f *genFakeTB) Log(a ...any)              { fmt.Fprintln(&f.log, a...) }

// genGopterParams returns test parameters for n successful tests.
func genGopterParams(n int) *gopter.TestParameters {
	p := gopter.DefaultTestParameters()
	p.MinSuccessfulTests = n
	return p
}

// genGopterPass fails t unless every property of ps passed.
func genGopterPass(t *testing.T, ps *gopter.Properties) {
	t.Helper()
	var out bytes.Buffer
	if !ps.Run(gopter.NewFormatedReporter(true, 100, &out)) {
		t.Errorf("gopter:\n%s", out.String())
	}
}

func TestGenCutsContract(t *testing.T) {
	ps := gopter.NewProperties(genGopterParams(200))
	for _, n := range []int{0, 1, 2, 3, 10, 100, 512, 513, 5000} {
		ps.Property("GenCuts("+strconv.Itoa(n)+")", prop.ForAll(func(cuts []int) string {
			return genCheckCuts(cuts, n)
		}, fuzz.GenCuts(n)))
	}
	genGopterPass(t, ps)

	// The biases, counted over draws of their own: the 200 of a property
	// are too few for a bound that chance does not cross (for 10 bytes,
	// random cuts are 17% of the draws, the others falling near the ends;
	// 200 draws went under 10% about once in 400 runs). With 2,000 draws
	// every bound below is more than 7 standard deviations under its mean.
	p := gopter.DefaultGenParameters()
	for _, n := range []int{10, 100, 512, 513, 5000} {
		var stats genCutStats
		gen := fuzz.GenCuts(n)
		for range 2000 {
			v, ok := gen(p).Retrieve()
			if !ok {
				t.Fatalf("GenCuts(%d) gave no value", n)
			}
			stats.add(v.([]int), n)
		}
		stats.atLeast(t, fmt.Sprintf("n=%d, no cuts", n), stats.none, 0.1)
		stats.atLeast(t, fmt.Sprintf("n=%d, random", n), stats.other, 0.1)
		if n <= 512 {
			stats.atLeast(t, fmt.Sprintf("n=%d, every byte", n), stats.every, 0.1)
			stats.atLeast(t, fmt.Sprintf("n=%d, near the ends", n), stats.nearEnds, 0.1)
		} else if stats.every > 0 {
			t.Errorf("n=%d: %d draws cut every byte", n, stats.every)
		}
	}
}

func TestGenShapedContent(t *testing.T) {
	var seen genShapeSeen
	shape := fuzz.Shape{Delims: genShapeDelims, Limit: genNearLimit, MaxLen: 3000}
	ps := gopter.NewProperties(genGopterParams(1000))
	ps.Property("GenShaped", prop.ForAll(func(b []byte) bool {
		seen.add(b)
		return len(b) <= shape.MaxLen
	}, fuzz.GenShaped(shape)))
	genGopterPass(t, ps)
	seen.check(t, shape.MaxLen)
}

// TestGenShrinkers checks that gopter shrinks a failing property's value
// to the smallest that fails it, through valid values only.
func TestGenShrinkers(t *testing.T) {
	params := gopter.DefaultTestParameters()
	invalid := ""
	cutsProp := prop.ForAll(func(cuts []int) bool {
		if msg := genCheckCuts(cuts, 100); msg != "" {
			invalid = msg
		}
		return len(cuts) < 3
	}, fuzz.GenCuts(100))
	res := cutsProp.Check(params)
	for range 5 {
		if !res.Passed() {
			break
		}
		res = cutsProp.Check(params)
	}
	if res.Passed() || len(res.Args) != 1 {
		t.Fatalf("GenCuts: the property never failed: %+v", res)
	}
	if got := res.Args[0].Arg.([]int); len(got) != 3 {
		t.Errorf("GenCuts: shrunk to %v, want 3 cuts (from %v)", got, res.Args[0].OrigArg)
	}
	if invalid != "" {
		t.Errorf("GenCuts: shrunk to invalid cuts: %s", invalid)
	}

	bytesProp := prop.ForAll(func(b []byte) bool {
		return !bytes.Contains(b, []byte("\r\n"))
	}, fuzz.GenShaped(fuzz.Shape{}))
	res = bytesProp.Check(params)
	for range 5 {
		if !res.Passed() {
			break
		}
		res = bytesProp.Check(params)
	}
	if res.Passed() || len(res.Args) != 1 {
		t.Fatalf("GenShaped: the property never failed: %+v", res)
	}
	if got := res.Args[0].Arg.([]byte); string(got) != "\r\n" {
		t.Errorf("GenShaped: shrunk to %q, want %q (from %q)", got, "\r\n", res.Args[0].OrigArg)
	}
}

// ExampleChunks splits an input where Cuts would.
func ExampleChunks() {
	for _, c := range fuzz.Chunks([]byte("+OK\r\n"), []int{1, 4}) {
		fmt.Printf("%q ", c)
	}
	fmt.Println()
	// Output: "+" "OK\r" "\n"
}

// ExampleCuts draws cuts of an input, as a property test does with
// fuzz.Cuts(len(input)).Draw(t, "cuts") inside rapid.Check, and feeds
// the chunks to the code under test (here, a concatenation).
func ExampleCuts() {
	input := []byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
	gen := fuzz.Cuts(len(input))
	ok := true
	for seed := range 100 {
		cuts := gen.Example(seed)
		var got []byte
		for _, chunk := range fuzz.Chunks(input, cuts) {
			got = append(got, chunk...) // in a test: write the chunk to a pipe
		}
		ok = ok && bytes.Equal(got, input)
	}
	fmt.Println("reassembled:", ok)
	// Output: reassembled: true
}

// ExampleShaped draws protocol-shaped inputs for a parser with a 16-byte
// limit on ":"-separated fields.
func ExampleShaped() {
	gen := fuzz.Shaped(fuzz.Shape{Delims: []string{":", "\r\n"}, Limit: 16})
	longest := 0
	for seed := range 100 {
		b := gen.Example(seed) // in a test: gen.Draw(t, "input")
		longest = max(longest, len(b))
	}
	fmt.Println("at most 4*Limit bytes:", longest <= 64)
	// Output: at most 4*Limit bytes: true
}

// ExampleGenCuts uses the gopter generator in a property.
func ExampleGenCuts() {
	input := []byte("hello, world")
	props := gopter.NewProperties(nil)
	props.Property("chunks concatenate to the input", prop.ForAll(func(cuts []int) bool {
		return bytes.Equal(bytes.Join(fuzz.Chunks(input, cuts), nil), input)
	}, fuzz.GenCuts(len(input))))
	var out bytes.Buffer
	fmt.Println(props.Run(gopter.NewFormatedReporter(false, 80, &out)))
	// Output: true
}
