package tlsrecord

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// msgHeader matches the record header lines of openssl's -msg output:
// ">>> TLS 1.2, RecordHeader [length 0005]" (sent) or "<<< ..."
// (received), followed by a line with the header's 5 bytes in hex.
var msgHeader = regexp.MustCompile(`^(>>>|<<<) .*RecordHeader \[length 0005\]`)

// A loggedRecord is a record header of openssl's -msg output, and whether
// s_client sent it (up) or received it.
type loggedRecord struct {
	up bool
	h  Header
}

// msgRecords returns the record headers openssl's -msg output lists, in
// its order.
func msgRecords(t *testing.T, out []byte) []loggedRecord {
	t.Helper()
	var recs []loggedRecord
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := msgHeader.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if !sc.Scan() {
			t.Fatal("-msg output ends after a record header line")
		}
		b := hexBytes(strings.TrimSpace(sc.Text()))
		if len(b) != HeaderSize {
			t.Fatalf("record header line %q", sc.Text())
		}
		h := Header{ContentType(b[0]), Version(uint16(b[1])<<8 | uint16(b[2])), uint16(b[3])<<8 | uint16(b[4])}
		recs = append(recs, loggedRecord{m[1] == ">>>", h})
	}
	return recs
}

// msgHeaders returns the record headers openssl's -msg output lists for
// each direction: up what s_client sent, down what it received.
func msgHeaders(t *testing.T, out []byte) (up, down []Header) {
	t.Helper()
	for _, r := range msgRecords(t, out) {
		if r.up {
			up = append(up, r.h)
		} else {
			down = append(down, r.h)
		}
	}
	return up, down
}

// request is what s_client sends s_server -www: a GET with a few KB of
// header lines, so that both directions carry application data.
func request() []byte {
	var b bytes.Buffer
	b.WriteString("GET / HTTP/1.0\r\n")
	for i := range 60 {
		fmt.Fprintf(&b, "X-Pad-%02d: %s\r\n", i, strings.Repeat(string(rune('a'+i%26)), 64))
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// framed reads the records of one direction from the relay's pieces.
func framed(t *testing.T, pieces [][]byte) []Record {
	t.Helper()
	src := segtest.Pieces(append([][]byte(nil), pieces...))
	r := parse.NewReader(pipe.NewReader(&src, pipe.ReaderOptions{}), Parser(Options{}), parse.Options{})
	defer r.Close()
	var out []Record
	for rec := range r.All(context.Background()) {
		rec.Fragment = segtest.Split(rec.Fragment.Bytes())
		out = append(out, rec)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out
}

func headersOf(recs []Record) []Header {
	out := make([]Header, len(recs))
	for i, r := range recs {
		out[i] = r.Header
	}
	return out
}

// checkDirection compares one direction's records with openssl's list
// and reads its first handshake message.
func checkDirection(t *testing.T, who string, recs []Record, want []Header, hello HandshakeType, sni string) {
	t.Helper()
	got := headersOf(recs)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: records\n%v\nopenssl -msg lists\n%v", who, got, want)
	}
	var h Hello
	for i := range recs {
		ok, err := h.Add(&recs[i])
		if err != nil {
			t.Fatalf("%s: hello: %v", who, err)
		}
		if ok {
			break
		}
	}
	hdr, _ := h.Header()
	if !h.Done() || hdr.Type != hello || (sni != "" && !bytes.Contains(h.Body(), []byte(sni))) {
		t.Fatalf("%s: first message %v, %d bytes", who, hdr, len(h.Body()))
	}
	app := 0
	for _, r := range recs {
		if r.Type == TypeApplicationData {
			app += int(r.Length)
		}
	}
	if app < 3000 {
		t.Fatalf("%s: %d bytes of application data", who, app)
	}
}

// TestLiveOpenSSL runs openssl s_server -www and s_client with TLS 1.2 and
// TLS 1.3 through a relay, and frames what crossed it: the records of
// each direction are those that s_client's -msg output lists, header for
// header, and the first handshake message of each is a hello (the
// ClientHello naming the server); and tshark's TLS dissector frames the
// whole connection as the Parser does.
func TestLiveOpenSSL(t *testing.T) {
	wiretap.Require(t, "openssl")
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	wiretap.Run(t, nil, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-subj", "/CN=localhost", "-days", "2", "-keyout", key, "-out", cert)
	for _, ver := range []string{"tls1_2", "tls1_3"} {
		t.Run(ver, func(t *testing.T) {
			srv := wiretap.Start(t, "openssl", func(port int) []string {
				return []string{"s_server", "-accept", strconv.Itoa(port), "-cert", cert, "-key", key, "-www", "-" + ver, "-quiet"}
			})
			tap := wiretap.Listen(t, srv.Addr)
			out := wiretap.Run(t, request(), "openssl", "s_client", "-connect", tap.Addr(), "-servername", "localhost",
				"-"+ver, "-msg", "-ign_eof")
			recs, err := tap.Recordings(10 * time.Second)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%d recordings, %v", len(recs), err)
			}
			up, down := msgHeaders(t, out)
			checkDirection(t, "client", framed(t, recs[0].Up), up, ClientHello, "localhost")
			checkDirection(t, "server", framed(t, recs[0].Down), down, ServerHello, "")
			if dir := os.Getenv("SLUICE_TLS_CAPTURE"); dir != "" {
				os.WriteFile(filepath.Join(dir, ver+"-up.bin"), recs[0].UpBytes(), 0o644)
				os.WriteFile(filepath.Join(dir, ver+"-down.bin"), recs[0].DownBytes(), 0o644)
				os.WriteFile(filepath.Join(dir, ver+"-msg.txt"), out, 0o644)
			}
			// The whole connection, in the turns of s_client's -msg log,
			// framed by tshark as by the Parser.
			compareTshark(t, recs[0].UpBytes(), recs[0].DownBytes(), out, 2)
			// The recorded bytes in random chunkings: the same records.
			for i, b := range [][]byte{recs[0].UpBytes(), recs[0].DownBytes()} {
				o := fuzz.Check(t, decoder(Options{}), b, randomCuts(len(b), int64(i)), fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
				if o.Err != nil {
					t.Fatal(o.Err)
				}
			}
		})
	}
}

// randomCuts returns increasing cut points in (0, n), about one in 300
// bytes.
func randomCuts(n int, seed int64) []int {
	var cuts []int
	for c := 1 + int(seed)%7; c < n; c += 1 + (c*7919+int(seed))%600 {
		cuts = append(cuts, c)
	}
	return cuts
}

// TestCaptures frames the connections TestLiveOpenSSL recorded (kept in
// testdata/captures with s_client's -msg output), so that the real bytes
// are checked where openssl is not installed: every chunking that
// fuzz.Check tries, compared with -msg header for header.
func TestCaptures(t *testing.T) {
	for _, ver := range []string{"tls1_2", "tls1_3"} {
		msg, err := os.ReadFile(filepath.Join("testdata", "captures", ver+"-msg.txt"))
		if err != nil {
			t.Fatal(err)
		}
		up, down := msgHeaders(t, msg)
		for _, d := range []struct {
			name  string
			want  []Header
			hello HandshakeType
			sni   string
		}{{"up", up, ClientHello, "localhost"}, {"down", down, ServerHello, ""}} {
			b, err := os.ReadFile(filepath.Join("testdata", "captures", ver+"-"+d.name+".bin"))
			if err != nil {
				t.Fatal(err)
			}
			checkDirection(t, ver+" "+d.name, framed(t, [][]byte{b}), d.want, d.hello, d.sni)
			o := fuzz.Check(t, decoder(Options{}), b, randomCuts(len(b), 3), fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
			if o.Err != nil || len(o.Messages) != len(d.want) {
				t.Fatalf("%s %s: %d records, %v", ver, d.name, len(o.Messages), o.Err)
			}
			// A plaintext-only reader refuses nothing here but records
			// over 2^14; the TLS 1.2 alert is protected.
			for _, r := range framed(t, [][]byte{b}) {
				if r.Type == TypeAlert {
					_, err := r.Alert()
					if ver == "tls1_2" && !errors.Is(err, ErrAlertLength) {
						t.Fatalf("%s: a TLS 1.2 close_notify after the key change is protected: %v", ver, err)
					}
				}
			}
		}
	}
}
