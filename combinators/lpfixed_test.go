package combinators_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// fixedLength is one of the fixed-width length parsers, with the same
// parser hidden behind Map, which LengthPrefixedBytes cannot recognise,
// and an encoder.
type fixedLength struct {
	name   string
	fast   parse.TryParse[seq.Sequence] // LengthPrefixedBytes(the parser)
	hidden parse.TryParse[seq.Sequence] // LengthPrefixedBytes(Map(the parser))
	slow   parse.TryParse[seq.Sequence] // LengthPrefixed(the parser, Rest())
	put    func(dst []byte, n uint64) []byte
}

func fixedLengthOf[L uint8 | uint16 | uint32 | uint64](name string, p parse.TryParse[L], put func([]byte, uint64) []byte) fixedLength {
	id := func(v L) L { return v }
	return fixedLength{name, c.LengthPrefixedBytes(p), c.LengthPrefixedBytes(c.Map(p, id)), c.LengthPrefixed(p, c.Rest()), put}
}

var fixedLengths = []fixedLength{
	fixedLengthOf("Uint8", c.Uint8(), func(b []byte, n uint64) []byte { return append(b, byte(n)) }),
	fixedLengthOf("Uint16BE", c.Uint16BE(), func(b []byte, n uint64) []byte { return binary.BigEndian.AppendUint16(b, uint16(n)) }),
	fixedLengthOf("Uint16LE", c.Uint16LE(), func(b []byte, n uint64) []byte { return binary.LittleEndian.AppendUint16(b, uint16(n)) }),
	fixedLengthOf("Uint32BE", c.Uint32BE(), func(b []byte, n uint64) []byte { return binary.BigEndian.AppendUint32(b, uint32(n)) }),
	fixedLengthOf("Uint32LE", c.Uint32LE(), func(b []byte, n uint64) []byte { return binary.LittleEndian.AppendUint32(b, uint32(n)) }),
	fixedLengthOf("Uint64BE", c.Uint64BE(), func(b []byte, n uint64) []byte { return binary.BigEndian.AppendUint64(b, n) }),
	fixedLengthOf("Uint64LE", c.Uint64LE(), func(b []byte, n uint64) []byte { return binary.LittleEndian.AppendUint64(b, n) }),
}

// fixedInputs returns frames with lengths encoded by put: some messages, a
// message at the limit and one just over, a length too large for any
// limit, truncations.
func fixedInputs(put func([]byte, uint64) []byte, w, limit int) [][]byte {
	frame := func(dst []byte, n int) []byte {
		dst = put(dst, uint64(n))
		for i := range n {
			dst = append(dst, byte('a'+i%26))
		}
		return dst
	}
	var ins [][]byte
	ins = append(ins, frame(frame(frame(nil, 3), 0), 1))
	ins = append(ins, frame(frame(nil, 2), limit-w))   // at the limit
	ins = append(ins, frame(frame(nil, 2), limit-w+1)) // one over
	ins = append(ins, frame(frame(nil, limit-w+1), 1)) // one over, more after
	ins = append(ins, frame(frame(nil, limit-w), 1))   // at the limit, more after
	ins = append(ins, put(frame(nil, 1), 1<<(8*w-1)))  // far over
	whole := frame(frame(nil, 5), 7)
	for _, cut := range []int{1, w - 1, w, w + 3, len(whole) - 1} {
		if cut > 0 && cut < len(whole) {
			ins = append(ins, whole[:cut:cut])
		}
	}
	return ins
}

// TestLengthPrefixedBytesFixed checks that LengthPrefixedBytes with the
// package's fixed-width integer parsers, which it decodes itself, behaves
// as with the same parser behind Map and as LengthPrefixed with Rest: the
// same messages and errors through a message reader over every
// segmentation, and the same outcome and cursor on every prefix of the
// input, final or not.
func TestLengthPrefixedBytesFixed(t *testing.T) {
	const limit = 40
	for i, fl := range fixedLengths {
		w := []int{1, 2, 2, 4, 4, 8, 8}[i]
		for _, in := range fixedInputs(fl.put, w, limit) {
			for _, sg := range segtest.Segmentations(in) {
				run := func(p parse.TryParse[seq.Sequence]) string {
					r := parse.NewReader(pipe.FromSequence(sg.Seq), p, parse.Options{MaxMessageSize: limit})
					out := ""
					for m := range r.All(t.Context()) {
						out += fmt.Sprintf("%q ", m.String())
					}
					err := r.Err()
					var se *parse.SizeError
					var te *parse.TruncatedError
					switch {
					case errors.As(err, &se):
						return out + fmt.Sprintf("size error at %d", se.Offset)
					case errors.As(err, &te):
						return out + fmt.Sprintf("truncated at %d, %d bytes", te.Offset, te.Len)
					}
					return out + fmt.Sprint(err)
				}
				fast, hidden, slow := run(fl.fast), run(fl.hidden), run(fl.slow)
				if fast != hidden || fast != slow {
					t.Fatalf("%s %x %s:\n fast   %s\n hidden %s\n slow   %s", fl.name, in, sg.Name, fast, hidden, slow)
				}
			}
			for k := 0; k <= len(in); k++ {
				for _, final := range []bool{false, true} {
					for _, sg := range segtest.Segmentations(in[:k:k]) {
						attempt := func(p parse.TryParse[seq.Sequence]) string {
							pin := parse.NewInput(sg.Seq, final, limit)
							v, err := p(pin)
							if err != nil {
								// What a parser read before an error is ignored (a
								// need for more input from the fast path reads
								// nothing); the need is compared by
								// TestLengthPrefixedBytesFixedNeed.
								return fmt.Sprintf("%v", err)
							}
							return fmt.Sprintf("%q consumed %d", v.String(), pin.Consumed())
						}
						fast, hidden := attempt(fl.fast), attempt(fl.hidden)
						if fast != hidden {
							t.Fatalf("%s %x[:%d] final=%v %s:\n fast   %s\n hidden %s", fl.name, in, k, final, sg.Name, fast, hidden)
						}
					}
				}
			}
		}
	}
}

// readLog is a pipe reader that notes every read a message reader asks of
// it: how many bytes it waits for, so a parser's need for more input shows.
type readLog struct {
	pipe.Reader
	log *[]string
}

func (r readLog) Read(ctx context.Context) (pipe.Result, error) {
	*r.log = append(*r.log, "read")
	return r.Reader.Read(ctx)
}

func (r readLog) ReadAtLeast(ctx context.Context, n int) (pipe.Result, error) {
	*r.log = append(*r.log, fmt.Sprintf("at least %d", n))
	return r.Reader.ReadAtLeast(ctx, n)
}

// TestLengthPrefixedBytesFixedNeed checks that the fast path's need for
// more input, for a body that goes on past the bytes buffered, is the need
// of the general LengthPrefixedBytes: over input arriving a few bytes per
// read, a message reader waits for the same byte counts with either, and
// returns the same messages and error.
func TestLengthPrefixedBytesFixedNeed(t *testing.T) {
	const limit = 40
	for i, fl := range fixedLengths {
		w := []int{1, 2, 2, 4, 4, 8, 8}[i]
		for _, in := range fixedInputs(fl.put, w, limit) {
			for _, piece := range []int{1, 3, 7} {
				run := func(p parse.TryParse[seq.Sequence]) string {
					var log []string
					src := pipe.NewReader(&pieceReader{data: in, n: piece}, pipe.ReaderOptions{})
					r := parse.NewReader(readLog{src, &log}, p, parse.Options{MaxMessageSize: limit})
					out := ""
					for m := range r.All(t.Context()) {
						out += fmt.Sprintf("%q ", m.String())
					}
					return fmt.Sprintf("%s%v %v", out, r.Err(), log)
				}
				if fast, hidden := run(fl.fast), run(fl.hidden); fast != hidden {
					t.Fatalf("%s %x in pieces of %d:\n fast   %s\n hidden %s", fl.name, in, piece, fast, hidden)
				}
			}
		}
	}
}

// pieceReader returns data at most n bytes per Read.
type pieceReader struct {
	data []byte
	n    int
}

func (r *pieceReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}
