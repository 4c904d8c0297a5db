package fuzz_test

// Property tests of the three grammars of internal/grammars, with rapid
// generators of their values: every value encoded by the grammar's encoder
// must decode to itself with both versions of the grammar (combinators and
// hand-written), from one buffer and fed in chunks through a real pipe.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// gramSeqEqual compares sequences by their bytes.
var gramSeqEqual = cmp.Comparer(func(a, b seq.Sequence) bool { return a.String() == b.String() })

// gramVersion is one version of a grammar.
type gramVersion[T any] struct {
	name string
	p    parse.TryParse[T]
}

// gramRead reads src to its end with p and returns the messages, each
// copied by own before the next read, and the error (nil at a clean end).
func gramRead[T any](src pipe.Reader, p parse.TryParse[T], own func(T) T) ([]T, error) {
	r := parse.NewReader(src, p, parse.Options{})
	defer r.Close()
	var msgs []T
	for {
		m, err := r.Next(context.Background())
		if err == io.EOF {
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, own(m))
	}
}

// gramFeed returns the reader of a pipe that a goroutine writes chunks to,
// one Write each, before completing it, and a function that waits for that
// goroutine. Small segments and thresholds make the data span segments and
// the writer wait for the reader.
func gramFeed(chunks [][]byte) (pipe.Reader, func()) {
	p := pipe.New(pipe.Options{SegmentSize: 16, PauseThreshold: 256, ResumeThreshold: 128})
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := p.Writer()
		for _, c := range chunks {
			if _, err := w.Write(context.Background(), c); err != nil {
				break
			}
		}
		w.Complete(nil)
	}()
	return p.Reader(), func() { <-done }
}

// gramCheck decodes encoded with every version, from one buffer and fed in
// chunks cut where fuzz.Cuts says, and fails t unless each run gives the
// messages want and an error that errOK accepts (nil: no error).
func gramCheck[T any](t *rapid.T, versions []gramVersion[T], encoded []byte, own func(T) T, want []T, errOK func(error) bool, opts ...cmp.Option) {
	t.Helper()
	cuts := fuzz.Cuts(len(encoded)).Draw(t, "cuts")
	if errOK == nil {
		errOK = func(err error) bool { return err == nil }
	}
	for _, v := range versions {
		for _, feed := range []string{"whole", "chunked"} {
			var got []T
			var err error
			if feed == "whole" {
				got, err = gramRead(pipe.FromBytes(encoded), v.p, own)
			} else {
				src, wait := gramFeed(fuzz.Chunks(encoded, cuts))
				got, err = gramRead(src, v.p, own)
				wait()
			}
			if diff := cmp.Diff(want, got, opts...); diff != "" {
				t.Fatalf("%s, %s: encoding %q: messages differ (-want +got):\n%s", v.name, feed, encoded, diff)
			}
			if !errOK(err) {
				t.Fatalf("%s, %s: encoding %q: unexpected error %v", v.name, feed, encoded, err)
			}
		}
	}
}

// gramBytes draws protocol-shaped bytes with the given delimiters, at most
// maxLen long.
func gramBytes(t *rapid.T, label string, maxLen int, delims ...string) []byte {
	return fuzz.Shaped(fuzz.Shape{Delims: delims, Limit: 16, MaxLen: maxLen}).Draw(t, label)
}

// --- RESP ---

var gramRESPVersions = []gramVersion[grammars.RESP]{
	{"combinators", grammars.RESPCombinators()},
	{"hand", grammars.RESPHand},
}

// gramRESP generates RESP values: simple strings and errors (no CR or
// LF), integers (edges of int64 included), bulk strings (any bytes, often
// with CRLF and RESP-looking content, sometimes null), and arrays of up to
// four elements (sometimes null, sometimes empty) nested at most depth
// deep.
func gramRESP(depth int) *rapid.Generator[grammars.RESP] {
	return rapid.Custom(func(t *rapid.T) grammars.RESP { return gramDrawRESP(t, depth) })
}

func gramDrawRESP(t *rapid.T, depth int) grammars.RESP {
	kinds := []grammars.Kind{grammars.SimpleString, grammars.Error, grammars.Integer, grammars.BulkString, grammars.Array}
	if depth == 0 {
		kinds = kinds[:4]
	}
	switch k := rapid.SampledFrom(kinds).Draw(t, "kind"); k {
	case grammars.SimpleString, grammars.Error:
		b := gramBytes(t, "line", 40, "+", "$-1", ":")
		for i, c := range b {
			if c == '\r' || c == '\n' {
				b[i] = ' '
			}
		}
		return grammars.RESP{Kind: k, Str: seq.Of(b)}
	case grammars.Integer:
		return grammars.RESP{Kind: k, Int: rapid.Int64().Draw(t, "int")}
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

func TestGrammarRESPRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		values := rapid.SliceOfN(gramRESP(3), 1, 4).Draw(t, "values")
		var encoded []byte
		for _, v := range values {
			encoded = grammars.AppendRESP(encoded, v)
		}
		gramCheck(t, gramRESPVersions, encoded, grammars.RESP.Clone, values, nil, gramSeqEqual)
	})
}

// TestGrammarRESPDepth checks the nesting bound: a chain of arrays
// MaxRESPDepth deep decodes, one deeper is a syntax error.
func TestGrammarRESPDepth(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(grammars.MaxRESPDepth-2, grammars.MaxRESPDepth+1).Draw(t, "depth")
		v := gramRESP(0).Draw(t, "leaf")
		for range d {
			v = grammars.RESP{Kind: grammars.Array, Elems: []grammars.RESP{v}}
		}
		want := []grammars.RESP{v}
		var errOK func(error) bool
		if d > grammars.MaxRESPDepth {
			want = nil
			errOK = func(err error) bool {
				var se *parse.SyntaxError
				return errors.As(err, &se) && se.Offset == int64(4*grammars.MaxRESPDepth) && strings.Contains(err.Error(), "nested deeper")
			}
		}
		// Compared as text: cmp.Diff takes time exponential in the depth
		// of nested one-element slices.
		gramCheck(t, gramRESPVersions, grammars.AppendRESP(nil, v), grammars.RESP.Clone, want, errOK, cmp.Transformer("text", gramShowRESP))
	})
}

// --- LenField ---

// gramLenCase is a LenField configuration and the bodies of its frames.
type gramLenCase struct {
	cfg    grammars.LenField
	bodies [][]byte
}

// gramLen generates LenField configurations (a header of 0 to 4 bytes, a
// 1-, 2-, 4- or 8-byte field of either byte order, an adjustment from
// minus the header and field and a bit more to +4, a strip of up to the
// header and field and 2 more, no maximum or one that some frames may
// exceed) with one to four bodies that fit it.
func gramLen() *rapid.Generator[gramLenCase] {
	return rapid.Custom(func(t *rapid.T) gramLenCase {
		var c grammars.LenField
		c.Length = rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "length")
		c.Offset = rapid.IntRange(0, 4).Draw(t, "offset")
		c.LittleEndian = rapid.Bool().Draw(t, "littleEndian")
		c.Adjustment = rapid.IntRange(-(c.Offset+c.Length+3), 4).Draw(t, "adjustment")
		c.Strip = rapid.IntRange(0, c.Offset+c.Length+2).Draw(t, "strip")
		// A body is at least the header, the bytes the adjustment adds
		// after the field, and what the strip needs beyond the field.
		minLen := max(c.Offset+max(c.Adjustment, 0), c.Strip-c.Length, 0)
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
				longest = max(longest, c.Length+len(b))
			}
			c.Max = rapid.IntRange(1, longest+2).Draw(t, "max")
		}
		return gramLenCase{c, bodies}
	})
}

func TestGrammarLenFieldRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lc := gramLen().Draw(t, "case")
		c := lc.cfg
		if err := c.Validate(); err != nil {
			t.Fatalf("generated %+v: %v", c, err)
		}
		var encoded []byte
		var want []seq.Sequence
		var errOK func(error) bool
		for _, body := range lc.bodies {
			start := len(encoded)
			encoded = c.Append(encoded, body)
			frame := encoded[start:]
			if c.Max > 0 && len(frame) > c.Max && errOK == nil {
				// This frame is too large: the messages stop before it.
				errOK = func(err error) bool {
					var se *parse.SizeError
					return errors.As(err, &se) && errors.Is(err, parse.ErrTooLarge) && se.Offset == int64(start) && se.Limit == c.Max
				}
			}
			if errOK == nil {
				want = append(want, seq.Of(frame[c.Strip:]))
			}
		}
		versions := []gramVersion[seq.Sequence]{{"combinators", c.Combinators()}, {"hand", c.Hand}}
		own := func(s seq.Sequence) seq.Sequence { return seq.Of(s.Bytes()) }
		gramCheck(t, versions, encoded, own, want, errOK, gramSeqEqual)
	})
}

// --- Chunked ---

var gramChunkedVersions = []gramVersion[grammars.Chunked]{
	{"combinators", grammars.ChunkedCombinators()},
	{"hand", grammars.ChunkedHand},
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

// gramFieldValue generates field values: spaces, tabs, visible ASCII and
// obs-text bytes (0x80 to 0xff), with whitespace at either end sometimes.
var gramFieldValue = rapid.Custom(func(t *rapid.T) string {
	b := make([]byte, rapid.IntRange(0, 20).Draw(t, "valueLen"))
	for i := range b {
		switch c := rapid.IntRange(0, 255).Draw(t, "vchar"); {
		case c == '\t' || c >= ' ' && c != 0x7f:
			b[i] = byte(c)
		default:
			b[i] = ' '
		}
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

// gramChunkedOpts compares decoded bodies: chunk sequences by their bytes,
// and a missing body or trailer section as an empty one.
var gramChunkedOpts = []cmp.Option{gramSeqEqual, cmpopts.EquateEmpty()}

func TestGrammarChunkedRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cases := rapid.SliceOfN(gramChunked, 1, 3).Draw(t, "bodies")
		var encoded []byte
		var want []grammars.Chunked
		for _, c := range cases {
			encoded = grammars.AppendChunked(encoded, c.chunks, c.trailers)
			want = append(want, c.want())
		}
		gramCheck(t, gramChunkedVersions, encoded, grammars.Chunked.Clone, want, nil, gramChunkedOpts...)
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
		gramCheck(t, gramChunkedVersions, encoded, grammars.Chunked.Clone, []grammars.Chunked{c.want()}, nil, gramChunkedOpts...)
	})
}

// --- all grammars on protocol-shaped bytes ---

// gramOutcome renders what decoding gave, for comparing runs: the
// messages and the error with its type.
func gramOutcome[T any](msgs []T, err error) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%+v\n", m)
	}
	if err != nil {
		fmt.Fprintf(&b, "error %T: %v", err, err)
	}
	return b.String()
}

// gramAgree fails t unless every version of a grammar decodes input to the
// same messages and error, whole and in chunks.
func gramAgree[T any](t *rapid.T, versions []gramVersion[T], input []byte, cuts []int, show func(T) string) {
	t.Helper()
	ref, refName := "", ""
	for _, v := range versions {
		for _, feed := range []string{"whole", "chunked"} {
			var got []string
			var err error
			if feed == "whole" {
				got, err = gramReadShow(pipe.FromBytes(input), v.p, show)
			} else {
				src, wait := gramFeed(fuzz.Chunks(input, cuts))
				got, err = gramReadShow(src, v.p, show)
				wait()
			}
			o := gramOutcome(got, err)
			name := v.name + "/" + feed
			if refName == "" {
				ref, refName = o, name
			} else if o != ref {
				t.Fatalf("input %q:\n%s:\n%s\n%s:\n%s", input, refName, ref, name, o)
			}
		}
	}
}

// gramReadShow reads src to its end with p, rendering each message before
// the next read.
func gramReadShow[T any](src pipe.Reader, p parse.TryParse[T], show func(T) string) ([]string, error) {
	r := parse.NewReader(src, p, parse.Options{})
	defer r.Close()
	var out []string
	for m := range r.All(context.Background()) {
		out = append(out, show(m))
	}
	return out, r.Err()
}

// gramShowRESP renders a RESP value with its strings' bytes.
func gramShowRESP(v grammars.RESP) string {
	if v.Kind != grammars.Array {
		return fmt.Sprintf("%c%q:%d:%t", v.Kind, v.Str.String(), v.Int, v.Null)
	}
	var parts []string
	for _, e := range v.Elems {
		parts = append(parts, gramShowRESP(e))
	}
	return fmt.Sprintf("*%t[%s]", v.Null, strings.Join(parts, " "))
}

// TestGrammarShapedAgree feeds protocol-shaped bytes, mostly malformed, to
// both versions of every grammar: they must agree on the messages and on
// the error, wherever the input is cut.
func TestGrammarShapedAgree(t *testing.T) {
	lenCfg := grammars.LenField{Offset: 1, Length: 2, Adjustment: -3, Strip: 3, Max: 40}
	rapid.Check(t, func(t *rapid.T) {
		respIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\r\n", "*1\r\n", "$2\r\n", "+", ":-"}, Limit: 16}).Draw(t, "resp")
		gramAgree(t, gramRESPVersions, respIn, fuzz.Cuts(len(respIn)).Draw(t, "respCuts"), gramShowRESP)

		lenIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\x00"}, Limit: lenCfg.Max}).Draw(t, "len")
		lenVersions := []gramVersion[seq.Sequence]{{"combinators", lenCfg.Combinators()}, {"hand", lenCfg.Hand}}
		gramAgree(t, lenVersions, lenIn, fuzz.Cuts(len(lenIn)).Draw(t, "lenCuts"), seq.Sequence.String)

		chunkedIn := fuzz.Shaped(fuzz.Shape{Delims: []string{"\r\n", "0\r\n\r\n", ";a=\"b\"", ": "}, Limit: 16}).Draw(t, "chunked")
		gramAgree(t, gramChunkedVersions, chunkedIn, fuzz.Cuts(len(chunkedIn)).Draw(t, "chunkedCuts"), func(c grammars.Chunked) string {
			return fmt.Sprintf("%q %q", c.AppendBody(nil), c.Trailers)
		})
	})
}
