package fuzz_test

// Deliberately broken decoders, written the way a new user might write
// them, each with one of the bugs streaming decoders really have. The tests
// in harness_test.go assert that the harness and the property checks find
// every one of them.

import (
	"bytes"
	"context"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

var crlf = []byte("\r\n")

// goodCRLF reads a line ending in CRLF and returns it without the CRLF. It
// searches the whole buffer, across segments.
func goodCRLF(in *parse.Input) (string, error) {
	rest := in.Rest()
	i := rest.Index(crlf)
	if i < 0 {
		return "", in.NeedMore(0)
	}
	line := rest.Slice(0, i).String()
	in.Advance(i + 2)
	return line, nil
}

// splitCRLF searches for CRLF one contiguous span at a time, so it misses
// a CRLF whose '\r' ends one segment and whose '\n' starts the next: the
// two lines run together.
func splitCRLF(in *parse.Input) (string, error) {
	var line []byte
	for {
		span := in.Span()
		if len(span) == 0 {
			return "", in.NeedMore(0)
		}
		if i := bytes.Index(span, crlf); i >= 0 {
			line = append(line, span[:i]...)
			in.Advance(i + 2)
			return string(line), nil
		}
		line = append(line, span...)
		in.Advance(len(span))
	}
}

// stuckCRLF forgets to consume an empty line: it reports a message without
// consuming a byte, so a naive read loop would spin forever on it.
func stuckCRLF(in *parse.Input) (string, error) {
	rest := in.Rest()
	i := rest.Index(crlf)
	switch {
	case i < 0:
		return "", in.NeedMore(0)
	case i == 0:
		return "", nil // the bug: the CRLF is not consumed
	}
	line := rest.Slice(0, i).String()
	in.Advance(i + 2)
	return line, nil
}

// echoCRLF treats a line "=" as "the same as the line before", and keeps
// the line before as a view of the input instead of a copy: by the time it
// returns that view again, the pipe may have recycled the memory.
func echoCRLF() parse.TryParse[seq.Sequence] {
	var prev seq.Sequence // the bug: a view kept past the next read
	return func(in *parse.Input) (seq.Sequence, error) {
		rest := in.Rest()
		i := rest.Index(crlf)
		if i < 0 {
			return seq.Sequence{}, in.NeedMore(0)
		}
		line := rest.Slice(0, i)
		in.Advance(i + 2)
		if line.Equal([]byte("=")) {
			return prev, nil
		}
		prev = line
		return line, nil
	}
}

// emitLines emits every CRLF-terminated line of buf and returns the rest.
func emitLines(buf seq.Sequence, emit func(string)) seq.Sequence {
	for {
		i := buf.Index(crlf)
		if i < 0 {
			return buf
		}
		emit(buf.Slice(0, i).String())
		buf = buf.From(i + 2)
	}
}

// quitEarly is the read loop of the seed's first gotcha: it leaves as soon
// as the writer has completed, before parsing the buffer that came with
// the completion, and so loses the final messages.
func quitEarly(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	defer r.Complete(nil)
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		if res.Completed {
			return nil // the bug: the buffer is not parsed
		}
		buf := emitLines(res.Buffer, emit)
		r.AdvanceTo(buf.Start(), res.Buffer.End())
	}
}

// spinLoop is the read loop of the seed's second gotcha: when the buffer
// holds only part of a line it marks nothing examined, so every read
// returns at once with the same bytes and the loop never waits for more.
func spinLoop(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	defer r.Complete(nil)
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		buf := emitLines(res.Buffer, emit)
		if res.Completed && buf.Len() == 0 {
			return nil
		}
		r.AdvanceTo(buf.Start(), buf.Start()) // the bug: examined = consumed
	}
}

// hoard is a read loop with no maximum message size: it waits for a CRLF
// however many bytes arrive without one.
func hoard(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	defer r.Complete(nil)
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		buf := emitLines(res.Buffer, emit)
		if res.Completed {
			return nil
		}
		r.AdvanceTo(buf.Start(), res.Buffer.End()) // the bug: no limit on buf.Len()
	}
}

// leaky never completes its reader.
func leaky(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			return nil // the bug: r.Complete is never called
		}
	}
}

// foldedLines reads a header-style line that continues on the next line
// when that one starts with a space, so it needs one byte past the line
// end to decide. It forgets that at the end of input there is no next
// line: it asks for more instead of returning the last line, so the final
// message is lost (reported as truncated input) however the input is cut.
func foldedLines(in *parse.Input) (string, error) {
	rest := in.Rest()
	var line []byte
	for at := 0; ; {
		i := rest.From(at).IndexByte('\n')
		if i < 0 {
			return "", in.NeedMore(0)
		}
		line = append(line, rest.Slice(at, at+i).String()...)
		at += i + 1
		if at == rest.Len() {
			return "", in.NeedMore(1) // the bug: should finish when in.Final()
		}
		var next [1]byte
		rest.From(at).CopyTo(next[:])
		if next[0] != ' ' {
			in.Advance(at)
			return string(line), nil
		}
	}
}

// appendLine encodes a value for foldedLines.
func appendLine(dst []byte, v string) []byte { return append(append(dst, v...), '\n') }
