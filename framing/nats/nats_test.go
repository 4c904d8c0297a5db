package nats_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/framing/nats"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// show renders a message on one line, every field it has.
func show(m nats.Message) string {
	var b strings.Builder
	b.WriteString(m.Op.String())
	for _, f := range []struct {
		name string
		v    seq.Sequence
	}{{"subject", m.Subject}, {"sid", m.SID}, {"reply", m.Reply}, {"queue", m.Queue}, {"args", m.Args},
		{"header", m.Header}, {"payload", m.Payload}} {
		if !f.v.IsEmpty() {
			fmt.Fprintf(&b, " %s=%q", f.name, f.v.String())
		}
	}
	if m.Max > 0 {
		fmt.Fprintf(&b, " max=%d", m.Max)
	}
	return b.String()
}

// decode reads every message of input with p over every chunking the
// harness tries, checks that they agree, and returns them rendered with
// the error that ended them.
func decode(t *testing.T, p parse.TryParse[nats.Message], input string, limit int) ([]string, error) {
	t.Helper()
	out := fuzz.CheckChunkings(t, fuzz.Parser(p), []byte(input), fuzz.Options[nats.Message]{MaxMessageSize: limit})
	var got []string
	for _, m := range out.Messages {
		got = append(got, show(m))
	}
	return got, out.Err
}

var clientCases = []struct{ in, want string }{
	{"CONNECT {\"verbose\":false,\"pedantic\":false}\r\n", `CONNECT args="{\"verbose\":false,\"pedantic\":false}"`},
	{"PUB foo 5\r\nhello\r\n", `PUB subject="foo" payload="hello"`},
	{"PUB foo.bar INBOX.22 11\r\nhello world\r\n", `PUB subject="foo.bar" reply="INBOX.22" payload="hello world"`},
	{"PUB foo 0\r\n\r\n", `PUB subject="foo"`},
	{"pub foo 2\r\n\r\n\r\n", `PUB subject="foo" payload="\r\n"`},
	{"Pub\tfoo \t 3 \r\na\x00b\r\n", `PUB subject="foo" payload="a\x00b"`},
	{"PUB foo 1\nx\r\n", `PUB subject="foo" payload="x"`},
	{"PUB 5 5 5\r\n12345\r\n", `PUB subject="5" reply="5" payload="12345"`},
	{"HPUB foo 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n",
		`HPUB subject="foo" header="NATS/1.0\r\nA: b\r\n\r\n" payload="hi"`},
	{"hpub foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n", `HPUB subject="foo" reply="r" header="NATS/1.0\r\n\r\n"`},
	{"SUB foo 1\r\n", `SUB subject="foo" sid="1"`},
	{"sub foo.* workers 90\r\n", `SUB subject="foo.*" sid="90" queue="workers"`},
	{"UNSUB 1\r\n", `UNSUB sid="1"`},
	{"unsub 1 5\r\n", `UNSUB sid="1" max=5`},
	{"UNSUB 1 \r\n", `UNSUB sid="1"`},
	{"PING\r\n", `PING`},
	{"pong\r\n", `PONG`},
	{"PING \r\n", `PING`},
}

var serverCases = []struct{ in, want string }{
	{"INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n", `INFO args="{\"server_id\":\"x\",\"max_payload\":1048576}"`},
	{"MSG foo 9 5\r\nhello\r\n", `MSG subject="foo" sid="9" payload="hello"`},
	{"MSG foo 9 INBOX.1 0\r\n\r\n", `MSG subject="foo" sid="9" reply="INBOX.1"`},
	{"HMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", `HMSG subject="foo" sid="1" header="NATS/1.0\r\n\r\n" payload="hi"`},
	{"HMSG foo 1 r 12 12\r\nNATS/1.0\r\n\r\n\r\n", `HMSG subject="foo" sid="1" reply="r" header="NATS/1.0\r\n\r\n"`},
	{"PING\r\n", `PING`},
	{"PONG\r\n", `PONG`},
	{"+OK\r\n", `+OK`},
	{"-ERR 'Unknown Protocol Operation'\r\n", `-ERR args="'Unknown Protocol Operation'"`},
}

// TestDecode reads every case alone and all of them in one stream, over
// every chunking, in both directions.
func TestDecode(t *testing.T) {
	for _, d := range []struct {
		name  string
		p     parse.TryParse[nats.Message]
		cases []struct{ in, want string }
	}{{"client", nats.FromClient(nats.Limits{}), clientCases}, {"server", nats.FromServer(nats.Limits{}), serverCases}} {
		var all strings.Builder
		var want []string
		for _, tc := range d.cases {
			got, err := decode(t, d.p, tc.in, 0)
			if err != nil || len(got) != 1 || got[0] != tc.want {
				t.Errorf("%s %q: got %q, %v; want %s", d.name, tc.in, got, err, tc.want)
			}
			all.WriteString(tc.in)
			want = append(want, tc.want)
		}
		got, err := decode(t, d.p, all.String(), 0)
		if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s stream: got %q, %v", d.name, got, err)
		}
	}
}

// TestRoundTrip: what Append writes, the decoders read back as the same
// messages, and EncodedLen and Encode agree with Append.
func TestRoundTrip(t *testing.T) {
	b := func(s string) seq.Sequence { return seq.Of([]byte(s)) }
	client := []nats.Message{
		{Op: nats.OpConnect, Args: b(`{"verbose":false}`)},
		{Op: nats.OpPub, Subject: b("a.b"), Payload: b("x\r\ny\x00")},
		{Op: nats.OpPub, Subject: b("a"), Reply: b("_INBOX.x")},
		{Op: nats.OpHPub, Subject: b("a"), Reply: b("r"), Header: b("NATS/1.0\r\nK: v\r\n\r\n"), Payload: b("p")},
		{Op: nats.OpSub, Subject: b("a.>"), Queue: b("q"), SID: b("12")},
		{Op: nats.OpSub, Subject: b("a"), SID: b("1")},
		{Op: nats.OpUnsub, SID: b("12"), Max: 1 << 40},
		{Op: nats.OpUnsub, SID: b("12")},
		{Op: nats.OpPing}, {Op: nats.OpPong},
	}
	server := []nats.Message{
		{Op: nats.OpInfo, Args: b(`{"server_id":"x"}`)},
		{Op: nats.OpMsg, Subject: b("a"), SID: b("1"), Reply: b("r"), Payload: b(strings.Repeat("z", 3000))},
		{Op: nats.OpMsg, Subject: b("a"), SID: b("1")},
		{Op: nats.OpHMsg, Subject: b("a"), SID: b("1"), Header: b("NATS/1.0\r\n\r\n")},
		{Op: nats.OpPing}, {Op: nats.OpPong}, {Op: nats.OpOK},
		{Op: nats.OpErr, Args: b("'Authorization Violation'")},
	}
	fuzz.CheckRoundTrip(t, fuzz.Parser(nats.FromClient(nats.Limits{})), nats.Append, client, fuzz.Options[nats.Message]{})
	fuzz.CheckRoundTrip(t, fuzz.Parser(nats.FromServer(nats.Limits{})), nats.Append, server, fuzz.Options[nats.Message]{})
	for _, m := range append(client, server...) {
		enc := nats.Append(nil, m)
		if n := nats.EncodedLen(m); n != len(enc) {
			t.Errorf("%s: EncodedLen %d, Append wrote %d", show(m), n, len(enc))
		}
		var out bytes.Buffer
		w := pipe.NewWriter(&out, pipe.WriterOptions{})
		nats.Encode(w, m)
		w.Complete(nil)
		if !bytes.Equal(out.Bytes(), enc) {
			t.Errorf("%s: Encode wrote %q, Append %q", show(m), out.Bytes(), enc)
		}
	}
}

// TestErrors: malformed, truncated and oversized input, with the typed
// errors and offsets the docs promise, over every chunking.
func TestErrors(t *testing.T) {
	client, server := nats.FromClient(nats.Limits{}), nats.FromServer(nats.Limits{})
	small := nats.Limits{MaxControlLine: 32, MaxPayload: 8}
	for _, tc := range []struct {
		name  string
		p     parse.TryParse[nats.Message]
		limit int
		in    string
		msgs  int
		check func(error) bool
		off   int64
	}{
		{"max payload", client, 0, "PING\r\nPUB foo 1048577\r\n", 1, isErr(nats.ErrMaxPayload), 6},
		{"max payload is too large", client, 0, "PUB foo 1048577\r\n", 0, isErr(parse.ErrTooLarge), 0},
		{"max payload small", nats.FromClient(small), small.MessageSize(), "PUB foo 9\r\n123456789\r\n", 0, isErr(nats.ErrMaxPayload), 0},
		{"max payload hpub", nats.FromClient(small), small.MessageSize(), "HPUB foo 4 9\r\n", 0, isErr(nats.ErrMaxPayload), 0},
		{"max payload msg", nats.FromServer(small), small.MessageSize(), "MSG a 1 r 100\r\n", 0, isErr(nats.ErrMaxPayload), 0},
		{"header over total", client, 0, "HPUB foo 13 12\r\nNATS/1.0\r\n\r\n\r\n", 0, isErr(nats.ErrHeaderSize), 0},
		{"control line", nats.FromClient(small), small.MessageSize(), "SUB " + strings.Repeat("a", 40) + " 1\r\n", 0, isErr(parse.ErrTooLarge), 0},
		{"control line pub", nats.FromClient(small), small.MessageSize(), "PUB " + strings.Repeat("a", 40), 0, isErr(parse.ErrTooLarge), 0},
		{"unknown verb", client, 0, "PING\r\nFOO bar\r\n", 1, isSyntax, 6},
		{"server verb from client", client, 0, "MSG a 1 1\r\nx\r\n", 0, isSyntax, 0},
		{"client verb from server", server, 0, "PUB a 1\r\nx\r\n", 0, isSyntax, 0},
		{"no size", client, 0, "PUB foo\r\n", 0, isSyntax, 7},
		{"size not a number", client, 0, "PUB foo bar baz\r\n", 0, isSyntax, 12},
		{"no crlf after payload", client, 0, "PUB foo 3\r\nabcd\r\n", 0, isSyntax, 14},
		{"truncated payload", client, 0, "PUB foo 3\r\nab", 0, isErr(io.ErrUnexpectedEOF), 0},
		{"truncated line", client, 0, "SUB foo", 0, isErr(io.ErrUnexpectedEOF), 0},
		{"truncated crlf", server, 0, "MSG a 1 1\r\nx\r", 0, isErr(io.ErrUnexpectedEOF), 0},
	} {
		got, err := decode(t, tc.p, tc.in, tc.limit)
		if len(got) != tc.msgs || !tc.check(err) {
			t.Errorf("%s: %q gave %q, %v", tc.name, tc.in, got, err)
			continue
		}
		var se *parse.SyntaxError
		var ze *parse.SizeError
		var te *parse.TruncatedError
		var he *nats.HeadError
		switch {
		case errors.As(err, &he) && he.Offset != tc.off,
			errors.As(err, &se) && se.Offset != tc.off,
			errors.As(err, &ze) && ze.Offset != tc.off,
			errors.As(err, &te) && te.Offset != tc.off:
			t.Errorf("%s: error %v, want offset %d", tc.name, err, tc.off)
		}
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isSyntax(err error) bool {
	var se *parse.SyntaxError
	return errors.As(err, &se)
}

// TestHugeSizeRefusedAtOnce: a payload declared over the limit is refused
// as soon as its control line arrives, on a connection that stays open:
// the reader does not wait for (or buffer) the payload.
func TestHugeSizeRefusedAtOnce(t *testing.T) {
	for _, in := range []string{"PUB foo 99999999999\r\n", "HPUB foo 12 99999999999\r\n"} {
		p := pipe.New(pipe.Options{})
		if _, err := p.Writer().Write(context.Background(), []byte(in)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r := parse.NewReader(p.Reader(), nats.FromClient(nats.Limits{}), parse.Options{MaxMessageSize: nats.DefaultLimits.MessageSize()})
		_, err := r.Next(ctx)
		cancel()
		if !errors.Is(err, nats.ErrMaxPayload) {
			t.Errorf("%q: got %v, want ErrMaxPayload before the payload", in, err)
		}
		r.Close()
	}
}

// TestByteAtATime: PUBs, PINGs and a large payload a byte per read, at two sizes, the larger
// four times the smaller: the time must grow about linearly (a re-parse of
// the buffered message on every read, quadratic, would make it 16 times).
// The larger input is about 0.7 MB with a 256 KiB payload; the ratio, not a wall-clock bound, is
// checked, since the machine may be loaded and the race detector on.
func TestByteAtATime(t *testing.T) {
	run := func(k int) time.Duration {
		var in []byte
		for range k * 2500 / scale {
			in = append(in, "PUB foo.bar INBOX.1 16\r\n0123456789abcdef\r\nPING\r\n"...)
		}
		in = nats.Append(in, nats.Message{Op: nats.OpPub, Subject: seq.Of([]byte("big")), Payload: seq.Of(bytes.Repeat([]byte("x"), k<<16/scale))})
		start := time.Now()
		r := parse.NewReader(pipe.NewReader(&segtest.Bytewise{Data: in}, pipe.ReaderOptions{}), nats.FromClient(nats.Limits{}),
			parse.Options{MaxMessageSize: nats.DefaultLimits.MessageSize()})
		defer r.Close()
		n, largest := 0, 0
		for m := range r.All(context.Background()) {
			n++
			largest = max(largest, m.Payload.Len())
		}
		if err := r.Err(); err != nil || n != k*2*(2500/scale)+1 || largest != k<<16/scale {
			t.Fatalf("%d messages, largest %d: %v", n, largest, err)
		}
		return time.Since(start)
	}
	small, large := run(1), run(4)
	if large > 10*small {
		t.Errorf("4 times the input a byte per read took %v, once %v", large, small)
	}
}

// TestCommonFormsAllocateNothing: PUB, MSG and SUB, with and without a
// reply subject or queue group, are read without allocating per message:
// the common form fails no alternative (a failure's error is an
// allocation). Ten copies of the input cost what one costs (the Input's
// own allocations).
func TestCommonFormsAllocateNothing(t *testing.T) {
	allocs := func(p parse.TryParse[nats.Message], input string) float64 {
		s := seq.Of([]byte(input))
		return testing.AllocsPerRun(100, func() {
			in := parse.NewInput(s, true, 0)
			for in.Remaining() > 0 {
				if _, err := p(in); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	for _, tc := range []struct {
		p  parse.TryParse[nats.Message]
		in string
	}{
		{nats.FromClient(nats.Limits{}), "PUB foo.bar 5\r\nhello\r\nSUB foo.* 1\r\nPUB foo _INBOX.x 2\r\nhi\r\nPUB a 0\r\n\r\n"},
		{nats.FromServer(nats.Limits{}), "MSG foo.bar 1 5\r\nhello\r\nMSG foo 1 _INBOX.x 2\r\nhi\r\n"},
	} {
		if one, ten := allocs(tc.p, tc.in), allocs(tc.p, strings.Repeat(tc.in, 10)); ten != one {
			t.Errorf("%q: %v allocations, ten times: %v", tc.in, one, ten)
		}
	}
}
