package combinators_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// show formats a parsed value for comparison. It runs as soon as the parser
// returns, while the views the value holds are valid.
func show(v any) string { return fmt.Sprintf("%v", v) }

// erase turns a parser into one whose value is its formatted text, so that
// parsers of every type fit one table.
func erase[T any](p parse.TryParse[T]) parse.TryParse[string] {
	return func(in *parse.Input) (string, error) {
		v, err := p(in)
		if err != nil {
			return "", err
		}
		return show(v), nil
	}
}

// once is the outcome of one call of a parser on a buffer, as text:
// "value/consumed" on success, "more" when it needs more input, and
// "error: ..." with the error's text otherwise.
func once(p parse.TryParse[string], s seq.Sequence, final bool, limit int) string {
	in := parse.NewInput(s, final, limit)
	v, err := p(in)
	switch {
	case err == nil:
		return fmt.Sprintf("%s/%d", v, in.Consumed())
	case errors.Is(err, parse.ErrNeedMore):
		return "more"
	default:
		return "error: " + err.Error()
	}
}

// checkOnce checks that p gives want on the whole of input as final input
// in every segmentation, and that on every prefix of it, and on the whole
// as non-final input, p either asks for more or gives want: a decision
// taken on part of the input must be the one taken on all of it, or the
// result would depend on how the input arrived.
func checkOnce(t *testing.T, p parse.TryParse[string], input string, limit int, want string) {
	t.Helper()
	for _, c := range segtest.Segmentations([]byte(input)) {
		if got := once(p, c.Seq, true, limit); got != want {
			t.Errorf("final %q as %s: got %q, want %q", input, c.Name, got, want)
		}
	}
	for i := 0; i <= len(input); i++ {
		prefix := []byte(input[:i])
		for _, c := range segtest.Segmentations(prefix) {
			if got := once(p, c.Seq, false, limit); got != "more" && got != want {
				t.Errorf("non-final prefix %q as %s: got %q, want %q or more", prefix, c.Name, got, want)
			}
		}
	}
}

// stream is what a message reader yields over a whole input: the messages
// and the error that ended them ("" for a clean end).
type stream struct {
	msgs []string
	err  string
}

func (s stream) String() string { return fmt.Sprintf("%q then %q", s.msgs, s.err) }

func (s stream) equal(o stream) bool { return slices.Equal(s.msgs, o.msgs) && s.err == o.err }

// readStream reads every message of src with p.
func readStream(t *testing.T, p parse.TryParse[string], src pipe.Reader, limit int) stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := parse.NewReader(src, p, parse.Options{MaxMessageSize: limit})
	defer r.Close()
	var out stream
	for m := range r.All(ctx) {
		out.msgs = append(out.msgs, m)
	}
	if err := r.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("reader hung after %q", out.msgs)
		}
		out.err = err.Error()
	}
	return out
}

// chunked feeds b into a real pipe from a goroutine, cutting it at the given
// offsets (ascending), and returns the pipe's reader.
func chunked(b []byte, cuts []int) pipe.Reader {
	p := pipe.New(pipe.Options{SegmentSize: 16, PauseThreshold: 64, ResumeThreshold: 32})
	// A new slice: appending to cuts would write into its spare capacity,
	// shared with another call given the same cuts.
	ends := append(slices.Clip(cuts), len(b))
	go func() {
		w := p.Writer()
		prev := 0
		for _, c := range ends {
			if c <= prev {
				continue
			}
			if res, err := w.Write(context.Background(), b[prev:c]); err != nil || res.Completed {
				break
			}
			prev = c
		}
		w.Complete(nil)
	}()
	return p.Reader()
}

// chunkings returns the cut points of several ways to deliver n bytes:
// pieces of fixed sizes and a pseudo-random cut.
func chunkings(n int) map[string][]int {
	out := map[string][]int{}
	for _, k := range []int{1, 2, 3, 5, 16, 64} {
		var cuts []int
		for c := k; c < n; c += k {
			cuts = append(cuts, c)
		}
		out[fmt.Sprintf("pieces/%d", k)] = cuts
	}
	var cuts []int
	x := uint32(n)*2654435761 + 1
	for c := 0; c < n; {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		c += 1 + int(x%7)
		if c < n {
			cuts = append(cuts, c)
		}
	}
	out["random"] = cuts
	return out
}

// checkStream checks that a message reader yields want from input however
// the input is delivered: whole, in every segmentation from segtest (over
// pipe.FromSequence), and in pieces through a pipe fed by a goroutine.
func checkStream(t *testing.T, p parse.TryParse[string], input string, limit int, want stream) {
	t.Helper()
	if got := readStream(t, p, pipe.FromBytes([]byte(input)), limit); !got.equal(want) {
		t.Errorf("whole %q: got %v, want %v", input, got, want)
	}
	for _, c := range segtest.Segmentations([]byte(input)) {
		if got := readStream(t, p, pipe.FromSequence(c.Seq), limit); !got.equal(want) {
			t.Errorf("%q as %s: got %v, want %v", input, c.Name, got, want)
		}
	}
	for name, cuts := range chunkings(len(input)) {
		if got := readStream(t, p, chunked([]byte(input), cuts), limit); !got.equal(want) {
			t.Errorf("%q in %s: got %v, want %v", input, name, got, want)
		}
	}
}

// truncated is the text of the reader's error for input that ends inside a
// message.
func truncated(n int, off int64) string {
	return (&parse.TruncatedError{Len: n, Offset: off}).Error()
}

// syntax is the text of a syntax error.
func syntax(off int64, msg string) string {
	return (&parse.SyntaxError{Offset: off, Msg: msg}).Error()
}

// tooLarge is the text of a size error.
func tooLarge(off int64, limit int) string {
	return (&parse.SizeError{Offset: off, Limit: limit}).Error()
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isAlpha(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }
