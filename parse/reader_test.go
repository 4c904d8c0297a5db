package parse_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// line is a hand-written TryParse for LF-terminated lines, using the scan
// hint so that a long line arriving in pieces is searched once.
func line(in *parse.Input) (string, error) {
	from := in.Scanned(lineKey)
	rest := in.ScanRest(lineKey)
	i := rest.IndexByte('\n')
	if i < 0 {
		return "", in.ScanShort(lineKey, from+rest.Len())
	}
	s, _ := in.ReadN(from + i)
	in.Advance(1)
	return s.String(), nil
}

// frame is a hand-written TryParse for 2-byte big-endian length-prefixed
// frames.
func frame(in *parse.Input) (string, error) {
	n, ok := in.ReadUint16BE()
	if !ok {
		return "", in.NeedMore(2 - in.Remaining())
	}
	if 2+int(n) > in.Limit() {
		return "", in.TooLarge()
	}
	body, ok := in.ReadN(int(n))
	if !ok {
		return "", in.NeedMore(int(n) - in.Remaining())
	}
	return body.String(), nil
}

func readAll[T any](t *testing.T, src pipe.Reader, p parse.TryParse[T], opts parse.Options) ([]T, error) {
	t.Helper()
	r := parse.NewReader(src, p, opts)
	var out []T
	for m := range r.All(context.Background()) {
		out = append(out, m)
	}
	return out, r.Err()
}

// chunkedPipe feeds b through a small pipe in writes of k bytes.
func chunkedPipe(b []byte, k int) pipe.Reader {
	return parsetest.Trickle(b, k, pipe.Options{SegmentSize: 16, PauseThreshold: 64, ResumeThreshold: 32})
}

func TestLinesEverySegmentation(t *testing.T) {
	input := []byte("alpha\nbeta\n\ngamma delta\nlast\n")
	want := []string{"alpha", "beta", "", "gamma delta", "last"}
	check := func(name string, src pipe.Reader) {
		got, err := readAll(t, src, line, parse.Options{})
		if err != nil || len(got) != len(want) {
			t.Fatalf("%s: got %q, %v", name, got, err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: line %d = %q, want %q", name, i, got[i], want[i])
			}
		}
	}
	for _, c := range segtest.Segmentations(input) {
		check(c.Name, pipe.FromSequence(c.Seq))
	}
	for _, k := range []int{1, 2, 3, 7, 100} {
		check("chunked", chunkedPipe(input, k))
	}
}

func TestTruncatedAndEOF(t *testing.T) {
	for _, c := range segtest.Segmentations([]byte("one\ntwo")) {
		got, err := readAll(t, pipe.FromSequence(c.Seq), line, parse.Options{})
		var te *parse.TruncatedError
		if len(got) != 1 || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &te) || te.Offset != 4 || te.Len != 3 {
			t.Fatalf("%s: got %q, %v", c.Name, got, err)
		}
	}
	r := parse.NewReader(pipe.FromBytes(nil), line, parse.Options{})
	if _, err := r.Next(context.Background()); err != io.EOF {
		t.Fatalf("empty input: %v", err)
	}
}

func TestFramesAndLimit(t *testing.T) {
	input := []byte{0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z'}
	for _, c := range segtest.Segmentations(input) {
		got, err := readAll(t, pipe.FromSequence(c.Seq), frame, parse.Options{})
		if err != nil || len(got) != 3 || got[0] != "abc" || got[1] != "" || got[2] != "z" {
			t.Fatalf("%s: %q %v", c.Name, got, err)
		}
	}
	big := []byte{0xff, 0xff, 1, 2, 3}
	for _, c := range segtest.Segmentations(big) {
		_, err := readAll(t, pipe.FromSequence(c.Seq), frame, parse.Options{MaxMessageSize: 100})
		var se *parse.SizeError
		if !errors.Is(err, parse.ErrTooLarge) || !errors.As(err, &se) || se.Offset != 0 || se.Limit != 100 {
			t.Fatalf("%s: %v", c.Name, err)
		}
	}
	for _, k := range []int{1, 3} {
		_, err := readAll(t, chunkedPipe(big, k), frame, parse.Options{MaxMessageSize: 100})
		if !errors.Is(err, parse.ErrTooLarge) {
			t.Fatalf("chunked %d: %v", k, err)
		}
	}
	// A line longer than the limit is refused as soon as the scan passes it.
	long := make([]byte, 1000)
	for i := range long {
		long[i] = 'x'
	}
	_, err := readAll(t, chunkedPipe(long, 10), line, parse.Options{MaxMessageSize: 100})
	if !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("long line: %v", err)
	}
}

func TestNoProgress(t *testing.T) {
	empty := func(in *parse.Input) (int, error) { return 0, nil }
	_, err := readAll(t, pipe.FromBytes([]byte("x")), empty, parse.Options{})
	if !errors.Is(err, parse.ErrNoProgress) {
		t.Fatalf("%v", err)
	}
}

func TestBounded(t *testing.T) {
	// A length-prefixed line: the line search cannot run past the frame.
	p := func(in *parse.Input) (string, error) {
		n, ok := in.ReadUint16BE()
		if !ok {
			return "", in.NeedMore(2 - in.Remaining())
		}
		return parse.Bounded(in, int(n), line)
	}
	input := []byte{0, 3, 'a', 'b', '\n', 0, 2, 'c', 'd', '\n'}
	for _, c := range segtest.Segmentations(input) {
		got, err := readAll(t, pipe.FromSequence(c.Seq), p, parse.Options{})
		var se *parse.SyntaxError
		if len(got) != 1 || got[0] != "ab" || !errors.As(err, &se) || se.Offset != 7 {
			t.Fatalf("%s: %q %v", c.Name, got, err)
		}
	}
	// Not enough buffered for the bound on non-final input: wait for more.
	in := parse.NewInput(seq.Of([]byte{0, 3, 'a'}), false, 0)
	if _, err := p(in); !errors.Is(err, parse.ErrNeedMore) {
		t.Fatalf("partial bound: %v", err)
	}
}

// A stream reader moves a short partial message to a new segment; the scan
// hint must survive that.
func TestScanHintAcrossCompaction(t *testing.T) {
	var in []byte
	for i := range 300 {
		in = append(in, bytes.Repeat([]byte{'x'}, i%700)...)
		in = append(in, '\n')
	}
	for _, k := range []int{1, 5, 64, 1000} {
		src := pipe.NewReader(iotest.HalfReader(&slowReader{b: in, k: k}), pipe.ReaderOptions{BufferSize: 512, MinReadSize: 128})
		got, err := readAll(t, src, line, parse.Options{})
		if err != nil || len(got) != 300 {
			t.Fatalf("k=%d: %d lines, %v", k, len(got), err)
		}
		for i, l := range got {
			if len(l) != i%700 {
				t.Fatalf("k=%d: line %d has %d bytes", k, i, len(l))
			}
		}
	}
}

type slowReader struct {
	b []byte
	k int
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.k)], r.b)
	r.b = r.b[n:]
	return n, nil
}

var lineKey = parse.NewScanKey()
