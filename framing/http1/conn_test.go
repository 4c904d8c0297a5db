package http1

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// responses reads every part of a response stream whose requests had the
// given methods, rendered one line each.
func responses(t *testing.T, in string, methods ...string) ([]string, error) {
	t.Helper()
	var first []string
	var firstErr error
	for i, s := range segtest.Segmentations([]byte(in)) {
		r := NewResponseReader(pipe.FromSequence(s.Seq), Options{})
		for _, m := range methods {
			r.Sent(m)
		}
		var got []string
		var err error
		for {
			var p Part
			p, err = r.Next(context.Background())
			if err != nil {
				if errors.Is(err, ErrHandedOver) {
					rest, _ := io.ReadAll(r.Hijack())
					got = append(got, "rest "+string(rest))
				}
				break
			}
			got = append(got, render(p))
		}
		r.Close()
		if i == 0 {
			first, firstErr = got, err
		} else if strings.Join(got, "|") != strings.Join(first, "|") {
			t.Fatalf("%s: %q, whole %q", s.Name, got, first)
		}
	}
	return first, firstErr
}

func render(p Part) string {
	var b strings.Builder
	if p.IsHead {
		h := p.Head
		if h.IsRequest() {
			b.WriteString(h.Method.String() + " " + h.Target.String())
		} else {
			b.WriteString(strings.TrimSpace(strings.Join([]string{itoa(h.Status), h.Reason.String()}, " ")))
		}
		b.WriteString(" body=" + [...]string{"none", "length", "chunked", "close", "tunnel"}[h.Body])
		if h.Continue {
			b.WriteString(" continue")
		}
	}
	if p.Data.Len() > 0 {
		b.WriteString(" data=" + p.Data.String())
	}
	for k, v := range p.Trailers.All() {
		b.WriteString(" trailer " + k.String() + "=" + v.String())
	}
	if p.End {
		b.WriteString(" end")
	}
	return strings.TrimSpace(b.String())
}

func itoa(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// TestResponseFraming checks that a response is framed by the request it
// answers: no body after HEAD, 1xx, 204 and 304; a 1xx is followed by the
// final response to the same request; CONNECT 2xx and 101 hand over.
func TestResponseFraming(t *testing.T) {
	for _, tc := range []struct {
		name    string
		methods []string
		in      string
		want    string
	}{
		{"HEAD", []string{"HEAD", "GET"},
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
			"200 OK body=none end|200 OK body=length|data=hi end"},
		{"100 then final", []string{"POST", "GET"},
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
			"100 Continue body=none end|201 Created body=length|data=x end|204 No Content body=none end"},
		{"304", []string{"GET", "GET"},
			"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX: y\r\n\r\n",
			"304 Not Modified body=none end|200 OK body=chunked|data=ab|trailer X=y end"},
		{"CONNECT", []string{"CONNECT"},
			"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01tls bytes",
			"200 Connection established body=tunnel end|rest \x16\x03\x01tls bytes"},
		{"CONNECT refused", []string{"CONNECT"},
			"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno",
			"407 Proxy Authentication Required body=length|data=no end"},
		{"101", []string{"GET"},
			"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x02hi",
			"101 Switching Protocols body=tunnel end|rest \x81\x02hi"},
		{"until close", nil,
			"HTTP/1.0 200 OK\r\n\r\nall of it",
			"200 OK body=close|data=all of it|end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := responses(t, tc.in, tc.methods...)
			if err != nil && err != io.EOF && !errors.Is(err, ErrHandedOver) {
				t.Fatalf("%v after %q", err, got)
			}
			if g := strings.Join(got, "|"); g != tc.want {
				t.Fatalf("got  %q\nwant %q", g, tc.want)
			}
		})
	}
}

// TestExpectContinue checks that a request with Expect: 100-continue is
// returned before any byte of its body has arrived: its client waits for
// the server's answer before it sends the body.
func TestExpectContinue(t *testing.T) {
	p := pipe.New(pipe.Options{})
	r := NewRequestReader(p.Reader(), Options{})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	w := p.Writer()
	w.Write(ctx, []byte("PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"))
	head, err := r.Next(ctx)
	if err != nil || !head.IsHead || !head.Head.Continue || head.End {
		t.Fatalf("head: %+v, %v", render(head), err)
	}
	w.Write(ctx, []byte("abc"))
	body, err := r.Next(ctx)
	if err != nil || body.Data.String() != "abc" || !body.End {
		t.Fatalf("body: %q, %v", render(body), err)
	}
	w.Complete(nil)
	if _, err := r.Next(ctx); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

// TestPipelinedRequests checks requests one after another on a
// connection, with bodies of both framings, and the stop after a request
// that closes the connection.
func TestPipelinedRequests(t *testing.T) {
	in := "GET /a HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;x=y\r\nd\r\n2\r\nef\r\n0\r\n\r\n" +
		"GET /d HTTP/1.1\r\nConnection: close\r\n\r\n" +
		"GET /never HTTP/1.1\r\n\r\n"
	want := "GET /a body=none end|POST /b body=length|data=abc end|POST /c body=chunked|data=d|data=ef|end|GET /d body=none end"
	for _, s := range segtest.Segmentations([]byte(in)) {
		r := NewRequestReader(pipe.FromSequence(s.Seq), Options{})
		var got []string
		var err error
		for {
			var p Part
			if p, err = r.Next(context.Background()); err != nil {
				break
			}
			got = append(got, render(p))
		}
		r.Close()
		if g := strings.Join(got, "|"); g != want || err != io.EOF {
			t.Fatalf("%s: %q, %v", s.Name, g, err)
		}
	}
}

// TestLimits checks each limit's error.
func TestLimits(t *testing.T) {
	many := "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", 11) + "\r\n"
	_, err := run("request", pipe.FromBytes([]byte(many)), Options{MaxFields: 10})
	if !errors.Is(err, ErrTooManyFields) {
		t.Errorf("fields: %v", err)
	}
	if _, err := run("request", pipe.FromBytes([]byte(many)), Options{MaxFields: 11}); err != nil {
		t.Errorf("fields at the limit: %v", err)
	}
	trailers := "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("A: b\r\n", 11) + "\r\n"
	_, err = run("request", pipe.FromBytes([]byte(trailers)), Options{MaxFields: 10})
	if !errors.Is(err, ErrTooManyFields) {
		t.Errorf("trailers: %v", err)
	}
	long := "GET / HTTP/1.1\r\nA: " + strings.Repeat("b", 100) + "\r\n\r\n"
	_, err = run("request", pipe.FromBytes([]byte(long)), Options{MaxLine: 64})
	if !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("line: %v", err)
	}
	_, err = run("request", pipe.FromBytes([]byte(long)), Options{MaxHeaderBytes: 100})
	if !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("head: %v", err)
	}
	big := "POST / HTTP/1.1\r\nContent-Length: 1073741824\r\n\r\n"
	_, err = run("request", pipe.FromBytes([]byte(big)), Options{MaxBodySize: 1 << 20})
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("body: %v", err)
	}
	chunk := "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n"
	_, err = run("request", pipe.FromBytes([]byte(chunk)), Options{MaxBodySize: 1 << 20})
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("chunk: %v", err)
	}
}

// endless is a source of a head followed by n bytes of body, generated
// as it is read (never held whole), k bytes per read.
type endless struct {
	head []byte
	n, k int64
	read int64
}

func (e *endless) Read(b []byte) (int, error) {
	if len(e.head) > 0 {
		n := copy(b[:min(int64(len(b)), e.k)], e.head)
		e.head = e.head[n:]
		return n, nil
	}
	if e.n == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), e.n, e.k)
	for i := range b[:n] {
		b[i] = 'x'
	}
	e.n -= n
	e.read += n
	return int(n), nil
}

// TestHugeBodyStreams checks that a 1 GiB Content-Length is accepted
// without buffering it: the body arrives in parts of at most MaxPart, and
// the heap stays small while a quarter of it passes (the whole GiB with
// -long... kept short so the race detector stays fast).
func TestHugeBodyStreams(t *testing.T) {
	const declared = 1 << 30
	passed := int64(64 << 20)
	if testing.Short() {
		passed = 8 << 20
	}
	src := &endless{head: []byte("PUT /big HTTP/1.1\r\nContent-Length: 1073741824\r\n\r\n"), n: passed, k: 64 << 10}
	r := NewRequestReader(pipe.NewReader(src, pipe.ReaderOptions{BufferSize: 64 << 10}), Options{})
	defer r.Close()
	head, err := r.Next(context.Background())
	if err != nil || head.Head.ContentLength != declared {
		t.Fatalf("%v %v", render(head), err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var total int64
	for {
		p, err := r.Next(context.Background())
		if err != nil {
			// The last part waits for a byte after it, which never comes.
			if !errors.Is(err, io.ErrUnexpectedEOF) || total < passed-32<<10 {
				t.Fatalf("after %d bytes: %v", total, err)
			}
			break
		}
		if p.Data.Len() > 32<<10 {
			t.Fatalf("a part of %d bytes", p.Data.Len())
		}
		total += int64(p.Data.Len())
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 8<<20 {
		t.Fatalf("heap grew by %d bytes while %d passed", grown, total)
	}
}

// TestEndlessHeaderLine checks that a header line that never ends, sent
// a byte per read, is refused at the line limit in time linear in it.
func TestEndlessHeaderLine(t *testing.T) {
	const limit = 64 << 10
	src := &endless{head: []byte("GET / HTTP/1.1\r\nX: "), n: 1 << 40, k: 1}
	r := NewRequestReader(pipe.NewReader(src, pipe.ReaderOptions{}), Options{MaxLine: limit})
	defer r.Close()
	start := time.Now()
	_, err := r.Next(context.Background())
	var se *parse.SizeError
	if !errors.As(err, &se) {
		t.Fatalf("%v", err)
	}
	if src.read > 2*limit {
		t.Fatalf("read %d bytes of a line limited to %d", src.read, limit)
	}
	t.Logf("refused after %d bytes, one per read, in %v", src.read, time.Since(start))
}

// TestBodyByteAtATime checks that bodies of both framings sent a byte per
// read over megabytes are read in time linear in their size: the parts
// are the same as when the body arrives whole, and a part's bytes are
// waited for in one piece, not parsed again on every read.
func TestBodyByteAtATime(t *testing.T) {
	size := 2 << 20
	if raceEnabled {
		size = 256 << 10
	}
	body := strings.Repeat("0123456789abcdef", size/16)
	var chunked []byte
	for s := body; s != ""; {
		k := min(len(s), 1000)
		chunked = AppendChunk(chunked, []byte(s[:k]))
		s = s[k:]
	}
	chunked = AppendLastChunk(chunked)
	for name, in := range map[string]string{
		"length":  "PUT /a HTTP/1.1\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body,
		"chunked": "PUT /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + string(chunked),
	} {
		read := func(k int64) (int, time.Duration) {
			start := time.Now()
			src := &endless{head: []byte(in), k: k}
			r := NewRequestReader(pipe.NewReader(src, pipe.ReaderOptions{}), Options{})
			defer r.Close()
			n := 0
			for {
				p, err := r.Next(context.Background())
				if err == io.EOF {
					return n, time.Since(start)
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				n += p.Data.Len()
			}
		}
		whole, tw := read(64 << 10)
		n, tb := read(1)
		if n != len(body) || whole != len(body) {
			t.Fatalf("%s: %d and %d body bytes, want %d", name, n, whole, len(body))
		}
		// Linear is about 0.1 s here; a parse from the part's start on
		// every read would be about size²/2 byte visits, minutes.
		if tb > 20*time.Second {
			t.Fatalf("%s: a byte per read took %v", name, tb)
		}
		t.Logf("%s: %d bytes a byte per read in %v, 64 KiB per read in %v", name, n, tb, tw)
	}
}

// TestPartShape checks what a Part holds in each of its roles, whichever
// path read the head (the fast path, the declared grammar, a response):
// Head points to the reader's head in a head's part and is nil in the
// others; a body part carries its data alone; the last part of a chunked
// body carries the trailer section; and the next head is read into the
// same Head, a copy of *Head keeping the scalars of the one before.
func TestPartShape(t *testing.T) {
	const reqs = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\nX-Sum: 9\r\n\r\n" +
		"GET /c HTTP/1.1\r\nHost: h\r\n\r\n"
	for _, slow := range []bool{false, true} {
		for _, s := range segtest.Segmentations([]byte(reqs)) {
			r := NewRequestReader(pipe.FromSequence(s.Seq), Options{})
			r.c.slow = slow
			var got []string
			var heads []*Head
			var first Head
			var err error
			for {
				var p Part
				if p, err = r.Next(context.Background()); err != nil {
					break
				}
				if p.IsHead != (p.Head != nil) {
					t.Fatalf("slow=%v %s: IsHead %v with Head %p", slow, s.Name, p.IsHead, p.Head)
				}
				line := render(p)
				if p.IsHead {
					heads = append(heads, p.Head)
					if len(heads) == 1 {
						first = *p.Head
					}
				}
				if p.Trailers.Len() > 0 && !p.End {
					t.Fatalf("slow=%v %s: trailers before the end: %s", slow, s.Name, line)
				}
				got = append(got, line)
			}
			want := []string{"POST /a body=length", "data=abc end", "POST /b body=chunked", "data=de",
				"trailer X-Sum=9 end", "GET /c body=none end"}
			if strings.Join(got, "|") != strings.Join(want, "|") || err != io.EOF {
				t.Fatalf("slow=%v %s: %q, %v; want %q and io.EOF", slow, s.Name, got, err, want)
			}
			if heads[0] != heads[1] || heads[1] != heads[2] || first.ContentLength != 3 || first.Body != BodyLength {
				t.Fatalf("slow=%v %s: heads %p %p %p, the first's copy %+v", slow, s.Name, heads[0], heads[1], heads[2], first)
			}
			r.Close()
		}
	}
}
