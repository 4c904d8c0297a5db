package parse_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// batchedLine returns the hand-written line parser as a closure of its own
// with a batch form recorded for it (internal/batch), and the counts of the
// batch form's calls, of the messages it read and of the parser's calls.
// (The closure captures the counts: a recorded closure lives on the heap.)
func batchedLine() (parse.TryParse[string], *[3]int) {
	n := new([3]int)
	p := func(in *parse.Input) (string, error) {
		n[2]++
		return line(in)
	}
	batch.Record(batch.Closure(parse.TryParse[string](p)), func(in *parse.Input, out []string) int {
		n[0]++
		span := in.Span()
		b, k := span, 0
		for ; k < len(out); k++ {
			j := bytes.IndexByte(b, '\n')
			if j < 0 {
				break
			}
			out[k] = string(b[:j])
			b = b[j+1:]
		}
		in.Advance(len(span) - len(b))
		n[1] += k
		return k
	})
	return p, n
}

// manyLines returns n lines of various lengths and the lines.
func manyLines(n int) ([]byte, []string) {
	var b []byte
	var want []string
	for i := range n {
		s := strings.Repeat(string(rune('a'+i%26)), i%7)
		want = append(want, s)
		b = append(b, s...)
		b = append(b, '\n')
	}
	return b, want
}

func TestBatchSameMessages(t *testing.T) {
	input, want := manyLines(150) // more than a batch holds
	check := func(name string, src pipe.Reader, next bool) {
		t.Helper()
		p, n := batchedLine()
		r := parse.NewReader(src, p, parse.Options{})
		var got []string
		var err error
		if next {
			for {
				var m string
				if m, err = r.Next(context.Background()); err != nil {
					break
				}
				got = append(got, m)
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
		} else {
			for m := range r.All(context.Background()) {
				got = append(got, m)
			}
			err = r.Err()
		}
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%s (Next %v): got %d lines, %v; want %d", name, next, len(got), err, len(want))
		}
		if name == "one" && n[1] < len(want)-2 {
			t.Fatalf("%s: the batch form read %d of %d lines in %d calls", name, n[1], len(want), n[0])
		}
	}
	for _, c := range segtest.Segmentations(input) {
		check(c.Name, pipe.FromSequence(c.Seq), false)
		check(c.Name, pipe.FromSequence(c.Seq), true)
	}
	for _, k := range []int{1, 2, 3, 7, 100} {
		check("chunked", chunkedPipe(input, k), false)
		check("chunked", chunkedPipe(input, k), true)
	}
}

// A body that calls Next takes the next message of the queue: no message
// is lost, repeated or reordered.
func TestBatchNextInsideAll(t *testing.T) {
	input, want := manyLines(100)
	p, n := batchedLine()
	r := parse.NewReader(pipe.FromBytes(input), p, parse.Options{})
	var got []string
	for m := range r.All(context.Background()) {
		got = append(got, m)
		if len(got)%3 == 0 {
			m, err := r.Next(context.Background())
			if err != nil {
				break
			}
			got = append(got, m)
		}
	}
	if err := r.Err(); err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, %v", got, err)
	}
	if n[1] == 0 {
		t.Fatal("the batch form was not used")
	}
}

// A body that closes the reader ends the loop: the rest of the batch is
// not delivered.
func TestBatchCloseInsideAll(t *testing.T) {
	input, _ := manyLines(100)
	p, n := batchedLine()
	r := parse.NewReader(pipe.FromBytes(input), p, parse.Options{})
	got := 0
	for range r.All(context.Background()) {
		got++
		if got == 2 {
			r.Close()
		}
	}
	if got != 2 || r.Err() != nil {
		t.Fatalf("%d messages after Close, err %v", got, r.Err())
	}
	if n[1] < 2 {
		t.Fatal("the batch form was not used")
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, parse.ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
}

// A batch form that reports messages it did not consume is dropped, and the
// parser decides: here the parser's empty message is ErrNoProgress.
func TestBatchNoProgress(t *testing.T) {
	empty := new(int)
	p := func(in *parse.Input) (string, error) {
		*empty++
		return "", nil
	}
	batch.Record(batch.Closure(parse.TryParse[string](p)), func(in *parse.Input, out []string) int {
		out[0], out[1] = "x", "y"
		return 2
	})
	r := parse.NewReader(pipe.FromBytes([]byte("abc\ndef\n")), p, parse.Options{})
	if m, err := r.Next(context.Background()); !errors.Is(err, parse.ErrNoProgress) {
		t.Fatalf("got %q, %v; want ErrNoProgress", m, err)
	}
	if *empty == 0 {
		t.Fatal("the parser was not called")
	}
}

// A batch form runs only where the whole rest of the buffer fits the
// limit: a line over it is a size error, as without a batch form.
func TestBatchLimit(t *testing.T) {
	input := []byte("ab\ncd\n" + strings.Repeat("x", 40) + "\nef\n")
	for _, c := range segtest.Segmentations(input) {
		p, _ := batchedLine()
		got, err := readAll(t, pipe.FromSequence(c.Seq), p, parse.Options{MaxMessageSize: 16})
		var se *parse.SizeError
		if !errors.As(err, &se) || se.Offset != 6 || strings.Join(got, "|") != "ab|cd" {
			t.Fatalf("%s: got %q, %v; want ab, cd and a size error at offset 6", c.Name, got, err)
		}
	}
}

// TestBatchOverLimitBuffer: with more buffered than the limit, the reader
// shows the parser a window of the limit and its byte of lookahead and
// goes on from message to message in it, the batch form included; a
// message the window's end cuts is parsed again from its start. The
// messages, the size error of a line over the limit and the truncation at
// the end are those of any other delivery.
func TestBatchOverLimitBuffer(t *testing.T) {
	const limit = 64
	lines, want := manyLines(3000)
	long := strings.Repeat("x", limit+1) + "\n"
	type outcome struct {
		n      int   // lines read before the error
		offset int64 // of the error's message
		err    error
	}
	cases := []struct {
		name  string
		input []byte
		want  outcome
	}{
		{"clean", lines, outcome{len(want), 0, nil}},
		{"too long", append(append(slices.Clip(lines), long...), lines...), outcome{len(want), int64(len(lines)), parse.ErrTooLarge}},
		{"truncated", append(slices.Clip(lines), "abc"...), outcome{len(want), int64(len(lines)), io.ErrUnexpectedEOF}},
	}
	for _, c := range cases {
		sources := map[string]func() pipe.Reader{
			"one segment": func() pipe.Reader { return pipe.FromBytes(c.input) },
			"64 KiB reads": func() pipe.Reader {
				return pipe.NewReader(bytes.NewReader(c.input), pipe.ReaderOptions{BufferSize: 64 << 10})
			},
			"16-byte segments": func() pipe.Reader {
				return parsetest.Trickle(c.input, 4096, pipe.Options{SegmentSize: 16, PauseThreshold: 8 << 10, ResumeThreshold: 4 << 10})
			},
		}
		for sname, src := range sources {
			p, n := batchedLine()
			r := parse.NewReader(src(), p, parse.Options{MaxMessageSize: limit})
			var got []string
			for m := range r.All(context.Background()) {
				got = append(got, m)
			}
			err := r.Err()
			if len(got) != c.want.n || strings.Join(got, "|") != strings.Join(want[:c.want.n], "|") {
				t.Fatalf("%s, %s: %d lines, want %d", c.name, sname, len(got), c.want.n)
			}
			var se *parse.SizeError
			var te *parse.TruncatedError
			switch {
			case c.want.err == nil && err != nil:
				t.Fatalf("%s, %s: %v", c.name, sname, err)
			case c.want.err == parse.ErrTooLarge && (!errors.As(err, &se) || se.Offset != c.want.offset || se.Limit != limit):
				t.Fatalf("%s, %s: %v, want a size error at %d", c.name, sname, err, c.want.offset)
			case c.want.err == io.ErrUnexpectedEOF && (!errors.As(err, &te) || te.Offset != c.want.offset || te.Len != 3):
				t.Fatalf("%s, %s: %v, want a truncation of 3 bytes at %d", c.name, sname, err, c.want.offset)
			}
			// Most lines come from the batch form, and the parser runs
			// about twice a window (its first message and the one cut).
			if sname == "one segment" && (n[1] < len(want)*3/4 || n[2] > len(want)/4) {
				t.Errorf("%s, %s: the batch form read %d of %d lines, the parser ran %d times", c.name, sname, n[1], len(want), n[2])
			}
		}
	}
}
