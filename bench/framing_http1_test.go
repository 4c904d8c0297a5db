package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing/http1"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
	"github.com/valyala/fasthttp"
)

// Request heads as real clients send them, in the spirit of net/http's
// BenchmarkReadRequest inputs (written for this benchmark).
var http1Heads = []string{
	// A browser: Chrome navigating.
	"GET /products/42?ref=home HTTP/1.1\r\n" +
		"Host: shop.example.com\r\n" +
		"Connection: keep-alive\r\n" +
		"Cache-Control: max-age=0\r\n" +
		"sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n" +
		"sec-ch-ua-mobile: ?0\r\n" +
		"sec-ch-ua-platform: \"Linux\"\r\n" +
		"Upgrade-Insecure-Requests: 1\r\n" +
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
		"Sec-Fetch-Site: same-origin\r\n" +
		"Sec-Fetch-Mode: navigate\r\n" +
		"Sec-Fetch-User: ?1\r\n" +
		"Sec-Fetch-Dest: document\r\n" +
		"Referer: https://shop.example.com/\r\n" +
		"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
		"Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n" +
		"Cookie: session=7f3a9c2b1e; theme=dark; cart=3\r\n" +
		"\r\n",
	// curl.
	"GET /api/v1/status HTTP/1.1\r\n" +
		"Host: localhost:8080\r\n" +
		"User-Agent: curl/8.5.0\r\n" +
		"Accept: */*\r\n" +
		"\r\n",
	// A load generator in the style of wrk: the shortest keep-alive head.
	"GET /plaintext HTTP/1.1\r\n" +
		"Host: 10.0.0.5:8080\r\n" +
		"\r\n",
	// Apache bench.
	"GET /index.html HTTP/1.0\r\n" +
		"Connection: keep-alive\r\n" +
		"Host: 127.0.0.1:8080\r\n" +
		"User-Agent: ApacheBench/2.3\r\n" +
		"Accept: */*\r\n" +
		"\r\n",
}

// loop is a source that repeats its bytes forever, a read at most n
// bytes long: what a keep-alive connection carrying the same requests
// looks like to a server.
type loop struct {
	b   []byte
	off int
	n   int
}

func (l *loop) Read(p []byte) (int, error) {
	k := copy(p[:min(len(p), l.n)], l.b[l.off:])
	l.off = (l.off + k) % len(l.b)
	return k, nil
}

func http1Stream() []byte {
	var b []byte
	for range 64 {
		for _, h := range http1Heads {
			b = append(b, h...)
		}
	}
	return b
}

func init() {
	stream := http1Stream()
	perHead := len(stream) / (64 * len(http1Heads))
	registerFraming("http1",
		framingContender{"sluice", func(b *testing.B) {
			r := http1.NewRequestReader(pipe.NewReader(&loop{b: stream, n: 4096}, pipe.ReaderOptions{}), http1.Options{})
			defer r.Close()
			ctx := context.Background()
			b.SetBytes(int64(perHead))
			b.ReportAllocs()
			for b.Loop() {
				p, err := r.Next(ctx)
				if err != nil || !p.IsHead {
					b.Fatal(err)
				}
				if _, ok := p.Head.Fields.Get("host"); !ok && p.Head.Minor == 1 {
					b.Fatal("no host")
				}
			}
		}},
		framingContender{"nethttp", func(b *testing.B) {
			br := bufio.NewReaderSize(&loop{b: stream, n: 4096}, 4096)
			b.SetBytes(int64(perHead))
			b.ReportAllocs()
			for b.Loop() {
				req, err := http.ReadRequest(br)
				if err != nil || req.Host == "" {
					b.Fatal(err)
				}
			}
		}},
		framingContender{"fasthttp", func(b *testing.B) {
			br := bufio.NewReaderSize(&loop{b: stream, n: 4096}, 4096)
			var h fasthttp.RequestHeader
			b.SetBytes(int64(perHead))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				if err := h.Read(br); err != nil || len(h.Host()) == 0 {
					b.Fatal(err)
				}
			}
		}},
	)
}

// http1Request is a request as both readers see it.
type http1Request struct {
	method, target string
	fields         []string // "name: value", Host, Transfer-Encoding and Content-Length left out
	body           string
}

// readSluice reads every request of the pieces with framing/http1.
func readSluice(pieces [][]byte) ([]http1Request, error) {
	src := new(segtest.Pieces(slices.Clone(pieces)))
	r := http1.NewRequestReader(pipe.NewReader(src, pipe.ReaderOptions{}), http1.Options{})
	defer r.Close()
	var out []http1Request
	tunnel := false
	for {
		p, err := r.Next(context.Background())
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if p.IsHead {
			q := http1Request{method: p.Head.Method.String(), target: p.Head.Target.String()}
			for k, v := range p.Head.Fields.All() {
				switch http.CanonicalHeaderKey(k.String()) {
				case "Host", "Transfer-Encoding", "Content-Length":
				default:
					q.fields = append(q.fields, http.CanonicalHeaderKey(k.String())+": "+v.String())
				}
			}
			out = append(out, q)
		}
		if p.IsHead {
			tunnel = p.Head.Upgrade || p.Head.Method.String() == "CONNECT"
		}
		out[len(out)-1].body += p.Data.String()
		if p.End && tunnel {
			return out, nil // a server would hand the connection over here
		}
	}
}

// readNetHTTP reads every request of the pieces with net/http.
func readNetHTTP(pieces [][]byte) ([]http1Request, error) {
	br := bufio.NewReader(new(segtest.Pieces(slices.Clone(pieces))))
	var out []http1Request
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return out, nil
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			return out, err
		}
		q := http1Request{method: req.Method, target: req.RequestURI}
		for k, vs := range req.Header {
			if k == "Content-Length" {
				continue
			}
			for _, v := range vs {
				q.fields = append(q.fields, k+": "+v)
			}
		}
		slices.Sort(q.fields)
		body, err := io.ReadAll(req.Body)
		q.body = string(body)
		out = append(out, q)
		if err != nil {
			return out, err
		}
		if req.Method == "CONNECT" || req.Header.Get("Upgrade") != "" || req.Close {
			return out, nil
		}
	}
}

func randomCut(r *rand.Rand, b []byte, max int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := min(len(b), 1+r.IntN(max))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// randomRequests returns n well-formed requests, pipelined, with bodies
// of both framings.
func randomRequests(r *rand.Rand, n int) []byte {
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}
	var b []byte
	for range n {
		m := methods[r.IntN(len(methods))]
		var fields []http1.Field
		fields = append(fields, http1.Field{Name: "Host", Value: "h" + strconv.Itoa(r.IntN(9))})
		for i := range r.IntN(6) {
			fields = append(fields, http1.Field{Name: "X-F" + strconv.Itoa(i), Value: strings.Repeat("v ", r.IntN(4)) + "end"})
		}
		body := strings.Repeat("b", r.IntN(300))
		chunked := r.IntN(2) == 0
		if m == "GET" || m == "DELETE" {
			body = ""
		} else if chunked {
			fields = append(fields, http1.Field{Name: "Transfer-Encoding", Value: "chunked"})
		} else {
			fields = append(fields, http1.Field{Name: "Content-Length", Value: strconv.Itoa(len(body))})
		}
		b = http1.AppendRequestHead(b, m, "/p/"+strconv.Itoa(r.IntN(1000))+"?q=1", fields...)
		if chunked && m != "GET" && m != "DELETE" {
			for s := body; s != ""; {
				k := min(len(s), 1+r.IntN(100))
				b = http1.AppendChunk(b, []byte(s[:k]))
				s = s[k:]
			}
			b = http1.AppendLastChunk(b)
		} else {
			b = append(b, body...)
		}
	}
	return b
}

// llhttpRequests returns the request inputs of the llhttp cases.
func llhttpRequests(t *testing.T) map[string][]byte {
	b, err := os.ReadFile("../framing/http1/testdata/llhttp/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var name, kind string
	for line := range strings.Lines(string(b)) {
		if k, ok := strings.CutPrefix(line, "case "); ok {
			f := strings.SplitN(strings.TrimSpace(k), " ", 3)
			kind, name = f[0], f[1]+" "+f[2]
		}
		if in, ok := strings.CutPrefix(line, "input "); ok && kind == "request" {
			s, err := strconv.Unquote(strings.TrimSpace(in))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = []byte(s)
		}
	}
	return out
}

// http1Differences are the llhttp request cases where net/http and
// framing/http1 disagree, each for a reason of framing/http1's (see
// docs/http1.md).
var http1Differences = map[string]string{
	`test/request/connection.md "Invalid whitespace token with ` + "`Connection`" + ` header field"`:         wsColon,
	`test/request/content-length.md "Invalid whitespace token with ` + "`Content-Length`" + ` header field"`: wsColon,
	`test/request/invalid.md "Empty headers separated by LF"`:                                                bareLF,
	`test/request/invalid.md "Headers separated by LF"`:                                                      bareLF,
	`test/request/invalid.md "Missing CR between headers"`:                                                   bareLF,
	`test/request/invalid.md "Only LFs present"`:                                                             bareLF,
	`test/request/sample.md "Line folding in header value with LF"`:                                          bareLF,
	`test/request/invalid.md "Spaces before headers"`:                                                        obsFold,
	`test/request/method.md "CONNECT with body"`: "a CONNECT's tunnel starts after its head: " +
		"framing/http1 reads no content after it, net/http reads its Content-Length",
	`test/request/pipelining.md "Should parse multiple events"`:                                                      emptyLine,
	`test/request/sample.md "Prefix newline"`:                                                                        emptyLine,
	`test/request/sample.md "Request starting with CRLF"`:                                                            emptyLine,
	`test/request/uri.md "Host terminated by a query string"`:                                                        emptyLine,
	`test/request/transfer-encoding.md "No extension after semicolon"`:                                               chunkExt,
	`test/request/transfer-encoding.md "Space after chunk header"`:                                                   chunkExt,
	`test/request/transfer-encoding.md "Unbalanced chunk extensions quoting"`:                                        chunkExt,
	`test/request/transfer-encoding.md "POST with ` + "`chunked`" + ` as last transfer-encoding (multiple headers)"`: codings,
	`test/request/transfer-encoding.md "POST with ` + "`chunked`" + ` as last transfer-encoding"`:                    codings,
	`test/request/uri.md "Disallow UTF-8 in URI path in strict mode"`: "bytes over 0x7e in a request target are " +
		"refused (RFC 3986 has none; llhttp's strict mode agrees); net/http passes them on",
}

const (
	wsColon = "whitespace between a field name and its colon is refused (RFC 9112 §5.1: a server must answer 400); " +
		"net/http keeps the name with its space"
	bareLF    = "a line ended by LF alone is refused, as smuggling defences want; net/http accepts it"
	obsFold   = "obsolete line folding is refused (RFC 9112 §5.2 allows it); net/http joins the lines"
	emptyLine = "empty lines before a request line are skipped (RFC 9112 §2.2); net/http refuses them"
	chunkExt  = "chunk extensions are checked against RFC 9112 §7.1.1 (llhttp agrees); net/http skips them unread"
	codings   = "a Transfer-Encoding list that ends in chunked is accepted (RFC 9112 §6.3) and the chunked " +
		"coding removed, the others left to the application; net/http refuses any coding but chunked"
)

// TestHTTP1AgreesWithNetHTTP reads the same requests with framing/http1
// and net/http's ReadRequest under random chunkings: the same requests
// (method, target, fields, body), or both refuse.
func TestHTTP1AgreesWithNetHTTP(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	inputs := llhttpRequests(t)
	for i := range 50 {
		inputs[fmt.Sprintf("random %d", i)] = randomRequests(rnd, 1+rnd.IntN(8))
	}
	var disagree []string
	for name, in := range inputs {
		want, werr := readNetHTTP([][]byte{in})
		for _, max := range []int{1, 3, 17, 4096} {
			pieces := randomCut(rnd, in, max)
			got, gerr := readSluice(pieces)
			n, nerr := readNetHTTP(pieces)
			if fmt.Sprint(n, nerr) != fmt.Sprint(want, werr) {
				t.Fatalf("%s: net/http differs between chunkings", name)
			}
			for _, q := range got {
				slices.Sort(q.fields)
			}
			same := (gerr == nil) == (werr == nil) && fmt.Sprint(got) == fmt.Sprint(want)
			if !same {
				if why, ok := http1Differences[name]; ok {
					t.Logf("%s: differs as documented (%s)", name, why)
					break
				}
				disagree = append(disagree, fmt.Sprintf("%s:\n  sluice  %v %v\n  nethttp %v %v", name, got, gerr, want, werr))
				break
			}
		}
	}
	slices.Sort(disagree)
	for _, d := range disagree {
		t.Error(d)
	}
}

// http1Response is a response as both readers see it.
type http1Response struct {
	status int
	fields []string // "Name: value", Transfer-Encoding and Content-Length left out
	body   string
}

// readSluiceResponses reads the responses to requests of the given
// methods with framing/http1.
func readSluiceResponses(pieces [][]byte, methods []string) ([]http1Response, error) {
	src := new(segtest.Pieces(slices.Clone(pieces)))
	r := http1.NewResponseReader(pipe.NewReader(src, pipe.ReaderOptions{}), http1.Options{})
	defer r.Close()
	for _, m := range methods {
		r.Sent(m)
	}
	var out []http1Response
	for {
		p, err := r.Next(context.Background())
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if p.IsHead {
			if p.Head.Status < 200 {
				continue // net/http's ReadResponse returns 1xx too, but the table has none
			}
			q := http1Response{status: p.Head.Status}
			for k, v := range p.Head.Fields.All() {
				switch n := http.CanonicalHeaderKey(k.String()); n {
				case "Transfer-Encoding", "Content-Length":
				default:
					q.fields = append(q.fields, n+": "+v.String())
				}
			}
			slices.Sort(q.fields)
			out = append(out, q)
		}
		out[len(out)-1].body += p.Data.String()
	}
}

// readNetHTTPResponses reads the responses with net/http.
func readNetHTTPResponses(pieces [][]byte, methods []string) ([]http1Response, error) {
	br := bufio.NewReader(new(segtest.Pieces(slices.Clone(pieces))))
	var out []http1Response
	for _, m := range methods {
		if _, err := br.Peek(1); err == io.EOF {
			return out, nil
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: m})
		if err != nil {
			return out, err
		}
		q := http1Response{status: resp.StatusCode}
		for k, vs := range resp.Header {
			if k == "Content-Length" {
				continue
			}
			for _, v := range vs {
				q.fields = append(q.fields, k+": "+v)
			}
		}
		slices.Sort(q.fields)
		body, err := io.ReadAll(resp.Body)
		q.body = string(body)
		out = append(out, q)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// randomResponses returns n responses to the methods it also returns:
// bodies by Content-Length, chunked with trailers, none (HEAD, 204, 304)
// and, last, until the connection closes.
func randomResponses(r *rand.Rand, n int) ([]byte, []string) {
	var b []byte
	var methods []string
	for i := range n {
		m, status := "GET", 200
		switch r.IntN(5) {
		case 0:
			m = "HEAD"
		case 1:
			status = 204
		case 2:
			status = 304
		}
		fields := []http1.Field{{Name: "Server", Value: "t"}, {Name: "X-N", Value: strconv.Itoa(i)}}
		body := strings.Repeat("r", r.IntN(200))
		chunked := r.IntN(2) == 0
		last := i == n-1 && r.IntN(3) == 0
		switch {
		case last:
		case chunked:
			fields = append(fields, http1.Field{Name: "Transfer-Encoding", Value: "chunked"})
		default:
			fields = append(fields, http1.Field{Name: "Content-Length", Value: strconv.Itoa(len(body))})
		}
		b = http1.AppendResponseHead(b, status, http.StatusText(status), fields...)
		methods = append(methods, m)
		switch {
		case m == "HEAD" || status != 200:
		case last:
			b = append(b, body...)
		case chunked:
			for s := body; s != ""; {
				k := min(len(s), 1+r.IntN(60))
				b = http1.AppendChunk(b, []byte(s[:k]))
				s = s[k:]
			}
			b = http1.AppendLastChunk(b)
		default:
			b = append(b, body...)
		}
	}
	return b, methods
}

// TestHTTP1ResponsesAgreeWithNetHTTP reads random response streams with
// framing/http1 and net/http's ReadResponse, each told the request
// methods, under random chunkings: the same statuses, fields and bodies.
func TestHTTP1ResponsesAgreeWithNetHTTP(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 5))
	for i := range 100 {
		in, methods := randomResponses(rnd, 1+rnd.IntN(6))
		want, werr := readNetHTTPResponses([][]byte{in}, methods)
		if werr != nil {
			t.Fatalf("stream %d: net/http: %v\n%q", i, werr, in)
		}
		for _, max := range []int{1, 5, 64, 4096} {
			got, err := readSluiceResponses(randomCut(rnd, in, max), methods)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("stream %d in pieces of at most %d:\n  sluice  %v %v\n  nethttp %v\n%q", i, max, got, err, want, in)
			}
		}
	}
}
