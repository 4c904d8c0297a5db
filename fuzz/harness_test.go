package fuzz_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
	"pgregory.net/rapid"
)

// lines is input for the line decoders: short lines, an empty one, and
// "=" lines that echoCRLF repeats.
const lines = "ab\r\n=\r\n\r\ncd\r\n=\r\nefgh\r\n"

func TestCorrectDecodersPass(t *testing.T) {
	fuzz.CheckChunkings(t, fuzz.Parser(goodCRLF), []byte(lines), fuzz.Options[string]{})
	out := fuzz.CheckChunkings(t, fuzz.Parser(combinators.Line()), []byte("one\ntwo\r\n\nthree\n"), fuzz.Options[seq.Sequence]{})
	if len(out.Messages) != 4 || out.Messages[3].String() != "three" || out.Err != nil {
		t.Fatalf("Line gave %v, %v; want four lines ending with \"three\"", out.Messages, out.Err)
	}
	// Empty input, and fuzzed chunk bytes for it, end cleanly.
	if out := fuzz.Fuzz(t, fuzz.Parser(goodCRLF), nil, []byte{3, 1}, fuzz.Options[string]{}); len(out.Messages) != 0 || out.Err != nil {
		t.Fatalf("empty input gave %v, %v", out.Messages, out.Err)
	}
	// Errors must match too: a truncated last line is the same error in
	// every chunking.
	out = fuzz.CheckChunkings(t, fuzz.Parser(combinators.Line()), []byte("one\ntw"), fuzz.Options[seq.Sequence]{})
	if !errors.Is(out.Err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated input: err %v, want io.ErrUnexpectedEOF", out.Err)
	}
}

func TestGrammarsPassOnRealBytes(t *testing.T) {
	// The 48 requests redis-cli sent to redis-server (see the testdata's
	// README).
	resp, err := os.ReadFile("../internal/grammars/testdata/redis-cli-requests.resp")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []parse.TryParse[grammars.RESP]{grammars.RESPValues(), grammars.RESPHand} {
		out := fuzz.CheckChunkings(t, fuzz.Parser(p), resp, fuzz.Options[grammars.RESP]{})
		if len(out.Messages) != 48 || out.Err != nil {
			t.Fatalf("decoded %d requests, err %v; want 48, nil", len(out.Messages), out.Err)
		}
	}
}

// brokenCase is a broken decoder, an input that shows its bug, and the
// kind of problem the harness must report.
type brokenCase struct {
	name  string
	check func(t fuzz.TB, input []byte, cuts []int) // fuzz.Check on the decoder
	input string
	kind  fuzz.Kind
}

func brokenCases() []brokenCase {
	small := fuzz.Options[string]{MaxMessageSize: 16}
	str := func(d fuzz.Decoder[string], o fuzz.Options[string]) func(fuzz.TB, []byte, []int) {
		return func(t fuzz.TB, in []byte, cuts []int) { fuzz.Check(t, d, in, cuts, o) }
	}
	echo := func(t fuzz.TB, in []byte, cuts []int) {
		fuzz.Check(t, fuzz.Parser(echoCRLF()), in, cuts, fuzz.Options[seq.Sequence]{})
	}
	return []brokenCase{
		{"loses the final messages", str(quitEarly, small), lines, fuzz.Mismatch},
		{"misses a CRLF split across segments", str(fuzz.Parser(splitCRLF), small), lines, fuzz.Mismatch},
		{"reports a message without progress", str(fuzz.Parser(stuckCRLF), small), lines, fuzz.NoProgress},
		{"spins without waiting for more", str(spinLoop, small), lines, fuzz.Hang},
		{"keeps a view past the next read", echo, lines, fuzz.Panic},
		{"buffers past the maximum message size", str(hoard, small), "ab\r\n" + strings.Repeat("x", 40) + "\r\n", fuzz.Memory},
		{"never completes its reader", str(leaky, small), lines, fuzz.Bookkeeping},
	}
}

// failure runs check on a recording TB and returns what it reported.
func failure(check func(fuzz.TB)) string { return fuzz.Prop(check) }

// TestBrokenFoundByChunkings: the fixed set of chunkings finds every bug,
// names its kind and gives a minimal chunking.
func TestBrokenFoundByChunkings(t *testing.T) {
	for _, c := range brokenCases() {
		t.Run(c.name, func(t *testing.T) {
			input := []byte(c.input)
			var msg string
			for _, cuts := range fuzz.Chunkings(len(input)) {
				if msg = failure(func(tb fuzz.TB) { c.check(tb, input, cuts) }); msg != "" {
					break
				}
			}
			if !strings.Contains(msg, "fuzz: "+c.kind.String()) {
				t.Fatalf("want a %q failure, got:\n%s", c.kind, msg)
			}
			t.Logf("reported:\n%s", msg)
		})
	}
}

// TestMinimalChunking: a CRLF split across two segments is reported with
// exactly the one cut between '\r' and '\n', whatever other cuts the
// failing chunking had.
func TestMinimalChunking(t *testing.T) {
	input := []byte(lines)
	cut := strings.Index(lines, "cd\r\n") + 3 // between "cd\r" and "\n"
	cuts := []int{1, 2, 5, cut - 1, cut, cut + 2, len(lines) - 2}
	msg := failure(func(tb fuzz.TB) {
		fuzz.Check(tb, fuzz.Parser(splitCRLF), input, cuts, fuzz.Options[string]{})
	})
	want := fmt.Sprintf("minimal chunking: cuts []int{%d}", cut)
	if !strings.Contains(msg, want) || !strings.Contains(msg, `cd\r" "\n`) {
		t.Fatalf("want %q with the chunk ending in \"cd\\r\", got:\n%s", want, msg)
	}
	if !strings.Contains(msg, "messages (-whole +chunked)") {
		t.Fatalf("want a diff of the messages, got:\n%s", msg)
	}
}

// randomLines returns n lines of the alphabet the broken decoders trip
// on, as a generator would.
func randomLines(r *rand.Rand, n int) []byte {
	var b []byte
	for range n {
		switch r.IntN(4) {
		case 0:
			b = append(b, '=')
		case 1:
		default:
			for range r.IntN(6) {
				b = append(b, "abxy"[r.IntN(4)])
			}
		}
		b = append(b, "\r\n"...)
	}
	return b
}

// TestBrokenFoundByFuzz: fed random inputs and random chunk bytes as a fuzz
// engine would, the harness finds every bug within 200 inputs.
func TestBrokenFoundByFuzz(t *testing.T) {
	const budget = 200
	for _, c := range brokenCases() {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			for i := range budget {
				data := randomLines(r, 1+r.IntN(8))
				if c.kind == fuzz.Memory {
					data = append(data, []byte(c.input)...)
				}
				chunkBytes := make([]byte, r.IntN(6))
				for j := range chunkBytes {
					chunkBytes[j] = byte(r.IntN(8))
				}
				cuts := fuzz.DecodeCuts(chunkBytes, len(data))
				if msg := failure(func(tb fuzz.TB) { c.check(tb, data, cuts) }); msg != "" {
					if !strings.Contains(msg, "fuzz: "+c.kind.String()) {
						t.Fatalf("input %d: want a %q failure, got:\n%s", i, c.kind, msg)
					}
					return
				}
			}
			t.Fatalf("not found in %d inputs", budget)
		})
	}
}

// recordingT is a rapid.TB that records a failure instead of failing the
// test, so that a test can assert that rapid found one.
type recordingT struct {
	*testing.T
	failed bool
	msgs   []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *recordingT) Error(args ...any)                 { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recordingT) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recordingT) Fatal(args ...any)                 { r.Error(args...) }
func (r *recordingT) Fail()                             { r.failed = true }
func (r *recordingT) FailNow()                          { r.failed = true }
func (r *recordingT) Failed() bool                      { return r.failed }

// TestBrokenFoundByRapid: the same check as a rapid property, with inputs
// and cuts drawn by rapid, finds every bug within rapid's default budget.
func TestBrokenFoundByRapid(t *testing.T) {
	for _, c := range brokenCases() {
		t.Run(c.name, func(t *testing.T) {
			genNoFailFile(t) // the properties fail on purpose
			rec := &recordingT{T: t}
			rapid.Check(rec, func(rt *rapid.T) {
				seed := rapid.Uint64().Draw(rt, "seed")
				data := randomLines(rand.New(rand.NewPCG(seed, seed)), rapid.IntRange(1, 8).Draw(rt, "lines"))
				if c.kind == fuzz.Memory {
					data = append(data, []byte(c.input)...)
				}
				cuts := drawCuts(rt, len(data))
				c.check(rt, data, cuts)
			})
			if !rec.failed || !strings.Contains(strings.Join(rec.msgs, "\n"), "fuzz: "+c.kind.String()) {
				t.Fatalf("rapid did not report a %q failure; reported: %q", c.kind, rec.msgs)
			}
		})
	}
}

// drawCuts draws strictly increasing cut offsets in (0, n).
func drawCuts(t *rapid.T, n int) []int {
	if n < 2 {
		return nil
	}
	cuts := rapid.SliceOfNDistinct(rapid.IntRange(1, n-1), 0, 8, func(i int) int { return i }).Draw(t, "cuts")
	slices.Sort(cuts)
	return cuts
}

func TestDecodeCuts(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		n    int
		want []int
	}{
		{nil, 10, nil},
		{[]byte{0, 0, 0}, 10, []int{1, 2, 3}},
		{[]byte{2, 255}, 10, []int{3}},
		{[]byte{0, 1}, 3, []int{1}},
		{[]byte{0}, 1, nil},
	} {
		if got := fuzz.DecodeCuts(tc.b, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("DecodeCuts(%v, %d) = %v, want %v", tc.b, tc.n, got, tc.want)
		}
	}
	for _, cuts := range [][]int{nil, {1}, {1, 2, 200, 201, 457}, {256, 512}} {
		if got := fuzz.DecodeCuts(fuzz.EncodeCuts(cuts), 2000); len(got)+len(cuts) > 0 && !slices.Equal(got, cuts) {
			t.Errorf("DecodeCuts(EncodeCuts(%v)) = %v", cuts, got)
		}
	}
}

// TestNameInReports: Options.Name says which decoder failed.
func TestNameInReports(t *testing.T) {
	msg := failure(func(tb fuzz.TB) {
		fuzz.CheckChunkings(tb, fuzz.Parser(splitCRLF), []byte(lines), fuzz.Options[string]{Name: "splitCRLF"})
	})
	if !strings.HasPrefix(msg, "fuzz: splitCRLF: mismatch when") {
		t.Fatalf("want the report to start with the decoder's name, got:\n%s", msg)
	}
}

// TestLostAtEOFFoundByRoundTrip: a parser that loses the final message in
// every chunking is invisible to the comparison of chunkings; the round
// trip finds it, with a plain test and with rapid, and says that no
// chunking is needed to show it.
func TestLostAtEOFFoundByRoundTrip(t *testing.T) {
	msg := failure(func(tb fuzz.TB) {
		fuzz.CheckRoundTrip(tb, fuzz.Parser(foldedLines), appendLine, []string{"a", "b"}, fuzz.Options[string]{})
	})
	if !strings.Contains(msg, "decoding the encoded values failed") || !strings.Contains(msg, "minimal chunking: none") {
		t.Fatalf("want the round trip to fail without a chunking, got:\n%s", msg)
	}
	genNoFailFile(t)
	rec := &recordingT{T: t}
	rapid.Check(rec, func(rt *rapid.T) {
		values := rapid.SliceOfN(rapid.StringMatching(`[a-z]{0,5}`), 1, 4).Draw(rt, "values")
		fuzz.CheckRoundTrip(rt, fuzz.Parser(foldedLines), appendLine, values, fuzz.Options[string]{})
	})
	if !rec.failed {
		t.Fatal("rapid did not find the lost final message")
	}
}
