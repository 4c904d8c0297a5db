package http1

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Parse reads a plain chunk without the grammar (ChunkedDecoder.fast):
// these tests hold it to the declared grammar (the decoder with slow set),
// in the parts and the error it gives and in the bytes it waits for.

// chunkReads is a source that returns its bytes in reads of random sizes
// up to max.
type chunkReads struct {
	b   []byte
	max int
	rng *rand.Rand
}

func (r *chunkReads) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+r.rng.IntN(r.max))], r.b)
	r.b = r.b[n:]
	return n, nil
}

// longChunks returns bodies of chunks from 1 byte to a few KiB, most of
// them plain, some with what the fast path must leave to the grammar:
// extensions, leading zeros, 17 digits, bare CR or LF, data longer than
// its size, sizes of 0 and above the limits, trailer sections.
func longChunks(r *rand.Rand, bodies int) []byte {
	var b []byte
	for range bodies {
		for range r.IntN(8) {
			n := 1 + r.IntN(5000)
			if r.IntN(3) == 0 {
				n = 1 + r.IntN(40)
			}
			switch r.IntN(30) {
			case 0:
				b = append(b, "000"...)
			case 1:
				b = append(b, "00000000000000000"...)
			}
			b = append(b, hexOf(n)...)
			switch r.IntN(30) {
			case 0:
				b = append(b, ";ext=1"...)
			case 1:
				b = append(b, '\r')
			case 2:
				b = append(b, '\n')
			}
			b = append(b, "\r\n"...)
			for j := range n {
				b = append(b, byte('a'+(j+n)%26))
			}
			switch r.IntN(50) {
			case 0:
				b = append(b, 'X')
			case 1:
				b = append(b, '\r')
			default:
				b = append(b, "\r\n"...)
			}
		}
		b = append(b, "0\r\n"...)
		if r.IntN(2) == 0 {
			b = append(b, "X-Sum: 1\r\n"...)
		}
		b = append(b, "\r\n"...)
	}
	return b
}

// readChunked reads in with a ChunkedDecoder through a pipe reader whose
// source returns random reads up to maxRead bytes and whose segments are
// of bufSize, with d.Parse (a part per call) or with d.Parser (the batch
// form too); slow reads with the declared grammar alone. It returns the
// parts and the error, and the reads made of the pipe reader.
func readChunked(in []byte, seed uint64, maxRead, bufSize int, o Options, limit int, batched, slow bool) (string, []int) {
	src := &parsetest.ReadTrace{Reader: pipe.NewReader(&chunkReads{in, maxRead, rand.New(rand.NewPCG(seed, 7))}, pipe.ReaderOptions{BufferSize: bufSize})}
	d := NewChunkedDecoder(o)
	d.slow = slow
	p := parse.TryParse[ChunkedPart](d.Parse)
	if batched {
		p = d.Parser()
	}
	r := parse.NewReader(src, p, parse.Options{MaxMessageSize: limit})
	defer r.Close()
	var out strings.Builder
	for part := range r.All(context.Background()) {
		out.WriteString(renderPart(part))
		out.WriteByte('\n')
	}
	fmt.Fprintf(&out, "error: %v", r.Err())
	return out.String(), src.Reads
}

// TestChunkedFastAgrees reads streams of long and short chunks, valid and
// malformed, whole and cut, in random reads through a pipe, with and
// without the fast path, under limits the fast path must leave to the
// grammar: the same parts, the same error and the same reads of the
// pipe, each ReadAtLeast waiting for the same count (both ask for the
// exact bytes a chunk's message ends with, its lookahead byte included).
// In reads of one byte, each part arrives after as many bytes of the
// source in both: the fast path waits for no byte the grammar does not.
func TestChunkedFastAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	opts := []Options{{}, {MaxBodySize: 3000}, {MaxPart: 1000}, {MaxPart: 4096, MaxBodySize: 4096}}
	waited := false
	for round := range 300 {
		in := longChunks(rng, 1+rng.IntN(4))
		if round%5 == 0 {
			in = in[:rng.IntN(len(in)+1)]
		}
		o := opts[round%len(opts)]
		limit := []int{64 << 10, 4 << 10, 2000, 5003}[round/4%4]
		maxRead := []int{4096, 300, 7}[round%3]
		bufSize := []int{0, 512, 4096}[round/3%3]
		for _, batched := range []bool{false, true} {
			slow, slowReads := readChunked(in, uint64(round), maxRead, bufSize, o, limit, batched, true)
			fast, fastReads := readChunked(in, uint64(round), maxRead, bufSize, o, limit, batched, false)
			if fast != slow {
				t.Fatalf("round %d (%+v, limit %d, batched %v): with the fast path:\n%s\ndeclared grammar:\n%s", round, o, limit, batched, fast, slow)
			}
			if !slices.Equal(fastReads, slowReads) {
				t.Fatalf("round %d (%+v, limit %d, batched %v): reads with the fast path %v, with the declared grammar %v", round, o, limit, batched, fastReads, slowReads)
			}
			waited = waited || slices.ContainsFunc(slowReads, func(n int) bool { return n > 4096 })
		}
		if round%10 == 0 {
			slow := arrivals(in, o, limit, true)
			if fast := arrivals(in, o, limit, false); !slices.Equal(fast, slow) {
				t.Fatalf("round %d (%+v, limit %d): parts returned after bytes %v with the fast path, %v with the declared grammar", round, o, limit, fast, slow)
			}
		}
	}
	if !waited {
		t.Fatal("no read waited for a chunk longer than a segment")
	}
}

// oneByte is a source that returns a byte per read and counts them.
type oneByte struct {
	b []byte
	n int
}

func (r *oneByte) Read(p []byte) (int, error) {
	if r.n == len(r.b) {
		return 0, io.EOF
	}
	p[0] = r.b[r.n]
	r.n++
	return 1, nil
}

// arrivals reads in a byte per read of the source and returns how many
// bytes the source had given when each part, and the end, was returned.
func arrivals(in []byte, o Options, limit int, slow bool) []int {
	src := &oneByte{b: in}
	d := NewChunkedDecoder(o)
	d.slow = slow
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), parse.TryParse[ChunkedPart](d.Parse), parse.Options{MaxMessageSize: limit})
	defer r.Close()
	var at []int
	for range r.All(context.Background()) {
		at = append(at, src.n)
	}
	return append(at, src.n)
}

// TestChunkedFastChunkings reads short streams in every chunking and
// segmentation with Parse, fast path on and off, and with the batch form:
// the same parts and the same error.
func TestChunkedFastChunkings(t *testing.T) {
	for _, in := range []string{
		"3\r\nabc\r\n5\r\ndefgh\r\n1\r\ni\r\n0\r\n\r\n" + "2\r\nxy\r\nA\r\n0123456789\r\n0\r\nA: b\r\n\r\n",
		"1\r\nx\r\n0002\r\nyz\r\n2;e=1\r\nvw\r\n0\r\n\r\n",
		"1\r\nx\r\n2\r\nyzw\r\n0\r\n\r\n",
		"1\r\nx\r\n2\ryz\r\n0\r\n\r\n",
		"1\r\nx\r\n2\nyz\r\n0\r\n\r\n",
		"1\r\nx\n2\r\nyz\r\n0\r\n\r\n",
		"1\r\nx\r\n00000000000000002\r\nyz\r\n0\r\n\r\n",
		"1\r\nx\r\nFFFFFFFFFFFFFFFF\r\nyz\r\n0\r\n\r\n",
		"1\r\nx\r\n20\r\n0123456789abcdef0123456789abcdef\r\n0\r\n\r\n",
		"1\r\nx\r\n20\r\n0123456789abcdef",
	} {
		for _, o := range []Options{{}, {MaxBodySize: 16}, {MaxPart: 8}} {
			want := fuzz.Check(t, chunkedDecParse(o.MaxPart, o), []byte(in), nil, fuzz.Options[string]{MaxMessageSize: 40})
			for _, dec := range []fuzz.Decoder[string]{chunkedDecFast(o.MaxPart, o), chunkedDec(o.MaxPart, o)} {
				got := fuzz.CheckChunkings(t, dec, []byte(in), fuzz.Options[string]{MaxMessageSize: 40})
				if !slices.Equal(got.Messages, want.Messages) || errText(got.Err) != errText(want.Err) {
					t.Errorf("%q, %+v: %q, %v; declared grammar %q, %v", in, o, got.Messages, got.Err, want.Messages, want.Err)
				}
			}
		}
	}
}

// chunkedDecFast is the decoder as a fuzz.Decoder reading with d.Parse, a
// part per call, its fast path on.
func chunkedDecFast(maxPart int, o Options) fuzz.Decoder[string] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(string)) error {
		o := o
		o.MaxHeaderBytes, o.MaxPart = limit, maxPart
		d := NewChunkedDecoder(o)
		return fuzz.Parser(d.Parse)(ctx, src, limit, func(p ChunkedPart) { emit(renderPart(p)) })
	}
}

// TestChunkedFastTakes checks what the fast path decides, on inputs made
// for it: a plain chunk after the data before it is taken whole (in one
// segment or across two, a body's first chunk too), a plain chunk not
// all buffered asks for the bytes up to the one after its data, and
// everything else is left to the grammar.
func TestChunkedFastTakes(t *testing.T) {
	next := func(o Options) *ChunkedDecoder {
		d := NewChunkedDecoder(o)
		// A first chunk, read by the grammar, puts the stream in chunkNext.
		if _, err := d.Parse(parse.NewInput(seq.Of([]byte("1\r\nx\r")), false, 1<<10)); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		in    []string // the buffer's segments
		start bool     // in chunkStart, not after a chunk
		o     Options
		limit int
		done  bool
		data  string // the part taken, if any
		need  int    // the bytes the message needs beyond the buffer, if not all here
	}{
		{in: []string{"\r\n3\r\nabc\r"}, done: true, data: "abc"},
		{in: []string{"\r\n3\r\na", "bc\r"}, done: true, data: "abc"},
		{in: []string{"\r\n00A\r\n0123456789\r"}, done: true, data: "0123456789"},
		{in: []string{"\r\n3\r\nabc"}, done: true, need: 1},
		{in: []string{"\r\n10\r\nab"}, done: true, need: 15},
		{in: []string{"3\r\nab"}, start: true, done: true, need: 2},
		{in: []string{"3\r\nabc\r"}, start: true, done: true, data: "abc"}, // the stream leaves chunkStart
		{in: []string{"\r\n3;e\r\nabc\r"}},                                 // an extension
		{in: []string{"\r\n3\nabc\r"}},                                     // a bare LF
		{in: []string{"\r\n3"}},                                            // a line not all here
		{in: []string{"\r\n", "3\r\nabc\r"}},                               // a line not in the span
		{in: []string{"\n\r3\r\nabc\r"}},                                   // no CRLF after the data before
		{in: []string{"\r\n0\r\n\r\n"}},                                    // the last chunk
		{in: []string{"\r\n00000000000000003\r\nabc\r"}},                   // 17 digits
		{in: []string{"\r\n4\r\nabcd\r"}, o: Options{MaxPart: 3}},          // cut at MaxPart
		{in: []string{"\r\n4\r\nabcd\r"}, o: Options{MaxBodySize: 3}},      // refused
		{in: []string{"\r\n4\r\nabcd\r"}, o: Options{MaxBodySize: 4}, done: true, data: "abcd"},
		{in: []string{"\r\n4\r\nabcd\r"}, limit: 8}, // cut where the limit leaves less room
		{in: []string{"\r\n4\r\nabcd\r"}, limit: 9, done: true, data: "abcd"},
		{in: []string{"\r\n4\r\nab"}, limit: 8}, // the limit leaves less room
		{in: []string{"\r\n4\r\nab"}, limit: 9, done: true, need: 3},
	} {
		var d *ChunkedDecoder
		if c.start {
			d = NewChunkedDecoder(c.o)
		} else {
			d = next(c.o)
		}
		limit := c.limit
		if limit == 0 {
			limit = 1 << 10
		}
		var segs [][]byte
		for _, s := range c.in {
			segs = append(segs, []byte(s))
		}
		in := parse.NewInput(seq.Chain(segs...), false, limit)
		parts := d.parts
		p, done, err := d.fast(in)
		if done != c.done {
			t.Errorf("%q, %+v, limit %d: done %v, want %v", c.in, c.o, limit, done, c.done)
			continue
		}
		if !done {
			if in.Consumed() != 0 || d.parts != parts {
				t.Errorf("%q: left to the grammar after reading %d bytes", c.in, in.Consumed())
			}
			continue
		}
		switch {
		case c.need > 0:
			if err != parse.ErrNeedMore || in.Consumed() != 0 {
				t.Errorf("%q: %v after %d bytes, want a need for more input", c.in, err, in.Consumed())
			}
			// The need, as a message reader sees it: it reads again
			// only once that many bytes have arrived.
			short := strings.Join(c.in, "") + strings.Repeat("z", c.need-1)
			d = next(c.o)
			if c.start {
				d = NewChunkedDecoder(c.o)
			}
			if _, done, err := d.fast(parse.NewInput(seq.Of([]byte(short)), false, limit)); !done || err != parse.ErrNeedMore {
				t.Errorf("%q: %d bytes more than the need: %v, %v; want a need for more input", c.in, c.need-1, done, err)
			}
			// With them, the chunk is taken.
			whole := strings.Join(c.in, "") + strings.Repeat("z", c.need)
			d = next(c.o)
			if c.start {
				d = NewChunkedDecoder(c.o)
			}
			if _, done, err := d.fast(parse.NewInput(seq.Of([]byte(whole)), false, limit)); !done || err != nil {
				t.Errorf("%q: the bytes it needed: %v, %v", c.in, done, err)
			}
		default:
			if err != nil || p.Data.String() != c.data || p.End || in.Consumed() != len(strings.Join(c.in, ""))-1 {
				t.Errorf("%q: part %q (end %v), %v, after %d bytes; want %q", c.in, p.Data.String(), p.End, err, in.Consumed(), c.data)
			}
			if d.s.State() != chunkNext || d.s.Left() != 0 || d.parts != parts+1 {
				t.Errorf("%q: stream in state %d with %d left, %d parts", c.in, d.s.State(), d.s.Left(), d.parts)
			}
		}
	}
}
