package bench

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"net/http/httputil"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing/http1"
	"github.com/sluicego/sluice/framing/resp"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
	"github.com/tidwall/redcon"
)

// The contenders of BenchmarkGrammar/resp and BenchmarkGrammar/chunked.
// Each reads a whole stream and visits every message, every part of it and
// every byte count a user would look at; they differ in where the bytes
// live:
//
//   - combinators and hand (resp: framing/resp's command grammar, the
//     user-facing one, and internal/grammars' RESPHand; both count each
//     command's arguments, views of the input; chunked: framing/http1's
//     ChunkedDecoder, declared with combinators, through its Parser, whose
//     batch form returns every whole small chunk of the buffered span from
//     one call, and the hand-written reference grammars.ChunkedPartsHand;
//     both a chunk or a part of one per message, at most 32 KiB) read
//     through a message reader over a pipe reader: one copy, from the
//     source into pipe segments; messages view the segments. The decoder's trailer fields view the input; the hand
//     parser copies them into strings.
//   - redcon's Reader wraps the source in a bufio.Reader and reads from it
//     into its own buffer (two copies), then copies every command into a
//     new Raw slice that Args view. Its buffer doubles while a command
//     straddles its end and shrinks back to 4 KiB once it is drained, as
//     redcon serving a connection does.
//   - nethttp reads every body to the end into a reused 32 KiB buffer (one
//     copy: bufio.Reader hands reads of at least its size straight to the
//     source, and the chunked reader's reads are bounded by the chunk
//     size), then the trailer section as net/http does after a chunked
//     body: Peek for the empty section, else textproto's ReadMIMEHeader,
//     which allocates a map and strings. net/http also peeks ahead for the
//     end of a non-empty trailer section before parsing it, a bound on
//     the section's size; nethttp leaves that out, which can only make it
//     faster.
var (
	respContenders = []grammarContender{
		{"combinators", tallyParse(resp.Commands(resp.Limits{}), countCommand)},
		{"hand", tallyParse(grammars.RESPHand, countRESP)},
		{"redcon", tallyRedcon},
	}
	chunkedContenders = []grammarContender{
		{"combinators", tallyParts(func() parse.TryParse[http1.ChunkedPart] { return http1.NewChunkedDecoder(http1.Options{}).Parser() }, countHTTP1Part)},
		{"hand", tallyParts(func() parse.TryParse[grammars.ChunkedPart] { return grammars.NewChunkedPartsHand(0).Parse }, countPart)},
		{"nethttp", tallyNetHTTP},
	}
)

// respStream returns at least size bytes of pipelined SET commands and
// what a contender counts in them.
func respStream(size int) ([]byte, grammarTally) {
	cmd := grammars.RESP{Kind: grammars.Array, Elems: []grammars.RESP{
		bulk("SET"), bulk("key:000123"), bulk(strings.Repeat("v", 40))}}
	var b []byte
	var want grammarTally
	for len(b) < size {
		b = grammars.AppendRESP(b, cmd)
		want.msgs++
		want.parts += len(cmd.Elems)
		for _, e := range cmd.Elems {
			want.bytes += e.Str.Len()
		}
	}
	return b, want
}

func countRESP(t *grammarTally, m grammars.RESP) {
	t.msgs++
	t.parts += len(m.Elems)
	for _, e := range m.Elems {
		t.bytes += e.Str.Len()
	}
}

// tallyParts returns a contender that reads chunked bodies in parts with a
// streaming decoder that newDecoder makes for the stream, and counts each
// body when its last part arrives (count). Both streaming contenders are
// built by it, so that the loops around their decoders are compiled
// alike.
func tallyParts[T any](newDecoder func() parse.TryParse[T], count func(*grammarTally, T)) func(io.Reader) (grammarTally, error) {
	return func(src io.Reader) (grammarTally, error) {
		return tallyParse(newDecoder(), count)(src)
	}
}

func countPart(t *grammarTally, p grammars.ChunkedPart) {
	t.bytes += p.Data.Len()
	if p.Last {
		t.msgs++
		t.parts += len(p.Trailers)
	}
}

func countHTTP1Part(t *grammarTally, p http1.ChunkedPart) {
	t.bytes += p.Data.Len()
	if p.End {
		t.msgs++
		t.parts += p.Trailers.Len()
	}
}

func countChunked(t *grammarTally, c grammars.Chunked) {
	t.msgs++
	t.parts += len(c.Trailers)
	t.bytes += c.Len()
}

// tallyRedcon reads commands with redcon's Reader, a pipeline at a time,
// as redcon's server loop does.
func tallyRedcon(src io.Reader) (grammarTally, error) {
	rd := redcon.NewReader(src)
	var t grammarTally
	for {
		cmds, err := rd.ReadCommands()
		if err == io.EOF {
			return t, nil
		} else if err != nil {
			return t, err
		}
		for _, c := range cmds {
			t.msgs++
			t.parts += len(c.Args)
			for _, a := range c.Args {
				t.bytes += len(a)
			}
		}
	}
}

// netHTTPBuf is the buffer tallyNetHTTP reads bodies into, the size of
// io.Copy's.
var netHTTPBuf = make([]byte, 32<<10)

// tallyNetHTTP reads chunked bodies one after another with net/http's
// chunked reader, each to the end and then its trailer section.
func tallyNetHTTP(src io.Reader) (grammarTally, error) {
	br := bufio.NewReader(src) // 4 KiB, as net/http's connections have
	var t grammarTally
	for {
		// A server reads a body only after a head announced it; here the
		// stream's end is where the bodies end.
		if _, err := br.Peek(1); err == io.EOF {
			return t, nil
		}
		body := httputil.NewChunkedReader(br)
		for {
			n, err := body.Read(netHTTPBuf)
			t.bytes += n
			if err == io.EOF {
				break
			} else if err != nil {
				return t, err
			}
		}
		p, err := br.Peek(2)
		if len(p) == 2 && p[0] == '\r' && p[1] == '\n' {
			br.Discard(2)
		} else if err != nil {
			return t, io.ErrUnexpectedEOF
		} else {
			h, err := textproto.NewReader(br).ReadMIMEHeader()
			if err != nil {
				return t, err
			}
			for _, vs := range h {
				t.parts += len(vs)
			}
		}
		t.msgs++
	}
}

// chunkedStreams name the streams of BenchmarkGrammar/chunked.
var chunkedStreams = []string{"chunks", "trailer", "nginx"}

// chunkedStream returns at least size bytes of chunked bodies, one after
// another, and what a contender counts in them. The bytes start srcSkew
// bytes into their allocation (see srcSkew). The streams:
//
//   - chunks: bodies of 64 chunks of 1 to 64 bytes each, no trailer
//     fields: the per-chunk cost of a body streamed in small writes;
//   - trailer: bodies of 1 to 3 chunks of 16 to 256 bytes and one trailer
//     field ("X-Checksum: " and 8 hex digits), as a small gRPC-web or
//     checksummed response;
//   - nginx: the body of internal/grammars/testdata/nginx-gzip-trailers.http
//     (91,465 bytes: 91,368 bytes of gzip in 3 chunks of 28 to 32 KiB, and 2
//     trailer fields) repeated, 46 times in 4 MiB.
//
// Sizes are drawn with a fixed seed, so every run and every contender reads
// the same stream.
func chunkedStream(tb testing.TB, name string, size int) ([]byte, grammarTally) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(size)))
	var b []byte
	var want grammarTally
	content := func(i, n int) []byte {
		c := make([]byte, n)
		for j := range c {
			c[j] = 'a' + byte((i+j)%26)
		}
		return c
	}
	var nginx []byte
	var nginxWant grammarTally
	if name == "nginx" {
		nginx, nginxWant = nginxBody(tb)
	}
	for i := 0; len(b) < size; i++ {
		var chunks [][]byte
		var trailers []grammars.Field
		switch name {
		case "chunks":
			for j := range 64 {
				chunks = append(chunks, content(i+j, 1+rng.IntN(64)))
			}
		case "trailer":
			for j := range 1 + rng.IntN(3) {
				chunks = append(chunks, content(i+j, 16+rng.IntN(256-16+1)))
			}
			trailers = []grammars.Field{{Name: "X-Checksum", Value: strconv.FormatUint(uint64(rng.Uint32())|1<<32, 16)[1:]}}
		case "nginx":
			b = append(b, nginx...)
			want.msgs += nginxWant.msgs
			want.parts += nginxWant.parts
			want.bytes += nginxWant.bytes
			continue
		default:
			tb.Fatalf("no chunked stream %q", name)
		}
		b = grammars.AppendChunked(b, chunks, trailers)
		want.msgs++
		want.parts += len(trailers)
		for _, c := range chunks {
			want.bytes += len(c)
		}
	}
	skewed := make([]byte, srcSkew+len(b))[srcSkew:]
	copy(skewed, b)
	return skewed, want
}

// nginxBody returns the chunked body of the response nginx sent in
// nginx-gzip-trailers.http (the bench module reads the grammars' test data
// in place) and what a contender counts in it, which the hand parser
// finds in one piece; internal/grammars checks that parser on this body
// against the file nginx gzip'd.
func nginxBody(tb testing.TB) ([]byte, grammarTally) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "framing", "http1", "testdata", "chunked", "nginx-gzip-trailers.http"))
	if err != nil {
		tb.Fatal(err)
	}
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok || !bytes.Contains(head, []byte("\r\nTransfer-Encoding: chunked\r\n")) {
		tb.Fatal("nginx-gzip-trailers.http: not a chunked response")
	}
	in := parse.NewInput(seq.Of(body), true, 0)
	c, err := grammars.ChunkedHand(in)
	if err != nil || in.Remaining() != 0 {
		tb.Fatalf("nginx body: %v, %d bytes left", err, in.Remaining())
	}
	var t grammarTally
	countChunked(&t, c)
	return body, t
}
