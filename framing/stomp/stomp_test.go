package stomp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/framing/stomp"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

func show(f stomp.Frame) string {
	if f.IsHeartBeat() {
		return "heart-beat"
	}
	var b strings.Builder
	b.WriteString(f.Command.String())
	for _, h := range f.Headers {
		fmt.Fprintf(&b, " %s=%s", h.Name, h.Value)
	}
	fmt.Fprintf(&b, " body=%q", f.Body.String())
	return b.String()
}

func decode(t *testing.T, p parse.TryParse[stomp.Frame], input string, limit int) ([]string, error) {
	t.Helper()
	out := fuzz.CheckChunkings(t, fuzz.Parser(p), []byte(input), fuzz.Options[stomp.Frame]{MaxMessageSize: limit})
	var got []string
	for _, m := range out.Messages {
		got = append(got, show(m))
	}
	return got, out.Err
}

var cases = []struct{ in, want string }{
	{"CONNECT\naccept-version:1.2\nhost:a:b\n\n\x00", `CONNECT accept-version=1.2 host=a:b body=""`},
	{"STOMP\r\nlogin:a\\b\r\n\r\n\x00", `STOMP login=a\b body=""`},
	{"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\x00\n\n", `CONNECTED version=1.2 heart-beat=0,0 body=""` + "|heart-beat|heart-beat"},
	{"SEND\ndestination:/queue/a\ncontent-length:3\n\na\x00b\x00", `SEND destination=/queue/a content-length=3 body="a\x00b"`},
	{"SEND\ndestination:/q\n\nhello\x00", `SEND destination=/q body="hello"`},
	{"SEND\r\nk\\c1:v\\n\\r\\\\\\c\r\n\r\n\x00", `SEND k\c1=v\n\r\\\c body=""`},
	{"MESSAGE\nsubscription:0\nmessage-id:1\nfoo:1\nfoo:2\n\n\x00", `MESSAGE subscription=0 message-id=1 foo=1 foo=2 body=""`},
	{"SEND\ncontent-length:1\ncontent-length:5\n\nx\x00", `SEND content-length=1 content-length=5 body="x"`},
	{"SEND\nempty:\n\n\x00", `SEND empty= body=""`},
	{"\r\n\n", "heart-beat|heart-beat"},
	{"DISCONNECT\nreceipt:77\n\n\x00\r\n", `DISCONNECT receipt=77 body=""|heart-beat`},
}

// TestDecode reads every case alone and all in one stream over every
// chunking.
func TestDecode(t *testing.T) {
	p := stomp.Frames(stomp.Limits{})
	var all strings.Builder
	var want []string
	for _, tc := range cases {
		got, err := decode(t, p, tc.in, 0)
		if err != nil || strings.Join(got, "|") != tc.want {
			t.Errorf("%q: got %q, %v; want %s", tc.in, got, err, tc.want)
		}
		all.WriteString(tc.in)
		want = append(want, tc.want)
	}
	if got, err := decode(t, p, all.String(), 0); err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("one stream: got %q, %v", got, err)
	}
}

// TestHeaderFirstWins: the first of repeated headers is the value, and the
// first content-length sizes the body.
func TestHeaderFirstWins(t *testing.T) {
	r := parse.NewReader(pipe.FromBytes([]byte("SEND\nfoo:1\nfoo:2\ncontent-length:2\ncontent-length:0\n\nab\x00")),
		stomp.Frames(stomp.Limits{}), parse.Options{})
	defer r.Close()
	f, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Header("foo"); !ok || v.String() != "1" || f.Body.String() != "ab" {
		t.Errorf("foo=%q %v body %q", v.String(), ok, f.Body.String())
	}
	if _, ok := f.Header("bar"); ok {
		t.Error("bar found")
	}
}

// TestEscapes: Unescape undoes AppendEscaped, and frames that escape say
// so.
func TestEscapes(t *testing.T) {
	for _, s := range []string{"", "plain", "a:b", "\\", "line\r\nnext", `\c`, "::\\\\::"} {
		enc := stomp.AppendEscaped(nil, s)
		if bytes.ContainsAny(enc, ":\r\n") {
			t.Errorf("%q escaped to %q", s, enc)
		}
		if got := stomp.Unescape(nil, seq.Of(enc)); string(got) != s {
			t.Errorf("%q: escaped %q, unescaped %q", s, enc, got)
		}
	}
	for cmd, want := range map[string]bool{"CONNECT": false, "CONNECTED": false, "STOMP": false, "SEND": true, "MESSAGE": true} {
		if got := (stomp.Frame{Command: seq.Of([]byte(cmd))}).Escaped(); got != want {
			t.Errorf("%s: Escaped %v", cmd, got)
		}
	}
}

// TestRoundTrip: what Append writes, Frames reads back, and Encode writes
// the same bytes.
func TestRoundTrip(t *testing.T) {
	b := func(s string) seq.Sequence { return seq.Of([]byte(s)) }
	esc := func(s string) seq.Sequence { return seq.Of(stomp.AppendEscaped(nil, s)) }
	frames := []stomp.Frame{
		{Command: b("CONNECT"), Headers: []stomp.Header{{b("accept-version"), b("1.2")}, {b("host"), b("h:1")}}},
		{},
		{Command: b("SEND"), Headers: []stomp.Header{{esc("key:x"), esc("v\r\n\\")}, {b("content-length"), b("3")}}, Body: b("\x00\x00\x00")},
		{Command: b("MESSAGE"), Body: b(strings.Repeat("m", 9000))},
		{Command: b("ACK"), Headers: []stomp.Header{{b("id"), b("")}}},
	}
	fuzz.CheckRoundTrip(t, fuzz.Parser(stomp.Frames(stomp.Limits{})), stomp.Append, frames, fuzz.Options[stomp.Frame]{})
	var out bytes.Buffer
	w := pipe.NewWriter(&out, pipe.WriterOptions{})
	var want []byte
	for _, f := range frames {
		stomp.Encode(w, f)
		want = stomp.Append(want, f)
	}
	w.Complete(nil)
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("Encode wrote %q, Append %q", out.Bytes(), want)
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isSyntax(err error) bool {
	var se *parse.SyntaxError
	return errors.As(err, &se)
}

func offsetOf(err error) int64 {
	var se *parse.SyntaxError
	var ze *parse.SizeError
	var te *parse.TruncatedError
	switch {
	case errors.As(err, &ze):
		return ze.Offset
	case errors.As(err, &te):
		return te.Offset
	case errors.As(err, &se):
		return se.Offset
	}
	return -1
}

// TestErrors: malformed, truncated and oversized frames, with the typed
// errors and offsets the docs promise, over every chunking.
func TestErrors(t *testing.T) {
	small := stomp.Limits{MaxBody: 8, MaxHeaders: 2, MaxHeaderLine: 32}
	for _, tc := range []struct {
		name  string
		l     stomp.Limits
		in    string
		msgs  int
		check func(error) bool
		off   int64
	}{
		{"undefined escape", stomp.Limits{}, "SEND\nk:a\\tb\n\n\x00", 0, isSyntax, 9},
		{"undefined escape in name", stomp.Limits{}, "\nSEND\nk\\x:a\n\n\x00", 1, isSyntax, 8},
		{"colon in escaped value", stomp.Limits{}, "SEND\nk:a:b\n\n\x00", 0, isSyntax, 8},
		{"lower-case command", stomp.Limits{}, "send\n\n\x00", 0, isSyntax, 0},
		{"command over 64 bytes", stomp.Limits{}, strings.Repeat("A", 65) + "\n\n\x00", 0, isSyntax, 64},
		{"no NUL after the body", stomp.Limits{}, "SEND\ncontent-length:1\n\nab\x00", 0, isSyntax, 24},
		{"content-length not a number", stomp.Limits{}, "SEND\ncontent-length:x\n\n\x00", 0, isSyntax, 20},
		{"content-length over the limit", small, "SEND\ncontent-length:9\n\n", 0, isErr(stomp.ErrBodySize), 20},
		{"body over the limit", small, "SEND\n\n123456789\x00", 0, isErr(parse.ErrTooLarge), 6},
		{"too many headers", small, "SEND\na:1\nb:2\nc:3\n\n\x00", 0, isSyntax, 13},
		{"header line too long", small, "SEND\na:" + strings.Repeat("x", 40) + "\n\n\x00", 0, isErr(parse.ErrTooLarge), 5},
		{"truncated body", stomp.Limits{}, "SEND\ncontent-length:5\n\nab", 0, isErr(io.ErrUnexpectedEOF), 0},
		{"truncated NUL body", stomp.Limits{}, "SEND\n\nabc", 0, isErr(io.ErrUnexpectedEOF), 0},
		{"bare CR", stomp.Limits{}, "\rSEND\n\n\x00", 0, isSyntax, 0},
		// A bad escape inside a header line longer than its limit, the line's
		// end not yet sent: the escape is refused where it is in every
		// chunking, not as too large when the bytes arrive in pieces.
		{"undefined escape in a long unended value", small, "SEND\nk:a\\tb" + strings.Repeat("x", 40), 0, isSyntax, 9},
		{"undefined escape in a long unended name", small, "SEND\nk\\x" + strings.Repeat("x", 40), 0, isSyntax, 7},
	} {
		got, err := decode(t, stomp.Frames(tc.l), tc.in, tc.l.MessageSize())
		if len(got) != tc.msgs || !tc.check(err) || offsetOf(err) != tc.off {
			t.Errorf("%s: %q gave %q, %v; want offset %d", tc.name, tc.in, got, err, tc.off)
		}
	}
}

// TestHugeSizeRefusedAtOnce: a content-length over the limit is refused on
// a connection that stays open, without waiting for the body.
func TestHugeSizeRefusedAtOnce(t *testing.T) {
	p := pipe.New(pipe.Options{})
	if _, err := p.Writer().Write(context.Background(), []byte("SEND\ncontent-length:99999999999\n")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := parse.NewReader(p.Reader(), stomp.Frames(stomp.Limits{}), parse.Options{MaxMessageSize: stomp.DefaultLimits.MessageSize()})
	defer r.Close()
	if _, err := r.Next(ctx); !errors.Is(err, stomp.ErrBodySize) {
		t.Errorf("got %v, want ErrBodySize before the body", err)
	}
}

// TestByteAtATime: SENDs, MESSAGEs, heart-beats and two large bodies (one by content-length, one up to its NUL) a byte per read, at two sizes, the larger
// four times the smaller: the time must grow about linearly (a re-parse of
// the buffered message on every read, quadratic, would make it 16 times).
// The larger input is about 1.2 MB with two 256 KiB bodies; the ratio, not a wall-clock bound, is
// checked, since the machine may be loaded and the race detector on.
func TestByteAtATime(t *testing.T) {
	run := func(k int) time.Duration {
		var in []byte
		for i := range k * 1800 / scale {
			in = fmt.Appendf(in, "SEND\ndestination:/queue/%d\ncontent-length:5\n\nhello\x00\nMESSAGE\nsubscription:1\n\nbody\x00", i)
		}
		big := bytes.Repeat([]byte("x"), k<<16/scale)
		in = stomp.Append(in, stomp.Frame{Command: seq.Of([]byte("SEND")), Body: seq.Of(big)})
		in = stomp.Append(in, stomp.Frame{Command: seq.Of([]byte("SEND")), Headers: []stomp.Header{
			{Name: seq.Of([]byte("content-length")), Value: seq.Of([]byte(strconv.Itoa(k << 16 / scale)))}}, Body: seq.Of(big)})
		start := time.Now()
		r := parse.NewReader(pipe.NewReader(&segtest.Bytewise{Data: in}, pipe.ReaderOptions{}), stomp.Frames(stomp.Limits{}),
			parse.Options{MaxMessageSize: stomp.DefaultLimits.MessageSize()})
		defer r.Close()
		n, largest := 0, 0
		for f := range r.All(context.Background()) {
			n++
			largest = max(largest, f.Body.Len())
		}
		if err := r.Err(); err != nil || n != k*3*(1800/scale)+2 || largest != k<<16/scale {
			t.Fatalf("%d messages, largest %d: %v", n, largest, err)
		}
		return time.Since(start)
	}
	small, large := run(1), run(4)
	if large > 10*small {
		t.Errorf("4 times the input a byte per read took %v, once %v", large, small)
	}
}
