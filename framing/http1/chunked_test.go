package http1

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	ref "github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// The chunked decoder is tested as a message reader over every chunking
// (the fuzz harness, which also bounds what it keeps buffered), and
// against the hand-written reference parser grammars.ChunkedPartsHand
// (the same parts, the same end of input: clean, truncated or refused).

// renderChunked renders a part: its data, and for the last one "|" and
// its trailer fields.
func renderChunked(data []byte, end bool, trailers [][2]string) string {
	s := fmt.Sprintf("%q", data)
	if end {
		s += " |"
		for _, f := range trailers {
			s += fmt.Sprintf(" %q=%q", f[0], f[1])
		}
	}
	return s
}

func renderPart(p ChunkedPart) string {
	var tr [][2]string
	for k, v := range p.Trailers.All() {
		tr = append(tr, [2]string{k.String(), v.String()})
	}
	return renderChunked(p.Data.Bytes(), p.End, tr)
}

// chunkedDec is the decoder under test as a fuzz.Decoder: a
// ChunkedReader with parts of at most maxPart bytes and the harness's
// limit as MaxHeaderBytes.
func chunkedDec(maxPart int, o Options) fuzz.Decoder[string] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(string)) error {
		o := o
		o.MaxHeaderBytes, o.MaxPart = limit, maxPart
		r := NewChunkedReader(src, o)
		defer r.Close()
		for {
			p, err := r.Next(ctx)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			emit(renderPart(p))
		}
	}
}

// handDec is the reference parser as a fuzz.Decoder.
func handDec(maxPart int) fuzz.Decoder[string] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(string)) error {
		return fuzz.Parser(ref.NewChunkedPartsHand(maxPart).Parse)(ctx, src, limit, func(p ref.ChunkedPart) {
			var tr [][2]string
			for _, f := range p.Trailers {
				tr = append(tr, [2]string{f.Name, f.Value})
			}
			emit(renderChunked(p.Data.Bytes(), p.Last, tr))
		})
	}
}

// errClass is how an input ends, for comparing decoders whose syntax
// errors are worded and placed differently.
func errClass(err error) string {
	var se *parse.SyntaxError
	var ze *parse.SizeError
	switch {
	case err == nil:
		return "clean"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated"
	case errors.As(err, &ze):
		return "too large"
	case errors.As(err, &se):
		return "refused"
	}
	return err.Error()
}

// agreeHand decodes input cut at cuts with the decoder and the reference
// (each checked by the harness) and fails unless they give the same parts
// and end the same way. Where the decoder refuses what the reference
// accepts, the refusal must be one the reference does not make: a
// trailer field that would frame a message (a malformed Content-Length)
// or more trailer fields than MaxFields.
func agreeHand(t fuzz.TB, input []byte, cuts []int, maxPart, limit int) fuzz.Outcome[string] {
	o := fuzz.Options[string]{MaxMessageSize: limit}
	got := fuzz.Check(t, chunkedDec(maxPart, Options{}), input, cuts, o)
	want := fuzz.Check(t, handDec(maxPart), input, cuts, o)
	agreeOutcomes(t, input, maxPart, limit, got, want)
	return got
}

// agreeOutcomes fails unless the decoder's outcome got and the
// reference's want on input agree (see agreeHand).
func agreeOutcomes(t fuzz.TB, input []byte, maxPart, limit int, got, want fuzz.Outcome[string]) {
	gc, wc := errClass(got.Err), errClass(want.Err)
	if (gc+wc == "truncatedtoo large" || gc+wc == "too largetruncated") && len(input)+2 > limit {
		// Final input that ends within two bytes of the limit inside a
		// line: the reference asks for the line's CRLF, the decoder for
		// one byte more. Either error is right; the parts agree.
		gc = wc
	}
	var se *parse.SyntaxError
	if gc == "too large" && wc == "refused" && errors.As(want.Err, &se) {
		// The decoder judges a size line's extensions once the line has
		// ended, within the limit: a line whose extensions run past the
		// limit is too large before its bytes are judged, where the
		// reference refused a byte in it.
		if rest := input[min(int(se.Offset), len(input)):]; !bytes.Contains(rest[:min(len(rest), limit)], []byte("\n")) {
			gc = wc
		}
	}
	if gc == "truncated" && wc == "refused" && !bytes.HasSuffix(input, []byte("\n")) {
		// The decoder judges a size line's extensions once the line has
		// ended: final input inside one is a truncation, where the
		// reference may already have refused a byte.
		gc = wc
	}
	if errors.Is(got.Err, ErrContentLength) || errors.Is(got.Err, ErrRepeatedContentLength) || errors.Is(got.Err, ErrTooManyFields) {
		// Refused in the trailer section, which the reference takes
		// (and may refuse something later): the parts before it agree.
		if len(got.Messages) > len(want.Messages) || !slices.Equal(got.Messages, want.Messages[:len(got.Messages)]) {
			t.Fatalf("%q, parts of %d: decoder %q, %v\nreference %q, %v", input, maxPart, got.Messages, got.Err, want.Messages, want.Err)
		}
		return
	}
	if !slices.Equal(got.Messages, want.Messages) || gc != wc {
		t.Fatalf("%q, parts of %d: decoder %q, %v\nreference %q, %v", input, maxPart, got.Messages, got.Err, want.Messages, want.Err)
	}
}

func TestChunkedDecoderValues(t *testing.T) {
	cases := []struct {
		in      string
		maxPart int
		want    string
	}{
		{"0\r\n\r\n", 0, `"" |`},
		{"000\r\n\r\n", 0, `"" |`},
		{"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", 0, `"hello" ", world" "" |`},
		{"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n", 3, `"hel" "lo" ", w" "orl" "d" "" |`},
		{"A;x=y\r\n0123456789\r\n0\r\nA: b\r\nC:d\r\n\r\n" + "1\r\nx\r\n000\r\n\r\n", 4,
			`"0123" "4567" "89" "" | "A"="b" "C"="d" "x" "" |`},
		{"0000000000000001\r\nx\r\n0\r\n\r\n", 0, `"x" "" |`}, // 16 digits
		{"3;name=value;other=\"quoted \\\"string\\\" ;=\"\r\nabc\r\n0;last\r\n\r\n", 0, `"abc" "" |`},
		{"3 ; a = b\t;\tc\r\nabc\r\n0\r\n\r\n", 0, `"abc" "" |`},
		{"3;a=\"\x80\xff\\\x80\"\r\nabc\r\n0\r\n\r\n", 0, `"abc" "" |`},
		{"4\r\n\r\n\r\n\r\n0\r\n\r\n", 0, `"\r\n\r\n" "" |`},
		{"a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n", 0, `"0123456789" "abcdefghij" "" |`},
		{"1\r\nx\r\n0\r\nA: b\r\nE:  f g \t\r\nEmpty:\r\nObs: \x80\xff\r\n\r\n", 0,
			`"x" "" | "A"="b" "E"="f g" "Empty"="" "Obs"="\x80\xff"`},
	}
	for _, c := range cases {
		out := fuzz.CheckChunkings(t, chunkedDec(c.maxPart, Options{}), []byte(c.in), fuzz.Options[string]{})
		if out.Err != nil || strings.Join(out.Messages, " ") != c.want {
			t.Errorf("%q, parts of %d: %q, %v; want %s", c.in, c.maxPart, out.Messages, out.Err, c.want)
		}
		agreeHand(t, []byte(c.in), nil, c.maxPart, 1<<10)
	}
	// Parts shrink to what the limit leaves after the size line, and to
	// the limit after it.
	out := fuzz.CheckChunkings(t, chunkedDec(0, Options{}), []byte("14\r\n0123456789abcdefghij\r\n0\r\n\r\n"), fuzz.Options[string]{MaxMessageSize: 8})
	if want := `"0123" "456789ab" "cdefghij" "" |`; out.Err != nil || strings.Join(out.Messages, " ") != want {
		t.Errorf("limit 8: %q, %v; want %s", out.Messages, out.Err, want)
	}
}

// chunkedRefusals are malformed bodies, the error each must match and
// the offset of its *parse.SyntaxError.
var chunkedRefusals = []struct {
	in   string
	want error
	off  int64
}{
	{"10000000000000000\r\n", ErrChunkSize, 0},
	{"00000000000000000\r\n\r\n", ErrChunkSize, 0},
	{"5\r\nhello\r\n123456789abcdef01\r\n", ErrChunkSize, 10},
	{"5 \r\nhello\r\n0\r\n\r\n", ErrChunkExtension, 1},
	{"5;\r\nhello\r\n0\r\n\r\n", ErrChunkExtension, 1},
	{"5;a=\"b\r\nhello\r\n0\r\n\r\n", ErrChunkExtension, 1},
	{"5;a=b c\r\nhello\r\n0\r\n\r\n", ErrChunkExtension, 1},
	{"5\rhello\r\n0\r\n\r\n", ErrBareCR, 1},
	{"5;a\rhello\r\n0\r\n\r\n", ErrBareCR, 4},
	{"5\nhello\r\n0\r\n\r\n", ErrBareLF, 1},
	{"5\r\nhello\rX0\r\n\r\n", ErrBareCR, 8},
	{"5\r\nhello\n0\r\n\r\n", ErrBareLF, 8},
	{"5\r\nhelloX\r\n0\r\n\r\n", ErrInvalidByte, 8},
	{"0\r\nA: b\r\n c\r\n\r\n", ErrObsFold, 9},
	{"0\r\nA : b\r\n\r\n", ErrSpaceBeforeColon, 4},
	{"0\r\nA: b\x00\r\n\r\n", ErrInvalidByte, 7},
	{"0\r\nA: b\r\n\n", ErrBareLF, 9},
	{"0\r\n\r\r\n", ErrBareCR, 4},
	{"1\r\nx\r\n0\r\nContent-Length: x\r\n\r\n", ErrContentLength, 9},
	{"1\r\nx\r\n0\r\ncontent-length: 1, 1\r\n\r\n", ErrRepeatedContentLength, 9},
}

// TestChunkedDecoderRefusals checks that malformed framing is refused with
// its error at its offset in every segmentation, and that the reference
// refuses it too.
func TestChunkedDecoderRefusals(t *testing.T) {
	for _, tc := range chunkedRefusals {
		for _, s := range segtest.Segmentations([]byte(tc.in)) {
			r := NewChunkedReader(pipe.FromSequence(s.Seq), Options{})
			var err error
			for err == nil {
				_, err = r.Next(context.Background())
			}
			r.Close()
			var se *parse.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tc.want) || se.Offset != tc.off {
				t.Fatalf("%q as %s: %v, want %v at %d", tc.in, s.Name, err, tc.want, tc.off)
			}
		}
		agreeHand(t, []byte(tc.in), nil, 0, 1<<10)
	}
}

// TestChunkedDecoderLimits checks the limits of Options: a chunk size over
// MaxBodySize is refused before its data arrives, an extension run is
// bounded by MaxLine and a trailer section by MaxFields and the message
// limit; a chunk's size is not bounded otherwise, since its data streams.
func TestChunkedDecoderLimits(t *testing.T) {
	first := func(in string, o Options) ([]ChunkedPart, error) {
		r := NewChunkedReader(pipe.FromBytes([]byte(in)), o)
		defer r.Close()
		var parts []ChunkedPart
		for {
			p, err := r.Next(context.Background())
			if err != nil {
				return parts, err
			}
			parts = append(parts, p)
		}
	}
	for _, tc := range []struct {
		in  string
		off int64
	}{{"100001\r\n", 0}, {"3\r\nabc\r\n100001\r\n", 8}} {
		_, err := first(tc.in, Options{MaxBodySize: 1 << 20})
		var se *parse.SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrBodyTooLarge) || se.Offset != tc.off {
			t.Errorf("%q over MaxBodySize: %v, want ErrBodyTooLarge at %d", tc.in, err, tc.off)
		}
	}
	if _, err := first("100000\r\n", Options{MaxBodySize: 1 << 20}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a chunk of MaxBodySize: %v, want a truncation", err)
	}
	if _, err := first("1;"+strings.Repeat("x", 100)+"\r\nx\r\n0\r\n\r\n", Options{MaxLine: 64}); !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("extensions over MaxLine: %v", err)
	}
	if _, err := first("1\r\nx\r\n0\r\n"+strings.Repeat("X: y\r\n", 11)+"\r\n", Options{MaxFields: 10}); !errors.Is(err, ErrTooManyFields) {
		t.Errorf("trailers over MaxFields: %v", err)
	}
	if _, err := first("1\r\nx\r\n0\r\n"+strings.Repeat("X: y\r\n", 40)+"\r\n", Options{MaxHeaderBytes: 100}); !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("trailers over MaxHeaderBytes: %v", err)
	}
	parts, err := first("ffffffffffffffff\r\nabc", Options{MaxPart: 2})
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(parts) != 1 || parts[0].Data.String() != "ab" {
		t.Errorf("a chunk of 2^64-1 bytes: %d parts, %v; want its first part and a truncation", len(parts), err)
	}
	for _, in := range []string{"", "0\r\n\r\n"} {
		if _, err := first(in, Options{}); err != io.EOF {
			t.Errorf("%q: %v, want io.EOF", in, err)
		}
	}
	for _, in := range []string{"5", "5\r\n", "5\r\nhel", "5\r\nhello", "5\r\nhello\r\n", "5\r\nhello\r\n0\r\n", "0\r\nA: b\r\n"} {
		if _, err := first(in, Options{}); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: %v, want a truncation", in, err)
		}
	}
}

// randChunked returns random bodies in the chunked coding, with sizes in
// either case or with leading zeros and extensions now and then.
func randChunked(r *rand.Rand, bodies int) []byte {
	var b []byte
	for range bodies {
		var chunks [][]byte
		var trailers []ref.Field
		for range r.IntN(5) {
			c := make([]byte, r.IntN(40))
			for i := range c {
				c[i] = "ab\r\n0;"[r.IntN(6)]
			}
			chunks = append(chunks, c)
		}
		for range r.IntN(3) {
			trailers = append(trailers, ref.Field{Name: fmt.Sprintf("X-%d", r.IntN(100)), Value: strings.Repeat("v ", r.IntN(4))})
		}
		body := ref.AppendChunked(nil, chunks, trailers)
		switch r.IntN(4) {
		case 0:
			// Extensions on the first size line.
			body = bytes.Replace(body, []byte("\r\n"), []byte(" ; e=\"q\\\"\";x\r\n"), 1)
		case 1:
			body = append([]byte("00"), body...)
		}
		b = append(b, body...)
	}
	return b
}

// TestChunkedDecoderAgainstHand decodes random bodies, every prefix of
// them and corrupted copies, cut at random, with the decoder and the
// reference.
func TestChunkedDecoderAgainstHand(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 60 {
		input := randChunked(r, 1+r.IntN(3))
		maxPart := []int{0, 1, 5, 16}[round%4]
		cuts := []int{}
		for range 4 {
			cuts = append(cuts, r.IntN(len(input)+1))
		}
		slices.Sort(cuts)
		if out := agreeHand(t, input, cuts, maxPart, 1<<10); out.Err != nil {
			t.Fatalf("%q: %v", input, out.Err)
		}
		for n := 0; n < len(input); n += 1 + len(input)/30 {
			agreeHand(t, input[:n], nil, maxPart, 1<<10)
		}
		bad := slices.Clone(input)
		for range 1 + r.IntN(3) {
			bad[r.IntN(len(bad))] = "\r\n ;\"\\0gX\x00"[r.IntN(10)]
		}
		agreeHand(t, bad, cuts, maxPart, 1<<10)
	}
}

// nginxChunked returns the chunked body of a response nginx sent
// (testdata/chunked/README.md).
func nginxChunked(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/chunked/" + name)
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok || !bytes.Contains(head, []byte("\r\nTransfer-Encoding: chunked\r\n")) {
		t.Fatalf("%s: not a chunked response", name)
	}
	return body
}

// TestChunkedDecoderNginx decodes nginx's bodies with every part size in
// random chunkings (and the small one in every chunking), against the
// reference, and checks what they hold.
func TestChunkedDecoderNginx(t *testing.T) {
	gz := nginxChunked(t, "nginx-gzip-trailers.http")
	ssi := nginxChunked(t, "nginx-ssi.http")
	r := rand.New(rand.NewPCG(9, 10))
	for _, maxPart := range []int{0, 4096, 1000} {
		for _, body := range [][]byte{gz, ssi} {
			var cuts []int
			for range 60 {
				cuts = append(cuts, r.IntN(len(body)))
			}
			slices.Sort(cuts)
			agreeHand(t, body, cuts, maxPart, 1<<20)
		}
	}
	fuzz.CheckChunkings(t, chunkedDec(0, Options{}), ssi, fuzz.Options[string]{})

	decode := func(body []byte) ([]byte, map[string]string) {
		rd := NewChunkedReader(pipe.FromBytes(body), Options{})
		defer rd.Close()
		var data []byte
		tr := map[string]string{}
		for {
			p, err := rd.Next(context.Background())
			if err == io.EOF {
				return data, tr
			} else if err != nil {
				t.Fatal(err)
			}
			data = p.Data.AppendTo(data)
			for k, v := range p.Trailers.All() {
				tr[k.String()] = v.String()
			}
		}
	}
	// The gzip'd body is the file nginx served (gzip checks its CRC-32).
	data, tr := decode(gz)
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(plain)
	if len(plain) != 200033 || hex.EncodeToString(sum[:]) != "992306717ac1e6bd9caacda6837cb18775eb4be651447f88a465e6532d255d3f" {
		t.Fatalf("decoded %d bytes, sha256 %x", len(plain), sum)
	}
	if tr["X-Trailer-One"] != "first value" || tr["Server-Timing"] != "db;dur=53, app;dur=47.2" || len(tr) != 2 {
		t.Fatalf("trailers %q", tr)
	}
	// The SSI page is the page with its includes.
	page, _ := os.ReadFile("testdata/chunked/nginx-html/page.shtml")
	part, _ := os.ReadFile("testdata/chunked/nginx-html/part.html")
	want := strings.ReplaceAll(string(page), `<!--# include file="part.html" -->`, string(part))
	if data, tr := decode(ssi); string(data) != want || tr["X-Checksum"] != "abc123" || len(tr) != 1 {
		t.Fatalf("ssi: %q, trailers %q", data, tr)
	}
}

// TestChunkedDecoderLarge streams bodies far larger than the message limit
// through a real pipe, in pieces of 1009 and 4096 bytes; the harness fails
// if the decoder keeps more than the limit (and a byte) buffered while it
// waits.
func TestChunkedDecoderLarge(t *testing.T) {
	const limit = 4 << 10
	r := rand.New(rand.NewPCG(11, 12))
	big := make([]byte, 256<<10)
	for i := range big {
		big[i] = byte(r.Uint32())
	}
	input := ref.AppendChunked(nil, [][]byte{big}, []ref.Field{{Name: "X-Sum", Value: "1"}})
	var chunks [][]byte
	for range 40 {
		chunks = append(chunks, big[:r.IntN(3*limit)])
	}
	input = ref.AppendChunked(input, chunks, nil)
	for _, piece := range []int{1009, 4096} {
		var cuts []int
		for i := piece; i < len(input); i += piece {
			cuts = append(cuts, i)
		}
		agreeHand(t, input, cuts, 0, limit)
	}
}

// TestChunkedDecoderAllocs checks that the decoder allocates nothing per
// part: reading ten times as many bodies allocates no more.
func TestChunkedDecoderAllocs(t *testing.T) {
	stream := func(bodies int) []byte {
		var b []byte
		for range bodies {
			b = ref.AppendChunked(b, [][]byte{[]byte("hello"), []byte(", world"), bytes.Repeat([]byte("x"), 100)}, []ref.Field{{Name: "A", Value: "b"}})
		}
		return b
	}
	allocs := func(input []byte) float64 {
		return testing.AllocsPerRun(20, func() {
			r := NewChunkedReader(pipe.FromBytes(input), Options{MaxPart: 16})
			for {
				if _, err := r.Next(context.Background()); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if a, b := allocs(stream(10)), allocs(stream(100)); b > a {
		t.Errorf("%v allocations for 10 bodies, %v for 100", a, b)
	}
}

// fuzzMaxPart is the part size under the fuzzer: small, so that chunks
// are cut in several parts.
const fuzzMaxPart = 7

// chunkedSeeds are the seeds of FuzzChunkedDecoder besides its corpus in
// testdata/fuzz: input and the bytes that choose its cuts.
func chunkedSeeds(t testing.TB) [][]any {
	ssi := nginxChunked(t, "nginx-ssi.http")
	return [][]any{
		{[]byte("4;a=b\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n"), []byte{5, 0}},
		{[]byte("A\r\n0123456789\r\n0\r\n\r\n"), []byte{}},
		{ssi, []byte(nil)},
		{ssi, []byte{0, 6, 200, 1}},
	}
}

// FuzzChunkedDecoder checks the decoder for chunking invariance and
// bounded memory (through the fuzz harness) and against the reference.
func FuzzChunkedDecoder(f *testing.F) {
	testutil.AddSeeds(f, chunkedSeeds(f))
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		o := fuzz.Options[string]{MaxMessageSize: 1 << 10}
		agreeOutcomes(t, data, fuzzMaxPart, 1<<10, fuzz.Fuzz(t, chunkedDec(fuzzMaxPart, Options{}), data, cuts, o), fuzz.Fuzz(t, handDec(fuzzMaxPart), data, cuts, o))
	})
}

// BenchmarkFuzzCost measures FuzzChunkedDecoder's cost per execution on
// its corpus against a bare parse of the same inputs by the decoder and
// the reference (bench/fuzzcost.sh runs it in interleaved rounds).
func BenchmarkFuzzCost(b *testing.B) {
	b.Run("Chunked", func(b *testing.B) {
		o := fuzz.Options[string]{MaxMessageSize: 1 << 10}
		testutil.BenchFuzzCost(b, testutil.FuzzCorpus(b, "FuzzChunkedDecoder", chunkedSeeds(b)...),
			func(t testing.TB, in []any) {
				data, cuts := in[0].([]byte), in[1].([]byte)
				agreeOutcomes(t, data, fuzzMaxPart, 1<<10, fuzz.Fuzz(t, chunkedDec(fuzzMaxPart, Options{}), data, cuts, o), fuzz.Fuzz(t, handDec(fuzzMaxPart), data, cuts, o))
			},
			func(_ testing.TB, in []any) {
				data := in[0].([]byte)
				parsetest.BareParse(NewChunkedDecoder(Options{MaxPart: fuzzMaxPart}).Parse, data, 1<<10)
				parsetest.BareParse(ref.NewChunkedPartsHand(fuzzMaxPart).Parse, data, 1<<10)
			})
	})
}
