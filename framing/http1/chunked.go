package http1

import (
	"context"
	"math"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The chunked transfer coding (RFC 9112 §7.1), declared once for the
// readers of a connection and for the standalone decoder:
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	last-chunk   = 1*"0" [ chunk-ext ] CRLF
//	chunk-size   = 1*16HEXDIG                                 (either case)
//
// A body is read as a stream of parts (combinators.Parts) in three
// states: the first size line, the CRLF after a chunk's data and the next
// size line, and after the last chunk's size line the trailer section. A
// size line without extensions is one pass over the bytes: the hex number
// is fused with the CRLF that ends it, and with the CRLF before it after a
// chunk's data.

// chunkState is the state of a stream of chunked bodies: what its next
// head is.
type chunkState uint8

const (
	chunkStart    chunkState = iota // a body starts: its first chunk-size line
	chunkNext                       // a chunk's data ended: its CRLF, then a chunk-size line
	chunkTrailers                   // the last chunk's size line was read: the trailer section
)

// chunkHead is a head of a chunked body in a connection's stream: a
// chunk-size line, or the trailer section that ends the body.
type chunkHead struct {
	size     uint64
	over     bool // the size is above MaxBodySize: refused
	end      bool // the trailer section was read: the body ends
	trailers Fields
	err      error // too many trailer fields
}

// chunkGrammar is the grammar of a chunked body for one set of limits: a
// size line in chunkStart and chunkNext (the size alone, a small head for
// the decoder's stream to copy), and the trailer section.
type chunkGrammar struct {
	size     [2]parse.TryParse[uint64]
	trailers parse.TryParse[sectionView]
	body     int64 // MaxBodySize
	line     int   // MaxLine
	fields   int   // MaxFields
}

// buildChunked declares the heads of a chunked body with the line end
// crlf and the field section fields of the head grammars (grammar.go).
func buildChunked(l limits, crlf parse.TryParse[byte], fields parse.TryParse[sectionView]) chunkGrammar {
	// The CRLF that ends a size line or a chunk's data, as a literal so
	// that it is read with the number; a CR without LF is named by the
	// Tag, which runs only where the fused read missed.
	lineEnd := cb.Tag(ErrBareCR, cb.Literal("\r\n"))
	// Extensions are checked once their line has ended, so that input
	// that ends inside them is a truncation (validExtensions, RFC 9112
	// §7.1.1), not kept, and bounded by MaxLine; a line that ends
	// otherwise than by CRLF is refused by name (crlf).
	ext := cb.TakeWhile("chunk extension", func(b byte) bool { return isValue[b] }, 0, -1)
	extLine := cb.Limit(l.line, cb.MapErr(cb.Before(ext, crlf), func(e seq.Sequence) (string, error) {
		if !validExtensions(e) {
			return "", ErrChunkExtension
		}
		return "", nil
	}))
	// 1 to 16 digits, leading zeros included; more is ErrChunkSize
	// (chunkErr). Most lines have no extension: the Dispatch's literal
	// case is fused with the number.
	size := cb.Hex[uint64](0, math.MaxUint64, 16)
	sizeLine := cb.Before(size, cb.Dispatch(map[byte]parse.TryParse[string]{'\r': lineEnd}, extLine))
	// After a chunk's data: its CRLF, fused with the next size line. What
	// is there instead is named by chunkErr, from the bytes found.
	next := cb.Then(cb.Literal("\r\n"), sizeLine)
	return chunkGrammar{size: [2]parse.TryParse[uint64]{chunkStart: sizeLine, chunkNext: next}, trailers: fields,
		body: l.body, line: l.line, fields: l.fields}
}

// over reports whether a chunk size is above MaxBodySize.
func (g *chunkGrammar) over(n uint64) bool { return g.body > 0 && n > uint64(g.body) }

// heads returns the grammars of a connection's chunk heads, by state.
func (g *chunkGrammar) heads() [3]parse.TryParse[chunkHead] {
	sized := func(n uint64) chunkHead { return chunkHead{size: n, over: g.over(n)} }
	return [3]parse.TryParse[chunkHead]{
		chunkStart: cb.Map(g.size[chunkStart], sized),
		chunkNext:  cb.Map(g.size[chunkNext], sized),
		chunkTrailers: cb.Map(g.trailers, func(s sectionView) chunkHead {
			return chunkHead{end: true, trailers: s.f, err: s.err}
		}),
	}
}

// chunkSize is the payload a chunk head declares: none for a size that is
// refused, so that the refusal is not held back by waiting for its data.
func chunkSize(h chunkHead) uint64 {
	if h.over {
		return 0
	}
	return h.size
}

// chunkNextState is the state after head h, read in state s.
func chunkNextState(s chunkState, h chunkHead) chunkState {
	switch {
	case h.end, h.over:
		return chunkStart
	case h.size == 0:
		return chunkTrailers
	}
	return chunkNext
}

// chunkErr names the error err of a chunk head read in state s, the
// message having started where in's cursor was before it: a size of more
// than 16 digits, which combinators.Hex reports as out of range, is
// ErrChunkSize (no other element of a chunked body is a number); a
// failure of the CRLF after a chunk's data (in chunkNext, at the
// message's start, the size line starting after it) is named from the
// bytes there: ErrBareCR, ErrBareLF, or ErrInvalidByte for data longer
// than its size. Only failures pay for this.
func chunkErr(in *parse.Input, s chunkState, err error) error {
	se, ok := err.(*parse.SyntaxError)
	if !ok {
		return err
	}
	if se.Err == cb.ErrRange {
		return &parse.SyntaxError{Offset: se.Offset, Msg: se.Msg, Expected: se.Expected, Err: ErrChunkSize}
	}
	start := in.Offset() - int64(in.Consumed())
	if s != chunkNext || se.Offset != start {
		return err
	}
	in.Rewind(in.Consumed())
	b, _ := in.Peek()
	switch b {
	case '\r':
		return &parse.SyntaxError{Offset: start, Msg: "CR without LF after chunk data", Err: ErrBareCR}
	case '\n':
		return &parse.SyntaxError{Offset: start, Msg: "LF without CR after chunk data", Err: ErrBareLF}
	}
	return &parse.SyntaxError{Offset: start, Msg: "chunk data longer than its size", Err: ErrInvalidByte}
}

// chunkOver is the error of a chunk size above MaxBodySize, at the size:
// after the CRLF that ends the data before it in chunkNext.
func chunkOver(in *parse.Input, s chunkState) error {
	off := in.Offset() - int64(in.Consumed())
	if s == chunkNext {
		off += 2
	}
	return &parse.SyntaxError{Offset: off, Msg: "chunk size above the limit", Err: ErrBodyTooLarge}
}

// ChunkedPart is a message of a [ChunkedDecoder] or a [ChunkedReader]:
// decoded body bytes, or the end of a body with its trailer section. A
// body is the Data of its parts, in order, up to and including the one
// with End set.
//
// Data and Trailers view the input: they are valid until the next read
// from the message reader that returned the part (ChunkedReader.Next).
// Copy what you keep (Data.Bytes, Fields.Raw().Bytes).
type ChunkedPart struct {
	// Data is decoded body bytes: a chunk, or a part of one. It is
	// empty only in a body's last part.
	Data seq.Sequence
	// Trailers is the trailer section, in the last part of a body.
	Trailers Fields
	// End reports that the body ends with this part: its last chunk and
	// trailer section were read.
	End bool
}

// ChunkedDecoder decodes bodies in the HTTP/1.1 chunked transfer coding
// from a stream that holds them one after another, as a parse.TryParse
// for a message reader of your own (parse.NewReader, parse.Consume): the
// grammar RequestReader and ResponseReader read chunked bodies with.
// [ChunkedDecoder.Parser] is that parser with a batch form, which lets a
// message reader take every whole small chunk it has buffered in one
// call. Use [ChunkedReader] for a pipe.Reader with the limits of Options
// applied.
//
// Each message is a part of a body: the data of a chunk, cut every
// Options.MaxPart bytes from the chunk's start and where the message
// reader's size limit leaves less room, so the parts are the same however
// the bytes arrive; the last chunk and the trailer section are the body's
// final part, with End set. A chunk's size line is read in the same
// message as its first part. A body may be any length; each message is
// bounded by the message reader's maximum size, and so is memory.
//
// Refused, as *parse.SyntaxError whose Err is one of this package's
// errors: a size of more than 16 hex digits (ErrChunkSize), a size above
// Options.MaxBodySize (ErrBodyTooLarge), a malformed extension or
// whitespace after the size (ErrChunkExtension), a line ended by a bare
// CR or LF (ErrBareCR, ErrBareLF), data longer than its size
// (ErrInvalidByte), trailer fields as in a header section (ErrObsFold,
// ErrTooManyFields, …). An extension run longer than Options.MaxLine, a
// trailer section longer than the message limit and input that ends
// inside a body are errors of the message reader (a *parse.SizeError;
// io.ErrUnexpectedEOF).
//
// A decoder keeps the state of one stream: hand its Parse to one message
// reader.
type ChunkedDecoder struct {
	s    *cb.Stream[chunkState, uint64]
	g    *chunkGrammar
	part uint64 // MaxPart
	// plain is the largest chunk Parse reads without the grammar (fast):
	// MaxPart, and MaxBodySize if lower.
	plain uint64
	// inBody is the stream as it is after a chunk inside a body (chunkNext,
	// no payload left): what fast leaves s in after a body's first chunk.
	inBody cb.Stream[chunkState, uint64]
	slow   bool // tests: the declared grammar alone, without fast or scanTrailers
	// parts counts the messages of the body being read, lastParts those
	// of the body before it: how many a batch needs for a body (batch).
	parts, lastParts int
}

// NewChunkedDecoder returns a decoder with the limits of o: MaxLine,
// MaxFields, MaxPart and MaxBodySize (the message size limit is the
// message reader's).
func NewChunkedDecoder(o Options) *ChunkedDecoder {
	d := &ChunkedDecoder{}
	d.init(o)
	return d
}

func (d *ChunkedDecoder) init(o Options) {
	g := &grammarsFor(o).chunked
	p := &cb.Parts[chunkState, uint64]{
		Start: chunkStart,
		Head:  func(s chunkState) parse.TryParse[uint64] { return g.size[s] },
		Size: func(n uint64) uint64 {
			if g.over(n) {
				return 0 // refused by Parse, without waiting for the data
			}
			return n
		},
		Next: func(_ chunkState, n uint64) chunkState {
			switch {
			case g.over(n):
				return chunkStart
			case n == 0:
				return chunkTrailers // read by Parse: the stream never reads in it
			}
			return chunkNext
		},
		MaxPart: o.limits().part,
	}
	d.s, d.g, d.part = p.Stream(), g, uint64(p.MaxPart)
	d.plain = d.part
	if g.body > 0 {
		d.plain = min(d.plain, uint64(g.body))
	}
	// The stream after a chunk, from the grammar itself: a stream of its
	// own reads one. Where the limits refuse it, fast takes no chunk.
	t := p.Stream()
	var first cb.Part[uint64]
	if err := t.ParseTo(parse.NewInput(seq.Of([]byte("1\r\nx\r")), false, 16), &first); err != nil || t.State() != chunkNext || t.Left() != 0 {
		d.plain = 0
	}
	d.inBody = *t
}

// Parser returns d's Parse as a parse.TryParse with a batch form: where
// the buffer a message reader holds has several whole chunks of a body,
// the reader takes them all in one call, each its own part, as Parse would
// return them. Hand it to one message reader (d.Parse works too, a part
// per call); each call returns a new parser.
func (d *ChunkedDecoder) Parser() parse.TryParse[ChunkedPart] {
	p := func(in *parse.Input) (ChunkedPart, error) { return d.Parse(in) }
	// The batch form holds d, not p, so that the record goes with p.
	batch.Record(batch.Closure(p), d.batch)
	return p
}

// Parse reads the next part; it is the parse.TryParse to hand to one
// message reader.
func (d *ChunkedDecoder) Parse(in *parse.Input) (ChunkedPart, error) {
	if d.s.Left() == 0 && !d.slow && !in.Resumed() {
		if p, done, err := d.fast(in); done {
			return p, err
		}
	}
	saved := *d.s
	var p cb.Part[uint64]
	if err := d.s.ParseTo(in, &p); err != nil {
		return ChunkedPart{}, chunkErr(in, saved.State(), err)
	}
	switch {
	case !p.HasHead || p.Head != 0:
		if d.g.over(p.Head) {
			return ChunkedPart{}, chunkOver(in, saved.State())
		}
		d.parts++
		return ChunkedPart{Data: p.Data}, nil
	}
	// The last chunk's size line: its trailer section is the rest of the
	// body's final part, read here, after which a body starts. If it is
	// not all here, the stream goes back to where the message started,
	// as for any message not returned.
	if !in.Resumed() && !d.slow {
		// The whole section in the span, checked in one pass where the
		// grammar would accept it; anything else goes to the grammar.
		span := in.Span()
		if end, n, ok := scanTrailers(span, d.g.line, d.g.fields); ok && in.Consumed()+end <= in.Limit() {
			f := Fields{block: in.SpanSeqAt(0, end-2), n: n}
			in.Advance(end)
			d.ended()
			return ChunkedPart{Trailers: f, End: true}, nil
		}
	}
	s, err := d.g.trailers(in)
	if err != nil {
		*d.s = saved
		return ChunkedPart{}, in.Furthest(err)
	}
	if s.err != nil {
		return ChunkedPart{}, &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid trailers", Err: s.err}
	}
	d.ended()
	return ChunkedPart{Trailers: s.f, End: true}, nil
}

// fast is Parse for a chunk in its plain form, read from the cursor's
// span without the grammar: the CRLF after the data before it (in
// chunkNext), a size line of 1 to 16 hex digits without extensions (as
// sizeLine reads it), and a size of at least 1 that the stream delivers
// whole in this message (within MaxPart, MaxBodySize and the room the
// message limit leaves after the line). done reports that it decided:
//
//   - fewer bytes buffered than the line, the data and the byte after it
//     (the lookahead the stream waits for inside a body): the need for
//     more input, counted from the message's start as NeedMore counts, the
//     bytes the stream's message ends with; a long chunk arriving in many
//     reads is waited for in one piece, its line read once per read of
//     the pipe;
//   - all of them buffered: the part the stream returns, and the stream
//     in the state it leaves (chunkNext, no payload left: inBody after a
//     body's first chunk).
//
// Everything else is the grammar's (done false): the last chunk, a
// refusal, a cut by a limit, a line not all in the span.
func (d *ChunkedDecoder) fast(in *parse.Input) (p ChunkedPart, done bool, err error) {
	st := d.s.State()
	span := in.Span()
	j := 0
	if st == chunkNext {
		if len(span) < 2 || span[0] != '\r' || span[1] != '\n' {
			return p, false, nil
		}
		j = 2
	}
	n, j, ok := sizeLine(span, j)
	if !ok || n == 0 || n > d.plain || int64(n) > int64(in.Limit()-in.Consumed()-j) {
		return p, false, nil
	}
	// The line, the data and a byte after it: the body goes on.
	end := j + int(n)
	if in.Remaining() <= end {
		return p, true, in.NeedMore(end + 1)
	}
	if st != chunkNext {
		*d.s = d.inBody // as the grammar leaves it after a body's first chunk
	}
	in.Advance(j)
	p.Data, _ = in.ReadN(int(n)) // buffered: Remaining is more
	d.parts++
	return p, true, nil
}

// ended notes that Parse returned the last part of a body: the next body
// starts.
func (d *ChunkedDecoder) ended() {
	d.s.Reset()
	d.lastParts, d.parts = d.parts+1, 0
}

// batch is the batch form of Parse (internal/batch): every message Parse
// would return, in order, while each lies in the cursor's span in its
// plain form: a chunk (after the CRLF that ends the data before it, inside
// a body) of a size line of 1 to 16 hex digits without extensions and its
// data within MaxPart and MaxBodySize with a byte after it, and a body's
// end, a size line of zeros and a trailer section that scanTrailers takes.
// Everything else, refusals included, is left to Parse.
//
// The stream's state is its own, and a batch can only leave it where
// Parse would (the state after a whole chunk, or after a body's end): so a
// body that starts in the batch is taken whole or not at all, and is
// started only if the previous body's parts would fit the room left (a
// body of more parts than a batch holds is read a first chunk by Parse,
// the rest by batches, without scanning its start twice).
func (d *ChunkedDecoder) batch(in *parse.Input, out []ChunkedPart) int {
	if d.s.Left() != 0 {
		return 0
	}
	span := in.Span()
	i, k := 0, 0 // the bytes and messages taken
	if d.s.State() == chunkNext {
		// The rest of the body the stream is in.
		end, m, whole := d.chunks(in, span, 0, true, out)
		if !whole {
			in.Advance(end)
			d.parts += m
			return m
		}
		d.lastParts = d.parts + m
		i, k = end, m
	}
	// Whole bodies, each while the one before would fit the room left.
	for k < len(out) && d.lastParts <= len(out)-k {
		end, m, whole := d.chunks(in, span, i, false, out[k:])
		if !whole {
			clear(out[k : k+m]) // cut by the span's end: Parse's
			break
		}
		d.lastParts = m
		i, k = end, k+m
	}
	if k > 0 {
		// A body ended: the stream is where Parse leaves it after a
		// body's last part.
		d.s.Reset()
		d.parts = 0
	}
	in.Advance(i)
	return k
}

// chunks takes the parts of one body from span[i:] into out, as batch
// describes: its chunks, the first after the CRLF of the data before it
// if after, then its end. It returns the offset after the last part
// taken, how many it took, and whether the last was the body's end.
func (d *ChunkedDecoder) chunks(in *parse.Input, span []byte, i int, after bool, out []ChunkedPart) (end, k int, whole bool) {
	max := d.plain
	for k < len(out) {
		j := i
		if after {
			if len(span)-j < 2 || span[j] != '\r' || span[j+1] != '\n' {
				break
			}
			j += 2
		}
		n, j, ok := sizeLine(span, j)
		if !ok {
			break
		}
		if n == 0 {
			// The last chunk and the trailer section: the body ends.
			end, nf, ok := scanTrailers(span[j:], d.g.line, d.g.fields)
			if !ok {
				break
			}
			out[k] = ChunkedPart{Trailers: Fields{block: in.SpanSeqAt(j, end-2), n: nf}, End: true}
			return j + end, k + 1, true
		}
		// The data, and a byte after it: the body goes on.
		if n > max || uint64(len(span)-j) <= n {
			break
		}
		out[k] = ChunkedPart{Data: in.SpanSeqAt(j, int(n))}
		i, k, after = j+int(n), k+1, true
	}
	return i, k, false
}

// sizeLine reads a chunk-size line at b[j:] as the grammar reads one
// without extensions: 1 to 16 hex digits (either case) and CRLF. It
// returns the size and the offset after the line, or ok false where the
// line is anything else or not all in b.
func sizeLine(b []byte, j int) (n uint64, end int, ok bool) {
	h := j
	for j < len(b) {
		v := hexVal[b[j]]
		if v > 15 {
			break
		}
		n = n<<4 | uint64(v)
		j++
	}
	if j == h || j-h > 16 || len(b)-j < 2 || b[j] != '\r' || b[j+1] != '\n' {
		return 0, 0, false
	}
	return n, j + 2, true
}

// scanTrailers reads a trailer section that lies whole in b, in one pass,
// where the grammar accepts it as it is: field lines of a token, ':', a
// run of field-value bytes and CRLF, each shorter than line bytes, at most
// fields of them and none named Content-Length (whose value the grammar
// checks), then CRLF. It returns the section's length with its last CRLF
// and its field count. ok is false wherever the grammar might decide
// otherwise (a refusal, a limit, more input needed): the grammar reads the
// section then, so no check is weakened here.
func scanTrailers(b []byte, line, fields int) (end, n int, ok bool) {
	i := 0
	for {
		if i+1 >= len(b) {
			return 0, 0, false
		}
		if b[i] == '\r' {
			if b[i+1] != '\n' {
				return 0, 0, false
			}
			return i + 2, n, true
		}
		start := i
		i = runEnd(b, i, classTchar)
		if i == start || i == len(b) || b[i] != ':' {
			return 0, 0, false
		}
		if i-start == 14 && equalFoldBytes(b[start:i], "content-length") {
			return 0, 0, false
		}
		i = valueEnd(b, i+1)
		if i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
			return 0, 0, false
		}
		i += 2
		if n++; i-start >= line || n > fields {
			return 0, 0, false
		}
	}
}

// InBody reports whether a body has started and not ended: whether input
// that ends here is truncated.
func (d *ChunkedDecoder) InBody() bool {
	return d.s.Left() > 0 || d.s.State() != chunkStart
}

// Reset makes the decoder read a new stream, from the start of a body.
func (d *ChunkedDecoder) Reset() { d.s.Reset(); d.parts = 0 }

// ChunkedReader reads bodies in the chunked transfer coding from a
// pipe.Reader that holds them one after another (the role of
// net/http/httputil.NewChunkedReader, in parts that view the input
// instead of copies): a caller that has framed a message's head itself
// and holds its body as a stream. It reads with a [ChunkedDecoder], with
// Options.MaxHeaderBytes as the size limit of every part; a ChunkedPart
// is valid until the next call of Next. For one body, stop at the part
// with End set; the bytes after it stay in the reader.
type ChunkedReader struct {
	d ChunkedDecoder
	r *parse.Reader[ChunkedPart]
}

// NewChunkedReader returns a reader of the chunked bodies in src, with
// the limits of o. It owns src: Close completes it.
func NewChunkedReader(src pipe.Reader, o Options) *ChunkedReader {
	r := &ChunkedReader{}
	r.d.init(o)
	r.r = parse.NewReader(src, r.d.Parser(), parse.Options{MaxMessageSize: o.limits().block})
	return r
}

// Next returns the next part: io.EOF at the end of the input between
// bodies, an error matching io.ErrUnexpectedEOF inside one, a
// *parse.SyntaxError for malformed input (see [ChunkedDecoder]) or a
// *parse.SizeError for a line or a trailer section over its limit.
func (r *ChunkedReader) Next(ctx context.Context) (ChunkedPart, error) { return r.r.Next(ctx) }

// Close completes the reader's source.
func (r *ChunkedReader) Close() error { return r.r.Close() }
