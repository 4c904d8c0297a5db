package http1

import (
	"context"
	"math"

	cb "github.com/sluicego/sluice/combinators"
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
	return chunkGrammar{size: [2]parse.TryParse[uint64]{chunkStart: sizeLine, chunkNext: next}, trailers: fields, body: l.body}
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
// grammar RequestReader and ResponseReader read chunked bodies with. Use
// [ChunkedReader] for a pipe.Reader with the limits of Options applied.
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
	s *cb.Stream[chunkState, uint64]
	g *chunkGrammar
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
	d.s, d.g = p.Stream(), g
}

// Parse reads the next part; it is the parse.TryParse to hand to one
// message reader.
func (d *ChunkedDecoder) Parse(in *parse.Input) (ChunkedPart, error) {
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
		return ChunkedPart{Data: p.Data}, nil
	}
	// The last chunk's size line: its trailer section is the rest of the
	// body's final part, read here, after which a body starts. If it is
	// not all here, the stream goes back to where the message started,
	// as for any message not returned.
	s, err := d.g.trailers(in)
	if err != nil {
		*d.s = saved
		return ChunkedPart{}, in.Furthest(err)
	}
	if s.err != nil {
		return ChunkedPart{}, &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid trailers", Err: s.err}
	}
	d.s.Reset()
	return ChunkedPart{Trailers: s.f, End: true}, nil
}

// InBody reports whether a body has started and not ended: whether input
// that ends here is truncated.
func (d *ChunkedDecoder) InBody() bool {
	return d.s.Left() > 0 || d.s.State() != chunkStart
}

// Reset makes the decoder read a new stream, from the start of a body.
func (d *ChunkedDecoder) Reset() { d.s.Reset() }

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
	r.r = parse.NewReader(src, r.d.Parse, parse.Options{MaxMessageSize: o.limits().block})
	return r
}

// Next returns the next part: io.EOF at the end of the input between
// bodies, an error matching io.ErrUnexpectedEOF inside one, a
// *parse.SyntaxError for malformed input (see [ChunkedDecoder]) or a
// *parse.SizeError for a line or a trailer section over its limit.
func (r *ChunkedReader) Next(ctx context.Context) (ChunkedPart, error) { return r.r.Next(ctx) }

// Close completes the reader's source.
func (r *ChunkedReader) Close() error { return r.r.Close() }
