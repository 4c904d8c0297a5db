package fuzz_test

// Decoders that end with an error after marking their whole buffer
// examined, without reading again: they keep no bytes to wait for more, so
// the harness must not report them as Memory, whatever they kept when they
// gave up. And decoders that do wait while keeping too much, which it must.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// noLimitLoop is a line read loop with no size limit, as a first read loop
// is often written: it ends with io.ErrUnexpectedEOF when the input ends
// inside a line, after marking the partial line examined.
func noLimitLoop(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	return lineLoop(ctx, r, -1, emit)
}

// readmeLoop is the read loop of the top-level README, as a Decoder, with
// limit as its maximum line length.
func readmeLoop(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	return lineLoop(ctx, r, limit, emit)
}

// lineLoop emits the lines of r; a partial line longer than maxLine (if
// maxLine >= 0) ends the input with errLineTooLong.
func lineLoop(ctx context.Context, r pipe.Reader, maxLine int, emit func(string)) error {
	defer r.Complete(nil)
	for {
		res, err := r.Read(ctx)
		buf := res.Buffer
		for {
			i := buf.IndexByte('\n')
			if i < 0 {
				break
			}
			emit(buf.Slice(0, i).String())
			buf = buf.From(i + 1)
		}
		if err != nil {
			return err
		}
		partial := buf.Len()
		r.AdvanceTo(buf.Start(), buf.End())
		switch {
		case maxLine >= 0 && partial > maxLine:
			return errLineTooLong
		case res.Completed && partial > 0:
			return io.ErrUnexpectedEOF
		case res.Completed:
			return nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

// giveUp is a line decoder with a limit: a line (or a partial line) longer
// than limit ends the input. It then marks everything examined, completes
// its reader with the error and returns it, without reading again.
func giveUp(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	for {
		res, err := r.Read(ctx)
		if err != nil {
			r.Complete(err)
			return err
		}
		buf := res.Buffer
		for {
			i := buf.IndexByte('\n')
			if i < 0 || i > limit {
				break
			}
			emit(buf.Slice(0, i).String())
			buf = buf.From(i + 1)
		}
		kept := buf.Len()
		r.AdvanceTo(buf.Start(), buf.End())
		switch {
		case kept > limit:
			err = errLineTooLong
		case res.Completed && kept > 0:
			err = io.ErrUnexpectedEOF
		case !res.Completed:
			continue
		}
		r.Complete(err)
		return err
	}
}

// frames reads frames of a one-byte length and that many bytes. A declared
// length over limit ends the input with a *parse.SizeError, after the whole
// buffer was marked examined.
func frames(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	defer r.Complete(nil)
	var offset int64
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		buf := res.Buffer
		for buf.Len() > 0 {
			var n [1]byte
			buf.CopyTo(n[:])
			if int(n[0]) > limit {
				r.AdvanceTo(buf.Start(), buf.End())
				return &parse.SizeError{Offset: offset, Limit: limit}
			}
			if buf.Len() < 1+int(n[0]) {
				break
			}
			emit(buf.Slice(1, 1+int(n[0])).String())
			buf = buf.From(1 + int(n[0]))
			offset += 1 + int64(n[0])
		}
		r.AdvanceTo(buf.Start(), buf.End())
		if res.Completed {
			if buf.Len() > 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
	}
}

// appendFrame encodes a value for frames.
func appendFrame(dst []byte, v string) []byte { return append(append(dst, byte(len(v))), v...) }

// atLeastHoard keeps everything and marks nothing examined, but asks for
// one byte more than it holds with ReadAtLeast, so it waits for more input
// however much it keeps.
func atLeastHoard(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	defer r.Complete(nil)
	n := 1
	for {
		res, err := r.ReadAtLeast(ctx, n)
		if err != nil {
			return err
		}
		buf := emitLines(res.Buffer, emit)
		if res.Completed {
			return nil
		}
		r.AdvanceTo(buf.Start(), buf.Start())
		n = buf.Len() + 1
	}
}

// overLimit ends with an unterminated line of 40 bytes, over the limit of
// 16 the tests set.
const overLimit = "ab\ncd\n" + "0123456789012345678901234567890123456789"

// TestNoWaitNoMemory: decoders that give up after marking more than the
// limit examined, without reading again, are not reported, through Check
// (whole and in chunks that keep the long line in one piece), Fuzz and,
// for those with a limit, CheckChunkings and CheckRoundTrip.
func TestNoWaitNoMemory(t *testing.T) {
	o := fuzz.Options[string]{MaxMessageSize: 16}
	longFrame := string(rune(40)) + strings.Repeat("z", 40)
	for _, c := range []struct {
		name    string
		d       fuzz.Decoder[string]
		input   string
		every   bool // CheckChunkings finds nothing either
		wantErr error
	}{
		{"no-limit loop", noLimitLoop, overLimit, false, io.ErrUnexpectedEOF},
		{"README loop", readmeLoop, overLimit, true, errLineTooLong},
		{"AdvanceTo then Complete(err)", giveUp, overLimit, true, errLineTooLong},
		{"AdvanceTo then Complete(err), terminated", giveUp, overLimit + "\n", true, errLineTooLong},
		{"size error", frames, "\x02ab\x01c" + longFrame, true, parse.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			input := []byte(c.input)
			checks := map[string]func(fuzz.TB) fuzz.Outcome[string]{
				"Check":        func(tb fuzz.TB) fuzz.Outcome[string] { return fuzz.Check(tb, c.d, input, nil, o) },
				"Check, cut":   func(tb fuzz.TB) fuzz.Outcome[string] { return fuzz.Check(tb, c.d, input, []int{1, 4}, o) },
				"Fuzz":         func(tb fuzz.TB) fuzz.Outcome[string] { return fuzz.Fuzz(tb, c.d, input, []byte{0, 1}, o) },
				"Fuzz, seeded": func(tb fuzz.TB) fuzz.Outcome[string] { return fuzz.Fuzz(tb, c.d, input, fuzz.EncodeCuts([]int{3}), o) },
			}
			if c.every {
				checks["CheckChunkings"] = func(tb fuzz.TB) fuzz.Outcome[string] { return fuzz.CheckChunkings(tb, c.d, input, o) }
			}
			for name, check := range checks {
				var out fuzz.Outcome[string]
				if msg := fuzz.Prop(func(tb fuzz.TB) { out = check(tb) }); msg != "" {
					t.Fatalf("%s reported:\n%s", name, msg)
				}
				if !errors.Is(out.Err, c.wantErr) || len(out.Messages) != 2 {
					t.Fatalf("%s: got %q, %v; want two messages and %v", name, out.Messages, out.Err, c.wantErr)
				}
			}
		})
	}
}

// TestNoWaitNoMemoryFuzzed: the same decoders under random chunkings that
// keep the over-long part in one chunk, as a short fuzz run would try.
func TestNoWaitNoMemoryFuzzed(t *testing.T) {
	o := fuzz.Options[string]{MaxMessageSize: 16}
	for i := range 200 {
		data := []byte(strings.Repeat("ab\n", i%5) + overLimit)
		cuts := []byte{byte(i % 3), byte(i % 2)}
		for _, d := range []fuzz.Decoder[string]{noLimitLoop, giveUp} {
			if msg := fuzz.Prop(func(tb fuzz.TB) { fuzz.Fuzz(tb, d, data, cuts, o) }); msg != "" {
				t.Fatalf("input %d reported:\n%s", i, msg)
			}
		}
	}
}

// TestRoundTripFailureIsNotMemory: a value over the limit makes the round
// trip fail because decoding failed, not because of memory.
func TestRoundTripFailureIsNotMemory(t *testing.T) {
	o := fuzz.Options[string]{MaxMessageSize: 16}
	msg := fuzz.Prop(func(tb fuzz.TB) {
		fuzz.CheckRoundTrip(tb, frames, appendFrame, []string{"ab", strings.Repeat("z", 40)}, o)
	})
	if !strings.Contains(msg, "decoding the encoded values failed: parse: message at offset 3 exceeds") {
		t.Fatalf("want the round trip to fail with the size error, got:\n%s", msg)
	}
}

// TestWaitingWithTooMuchIsMemory: a decoder that reads again, waiting for
// more, while it keeps more than the limit and its byte of lookahead is
// reported as Memory, with the amount it kept: the README loop when its
// over-long line arrives in pieces, a decoder that waits with ReadAtLeast
// without marking anything examined, and one that does exactly that with
// one byte too many.
func TestWaitingWithTooMuchIsMemory(t *testing.T) {
	o := fuzz.Options[string]{MaxMessageSize: 16}
	cut := strings.Index(overLimit, "0123") + 18 // 18 bytes of the line, then more
	for _, c := range []struct {
		name  string
		d     fuzz.Decoder[string]
		input string
		cuts  []int
		kept  int
	}{
		{"no-limit loop", noLimitLoop, overLimit, []int{cut}, 18},
		{"no-limit loop, terminated", noLimitLoop, overLimit + "\n", []int{cut}, 18},
		{"ReadAtLeast", atLeastHoard, "ab\r\n" + strings.Repeat("x", 40), []int{4 + 18}, 18},
		{"hoard", hoard, "ab\r\n" + strings.Repeat("x", 17) + "y\r\n", []int{4 + 18}, 18},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := fuzz.Prop(func(tb fuzz.TB) { fuzz.Check(tb, c.d, []byte(c.input), c.cuts, o) })
			want := fmt.Sprintf("fuzz: memory when the input arrives in 2 chunks: the decoder waited for more input while keeping %d bytes buffered", c.kept)
			if !strings.HasPrefix(msg, want) {
				t.Fatalf("want a report starting %q, got:\n%s", want, msg)
			}
		})
	}
	// One byte less is a message of the maximum size and its byte of
	// lookahead: no report.
	in := "ab\r\n" + strings.Repeat("x", 17) + "\r\n"
	if msg := fuzz.Prop(func(tb fuzz.TB) { fuzz.Check(tb, hoard, []byte(in), []int{4 + 17}, o) }); msg != "" {
		t.Fatalf("17 bytes kept reported:\n%s", msg)
	}
	// CheckChunkings cuts the README loop's over-long final line and so
	// reports it, as docs/fuzzing.md shows: the loop has no limit.
	msg := fuzz.Prop(func(tb fuzz.TB) { fuzz.CheckChunkings(tb, noLimitLoop, []byte(overLimit), o) })
	want := `fuzz: memory when the input arrives in 2 chunks: the decoder waited for more input while keeping 39 bytes buffered; the maximum message size is 16 (plus one byte of lookahead)
minimal chunking: cuts []int{45}, chunks "ab\ncd\n012345678901234567890123456789012345678" "9"
`
	if !strings.HasPrefix(msg, want) {
		t.Fatalf("CheckChunkings: want a report starting\n%s\ngot:\n%s", want, msg)
	}
}

// FuzzGivingUp: decoders with a limit that give up after marking more
// than it examined, with a size error or at a truncated end, are never
// reported, whatever the input and its chunking.
func FuzzGivingUp(f *testing.F) {
	f.Add([]byte(overLimit), []byte{2})
	f.Add([]byte(overLimit+"\n"), []byte{})
	f.Add([]byte("\x02ab\x01c("+strings.Repeat("z", 40)), []byte{0, 0, 5})
	f.Add([]byte("\x10"+strings.Repeat("z", 16)+"\x11"), []byte{3, 0})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		o := fuzz.Options[string]{MaxMessageSize: 16}
		fuzz.Fuzz(t, giveUp, data, cuts, o)
		fuzz.Fuzz(t, frames, data, cuts, o)
	})
}
