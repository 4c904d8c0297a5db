package sse_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/framing/sse"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// fired is what a client sees of a dispatched event.
type fired struct {
	Type, Data, LastEventID string
}

// run reads input with a new Stream through the fuzz harness (every
// chunking and segmentation it knows, compared with the whole input) and
// returns the events that fire, the last retry set and the error.
func run(t *testing.T, o sse.Options, input string) ([]fired, int64, error) {
	t.Helper()
	dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(sse.Event)) error {
		return fuzz.Parser(sse.NewStream(o).Parse)(ctx, r, limit, emit)
	}
	out := fuzz.CheckChunkings(t, dec, []byte(input), fuzz.Options[sse.Event]{MaxMessageSize: 1 << 16})
	var got []fired
	retry := int64(-1)
	for _, ev := range out.Messages {
		if ev.Retry >= 0 {
			retry = ev.Retry
		}
		if !ev.Dispatch {
			continue
		}
		typ := ev.Type.String()
		if typ == "" {
			typ = "message"
		}
		got = append(got, fired{typ, ev.Data(), string(ev.LastEventID)})
	}
	return got, retry, out.Err
}

// TestWPT checks the streams converted from the web-platform-tests
// eventsource suite (testdata/wpt-eventsource.json), in every chunking.
func TestWPT(t *testing.T) {
	b, err := os.ReadFile("testdata/wpt-eventsource.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Name, Stream string
			Events       []struct{ Type, Data, LastEventID string }
			Truncated    bool
			Retry        *int64
		}
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 20 {
		t.Fatalf("%d cases", len(file.Cases))
	}
	for _, tc := range file.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			got, retry, err := run(t, sse.Options{}, tc.Stream)
			want := []fired{}
			for _, e := range tc.Events {
				want = append(want, fired(e))
			}
			if !reflect.DeepEqual(append([]fired{}, got...), want) {
				t.Errorf("events %q, want %q", got, want)
			}
			if tc.Truncated != errors.Is(err, io.ErrUnexpectedEOF) || !tc.Truncated && err != nil {
				t.Errorf("err %v, truncated %v", err, tc.Truncated)
			}
			if tc.Retry != nil && retry != *tc.Retry {
				t.Errorf("retry %d, want %d", retry, *tc.Retry)
			}
		})
	}
}

func TestFields(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		want        []fired
		retry       int64
		err         string
	}{
		{name: "id persists and resets", input: "id: 1\ndata:a\n\ndata:b\n\nid\ndata:c\n\nid:2\n\ndata:d\n\n",
			want: []fired{{"message", "a", "1"}, {"message", "b", "1"}, {"message", "c", ""}, {"message", "d", "2"}}, retry: -1},
		{name: "id with NUL ignored", input: "id:7\ndata:a\n\nid:8\x00\ndata:b\n\n",
			want: []fired{{"message", "a", "7"}, {"message", "b", "7"}}, retry: -1},
		{name: "retry digits only", input: "retry:12a\nretry: 15\nretry:-1\nretry:\nretry:99999999999999999999\n:\n\n",
			retry: 15},
		{name: "event type last wins, reset per block", input: "event:a\nevent:b\ndata:x\n\ndata:y\n\n",
			want: []fired{{"b", "x", ""}, {"message", "y", ""}}, retry: -1},
		{name: "one space dropped", input: "data:  two\ndata:none\ndata\n\n",
			want: []fired{{"message", " two\nnone\n", ""}}, retry: -1},
		{name: "cr line ends", input: "data:a\rdata:b\r\rdata:c\r\n\r\n",
			want: []fired{{"message", "a\nb", ""}, {"message", "c", ""}}, retry: -1},
		{name: "crlf inside a block, cut anywhere", input: "data:a\r\ndata:b\r\n\r\n",
			want: []fired{{"message", "a\nb", ""}}, retry: -1},
		{name: "blank lines alone", input: "\n\r\n\r\r\n\n", retry: -1},
		{name: "bom only at the start", input: "\xef\xbb\xbfdata:a\n\n\xef\xbb\xbfdata:b\n\n",
			want: []fired{{"message", "a", ""}}, retry: -1},
		{name: "bom alone", input: "\xef\xbb\xbf", retry: -1},
		{name: "last block not dispatched", input: "data:a\n\ndata:b\n", want: []fired{{"message", "a", ""}}, retry: -1,
			err: (&parse.TruncatedError{Offset: 8, Len: 7}).Error()},
		{name: "last line unterminated", input: "data:a\n\ndata:b", want: []fired{{"message", "a", ""}}, retry: -1,
			err: (&parse.TruncatedError{Offset: 8, Len: 6}).Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, retry, err := run(t, sse.Options{}, tc.input)
			e := ""
			if err != nil {
				e = err.Error()
			}
			if !reflect.DeepEqual(got, tc.want) || retry != tc.retry || e != tc.err {
				t.Errorf("got %q retry %d err %q, want %q retry %d err %q", got, retry, e, tc.want, tc.retry, tc.err)
			}
		})
	}
}

// TestCRThenLFLater delivers a block ending in a CR, waits, then sends
// the LF of that CRLF: the event fires at the CR, before the LF arrives,
// and the late LF is not a blank line of its own.
func TestCRThenLFLater(t *testing.T) {
	p := pipe.New(pipe.Options{})
	r := sse.NewReader(p.Reader(), sse.Options{})
	defer r.Close()
	w := p.Writer()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := w.Write(ctx, []byte("data:a\r\r")); err != nil {
		t.Fatal(err)
	}
	ev, err := r.Next(ctx)
	if err != nil || ev.Data() != "a" {
		t.Fatalf("first event %q, %v", ev.Data(), err)
	}
	// The LF of "\r\n", then a block: one event, no empty one between.
	if _, err := w.Write(ctx, []byte("\ndata:b\r")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(ctx, []byte("\n\r\n")); err != nil {
		t.Fatal(err)
	}
	w.Complete(nil)
	var got []string
	for ev := range r.All(ctx) {
		got = append(got, ev.Data())
	}
	if r.Err() != nil || strings.Join(got, "|") != "b" {
		t.Errorf("got %q, err %v", got, r.Err())
	}
}

// TestCRLFAfterBlock checks, in every chunking, that the LF of a CRLF
// that ends a block (which fires at its CR) is read as part of that line
// end, not as a blank line of its own: the stream's messages are its
// blocks, and a message of no event that reads the LF when the stream
// ends right after it (a parser that took that LF for a blank line gives
// 4, 4 and 5 messages).
func TestCRLFAfterBlock(t *testing.T) {
	for _, tc := range []struct {
		input  string
		blocks int
	}{
		{"data:a\r\r\ndata:b\r\n\r\n", 3},
		{"data:a\r\r\n\ndata:b\n\n", 3},
		{"data:a\r\r\ndata:b\r\r\ndata:c\n\n", 3},
	} {
		dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(sse.Event)) error {
			return fuzz.Parser(sse.NewStream(sse.Options{}).Parse)(ctx, r, limit, emit)
		}
		out := fuzz.CheckChunkings(t, dec, []byte(tc.input), fuzz.Options[sse.Event]{})
		if out.Err != nil || len(out.Messages) != tc.blocks {
			t.Errorf("%q: %d blocks, err %v; want %d", tc.input, len(out.Messages), out.Err, tc.blocks)
		}
	}
}

func TestLimits(t *testing.T) {
	o := sse.Options{MaxLine: 10, MaxEvent: 40}
	for _, tc := range []struct {
		name, input string
		want        error
	}{
		{"line at the maximum", "data:12345\n\n", nil},
		{"line over the maximum", "data:12345\ndata:123456\n\n", &framing.TooLongError{Offset: 11, Max: 10}},
		{"line over, with CRLF", "data:12345\r\n" + "data:123456\r\n\r\n", &framing.TooLongError{Offset: 12, Max: 10}},
		{"endless line", "data:a\n\n" + strings.Repeat("x", 100), &framing.TooLongError{Offset: 8, Max: 10}},
		{"block over the maximum", strings.Repeat(":comment\n", 5) + "\n", &framing.TooLongError{Offset: 0, Max: 40}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, o, tc.input)
			if tc.want == nil && err != nil || tc.want != nil && (err == nil || err.Error() != tc.want.Error()) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if tc.want != nil && !errors.Is(err, framing.ErrTooLong) {
				t.Errorf("err %v does not match framing.ErrTooLong", err)
			}
		})
	}
}

// TestEndlessLineByteReads sends a line that never ends, a byte per read:
// it is refused once the maximum is passed, without reading more of it.
func TestEndlessLineByteReads(t *testing.T) {
	src := &segtest.Bytewise{Data: []byte("data:" + strings.Repeat("x", 4<<20))}
	r := sse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), sse.Options{})
	defer r.Close()
	_, err := r.Next(t.Context())
	if !errors.Is(err, framing.ErrTooLong) {
		t.Fatalf("err %v", err)
	}
	if src.N > sse.DefaultMaxLine+3 {
		t.Errorf("read %d bytes", src.N)
	}
}

// TestManyLinesByteReads sends a block of many short lines a byte per
// read, then a blank line: linear time, since the block's lines are not
// parsed again on every read (about 1 s here, 8 s under the race
// detector; parsing them again would take hours).
func TestManyLinesByteReads(t *testing.T) {
	start := time.Now()
	in := strings.Repeat("data:x\n", 20000) + "\n"
	r := sse.NewReader(pipe.NewReader(iotest.OneByteReader(strings.NewReader(in)), pipe.ReaderOptions{}), sse.Options{})
	defer r.Close()
	ev, err := r.Next(t.Context())
	if err != nil || ev.DataLines() != 20000 {
		t.Fatalf("%d data lines, %v", ev.DataLines(), err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestReader checks what the Reader keeps from blocks that fire nothing.
func TestReader(t *testing.T) {
	r := sse.NewReader(pipe.FromBytes([]byte("retry:500\nid:4\n\n:ping\n\nevent:x\ndata:1\n\nretry:700\n\n")), sse.Options{})
	defer r.Close()
	var got []string
	for ev := range r.All(t.Context()) {
		got = append(got, ev.Type.String()+"="+ev.Data()+"@"+string(ev.LastEventID))
	}
	if r.Err() != nil || strings.Join(got, ",") != "x=1@4" || r.Retry() != 700 || r.LastEventID() != "4" {
		t.Errorf("got %q, retry %d, id %q, err %v", got, r.Retry(), r.LastEventID(), r.Err())
	}
}

// toMessage is what a dispatched event reads back as, for round trips.
func toMessage(ev sse.Event) sse.Message {
	m := sse.Message{Type: ev.Type.String(), Data: ev.Data()}
	if ev.HasID {
		m.ID, m.SetID = ev.ID.String(), ev.ID.IsEmpty()
	}
	if ev.Retry > 0 {
		m.Retry = ev.Retry
	}
	return m
}

func messages(ctx context.Context, r pipe.Reader, limit int, emit func(sse.Message)) error {
	return fuzz.Parser(sse.NewStream(sse.Options{}).Parse)(ctx, r, limit, func(ev sse.Event) { emit(toMessage(ev)) })
}

func appendMessage(t *testing.T) func([]byte, sse.Message) []byte {
	return func(dst []byte, m sse.Message) []byte {
		out, err := sse.AppendMessage(dst, m)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func TestRoundTrip(t *testing.T) {
	msgs := []sse.Message{
		{Data: "hello"},
		{Type: "update", ID: "42", Retry: 3000, Data: "line one\nline two\n\nlast"},
		{Data: ""},
		{Type: " spaced", ID: " x", Data: " leading space\n"},
		{SetID: true, Data: "id reset"},
		{Data: "\x00binary\xff"},
	}
	fuzz.CheckRoundTrip(t, messages, appendMessage(t), msgs, fuzz.Options[sse.Message]{})
	b, _ := sse.AppendMessage(nil, sse.Message{Data: "a\r\nb\rc"})
	if string(b) != "data: a\ndata: b\ndata: c\n\n" {
		t.Errorf("CRLF and CR in data: %q", b)
	}
	for _, bad := range []sse.Message{{Type: "a\nb"}, {ID: "a\rb"}, {ID: "a\x00"}} {
		if _, err := sse.AppendMessage(nil, bad); !errors.Is(err, sse.ErrEncode) {
			t.Errorf("%+v: %v", bad, err)
		}
		if err := sse.WriteMessage(pipe.New(pipe.Options{}).Writer(), bad); !errors.Is(err, sse.ErrEncode) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// TestWriteMessage writes events into a pipe and reads them back.
func TestWriteMessage(t *testing.T) {
	p := pipe.New(pipe.Options{})
	big := strings.Repeat("y", 100<<10)
	go func() {
		w := p.Writer()
		_ = sse.WriteMessage(w, sse.Message{ID: "1", Data: "a\nb"})
		_ = sse.WriteMessage(w, sse.Message{Type: "big", Data: big})
		_, _ = w.Flush(context.Background())
		w.Complete(nil)
	}()
	r := sse.NewReader(p.Reader(), sse.Options{MaxLine: 200 << 10})
	defer r.Close()
	var got []string
	for ev := range r.All(t.Context()) {
		got = append(got, ev.Data())
	}
	if r.Err() != nil || len(got) != 2 || got[0] != "a\nb" || got[1] != big {
		t.Errorf("%d events, err %v", len(got), r.Err())
	}
}

func FuzzStream(f *testing.F) {
	f.Add([]byte("data:a\r\r\ndata:b\r\n\r\nid:1\nretry:10\nevent:e\ndata\n\n"), []byte{6, 0, 1})
	f.Add([]byte("\xef\xbb\xbf:c\r\rdata:  x\n\n\xef\xbb\xbfdata:y\n\n"), []byte{1, 1})
	f.Add([]byte("data:"+strings.Repeat("z", 40)+"\n\n"), []byte{})
	f.Add([]byte("data:\x00\nid:\x00\n\rdata"), []byte{3})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(sse.Event)) error {
			return fuzz.Parser(sse.NewStream(sse.Options{MaxLine: 32, MaxEvent: 96}).Parse)(ctx, r, limit, emit)
		}
		fuzz.Fuzz(t, dec, data, cuts, fuzz.Options[sse.Event]{MaxMessageSize: 128})
	})
}

// TestStreamReset checks that Reset starts a new stream: a BOM is skipped
// again, a pending LF after a CR is not, and the last event ID is empty.
func TestStreamReset(t *testing.T) {
	s := sse.NewStream(sse.Options{})
	r := parse.NewReader(pipe.FromBytes([]byte("id:9\ndata:a\r\r")), s.Parse, parse.Options{})
	if ev, err := r.Next(t.Context()); err != nil || string(ev.LastEventID) != "9" {
		t.Fatalf("first stream: %q, %v", ev.LastEventID, err)
	}
	r.Close()
	s.Reset()
	r = parse.NewReader(pipe.FromBytes([]byte("\xef\xbb\xbf\ndata:b\n\n")), s.Parse, parse.Options{})
	defer r.Close()
	var got []string
	for ev := range r.All(t.Context()) {
		got = append(got, string(ev.LastEventID)+"/"+ev.Data())
	}
	// The LF after the BOM is a blank line of its own (no event), not the
	// second half of the first stream's CRLF.
	if r.Err() != nil || strings.Join(got, ",") != "/,/b" {
		t.Errorf("after Reset: %q, %v", got, r.Err())
	}
}

// TestSetupShared: readers with the same limits share one declared grammar
// (declaring it took 70 µs and about 150 allocations per reader; a Reader,
// its Stream and the Stream's parser are 3), and readers sharing it read at
// once.
func TestSetupShared(t *testing.T) {
	var in strings.Builder
	in.WriteString("\xef\xbb\xbfretry: 5\n\n")
	for i := range 400 {
		fmt.Fprintf(&in, "event: e%d\nid: %d\ndata: %s\ndata: second\r\n\r\n", i%7, i, strings.Repeat("x", i%97))
	}
	open := func(src pipe.Reader) io.Closer { return sse.NewReader(src, sse.Options{}) }
	read := func(src pipe.Reader) []string {
		r := sse.NewReader(src, sse.Options{})
		defer r.Close()
		var out []string
		for ev := range r.All(context.Background()) {
			out = append(out, ev.Type.String()+" "+ev.ID.String()+" "+ev.Data())
		}
		return append(out, fmt.Sprint(r.Err(), r.Retry(), r.LastEventID()))
	}
	parsetest.SharedSetup(t, 3, open, read, []byte(in.String()))
}
