package http1

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/pipe"
)

// startNginx runs nginx in the foreground on a free loopback port with a
// configuration written for the test: no root needed, every path in dir.
// /up/ takes PUT uploads (the DAV module reads the body, so it answers
// Expect: 100-continue), and text is gzipped on request, which nginx
// sends chunked.
func startNginx(t *testing.T, dir string) *wiretap.Server {
	www := filepath.Join(dir, "www")
	for _, d := range []string{www, filepath.Join(www, "up"), filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{
		"index.html": []byte("<html><body>hello</body></html>\n"),
		"a.txt":      bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog\n"), 200),
		"big.bin":    bytes.Repeat([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 'x', '\r', '\n'}, 20000),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(www, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return wiretap.Start(t, "nginx", func(port int) []string {
		conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 64; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/tmp/body;
	proxy_temp_path %[1]s/tmp/proxy;
	fastcgi_temp_path %[1]s/tmp/fastcgi;
	uwsgi_temp_path %[1]s/tmp/uwsgi;
	scgi_temp_path %[1]s/tmp/scgi;
	keepalive_requests 10000;
	gzip on;
	gzip_types text/plain;
	gzip_min_length 0;
	server {
		listen 127.0.0.1:%[2]d;
		root %[1]s/www;
		location /up/ {
			dav_methods PUT;
			create_full_put_path on;
			client_max_body_size 16m;
		}
	}
}
`, dir, port)
		path := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")}
	})
}

// pieces returns the pieces one per Read.
type pieces [][]byte

func (p *pieces) Read(b []byte) (int, error) {
	for len(*p) > 0 && len((*p)[0]) == 0 {
		*p = (*p)[1:]
	}
	if len(*p) == 0 {
		return 0, io.EOF
	}
	n := copy(b, (*p)[0])
	(*p)[0] = (*p)[0][n:]
	return n, nil
}

func cut(r *rand.Rand, b []byte, max int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := min(len(b), 1+r.IntN(max))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// exchange is what the readers made of one connection.
type exchange struct {
	methods  []string // of the requests, in order
	requests []string // method target body-length
	statuses []int    // of the final responses, in order (1xx left out)
	interim  int      // 1xx responses
	down     []string // status body-length, every response
}

// frame reads one recorded connection: the requests from the client's
// bytes, the responses from the server's, each response framed by the
// request it answers.
func frame(t *testing.T, up, down [][]byte) exchange {
	t.Helper()
	var x exchange
	src := pieces(append([][]byte(nil), up...))
	rr := NewRequestReader(pipe.NewReader(&src, pipe.ReaderOptions{}), Options{})
	var n int
	for {
		p, err := rr.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("request %d: %v", len(x.requests), err)
		}
		if p.IsHead {
			x.methods = append(x.methods, p.Head.Method.String())
			x.requests = append(x.requests, p.Head.Method.String()+" "+p.Head.Target.String())
			n = 0
		}
		n += p.Data.Len()
		if p.End {
			x.requests[len(x.requests)-1] += " " + strconv.Itoa(n)
		}
	}
	rr.Close()
	src = pieces(append([][]byte(nil), down...))
	resp := NewResponseReader(pipe.NewReader(&src, pipe.ReaderOptions{}), Options{})
	defer resp.Close()
	for _, m := range x.methods {
		resp.Sent(m)
	}
	status := 0
	for {
		p, err := resp.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("response %d: %v", len(x.down), err)
		}
		if p.IsHead {
			status, n = p.Head.Status, 0
			if status < 200 {
				x.interim++
			} else {
				x.statuses = append(x.statuses, status)
			}
		}
		n += p.Data.Len()
		if p.End {
			x.down = append(x.down, strconv.Itoa(status)+" "+strconv.Itoa(n))
		}
	}
	return x
}

// TestLiveNginx frames what curl and h2load --h1 exchange with nginx:
// keep-alive requests for several URLs, HEAD, gzip (chunked) responses,
// a chunked upload, an upload with Expect: 100-continue, and pipelined
// requests, as the relay read the bytes and in random pieces (a byte per
// read for the connections under 16 KB); it counts
// requests and responses against nginx's access log.
func TestLiveNginx(t *testing.T) {
	dir := t.TempDir()
	srv := startNginx(t, dir)
	tap := wiretap.Listen(t, srv.Addr)
	base := "http://" + tap.Addr()
	upload := filepath.Join(dir, "upload.bin")
	if err := os.WriteFile(upload, bytes.Repeat([]byte("0123456789abcdef"), 12345), 0o644); err != nil {
		t.Fatal(err)
	}
	wiretap.Run(t, nil, "curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "--compressed",
		base+"/", base+"/a.txt", base+"/big.bin")
	wiretap.Run(t, nil, "curl", "-sS", "-I", base+"/a.txt")
	wiretap.Run(t, nil, "curl", "-sS", "-o", "/dev/null", "-T", upload, "-H", "Transfer-Encoding: chunked", base+"/up/chunked.bin")
	wiretap.Run(t, nil, "curl", "-sS", "-o", "/dev/null", "-T", upload, "-H", "Expect: 100-continue", base+"/up/expect.bin")
	wiretap.Run(t, nil, "curl", "-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
		base+"/missing", base+"/index.html", base+"/big.bin")
	wiretap.Run(t, nil, "h2load", "--h1", "-n", "200", "-c", "2", "-m", "8", base+"/index.html")

	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"chunked.bin", "expect.bin"} {
		got, err := os.ReadFile(filepath.Join(dir, "www", "up", name))
		if want, _ := os.ReadFile(upload); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("nginx stored %s wrongly: %v", name, err)
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	var requests, responses, interim int
	statuses := map[int]int{}
	seen := map[string]bool{}
	bodies := map[string]bool{}
	writeCaptures(t, recs)
	for i, rec := range recs {
		x := frame(t, rec.Up, rec.Down)
		for _, max := range []int{1, 7, 100, 5000} {
			if max == 1 && len(rec.UpBytes())+len(rec.DownBytes()) > 16<<10 {
				continue // a byte per read over 200 KB takes seconds under the race detector
			}
			y := frame(t, cut(rnd, rec.UpBytes(), max), cut(rnd, rec.DownBytes(), max))
			if fmt.Sprint(x) != fmt.Sprint(y) {
				t.Fatalf("connection %d in pieces of at most %d: %v\nas relayed: %v", i, max, y, x)
			}
		}
		if len(x.statuses) != len(x.requests) {
			t.Fatalf("connection %d: %d requests, %d final responses\n%v", i, len(x.requests), len(x.statuses), x)
		}
		requests += len(x.requests)
		responses += len(x.statuses)
		interim += x.interim
		for _, s := range x.statuses {
			statuses[s]++
		}
		for _, d := range x.down {
			bodies[d] = true
		}
		for _, r := range x.requests {
			seen[strings.Fields(r)[0]] = true
		}
		t.Logf("connection %d: %d requests, %d up pieces, %d down pieces; %v", i, len(x.requests), len(rec.Up), len(rec.Down),
			x.down[:min(len(x.down), 4)])
	}
	log, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	logged := bytes.Count(log, []byte("\n"))
	logStatus := map[int]int{}
	for line := range strings.Lines(string(log)) {
		// combined format: ... "REQUEST" STATUS BYTES ...
		_, after, ok := strings.Cut(line, "\" ")
		if !ok {
			t.Fatalf("log line %q", line)
		}
		s, _ := strconv.Atoi(strings.Fields(after)[0])
		logStatus[s]++
	}
	if requests != logged || responses != logged || fmt.Sprint(statuses) != fmt.Sprint(logStatus) {
		t.Fatalf("framed %d requests and %d responses %v; nginx logged %d %v", requests, responses, statuses, logged, logStatus)
	}
	// curl asks for 100-continue on both uploads (it does on a chunked one).
	if interim != 2 {
		t.Errorf("%d interim responses, want two 100 Continue", interim)
	}
	if !bodies["200 260000"] || !bodies["201 0"] {
		t.Errorf("responses %v: want big.bin whole (260000 bytes) and the uploads' 201", bodies)
	}
	for _, m := range []string{"GET", "HEAD", "PUT"} {
		if !seen[m] {
			t.Errorf("no %s request framed", m)
		}
	}
	t.Logf("%d connections, %d requests and responses, statuses %v", len(recs), requests, statuses)
}

// writeCaptures writes the small connections of recs (under 4 KB each way)
// to the directory HTTP1_CAPTURES names, if it is set: that is how
// testdata/captures, the fuzz targets' seeds of real bytes, was made.
func writeCaptures(t *testing.T, recs []wiretap.Recording) {
	dir := os.Getenv("HTTP1_CAPTURES")
	if dir == "" {
		return
	}
	for i, rec := range recs {
		up, down := rec.UpBytes(), rec.DownBytes()
		if len(up) > 4<<10 || len(down) > 4<<10 {
			continue
		}
		for kind, b := range map[string][]byte{"request": up, "response": down} {
			name := filepath.Join(dir, fmt.Sprintf("nginx-%d.%s", i, kind))
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
