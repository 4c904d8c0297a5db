package parse_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// callCounter counts the calls a message reader makes of its pipe reader.
type callCounter struct {
	reads, readAtLeasts, advances, advanceReads int
}

// plainReader is a pipe.Reader that is not a pipe.AdvanceReader.
type plainReader struct {
	pipe.Reader
	n *callCounter
}

func (r plainReader) Read(ctx context.Context) (pipe.Result, error) {
	r.n.reads++
	return r.Reader.Read(ctx)
}

func (r plainReader) ReadAtLeast(ctx context.Context, n int) (pipe.Result, error) {
	r.n.readAtLeasts++
	return r.Reader.ReadAtLeast(ctx, n)
}

func (r plainReader) AdvanceTo(consumed, examined seq.Position) {
	r.n.advances++
	r.Reader.AdvanceTo(consumed, examined)
}

// advReader is a plainReader that releases and reads in one call.
type advReader struct{ plainReader }

func (r advReader) AdvanceAndRead(ctx context.Context, consumed, examined seq.Position) (pipe.Result, error) {
	r.n.advanceReads++
	return r.Reader.(pipe.AdvanceReader).AdvanceAndRead(ctx, consumed, examined)
}

// TestReaderAdvanceAndRead checks that a message reader over a pipe reader
// that is an AdvanceReader releases a partial message and reads on with
// one AdvanceAndRead, and over one that is not with AdvanceTo and Read,
// with the same messages and error either way, over many chunkings of
// lines and of length-prefixed frames (whose declared lengths are waited
// for with ReadAtLeast, the call AdvanceAndRead does not replace).
func TestReaderAdvanceAndRead(t *testing.T) {
	var lines strings.Builder
	var frames []byte
	rnd := rand.New(rand.NewPCG(5, 5))
	for i := range 300 {
		s := strings.Repeat(string(rune('a'+i%26)), rnd.IntN(200))
		lines.WriteString(s + "\n")
		frames = binary.BigEndian.AppendUint16(frames, uint16(len(s)))
		frames = append(frames, s...)
	}
	lines.WriteString("tail") // truncated: the same error either way
	for _, tc := range []struct {
		name  string
		input []byte
		p     parse.TryParse[string]
	}{{"lines", []byte(lines.String()), line}, {"frames", frames, frame}} {
		for seed := range uint64(6) {
			t.Run(fmt.Sprintf("%s/%d", tc.name, seed), func(t *testing.T) {
				run := func(wrap func(pipe.Reader, *callCounter) pipe.Reader) ([]string, callCounter, error) {
					var n callCounter
					pieces := segtest.RandomPieces(rand.New(rand.NewPCG(seed, 9)), tc.input, 1+int(seed)*300)
					src := pipe.NewReader(&pieces, pipe.ReaderOptions{BufferSize: 512, MinReadSize: 64})
					r := parse.NewReader(wrap(src, &n), tc.p, parse.Options{})
					var got []string
					for m := range r.All(context.Background()) {
						got = append(got, m)
					}
					return got, n, r.Err()
				}
				plain, pn, perr := run(func(r pipe.Reader, n *callCounter) pipe.Reader { return plainReader{r, n} })
				comb, cn, cerr := run(func(r pipe.Reader, n *callCounter) pipe.Reader { return advReader{plainReader{r, n}} })
				if !slices.Equal(plain, comb) || fmt.Sprint(perr) != fmt.Sprint(cerr) {
					t.Fatalf("over an AdvanceReader: %d messages, %v; over a plain reader: %d, %v", len(comb), cerr, len(plain), perr)
				}
				if tc.name == "lines" && (len(plain) != 300 || !isTailTruncation(perr)) {
					t.Fatalf("%d lines, %v; want 300 and a truncation", len(plain), perr)
				}
				if pn.advanceReads != 0 || cn.advances+cn.advanceReads != pn.advances ||
					cn.reads+cn.advanceReads != pn.reads || cn.readAtLeasts != pn.readAtLeasts {
					t.Fatalf("calls over an AdvanceReader %+v, over a plain reader %+v", cn, pn)
				}
				if tc.name == "lines" && (cn.advances != 0 || cn.advanceReads == 0) {
					t.Fatalf("lines over an AdvanceReader: %d AdvanceTo and %d AdvanceAndRead calls, want all in AdvanceAndRead", cn.advances, cn.advanceReads)
				}
			})
		}
	}
}

// isTailTruncation reports whether err is the truncation of the final
// "tail" of the lines input.
func isTailTruncation(err error) bool {
	var te *parse.TruncatedError
	return errors.As(err, &te) && te.Len == len("tail") && errors.Is(err, io.ErrUnexpectedEOF)
}
