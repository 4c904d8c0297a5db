package framing

import (
	"bytes"
	"errors"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/internal/indexall"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// DefaultMaxLine is the longest line, without its line end, that
// [LineOptions] allow when they name no maximum: 64 KiB.
const DefaultMaxLine = 64 << 10

// LineEnd says how lines end.
type LineEnd uint8

const (
	// EndLFOrCRLF ends a line at LF, and takes a CR just before it as part
	// of the line end. It is the zero value.
	EndLFOrCRLF LineEnd = iota
	// EndLF ends a line at LF; a CR before it is part of the line.
	EndLF
	// EndCRLF ends a line at CRLF only; a bare LF or CR is part of the line.
	EndCRLF
)

// String names the line end.
func (e LineEnd) String() string {
	switch e {
	case EndLFOrCRLF:
		return "LF or CRLF"
	case EndLF:
		return "LF"
	case EndCRLF:
		return "CRLF"
	}
	return "LineEnd(" + string(rune('0'+e)) + ")"
}

// LineOptions configure [Lines] and [NewLineStream]. The zero value reads
// lines ended by LF or CRLF of at most [DefaultMaxLine] bytes.
type LineOptions struct {
	// End says how lines end.
	End LineEnd
	// MaxLength is the longest line, without its line end: 0 means
	// DefaultMaxLine, a negative value no maximum but the reader's maximum
	// message size.
	MaxLength int
}

func (o LineOptions) max() int {
	if o.MaxLength == 0 {
		return DefaultMaxLine
	}
	return o.MaxLength
}

// term is the grammar of a line without a maximum, and how many bytes its
// longest line end has.
func (o LineOptions) term() (parse.TryParse[seq.Sequence], int) {
	switch o.End {
	case EndLF:
		return c.TakeUntil("\n"), 1
	case EndCRLF:
		return c.TakeUntil("\r\n"), 2
	case EndLFOrCRLF:
		return c.Line(), 2
	}
	panic("framing: unknown LineEnd " + o.End.String())
}

// Lines returns the grammar of one line: its bytes without the line end,
// which it reads too. A line longer than the maximum is a [*TooLongError]
// at the line's first byte, as soon as the line end has not come within
// the maximum and the line end's length: the reader buffers no more of it.
// Input that ends inside a line, after its last line end, is a truncation
// (io.ErrUnexpectedEOF). It panics on an unknown [LineEnd].
//
// It is combinators.Line (or TakeUntil of the line end) within
// combinators.Limit. To drop over-long lines and go on, use [NewLineStream].
func Lines(o LineOptions) parse.TryParse[seq.Sequence] {
	return lineParsers.Get(o, lines)
}

// lines declares the parser that Lines returns.
func lines(o LineOptions) parse.TryParse[seq.Sequence] {
	term, endLen := o.term()
	max := o.max()
	if max < 0 {
		return term
	}
	p := fast(o.End, max, bounded(c.Limit(max+endLen, term), max+endLen, max))
	batch.Record(batch.Closure(p), fastBatch(o.End, max))
	return p
}

// fastBatch is the batch form of fast(e, max, ...) for a message reader:
// the lines that its fast path takes, one after another in the cursor's
// span. Lines that end at LF have their line ends found many at once
// (internal/indexall), without a call per line.
func fastBatch(e LineEnd, max int) func(*parse.Input, []seq.Sequence) int {
	if e != EndCRLF {
		return func(in *parse.Input, out []seq.Sequence) int {
			return lfBatch(in, out, e == EndLFOrCRLF, max)
		}
	}
	return func(in *parse.Input, out []seq.Sequence) int {
		span := in.Span()
		v := in.SpanViews()
		i, k := 0, 0
		for ; k < len(out); k++ {
			w := span[i:]
			if len(w) > fastScan {
				w = w[:fastScan]
			}
			j := bytes.Index(w, crlf)
			if j < 0 || j > max {
				break
			}
			out[k] = v.At(i, j)
			i += j + 2
		}
		in.Advance(i)
		return k
	}
}

// lfBatch is fastBatch for lines that end at LF, with cr if a CR before
// the LF is part of the line end: each line whose LF lies within fastScan
// bytes of its start, as fast finds it, and that is no longer than max.
func lfBatch(in *parse.Input, out []seq.Sequence, cr bool, max int) int {
	span := in.Span()
	v := in.SpanViews()
	var ends [lfBatchEnds]int
	i, k := 0, 0 // the next line's start in span, the lines written
	for k < len(out) {
		dst := out[k:min(len(out), k+len(ends))]
		n := indexall.Byte(span, i, '\n', ends[:len(dst)])
		j := cutLFLines(span, v, ends[:n], i, dst, cr, max)
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

// lfBatchEnds is how many line ends lfBatch finds with one search.
const lfBatchEnds = 64

// cutLFLines views in dst the lines of span that end at the LFs at ends,
// the first line starting at offset i, up to the first that fast would
// leave to the grammar, and returns how many it viewed. It is not inlined,
// which keeps lfBatch's values out of its registers.
//
//go:noinline
func cutLFLines(span []byte, v seq.SpanViews, ends []int, i int, dst []seq.Sequence, cr bool, max int) int {
	dst = dst[:len(ends)]
	for x, e := range ends {
		l := e - i
		if l >= fastScan {
			return x
		}
		if cr && l > 0 && span[e-1] == '\r' {
			l--
		}
		if l > max {
			return x
		}
		dst[x] = v.At(i, l)
		i = e + 1
	}
	return len(ends)
}

// fastScan is how far into the current segment the fast path of Lines
// looks for a line end: a bound on the work an attempt repeats when a long
// line arrives in pieces, which the declared grammar resumes instead.
const fastScan = 512

// fast puts a fast path in front of slow, the declared grammar: a line
// whose end lies in the first fastScan bytes of the cursor's segment is
// cut there without the layers of Limit. It reads what slow would read
// and returns what slow would return; anything else (a line end cut by a
// segment end or further on, a line over the maximum) runs slow from the
// start. The tests over every segmentation compare both with the same
// expected frames, since a segmentation of one byte per segment never
// takes the fast path.
func fast(e LineEnd, max int, slow parse.TryParse[seq.Sequence]) parse.TryParse[seq.Sequence] {
	return func(in *parse.Input) (seq.Sequence, error) {
		span := in.Span()
		if len(span) > fastScan {
			span = span[:fastScan]
		}
		var i, end int
		if e == EndCRLF {
			i, end = bytes.Index(span, crlf), 2
		} else {
			i, end = bytes.IndexByte(span, '\n'), 1
		}
		if i < 0 {
			return slow(in)
		}
		n := i
		if e == EndLFOrCRLF && i > 0 && span[i-1] == '\r' {
			n--
		}
		if n > max {
			return slow(in)
		}
		v := in.SpanSeq(n)
		in.Advance(i + end)
		return v, nil
	}
}

// AppendLine appends line and the line end to dst. It returns [ErrInvalid]
// (and dst unchanged) if line would not read back as itself with e: it
// holds an LF (EndLF, EndLFOrCRLF) or a CRLF (EndCRLF), or, with
// EndLFOrCRLF, ends in a CR, which the reader would take as part of the line
// end. EndLFOrCRLF writes LF.
func AppendLine(dst, line []byte, e LineEnd) ([]byte, error) {
	if err := checkLine(line, e); err != nil {
		return dst, err
	}
	dst = append(dst, line...)
	if e == EndCRLF {
		return append(dst, '\r', '\n'), nil
	}
	return append(dst, '\n'), nil
}

// WriteLine writes line and the line end into w's memory, as AppendLine
// appends them, without flushing: call w.Flush after the lines of a batch.
func WriteLine(w pipe.Writer, line []byte, e LineEnd) error {
	if err := checkLine(line, e); err != nil {
		return err
	}
	if e == EndCRLF {
		put(w, line, crlf)
	} else {
		put(w, line, lf)
	}
	return nil
}

var (
	lf   = []byte{'\n'}
	crlf = []byte{'\r', '\n'}
)

func checkLine(line []byte, e LineEnd) error {
	switch e {
	case EndLF:
		if bytes.IndexByte(line, '\n') >= 0 {
			return ErrInvalid
		}
	case EndCRLF:
		if bytes.Contains(line, crlf) {
			return ErrInvalid
		}
	case EndLFOrCRLF:
		if bytes.IndexByte(line, '\n') >= 0 || len(line) > 0 && line[len(line)-1] == '\r' {
			return ErrInvalid
		}
	default:
		return ErrInvalid
	}
	return nil
}

// Line is one message of a [LineStream]: a line, or a piece of an
// over-long line that the stream dropped.
type Line struct {
	// Text is the line without its line end, a view valid until the next
	// read; empty when Skipped.
	Text seq.Sequence
	// Skipped reports a piece of a dropped line: the bytes were read and
	// thrown away. A dropped line gives one or more such messages; the last
	// one read its line end.
	Skipped bool
}

// LineStream reads lines as [Lines] does, but drops a line longer than the
// maximum and goes on with the next one, as tokio's LinesCodec and Netty's
// LineBasedFrameDecoder do, instead of ending the stream with an error.
// The dropped line is read and thrown away in pieces of about the maximum,
// each a message with Skipped set, so memory stays bounded however long
// it is.
//
// It is a small stateful type because what a byte means depends on what
// came before (inside a dropped line, a line end ends the dropping), and a
// message reader consumes bytes only by returning a message: Parse is the
// grammar, handed to one message reader, and its state moves only when it
// returns a message. Make one per stream (a fuzz harness decoder makes one
// per run); Reset starts a new stream.
type LineStream struct {
	term, until parse.TryParse[seq.Sequence]
	max, n      int
	endLen      int // bytes of the line end dropping looks for
	dropping    bool
}

// NewLineStream returns a stream of lines read with o that drops
// over-long lines. It panics on an unknown [LineEnd].
func NewLineStream(o LineOptions) *LineStream {
	term, endLen := o.term()
	s := &LineStream{term: term, max: o.max(), endLen: 1, until: c.TakeUntil("\n")}
	if o.End == EndCRLF {
		s.endLen, s.until = 2, c.TakeUntil("\r\n")
	}
	if s.max < 0 {
		s.max = int(^uint(0) >> 2)
	}
	s.n = s.max + endLen
	return s
}

// Reset makes s read a new stream from its start.
func (s *LineStream) Reset() { s.dropping = false }

// Parse is the grammar of the stream's next message: a line, or a piece of
// a line it drops. Hand it to one message reader. A line that cannot fit
// the reader's maximum message size is dropped too.
func (s *LineStream) Parse(in *parse.Input) (Line, error) {
	if s.dropping {
		return s.drop(in)
	}
	// Within the message's limit, so that the refusal is seen here rather
	// than by the reader.
	v, err := parse.Limited(in, min(s.n, in.Limit()-1), s.term)
	if err == nil && v.Len() <= s.max {
		return Line{Text: v}, nil
	}
	if err != nil && !errors.Is(err, parse.ErrTooLarge) {
		return Line{}, err
	}
	// Too long: drop the first bytes of the line, which hold no line end,
	// then the rest up to the line end.
	in.Rewind(in.Consumed())
	return s.skip(in, max(min(s.max, in.Limit()-1)-(s.endLen-1), 1))
}

// drop reads a piece of a line being dropped: up to its line end if that
// comes within a window of about the maximum, else the window's bytes
// that cannot hold the start of a line end.
func (s *LineStream) drop(in *parse.Input) (Line, error) {
	w := min(max(s.max, 64), in.Limit()-1)
	_, err := parse.Limited(in, w, s.until)
	switch {
	case err == nil:
		s.dropping = false
		return Line{Skipped: true}, nil
	case !errors.Is(err, parse.ErrTooLarge):
		return Line{}, err
	}
	in.Rewind(in.Consumed())
	return s.skip(in, max(w-(s.endLen-1), 1))
}

// skip reads n bytes of a dropped line and returns them as a skipped
// piece, leaving the stream dropping.
func (s *LineStream) skip(in *parse.Input, n int) (Line, error) {
	if in.Remaining() < n {
		return Line{}, in.NeedMore(n)
	}
	in.Advance(n)
	s.dropping = true
	return Line{Skipped: true}, nil
}
