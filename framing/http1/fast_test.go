package http1

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/lineartest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// showHead renders everything a head holds, the framing decided from its
// fields included.
func showHead(h Head) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q 1.%d n=%d fields=%q body=%d cl=%d close=%v continue=%v upgrade=%v err=%v",
		h.Method.String(), h.Target.String(), h.Minor, h.Fields.Len(), h.Fields.Raw().String(),
		h.Body, h.ContentLength, h.Close, h.Continue, h.Upgrade, h.err)
	for k, v := range h.Fields.All() {
		fmt.Fprintf(&b, " %q=%q", k.String(), v.String())
	}
	return b.String()
}

// fastLimits are the limits the comparisons run under: the defaults, and
// small ones that the generated heads reach.
var fastLimits = []Options{
	{},
	{MaxLine: 40, MaxHeaderBytes: 200, MaxFields: 4, MaxBodySize: 100},
	{MaxLine: 24, MaxHeaderBytes: 90, MaxFields: 2, MaxBodySize: 9},
}

// compareHead checks the fast path against the declared request grammar
// on the head at the start of in, whole in one segment: where the fast
// path takes a head, the grammar reads the same head, as long, with no
// error. It reports whether the fast path took it.
func compareHead(t *testing.T, in []byte, o Options) bool {
	t.Helper()
	l := o.limits()
	for _, final := range []bool{false, true} {
		fin := parse.NewInput(seq.Of(in), final, l.block)
		var h Head
		n, st := fastRequest(fin, l, &h)
		if fin.Consumed() != 0 {
			t.Fatalf("%q: the fast path moved the cursor", in)
		}
		if st == fastShort && !final {
			// The grammar waits for more input too.
			_, err := grammarsFor(o).request(parse.NewInput(seq.Of(in), false, l.block))
			if !errors.Is(err, parse.ErrNeedMore) {
				t.Fatalf("%q %+v: the fast path waits for more input, the grammar says %v", in, o, err)
			}
		}
		if st != fastOK {
			return false
		}
		if n > fin.Limit() {
			t.Fatalf("%q %+v: the fast path took %d bytes, over the message size", in, o, n)
		}
		sin := parse.NewInput(seq.Of(in), final, l.block)
		want, err := grammarsFor(o).request(sin)
		if err != nil || want.err != nil {
			t.Fatalf("%q %+v: the fast path took %d bytes, the grammar refuses: %v %v", in, o, n, err, want.err)
		}
		if got, w := showHead(h), showHead(want); got != w || n != sin.Consumed() {
			t.Fatalf("%q %+v:\nfast path %d %s\ndeclared  %d %s", in, o, n, got, sin.Consumed(), w)
		}
	}
	return true
}

// readAll reads a request stream from src and renders every part and how
// it ended; slow reads with the declared grammar alone.
func readAll(src pipe.Reader, o Options, slow bool) string {
	r := NewRequestReader(src, o)
	defer r.Close()
	r.c.slow = slow
	var b strings.Builder
	for {
		p, err := r.Next(context.Background())
		if err != nil {
			if errors.Is(err, ErrHandedOver) {
				rest, _ := io.ReadAll(r.Hijack())
				fmt.Fprintf(&b, "rest %q\n", rest)
			} else {
				fmt.Fprintf(&b, "end %v\n", err)
			}
			return b.String()
		}
		if p.IsHead {
			b.WriteString(showHead(*p.Head) + "\n")
		}
		fmt.Fprintf(&b, "data %q end=%v", p.Data.String(), p.End)
		for k, v := range p.Trailers.All() {
			fmt.Fprintf(&b, " %q=%q", k.String(), v.String())
		}
		b.WriteString("\n")
		if p.End && p.IsHead && (p.Head.Upgrade || p.Head.Method.String() == "CONNECT") {
			rest, _ := io.ReadAll(r.Hijack())
			fmt.Fprintf(&b, "rest %q\n", rest)
			return b.String()
		}
	}
}

// compareStream reads in with the fast path and with the declared grammar
// alone, whole, in every segmentation of a short input and in random
// pieces, and checks that both read the same parts and end the same way
// in each.
func compareStream(t *testing.T, rnd *rand.Rand, in []byte, o Options) {
	t.Helper()
	check := func(how string, src func() pipe.Reader) {
		t.Helper()
		if got, want := readAll(src(), o, false), readAll(src(), o, true); got != want {
			t.Fatalf("%q %+v, %s:\nfast path %s\ndeclared  %s", in, o, how, got, want)
		}
	}
	check("whole", func() pipe.Reader { return pipe.FromSequence(seq.Of(in)) })
	if len(in) <= 2*segtest.MaxSplitAll {
		for _, s := range segtest.Segmentations(in) {
			check(s.Name, func() pipe.Reader { return pipe.FromSequence(s.Seq) })
		}
	}
	for _, max := range []int{1, 7, 64, 300} {
		p := segtest.RandomPieces(rnd, in, max)
		check(fmt.Sprintf("pieces up to %d", max), func() pipe.Reader {
			q := append(segtest.Pieces(nil), p...)
			return pipe.NewReader(&q, pipe.ReaderOptions{})
		})
	}
}

// randomHead writes a request head of the shapes clients send and of the
// ones the grammar refuses or decides at its edges.
func randomHead(rnd *rand.Rand) []byte {
	pick := func(s ...string) string { return s[rnd.IntN(len(s))] }
	var b []byte
	b = append(b, pick("GET", "POST", "PUT", "DELETE", "CONNECT", "connect", "OPTIONS", "M-SEARCH", "X!#$%&'*+-.^_`|~9")...)
	b = append(b, ' ')
	b = append(b, pick("/", "*", "/a/b?c=d&e=f#g", "http://example.com:80/x", "/"+strings.Repeat("p", rnd.IntN(40)))...)
	b = append(b, ' ')
	b = append(b, pick("HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/1.1")...)
	b = append(b, "\r\n"...)
	for range rnd.IntN(8) {
		var name, value string
		switch rnd.IntN(12) {
		case 0:
			name, value = pick("Content-Length", "content-length", "CONTENT-LENGTH"),
				pick("0", "5", "05", " 7 ", "5, 5", "-1", "", "1234567890123456789", "123456789012345678", "1 2", "\t3\t")
		case 1:
			name, value = pick("Transfer-Encoding", "transfer-encoding"),
				pick("chunked", "gzip, chunked", "chunked, gzip", "", "CHUNKED", "chunked, chunked", " chunked ", "x;chunked")
		case 2:
			name, value = pick("Connection", "connection"),
				pick("close", "keep-alive", "Upgrade, keep-alive", "CLOSE", "", "upgrade", "a, b ,close")
		case 3:
			name, value = pick("Upgrade", "upgrade"), pick("websocket", "h2c", "")
		case 4:
			name, value = pick("Expect", "expect"), pick("100-continue", "100-Continue ", "\t100-continue", "nothing")
		case 5:
			name, value = pick("Host", "host"), pick("example.com", "localhost:8080", "")
		case 6:
			name = pick("Content-Lengtx", "Transfer-Encodinx", "Connectioo", "Upgradx", "Expecx", "X")
			value = "close"
		default:
			name = pick("Accept", "User-Agent", "X-Custom", "Cookie", "Sec-Fetch-Mode", "a")
			var v []byte
			for range rnd.IntN(30) {
				v = append(v, pick("a", "Z", " ", "\t", ";", "=", ",", "\x80", "\xff", "~", "\"")...)
			}
			value = string(v)
		}
		b = append(b, name...)
		b = append(b, ':')
		b = append(b, pick("", " ", "  ", "\t")...)
		b = append(b, value...)
		b = append(b, pick("", "", " ", "\t")...)
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// mutate changes, inserts, removes or cuts a byte of a copy of b.
func mutate(rnd *rand.Rand, b []byte) []byte {
	b = append([]byte(nil), b...)
	bytes := []byte{'\r', '\n', ' ', '\t', ':', 0, 1, 0x1f, 0x7f, 0x80, 'a', '"', ',', '/', '\\'}
	for range 1 + rnd.IntN(2) {
		if len(b) == 0 {
			return b
		}
		i := rnd.IntN(len(b))
		switch rnd.IntN(4) {
		case 0:
			b[i] = bytes[rnd.IntN(len(bytes))]
		case 1:
			b = append(b[:i], append([]byte{bytes[rnd.IntN(len(bytes))]}, b[i:]...)...)
		case 2:
			b = append(b[:i], b[i+1:]...)
		case 3:
			b = b[:i]
		}
	}
	return b
}

// requestInputs are the llhttp request inputs, the refusals and the
// captured request streams.
func requestInputs(t *testing.T) [][]byte { return seeds(t, "request") }

// TestFastAgrees compares the fast path with the declared grammar: head by
// head on every llhttp request input, random and mutated heads under the
// default and small limits; and as a reader of whole streams (a head, its
// body, the next head) whole, in every segmentation and in random pieces.
func TestFastAgrees(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	taken, total := 0, 0 // unmutated random heads under the default limits
	heads := requestInputs(t)
	first := len(heads)
	n := 3000
	if testing.Short() || raceEnabled {
		n = 600
	}
	for range n {
		h := randomHead(rnd)
		heads = append(heads, h, mutate(rnd, h))
	}
	for i, in := range heads {
		// Prefixes, which the fast path may wait on.
		for range 4 {
			for _, o := range fastLimits {
				compareHead(t, in[:rnd.IntN(len(in)+1)], o)
			}
		}
		for k, o := range fastLimits {
			if compareHead(t, in, o) && k == 0 && i >= first && (i-first)%2 == 0 {
				taken++
			}
		}
		if i >= first && (i-first)%2 == 0 {
			total++
		}
		if raceEnabled && i%4 != 0 {
			continue
		}
		o := fastLimits[i%len(fastLimits)]
		stream := in
		if i%2 == 0 {
			// Two heads, a body between them, so that a head the fast
			// path reads is followed by another.
			stream = append(append(append([]byte(nil), in...), "0123456789"...), heads[(i+1)%len(heads)]...)
		}
		compareStream(t, rnd, stream, o)
	}
	// The fast path must read most heads, or the comparison tests little.
	if taken < total/4 {
		t.Fatalf("the fast path took %d of %d random heads", taken, total)
	}
	t.Logf("the fast path took %d of %d random heads", taken, total)
}

// TestFastEdges compares both at the limits' edges: a line of MaxLine
// bytes and around it, a head of the message size and around it, MaxFields
// fields and one more, a body of MaxBodySize and one more byte.
func TestFastEdges(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for d := -3; d <= 3; d++ {
		// The request line: "GET /…p HTTP/1.1\r\n" of 40+d bytes.
		line := "GET /" + strings.Repeat("p", 40+d-16) + " HTTP/1.1\r\n"
		field := "X: " + strings.Repeat("v", 40+d-5) + "\r\n"
		o := Options{MaxLine: 40, MaxHeaderBytes: 400, MaxFields: 4, MaxBodySize: 100}
		for _, in := range []string{line + "\r\n", "GET / HTTP/1.1\r\n" + field + "\r\n"} {
			compareHead(t, []byte(in), o)
			compareStream(t, rnd, []byte(in), o)
		}
		// A head of 80+d bytes under a message size of 80.
		head := "GET / HTTP/1.1\r\nX: " + strings.Repeat("v", 80+d-23) + "\r\n\r\n"
		o = Options{MaxHeaderBytes: 80}
		compareHead(t, []byte(head), o)
		compareStream(t, rnd, []byte(head), o)
		compareStream(t, rnd, []byte(head+head), o)
	}
	for n := 2; n <= 6; n++ {
		in := "GET / HTTP/1.1\r\n" + strings.Repeat("A: b\r\n", n) + "\r\n"
		compareHead(t, []byte(in), Options{MaxFields: 4})
		compareStream(t, rnd, []byte(in), Options{MaxFields: 4})
	}
	for _, cl := range []string{"99", "100", "101"} {
		in := "POST / HTTP/1.1\r\nContent-Length: " + cl + "\r\n\r\n" + strings.Repeat("b", 101)
		compareHead(t, []byte(in), Options{MaxBodySize: 100})
		compareStream(t, rnd, []byte(in), Options{MaxBodySize: 100})
	}
}

// TestFastPathTaken checks that the fast path reads the heads clients
// send, and leaves the others to the grammar.
func TestFastPathTaken(t *testing.T) {
	for _, in := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /plaintext HTTP/1.0\r\n\r\n",
		"POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nExpect: 100-continue\r\n\r\n",
		"PUT /u HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nConnection: keep-alive, Upgrade\r\nUpgrade: x\r\n\r\n",
		"GET / HTTP/1.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\t\xc3\xa9 \r\nAccept: */*\r\n\r\n",
	} {
		if !compareHead(t, []byte(in), Options{}) {
			t.Errorf("%q: not taken", in)
		}
	}
	for _, in := range []string{
		"\r\nGET / HTTP/1.1\r\n\r\n",           // an empty line first
		"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", // obs-fold
		"GET / HTTP/1.1\r\nA : b\r\n\r\n",      // space before the colon
		"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",    // a bare CR
		"GET / HTTP/1.1\r\nA: b\nc: d\r\n\r\n", // a bare LF
		"GET / HTTP/1.1\r\nA: b\x00\r\n\r\n",   // NUL
		"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",   // DEL
		"GET / HTTP/1.1\r\nA: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\x01\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n\r", // cut
		" / HTTP/1.1\r\n\r\n",             // no method
		"GET  HTTP/1.1\r\n\r\n",           // no target
		"GET / HTTP/1.1\r\n: v\r\n\r\n",   // no name
	} {
		if compareHead(t, []byte(in), Options{}) {
			t.Errorf("%q: taken", in)
		}
	}
}

// TestValueEnd checks the eight-byte value scan against the byte table at
// every byte value, at every position of a word and after an HTAB.
func TestValueEnd(t *testing.T) {
	for c := range 256 {
		for at := range 20 {
			for _, fill := range []byte{'a', '\t', 0x80, ' '} {
				b := make([]byte, 24)
				for i := range b {
					b[i] = fill
				}
				b[at] = byte(c)
				want := len(b)
				for i, x := range b {
					if !isValue[x] {
						want = i
						break
					}
				}
				for from := range min(at+1, 9) {
					if got := valueEnd(b, from); got != max(want, from) {
						t.Fatalf("byte %#x at %d in %q from %d: %d, want %d", c, at, fill, from, got, want)
					}
				}
			}
		}
	}
}

// TestRunEnd checks the runs of token and target bytes against the byte
// tables at every byte value and position.
func TestRunEnd(t *testing.T) {
	for c := range 256 {
		for at := range 20 {
			for _, class := range []uint8{classTchar, classTarget} {
				table := &isTchar
				if class == classTarget {
					table = &isTarget
				}
				b := []byte(strings.Repeat("a", 24))
				b[at] = byte(c)
				want := len(b)
				for i, x := range b {
					if !table[x] {
						want = i
						break
					}
				}
				for from := range min(at+1, 9) {
					if got := runEnd(b, from, class); got != max(want, from) {
						t.Fatalf("byte %#x at %d, class %d, from %d: %d, want %d", c, at, class, from, got, want)
					}
				}
			}
		}
	}
}

// FuzzFastAgrees compares the fast path with the declared grammar on
// arbitrary heads, alone and as a reader of the stream in pieces.
func FuzzFastAgrees(f *testing.F) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, s := range seeds(f, "request") {
		f.Add(s, uint8(0))
	}
	for range 20 {
		f.Add(randomHead(rnd), uint8(1))
	}
	f.Fuzz(func(t *testing.T, in []byte, lim uint8) {
		o := fastLimits[int(lim)%len(fastLimits)]
		compareHead(t, in, o)
		compareStream(t, rand.New(rand.NewPCG(uint64(len(in)), uint64(lim))), in, o)
	})
}

// TestLinearFast sends request heads a byte per read into segments large
// enough to hold them whole, so that every arrival extends the span the
// fast path would scan, and checks that the spans it is given add up to a
// few times the head, not to its square: it tries a head again only once
// the span has doubled.
func TestLinearFast(t *testing.T) {
	for _, n := range []int{10, 1000, 4000} {
		data := headOf(n)
		r := NewRequestReader(lineartest.Feed(data, 1<<20), Options{MaxHeaderBytes: 16 << 20, MaxFields: 1 << 20})
		p, err := r.Next(context.Background())
		if err != nil || p.Head.Fields.Len() != n {
			t.Fatalf("%d fields: %d, %v", n, p.Head.Fields.Len(), err)
		}
		if r.c.scanned > 3*len(data) {
			t.Errorf("a head of %d bytes sent a byte per read: the fast path scanned %d", len(data), r.c.scanned)
		}
		r.Close()
	}
}
