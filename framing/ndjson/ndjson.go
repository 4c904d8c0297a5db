// Package ndjson frames JSON Lines (NDJSON): one JSON value per line,
// handed over as the line's bytes, not decoded.
//
// A value is a [seq.Sequence] view of its line without the line end (LF or
// CRLF), valid until the next read; decode it with encoding/json (or any
// decoder) if you need the value, or pass the bytes on. Blank lines (empty,
// or only spaces, tabs and CRs) are skipped. A line over the maximum is a
// [*framing.TooLongError], refused once the maximum is passed, before more of
// it is buffered. Checking that each line is one JSON value costs a pass of
// encoding/json.Valid over it and is a separate opt-in (Options.Validate).
package ndjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/internal/indexall"
	"github.com/sluicego/sluice/internal/memo"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

var (
	// ErrInvalid is matched by the *parse.SyntaxError of a line that is not
	// one JSON value, with Options.Validate; the error's offset is the
	// line's first byte.
	ErrInvalid = errors.New("ndjson: line is not a JSON value")
	// ErrTooLong is matched by the *framing.TooLongError of a line over the
	// maximum.
	ErrTooLong = framing.ErrTooLong
	// ErrEncode is returned by the encoders for a value that would not
	// read back as itself: it holds an LF, ends in a CR, or is blank.
	ErrEncode = errors.New("ndjson: value cannot be written as one line")
)

// Options configure [Values] and [NewReader]. The zero value reads lines
// of at most [framing.DefaultMaxLine] bytes without validating them.
type Options struct {
	// MaxLine is the longest line, without its line end: 0 means
	// framing.DefaultMaxLine (64 KiB), a negative value no maximum but the
	// message reader's maximum message size.
	MaxLine int
	// Validate checks each value with encoding/json.Valid: a line that is
	// not one JSON value is an error matching ErrInvalid.
	Validate bool
}

// Values returns the grammar of one line of a JSON Lines stream: the
// line's bytes without the line end, or an empty sequence for a blank
// line, which a caller skips ([Reader] does). The last line may end at the
// end of the input without a line end, as jsonlines.org allows; until the
// input ends, a line without its line end waits for more.
func Values(o Options) parse.TryParse[seq.Sequence] {
	// The last line may end at the end of the input without a line end.
	line := c.Map(c.Alt(framing.Lines(framing.LineOptions{MaxLength: o.MaxLine}), lastLine(o.MaxLine)), blankless)
	if o.Validate {
		line = c.MapErr(line, validate)
	}
	max := o.MaxLine
	if max == 0 {
		max = framing.DefaultMaxLine
	}
	p := fast(line, max, o.Validate)
	batch.Record(batch.Closure(p), fastBatch(max, o.Validate))
	return p
}

// fastBatch is the batch form of fast(..., max, validate) for a message
// reader: the lines that its fast path takes, one after another in the
// cursor's span, their line ends found many at once (internal/indexall).
func fastBatch(max int, validate bool) func(*parse.Input, []seq.Sequence) int {
	return func(in *parse.Input, out []seq.Sequence) int {
		span := in.Span()
		v := in.SpanViews()
		var ends [batchEnds]int
		i, k := 0, 0 // the next line's start in span, the lines written
		for k < len(out) {
			dst := out[k:min(len(out), k+len(ends))]
			n := indexall.Byte(span, i, '\n', ends[:len(dst)])
			j := cutValues(span, v, ends[:n], i, dst, max, validate)
			k += j
			if j > 0 {
				i = ends[j-1] + 1
			}
			if j < len(ends) {
				break // a line fast leaves to the grammar, no more LF, or out is full
			}
		}
		in.Advance(i)
		return k
	}
}

// batchEnds is how many line ends fastBatch finds with one search.
const batchEnds = 64

// cutValues views in dst the lines of span that end at the LFs at ends,
// the first line starting at offset i, up to the first that fast would
// leave to the grammar, and returns how many it viewed.
func cutValues(span []byte, v seq.SpanViews, ends []int, i int, dst []seq.Sequence, max int, validate bool) int {
	dst = dst[:len(ends)]
	for x, e := range ends {
		l := e - i
		if l <= 0 || l >= fastScan {
			return x
		}
		if span[e-1] == '\r' {
			l--
		}
		if b := span[i]; l == 0 || l > max || b == ' ' || b == '\t' || b == '\r' || validate && !json.Valid(span[i:i+l]) {
			return x
		}
		dst[x] = v.At(i, l)
		i = e + 1
	}
	return len(ends)
}

// fastScan is how far into the cursor's segment the fast path of Values
// looks for a line end, which bounds the work an attempt repeats when a
// long line arrives in pieces.
const fastScan = 512

// fast puts a fast path in front of slow, the declared grammar: a line
// whose LF lies in the first fastScan bytes of the cursor's segment and
// whose first byte is not blank is cut there (checked with json.Valid if
// validate) without the layers of the grammar. It reads and returns what
// slow would; anything else (a blank line, a line cut by a segment end, an
// invalid or over-long line, the last line without LF) runs slow from the
// start, which reports the errors. The tests over every segmentation check
// both against the same expected values, since a segmentation of one byte
// per segment never takes the fast path.
func fast(slow parse.TryParse[seq.Sequence], max int, validate bool) parse.TryParse[seq.Sequence] {
	return func(in *parse.Input) (seq.Sequence, error) {
		span := in.Span()
		if len(span) > fastScan {
			span = span[:fastScan]
		}
		i := bytes.IndexByte(span, '\n')
		if i <= 0 {
			return slow(in)
		}
		n := i
		if span[i-1] == '\r' {
			n--
		}
		if n == 0 || n > max || span[0] == ' ' || span[0] == '\t' || span[0] == '\r' || validate && !json.Valid(span[:n]) {
			return slow(in)
		}
		v := in.SpanSeq(n)
		in.Advance(i + 1)
		return v, nil
	}
}

// lastLine is the bytes left at the end of the input, within the maximum.
func lastLine(max int) parse.TryParse[seq.Sequence] {
	if max == 0 {
		max = framing.DefaultMaxLine
	}
	rest := c.Rest()
	return func(in *parse.Input) (seq.Sequence, error) {
		off := in.Offset()
		v, err := rest(in)
		if err == nil && max > 0 && v.Len() > max {
			return v, &framing.TooLongError{Offset: off, Max: max}
		}
		return v, err
	}
}

// blankless returns s, or an empty sequence if s holds only spaces, tabs
// and CRs.
func blankless(s seq.Sequence) seq.Sequence {
	for chunk := range s.Chunks() {
		for _, b := range chunk {
			if b != ' ' && b != '\t' && b != '\r' {
				return s
			}
		}
	}
	return seq.Sequence{}
}

func validate(s seq.Sequence) (seq.Sequence, error) {
	if s.IsEmpty() {
		return s, nil
	}
	var b []byte
	if s.IsSingleSegment() {
		b = s.First()
	} else {
		b = s.Bytes() // a line across segments: one copy
	}
	if !json.Valid(b) {
		return s, ErrInvalid
	}
	return s, nil
}

// Reader reads the values of a JSON Lines stream from a pipe reader,
// skipping blank lines. Its maximum message size is the line maximum, the
// line end and a byte, so that an over-long line is the line's error
// (ErrTooLong), not the message's. It is used by one goroutine at a time.
type Reader struct {
	r *parse.Reader[seq.Sequence]
}

// NewReader returns a Reader of src, which it owns and completes. Readers
// with the same options share one declared grammar, made by the first of
// them: it holds no state of a stream's (TestSetupShared).
func NewReader(src pipe.Reader, o Options) *Reader {
	var po parse.Options
	switch {
	case o.MaxLine == 0:
		po.MaxMessageSize = framing.DefaultMaxLine + 3
	case o.MaxLine > 0:
		po.MaxMessageSize = o.MaxLine + 3
	}
	return &Reader{r: parse.NewReader(src, grammars.Get(o, Values), po)}
}

// grammars holds the grammars that readers share, by their options.
var grammars memo.Table[Options, parse.TryParse[seq.Sequence]]

// Next returns the next value, a view valid until the next call of Next or
// All's next step. At the clean end of the input it returns io.EOF; its
// other errors are parse.Reader.Next's.
func (r *Reader) Next(ctx context.Context) (seq.Sequence, error) {
	for {
		v, err := r.r.Next(ctx)
		if err != nil || !v.IsEmpty() {
			return v, err
		}
	}
}

// All returns an iterator over the values; call [Reader.Err] after the loop.
func (r *Reader) All(ctx context.Context) iter.Seq[seq.Sequence] {
	return func(yield func(seq.Sequence) bool) {
		for v := range r.r.All(ctx) {
			if !v.IsEmpty() && !yield(v) {
				return
			}
		}
	}
}

// Err returns the error that ended the last All loop, or nil at the clean
// end of the input.
func (r *Reader) Err() error { return r.r.Err() }

// Close completes the pipe reader; values read before become invalid.
func (r *Reader) Close() error { return r.r.Close() }

// Append appends value and an LF to dst. It returns [ErrEncode] (and dst
// unchanged) if value holds an LF, ends in a CR or is blank, since it would not read
// back as one value. It does not check that value is JSON.
func Append(dst, value []byte) ([]byte, error) {
	if err := check(value); err != nil {
		return dst, err
	}
	return append(append(dst, value...), '\n'), nil
}

// AppendJSON appends v encoded by encoding/json.Marshal, whose output
// holds no LF, and an LF to dst.
func AppendJSON(dst []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return Append(dst, b)
}

// Write writes value and an LF into w's memory, as Append appends them,
// without flushing.
func Write(w pipe.Writer, value []byte) error {
	if err := check(value); err != nil {
		return err
	}
	return framing.WriteLine(w, value, framing.EndLF)
}

func check(value []byte) error {
	if blankless(seq.Of(value)).IsEmpty() {
		return ErrEncode
	}
	for _, b := range value {
		if b == '\n' {
			return ErrEncode
		}
	}
	if value[len(value)-1] == '\r' {
		return ErrEncode
	}
	return nil
}
