package parse_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// Parsers used by the tests of this file, gotcha_test.go and
// consumer_test.go, besides line and frame of reader_test.go.

// frame32 parses frames of a 4-byte big-endian length and that many bytes,
// returning a view of the body. It states the length it needs with
// NeedMore, counted from the cursor, and leaves the limit to the message
// reader.
func frame32(in *parse.Input) (seq.Sequence, error) {
	n, ok := in.ReadUint32BE()
	if !ok {
		return seq.Sequence{}, in.NeedMore(4)
	}
	body, ok := in.ReadN(int(n))
	if !ok {
		return seq.Sequence{}, in.NeedMore(int(n))
	}
	return body, nil
}

// tagged parses a letter followed by any number of digits: "a12b3c" holds
// a12, b3 and c. The run of digits is an optional, repeated element at the
// end of a message, so at the end of non-final input the parser must ask
// for more (nom #271): "a1" followed by "2" is a12, not a1 and a syntax
// error.
func tagged(in *parse.Input) (string, error) {
	return taggedParse(in, true)
}

// taggedNaive is tagged without the check of Final: it takes the end of the
// buffer for the end of the digits. Its results depend on the chunking.
func taggedNaive(in *parse.Input) (string, error) {
	return taggedParse(in, false)
}

func taggedParse(in *parse.Input, checkFinal bool) (string, error) {
	c, ok := in.Peek()
	if !ok {
		return "", in.NeedMore(1)
	}
	if c < 'a' || c > 'z' {
		return "", in.Errorf("want a letter, found %q", c)
	}
	in.Advance(1)
	for {
		d, ok := in.Peek()
		if !ok {
			if checkFinal && !in.Final() {
				return "", in.NeedMore(1)
			}
			break
		}
		if d < '0' || d > '9' {
			break
		}
		in.Advance(1)
	}
	rest := in.Sequence()
	return rest.Slice(0, in.Consumed()).String(), nil
}

// strictLine is line, refusing '#'.
func strictLine(in *parse.Input) (string, error) {
	rest := in.Rest()
	if i, j := rest.IndexByte('#'), rest.IndexByte('\n'); i >= 0 && (j < 0 || i < j) {
		in.Advance(i)
		return "", in.Errorf("'#' in a line")
	}
	return line(in)
}

// asString turns a parser of views into a parser of copies, so that
// messages can be kept and compared.
func asString(p parse.TryParse[seq.Sequence]) parse.TryParse[string] {
	return func(in *parse.Input) (string, error) {
		s, err := p(in)
		return s.String(), err
	}
}

// outcome is what reading a whole input gave: the messages and the error
// that ended it ("" for a clean end), as text so that outcomes compare with
// ==.
type outcome struct {
	msgs string
	err  string
}

func (o outcome) String() string { return fmt.Sprintf("msgs %s, err %q", o.msgs, o.err) }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%T: %v", err, err)
}

// readOutcome reads src to the end with a Reader.
func readOutcome(ctx context.Context, src pipe.Reader, p parse.TryParse[string], opts parse.Options) outcome {
	r := parse.NewReader(src, p, opts)
	var msgs []string
	for m := range r.All(ctx) {
		msgs = append(msgs, m)
	}
	return outcome{fmt.Sprintf("%q", msgs), errText(r.Err())}
}

// feed writes b to w in pieces of k bytes and completes w. It stops early
// if the reader completed.
func feed(w pipe.Writer, b []byte, k int) {
	for len(b) > 0 {
		n := min(k, len(b))
		res, err := w.Write(context.Background(), b[:n])
		if err != nil || res.Completed {
			break
		}
		b = b[n:]
	}
	w.Complete(nil)
}

// feedAsync runs feed on a new goroutine and returns a function that waits
// for it to end.
func feedAsync(w pipe.Writer, b []byte, k int) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed(w, b, k)
	}()
	return func() { <-done }
}

// invarianceCase is an input, a parser and the outcome every segmentation
// and every chunking of the input must give.
type invarianceCase struct {
	name  string
	p     parse.TryParse[string]
	opts  parse.Options
	input []byte
	want  outcome
}

func msgsText(msgs ...string) string {
	if msgs == nil {
		return "[]"
	}
	return fmt.Sprintf("%q", msgs)
}

func invarianceCases() []invarianceCase {
	truncated := func(off int64, n int) string { return errText(&parse.TruncatedError{Offset: off, Len: n}) }
	tooLarge := func(off int64, limit int) string { return errText(&parse.SizeError{Offset: off, Limit: limit}) }
	syntax := func(off int64, msg string) string { return errText(&parse.SyntaxError{Offset: off, Msg: msg}) }
	f32 := asString(frame32)
	return []invarianceCase{
		{"lines", line, parse.Options{}, []byte("alpha\nbeta\n\ngamma delta\nlast\n"),
			outcome{msgsText("alpha", "beta", "", "gamma delta", "last"), ""}},
		{"lines/empty", line, parse.Options{}, nil, outcome{msgsText(), ""}},
		{"lines/truncated", line, parse.Options{}, []byte("a\nbc"), outcome{msgsText("a"), truncated(2, 2)}},
		{"lines/too-long", line, parse.Options{MaxMessageSize: 8}, []byte("ok\n0123456789\nz\n"),
			outcome{msgsText("ok"), tooLarge(3, 8)}},
		{"lines/limit-exact", line, parse.Options{MaxMessageSize: 8}, []byte("0123456\n0123456\n"),
			outcome{msgsText("0123456", "0123456"), ""}},
		{"frames", frame, parse.Options{}, []byte{0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z'},
			outcome{msgsText("abc", "", "z"), ""}},
		{"frames/truncated-header", frame, parse.Options{}, []byte{0, 1, 'a', 0},
			outcome{msgsText("a"), truncated(3, 1)}},
		{"frames/truncated-body", frame, parse.Options{}, []byte{0, 1, 'a', 0, 5, 'a', 'b'},
			outcome{msgsText("a"), truncated(3, 4)}},
		{"frames/too-large", frame, parse.Options{MaxMessageSize: 10}, []byte{0, 1, 'a', 0, 200, 1, 2, 3},
			outcome{msgsText("a"), tooLarge(3, 10)}},
		{"frames32/too-large-declared", f32, parse.Options{MaxMessageSize: 10}, []byte{0, 0, 0, 1, 'a', 0, 0, 0, 8, 1, 2},
			outcome{msgsText("a"), tooLarge(5, 10)}},
		{"frames32/limit-exact", f32, parse.Options{MaxMessageSize: 10}, []byte{0, 0, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0},
			outcome{msgsText("\x01\x02\x03\x04\x05\x06", ""), ""}},
		{"tagged", tagged, parse.Options{}, []byte("a12b3cd45e"), outcome{msgsText("a12", "b3", "c", "d45", "e"), ""}},
		{"tagged/digits-at-eof", tagged, parse.Options{}, []byte("x1234"), outcome{msgsText("x1234"), ""}},
		{"tagged/syntax", tagged, parse.Options{}, []byte("a1b2#c"), outcome{msgsText("a1", "b2"), syntax(4, `want a letter, found '#'`)}},
		{"tagged/too-long", tagged, parse.Options{MaxMessageSize: 4}, []byte("a12b1234c"), outcome{msgsText("a12"), tooLarge(3, 4)}},
		// A message of the maximum size whose end is decided by the byte
		// after it, or by the end of the input: one byte of lookahead is
		// allowed past the limit, two are not.
		{"tagged/lookahead-past-limit", tagged, parse.Options{MaxMessageSize: 4}, []byte("a1b123cd"), outcome{msgsText("a1", "b123", "c", "d"), ""}},
		{"tagged/limit-at-eof", tagged, parse.Options{MaxMessageSize: 4}, []byte("a1b123"), outcome{msgsText("a1", "b123"), ""}},
		{"tagged/limit-plus-one", tagged, parse.Options{MaxMessageSize: 4}, []byte("a1b1234c"), outcome{msgsText("a1"), tooLarge(2, 4)}},
		{"tagged/limit-plus-one-at-eof", tagged, parse.Options{MaxMessageSize: 4}, []byte("a1b1234"), outcome{msgsText("a1"), tooLarge(2, 4)}},
		// Malformed bytes at the limit and past it.
		{"lines/syntax-at-limit", strictLine, parse.Options{MaxMessageSize: 4}, []byte("ab\nabcd#\n"), outcome{msgsText("ab"), syntax(7, "'#' in a line")}},
		{"lines/syntax-past-limit", strictLine, parse.Options{MaxMessageSize: 4}, []byte("ab\nabcde#\n"), outcome{msgsText("ab"), tooLarge(3, 4)}},
		{"lines/syntax-within-limit", strictLine, parse.Options{MaxMessageSize: 4}, []byte("ab\nab#\n"), outcome{msgsText("ab"), syntax(5, "'#' in a line")}},
	}
}

// TestInvariance: the same messages and the same error for every
// segmentation of the input and for every chunking through a real pipe.
func TestInvariance(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, tc := range invarianceCases() {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range segtest.Segmentations(tc.input) {
				if got := readOutcome(ctx, pipe.FromSequence(c.Seq), tc.p, tc.opts); got != tc.want {
					t.Errorf("segmentation %s: %v, want %v", c.Name, got, tc.want)
				}
			}
			for _, opts := range []pipe.Options{
				{},
				{SegmentSize: 8, Pool: &countingPool{}, PauseThreshold: 16, ResumeThreshold: 8},
			} {
				for k := 1; k <= 17; k++ {
					p := pipe.New(opts)
					wait := feedAsync(p.Writer(), tc.input, k)
					got := readOutcome(ctx, p.Reader(), tc.p, tc.opts)
					wait()
					if got != tc.want {
						t.Errorf("pipe %+v, chunks of %d: %v, want %v", opts, k, got, tc.want)
					}
				}
			}
		})
	}
}

// TestEOFContract: a clean end is io.EOF itself; input ending inside a
// message is a *TruncatedError matching io.ErrUnexpectedEOF; errors are
// sticky.
func TestEOFContract(t *testing.T) {
	ctx := context.Background()
	t.Run("clean", func(t *testing.T) {
		r := parse.NewReader(pipe.FromBytes([]byte("a\n")), line, parse.Options{})
		if m, err := r.Next(ctx); m != "a" || err != nil {
			t.Fatalf("Next = %q, %v", m, err)
		}
		for range 3 {
			if _, err := r.Next(ctx); err != io.EOF {
				t.Fatalf("at the end: %v, want io.EOF itself", err)
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		p := pipe.New(pipe.Options{})
		p.Writer().Complete(nil)
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		if _, err := r.Next(ctx); err != io.EOF {
			t.Fatalf("empty input: %v", err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		p := pipe.New(pipe.Options{})
		w := p.Writer()
		w.Write(ctx, []byte("one\ntw"))
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		if m, err := r.Next(ctx); m != "one" || err != nil {
			t.Fatalf("Next = %q, %v", m, err)
		}
		w.Write(ctx, []byte("o and a half"))
		w.Complete(nil)
		_, err := r.Next(ctx)
		var te *parse.TruncatedError
		if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &te) || te.Offset != 4 || te.Len != 14 {
			t.Fatalf("truncated: %v", err)
		}
		for range 2 {
			if _, again := r.Next(ctx); again != err {
				t.Fatalf("not sticky: %v, then %v", err, again)
			}
		}
	})
	t.Run("syntax", func(t *testing.T) {
		r := parse.NewReader(pipe.FromBytes([]byte("a1?")), tagged, parse.Options{})
		r.Next(ctx)
		_, err := r.Next(ctx)
		var se *parse.SyntaxError
		if !errors.As(err, &se) || se.Offset != 2 {
			t.Fatalf("syntax: %v", err)
		}
		if _, again := r.Next(ctx); again != err {
			t.Fatalf("not sticky: %v, then %v", err, again)
		}
	})
	t.Run("writer-error", func(t *testing.T) {
		p := pipe.New(pipe.Options{})
		boom := errors.New("boom")
		p.Writer().Write(ctx, []byte("a\n"))
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		if m, err := r.Next(ctx); m != "a" || err != nil {
			t.Fatalf("Next = %q, %v", m, err)
		}
		p.Writer().Complete(boom)
		for range 2 {
			if _, err := r.Next(ctx); err != boom {
				t.Fatalf("writer's error: %v", err)
			}
		}
	})
	t.Run("closed", func(t *testing.T) {
		r := parse.NewReader(pipe.FromBytes([]byte("a\nb\n")), line, parse.Options{})
		r.Next(ctx)
		r.Close()
		if _, err := r.Next(ctx); err != parse.ErrClosed {
			t.Fatalf("after Close: %v", err)
		}
		for range r.All(ctx) {
			t.Fatal("All after Close yielded")
		}
		if err := r.Err(); err != nil {
			t.Fatalf("Err after Close: %v", err)
		}
	})
}

// TestDeclaredLengthOverLimit: a frame whose declared length exceeds the
// limit is refused as soon as the length is read; the reader does not wait
// for (or buffer) the body. The writer sends the header and then waits.
func TestDeclaredLengthOverLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    parse.TryParse[string]
		hdr  []byte // a small frame, then the header of a large one
		off  int64  // the large frame's offset
	}{
		{"NeedMore", asString(frame32), binary.BigEndian.AppendUint32([]byte{0, 0, 0, 1, 'a'}, 1<<30), 5},
		{"TooLarge", frame, []byte{0, 1, 'a', 0xff, 0xff}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := &countingPool{}
			p := pipe.New(pipe.Options{Pool: pool})
			w := p.Writer()
			release := make(chan struct{})
			writerDone := make(chan pipe.FlushResult)
			go func() {
				w.Write(context.Background(), tc.hdr)
				<-release // the body never comes until the reader has failed
				res, _ := w.Write(context.Background(), make([]byte, 1000))
				w.Complete(nil)
				writerDone <- res
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			r := parse.NewReader(p.Reader(), tc.p, parse.Options{MaxMessageSize: 1000})
			if m, err := r.Next(ctx); m != "a" || err != nil {
				t.Fatalf("first frame: %q, %v", m, err)
			}
			_, err := r.Next(ctx)
			var se *parse.SizeError
			if !errors.Is(err, parse.ErrTooLarge) || !errors.As(err, &se) || se.Offset != tc.off || se.Limit != 1000 {
				t.Fatalf("after the header: %v", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("the reader took %v to refuse the length", d)
			}
			if out := pool.outstanding(); out > pipe.DefaultSegmentSize {
				t.Errorf("%d bytes buffered for a refused frame", out)
			}
			close(release)
			if res := <-writerDone; !res.Completed {
				t.Error("the writer was not told that the reader completed")
			}
		})
	}
}

// TestScanPastLimit: a delimiter search that passes the limit fails while
// the writer is still sending, with no more than the limit buffered.
func TestScanPastLimit(t *testing.T) {
	const limit = 10 << 10
	pool := &countingPool{}
	// The pipe's pause threshold bounds the bytes the reader has not
	// examined; the limit bounds those it examined.
	p := pipe.New(pipe.Options{Pool: pool, SegmentSize: 1024, PauseThreshold: 1024})
	w := p.Writer()
	done := make(chan struct{})
	go func() {
		defer close(done)
		chunk := bytes.Repeat([]byte{'x'}, 512)
		for {
			// The peer never sends a newline and never completes.
			if res, err := w.Write(context.Background(), chunk); res.Completed || err != nil {
				break
			}
		}
		w.Complete(nil)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := parse.NewReader(p.Reader(), line, parse.Options{MaxMessageSize: limit})
	_, err := r.Next(ctx)
	var se *parse.SizeError
	if !errors.Is(err, parse.ErrTooLarge) || !errors.As(err, &se) || se.Offset != 0 || se.Limit != limit {
		t.Fatalf("endless line: %v", err)
	}
	<-done
	if max := pool.maxOutstanding(); max > limit+3*1024 {
		t.Errorf("%d bytes were buffered for a limit of %d", max, limit)
	}
	if g, p := pool.counts(); g != p {
		t.Errorf("%d segments taken, %d returned", g, p)
	}
}

// TestNoProgressGuard: a parser that reports a message without consuming is
// stopped; one that keeps asking for more is stopped at the end of the
// input, and does not spin before it.
func TestNoProgressGuard(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	empty := func(in *parse.Input) (string, error) { return "", nil }
	for _, c := range segtest.Segmentations([]byte("xy")) {
		if got := readOutcome(ctx, pipe.FromSequence(c.Seq), empty, parse.Options{}); got.err != errText(parse.ErrNoProgress) {
			t.Fatalf("%s: %v", c.Name, got)
		}
	}
	// On a pipe that stays open too: the guard does not wait for input.
	p := pipe.New(pipe.Options{})
	p.Writer().Write(ctx, []byte("x"))
	if _, err := parse.NewReader(p.Reader(), empty, parse.Options{}).Next(ctx); err != parse.ErrNoProgress {
		t.Fatalf("open pipe: %v", err)
	}

	// Always asking for more: an error at the end, after a bounded number
	// of calls.
	calls := 0
	never := func(in *parse.Input) (string, error) {
		calls++
		return "", in.NeedMore(0)
	}
	p = pipe.New(pipe.Options{})
	wait := feedAsync(p.Writer(), []byte("abcdef"), 2)
	_, err := parse.NewReader(p.Reader(), never, parse.Options{}).Next(ctx)
	wait()
	var te *parse.TruncatedError
	if !errors.As(err, &te) || te.Len != 6 || calls > 4 {
		t.Fatalf("never satisfied: %v after %d calls", err, calls)
	}

	// A parser that asks for bytes that are already buffered (a wrong
	// NeedMore count) must not make the reader spin: it waits for new
	// bytes like any other partial message.
	calls = 0
	wrong := func(in *parse.Input) (string, error) {
		calls++
		if in.Remaining() >= 5 {
			s, _ := in.ReadN(5)
			return s.String(), nil
		}
		return "", in.NeedMore(1) // counted from the cursor: wrong once a byte is there
	}
	p = pipe.New(pipe.Options{})
	w := p.Writer()
	w.Write(ctx, []byte("abc"))
	r := parse.NewReader(p.Reader(), wrong, parse.Options{})
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err = r.Next(short)
	cancelShort()
	if err != context.DeadlineExceeded || calls > 2 {
		t.Fatalf("partial input, no new bytes: %v after %d calls", err, calls)
	}
	w.Write(ctx, []byte("de"))
	if m, err := r.Next(ctx); m != "abcde" || err != nil {
		t.Fatalf("then: %q, %v", m, err)
	}
}

// TestCancelByContext: a Next waiting for bytes returns ctx.Err() when ctx
// ends; nothing buffered is lost and the next Next goes on.
func TestCancelByContext(t *testing.T) {
	ctx := context.Background()
	p := pipe.New(pipe.Options{})
	w := p.Writer()
	r := parse.NewReader(p.Reader(), line, parse.Options{})
	w.Write(ctx, []byte("first\npar"))
	if m, err := r.Next(ctx); m != "first" || err != nil {
		t.Fatalf("Next = %q, %v", m, err)
	}
	for _, d := range []time.Duration{0, 20 * time.Millisecond} {
		c, cancel := context.WithTimeout(ctx, d)
		_, err := r.Next(c)
		cancel()
		if err != context.DeadlineExceeded {
			t.Fatalf("timeout %v: %v", d, err)
		}
	}
	c, cancel := context.WithCancel(ctx)
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	if _, err := r.Next(c); err != context.Canceled {
		t.Fatalf("canceled: %v", err)
	}
	w.Write(ctx, []byte("tial\nlast\n"))
	w.Complete(nil)
	var got []string
	for m := range r.All(ctx) {
		got = append(got, m)
	}
	if r.Err() != nil || strings.Join(got, ",") != "partial,last" {
		t.Fatalf("after the timeouts: %q, %v", got, r.Err())
	}
}

// TestCancelPendingRead: CancelPendingRead on the pipe reader makes Next
// return ErrCanceled; nothing buffered is lost and the next Next goes on.
func TestCancelPendingRead(t *testing.T) {
	ctx, cancelAll := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelAll()
	p := pipe.New(pipe.Options{})
	w, src := p.Writer(), p.Reader()
	r := parse.NewReader(src, line, parse.Options{})

	// A Next that waits.
	w.Write(ctx, []byte("par"))
	errc := make(chan error)
	go func() {
		_, err := r.Next(ctx)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	src.CancelPendingRead()
	if err := <-errc; err != parse.ErrCanceled {
		t.Fatalf("pending Next: %v", err)
	}
	w.Write(ctx, []byte("tial\n"))
	if m, err := r.Next(ctx); m != "partial" || err != nil {
		t.Fatalf("after the cancel: %q, %v", m, err)
	}

	// A cancel with no Next pending: the next one returns ErrCanceled,
	// holding the bytes that arrived, and the one after returns them.
	w.Write(ctx, []byte("a\nb\nc"))
	src.CancelPendingRead()
	if _, err := r.Next(ctx); err != parse.ErrCanceled {
		t.Fatalf("cancel before Next: %v", err)
	}
	// All stops at a cancel too, and Err tells.
	src.CancelPendingRead()
	var got []string
	for m := range r.All(ctx) {
		got = append(got, m)
	}
	if r.Err() != parse.ErrCanceled || strings.Join(got, ",") != "a,b" {
		t.Fatalf("All with a cancel: %q, %v", got, r.Err())
	}
	w.Write(ctx, []byte("\n"))
	w.Complete(nil)
	for m := range r.All(ctx) {
		got = append(got, m)
	}
	if r.Err() != nil || strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("after the cancels: %q, %v", got, r.Err())
	}
}

// TestMessageLifetime: a message viewing pipe memory stays valid and
// unchanged across the Next calls that return later messages of the same
// buffer; once the reader has advanced past its segment, using it panics
// and its bytes read as poison.
func TestMessageLifetime(t *testing.T) {
	ctx := context.Background()
	pool := &countingPool{}
	p := pipe.New(pipe.Options{SegmentSize: 8, Pool: pool})
	w := p.Writer()
	writeFrame := func(body string) {
		b := w.Buffer(4 + len(body))
		binary.BigEndian.PutUint32(b, uint32(len(body)))
		copy(b[4:], body)
		w.Advance(4 + len(body))
	}
	// Three frames of 6 bytes, one per 8-byte segment, in one flush.
	for _, body := range []string{"aa", "bb", "cc"} {
		writeFrame(body)
	}
	w.Flush(ctx)
	r := parse.NewReader(p.Reader(), frame32, parse.Options{})
	var msgs []seq.Sequence
	for range 3 {
		m, err := r.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
		for i, m := range msgs {
			if want := []string{"aa", "bb", "cc"}[i]; m.String() != want {
				t.Fatalf("after %d Next calls, message %d reads %q, want %q", len(msgs), i, m.String(), want)
			}
		}
	}
	if g, _ := pool.counts(); g != 3 {
		t.Fatalf("%d segments, want one per frame", g)
	}
	kept := msgs[0].First() // a plain slice: nothing can check it
	writeFrame("dd")
	w.Flush(ctx)
	if m, err := r.Next(ctx); err != nil || m.String() != "dd" {
		t.Fatalf("fourth: %v %v", m, err)
	}
	// The reader advanced past the first three segments.
	for i, m := range msgs {
		if msg := panicMessage(func() { _ = m.String() }); !strings.Contains(msg, "recycled") {
			t.Errorf("message %d used after the reader advanced: panic %q", i, msg)
		}
	}
	if string(kept) != seq.Poison[:2] {
		t.Errorf("a slice kept past its lifetime reads %q, want the poison pattern", kept)
	}
	r.Close()
	w.Complete(nil)
}

// TestReaderCompletes: the reader completes its pipe reader on Close, on an
// error and at the end of the input, so every segment goes back to the
// pool once the writer has completed too.
func TestReaderCompletes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	input := bytes.Repeat([]byte("a line of text\n"), 100)
	for _, tc := range []struct {
		name  string
		input []byte
		use   func(r *parse.Reader[string]) error
		want  error
	}{
		{"eof", input, func(r *parse.Reader[string]) error {
			for range r.All(ctx) {
			}
			return r.Err()
		}, nil},
		{"truncated", append(input, "partial"...), func(r *parse.Reader[string]) error {
			for range r.All(ctx) {
			}
			return r.Err()
		}, io.ErrUnexpectedEOF},
		{"too-large", append(bytes.Repeat([]byte{'x'}, 1000), '\n'), func(r *parse.Reader[string]) error {
			for range r.All(ctx) {
			}
			return r.Err()
		}, parse.ErrTooLarge},
		{"close", input, func(r *parse.Reader[string]) error {
			r.Next(ctx)
			r.Next(ctx)
			return r.Close()
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := &countingPool{}
			p := pipe.New(pipe.Options{Pool: pool, SegmentSize: 64, PauseThreshold: 256, ResumeThreshold: 128})
			wait := feedAsync(p.Writer(), tc.input, 50)
			r := parse.NewReader(p.Reader(), line, parse.Options{MaxMessageSize: 100})
			if err := tc.use(r); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			wait()
			if g, p := pool.counts(); g == 0 || g != p {
				t.Errorf("%d segments taken, %d returned", g, p)
			}
		})
	}
}

// TestLinearIncremental: a 64 MiB line, and a 64 MiB frame, arriving through
// a pipe in 4 KiB writes parse in about the time of the same bytes given
// whole: the reader neither rescans a partial line from its start nor
// retries a frame before its declared length is buffered.
//
// Three runs of each: "whole", one 64 MiB write; "pieces, then parse", the
// 4 KiB writes all made before the reader starts, so that it parses the
// message once, from one buffer; "pieces", the reader parsing as the 4 KiB
// writes arrive (the writer pauses at 64 KiB unexamined, so the reader
// looks at the message at least a thousand times). The last two move the
// same segments through the pipe and differ only in incremental parsing.
func TestLinearIncremental(t *testing.T) {
	size, ratio := 64<<20, 1.5
	switch {
	case testing.Short():
		size = 8 << 20
	case raceEnabled:
		// The race detector makes each of the thousands of handoffs
		// between writer and reader costly, which the run parsing at
		// once does not pay; quadratic rescanning would still cost
		// hundreds of times more.
		size, ratio = 16<<20, 3
	}
	body := bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz012345"), size/32)
	lineIn := append(append([]byte(nil), body...), '\n')
	frameIn := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	frameIn = append(frameIn, body...)
	lineSeq := func(in *parse.Input) (seq.Sequence, error) {
		from := in.Scanned(lineSeqKey)
		rest := in.ScanRest(lineSeqKey)
		i := rest.IndexByte('\n')
		if i < 0 {
			return seq.Sequence{}, in.ScanShort(lineSeqKey, from+rest.Len())
		}
		s, _ := in.ReadN(from + i)
		in.Advance(1)
		return s, nil
	}
	for _, tc := range []struct {
		name  string
		input []byte
		p     parse.TryParse[seq.Sequence]
	}{{"line", lineIn, lineSeq}, {"frame", frameIn, frame32}} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			counted := func(in *parse.Input) (seq.Sequence, error) {
				calls++
				return tc.p(in)
			}
			// run returns the time from the first write to the message and
			// the number of parser calls.
			run := func(chunk int, writeFirst bool) (time.Duration, int) {
				calls = 0
				opts := pipe.Options{}
				if writeFirst {
					opts.PauseThreshold = -1
				}
				p := pipe.New(opts)
				start := time.Now()
				wait := func() {}
				if writeFirst {
					feed(p.Writer(), tc.input, chunk)
				} else {
					wait = feedAsync(p.Writer(), tc.input, chunk)
				}
				r := parse.NewReader(p.Reader(), counted, parse.Options{MaxMessageSize: len(tc.input)})
				m, err := r.Next(context.Background())
				if err != nil || m.Len() != len(body) {
					t.Fatalf("chunks of %d: a message of %d bytes, %v", chunk, m.Len(), err)
				}
				d := time.Since(start)
				r.Close()
				wait()
				return d, calls
			}
			best := func(chunk int, writeFirst bool) (time.Duration, int) {
				d, n := run(chunk, writeFirst)
				for range 2 {
					d2, _ := run(chunk, writeFirst)
					d = min(d, d2)
				}
				return d, n
			}
			whole, _ := best(len(tc.input), false)
			once, _ := best(4<<10, true)
			pieces, n := best(4<<10, false)
			t.Logf("%d MiB: whole %v; 4 KiB pieces, then parse %v; parsing as 4 KiB pieces arrive %v (%d parser calls): %.2fx and %.2fx",
				size>>20, whole, once, pieces, n, float64(pieces)/float64(whole), float64(pieces)/float64(once))
			if tc.name == "frame" && n > 3 {
				t.Errorf("the frame parser ran %d times; the reader should wait for the declared length", n)
			}
			if tc.name == "line" && n < 100 {
				t.Errorf("the line parser ran %d times: the test did not parse incrementally", n)
			}
			if limit := time.Duration(float64(once)*ratio) + 5*time.Millisecond; pieces > limit {
				t.Errorf("parsing as the pieces arrive took %v, more than %vx the %v of parsing them at once", pieces, ratio, once)
			}
		})
	}
}

// Helpers.

// countingPool hands out segments of exactly the size asked for, never
// reuses them (so recycled memory stays poisoned), and counts them.
type countingPool struct {
	mu       sync.Mutex
	gets     int
	puts     int
	out, max int // bytes taken and not returned; the most at any time
}

func (p *countingPool) Get(size int) *seq.Segment {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gets++
	p.out += size
	p.max = max(p.max, p.out)
	return seq.NewSegment(make([]byte, 0, size))
}

func (p *countingPool) Put(s *seq.Segment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.puts++
	p.out -= s.Cap()
}

func (p *countingPool) counts() (gets, puts int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gets, p.puts
}

func (p *countingPool) outstanding() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out
}

func (p *countingPool) maxOutstanding() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.max
}

// panicMessage runs f and returns the text of its panic, or "" if it did
// not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// goid returns the id of the calling goroutine.
func goid() uint64 {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	id, err := strconv.ParseUint(s[:strings.IndexByte(s, ' ')], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

var lineSeqKey = parse.NewScanKey()

// midBufferCase is an input whose messages all arrive in one buffer, with
// what ends them after a few: a syntax error, a message over the limit, a
// parser that makes no progress, or the clean end.
type midBufferCase struct {
	name, in string
	p        parse.TryParse[string]
	opts     parse.Options
}

func midBufferCases() []midBufferCase {
	stall := func(in *parse.Input) (string, error) {
		if b, _ := in.Peek(); b == 'z' {
			return "", nil // no progress
		}
		return strictLine(in)
	}
	return []midBufferCase{
		{"syntax", "a\nb\nc#\nd\n", strictLine, parse.Options{}},
		{"size", "a\nb\ncccccccc\nd\n", strictLine, parse.Options{MaxMessageSize: 4}},
		{"stall", "a\nb\nz\nd\n", stall, parse.Options{}},
		{"clean", "a\nb\nc\nd\n", strictLine, parse.Options{}},
	}
}

// TestAllMidBuffer checks All's way out of its inner loop, which keeps to
// the messages of one buffer: an error, a message over the limit or a
// parser that makes no progress after some messages of the same buffer
// end the loop exactly as Next would, with the messages before returned;
// and a break leaves the next message to Next.
func TestAllMidBuffer(t *testing.T) {
	ctx := context.Background()
	for _, c := range midBufferCases() {
		got := readOutcome(ctx, pipe.FromBytes([]byte(c.in)), c.p, c.opts)
		// The reference: Next, one message a call.
		r := parse.NewReader(pipe.FromBytes([]byte(c.in)), c.p, c.opts)
		var msgs []string
		var err error
		for {
			var m string
			if m, err = r.Next(ctx); err != nil {
				break
			}
			msgs = append(msgs, m)
		}
		if errors.Is(err, io.EOF) {
			err = nil
		}
		want := outcome{fmt.Sprintf("%q", msgs), errText(err)}
		if got != want || len(msgs) < 2 {
			t.Errorf("%s: All gave %v, Next %v", c.name, got, want)
		}
	}
	r := parse.NewReader(pipe.FromBytes([]byte("a\nb\nc\nd\n")), strictLine, parse.Options{})
	n := 0
	for range r.All(ctx) {
		if n++; n == 2 {
			break
		}
	}
	if m, err := r.Next(ctx); m != "c" || err != nil {
		t.Fatalf("after a break at the second message: %q, %v", m, err)
	}
}
