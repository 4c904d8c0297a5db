package grammars

import (
	"errors"
	"math"
	"strconv"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Field is a trailer field of a chunked body.
type Field struct {
	Name, Value string
}

// Chunked is a body in the HTTP/1.1 chunked transfer coding (RFC 9112
// §7.1): the data of its chunks, in order, and its trailer fields.
//
// Body views the input: its sequences are valid until the next read from
// the message reader that returned it (use [Chunked.Clone] or
// [Chunked.AppendBody] to keep the bytes). No element of Body is empty. The
// trailer fields are copies, owned by the caller; their values have the
// surrounding whitespace removed. Chunk extensions are checked and skipped.
type Chunked struct {
	Body     []seq.Sequence
	Trailers []Field
}

// Len returns the length of the decoded body.
func (c Chunked) Len() int {
	n := 0
	for _, s := range c.Body {
		n += s.Len()
	}
	return n
}

// AppendBody appends the decoded body to dst and returns the extended
// slice.
func (c Chunked) AppendBody(dst []byte) []byte {
	for _, s := range c.Body {
		dst = s.AppendTo(dst)
	}
	return dst
}

// Clone returns a copy of c whose chunks own their memory.
func (c Chunked) Clone() Chunked {
	body := make([]seq.Sequence, len(c.Body))
	for i, s := range c.Body {
		body[i] = seq.Of(s.Bytes())
	}
	c.Body = body
	return c
}

// AppendChunked appends chunks and trailers in the chunked transfer coding
// to dst and returns the extended slice. Empty chunks are left out (a
// zero-size chunk would end the body). Sizes are written in lower-case hex
// and each trailer field as "Name: Value", as nginx and net/http do; names
// and values are not checked.
func AppendChunked(dst []byte, chunks [][]byte, trailers []Field) []byte {
	for _, c := range chunks {
		if len(c) == 0 {
			continue
		}
		dst = strconv.AppendUint(dst, uint64(len(c)), 16)
		dst = append(dst, '\r', '\n')
		dst = append(dst, c...)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, '0', '\r', '\n')
	for _, f := range trailers {
		dst = append(dst, f.Name...)
		dst = append(dst, ':', ' ')
		dst = append(dst, f.Value...)
		dst = append(dst, '\r', '\n')
	}
	return append(dst, '\r', '\n')
}

// maxChunkDigits bounds the hex digits of a chunk size: 16 fill a uint64.
const maxChunkDigits = 16

// Error messages shared by the two chunked parsers.
const (
	chunkMsgHex    = "hex digit"
	chunkMsgToken  = "token character"
	chunkMsgColon  = `':'`
	chunkMsgQuote  = `'"'`
	chunkMsgQpair  = "quoted-pair character"
	chunkMsgQdtext = "quoted-string character"
	chunkMsgValue  = "field value character"
	chunkMsgOWS    = "whitespace"
)

// The errors of combinators.Hex for a chunk size of more than 16 digits.
const (
	chunkMsgLong  = "number longer than 16 digits"
	chunkMsgAbove = "number above the maximum 0xffffffffffffffff"
)

// Character classes of RFC 9110 §5.6. They are variables with
// initializers, not set by init, so that grammars built during package
// initialization see them.
var (
	isTchar  = byteClass(func(c int) bool { return alnum(c) || c < 0x80 && c > ' ' && contains("!#$%&'*+-.^_`|~", byte(c)) }) // token characters
	isQpair  = byteClass(func(c int) bool { return c == '\t' || c >= ' ' && c != 0x7f })                                      // characters a backslash may quote
	isQdtext = byteClass(func(c int) bool { return isQpair[c] && c != '"' && c != '\\' })                                     // quoted-string characters other than \ and "
	isFchar  = isQpair                                                                                                        // field-value characters: VCHAR, obs-text, SP, HTAB
)

func byteClass(pred func(int) bool) (t [256]bool) {
	for c := range t {
		t[c] = pred(c)
	}
	return t
}

func alnum(c int) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func contains(s string, c byte) bool {
	for i := range len(s) {
		if s[i] == c {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// ChunkedHand is the chunked grammar written by hand, without combinators,
// reading one whole body per message: a reference for tests and bench/.
// Lines end with CRLF only; each chunk size is checked against the
// maximum message size before its data is waited for.
func ChunkedHand(in *parse.Input) (Chunked, error) {
	var c Chunked
	for {
		n, err := chunkHandSize(in)
		if err != nil {
			return Chunked{}, err
		}
		if n == 0 {
			break
		}
		// As combinators.LengthPrefixed: the limit first, then wait.
		if n > uint64(in.Limit()-in.Consumed()) {
			return Chunked{}, in.TooLarge()
		}
		data, ok := in.ReadN(int(n))
		if !ok {
			return Chunked{}, in.NeedMore(int(n))
		}
		if err := readCRLF(in); err != nil {
			return Chunked{}, err
		}
		c.Body = append(c.Body, data)
	}
	trailers, err := chunkHandTrailers(in)
	if err != nil {
		return Chunked{}, err
	}
	c.Trailers = trailers
	return c, nil
}

// chunkHandTrailers reads the trailer section and the CRLF that ends the
// body.
func chunkHandTrailers(in *parse.Input) ([]Field, error) {
	var trailers []Field
	for {
		b, ok := in.Peek()
		if !ok {
			return nil, in.NeedMore(1)
		}
		if b == '\r' {
			// The fields end: a field or CRLF was expected here.
			if err := readCRLF(in); err != nil && !errors.Is(err, parse.ErrNeedMore) {
				return nil, expected(in, chunkMsgToken+" or "+msgCRLF)
			} else if err != nil {
				return nil, err
			}
			return trailers, nil
		}
		f, err := chunkHandField(in)
		if err != nil {
			return nil, err
		}
		trailers = append(trailers, f)
	}
}

// chunkHandSize reads a chunk-size line: the size, the extensions and
// CRLF.
func chunkHandSize(in *parse.Input) (uint64, error) {
	start := in.Consumed()
	var v uint64
	digits := 0
	for {
		b, ok := in.Peek()
		if !ok {
			return 0, in.NeedMore(1)
		}
		if !isHex(b) {
			break
		}
		if digits == maxChunkDigits {
			// A 17th digit: as combinators.Hex decides it, at the
			// number's first byte, above the maximum if the 16 digits
			// already fill the top one.
			in.Rewind(in.Consumed() - start)
			msg := chunkMsgLong
			if v > math.MaxUint64>>4 {
				msg = chunkMsgAbove
			}
			return 0, &parse.SyntaxError{Offset: in.Offset(), Msg: msg, Err: cb.ErrRange}
		}
		v = v<<4 | uint64(unhex(b))
		digits++
		in.Advance(1)
	}
	if digits == 0 {
		return 0, expected(in, chunkMsgHex)
	}
	// CRLF at once, or extensions (OWS ";" …) and then CRLF. As the
	// combinators report it, by the furthest-failure rule: an extension
	// that got past its OWS and found no ';' is the furthest failure, and
	// one that found neither OWS nor ';' is expected together with CRLF.
	extensions := !peekIs(in, '\r')
	for extensions {
		at := in.Consumed()
		ows, err := skipOWS(in)
		if err != nil {
			return 0, err
		}
		if ows && !peekIs(in, ';') {
			return 0, expected(in, chunkMsgOWS+" or ';'")
		}
		if !peekIs(in, ';') {
			in.Rewind(in.Consumed() - at)
			break
		}
		in.Advance(1)
		if err := chunkHandExt(in); err != nil {
			return 0, err
		}
	}
	if err := readCRLF(in); err != nil {
		if extensions && !errors.Is(err, parse.ErrNeedMore) {
			return 0, expected(in, "';' or "+msgCRLF)
		}
		return 0, err
	}
	return v, nil
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// skipOWS reads spaces and tabs and reports whether there were any.
func skipOWS(in *parse.Input) (bool, error) {
	for n := 0; ; n++ {
		b, ok := in.Peek()
		if !ok {
			return false, in.NeedMore(1)
		}
		if !isOWS(b) {
			return n > 0, nil
		}
		in.Advance(1)
	}
}

// afterOWS is what a parser expected after a run of OWS, as the
// combinators report it: the run's end, where whitespace might also have
// continued, merged in.
func afterOWS(ows bool, what string) string {
	if ows {
		return chunkMsgOWS + " or " + what
	}
	return what
}

// chunkHandExt reads a chunk extension after its ";": OWS name [OWS "="
// OWS value].
func chunkHandExt(in *parse.Input) error {
	ows, err := skipOWS(in)
	if err != nil {
		return err
	}
	if _, err := handToken(in); err != nil {
		return afterOWSErr(in, ows, err)
	}
	at := in.Consumed()
	if _, err := skipOWS(in); err != nil {
		return err
	}
	if !peekIs(in, '=') {
		in.Rewind(in.Consumed() - at)
		return nil
	}
	in.Advance(1)
	if ows, err = skipOWS(in); err != nil {
		return err
	}
	if peekIs(in, '"') {
		return handQuoted(in)
	}
	_, err = handToken(in)
	return afterOWSErr(in, ows, err)
}

// afterOWSErr is err, the error of what followed a run of OWS, as the
// combinators report it (see afterOWS): a token that is not there.
func afterOWSErr(in *parse.Input, ows bool, err error) error {
	var se *parse.SyntaxError
	if ows && errors.As(err, &se) && se.Msg == "expected "+chunkMsgToken {
		return expected(in, afterOWS(true, chunkMsgToken))
	}
	return err
}

// handToken reads a token.
func handToken(in *parse.Input) (seq.Sequence, error) {
	rest := in.Rest()
	n := 0
	for {
		b, ok := in.Peek()
		if !ok {
			return seq.Sequence{}, in.NeedMore(1)
		}
		if !isTchar[b] {
			break
		}
		in.Advance(1)
		n++
	}
	if n == 0 {
		return seq.Sequence{}, expected(in, chunkMsgToken)
	}
	return rest.Slice(0, n), nil
}

// handQuoted reads a quoted-string.
func handQuoted(in *parse.Input) error {
	in.Advance(1) // the opening quote, seen by the caller
	for {
		b, ok := in.Peek()
		if !ok {
			return in.NeedMore(1)
		}
		switch {
		case b == '\\':
			in.Advance(1)
			q, ok := in.Peek()
			if !ok {
				return in.NeedMore(1)
			}
			if !isQpair[q] {
				return expected(in, chunkMsgQpair)
			}
			in.Advance(1)
		case isQdtext[b]:
			in.Advance(1)
		case b == '"':
			in.Advance(1)
			return nil
		default:
			// The run of qdtext and pairs ends here: either was expected.
			return expected(in, chunkMsgQdtext+" or "+chunkMsgQuote)
		}
	}
}

// chunkHandField reads a trailer field line.
func chunkHandField(in *parse.Input) (Field, error) {
	name, err := handToken(in)
	if err != nil {
		return Field{}, err
	}
	b, ok := in.Peek()
	if !ok {
		return Field{}, in.NeedMore(1)
	}
	if b != ':' {
		return Field{}, expected(in, chunkMsgColon)
	}
	in.Advance(1)
	ows, err := skipOWS(in)
	if err != nil {
		return Field{}, err
	}
	rest := in.Rest()
	n := 0
	for {
		b, ok := in.Peek()
		if !ok {
			// A value's line still needs its CRLF: 2 bytes, as the
			// combinator grammar's Literal says, so that a line that
			// cannot end within the limit is too large in both.
			return Field{}, in.NeedMore(2)
		}
		if !isFchar[b] {
			break
		}
		in.Advance(1)
		n++
	}
	if err := readCRLF(in); err != nil {
		if n == 0 && !errors.Is(err, parse.ErrNeedMore) {
			return Field{}, expected(in, afterOWS(ows, msgCRLF))
		}
		return Field{}, err
	}
	return Field{Name: name.String(), Value: trimOWS(rest.Slice(0, n).String())}, nil
}

// trimOWS removes trailing spaces and tabs.
func trimOWS(s string) string {
	for len(s) > 0 && isOWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
