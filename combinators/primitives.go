package combinators

import (
	"bytes"
	"strconv"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Byte matches the byte b and returns it. At the end of the buffered input
// it asks for one more byte; any other byte is a syntax error ("expected
// 'b'") at the cursor.
//
//go:noinline
func Byte(b byte) parse.TryParse[byte] {
	msg := "expected " + quoteByte(b)
	return record(func(in *parse.Input) (byte, error) {
		c, ok := in.Peek()
		if !ok {
			return 0, in.NeedMore(1)
		}
		if c != b {
			return 0, expected(in, msg)
		}
		in.Advance(1)
		return c, nil
	}, &node{kind: "Byte", params: []string{quoteByte(b)}, cap: oneByte(b)})
}

// oneByte is the capability of Byte(b): the byte it matches.
type oneByte byte

// byteTable is pred evaluated once for every byte value.
type byteTable [256]bool

func tableOf(pred func(byte) bool) *byteTable {
	t := new(byteTable)
	for i := range t {
		t[i] = pred(byte(i))
	}
	return t
}

// Satisfy matches one byte for which pred holds and returns it; what names
// such a byte in the syntax error ("expected <what>") for any other byte.
// At the end of the buffered input it asks for one more byte. pred must be
// a pure function: Satisfy calls it for all 256 byte values when it is
// declared and looks the answers up when parsing.
//
//go:noinline
func Satisfy(what string, pred func(byte) bool) parse.TryParse[byte] {
	t, msg := tableOf(pred), "expected "+what
	n := mk("Satisfy").with(strconv.Quote(what)).calls(pred)
	if fusion() {
		n.scan = satisfyScan(t)
	}
	return record(func(in *parse.Input) (byte, error) {
		c, ok := in.Peek()
		if !ok {
			return 0, in.NeedMore(1)
		}
		if !t[c] {
			return 0, expected(in, msg)
		}
		in.Advance(1)
		return c, nil
	}, n)
}

// Literal matches the bytes of s and returns s (without allocating). If the
// buffered input ends inside a match (it holds a proper prefix of s), it
// asks for the missing bytes, on final input too; a mismatch is a syntax
// error at the literal's first byte. A literal split across segments is
// matched like any other.
//
//go:noinline
func Literal(s string) parse.TryParse[string] {
	lit, msg := []byte(s), "expected "+strconv.Quote(s)
	n := &node{kind: "Literal", params: []string{strconv.Quote(s)}, cap: literal(s)}
	if len(s) == 2 { // CRLF and the like: two byte comparisons
		c0, c1 := s[0], s[1]
		return record(func(in *parse.Input) (string, error) {
			if span := in.Span(); len(span) >= 2 && span[0] == c0 && span[1] == c1 {
				in.Advance(2)
				return s, nil
			}
			return literalSlow(in, s, lit, msg)
		}, n)
	}
	return record(func(in *parse.Input) (string, error) {
		if span := in.Span(); len(span) >= len(s) && string(span[:len(s)]) == s {
			in.Advance(len(s))
			return s, nil
		}
		return literalSlow(in, s, lit, msg)
	}, n)
}

// literal is the capability of Literal(s): the bytes it matches.
type literal string

// literalSlow is Literal when the cursor's span does not begin with s: s
// may straddle segments, be cut short by the end of the buffered input, or
// not be there.
func literalSlow(in *parse.Input, s string, lit []byte, msg string) (string, error) {
	if in.SkipPrefix(lit) {
		return s, nil
	}
	if r := in.Remaining(); r < len(lit) && in.IsNext(lit[:r]) {
		return "", in.NeedMore(len(lit))
	}
	return "", expected(in, msg)
}

// Take reads the next n bytes and returns a view of them. If they cannot
// fit the maximum message size it returns a [*parse.SizeError] at once,
// before any of them is buffered. If fewer are buffered it asks for more,
// noting that n bytes are needed from its start ([parse.Input.NeedMore]),
// so that a message reader waits for them in one piece. It panics if n is
// negative.
//
//go:noinline
func Take(n int) parse.TryParse[seq.Sequence] {
	if n < 0 {
		panic("combinators: Take with a negative length " + strconv.Itoa(n))
	}
	return record(func(in *parse.Input) (seq.Sequence, error) {
		if n < len(in.Span()) { // within the current segment
			s := in.SpanSeq(n)
			in.Advance(n)
			return s, nil
		}
		if s, ok := in.ReadN(n); ok {
			return s, nil
		}
		if n > in.Limit()-in.Consumed() {
			return seq.Sequence{}, in.TooLarge()
		}
		return seq.Sequence{}, in.NeedMore(n)
	}, &node{kind: "Take", params: []string{strconv.Itoa(n)}, cap: taken(n)})
}

// taken is the capability of Take(n): how many bytes it reads.
type taken int

// TakeUntil returns the bytes before the next instance of delim and reads
// both. A delimiter that straddles segments is found. If the buffered
// input holds no delimiter it asks for more input, on final input too (a
// message reader then reports the message as truncated), and notes how far
// it searched ([parse.Input.ScanShort]): the next attempt on the same
// message resumes there, so a long element arriving in small pieces is
// searched once, and the search ends with a [*parse.SizeError] once it
// passes the maximum message size. It panics if delim is empty.
func TakeUntil(delim string) parse.TryParse[seq.Sequence] {
	return takeUntil("TakeUntil", delim, true)
}

// TakeBefore is [TakeUntil] that leaves the delimiter unread: it returns
// the bytes before the next instance of delim and reads only them. Its
// streaming behaviour is TakeUntil's. It panics if delim is empty.
func TakeBefore(delim string) parse.TryParse[seq.Sequence] {
	return takeUntil("TakeBefore", delim, false)
}

//go:noinline
func takeUntil(name, delim string, consume bool) parse.TryParse[seq.Sequence] {
	if delim == "" {
		panic("combinators: " + name + " with an empty delimiter")
	}
	d := []byte(delim)
	skip := 0
	if consume {
		skip = len(d)
	}
	key := parse.NewScanKey()
	n := mk(name).with(strconv.Quote(delim))
	if len(d) == 1 {
		c := d[0]
		return record(func(in *parse.Input) (seq.Sequence, error) {
			from := in.Scanned(key)
			var rest seq.Sequence
			if from == 0 {
				// Fast path: the delimiter lies in the current segment.
				span := in.Span()
				if i := bytes.IndexByte(span, c); i >= 0 {
					s := in.SpanSeq(i)
					in.Advance(i + skip)
					return s, nil
				}
				from = len(span)
				rest = in.Rest().From(from)
			} else {
				rest = in.ScanRest(key) // from the last attempt's end, without a walk
			}
			i := rest.IndexByte(c)
			if i < 0 {
				return seq.Sequence{}, in.ScanShort(key, in.Remaining())
			}
			s, _ := in.ReadN(from + i)
			in.Advance(skip)
			return s, nil
		}, n)
	}
	// The last len(d)-1 bytes may begin a delimiter whose end has not
	// arrived: a search that runs short covers only the bytes before them.
	tail := len(d) - 1
	return record(func(in *parse.Input) (seq.Sequence, error) {
		from := in.Scanned(key)
		var rest seq.Sequence
		if from == 0 {
			span := in.Span()
			if i := bytes.Index(span, d); i >= 0 {
				s := in.SpanSeq(i)
				in.Advance(i + skip)
				return s, nil
			}
			from = max(len(span)-tail, 0)
			rest = in.Rest().From(from)
		} else {
			rest = in.ScanRest(key)
		}
		i := rest.Index(d)
		if i < 0 {
			return seq.Sequence{}, in.ScanShort(key, max(in.Remaining()-tail, from))
		}
		s, _ := in.ReadN(from + i)
		in.Advance(skip)
		return s, nil
	}, n)
}

// Rest returns every byte left: on final input (or inside a reached bound,
// see [LengthPrefixed] and [Bounded]) it reads them all, possibly none; on
// non-final input it asks for more, since more bytes could follow.
func Rest() parse.TryParse[seq.Sequence] { return rest }

func rest(in *parse.Input) (seq.Sequence, error) {
	if !in.Final() {
		return seq.Sequence{}, in.NeedMore(0)
	}
	s, _ := in.ReadN(in.Remaining())
	return s, nil
}

// Line returns the bytes of a line terminated by LF or CRLF, without the
// terminator, and reads both. Its streaming behaviour is [TakeUntil]'s: a
// line without its LF asks for more input (on final input too, so an
// unterminated last line is reported as truncated), the search resumes
// where the previous attempt stopped, and a line longer than the maximum
// message size is refused as soon as the search passes it. A CR not
// followed by LF is part of the line.
func Line() parse.TryParse[seq.Sequence] { return line }

// lineKey identifies Line's search.
var lineKey = parse.NewScanKey()

func line(in *parse.Input) (seq.Sequence, error) {
	// A search that runs short leaves its last byte to the next one, which
	// then finds any CR before the LF among the bytes it searches.
	from := in.Scanned(lineKey)
	span := in.Span()
	if from == 0 {
		// The common case: the LF lies in the current segment. One search
		// finds it, the byte before it says whether a CR ends the line,
		// and one call views the line and reads it with its terminator.
		if j := bytes.IndexByte(span, '\n'); j >= 0 {
			n := j
			if k := j - 1; uint(k) < uint(len(span)) && span[k] == '\r' {
				n = k
			}
			if j+1 < len(span) {
				return in.ReadSpan(n, j+1), nil
			}
			s := in.SpanSeq(n)
			in.Advance(j + 1)
			return s, nil
		}
		if len(span) == in.Remaining() {
			return seq.Sequence{}, in.ScanShort(lineKey, max(len(span)-1, 0))
		}
		from = max(len(span)-1, 0)
		rest := in.Rest().From(from)
		return lineRest(in, rest, from)
	}
	if from < len(span) {
		// A resumed search whose rest lies in the current segment, as it
		// does when the pipe moved a short partial line to a new one.
		if j := bytes.IndexByte(span[from:], '\n'); j >= 0 {
			j += from
			n := j
			if span[j-1] == '\r' { // j >= from >= 1
				n--
			}
			s := in.SpanSeq(n)
			in.Advance(j + 1)
			return s, nil
		}
		if len(span) == in.Remaining() {
			return seq.Sequence{}, in.ScanShort(lineKey, len(span)-1)
		}
	}
	return lineRest(in, in.ScanRest(lineKey), from)
}

// lineRest is Line's search of rest, the unread bytes from offset from of
// the cursor on, when they do not all lie in the current segment.
func lineRest(in *parse.Input, rest seq.Sequence, from int) (seq.Sequence, error) {
	i := rest.IndexByte('\n')
	if i < 0 {
		return seq.Sequence{}, in.ScanShort(lineKey, max(in.Remaining()-1, from))
	}
	n := from + i // the LF's offset from the cursor
	if i > 0 {
		var b [1]byte
		rest.From(i - 1).CopyTo(b[:])
		if b[0] == '\r' {
			n--
		}
	}
	s, _ := in.ReadN(n)
	in.Advance(from + i + 1 - n)
	return s, nil
}

// TakeWhile returns the longest run of bytes for which pred holds, at most
// max of them (max < 0: no bound), and reads it. A run shorter than min is
// a syntax error ("expected <what>") at the first byte that does not match.
// The run is decided by the first byte that does not match or by reaching
// max; if the buffered input ends first, it asks for more input unless the
// input is final, in which case the run ends there (and a run shorter than
// min asks for more, so a message reader reports the message as
// truncated). Like [TakeUntil] it resumes where the previous attempt on the
// same message stopped and gives up with a [*parse.SizeError] once the run
// passes the maximum message size. pred must be a pure function: TakeWhile
// calls it for all 256 byte values when it is declared. It panics if min < 0
// or 0 <= max < min.
func TakeWhile(what string, pred func(byte) bool, min, max int) parse.TryParse[seq.Sequence] {
	checkBounds("TakeWhile", min, max)
	return takeRun(tableOf(pred), "expected "+what, min, max,
		mk("TakeWhile").with(strconv.Quote(what), bounds(min, max)).calls(pred))
}

// takeRun is the parser of a run of the class t, recorded as n.
func takeRun(t *byteTable, msg string, min, max int, n *node) parse.TryParse[seq.Sequence] {
	r := newRunSet(t)
	if fusion() {
		n.scan = runScan(r, min, max) // for the parsers around it (scan.go)
	}
	return record(takeWhile(r, msg, min, max), n)
}

//go:noinline
func takeWhile(r *runSet, msg string, lo, hi int) parse.TryParse[seq.Sequence] {
	t := r.t
	key := parse.NewScanKey()
	return func(in *parse.Input) (seq.Sequence, error) {
		k := in.Scanned(key)
		var rest seq.Sequence
		if k == 0 {
			// Fast path: the run ends within the current segment.
			span := in.Span()
			lim := len(span)
			if hi >= 0 && hi < lim {
				lim = hi
			}
			j := r.end(span[:lim], 0)
			if j < lim || j == hi {
				if j < lo {
					in.Advance(j)
					return seq.Sequence{}, expected(in, msg)
				}
				s := in.SpanSeq(j)
				in.Advance(j)
				return s, nil
			}
			k = j
			rest = in.Rest().From(k)
		} else {
			rest = in.ScanRest(key)
		}
		return takeWhileSlow(in, key, t, msg, lo, hi, k, rest)
	}
}

// takeWhileSlow continues a run whose first k bytes after the cursor match,
// over rest, the bytes after them.
func takeWhileSlow(in *parse.Input, key *parse.ScanKey, t *byteTable, msg string, lo, hi, k int, rest seq.Sequence) (seq.Sequence, error) {
	decided := hi >= 0 && k >= hi
	if decided {
		k = hi
	} else {
		for chunk := range rest.Chunks() {
			lim := len(chunk)
			if hi >= 0 {
				lim = min(lim, hi-k)
			}
			j := 0
			for j < lim && t[chunk[j]] {
				j++
			}
			k += j
			if j < lim || hi >= 0 && k == hi {
				decided = true // by a byte that does not match, or by hi
				break
			}
		}
	}
	switch {
	case !decided && !in.Final():
		in.NeedMore(max(k+1, lo))
		return seq.Sequence{}, in.ScanShort(key, k)
	case k >= lo:
		s, _ := in.ReadN(k)
		return s, nil
	case !decided:
		return seq.Sequence{}, in.NeedMore(lo)
	}
	in.Advance(k)
	return seq.Sequence{}, expected(in, msg)
}

// Uint8 reads one byte as an integer. If no byte is buffered it asks for
// one, on final input too (a message reader then reports a truncated
// message).
func Uint8() parse.TryParse[uint8] { return uint8p }

// Uint16BE reads a big-endian uint16. If fewer than 2 bytes are buffered it
// asks for more, noting that it needs 2, so that a message reader waits for
// them in one piece; on final input too (a truncated message). The other
// fixed-width integer parsers work alike.
func Uint16BE() parse.TryParse[uint16] { return uint16be }

// Uint16LE reads a little-endian uint16, asking for more input while fewer
// than 2 bytes are buffered, as [Uint16BE] does.
func Uint16LE() parse.TryParse[uint16] { return uint16le }

// Uint32BE reads a big-endian uint32, asking for more input while fewer
// than 4 bytes are buffered, as [Uint16BE] does.
func Uint32BE() parse.TryParse[uint32] { return uint32be }

// Uint32LE reads a little-endian uint32, asking for more input while fewer
// than 4 bytes are buffered, as [Uint16BE] does.
func Uint32LE() parse.TryParse[uint32] { return uint32le }

// Uint64BE reads a big-endian uint64, asking for more input while fewer
// than 8 bytes are buffered, as [Uint16BE] does.
func Uint64BE() parse.TryParse[uint64] { return uint64be }

// Uint64LE reads a little-endian uint64, asking for more input while fewer
// than 8 bytes are buffered, as [Uint16BE] does.
func Uint64LE() parse.TryParse[uint64] { return uint64le }

// fixedInt describes one of the fixed-width integer parsers below: its
// width in bytes and whether it is big-endian (uint8p counts as such).
type fixedInt struct {
	width int
	big   bool
}

// The package's parsers that are top-level functions are recorded once;
// the fixed-width integers with their width and byte order, so that a
// combinator given one can decode the integer itself.
func init() {
	recordStatic(uint8p, &node{kind: "Uint8", cap: fixedInt{1, true}})
	recordStatic(uint16be, &node{kind: "Uint16BE", cap: fixedInt{2, true}})
	recordStatic(uint16le, &node{kind: "Uint16LE", cap: fixedInt{2, false}})
	recordStatic(uint32be, &node{kind: "Uint32BE", cap: fixedInt{4, true}})
	recordStatic(uint32le, &node{kind: "Uint32LE", cap: fixedInt{4, false}})
	recordStatic(uint64be, &node{kind: "Uint64BE", cap: fixedInt{8, true}})
	recordStatic(uint64le, &node{kind: "Uint64LE", cap: fixedInt{8, false}})
	recordStatic(uvarint, mk("Uvarint"))
	recordStatic(varint, mk("Varint"))
	recordStatic(rest, &node{kind: "Rest", cap: &body[seq.Sequence]{conv: identity, id: true}})
	recordStatic(line, mk("Line"))
}

func uint8p(in *parse.Input) (uint8, error) {
	b, err := in.ReadByte()
	if err != nil {
		return 0, in.NeedMore(1)
	}
	return b, nil
}

func uint16be(in *parse.Input) (uint16, error) {
	if v, ok := in.ReadUint16BE(); ok {
		return v, nil
	}
	return 0, in.NeedMore(2)
}

func uint16le(in *parse.Input) (uint16, error) {
	if v, ok := in.ReadUint16LE(); ok {
		return v, nil
	}
	return 0, in.NeedMore(2)
}

func uint32be(in *parse.Input) (uint32, error) {
	if v, ok := in.ReadUint32BE(); ok {
		return v, nil
	}
	return 0, in.NeedMore(4)
}

func uint32le(in *parse.Input) (uint32, error) {
	if v, ok := in.ReadUint32LE(); ok {
		return v, nil
	}
	return 0, in.NeedMore(4)
}

func uint64be(in *parse.Input) (uint64, error) {
	if v, ok := in.ReadUint64BE(); ok {
		return v, nil
	}
	return 0, in.NeedMore(8)
}

func uint64le(in *parse.Input) (uint64, error) {
	if v, ok := in.ReadUint64LE(); ok {
		return v, nil
	}
	return 0, in.NeedMore(8)
}

// Uvarint reads an unsigned varint in the encoding of
// encoding/binary.AppendUvarint. If the buffered input ends inside the
// varint it asks for more, or, on final input, reports a syntax error
// wrapping [seq.ErrShort]; a varint that overflows 64 bits is a syntax
// error wrapping [seq.ErrOverflow]. Both errors are at the varint's first
// byte.
func Uvarint() parse.TryParse[uint64] { return uvarint }

// Varint reads a zig-zag signed varint in the encoding of
// encoding/binary.AppendVarint, with the streaming behaviour and errors of
// [Uvarint].
func Varint() parse.TryParse[int64] { return varint }

func uvarint(in *parse.Input) (uint64, error) {
	v, err := in.ReadUvarint()
	if err != nil {
		return 0, varintError(in, err)
	}
	return v, nil
}

func varint(in *parse.Input) (int64, error) {
	v, err := in.ReadVarint()
	if err != nil {
		return 0, varintError(in, err)
	}
	return v, nil
}

func varintError(in *parse.Input, err error) error {
	if err == seq.ErrShort && !in.Final() {
		return in.NeedMore(in.Remaining() + 1)
	}
	return &parse.SyntaxError{Offset: in.Offset(), Msg: "invalid varint", Err: err}
}
