package parse_test

// The gotchas of the seed's "PipeReader common problems" section, one test
// each. Every test first runs the seed's ❌ code sample, translated to Go,
// against a raw pipe.Reader and shows that it goes wrong, then runs a
// parse.Reader on the same input and shows that it does not. The naive
// loops are bounded (an iteration counter, a context deadline, a memory
// bound) so that showing the bug never hangs the test.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// tryParseLine is the seed's TryParseMessage for LF-terminated lines: it
// takes one line off the front of buffer, or reports false.
func tryParseLine(buffer *seq.Sequence) (string, bool) {
	i := buffer.IndexByte('\n')
	if i < 0 {
		return "", false
	}
	msg := buffer.Slice(0, i).String()
	*buffer = buffer.From(i + 1)
	return msg, true
}

// processLines is the seed's Process(ref buffer, out message) for the
// loops that handle every message: it takes every complete line off the
// front of buffer.
func processLines(buffer *seq.Sequence, got *[]string) {
	for {
		msg, ok := tryParseLine(buffer)
		if !ok {
			return
		}
		*got = append(*got, msg)
	}
}

func gotchaContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// write writes s to w and fails the test if the reader completed.
func write(t *testing.T, w pipe.Writer, s string) {
	t.Helper()
	if res, err := w.Write(context.Background(), []byte(s)); err != nil || res.Completed {
		t.Fatalf("Write(%q): %+v, %v", s, res, err)
	}
}

// ❌ Data loss: checking IsCompleted and leaving the loop before processing
// the buffer drops the final messages.
func TestGotchaDataLoss(t *testing.T) {
	const first, last = "one\n", "two\nthree\n"
	t.Run("naive", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := pipe.New(pipe.Options{})
		w, reader := p.Writer(), p.Reader()
		var got []string
		write(t, w, first)
		for i := 0; ; i++ {
			if i == 1 {
				// The last bytes and the completion arrive together.
				write(t, w, last)
				w.Complete(nil)
			}
			result, err := reader.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			dataLossBuffer := result.Buffer
			if result.Completed {
				break
			}
			processLines(&dataLossBuffer, &got)
			reader.AdvanceTo(dataLossBuffer.Start(), dataLossBuffer.End())
		}
		reader.Complete(nil)
		if strings.Join(got, ",") != "one" {
			t.Fatalf("the naive loop got %q", got)
		}
		t.Logf("the naive loop lost %q: it got only %q", last, got)
	})
	t.Run("sluice", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := pipe.New(pipe.Options{})
		w := p.Writer()
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		write(t, w, first)
		if m, err := r.Next(ctx); m != "one" || err != nil {
			t.Fatalf("Next = %q, %v", m, err)
		}
		write(t, w, last)
		w.Complete(nil)
		var got []string
		for m := range r.All(ctx) {
			got = append(got, m)
		}
		if r.Err() != nil || strings.Join(got, ",") != "two,three" {
			t.Fatalf("the reader got %q, %v", got, r.Err())
		}
	})
}

// ❌ Data loss, another form: returning on a read error before looking at
// the buffer drops the messages flushed before the writer's error, but only
// when the read happens after Complete(err): the same bytes and the same
// error give different messages depending on timing.
func TestGotchaDataLossBeforeWriterError(t *testing.T) {
	const input = "one\ntwo\n"
	boom := errors.New("connection reset")
	t.Run("naive", func(t *testing.T) {
		ctx := gotchaContext(t)
		got := map[bool][]string{}
		for _, readFirst := range []bool{true, false} {
			p := pipe.New(pipe.Options{})
			w, reader := p.Writer(), p.Reader()
			write(t, w, input)
			if !readFirst {
				w.Complete(boom)
			}
			var lines []string
			for {
				result, err := reader.Read(ctx)
				if err != nil {
					break // ❌ the buffer that came with the error is never looked at
				}
				buffer := result.Buffer
				processLines(&buffer, &lines)
				reader.AdvanceTo(buffer.Start(), buffer.End())
				if readFirst {
					w.Complete(boom)
				}
			}
			reader.Complete(nil)
			got[readFirst] = lines
		}
		if strings.Join(got[true], ",") != "one,two" || len(got[false]) != 0 {
			t.Fatalf("the naive loop got %q reading first, %q reading after the error", got[true], got[false])
		}
		t.Logf("the naive loop got %q when it read first, %q when it read after the error", got[true], got[false])
	})
	t.Run("sluice", func(t *testing.T) {
		ctx := gotchaContext(t)
		for _, readFirst := range []bool{true, false} {
			p := pipe.New(pipe.Options{})
			w := p.Writer()
			write(t, w, input)
			r := parse.NewReader(p.Reader(), line, parse.Options{})
			if !readFirst {
				w.Complete(boom)
			}
			var got []string
			for m := range r.All(ctx) {
				got = append(got, m)
				if readFirst {
					w.Complete(boom)
				}
			}
			if r.Err() != boom || strings.Join(got, ",") != "one,two" {
				t.Fatalf("read first %v: the reader got %q, %v", readFirst, got, r.Err())
			}
		}
	})
}

// ❌ Infinite loop: with the input completed and an incomplete message left,
// AdvanceTo(buffer.Start, buffer.End) makes every Read return at once with
// the same bytes. Both of the seed's variants.
func TestGotchaInfiniteLoop(t *testing.T) {
	const input = "one\ntw" // the last message never completes
	const maxIter = 10000
	variants := map[string]func(result pipe.Result, buffer *seq.Sequence, got *[]string) (exit bool){
		"completed-and-empty": func(result pipe.Result, buffer *seq.Sequence, got *[]string) bool {
			if result.Completed && buffer.IsEmpty() {
				return true
			}
			processLines(buffer, got)
			return false
		},
		"else-if": func(result pipe.Result, buffer *seq.Sequence, got *[]string) bool {
			if !buffer.IsEmpty() {
				processLines(buffer, got)
			} else if result.Completed {
				return true
			}
			return false
		},
	}
	for name, body := range variants {
		t.Run("naive/"+name, func(t *testing.T) {
			ctx := gotchaContext(t)
			p := pipe.New(pipe.Options{})
			p.Writer().Write(ctx, []byte(input))
			p.Writer().Complete(nil)
			reader := p.Reader()
			var got []string
			iterations, exited := 0, false
			for ; iterations < maxIter && ctx.Err() == nil; iterations++ {
				result, err := reader.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				infiniteLoopBuffer := result.Buffer
				if body(result, &infiniteLoopBuffer, &got) {
					exited = true
					break
				}
				reader.AdvanceTo(infiniteLoopBuffer.Start(), infiniteLoopBuffer.End())
			}
			reader.Complete(nil)
			if exited || iterations < maxIter {
				t.Fatalf("the naive loop ended after %d iterations", iterations)
			}
			t.Logf("the naive loop was still spinning after %d iterations, having got %q", iterations, got)
		})
	}
	t.Run("sluice", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := pipe.New(pipe.Options{})
		p.Writer().Write(ctx, []byte(input))
		p.Writer().Complete(nil)
		calls := 0
		counted := func(in *parse.Input) (string, error) {
			calls++
			return line(in)
		}
		r := parse.NewReader(p.Reader(), counted, parse.Options{})
		var got []string
		for m := range r.All(ctx) {
			got = append(got, m)
		}
		var te *parse.TruncatedError
		if !errors.Is(r.Err(), io.ErrUnexpectedEOF) || !errors.As(r.Err(), &te) || te.Offset != 4 || te.Len != 2 ||
			strings.Join(got, ",") != "one" || calls > 2 {
			t.Fatalf("the reader got %q, %v, after %d parser calls", got, r.Err(), calls)
		}
	})
}

// ❌ Unexpected hang: examined = buffer.End after parsing a single message
// tells the pipe every buffered byte was looked at, so the next Read waits
// for new bytes although a whole message is buffered.
func TestGotchaUnexpectedHang(t *testing.T) {
	const input = "one\ntwo\n" // two messages, and the writer stays open
	t.Run("naive", func(t *testing.T) {
		p := pipe.New(pipe.Options{})
		write(t, p.Writer(), input)
		reader := p.Reader()
		readMessage := func(ctx context.Context) (string, error) {
			for {
				result, err := reader.Read(ctx)
				if err != nil {
					return "", err
				}
				hangBuffer := result.Buffer
				message, ok := tryParseLine(&hangBuffer)
				if result.Completed {
					return "", io.EOF
				}
				reader.AdvanceTo(hangBuffer.Start(), hangBuffer.End())
				if ok {
					return message, nil
				}
			}
		}
		if m, err := readMessage(gotchaContext(t)); m != "one" || err != nil {
			t.Fatalf("first message: %q, %v", m, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		m, err := readMessage(ctx)
		if err != context.DeadlineExceeded || p.Len() != 4 {
			t.Fatalf("second message: %q, %v, %d bytes buffered", m, err, p.Len())
		}
		t.Logf("the naive reader blocked until its deadline with %d bytes (%q) buffered", p.Len(), "two\n")
		reader.Complete(nil)
		p.Writer().Complete(nil)
	})
	t.Run("sluice", func(t *testing.T) {
		p := pipe.New(pipe.Options{})
		write(t, p.Writer(), input)
		r := parse.NewReader(p.Reader(), line, parse.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		for _, want := range []string{"one", "two"} {
			if m, err := r.Next(ctx); m != want || err != nil {
				t.Fatalf("Next = %q, %v, want %q", m, err, want)
			}
		}
		r.Close()
		p.Writer().Complete(nil)
	})
}

// endlessLine writes 4 KiB pieces of a line that never ends until the
// reader completes or stop is closed, then completes the writer.
func endlessLine(w pipe.Writer, stop <-chan struct{}) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer w.Complete(nil)
		chunk := []byte(strings.Repeat("x", 4<<10))
		for {
			select {
			case <-stop:
				return
			default:
			}
			if res, err := w.Write(context.Background(), chunk); res.Completed || err != nil {
				return
			}
		}
	}()
	return func() { <-done }
}

// ❌ Out of memory: with no maximum message size, a peer sending an endless
// line makes the reader buffer without bound.
func TestGotchaOutOfMemory(t *testing.T) {
	const seg = 4 << 10
	const limit = 64 << 10
	// The pipe's own backpressure bounds the bytes the reader has not
	// examined to about PauseThreshold; the bytes it examined and keeps are
	// the reader's business.
	opts := func(pool pipe.Pool) pipe.Options {
		return pipe.Options{Pool: pool, SegmentSize: seg, PauseThreshold: seg, ResumeThreshold: seg / 2}
	}
	t.Run("naive", func(t *testing.T) {
		ctx := gotchaContext(t)
		pool := &countingPool{}
		p := pipe.New(opts(pool))
		stop := make(chan struct{})
		wait := endlessLine(p.Writer(), stop)
		reader := p.Reader()
		const bound = 16 * limit // stands for "all the memory there is"
		buffered := 0
		readMessage := func() (string, error) {
			for ctx.Err() == nil {
				result, err := reader.Read(ctx)
				if err != nil {
					return "", err
				}
				thisCouldOutOfMemory := result.Buffer
				buffered = thisCouldOutOfMemory.Len()
				message, ok := tryParseLine(&thisCouldOutOfMemory)
				if result.Completed {
					return "", io.EOF
				}
				reader.AdvanceTo(thisCouldOutOfMemory.Start(), thisCouldOutOfMemory.End())
				if ok {
					return message, nil
				}
				if buffered > bound {
					return "", fmt.Errorf("%d bytes buffered and still no message", buffered)
				}
			}
			return "", ctx.Err()
		}
		_, err := readMessage()
		close(stop)
		reader.Complete(nil)
		wait()
		if err == nil || buffered <= bound || pool.maxOutstanding() <= bound {
			t.Fatalf("naive reader: %v, %d bytes buffered", err, buffered)
		}
		t.Logf("the naive reader gave up: %v; the pool lent %d bytes at most", err, pool.maxOutstanding())
	})
	t.Run("sluice", func(t *testing.T) {
		ctx := gotchaContext(t)
		pool := &countingPool{}
		p := pipe.New(opts(pool))
		stop := make(chan struct{})
		defer close(stop)
		wait := endlessLine(p.Writer(), stop)
		r := parse.NewReader(p.Reader(), line, parse.Options{MaxMessageSize: limit})
		_, err := r.Next(ctx)
		wait() // the writer stops: its flush reports the reader completed
		var se *parse.SizeError
		if !errors.Is(err, parse.ErrTooLarge) || !errors.As(err, &se) || se.Offset != 0 || se.Limit != limit {
			t.Fatalf("the reader returned %v", err)
		}
		if max := pool.maxOutstanding(); max > limit+3*seg {
			t.Errorf("the pool lent %d bytes at most, more than the limit %d and three segments", max, limit)
		} else {
			t.Logf("the pool lent %d bytes at most for a limit of %d", max, limit)
		}
		if g, p := pool.counts(); g != p {
			t.Errorf("%d segments taken, %d returned", g, p)
		}
	})
}

// ❌ Memory corruption: a payload sliced from the buffer and used after
// AdvanceTo views memory the pipe has released and may reuse. In sluice the
// view panics naming the misuse, and a plain slice reads as poison.
func TestGotchaMemoryCorruption(t *testing.T) {
	// Frames of a 2-byte length and a body, one per 8-byte segment, so
	// that AdvanceTo past a frame releases its segment at once.
	newPipe := func(t *testing.T) *pipe.Pipe {
		p := pipe.New(pipe.Options{SegmentSize: 8, Pool: &countingPool{}})
		w := p.Writer()
		for _, body := range []string{"abcd", "efgh"} {
			b := w.Buffer(2 + len(body))
			binary.BigEndian.PutUint16(b, uint16(len(body)))
			copy(b[2:], body)
			w.Advance(2 + len(body))
		}
		if _, err := w.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("naive", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := newPipe(t)
		reader := p.Reader()
		result, err := reader.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		buffer := result.Buffer
		var hdr [2]byte
		buffer.CopyTo(hdr[:])
		length := int(binary.BigEndian.Uint16(hdr[:]))
		buffer = buffer.From(2)
		corruptedPayload := buffer.Slice(0, length) // slice the payload from the existing buffer
		kept := corruptedPayload.First()            // and a plain []byte of it
		buffer = buffer.From(length)
		reader.AdvanceTo(buffer.Start(), buffer.End())
		// "This code is broken since we called reader.AdvanceTo() with a
		// position *after* the buffer we captured."
		msg := panicMessage(func() { _ = corruptedPayload.String() })
		if !strings.Contains(msg, "recycled") {
			t.Errorf("using the payload after AdvanceTo: panic %q", msg)
		}
		// The payload lay at offset 2 of its segment, which is now
		// overwritten with the pattern from offset 0.
		want := seq.Poison[2:] + seq.Poison[:2]
		if string(kept) != want {
			t.Errorf("the kept slice reads %q, want the poison pattern %q", kept, want)
		}
		t.Logf("using the payload panicked: %s; the kept slice reads %q", msg, kept)
		reader.Complete(nil)
		p.Writer().Complete(nil)
	})
	t.Run("sluice", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := newPipe(t)
		frame16 := func(in *parse.Input) (seq.Sequence, error) {
			n, ok := in.ReadUint16BE()
			if !ok {
				return seq.Sequence{}, in.NeedMore(2)
			}
			body, ok := in.ReadN(int(n))
			if !ok {
				return seq.Sequence{}, in.NeedMore(int(n))
			}
			return body, nil
		}
		r := parse.NewReader(p.Reader(), frame16, parse.Options{})
		first, err := r.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		owned := first.Bytes() // an owned copy is one call away
		// The reader advances the pipe lazily: the first payload stays
		// valid while the second, from the same buffer, is read.
		second, err := r.Next(ctx)
		if err != nil || first.String() != "abcd" || second.String() != "efgh" {
			t.Fatalf("payloads %q %q, %v", first.String(), second.String(), err)
		}
		p.Writer().Complete(nil)
		if _, err := r.Next(ctx); err != io.EOF {
			t.Fatalf("at the end: %v", err)
		}
		// Past its lifetime the view fails loudly instead of reading
		// another message's bytes; the copy is intact.
		if msg := panicMessage(func() { _ = first.String() }); !strings.Contains(msg, "recycled") {
			t.Errorf("a payload used past its lifetime: panic %q", msg)
		}
		if string(owned) != "abcd" {
			t.Errorf("the owned copy reads %q", owned)
		}
	})
}

// ❌ Reading already-read data: passing consumed/examined positions that
// were already processed. A position from an older read is refused by the
// pipe; an already-processed position from the current read cannot be told
// apart from a deliberate one and makes the messages come again.
func TestGotchaWrongPositions(t *testing.T) {
	t.Run("naive/older-read", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := pipe.New(pipe.Options{})
		w, reader := p.Writer(), p.Reader()
		write(t, w, "one\n")
		result, _ := reader.Read(ctx)
		old := result.Buffer.Start()
		buffer := result.Buffer
		tryParseLine(&buffer)
		reader.AdvanceTo(buffer.Start(), buffer.End())
		write(t, w, "two\n")
		result, _ = reader.Read(ctx)
		msg := panicMessage(func() { reader.AdvanceTo(old, result.Buffer.End()) })
		if !strings.Contains(msg, "older read") {
			t.Fatalf("AdvanceTo with a position from an older read: panic %q", msg)
		}
		t.Logf("the pipe refused it: %s", msg)
	})
	t.Run("naive/already-processed", func(t *testing.T) {
		ctx := gotchaContext(t)
		p := pipe.New(pipe.Options{})
		w, reader := p.Writer(), p.Reader()
		write(t, w, "one\n")
		var got []string
		for i := range 3 {
			if i == 2 {
				w.Complete(nil)
			}
			result, err := reader.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			buffer := result.Buffer
			processLines(&buffer, &got)
			if result.Completed {
				break
			}
			// Wrong: the start of the result, which was processed.
			reader.AdvanceTo(result.Buffer.Start(), buffer.End())
			write(t, w, strconv.Itoa(i+2)+"\n")
		}
		reader.Complete(nil)
		if strings.Join(got, ",") != "one,one,2,one,2,3" {
			t.Fatalf("the naive loop got %q", got)
		}
		t.Logf("the naive loop read messages again: %q", got)
	})
	t.Run("sluice", func(t *testing.T) {
		// The reader computes every position itself: over many chunkings,
		// each message comes exactly once, in order.
		ctx := gotchaContext(t)
		var input strings.Builder
		var want []string
		for i := range 200 {
			fmt.Fprintf(&input, "%d\n", i)
			want = append(want, strconv.Itoa(i))
		}
		for k := 1; k <= 17; k++ {
			p := pipe.New(pipe.Options{SegmentSize: 8, Pool: &countingPool{}, PauseThreshold: 16, ResumeThreshold: 8})
			wait := feedAsync(p.Writer(), []byte(input.String()), k)
			got := readOutcome(ctx, p.Reader(), line, parse.Options{})
			wait()
			if w := (outcome{msgsText(want...), ""}); got != w {
				t.Fatalf("chunks of %d: %v", k, got)
			}
		}
	})
}

// ❌ Failure to complete: a reader that is never completed keeps its
// segments; they never go back to the pool.
func TestGotchaFailureToComplete(t *testing.T) {
	const input = "one\ntwo\nthree\n"
	run := func(t *testing.T, read func(p *pipe.Pipe) []string) *countingPool {
		pool := &countingPool{}
		p := pipe.New(pipe.Options{Pool: pool, SegmentSize: 4})
		wait := feedAsync(p.Writer(), []byte(input), 3)
		got := read(p)
		wait()
		if strings.Join(got, ",") != "one,two,three" {
			t.Fatalf("got %q", got)
		}
		return pool
	}
	t.Run("naive", func(t *testing.T) {
		ctx := gotchaContext(t)
		pool := run(t, func(p *pipe.Pipe) []string {
			reader := p.Reader()
			var got []string
			for {
				result, err := reader.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				buffer := result.Buffer
				processLines(&buffer, &got)
				if result.Completed {
					break // and no reader.Complete
				}
				reader.AdvanceTo(buffer.Start(), buffer.End())
			}
			return got
		})
		g, p := pool.counts()
		if g == p {
			t.Fatalf("%d segments taken, %d returned", g, p)
		}
		t.Logf("%d segments taken, %d returned: %d bytes leaked", g, p, pool.outstanding())
	})
	t.Run("sluice", func(t *testing.T) {
		ctx := gotchaContext(t)
		pool := run(t, func(p *pipe.Pipe) []string {
			r := parse.NewReader(p.Reader(), line, parse.Options{})
			var got []string
			for m := range r.All(ctx) {
				got = append(got, m)
			}
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
			return got
		})
		if g, p := pool.counts(); g == 0 || g != p || pool.outstanding() != 0 {
			t.Fatalf("%d segments taken, %d returned", g, p)
		}
	})
}
