package http1

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
)

// decoder reads a connection of kind ("request" or "response") with the
// package's readers and emits each part rendered as text, the way a
// server (hijacking after CONNECT and Upgrade) or a client (answering
// GETs) would read it.
func decoder(kind string) fuzz.Decoder[string] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(string)) error {
		o := Options{MaxHeaderBytes: limit, MaxPart: 1 << 10}
		var next func(context.Context) (Part, error)
		var hijack func() io.Reader
		var closer func() error
		if kind == "request" {
			r := NewRequestReader(src, o)
			next, hijack, closer = r.Next, r.Hijack, r.Close
		} else {
			r := NewResponseReader(src, o)
			next, hijack, closer = r.Next, r.Hijack, r.Close
		}
		defer closer()
		tunnel := false // the head asked for a tunnel (a view of it is stale after the next read)
		for {
			p, err := next(ctx)
			if errors.Is(err, ErrHandedOver) {
				rest, err := io.ReadAll(hijack())
				emit("rest " + strconv.Quote(string(rest)))
				return err
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if p.IsHead {
				tunnel = p.Head.Upgrade || p.Head.Method.String() == "CONNECT"
			}
			s := render(p)
			if p.IsHead {
				for k, v := range p.Head.Fields.All() {
					s += fmt.Sprintf(" %q=%q", k.String(), v.String())
				}
			}
			emit(s)
			if kind == "request" && p.End && tunnel {
				rest, err := io.ReadAll(hijack())
				emit("rest " + strconv.Quote(string(rest)))
				return err
			}
		}
	}
}

// seeds are the inputs of the llhttp cases of kind and of the refusals.
func seeds(t testing.TB, kind string) [][]byte {
	b, err := os.ReadFile("testdata/llhttp/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	cur := ""
	for line := range strings.Lines(string(b)) {
		if k, ok := strings.CutPrefix(line, "case "); ok {
			cur, _, _ = strings.Cut(k, " ")
		}
		if in, ok := strings.CutPrefix(line, "input "); ok && cur == kind {
			s, err := strconv.Unquote(strings.TrimSpace(in))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, []byte(s))
		}
	}
	for _, r := range refusals {
		if r.kind == kind {
			out = append(out, []byte(r.in))
		}
	}
	captures, _ := filepath.Glob("testdata/captures/*." + kind)
	for _, name := range captures {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestHarness runs the fuzz harness's chunking checks (whole against
// chunked, memory bound, bookkeeping, hangs) over every seed.
func TestHarness(t *testing.T) {
	for _, kind := range []string{"request", "response"} {
		for i, in := range seeds(t, kind) {
			if raceEnabled && i%3 != 0 {
				continue // a third of them under the race detector, which is ten times slower
			}
			fuzz.CheckChunkings(t, decoder(kind), in, fuzz.Options[string]{Name: kind})
		}
	}
}

func FuzzRequest(f *testing.F) {
	for _, s := range seeds(f, "request") {
		f.Add(s, []byte{3, 7})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder("request"), data, cuts, fuzz.Options[string]{})
	})
}

func FuzzResponse(f *testing.F) {
	for _, s := range seeds(f, "response") {
		f.Add(s, []byte{3, 7})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder("response"), data, cuts, fuzz.Options[string]{})
	})
}

// request is a request as the round trip writes and reads it.
type request struct {
	Method, Target string
	Fields         []Field
	Body           string
	Chunked        bool
	Trailers       []Field
}

func appendRequest(dst []byte, r request) []byte {
	fields := r.Fields
	if r.Chunked {
		fields = append(fields[:len(fields):len(fields)], Field{"Transfer-Encoding", "chunked"})
	} else if r.Body != "" {
		fields = append(fields[:len(fields):len(fields)], Field{"Content-Length", strconv.Itoa(len(r.Body))})
	}
	dst = AppendRequestHead(dst, r.Method, r.Target, fields...)
	if !r.Chunked {
		return append(dst, r.Body...)
	}
	for b := r.Body; b != ""; {
		n := min(len(b), 3)
		dst = AppendChunk(dst, []byte(b[:n]))
		b = b[n:]
	}
	return AppendLastChunk(dst, r.Trailers...)
}

func requestDecoder(ctx context.Context, src pipe.Reader, limit int, emit func(request)) error {
	r := NewRequestReader(src, Options{MaxHeaderBytes: limit})
	defer r.Close()
	var cur request
	for {
		p, err := r.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if p.IsHead {
			cur = request{Method: p.Head.Method.String(), Target: p.Head.Target.String(), Chunked: p.Head.Body == BodyChunked}
			for k, v := range p.Head.Fields.All() {
				if n := k.String(); n != "Transfer-Encoding" && n != "Content-Length" {
					cur.Fields = append(cur.Fields, Field{n, v.String()})
				}
			}
		}
		cur.Body += p.Data.String()
		for k, v := range p.Trailers.All() {
			cur.Trailers = append(cur.Trailers, Field{k.String(), v.String()})
		}
		if p.End {
			emit(cur)
		}
	}
}

// TestRoundTrip checks that what the encoders write the readers read
// back, in every chunking the harness makes.
func TestRoundTrip(t *testing.T) {
	values := []request{
		{Method: "GET", Target: "/", Fields: []Field{{"Host", "example.com"}, {"Accept", "*/*"}}},
		{Method: "POST", Target: "/upload?x=1", Fields: []Field{{"Host", "h"}}, Body: "hello, world"},
		{Method: "PUT", Target: "/c", Fields: []Field{{"Host", "h"}}, Body: "chunked body here", Chunked: true,
			Trailers: []Field{{"Digest", "sha-256=abc"}}},
		{Method: "DELETE", Target: "*", Fields: []Field{{"X-Empty", ""}}},
	}
	fuzz.CheckRoundTrip(t, requestDecoder, appendRequest, values, fuzz.Options[request]{})
}
