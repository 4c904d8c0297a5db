package combinators_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// appendFrame encodes f: a heart-beat (empty Command) as "\n", any other
// frame as its command, its headers as given, a blank line, the body and a
// NUL. A body holding a NUL needs a content-length header among f.Headers.
func appendFrame(dst []byte, f Frame) []byte {
	if f.Command.IsEmpty() {
		return append(dst, '\n')
	}
	dst = append(f.Command.AppendTo(dst), '\n')
	for _, h := range f.Headers {
		dst = append(h.Key.AppendTo(dst), ':')
		dst = append(h.Value.AppendTo(dst), '\n')
	}
	dst = append(f.Body.AppendTo(append(dst, '\n')), 0)
	return dst
}

func s(v string) seq.Sequence { return seq.Of([]byte(v)) }

// stompInput is several frames: NULs in a body by content-length, CRLF
// lines, heart-beats of both kinds, a body up to its NUL.
const stompInput = "CONNECT\r\naccept-version:1.2\r\nhost:example.org\r\n\r\n\x00" +
	"\n\r\n" +
	"SEND\ndestination:/queue/a\ncontent-length:5\ncontent-type:application/octet-stream\n\n\x00\x01\x00\n\x00\x00" +
	"MESSAGE\nsubscription:0\nmessage-id:007\n\nhello, world\x00\n" +
	"DISCONNECT\nreceipt:77\n\n\x00"

var stompOpts = fuzz.Options[Frame]{MaxMessageSize: 256, Name: "stomp"}

func TestStompChunkings(t *testing.T) {
	out := fuzz.CheckChunkings(t, fuzz.Parser(stomp), []byte(stompInput), stompOpts)
	if out.Err != nil {
		t.Fatalf("error %v", out.Err)
	}
	var cmds []string
	for _, f := range out.Messages {
		cmds = append(cmds, f.Command.String())
	}
	if got, want := strings.Join(cmds, ","), "CONNECT,,,SEND,MESSAGE,,DISCONNECT"; got != want {
		t.Fatalf("commands %q, want %q", got, want)
	}
	if got := out.Messages[3].Body.String(); got != "\x00\x01\x00\n\x00" {
		t.Errorf("SEND body %q, want the 5 bytes of its content-length", got)
	}
	if got := out.Messages[0].Headers[1].Value.String(); got != "example.org" {
		t.Errorf("CRLF header value %q, want %q without the CR", got, "example.org")
	}
}

func TestStompRoundTrip(t *testing.T) {
	frames := []Frame{
		{Command: s("CONNECT"), Headers: []Header{{s("accept-version"), s("1.2")}, {s("host"), s("h")}}, Body: s("")},
		{},
		{Command: s("SEND"), Headers: []Header{{s("content-length"), s("4")}, {s("x"), s("a:b")}}, Body: s("\x00\r\n\x00")},
		{Command: s("SEND"), Headers: []Header{{s("content-length"), s("0")}}, Body: s("")},
		{Command: s("ACK"), Body: s("no headers, body up to the NUL")},
		{},
	}
	fuzz.CheckRoundTrip(t, fuzz.Parser(stomp), appendFrame, frames, stompOpts)
}

// The errors a user sees, and where: malformed input is a *parse.SyntaxError
// at the offending byte, input that ends inside a frame a truncation.
func TestStompErrors(t *testing.T) {
	for _, tc := range []struct {
		in     string
		offset int64
		msg    string
		is     error // also matched by errors.Is, if not nil
	}{
		{"send\n\n\x00", 0, "parse: at offset 0: expected command", nil},
		{"SEND \n\n\x00", 4, "parse: at offset 4: expected end of line", nil},
		{"SEND\nfoo\n\n\x00", 8, "parse: at offset 8: expected ':'", nil},
		{"SEND\n:v\n\n\x00", 5, "parse: at offset 5: expected end of line or header", nil},
		{"SEND\r\n\r\x00", 6, "parse: at offset 6: expected end of line or header", nil},
		{"SEND\ncontent-length:abc\n\n\x00", 20, "parse: at offset 20: expected digit", nil},
		{"SEND\ncontent-length:-1\n\n\x00", 20, "parse: at offset 20: expected digit", nil},
		{"SEND\ncontent-length:5x\n\nhello\x00", 21, "parse: at offset 21: expected end of line", nil},
		{"SEND\ncontent-length:3\n\nhello\x00", 26, "parse: at offset 26: expected NUL after the body", nil},
		{"SEND\ncontent-length:99999999999\n\n\x00", 20,
			"parse: at offset 20: number above the maximum 1073741824: combinators: number out of range", combinators.ErrRange},
		// Truncated: the whole input is the start of a frame.
		{"SEND", 0, "parse: input ended inside a message: 4 bytes at offset 0: unexpected EOF", io.ErrUnexpectedEOF},
		{"SEND\ndest:a\n", 0, "parse: input ended inside a message: 12 bytes at offset 0: unexpected EOF", io.ErrUnexpectedEOF},
		{"SEND\ndest:a\n\nhello", 0, "parse: input ended inside a message: 18 bytes at offset 0: unexpected EOF", io.ErrUnexpectedEOF},
		{"SEND\ncontent-length:5\n\nhel", 0, "parse: input ended inside a message: 26 bytes at offset 0: unexpected EOF", io.ErrUnexpectedEOF},
		{"\n\nACK\n\n\x00\r", 8, "parse: input ended inside a message: 1 byte at offset 8: unexpected EOF", io.ErrUnexpectedEOF},
	} {
		out := fuzz.CheckChunkings(t, fuzz.Parser(stomp), []byte(tc.in), stompOpts)
		err := out.Err
		if err == nil || err.Error() != tc.msg {
			t.Errorf("%q: error %v, want %s", tc.in, err, tc.msg)
			continue
		}
		var se *parse.SyntaxError
		var te *parse.TruncatedError
		switch {
		case errors.As(err, &se):
			if se.Offset != tc.offset {
				t.Errorf("%q: offset %d, want %d", tc.in, se.Offset, tc.offset)
			}
		case errors.As(err, &te):
			if te.Offset != tc.offset {
				t.Errorf("%q: offset %d, want %d", tc.in, te.Offset, tc.offset)
			}
		default:
			t.Errorf("%q: %T, want a *parse.SyntaxError or *parse.TruncatedError", tc.in, err)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%q: errors.Is(%v, %v) is false", tc.in, err, tc.is)
		}
	}
}

// A content-length past the maximum message size is refused before the
// body is waited for.
func TestStompLengthOverLimit(t *testing.T) {
	in := "SEND\ncontent-length:1000\n\n" + strings.Repeat("x", 300)
	r := parse.NewReader(pipe.FromBytes([]byte(in)), stomp, parse.Options{MaxMessageSize: 256})
	defer r.Close()
	_, err := r.Next(context.Background())
	var se *parse.SizeError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *parse.SizeError", err, err)
	}
}

func FuzzStomp(f *testing.F) {
	f.Add([]byte(stompInput), []byte{3, 0, 17})
	f.Add([]byte("SEND\ncontent-length:3\n\na\x00b\x00\r\n"), []byte{})
	f.Add([]byte("SEND\ncontent-length:99\n\nab\x00"), []byte{1})
	f.Add([]byte("\r\r\n\nSEND\nk:v\r\n\r\nbody"), []byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(stomp), data, cuts, stompOpts)
	})
}

// BenchmarkFuzzCost measures FuzzStomp's body's cost per execution against
// a bare parse of the same inputs (bench/fuzzcost.sh): the guide's input in
// a few chunkings, and frames with a content-length body.
func BenchmarkFuzzCost(b *testing.B) {
	decoder := fuzz.Parser(stomp)
	inputs := [][]any{
		{[]byte(stompInput), []byte{3, 0, 17}},
		{[]byte(stompInput), []byte{}},
		{[]byte(stompInput + stompInput), []byte{40, 1, 2, 90}},
		{[]byte("SEND\ncontent-length:3\n\na\x00b\x00\r\n"), []byte{}},
		{[]byte("SEND\ncontent-length:5x\n\nhello\x00"), []byte{7}},
	}
	b.Run("Stomp", func(b *testing.B) {
		testutil.BenchFuzzCost(b, inputs,
			func(tb testing.TB, in []any) { fuzz.Fuzz(tb, decoder, in[0].([]byte), in[1].([]byte), stompOpts) },
			func(_ testing.TB, in []any) { parsetest.BareParse(stomp, in[0].([]byte), stompOpts.MaxMessageSize) })
	})
}

// TestGrammarGuideQuotesStomp keeps docs/grammar.md true: every Go block of
// its STOMP section is quoted verbatim from this package's STOMP files.
func TestGrammarGuideQuotesStomp(t *testing.T) {
	testutil.QuotesVerbatim(t, "../docs/grammar.md", "## A complete protocol: STOMP-like frames", 2,
		"example_stomp_test.go", "stomp_test.go")
}

// TestPackageDocQuotesExample keeps the package documentation's grammar
// compiling: its code block is the body of Example, verbatim.
func TestPackageDocQuotesExample(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := os.ReadFile("example_stomp_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var block strings.Builder
	for _, line := range strings.Split(string(doc), "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			block.WriteString("\t" + code + "\n")
		}
	}
	if block.Len() == 0 {
		t.Fatal("doc.go has no code block")
	}
	if !strings.Contains(string(ex), block.String()) {
		t.Errorf("the code block of doc.go is not in Example:\n%s", block.String())
	}
}

// BenchmarkStomp reads frames of each body kind; allocs/op over frames/op
// is the cost of the grammar per frame (the headers' slice and the closures
// Bind builds).
func BenchmarkStomp(b *testing.B) {
	for _, bc := range []struct{ name, frame string }{
		{"nul", "SEND\ndestination:/queue/a\nreceipt:1\n\nhello, world\x00"},
		{"content-length", "SEND\ndestination:/queue/a\ncontent-length:12\n\nhello,\x00world\x00"},
		{"heart-beat", "\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const frames = 100
			in := []byte(strings.Repeat(bc.frame, frames))
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				r := parse.NewReader(pipe.FromBytes(in), stomp, parse.Options{MaxMessageSize: 64 << 10})
				n := 0
				for range r.All(context.Background()) {
					n++
				}
				if n != frames || r.Err() != nil {
					b.Fatalf("%d frames, error %v", n, r.Err())
				}
				r.Close()
			}
		})
	}
}
