package http1

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The decoder's fast paths (the batch form of Parser, the plain chunk
// Parse reads from the span and the one-pass trailer section) are checked against the grammar they stand in for:
// the same parts and the same end of input, error included, as Parse
// alone gives (a method value has no batch form), in many chunkings.

// chunkedDecParse is the decoder as a fuzz.Decoder reading with d.Parse,
// a part per call: the grammar alone, without the batch form and without
// Parse's fast path for a plain chunk.
func chunkedDecParse(maxPart int, o Options) fuzz.Decoder[string] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(string)) error {
		o := o
		o.MaxHeaderBytes, o.MaxPart = limit, maxPart
		d := NewChunkedDecoder(o)
		d.slow = true
		return fuzz.Parser(d.Parse)(ctx, src, limit, func(p ChunkedPart) { emit(renderPart(p)) })
	}
}

// agreeBatch fails unless the batched reader and Parse alone give the
// same parts and the same error (text and offset) on input cut at cuts.
func agreeBatch(t *testing.T, input []byte, cuts []int, maxPart int, o Options, limit int) {
	t.Helper()
	fo := fuzz.Options[string]{MaxMessageSize: limit}
	got := fuzz.Check(t, chunkedDec(maxPart, o), input, cuts, fo)
	want := fuzz.Check(t, chunkedDecParse(maxPart, o), input, cuts, fo)
	if !slices.Equal(got.Messages, want.Messages) || errText(got.Err) != errText(want.Err) {
		t.Fatalf("%q, parts of %d, %+v: batched %q, %v\nParse %q, %v", input, maxPart, o, got.Messages, got.Err, want.Messages, want.Err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// batchStream returns bodies of many small chunks and trailer sections
// of every kind the one-pass scan must accept or leave to the grammar.
func batchStream(r *rand.Rand, bodies int) []byte {
	trailers := []string{
		"", "X-Checksum: 0123abcd\r\n", "A: b\r\nC:d\r\nEmpty:\r\n", "Obs: \x80\xff\t\r\n",
		"Content-Length: 5\r\n", "content-LENGTH: x\r\n", "A: b\r\n c\r\n", "A : b\r\n",
		"A: b\x00\r\n", "A: b\rc\r\n", "A: b\n", ": b\r\n", "A\r\n",
		strings.Repeat("F: v\r\n", 3), "Long: " + strings.Repeat("v", 40) + "\r\n",
	}
	var b []byte
	for range bodies {
		for range r.IntN(12) {
			n := 1 + r.IntN(70)
			switch r.IntN(40) {
			case 0:
				b = append(b, "0000000000000000"[:1+r.IntN(15)]...) // leading zeros
			case 1:
				b = append(b, "00000000000000000"...) // 17 digits and more
			}
			b = append(b, strings.ToUpper(string(hexOf(n)))...)
			switch r.IntN(30) {
			case 0:
				b = append(b, ";e=v"...)
			case 1:
				b = append(b, ' ')
			case 2:
				b = append(b, '\r')
			}
			b = append(b, "\r\n"...)
			for j := range n {
				b = append(b, "ab\r\n0;"[(j*7+n)%6])
			}
			switch r.IntN(60) {
			case 0:
				b = append(b, 'X')
			case 1:
				b = append(b, '\n')
			default:
				b = append(b, "\r\n"...)
			}
		}
		b = append(b, "0\r\n"...)
		b = append(b, trailers[r.IntN(len(trailers))]...)
		if r.IntN(3) == 0 {
			b = append(b, trailers[1]...)
		}
		b = append(b, "\r\n"...)
	}
	return b
}

func hexOf(n int) []byte {
	const digits = "0123456789abcdef"
	var b []byte
	for {
		b = append([]byte{digits[n%16]}, b...)
		if n /= 16; n == 0 {
			return b
		}
	}
}

// TestChunkedBatchAgrees reads streams of small chunks, valid and
// malformed, with the batch form and with Parse alone, whole and in
// random pieces, under limits that the fast paths must leave to the
// grammar (MaxPart, MaxBodySize, MaxLine, MaxFields, the message limit).
func TestChunkedBatchAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	opts := []Options{{}, {MaxBodySize: 40}, {MaxLine: 24}, {MaxFields: 2}}
	for round := range 200 {
		input := batchStream(r, 1+r.IntN(4))
		maxPart := []int{0, 64, 16, 1 << 10}[round%4]
		o := opts[round/4%len(opts)]
		limit := []int{1 << 10, 1 << 16, 64}[round%3]
		var cuts []int
		for range r.IntN(6) {
			cuts = append(cuts, r.IntN(len(input)+1))
		}
		slices.Sort(cuts)
		agreeBatch(t, input, cuts, maxPart, o, limit)
		if o == (Options{}) {
			agreeHand(t, input, cuts, maxPart, limit)
		}
		agreeBatch(t, input[:r.IntN(len(input)+1)], cuts[:0], maxPart, o, limit)
	}
	// Short streams in every chunking and segmentation.
	for _, in := range []string{
		"3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n" + "1\r\nx\r\n1\r\ny\r\n0\r\nA: b\r\n\r\n",
		"1\r\nx\r\n1\r\ny\r\n0\r\nContent-Length: 1\r\n\r\n",
		"1\r\nx\r\n1\r\ny\r\n0\r\nA: b\r\n c\r\n\r\n",
		"1\r\nx\r\n00000000000000001\r\ny\r\n0\r\n\r\n",
		"1\r\nx\r\n1\r\nyz\r\n0\r\n\r\n",
	} {
		out := fuzz.CheckChunkings(t, chunkedDec(0, Options{}), []byte(in), fuzz.Options[string]{})
		want := fuzz.Check(t, chunkedDecParse(0, Options{}), []byte(in), nil, fuzz.Options[string]{})
		if !slices.Equal(out.Messages, want.Messages) || errText(out.Err) != errText(want.Err) {
			t.Errorf("%q: batched %q, %v; Parse %q, %v", in, out.Messages, out.Err, want.Messages, want.Err)
		}
	}
}

// TestChunkedBatchTakes checks that the batch form is recorded for
// Parser's parser and takes what Parse would return: whole bodies from a
// body's start, the rest of a body from inside one, never a body cut by
// the span's end or one whose predecessor had more parts than the batch
// has room for, and nothing where the grammar must decide.
func TestChunkedBatchTakes(t *testing.T) {
	d := NewChunkedDecoder(Options{})
	if batch.Lookup(batch.Closure(d.Parser())) == nil {
		t.Fatal("Parser has no batch form")
	}
	render := func(parts []ChunkedPart) []string {
		var s []string
		for _, p := range parts {
			s = append(s, renderPart(p))
		}
		return s
	}
	in := parse.NewInput(seq.Of([]byte("3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\nA: b\r\n\r\n4\r\nwxyz\r\n0\r\n\r\n5\r\nhello\r\n")), false, 0)
	out := make([]ChunkedPart, 8)
	n := d.batch(in, out)
	if got, want := render(out[:n]), []string{`"abc"`, `"de"`, `"f"`, `"" | "A"="b"`, `"wxyz"`, `"" |`}; !slices.Equal(got, want) {
		t.Fatalf("batch took %q, want %q", got, want)
	}
	if n := d.batch(in, out); n != 0 || d.InBody() {
		t.Fatalf("a body cut by the span's end: the batch took %d parts; in a body: %v", n, d.InBody())
	}
	if p, err := d.Parse(in); err != nil || p.Data.String() != "hello" {
		t.Fatalf("next body's first part %q, %v", p.Data.String(), err)
	}
	if n := d.batch(in, out); n != 0 || !d.InBody() {
		t.Fatalf("at the span's end the batch took %d parts; in a body: %v", n, d.InBody())
	}

	// Room for three parts: a body of four is read from its start by
	// Parse, then by batches, and so is the body after it.
	d = NewChunkedDecoder(Options{})
	in = parse.NewInput(seq.Of([]byte("1\r\na\r\n1\r\nb\r\n1\r\nc\r\n0\r\n\r\n"+"1\r\nx\r\n0\r\n\r\n"+"1\r\ny\r\n0\r\n\r\n")), true, 0)
	out = out[:3]
	var got []string
	for step := 0; in.Remaining() > 0; step++ {
		if n := d.batch(in, out); n > 0 {
			got = append(got, fmt.Sprint(render(out[:n])))
			continue
		}
		p, err := d.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, renderPart(p))
	}
	want := []string{`"a"`, `["b" "c" "" |]`, `"x"`, `["" | "y" "" |]`}
	if !slices.Equal(got, want) {
		t.Fatalf("read %q, want %q", got, want)
	}

	// A chunk over MaxPart, an extension, a size line cut by the span's
	// end: Parse's.
	for _, rest := range []string{"\r\n10\r\n0123456789abcdef\r\n", "\r\n1;a\r\nx\r\n", "\r\n1\r\nx", "\r\n1"} {
		d := NewChunkedDecoder(Options{MaxPart: 8})
		in := parse.NewInput(seq.Of([]byte("1\r\nx"+rest)), false, 0)
		if _, err := d.Parse(in); err != nil {
			t.Fatal(err)
		}
		if n := d.batch(in, out); n != 0 {
			t.Errorf("%q: the batch took %d parts", rest, n)
		}
	}
}

// TestScanTrailers checks the one-pass trailer scan against the grammar:
// every section it accepts, the grammar accepts with the same length and
// field count; and it accepts the plain sections a body ends with.
func TestScanTrailers(t *testing.T) {
	l := Options{MaxLine: 32, MaxFields: 3}.limits()
	g := &grammarsFor(Options{MaxLine: 32, MaxFields: 3}).chunked
	sections := []string{
		"\r\n", "X-Checksum: 0123abcd\r\n\r\n", "A:b\r\nC: d \t\r\nEmpty:\r\n\r\n", "Obs: \x80\xff\r\n\r\n",
		"Content-Length: 5\r\n\r\n", "Content-Length: x\r\n\r\n", "content-LENGTH: 5, 5\r\n\r\n", "Content-Lengths: 5\r\n\r\n", "A: b\r\n c\r\n\r\n", "A : b\r\n\r\n", "A: b\x00\r\n\r\n",
		"A: b\rc\r\n\r\n", "A: b\n\r\n", ": b\r\n\r\n", "A\r\n\r\n", "A: b\r\n\r", "A: b\r\n", "\r\r\n",
		"F: v\r\nF: v\r\nF: v\r\n\r\n", "F: v\r\nF: v\r\nF: v\r\nF: v\r\n\r\n",
		"L: " + strings.Repeat("v", 26) + "\r\n\r\n", "L: " + strings.Repeat("v", 27) + "\r\n\r\n",
	}
	r := rand.New(rand.NewPCG(15, 16))
	for range 2000 {
		b := []byte(sections[r.IntN(len(sections))])
		for range r.IntN(2) {
			b[r.IntN(len(b))] = "\r\n :\t\x00a\x80"[r.IntN(8)]
		}
		sections = append(sections, string(b))
	}
	accepted := 0
	for _, s := range sections {
		end, n, ok := scanTrailers([]byte(s), l.line, l.fields)
		in := parse.NewInput(seq.Of([]byte(s)), true, 0)
		v, err := g.trailers(in)
		if !ok {
			continue
		}
		accepted++
		if err != nil || v.err != nil || in.Consumed() != end || v.f.Len() != n || !bytes.Equal(v.f.Raw().Bytes(), []byte(s[:end-2])) {
			t.Errorf("%q: scan took %d bytes and %d fields; grammar %d bytes, %d fields, %v, %v", s, end, n, in.Consumed(), v.f.Len(), err, v.err)
		}
	}
	for _, s := range sections[:4] {
		if _, _, ok := scanTrailers([]byte(s), l.line, l.fields); !ok {
			t.Errorf("%q: not taken", s)
		}
	}
	if accepted < 100 {
		t.Errorf("only %d of %d sections taken", accepted, len(sections))
	}
}

// FuzzChunkedBatch checks the batch form and the one-pass trailer scan
// under the fuzzer, with parts up to the 1 KiB message limit so that small
// chunks are taken whole (FuzzChunkedDecoder's parts of 7 bytes leave most
// chunks to Parse): the batched reader against Parse alone (the same parts
// and error) and against the reference, through the fuzz harness.
func FuzzChunkedBatch(f *testing.F) {
	testutil.AddSeeds(f, chunkedSeeds(f))
	r := rand.New(rand.NewPCG(17, 18))
	for range 4 {
		f.Add(batchStream(r, 3), []byte{40, 3, 200})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		o := fuzz.Options[string]{MaxMessageSize: 1 << 10}
		got := fuzz.Fuzz(t, chunkedDec(0, Options{}), data, cuts, o)
		alone := fuzz.Fuzz(t, chunkedDecParse(0, Options{}), data, cuts, o)
		if !slices.Equal(got.Messages, alone.Messages) || errText(got.Err) != errText(alone.Err) {
			t.Fatalf("%q: batched %q, %v\nParse %q, %v", data, got.Messages, got.Err, alone.Messages, alone.Err)
		}
		agreeOutcomes(t, data, 0, 1<<10, got, fuzz.Fuzz(t, handDec(0), data, cuts, o))
	})
}
