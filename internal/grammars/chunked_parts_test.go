package grammars

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// partsVersion is a streaming chunked decoder: new makes one for a
// connection, with parts of at most maxPart bytes.
type partsVersion struct {
	name string
	new  func(maxPart int) parse.TryParse[ChunkedPart]
}

var partsVersions = []partsVersion{
	{"combinators", func(m int) parse.TryParse[ChunkedPart] { return NewChunkedParts(m).Parse }},
	{"hand", func(m int) parse.TryParse[ChunkedPart] { return NewChunkedPartsHand(m).Parse }},
}

// showPart renders a part: its data, and for the last one "|" and the
// trailers.
func showPart(p ChunkedPart) string {
	s := fmt.Sprintf("%q", p.Data.String())
	if p.Last {
		s += " |"
		for _, f := range p.Trailers {
			s += fmt.Sprintf(" %q=%q", f.Name, f.Value)
		}
	}
	return s
}

// checkParts reads input with both streaming decoders, each run with a
// decoder of its own, through the segmentations and arrivals of check
// (only one segment and thirds if fast), checks that every run gives the
// same parts and error, and returns them.
func checkParts(t *testing.T, input []byte, maxPart int, opts parse.Options, fast bool) outcome {
	t.Helper()
	var ref outcome
	refName := ""
	same := func(name string, o outcome) {
		t.Helper()
		if refName == "" {
			ref, refName = o, name
			return
		}
		if !o.equal(ref) {
			t.Fatalf("parts of %d %q:\n%s: %v\n%s: %v", maxPart, clip(input), refName, ref, name, o)
		}
	}
	for _, v := range partsVersions {
		run := func(name string, src pipe.Reader) {
			t.Helper()
			same(v.name+"/"+name, read(src, v.new(maxPart), showPart, opts))
		}
		if fast {
			n := len(input)
			run("one", pipe.FromSequence(segtest.Split(input)))
			run("thirds", pipe.FromSequence(segtest.Split(input, n/3, 2*n/3)))
			continue
		}
		for _, c := range segmentations(input) {
			run(c.Name, pipe.FromSequence(c.Seq))
		}
		if len(input) <= segtest.MaxSplitAll {
			for i := range len(input) {
				run(fmt.Sprintf("steps/%d", i), newStepReader(input, i))
			}
			var steps []int
			for i := range len(input) {
				steps = append(steps, i)
			}
			run("bytewise-steps", newStepReader(input, steps...))
		}
		for _, k := range []int{1, 3, 64, 4096} {
			if k > 1 && k >= len(input) {
				break
			}
			if k < 64 && len(input) > 1<<14 {
				continue
			}
			run(fmt.Sprintf("trickle/%d", k), parsetest.Trickle(input, k, pipe.Options{SegmentSize: 16, PauseThreshold: 256, ResumeThreshold: 128}))
		}
	}
	return ref
}

// bodies reads input with p and renders each body as the concatenation of
// its data and its trailers, with the error that ended the input. Parts of
// a body that did not end are left out.
func bodies[T any](p parse.TryParse[T], input []byte, opts parse.Options, add func(body []byte, m T) ([]byte, []Field, bool)) ([]string, error) {
	r := parse.NewReader(pipe.FromBytes(input), p, opts)
	defer r.Close()
	var got []string
	var body []byte
	for m := range r.All(context.Background()) {
		var trailers []Field
		var last bool
		if body, trailers, last = add(body, m); last {
			got = append(got, fmt.Sprintf("%q%q", body, trailers))
			body = nil
		}
	}
	return got, r.Err()
}

func wholeBodies(input []byte, opts parse.Options) ([]string, error) {
	return bodies(ChunkedHand, input, opts, func(b []byte, c Chunked) ([]byte, []Field, bool) {
		return c.AppendBody(b), c.Trailers, true
	})
}

func partBodies(p parse.TryParse[ChunkedPart], input []byte, opts parse.Options) ([]string, error) {
	return bodies(p, input, opts, func(b []byte, c ChunkedPart) ([]byte, []Field, bool) {
		return c.Data.AppendTo(b), c.Trailers, c.Last
	})
}

// checkPartsWhole checks the streaming decoders on input against the
// whole-body grammar: every segmentation gives the same parts (checkParts),
// the bodies they make are the whole-body grammar's, with the same
// trailers, and the input ends the same way: cleanly, truncated, or with
// the same syntax error at the same offset. Where the whole-body grammar
// finds a body over the limit, the streaming decoders, which bound each
// message and not the body, are only checked to decode the bodies before
// it. It returns the parts.
func checkPartsWhole(t *testing.T, input []byte, maxPart int, opts parse.Options, fast bool) outcome {
	t.Helper()
	parts := checkParts(t, input, maxPart, opts, fast)
	got, gerr := partBodies(NewChunkedParts(maxPart).Parse, input, opts)
	if errString(gerr) != errString(parts.err) {
		t.Fatalf("%q: %v, then %v", clip(input), parts.err, gerr)
	}
	agreeWhole(t, input, got, gerr, opts)
	return parts
}

// agreeWhole checks the bodies got that the streaming decoders made of
// input, and the error gerr they ended with, against the whole-body
// grammar's (see checkPartsWhole).
func agreeWhole(t testing.TB, input []byte, got []string, gerr error, opts parse.Options) {
	t.Helper()
	want, werr := wholeBodies(input, opts)
	if errors.Is(werr, parse.ErrTooLarge) {
		if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
			t.Fatalf("%q: parts make %q, want %q first", clip(input), got, want)
		}
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%q: parts make %q, want %q", clip(input), got, want)
	}
	var wt, gt *parse.TruncatedError
	switch {
	case werr == nil && gerr == nil:
	case errors.As(werr, &wt) && errors.As(gerr, &gt):
		// Truncated at the body's start and at the part's: a part's
		// message starts at or after its body.
		if gt.Offset < wt.Offset {
			t.Fatalf("%q: %v, whole %v", clip(input), gerr, werr)
		}
	case errString(werr) != errString(gerr):
		t.Fatalf("%q: parts end with %v, whole with %v", clip(input), errString(gerr), errString(werr))
	}
}

// joinBodies renders the bodies that parts make, as bodies does.
func joinBodies(parts []ChunkedPart) []string {
	var got []string
	var body []byte
	for _, p := range parts {
		if body = p.Data.AppendTo(body); p.Last {
			got = append(got, fmt.Sprintf("%q%q", body, p.Trailers))
			body = nil
		}
	}
	return got
}

func TestChunkedPartsValues(t *testing.T) {
	cases := []struct {
		in      string
		maxPart int
		want    string
	}{
		{"0\r\n\r\n", 0, `"" |`},
		{"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", 0, `"hello" ", world" "" |`},
		{"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", 3, `"hel" "lo" ", w" "orl" "d" "" |`},
		{"A;x=y\r\n0123456789\r\n0\r\nA: b\r\nC:d\r\n\r\n" + "1\r\nx\r\n000\r\n\r\n", 4,
			`"0123" "4567" "89" "" | "A"="b" "C"="d" "x" "" |`},
	}
	for _, c := range cases {
		got := checkPartsWhole(t, []byte(c.in), c.maxPart, parse.Options{}, false)
		if got.err != nil || strings.Join(got.msgs, " ") != c.want {
			t.Errorf("%q, max %d: %v, want %s", c.in, c.maxPart, got, c.want)
		}
	}
	// Parts shrink to what the limit leaves after the size line, and to
	// the limit after it.
	got := checkPartsWhole(t, []byte("14\r\n0123456789abcdefghij\r\n0\r\n\r\n"), 0, parse.Options{MaxMessageSize: 8}, false)
	if want := `"0123" "456789ab" "cdefghij" "" |`; got.err != nil || strings.Join(got.msgs, " ") != want {
		t.Errorf("limit 8: %v, want %s", got, want)
	}
}

// TestChunkedPartsRoundTrip decodes random bodies with every maximum part
// size in every segmentation and every prefix, against the whole-body
// grammar.
func TestChunkedPartsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 30 {
		var input []byte
		for range 1 + r.IntN(3) {
			var chunks [][]byte
			var trailers []Field
			for range r.IntN(5) {
				chunks = append(chunks, randBytes(r, r.IntN(40)))
			}
			for range r.IntN(3) {
				trailers = append(trailers, Field{randToken(r), randFieldValue(r)})
			}
			input = AppendChunked(input, chunks, trailers)
		}
		maxPart := []int{0, 1, 5, 16}[round%4]
		checkPartsWhole(t, input, maxPart, parse.Options{}, false)
		step := 1
		if round >= 10 {
			step = 1 + len(input)/40
		}
		for n := 0; n < len(input); n += step {
			checkPartsWhole(t, input[:n], maxPart, parse.Options{}, true)
		}
	}
}

// TestChunkedPartsMalformed checks that the streaming decoders report the
// syntax errors of the whole-body grammar at the same offsets.
func TestChunkedPartsMalformed(t *testing.T) {
	for _, c := range chunkedMalformed {
		for _, maxPart := range []int{0, 2} {
			got := checkPartsWhole(t, []byte(c.in), maxPart, parse.Options{}, false)
			var se *parse.SyntaxError
			if !errors.As(got.err, &se) || se.Offset != c.offset || !strings.Contains(se.Error(), c.msg) {
				t.Errorf("%q: %v, want a SyntaxError at offset %d saying %q", c.in, errString(got.err), c.offset, c.msg)
			}
		}
	}
}

// TestChunkedPartsLimits checks the limits the streaming decoders keep: a
// chunk size has at most 16 digits, and a size line, its extensions and a
// trailer section are bounded by the reader's maximum message size; a
// chunk's size is not, since its data streams.
func TestChunkedPartsLimits(t *testing.T) {
	tooLarge := func(input string, limit int, offset int64) {
		t.Helper()
		got := checkParts(t, []byte(input), 0, parse.Options{MaxMessageSize: limit}, false)
		var se *parse.SizeError
		if !errors.As(got.err, &se) || se.Offset != offset || se.Limit != limit {
			t.Errorf("%q: %v, want a SizeError at %d", clip([]byte(input)), errString(got.err), offset)
		}
	}
	tooLarge("1;"+strings.Repeat("x", 200)+"\r\nx\r\n0\r\n\r\n", 100, 0)
	tooLarge("1\r\nx\r\n0\r\n"+strings.Repeat("X: y\r\n", 40)+"\r\n", 100, 4)
	got := checkParts(t, []byte("ffffffffffffffff\r\nabc"), 2, parse.Options{}, false)
	if !errors.Is(got.err, io.ErrUnexpectedEOF) || len(got.msgs) != 1 {
		t.Errorf("a chunk of 2^64-1 bytes: %v, want its first part and a truncation", got)
	}
	checkPartsWhole(t, []byte("00000000000000000\r\n\r\n"), 0, parse.Options{}, false)
}

// TestChunkedPartsLarge streams bodies far larger than the reader's limit
// through a real pipe, whole and in pieces of 1009 and 4096 bytes, with
// the fuzz harness, which fails if the decoder keeps more than the limit
// (and a byte) buffered while it waits, and checks the bytes against the
// whole-body grammar's.
func TestChunkedPartsLarge(t *testing.T) {
	const limit = 4 << 10
	r := rand.New(rand.NewPCG(11, 12))
	var input []byte
	input = AppendChunked(input, [][]byte{randBytes(r, 256<<10)}, []Field{{"X-Sum", "1"}}) // one chunk of 64 limits
	var chunks [][]byte
	for range 40 {
		chunks = append(chunks, randBytes(r, r.IntN(3*limit)))
	}
	input = AppendChunked(input, chunks, nil)
	for _, v := range partsVersions {
		dec := func(ctx context.Context, src pipe.Reader, limit int, emit func(ChunkedPart)) error {
			return fuzz.Parser(v.new(0))(ctx, src, limit, emit)
		}
		var out fuzz.Outcome[ChunkedPart]
		for _, piece := range []int{1009, 4096} {
			var cuts []int
			for i := piece; i < len(input); i += piece {
				cuts = append(cuts, i)
			}
			out = fuzz.Check(t, dec, input, cuts, fuzz.Options[ChunkedPart]{MaxMessageSize: limit, Name: v.name})
			if out.Err != nil {
				t.Fatal(out.Err)
			}
		}
		got := joinBodies(out.Messages)
		want, err := wholeBodies(input, parse.Options{MaxMessageSize: len(input)})
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: %d bodies, whole %d, %v", v.name, len(got), len(want), err)
		}
	}
}

// TestChunkedPartsRealNginx decodes nginx's bodies in parts.
func TestChunkedPartsRealNginx(t *testing.T) {
	for _, name := range []string{"nginx-gzip-trailers.http", "nginx-ssi.http"} {
		body := nginxBody(t, name)
		for _, maxPart := range []int{0, 4096, 1000} {
			got := checkPartsWhole(t, body, maxPart, parse.Options{}, len(body) > 1<<14)
			if got.err != nil || !strings.HasSuffix(got.msgs[len(got.msgs)-1], "|"+map[string]string{
				"nginx-gzip-trailers.http": ` "X-Trailer-One"="first value" "Server-Timing"="db;dur=53, app;dur=47.2"`,
				"nginx-ssi.http":           ` "X-Checksum"="abc123"`,
			}[name]) {
				t.Fatalf("%s: %v", name, got.err)
			}
		}
		want, _ := wholeBodies(body, parse.Options{})
		got, err := partBodies(NewChunkedPartsHand(512).Parse, body, parse.Options{MaxMessageSize: 600})
		if err != nil || !slices.Equal(got, want) || !bytes.Contains([]byte(got[0]), []byte(`"X-`)) {
			t.Fatalf("%s at a limit of 600: %v", name, err)
		}
	}
}

// TestChunkedPartsAllocs checks that the streaming decoders allocate
// nothing per message: reading ten times as many bodies without trailers
// allocates no more.
func TestChunkedPartsAllocs(t *testing.T) {
	stream := func(bodies int) []byte {
		var b []byte
		for range bodies {
			b = AppendChunked(b, [][]byte{[]byte("hello"), []byte(", world"), bytes.Repeat([]byte("x"), 100)}, nil)
		}
		return b
	}
	small, large := stream(10), stream(100)
	for _, v := range partsVersions {
		allocs := func(input []byte) float64 {
			return testing.AllocsPerRun(20, func() {
				r := parse.NewReader(pipe.FromBytes(input), v.new(16), parse.Options{})
				for range r.All(context.Background()) {
				}
				if r.Err() != nil {
					t.Fatal(r.Err())
				}
			})
		}
		if a, b := allocs(small), allocs(large); b > a {
			t.Errorf("%s: %v allocations for 10 bodies, %v for 100", v.name, a, b)
		}
	}
}
