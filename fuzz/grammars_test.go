package fuzz_test

// Property tests of the grammars of internal/grammars, of framing.LengthField
// against its hand-written reference there, and of framing/http1's chunked
// decoder against the hand-written chunked parser, through the
// harness, with rapid generators of their values (the gopter ones are in
// grammars_gopter_test.go): every value encoded by the grammar's encoder
// must decode to itself with both versions of the grammar (combinators and
// hand-written), whole and in a drawn chunking (the harness checks that
// they decode the same) and, now and then, in every chunking
// fuzz.CheckRoundTrip tries; and the two versions must agree on
// protocol-shaped bytes, mostly malformed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/framing/http1"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// gramVersion is one version of a grammar, as a decoder for the harness.
type gramVersion[T any] struct {
	name string
	d    fuzz.Decoder[T]
}

// gramVersions returns the two versions of a grammar.
func gramVersions[T any](combinators, hand parse.TryParse[T]) []gramVersion[T] {
	return []gramVersion[T]{{"combinators", fuzz.Parser(combinators)}, {"hand", fuzz.Parser(hand)}}
}

// gramTB is a TB that names the version under test in its failures. (It
// has no Helper method: its own could only mark itself as a helper.)
type gramTB struct {
	t    fuzz.TB
	name string
}

func (g gramTB) Fatalf(format string, args ...any) {
	if h, ok := g.t.(interface{ Helper() }); ok {
		h.Helper()
	}
	g.t.Fatalf("%s version: %s", g.name, fmt.Sprintf(format, args...))
}

// gramAllChunkings draws whether a property also checks every chunking
// fuzz.CheckChunkings tries, besides the drawn one: about one time in
// eight, and not once shrunk unless the failure needs it. Under the race
// detector that costs some 10 ms per version (some 70 checks, each with
// two runs of the decoder), too much for every one of rapid's hundred
// runs.
func gramAllChunkings(t *rapid.T) bool {
	return rapid.IntRange(0, 7).Draw(t, "allChunkings") == 7
}

// gramRoundTrip checks that every version decodes the values, encoded one
// after the other with enc, to themselves (compared with opts): whole and
// cut where fuzz.Cuts draws, and sometimes in every chunking with
// fuzz.CheckRoundTrip.
func gramRoundTrip[T any](t *rapid.T, versions []gramVersion[T], enc func([]byte, T) []byte, values []T, o fuzz.Options[T], opts ...cmp.Option) {
	t.Helper()
	var input []byte
	for _, v := range values {
		input = enc(input, v)
	}
	gramDecodes(t, versions, input, values, nil, false, o, opts...)
	if gramAllChunkings(t) {
		for _, v := range versions {
			fuzz.CheckRoundTrip(gramTB{t, v.name}, v.d, enc, values, o)
		}
	}
}

// gramDecodes checks that every version decodes input, whole and cut
// where fuzz.Cuts draws, to the messages want (compared with opts) and an
// error that errOK accepts (nil: no error); and, if all, the same in every
// chunking fuzz.CheckChunkings tries.
func gramDecodes[T any](t *rapid.T, versions []gramVersion[T], input []byte, want []T, errOK func(error) bool, all bool, o fuzz.Options[T], opts ...cmp.Option) {
	t.Helper()
	if errOK == nil {
		errOK = func(err error) bool { return err == nil }
	}
	cuts := fuzz.Cuts(len(input)).Draw(t, "cuts")
	for _, v := range versions {
		out := fuzz.Check(gramTB{t, v.name}, v.d, input, cuts, o)
		if all {
			fuzz.CheckChunkings(gramTB{t, v.name}, v.d, input, o)
		}
		if diff := cmp.Diff(want, out.Messages, opts...); diff != "" || !errOK(out.Err) {
			t.Fatalf("%s version: input %q: error %v\nmessages (-want +got):\n%s", v.name, input, out.Err, diff)
		}
	}
}

// gramAgree checks every version on input cut at cuts with fuzz.Check
// (each must decode it the same whole and in chunks) and fails t unless
// they all give the same messages (compared with opts) and the same error,
// of the same type.
func gramAgree[T any](t *rapid.T, versions []gramVersion[T], input []byte, cuts []int, o fuzz.Options[T], opts ...cmp.Option) {
	t.Helper()
	var ref fuzz.Outcome[T]
	for i, v := range versions {
		out := fuzz.Check(gramTB{t, v.name}, v.d, input, cuts, o)
		if i == 0 {
			ref = out
			continue
		}
		diff := cmp.Diff(ref.Messages, out.Messages, opts...)
		if re, oe := gramErr(ref.Err), gramErr(out.Err); diff != "" || re != oe {
			t.Fatalf("input %[1]q: the %[2]s and %[3]s versions disagree\nmessages (-%[2]s +%[3]s):\n%[4]s\nerrors:\n%[2]s: %[5]s\n%[3]s: %[6]s",
				input, versions[0].name, v.name, diff, re, oe)
		}
	}
}

// gramErr renders an error with its type.
func gramErr(err error) string {
	if err == nil {
		return "nil"
	}
	return fmt.Sprintf("%T: %v", err, err)
}

// gramSeqEqual compares sequences by their bytes.
var gramSeqEqual = cmp.Comparer(func(a, b seq.Sequence) bool { return a.String() == b.String() })

// gramBytes draws protocol-shaped bytes with the given delimiters, at most
// maxLen long.
func gramBytes(t *rapid.T, label string, maxLen int, delims ...string) []byte {
	return fuzz.Shaped(fuzz.Shape{Delims: delims, Limit: 16, MaxLen: maxLen}).Draw(t, label)
}

// --- RESP ---

// gramRESPVersions are framing/resp's grammar of values (its RESP2
// values; grammars.RESPValues) as the combinators version, and the
// hand-written RESP2 grammar of internal/grammars.
var gramRESPVersions = gramVersions(grammars.RESPValues(), grammars.RESPHand)

// gramRESP generates RESP values: simple strings and errors (no CR or
// LF), integers (often an edge of int64), bulk strings (any bytes, often
// with CRLF and RESP-looking content, sometimes null), and arrays of up to
// four elements (sometimes null, sometimes empty) nested at most depth
// deep.
func gramRESP(depth int) *rapid.Generator[grammars.RESP] {
	return rapid.Custom(func(t *rapid.T) grammars.RESP { return gramDrawRESP(t, depth) })
}

// gramInt64Edges are the edges of int64, which rapid.Int64 draws too
// rarely to be counted on.
var gramInt64Edges = []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}

func gramDrawRESP(t *rapid.T, depth int) grammars.RESP {
	kinds := []grammars.Kind{grammars.SimpleString, grammars.Error, grammars.Integer, grammars.BulkString, grammars.Array}
	if depth == 0 {
		kinds = kinds[:4]
	}
	switch k := rapid.SampledFrom(kinds).Draw(t, "kind"); k {
	case grammars.SimpleString, grammars.Error:
		return grammars.RESP{Kind: k, Str: seq.Of(gramLine(gramBytes(t, "line", 40, "+", "$-1", ":")))}
	case grammars.Integer:
		return grammars.RESP{Kind: k, Int: rapid.OneOf(rapid.Int64(), rapid.SampledFrom(gramInt64Edges)).Draw(t, "int")}
	case grammars.BulkString:
		if rapid.IntRange(0, 5).Draw(t, "null") == 5 {
			return grammars.RESP{Kind: k, Null: true}
		}
		return grammars.RESP{Kind: k, Str: seq.Of(gramBytes(t, "bulk", 64, "\r\n", "$", "*"))}
	default:
		if rapid.IntRange(0, 5).Draw(t, "null") == 5 {
			return grammars.RESP{Kind: k, Null: true}
		}
		elems := []grammars.RESP{} // empty, not nil, for *0
		for range rapid.IntRange(0, 4).Draw(t, "len") {
			elems = append(elems, gramDrawRESP(t, depth-1))
		}
		return grammars.RESP{Kind: k, Elems: elems}
	}
}

// gramLine makes b the content of a simple string or an error: it
// replaces CR and LF with spaces.
func gramLine(b []byte) []byte {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return b
}

// gramShowRESP renders a RESP value with its strings' bytes, telling a
// nil Elems from an empty one.
func gramShowRESP(v grammars.RESP) string { return string(gramAppendShowRESP(nil, v)) }

func gramAppendShowRESP(dst []byte, v grammars.RESP) []byte {
	dst = append(dst, byte(v.Kind))
	if v.Null {
		dst = append(dst, "null"...)
	}
	if v.Kind != grammars.Array {
		dst = strconv.AppendQuote(dst, v.Str.String())
		dst = append(dst, ':')
		return strconv.AppendInt(dst, v.Int, 10)
	}
	if v.Elems == nil {
		return dst
	}
	dst = append(dst, '[')
	for i, e := range v.Elems {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = gramAppendShowRESP(dst, e)
	}
	return append(dst, ']')
}

// gramAgreeRESP checks both RESP versions on input cut at cuts with
// fuzz.Check (each must decode it the same whole and in chunks) and fails
// t unless they decode the same values as far as both read: framing/resp
// reads RESP3 too, refuses "-0" and leading zeros past its limits'
// digits, and words its errors its own way (its tests check them).
func gramAgreeRESP(t *rapid.T, input []byte, cuts []int, o fuzz.Options[grammars.RESP]) {
	t.Helper()
	var outs [2]fuzz.Outcome[grammars.RESP]
	for i, v := range gramRESPVersions {
		outs[i] = fuzz.Check(gramTB{t, v.name}, v.d, input, cuts, o)
	}
	comb, hand := outs[0], outs[1]
	n := min(len(comb.Messages), len(hand.Messages))
	if diff := cmp.Diff(comb.Messages[:n], hand.Messages[:n], gramRESPText, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("input %q: the versions disagree (-combinators +hand):\n%s\nerrors: %s / %s", input, diff, gramErr(comb.Err), gramErr(hand.Err))
	}
	if comb.Err == nil && hand.Err == nil && len(comb.Messages) != len(hand.Messages) {
		t.Fatalf("input %q: combinators decoded %d values, hand %d", input, len(comb.Messages), len(hand.Messages))
	}
}

// gramRESPText compares RESP values as gramShowRESP renders them. cmp
// takes time exponential in the depth of nested one-element slices (it
// compares each element once to align the slices and again to report), so
// deeply nested values are compared this way.
var gramRESPText = cmp.Transformer("text", gramShowRESP)

func TestGrammarRESPRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		values := rapid.SliceOfN(gramRESP(3), 1, 4).Draw(t, "values")
		gramRoundTrip(t, gramRESPVersions, grammars.AppendRESP, values, fuzz.Options[grammars.RESP]{}, gramSeqEqual)
	})
}

// gramFlatRESP is the Own of the depth test: it copies a message as a
// simple string holding its gramShowRESP rendering, which the harness's
// cmp compares in time linear in the depth, where comparing the nested
// arrays would take time exponential in it (see gramRESPText).
func gramFlatRESP(v grammars.RESP) grammars.RESP {
	return grammars.RESP{Kind: grammars.SimpleString, Str: seq.Of(gramAppendShowRESP(nil, v))}
}

// gramCheckDepth checks a chain of d arrays around leaf with every version,
// fed in each chunking of chunkings: a chain at most MaxRESPDepth deep
// decodes to itself, a deeper one is a syntax error at the array that is
// too deep, at offset 4*MaxRESPDepth, with no message before it.
func gramCheckDepth(t fuzz.TB, d int, leaf grammars.RESP, chunkings func(n int) [][]int) {
	v := leaf
	for range d {
		v = grammars.RESP{Kind: grammars.Array, Elems: []grammars.RESP{v}}
	}
	input := grammars.AppendRESP(nil, v)
	o := fuzz.Options[grammars.RESP]{Own: gramFlatRESP}
	for _, ver := range gramRESPVersions {
		for _, cuts := range chunkings(len(input)) {
			out := fuzz.Check(gramTB{t, ver.name}, ver.d, input, cuts, o)
			var got []string
			for _, m := range out.Messages {
				got = append(got, m.Str.String())
			}
			if d <= grammars.MaxRESPDepth {
				if want := gramShowRESP(v); len(got) != 1 || got[0] != want || out.Err != nil {
					t.Fatalf("%s version: depth %d: got %q, error %v; want [%q], no error", ver.name, d, got, out.Err, want)
				}
				continue
			}
			var se *parse.SyntaxError
			if len(got) != 0 || !errors.As(out.Err, &se) || se.Offset != int64(4*grammars.MaxRESPDepth) || !errors.Is(out.Err, combinators.ErrDepth) {
				t.Fatalf("%s version: depth %d: got %q, error %v; want no message and a syntax error at offset %d, combinators.ErrDepth", ver.name, d, got, out.Err, 4*grammars.MaxRESPDepth)
			}
		}
	}
}

// TestGrammarRESPDepth checks the nesting bound: a chain of arrays
// MaxRESPDepth deep decodes, one deeper is a syntax error. The chains of
// MaxRESPDepth-2 to MaxRESPDepth+1 arrays around one leaf are checked in
// every chunking fuzz.CheckChunkings tries; then rapid draws leaves and a
// few cuts. (fuzz.Cuts often cuts at every byte, and the combinators take
// some 150 ms under the race detector to decode a chain that arrives a
// byte at a time: they parse it again from the start after each byte.)
func TestGrammarRESPDepth(t *testing.T) {
	leaf := grammars.RESP{Kind: grammars.BulkString, Str: seq.Of([]byte("*1\r\n$-1\r\n"))}
	for d := grammars.MaxRESPDepth - 2; d <= grammars.MaxRESPDepth+1; d++ {
		gramCheckDepth(t, d, leaf, fuzz.Chunkings)
	}
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(grammars.MaxRESPDepth-2, grammars.MaxRESPDepth+1).Draw(t, "depth")
		leaf := gramRESP(0).Draw(t, "leaf")
		gramCheckDepth(t, d, leaf, func(n int) [][]int {
			cuts := rapid.SliceOfN(rapid.IntRange(1, n-1), 0, 8).Draw(t, "cuts")
			slices.Sort(cuts)
			return [][]int{slices.Compact(cuts)}
		})
	})
}

// --- LenField ---

// The length-field grammar lives in package framing now; it is checked
// here against its hand-written reference, internal/grammars.LenFieldHand.

// gramLenCase is a length-field configuration and the bodies of its
// frames.
type gramLenCase struct {
	cfg    framing.LengthFieldOptions
	bodies [][]byte
}

// gramLen generates length-field configurations (a header of 0 to 4
// bytes, a 1-, 2-, 3-, 4- or 8-byte field of either byte order or a
// uvarint, an adjustment from minus the header and field and a bit more to
// +4, a strip of up to the header and field and 2 more, the default
// maximum or one that some frames may exceed) with one to four bodies that
// fit it.
func gramLen() *rapid.Generator[gramLenCase] {
	return rapid.Custom(func(t *rapid.T) gramLenCase {
		var c framing.LengthFieldOptions
		c.Size = rapid.SampledFrom([]int{1, 2, 3, 4, 8, framing.SizeUvarint}).Draw(t, "size")
		// The bodies drawn keep a uvarint's value under 128: one byte.
		size := max(c.Size, 1)
		c.Offset = rapid.IntRange(0, 4).Draw(t, "offset")
		c.LittleEndian = rapid.Bool().Draw(t, "littleEndian")
		c.Adjustment = rapid.IntRange(-(c.Offset+size+3), 4).Draw(t, "adjustment")
		c.Strip = rapid.IntRange(0, c.Offset+size+2).Draw(t, "strip")
		// A body is at least the header, the bytes the adjustment adds
		// after the field, and what the strip needs beyond the field.
		minLen := max(c.Offset+max(c.Adjustment, 0), c.Strip-size, 0)
		var bodies [][]byte
		for range rapid.IntRange(1, 4).Draw(t, "frames") {
			n := rapid.IntRange(minLen, minLen+48).Draw(t, "bodyLen")
			var b []byte
			if n > 0 { // MaxLen 0 would mean the default
				b = gramBytes(t, "body", n)
			}
			bodies = append(bodies, append(b, bytes.Repeat([]byte{'.'}, n-len(b))...))
		}
		if rapid.Bool().Draw(t, "hasMax") {
			longest := 0
			for _, b := range bodies {
				longest = max(longest, size+len(b))
			}
			c.MaxFrame = rapid.IntRange(1, longest+2).Draw(t, "max")
		}
		return gramLenCase{c, bodies}
	})
}

// TestGrammarLenFieldRoundTrip checks that frames decode to themselves
// without their first Strip bytes, up to the first frame longer than
// MaxFrame, which is a *framing.TooLongError at its offset. (The outcome
// is compared here, not by fuzz.CheckRoundTrip: a stripped frame does not
// say what its stripped bytes were, so it cannot be encoded again, and a
// round trip cannot end in an error.)
func TestGrammarLenFieldRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lc := gramLen().Draw(t, "case")
		c := lc.cfg
		if err := c.Validate(); err != nil {
			t.Fatalf("generated %+v: %v", c, err)
		}
		// The encoder refuses a frame over the maximum: such a frame is
		// written with no maximum, as a peer that ignores it would.
		unbounded := c
		unbounded.MaxFrame = -1
		var encoded []byte
		var want []seq.Sequence
		var errOK func(error) bool
		for _, body := range lc.bodies {
			start := len(encoded)
			var err error
			if encoded, err = framing.AppendLengthField(encoded, body, unbounded); err != nil {
				t.Fatalf("%+v: AppendLengthField(%q): %v", c, body, err)
			}
			frame := encoded[start:]
			if c.MaxFrame > 0 && len(frame) > c.MaxFrame && errOK == nil {
				// This frame is too large: the messages stop before it.
				errOK = func(err error) bool {
					var tl *framing.TooLongError
					return errors.As(err, &tl) && errors.Is(err, parse.ErrTooLarge) && tl.Offset == int64(start) && tl.Max == c.MaxFrame
				}
			}
			if errOK == nil {
				want = append(want, seq.Of(frame[c.Strip:]))
			}
		}
		versions := gramVersions(framing.LengthField(c), grammars.LenFieldHand(c))
		gramDecodes(t, versions, encoded, want, errOK, gramAllChunkings(t), fuzz.Options[seq.Sequence]{}, gramSeqEqual)
	})
}

// --- Chunked ---

// gramChunkedVersions are framing/http1's chunked decoder, its parts
// gathered into bodies, and the hand-written whole-body parser of
// internal/grammars.
var gramChunkedVersions = []gramVersion[grammars.Chunked]{{"http1", gramHTTP1Chunked}, {"hand", fuzz.Parser(grammars.ChunkedHand)}}

// gramHTTP1Chunked is the Decoder of framing/http1's ChunkedReader that
// emits each body as the hand parser returns it: its parts (copied) and
// its trailer fields. A chunk cut in parts is several elements of Body,
// so bodies are compared by their bytes (gramChunkedEqual).
func gramHTTP1Chunked(ctx context.Context, r pipe.Reader, limit int, emit func(grammars.Chunked)) error {
	cr := http1.NewChunkedReader(r, http1.Options{MaxHeaderBytes: limit})
	defer cr.Close()
	var c grammars.Chunked
	for {
		p, err := cr.Next(ctx)
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if p.Data.Len() > 0 {
			c.Body = append(c.Body, seq.Of(p.Data.Bytes()))
		}
		if p.End {
			for k, v := range p.Trailers.All() {
				c.Trailers = append(c.Trailers, grammars.Field{Name: k.String(), Value: v.String()})
			}
			emit(c)
			c = grammars.Chunked{}
		}
	}
}

// gramErrClass is how an input ended, for versions whose syntax errors
// are worded and placed differently.
func gramErrClass(err error) string {
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

// gramTchars are the characters of an HTTP token.
const gramTchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// gramToken generates HTTP tokens of 1 to 12 characters.
var gramToken = rapid.Custom(func(t *rapid.T) string {
	b := make([]byte, rapid.IntRange(1, 12).Draw(t, "tokenLen"))
	for i := range b {
		b[i] = gramTchars[rapid.IntRange(0, len(gramTchars)-1).Draw(t, "tchar")]
	}
	return string(b)
})

// gramFieldByte makes c a byte of a field value: a space, a tab, visible
// ASCII or obs-text (0x80 to 0xff); other bytes become spaces.
func gramFieldByte(c byte) byte {
	if c == '\t' || c >= ' ' && c != 0x7f {
		return c
	}
	return ' '
}

// gramFieldValue generates field values: spaces, tabs, visible ASCII and
// obs-text bytes, with whitespace at either end sometimes.
var gramFieldValue = rapid.Custom(func(t *rapid.T) string {
	b := make([]byte, rapid.IntRange(0, 20).Draw(t, "valueLen"))
	for i := range b {
		b[i] = gramFieldByte(byte(rapid.IntRange(0, 255).Draw(t, "vchar")))
	}
	return string(b)
})

// gramChunkedCase is a chunked body: the chunks given to the encoder
// (some empty, which it leaves out) and the trailer fields as written.
type gramChunkedCase struct {
	chunks   [][]byte
	trailers []grammars.Field
}

// want returns the decoded body: the chunks that are not empty, and the
// trailer values with surrounding whitespace removed.
func (c gramChunkedCase) want() grammars.Chunked {
	var w grammars.Chunked
	for _, ch := range c.chunks {
		if len(ch) > 0 {
			w.Body = append(w.Body, seq.Of(ch))
		}
	}
	for _, f := range c.trailers {
		w.Trailers = append(w.Trailers, grammars.Field{Name: f.Name, Value: strings.Trim(f.Value, " \t")})
	}
	return w
}

// gramChunked generates chunked bodies: up to four chunks of
// protocol-shaped bytes (with CRLF, "0\r\n", ";" and hex sizes inside) and
// up to three trailer fields.
var gramChunked = rapid.Custom(func(t *rapid.T) gramChunkedCase {
	var c gramChunkedCase
	for range rapid.IntRange(0, 4).Draw(t, "chunks") {
		c.chunks = append(c.chunks, gramBytes(t, "chunk", 48, "\r\n", "0\r\n\r\n", ";"))
	}
	for range rapid.IntRange(0, 3).Draw(t, "trailers") {
		c.trailers = append(c.trailers, grammars.Field{Name: gramToken.Draw(t, "name"), Value: gramFieldValue.Draw(t, "value")})
	}
	return c
})

// gramAppendChunkedValue is the encoder of decoded bodies for round trips:
// AppendChunked of the body's chunks and trailers.
func gramAppendChunkedValue(dst []byte, v grammars.Chunked) []byte {
	chunks := make([][]byte, len(v.Body))
	for i, s := range v.Body {
		chunks[i] = s.Bytes()
	}
	return grammars.AppendChunked(dst, chunks, v.Trailers)
}

// gramChunkedCmp compare decoded bodies in the tests: by their bytes
// and trailer fields (gramChunkedEqual).
var gramChunkedCmp = []cmp.Option{cmp.Comparer(gramChunkedEqual)}

// gramChunkedOptions have the harness compare decoded bodies as
// gramChunkedCmp do, but with one comparer of whole bodies: that makes a
// check some three times faster (the harness compares the messages of
// every run with cmp.Diff, which takes most of a check's time under the
// race detector, and more when it walks into each chunk), at the price of
// a diff that shows whole bodies when a chunking changes them.
var gramChunkedOptions = fuzz.Options[grammars.Chunked]{Cmp: []cmp.Option{cmp.Comparer(gramChunkedEqual)}}

// gramChunkedEqual reports whether two decoded bodies have the same bytes
// and trailer fields (a missing trailer section equal to an empty one).
func gramChunkedEqual(a, b grammars.Chunked) bool {
	return bytes.Equal(a.AppendBody(nil), b.AppendBody(nil)) &&
		(len(a.Trailers) == 0 && len(b.Trailers) == 0 || slices.Equal(a.Trailers, b.Trailers))
}

// TestGrammarChunkedRoundTrip checks that decoded bodies encode and decode
// to themselves, and that bodies written with empty chunks (which
// AppendChunked leaves out) and trailer values with whitespace around them
// decode to the body without them.
func TestGrammarChunkedRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cases := rapid.SliceOfN(gramChunked, 1, 3).Draw(t, "bodies")
		var encoded []byte
		var want []grammars.Chunked
		for _, c := range cases {
			encoded = grammars.AppendChunked(encoded, c.chunks, c.trailers)
			want = append(want, c.want())
		}
		gramRoundTrip(t, gramChunkedVersions, gramAppendChunkedValue, want, gramChunkedOptions, gramChunkedCmp...)
		var canonical []byte
		for _, w := range want {
			canonical = gramAppendChunkedValue(canonical, w)
		}
		if !bytes.Equal(encoded, canonical) {
			gramDecodes(t, gramChunkedVersions, encoded, want, nil, gramAllChunkings(t), gramChunkedOptions, gramChunkedCmp...)
		}
	})
}

// gramSizeLine is how one chunk-size line is written: the size's hex
// digits in upper case or with leading zeros, and chunk extensions, which
// the decoders skip.
type gramSizeLine struct {
	upper bool
	zeros int
	exts  string
}

// gramOWS generates optional whitespace.
var gramOWS = rapid.SampledFrom([]string{"", "", " ", "\t", " \t "})

// gramExts generates zero to two chunk extensions:
// OWS ";" OWS token [OWS "=" OWS (token / quoted-string)].
var gramExts = rapid.Custom(func(t *rapid.T) string {
	var b strings.Builder
	for range rapid.IntRange(0, 2).Draw(t, "exts") {
		b.WriteString(gramOWS.Draw(t, "ows"))
		b.WriteByte(';')
		b.WriteString(gramOWS.Draw(t, "ows"))
		b.WriteString(gramToken.Draw(t, "name"))
		switch rapid.IntRange(0, 2).Draw(t, "value") {
		case 1:
			b.WriteString(gramOWS.Draw(t, "ows") + "=" + gramOWS.Draw(t, "ows") + gramToken.Draw(t, "token"))
		case 2:
			b.WriteString(gramOWS.Draw(t, "ows") + "=" + gramOWS.Draw(t, "ows") + gramQuoted.Draw(t, "quoted"))
		}
	}
	return b.String()
})

// gramQuoted generates quoted strings with quoted pairs.
var gramQuoted = rapid.Custom(func(t *rapid.T) string {
	var b strings.Builder
	b.WriteByte('"')
	for range rapid.IntRange(0, 8).Draw(t, "quotedLen") {
		c := byte(rapid.IntRange(0, 255).Draw(t, "qchar"))
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || c >= ' ' && c != 0x7f:
			b.WriteByte(c)
		default:
			b.WriteString(`\;`)
		}
	}
	b.WriteByte('"')
	return b.String()
})

var gramSizeLines = rapid.Custom(func(t *rapid.T) gramSizeLine {
	return gramSizeLine{
		upper: rapid.Bool().Draw(t, "upper"),
		zeros: rapid.IntRange(0, 3).Draw(t, "zeros"),
		exts:  gramExts.Draw(t, "exts"),
	}
})

// gramAppendChunked appends a chunked body as AppendChunked does, but
// writes the chunk-size lines (the last chunk's too, after the others) as
// lines says.
func gramAppendChunked(dst []byte, chunks [][]byte, trailers []grammars.Field, lines []gramSizeLine) []byte {
	line := func(n int, l gramSizeLine) {
		h := strconv.FormatUint(uint64(n), 16)
		if l.upper {
			h = strings.ToUpper(h)
		}
		dst = append(dst, strings.Repeat("0", min(l.zeros, 16-len(h)))...)
		dst = append(dst, h...)
		dst = append(dst, l.exts...)
		dst = append(dst, "\r\n"...)
	}
	k := 0
	for _, c := range chunks {
		if len(c) == 0 {
			continue
		}
		line(len(c), lines[k])
		k++
		dst = append(dst, c...)
		dst = append(dst, "\r\n"...)
	}
	line(0, lines[k])
	for _, f := range trailers {
		dst = append(dst, f.Name+": "+f.Value+"\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// TestGrammarChunkedExtensions checks that chunk extensions, upper-case
// sizes and leading zeros decode to the same body.
func TestGrammarChunkedExtensions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := gramChunked.Draw(t, "body")
		lines := rapid.SliceOfN(gramSizeLines, len(c.chunks)+1, len(c.chunks)+1).Draw(t, "sizeLines")
		plain := make([]gramSizeLine, len(lines))
		if got, want := gramAppendChunked(nil, c.chunks, c.trailers, plain), grammars.AppendChunked(nil, c.chunks, c.trailers); !bytes.Equal(got, want) {
			t.Fatalf("test encoder: %q, AppendChunked: %q", got, want)
		}
		encoded := gramAppendChunked(nil, c.chunks, c.trailers, lines)
		gramDecodes(t, gramChunkedVersions, encoded, []grammars.Chunked{c.want()}, nil, gramAllChunkings(t), gramChunkedOptions, gramChunkedCmp...)
	})
}

// --- all grammars on protocol-shaped bytes ---

// TestGrammarShapedAgree feeds protocol-shaped bytes, mostly malformed, to
// both versions of every grammar: each must decode them the same wherever
// the input is cut, and they must agree on the messages and on the error.
func TestGrammarShapedAgree(t *testing.T) {
	lenCfg := framing.LengthFieldOptions{Offset: 1, Size: 2, Adjustment: -3, Strip: 3, MaxFrame: 40}
	lenVersions := gramVersions(framing.LengthField(lenCfg), grammars.LenFieldHand(lenCfg))
	varCfg := framing.LengthFieldOptions{Offset: 1, Size: framing.SizeUvarint, Adjustment: -1, Strip: 1, MaxFrame: 40}
	varVersions := gramVersions(framing.LengthField(varCfg), grammars.LenFieldHand(varCfg))
	// RESP values are compared as text: the input may nest arrays deeply.
	respOptions := fuzz.Options[grammars.RESP]{Cmp: []cmp.Option{gramRESPText}}
	rapid.Check(t, func(t *rapid.T) {
		respIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\r\n", "*1\r\n", "$2\r\n", "+", ":-"}, Limit: 16}).Draw(t, "resp")
		gramAgreeRESP(t, respIn, fuzz.Cuts(len(respIn)).Draw(t, "respCuts"), respOptions)

		lenIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\x00"}, Limit: lenCfg.MaxFrame}).Draw(t, "len")
		gramAgree(t, lenVersions, lenIn, fuzz.Cuts(len(lenIn)).Draw(t, "lenCuts"), fuzz.Options[seq.Sequence]{}, gramSeqEqual)

		varIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\x00", "\x80", "\xff\xff"}, Limit: varCfg.MaxFrame}).Draw(t, "varint")
		gramAgree(t, varVersions, varIn, fuzz.Cuts(len(varIn)).Draw(t, "varintCuts"), fuzz.Options[seq.Sequence]{}, gramSeqEqual)

		// The chunked versions word and place their syntax errors
		// differently: they must agree on the bodies and on how the
		// input ends.
		chunkedIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\r\n", "0\r\n\r\n", ";a=\"b\"", ": "}, Limit: 16}).Draw(t, "chunked")
		chunkedCuts := fuzz.Cuts(len(chunkedIn)).Draw(t, "chunkedCuts")
		var ref fuzz.Outcome[grammars.Chunked]
		for i, v := range gramChunkedVersions {
			out := fuzz.Check(gramTB{t, v.name}, v.d, chunkedIn, chunkedCuts, gramChunkedOptions)
			if i == 0 {
				ref = out
				continue
			}
			rc, oc := gramErrClass(ref.Err), gramErrClass(out.Err)
			if rc == "truncated" && oc == "refused" && !bytes.HasSuffix(chunkedIn, []byte("\n")) {
				// http1 judges a size line's extensions once the line
				// has ended: final input inside one is a truncation.
				oc = rc
			}
			if rc == "truncated" && oc == "too large" {
				// The hand version holds a whole body as one message
				// and refuses a chunk declared over the maximum; http1
				// streams the chunk in parts, so these short inputs
				// end inside it.
				oc = rc
			}
			if diff := cmp.Diff(ref.Messages, out.Messages, gramChunkedCmp...); diff != "" || rc != oc {
				t.Fatalf("input %q: the chunked versions disagree\nmessages (-%s +%s):\n%s\nerrors: %v; %v", chunkedIn, gramChunkedVersions[0].name, v.name, diff, ref.Err, out.Err)
			}
		}
	})
}
