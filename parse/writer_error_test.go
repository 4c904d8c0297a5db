package parse_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"testing/synctest"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// No message is lost before a writer's error: whatever the order in which
// the writer (flushes, then Complete(err)) and the reader run, the reader
// delivers every message complete in the bytes before the error, then the
// error. The orders are enumerated in testing/synctest bubbles, for a
// pipe.Pipe and for pipe.NewReader over an io.Reader that returns the error
// with the last bytes or on the call after them.

var errWriter = errors.New("the writer failed")

// weCase is a writer's script and what the reader must deliver: msgs, then
// errWriter itself (cut nil), or, when bytes of a message are left before
// the error, an error matching errWriter, io.ErrUnexpectedEOF and a
// *TruncatedError like cut; or, when check is set, an error it accepts.
type weCase struct {
	name   string
	p      parse.TryParse[string]
	opts   parse.Options
	chunks []string // flushed one by one, then the error
	msgs   []string
	cut    *parse.TruncatedError
	check  func(error) bool
}

func weCases() []weCase {
	isSize := func(err error) bool { return errors.Is(err, parse.ErrTooLarge) && !errors.Is(err, errWriter) }
	isSyntax := func(err error) bool {
		var se *parse.SyntaxError
		return errors.As(err, &se) && !errors.Is(err, errWriter)
	}
	return []weCase{
		{name: "nothing", p: line},
		{name: "one-flush", p: line, chunks: []string{"a\nb\n"}, msgs: []string{"a", "b"}},
		{name: "two-flushes", p: line, chunks: []string{"a\nb\n", "c\n"}, msgs: []string{"a", "b", "c"}},
		{name: "split-message", p: line, chunks: []string{"a\nb", "b\nc", "\n"}, msgs: []string{"a", "bb", "c"}},
		{name: "partial-left", p: line, chunks: []string{"a\nb", "b\ncc"}, msgs: []string{"a", "bb"},
			cut: &parse.TruncatedError{Offset: 5, Len: 2}},
		{name: "only-partial", p: line, chunks: []string{"abc"},
			cut: &parse.TruncatedError{Offset: 0, Len: 3}},
		// Frames wait for their declared length with ReadAtLeast.
		{name: "frames", p: frame, chunks: []string{"\x00\x02hi\x00", "\x03abc"}, msgs: []string{"hi", "abc"}},
		{name: "frame-body-cut", p: frame, chunks: []string{"\x00\x02hi\x00\x05ab"}, msgs: []string{"hi"},
			cut: &parse.TruncatedError{Offset: 4, Len: 4}},
		// An optional element at the end is not taken for absent: the
		// input was cut, not ended, so "b1" may have gone on.
		{name: "optional-at-the-end", p: tagged, chunks: []string{"a1", "b1"}, msgs: []string{"a1"},
			cut: &parse.TruncatedError{Offset: 2, Len: 2}},
		// An error in the bytes before the writer's comes first.
		{name: "syntax-before", p: strictLine, chunks: []string{"a\n#\n"}, msgs: []string{"a"}, check: isSyntax},
		{name: "too-large-before", p: frame, opts: parse.Options{MaxMessageSize: 8}, chunks: []string{"\x00\x01x\x00\x40"},
			msgs: []string{"x"}, check: isSize},
	}
}

// wantOutcome fails the test unless msgs and err are what c delivers.
func (c weCase) wantOutcome(t *testing.T, order string, msgs []string, err error) {
	t.Helper()
	if !slices.Equal(msgs, c.msgs) {
		t.Fatalf("order %s: messages %q, want %q (error %v)", order, msgs, c.msgs, err)
	}
	switch {
	case c.check != nil:
		if !c.check(err) {
			t.Fatalf("order %s: error %v", order, err)
		}
	case c.cut == nil:
		if err != errWriter {
			t.Fatalf("order %s: error %v, want the writer's error itself", order, err)
		}
	default:
		var te *parse.TruncatedError
		if !errors.Is(err, errWriter) || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &te) || *te != *c.cut {
			t.Fatalf("order %s: error %v, want one matching the writer's error and %v", order, err, c.cut)
		}
	}
}

// weSource is where the reader's bytes come from: start returns the pipe
// reader and the writer's steps (flush a chunk, and at last fail).
type weSource struct {
	name  string
	start func(c weCase) (pipe.Reader, *pipe.Pipe, []func())
}

func weSources() []weSource {
	return []weSource{
		{"pipe", func(c weCase) (pipe.Reader, *pipe.Pipe, []func()) {
			p := pipe.New(pipe.Options{SegmentSize: 4})
			w := p.Writer()
			var steps []func()
			for _, s := range c.chunks {
				steps = append(steps, func() {
					if _, err := w.Write(context.Background(), []byte(s)); err != nil {
						panic(err)
					}
				})
			}
			steps = append(steps, func() { w.Complete(errWriter) })
			return p.Reader(), p, steps
		}},
		{"io.Reader/error-after-data", func(c weCase) (pipe.Reader, *pipe.Pipe, []func()) {
			src, steps := testutil.NewStepReader(c.chunks, errWriter)
			return pipe.NewReader(src, pipe.ReaderOptions{BufferSize: 16}), nil, steps
		}},
		{"io.Reader/error-with-data", func(c weCase) (pipe.Reader, *pipe.Pipe, []func()) {
			// iotest.DataErrReader returns the error with the last bytes.
			src, steps := testutil.NewStepReader(c.chunks, errWriter)
			return pipe.NewReader(iotest.DataErrReader(src), pipe.ReaderOptions{BufferSize: 16}), nil, steps
		}},
	}
}

// weRun plays order: a 'w' runs the next writer step, an 'r' lets the
// reader make its next call (start is the first, release the others; a
// reader still waiting inside a call lets the 'r' pass). After each step
// every goroutine of the bubble runs until it blocks. Then the reader is
// released until done is closed.
func weRun(order string, writer []func(), start func(), release chan struct{}, done <-chan struct{}) {
	started := false
	for _, step := range order {
		switch {
		case step == 'w':
			writer[0]()
			writer = writer[1:]
		case !started:
			start()
			started = true
		default:
			select {
			case release <- struct{}{}:
			default:
			}
		}
		synctest.Wait()
	}
	if !started {
		start()
	}
	for {
		select {
		case release <- struct{}{}:
		case <-done:
			return
		}
	}
}

func TestNoMessageLostBeforeWriterError(t *testing.T) {
	type readerKind struct {
		name string
		// read starts reading src (or the pipe p) on the goroutines it
		// needs, waiting on release before each call but the first;
		// result, after done is closed, is what it delivered.
		read func(c weCase, src pipe.Reader, p *pipe.Pipe, release chan struct{}) (start func(), done <-chan struct{}, result func() ([]string, error))
	}
	readers := []readerKind{
		{"Next", func(c weCase, src pipe.Reader, _ *pipe.Pipe, release chan struct{}) (func(), <-chan struct{}, func() ([]string, error)) {
			done := make(chan struct{})
			var msgs []string
			var err error
			start := func() {
				go func() {
					defer close(done)
					r := parse.NewReader(src, c.p, c.opts)
					for {
						var m string
						if m, err = r.Next(context.Background()); err != nil {
							return
						}
						msgs = append(msgs, m)
						<-release
					}
				}()
			}
			return start, done, func() ([]string, error) { return msgs, err }
		}},
		{"All", func(c weCase, src pipe.Reader, _ *pipe.Pipe, release chan struct{}) (func(), <-chan struct{}, func() ([]string, error)) {
			done := make(chan struct{})
			var msgs []string
			var err error
			start := func() {
				go func() {
					defer close(done)
					r := parse.NewReader(src, c.p, c.opts)
					for m := range r.All(context.Background()) {
						msgs = append(msgs, m)
						<-release
					}
					err = r.Err()
				}()
			}
			return start, done, func() ([]string, error) { return msgs, err }
		}},
		{"Consume", func(c weCase, _ pipe.Reader, p *pipe.Pipe, release chan struct{}) (func(), <-chan struct{}, func() ([]string, error)) {
			var msgs []string
			var cons *parse.Consumer[string]
			done := make(chan struct{})
			start := func() {
				cons = parse.Consume(p, c.p, c.opts, func(m string) error {
					msgs = append(msgs, m)
					<-release
					return nil
				})
				go func() {
					<-cons.Done()
					close(done)
				}()
			}
			return start, done, func() ([]string, error) { return msgs, cons.Err() }
		}},
	}
	for _, c := range weCases() {
		for _, src := range weSources() {
			for _, rk := range readers {
				if rk.name == "Consume" && src.name != "pipe" {
					continue // Consume reads a pipe.Pipe only
				}
				t.Run(fmt.Sprintf("%s/%s/%s", c.name, src.name, rk.name), func(t *testing.T) {
					for _, order := range testutil.Interleavings(len(c.chunks)+1, len(c.msgs)+1) {
						synctest.Test(t, func(t *testing.T) {
							r, p, writer := src.start(c)
							release := make(chan struct{})
							start, done, result := rk.read(c, r, p, release)
							weRun(order, writer, start, release, done)
							msgs, err := result()
							c.wantOutcome(t, order, msgs, err)
						})
					}
				})
			}
		}
	}
}

// TestNoMessageLostBeforeWriterErrorInline: a Consumer on a pipe with the
// Inline scheduler, started before, between and after the writer's steps,
// handles every message before the error.
func TestNoMessageLostBeforeWriterErrorInline(t *testing.T) {
	for _, c := range weCases() {
		t.Run(c.name, func(t *testing.T) {
			for at := 0; at <= len(c.chunks)+1; at++ {
				p := pipe.New(pipe.Options{SegmentSize: 4, ReaderScheduler: pipe.Inline})
				w := p.Writer()
				var msgs []string
				var cons *parse.Consumer[string]
				for i := 0; i <= len(c.chunks)+1; i++ {
					if i == at {
						cons = parse.Consume(p, c.p, c.opts, func(m string) error {
							msgs = append(msgs, m)
							return nil
						})
					}
					switch {
					case i < len(c.chunks):
						w.Write(context.Background(), []byte(c.chunks[i]))
					case i == len(c.chunks):
						w.Complete(errWriter)
					}
				}
				<-cons.Done()
				c.wantOutcome(t, fmt.Sprintf("consume at %d", at), msgs, cons.Err())
			}
		})
	}
}

// TestInterruptedError: the error for a partial message cut by the
// writer's error is an *InterruptedError naming both, it is sticky, and the
// reader gives every segment back.
func TestInterruptedError(t *testing.T) {
	ctx := context.Background()
	for _, src := range []string{"pipe", "io.Reader"} {
		t.Run(src, func(t *testing.T) {
			pool := &countingPool{}
			var pr pipe.Reader
			if src == "pipe" {
				p := pipe.New(pipe.Options{Pool: pool, SegmentSize: 4})
				p.Writer().Write(ctx, []byte("one\ntw"))
				p.Writer().Complete(errWriter)
				pr = p.Reader()
			} else {
				in := io.MultiReader(strings.NewReader("one\ntw"), iotest.ErrReader(errWriter))
				pr = pipe.NewReader(iotest.DataErrReader(in), pipe.ReaderOptions{Pool: pool})
			}
			r := parse.NewReader(pr, line, parse.Options{})
			if m, err := r.Next(ctx); m != "one" || err != nil {
				t.Fatalf("Next = %q, %v", m, err)
			}
			_, err := r.Next(ctx)
			var ie *parse.InterruptedError
			if !errors.As(err, &ie) || ie.Err != errWriter || *ie.Truncated != (parse.TruncatedError{Offset: 4, Len: 2}) {
				t.Fatalf("error %#v, want an *InterruptedError", err)
			}
			const want = "parse: input failed inside a message (2 bytes at offset 4): the writer failed"
			if err.Error() != want {
				t.Errorf("Error() = %q, want %q", err, want)
			}
			for range 2 {
				if _, again := r.Next(ctx); again != err {
					t.Fatalf("not sticky: %v, then %v", err, again)
				}
			}
			if g, p := pool.counts(); g == 0 || g != p {
				t.Errorf("%d segments taken, %d returned", g, p)
			}
		})
	}
}

// TestInterruptedErrorZero: an InterruptedError built without Truncated
// still prints and unwraps.
func TestInterruptedErrorZero(t *testing.T) {
	err := &parse.InterruptedError{Err: errWriter}
	if err.Error() != "parse: input failed inside a message: the writer failed" {
		t.Errorf("Error() = %q", err)
	}
	var te *parse.TruncatedError
	if !errors.Is(err, errWriter) || errors.As(err, &te) {
		t.Errorf("errors.Is %v, errors.As %v", errors.Is(err, errWriter), errors.As(err, &te))
	}
}

// FuzzWriterError: the same bytes followed by the writer's error give the
// same messages and the same error however they are chunked and whenever
// the reader reads: all at once after the error, as the chunks arrive from
// a writer goroutine, and through pipe.NewReader over an io.Reader that
// returns the error with its last chunk. The messages are a prefix of those
// of the same bytes ended cleanly, and the error matches the writer's
// unless the bytes before it hold their own.
func FuzzWriterError(f *testing.F) {
	f.Add([]byte("hello\r\n#\x03abcworld\n\n#\x00"), []byte{6, 0})
	f.Add([]byte("#\x05ab\ncd\n"), []byte{1, 2})
	f.Add([]byte("one\ntw"), []byte{5})
	f.Add([]byte("#"), []byte{})
	f.Add([]byte(""), []byte{})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var chunks [][]byte
		rest := data
		for _, c := range cuts {
			n := min(int(c), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		chunks = append(chunks, rest)
		opts := parse.Options{MaxMessageSize: fuzzLimit}

		read := func(src pipe.Reader) (msgs []string, err error) {
			r := parse.NewReader(src, fuzzGrammar, opts)
			for m := range r.All(context.Background()) {
				msgs = append(msgs, fmt.Sprintf("%v:%q", m.Frame, m.Body.String()))
			}
			return msgs, r.Err()
		}
		outcome := func(msgs []string, err error) string {
			return fmt.Sprintf("%q, %v", msgs, err)
		}

		// Read after the error: the whole input in the pipe.
		p := pipe.New(pipe.Options{SegmentSize: 8})
		for _, c := range chunks {
			p.Writer().Write(context.Background(), c)
		}
		p.Writer().Complete(errWriter)
		msgs, err := read(p.Reader())
		want := outcome(msgs, err)

		// Read as the chunks arrive.
		q := pipe.New(pipe.Options{SegmentSize: 8, PauseThreshold: 16, ResumeThreshold: 8})
		go func() {
			for _, c := range chunks {
				if res, err := q.Writer().Write(context.Background(), c); err != nil || res.Completed {
					break
				}
			}
			q.Writer().Complete(errWriter)
		}()
		if got := outcome(read(q.Reader())); got != want {
			t.Fatalf("read as the chunks arrive: %s; read after the error: %s", got, want)
		}

		// An io.Reader returning the error with its last chunk.
		var readers []io.Reader
		for _, c := range chunks {
			readers = append(readers, bytes.NewReader(c))
		}
		in := iotest.DataErrReader(io.MultiReader(append(readers, iotest.ErrReader(errWriter))...))
		if got := outcome(read(pipe.NewReader(in, pipe.ReaderOptions{BufferSize: 16}))); got != want {
			t.Fatalf("through pipe.NewReader: %s; through a pipe: %s", got, want)
		}

		// Against the same bytes ended cleanly.
		clean, cleanErr := read(pipe.FromBytes(data))
		if len(msgs) > len(clean) || !slices.Equal(msgs, clean[:len(msgs)]) {
			t.Fatalf("messages %q are not a prefix of the clean end's %q", msgs, clean)
		}
		if !errors.Is(err, errWriter) {
			// Only an error of the bytes themselves comes first, and the
			// clean end finds it too.
			if cleanErr == nil || err.Error() != cleanErr.Error() || len(msgs) != len(clean) {
				t.Fatalf("error %v, not the writer's; the clean end: %q, %v", err, clean, cleanErr)
			}
		}
	})
}
