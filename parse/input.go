package parse

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicego/sluice/seq"
)

// TryParse looks at the buffered input and has three outcomes:
//
//   - a message: it returns the message and a nil error, having read exactly
//     the message's bytes from in (in.Consumed() is the message's length);
//   - need more input: it returns an error that matches [ErrNeedMore]
//     (usually from [Input.NeedMore]), and what it read is ignored; on
//     final input that means the input ended inside the message, and the
//     error from NeedMore also matches io.ErrUnexpectedEOF, for a caller
//     that runs a TryParse directly on all its input;
//   - malformed input: it returns any other error, usually a
//     [*SyntaxError] from [Input.Errorf], which ends the stream.
//
// A TryParse must be a pure function of the bytes it is shown and of
// [Input.Final]: the message reader calls it again from the same start
// when more bytes arrive, and the result must not depend on how the bytes
// were split. Messages may hold views of the input (seq.Sequence); they
// are valid until the next read from the message reader.
type TryParse[T any] func(in *Input) (T, error)

// Errors of the parse layer.
var (
	// ErrNeedMore is what a TryParse returns, wrapped or not, when the
	// buffered bytes do not yet decide the message. A message reader never
	// returns it.
	ErrNeedMore = errors.New("parse: need more input")
	// ErrTooLarge is matched by the [*SizeError] returned when a message
	// would exceed the reader's maximum message size.
	ErrTooLarge = errors.New("parse: message exceeds the maximum size")
	// ErrNoProgress is returned when a parser reports a message without
	// consuming any byte, which would loop forever.
	ErrNoProgress = errors.New("parse: parser returned a message without consuming input")
	// ErrClosed is returned by a read after Close.
	ErrClosed = errors.New("parse: read after Close")
)

// SyntaxError reports malformed input.
type SyntaxError struct {
	// Offset is the offset in the stream of the byte where the problem was
	// found, counted from the first byte the message reader saw.
	Offset int64
	// Msg says what was expected or found.
	Msg string
	// Err is an underlying error, if any.
	Err error
	// Expected lists what the grammar would have accepted at Offset when
	// the error was assembled from the expectations noted there (the
	// alternatives that failed there, the element that ended a repetition
	// and what followed it, a label: see [Input.Furthest] and [Labeled]):
	// Msg is then "expected " and these joined with " or ". It is nil for
	// an error that a parser made on its own.
	Expected []string
}

// Error describes the problem with its offset.
func (e *SyntaxError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("parse: at offset %d: %s: %v", e.Offset, e.Msg, e.Err)
	}
	return fmt.Sprintf("parse: at offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the underlying error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// SizeError reports a message larger than the maximum message size. It
// matches [ErrTooLarge].
type SizeError struct {
	// Offset is the stream offset of the message's first byte.
	Offset int64
	// Limit is the maximum message size in force.
	Limit int
}

// Error describes the oversized message.
func (e *SizeError) Error() string {
	return fmt.Sprintf("parse: message at offset %d exceeds the maximum size of %d bytes", e.Offset, e.Limit)
}

// Is reports whether target is ErrTooLarge.
func (e *SizeError) Is(target error) bool { return target == ErrTooLarge }

// TruncatedError reports input that ended inside a message. It matches
// [io.ErrUnexpectedEOF].
type TruncatedError struct {
	// Offset is the stream offset of the incomplete message's first byte.
	Offset int64
	// Len is how many bytes of it arrived.
	Len int
}

// Error describes the incomplete message.
func (e *TruncatedError) Error() string {
	return fmt.Sprintf("parse: input ended inside a message: %s at offset %d: %v", byteCount(e.Len), e.Offset, io.ErrUnexpectedEOF)
}

// Unwrap returns io.ErrUnexpectedEOF.
func (e *TruncatedError) Unwrap() error { return io.ErrUnexpectedEOF }

// Input is what a [TryParse] sees: a cursor over the buffered bytes from
// the start of the message (the embedded [seq.Reader]), whether more bytes
// may follow, and the limits and hints of the message reader. Parsers read
// through the cursor; what they read up to a success is the message.
type Input struct {
	seq.Reader

	final bool
	limit int   // the size budget left from this Input's start
	max   int   // the maximum message size, as reported in errors
	base  int64 // stream offset of the buffer's first byte
	start int   // cursor offset of the message's first byte in the buffer
	// msgOff is the message's stream offset ([Input.msg]) less that of
	// in.start: 0 but in an Input that Bounded makes, so that a message
	// reader moving to the next message of a buffer sets start alone.
	msgOff int64

	need  int      // bytes from the start known to be needed; 0 if unknown
	hint  scanHint // the search progress this attempt was given
	short scanHint // the search that ran short in this attempt

	child *Input // kept for Bounded, so that nesting allocates once
	depth int    // nesting levels entered and not yet left (Enter, Leave)

	reps *repeats // a message reader's resume points, shared with Bounded; nil for NewInput

	fail failure // the furthest failure dismissed in this attempt
}

// ScanKey identifies one delimiter search or run in a grammar, so that a
// search resumed in a later attempt uses only its own earlier progress and
// never that of another search that stopped at the same offset. Create one
// per searching parser, when the parser is declared, with [NewScanKey].
type ScanKey struct{ _ byte }

// NewScanKey returns a new key.
func NewScanKey() *ScanKey { return new(ScanKey) }

// scanHint records how far a search starting at a message offset got.
type scanHint struct {
	key *ScanKey
	at  int          // offset, from the Input's start, where the search began
	n   int          // bytes from at searched without success
	pos seq.Position // at + n
}

// RepeatKey identifies one repetition in a grammar (a Many, a Fold, a
// ManyTill, a Count...), so that a repetition resumed in a later attempt
// uses only its own earlier progress and never that of another repetition
// that started at the same offset. Create one per repetition, when the
// parser is declared, with [NewRepeatKey].
type RepeatKey struct{ _ byte }

// NewRepeatKey returns a new key.
func NewRepeatKey() *RepeatKey { return new(RepeatKey) }

// resumePoint is how far a repetition got in an attempt that ran short:
// n complete elements from at to end, and the accumulator after them.
// Offsets are stream offsets, the same in an Input and in the inputs that
// Bounded makes of it.
type resumePoint struct {
	key   *RepeatKey
	msg   int64        // Input.msg: a point of another message is stale
	at    int64        // where the repetition started
	end   int64        // after the n-th element
	pos   seq.Position // end in memory, so that resuming walks no segment
	used  bool         // applied in the attempt under way (given points)
	view  int64        // the end of the bytes the Input showed: a later view must reach it
	depth int          // Input.depth at the repetition's start
	n     int
	acc   any
	fail  failure // the furthest-failure record when the point was made (set: there was one)
}

// repeats holds the resume points of a message reader: those made in the
// attempt under way and those the last attempt on the same message made.
// Points are made innermost first (a repetition records on its way out,
// after the repetitions inside its element), so the next attempt meets
// them from the end of the list: given[next] is the outermost not yet met.
type repeats struct {
	given []resumePoint
	next  int // index in given of the next point to meet; -1: none left
	made  []resumePoint
	start seq.Position // where the message that made made starts in memory

	scratch []scratchEntry // the reader's scratch storage, per key (scratch.go)
}

// any reports whether a point is kept, given or made.
func (r *repeats) any() bool { return len(r.made) != 0 || len(r.given) != 0 || r.next >= 0 }

// clear drops every point, keeping the memory of the lists.
func (r *repeats) clear() {
	clear(r.given)
	clear(r.made)
	r.given, r.made, r.next = r.given[:0], r.made[:0], -1
}

// keep ends an attempt on the message at msg, which starts at start in
// memory and ran short: the points it made are for the next attempt.
func (r *repeats) keep(msg int64, start seq.Position) {
	clear(r.given)
	r.given, r.next = r.given[:0], -1
	made := r.made[:0]
	for _, p := range r.made {
		if p.msg == msg { // a point of an earlier message survives only a parser that swallowed a need for more
			made = append(made, p)
		}
	}
	clear(r.made[len(made):])
	r.made, r.start = made, start
}

// install starts an attempt on the message at msg, whose bytes now start
// at start: the points kept from the last attempt apply if it was on the
// same message and its bytes have not moved. (A stream reader moves a
// short partial message to fresh memory; the views an accumulator holds
// would be stale.)
func (r *repeats) install(msg int64, start seq.Position) {
	old := r.start
	r.given, r.made = r.made, r.given[:0]
	r.next = len(r.given) - 1
	r.start = seq.Position{}
	// The old start's segment is compared before its generation is read:
	// a segment the pipe released may be another reader's by now, and
	// reading it would race with that reader's writes. The message's
	// segments are the reader's while its start has not moved, so the
	// points' positions are read only then.
	if r.next < 0 || r.given[0].msg != msg || !samePlace(old, start) {
		r.clear()
	}
}

// samePlace reports whether old, a position kept from an earlier read,
// names the same byte in memory as now, a position in the buffer the
// reader holds. It compares segments before it reads old's generation, so
// it never reads a segment that is no longer the reader's.
func samePlace(old, now seq.Position) bool {
	return old.Segment() == now.Segment() && old.Offset() == now.Offset() && old.Valid()
}

// ResumeRepeat reports where the repetition identified by k, starting at
// the cursor, got in the last attempt on the same message, so that a long
// message of many parts arriving in small pieces is parsed once rather than
// from its start on every attempt. If that attempt ended with
// [Input.RepeatShort] for k at the same offset (on input that reaches at
// least as far as that attempt's), it moves the cursor past the n elements
// recorded then and returns n, the accumulator after them and true; the
// repetition goes on with element n+1. Otherwise it returns 0, nil, false
// and leaves the cursor alone. The failures the skipped elements dismissed
// are noted again ([Input.Furthest]), so errors are those of a parse from
// the start. A point applies once per attempt. The cursor moves there
// without walking the segments of the skipped elements (the point keeps
// its position in memory), so resuming costs the same however long the
// message has grown: an attempt costs what it parses past the point.
//
// Only a message reader ([Reader], [Consumer]) keeps points between
// attempts; an Input from [NewInput] never has one.
func (in *Input) ResumeRepeat(k *RepeatKey) (n int, acc any, ok bool) {
	if r := in.reps; r == nil || r.next < 0 {
		return 0, nil, false
	}
	return in.resumeRepeat(k)
}

func (in *Input) resumeRepeat(k *RepeatKey) (int, any, bool) {
	r := in.reps
	p := &r.given[r.next]
	at := in.Offset()
	// The depth is checked too: a recursive grammar could reach one
	// repetition at one offset on two levels.
	if p.key != k || p.at != at || p.msg != in.msg() || p.depth != in.depth ||
		in.base+int64(in.Reader.Sequence().Len()) < p.view {
		return 0, nil, false
	}
	r.next--
	p.used = true
	if p.pos.Valid() && !p.pos.IsZero() {
		in.Seek(p.pos) // no walk over the segments of the elements skipped
	} else {
		in.Advance(int(p.end - at))
	}
	if p.fail.set {
		in.adopt(&p.fail, false)
	}
	return p.n, p.acc, true
}

// RepeatShort records, for the next attempt on the message, that the
// repetition identified by k, which started at cursor offset from
// ([Input.Consumed]), read n complete elements up to offset to, where
// its accumulator was acc, and then ran short of input: the element after
// them, or a terminator, needs more. The repetition then returns its need
// for more input, as it would without the record. In the next attempt
// [Input.ResumeRepeat] for k at from returns n and acc and moves the cursor
// to to.
//
// acc must stay valid until then: the message's bytes stay where they are
// between attempts, so views of them in it stay valid (a message reader
// drops the record when they do not). It records nothing on final input,
// with n < 1 or outside a message reader. The record costs an allocation
// only when the attempt runs short, never per element or per message.
func (in *Input) RepeatShort(k *RepeatKey, from, to, n int, acc any) {
	r := in.reps
	if r == nil || in.final || n < 1 || from < 0 || to < from || to > in.Consumed()+in.Remaining() {
		return
	}
	off := in.base + int64(in.start)
	at, end := off+int64(from), off+int64(to)
	r.made = append(r.made, resumePoint{key: k, msg: in.msg(), at: at, end: end, pos: in.positionOf(k, at, end),
		view: in.base + int64(in.Reader.Sequence().Len()), depth: in.depth, n: n, acc: acc})
	if in.live() {
		p := &r.made[len(r.made)-1]
		p.fail = in.fail
		p.fail.more = slices.Clone(in.fail.more) // the live record reuses its memory
	}
}

// positionOf returns the position in memory of end, the stream offset
// where a repetition identified by k, which started at at, ran short.
// It walks no segment when end lies in the cursor's segment, and else
// walks from where k resumed in this attempt, if it did: only over the
// elements read since, each of which is read once in the whole message.
// Only a repetition that did not resume walks from the start of the
// buffer, once per repetition and message.
func (in *Input) positionOf(k *RepeatKey, at, end int64) seq.Position {
	to := int(end - in.base) // the offset Reader.Consumed counts
	if c := in.Reader.Consumed(); to == c {
		return in.Position()
	}
	given := in.reps.given
	for i := range given {
		if p := &given[i]; p.key == k && p.used && p.at == at && p.depth == in.depth && p.end <= end {
			switch {
			case !p.pos.Valid() || p.pos.IsZero():
			case p.end == end:
				return p.pos
			default:
				return seq.Between(p.pos, in.Reader.Sequence().End()).PosAt(int(end - p.end))
			}
			break
		}
	}
	return in.Reader.PositionAt(to)
}

// NewInput returns an Input over buf, for testing a parser directly or for
// parsing a buffer a caller already holds. final says whether buf is all
// the input; limit is the maximum message size (0: DefaultMaxMessageSize).
func NewInput(buf seq.Sequence, final bool, limit int) *Input {
	if limit <= 0 {
		limit = DefaultMaxMessageSize
	}
	return &Input{Reader: seq.NewReader(buf), final: final, limit: limit, max: limit}
}

// msg reports the stream offset of the message's first byte.
func (in *Input) msg() int64 { return in.base + int64(in.start) + in.msgOff }

// Final reports whether the buffered bytes are all the input there will
// be. A parser that finds the buffer ends where an optional or repeated
// element might continue must ask for more unless the input is final.
func (in *Input) Final() bool { return in.final }

// Resumed reports whether this attempt was given the progress of an
// earlier attempt on the same message: a search ([Input.ScanShort]) or a
// repetition ([Input.RepeatShort]) that ran short, which the parsers that
// made it resume. A fast path that would scan the message from its start
// again (the combinators' fused scans of the cursor's span) stands aside
// then, so that a message arriving in small pieces is still scanned once.
func (in *Input) Resumed() bool {
	return in.hint.key != nil || in.reps != nil && in.reps.next >= 0
}

// Limit reports the maximum message size in force.
func (in *Input) Limit() int { return in.limit }

// Offset reports the stream offset of the cursor, as a [SyntaxError]
// reports it.
func (in *Input) Offset() int64 { return in.base + int64(in.Reader.Consumed()) }

// Consumed reports how many bytes of the message have been read: the
// message's length once a parser succeeds. (The message reader keeps one
// cursor over a buffer for all the messages in it; this counts from the
// message's start.)
func (in *Input) Consumed() int { return in.Reader.Consumed() - in.start }

// Sequence returns the buffered bytes from the message's start.
func (in *Input) Sequence() seq.Sequence {
	if in.start == 0 {
		return in.Reader.Sequence()
	}
	if s := in.Reader.Sequence(); s.IsSingleSegment() {
		return s.From(in.start) // the common case, without a walk or a call
	}
	// No walk when the message starts in the cursor's segment.
	return seq.Between(in.Reader.PositionAt(in.start), in.Reader.Sequence().End())
}

// NeedMore returns [ErrNeedMore] for a parser to return, noting that the
// message needs at least n bytes beyond the cursor (n <= 0: unknown). A
// message reader then waits for that many bytes before calling the parser
// again, so a declared length is waited for in one piece, and reports a
// [*SizeError] at once if they cannot fit the limit and its one byte of
// lookahead (see [Options]). A count of bytes already buffered is
// ignored: the reader waits for any new byte. On final input the error
// also matches io.ErrUnexpectedEOF (a message reader reports a
// [*TruncatedError]).
func (in *Input) NeedMore(n int) error {
	if n > 0 {
		in.need = max(in.need, in.Consumed()+min(n, in.limit+1))
	}
	return in.needMore()
}

// needMore returns ErrNeedMore, or on final input errEnd.
func (in *Input) needMore() error {
	if in.final {
		return errEnd
	}
	return ErrNeedMore
}

// endError is the need for more input on final input: the input ended
// inside a message. It matches [ErrNeedMore], which is what a TryParse
// returns, and io.ErrUnexpectedEOF, which is what it means to a caller
// that runs a TryParse on all its input without a message reader (a
// message reader reports a [*TruncatedError] instead).
type endError struct{}

func (endError) Error() string {
	return "parse: need more input, and the input is final: " + io.ErrUnexpectedEOF.Error()
}

func (endError) Is(target error) bool { return target == ErrNeedMore }

func (endError) Unwrap() error { return io.ErrUnexpectedEOF }

// errEnd is the one endError.
var errEnd error = endError{}

// TooLarge returns the [*SizeError] for the message being parsed, for a
// parser that learns from a declared length that the message exceeds the
// limit.
func (in *Input) TooLarge() error {
	return &SizeError{Offset: in.msg(), Limit: in.max}
}

// Errorf returns a [*SyntaxError] at the cursor. A message reader reports
// the furthest failure of the attempt instead if one was dismissed further
// on (see [Input.Furthest]).
func (in *Input) Errorf(format string, args ...any) error {
	return &SyntaxError{Offset: in.Offset(), Msg: fmt.Sprintf(format, args...)}
}

// Scanned reports how many bytes from the cursor the search identified by
// k already examined without success in an earlier attempt on the same
// message, so that it resumes instead of starting over and a long message
// arriving in small pieces is scanned once. It is 0 unless the last attempt
// on this message ended with [Input.ScanShort] for k at the same cursor
// offset, and the bytes it examined are all shown to this Input (a bound
// shorter than the input that search ran on gets 0). [Input.ScanRest] gives
// the bytes from there.
func (in *Input) Scanned(k *ScanKey) int {
	if in.hint.key != k {
		return 0 // the common case, inlined: no search of k to resume
	}
	return in.scanned()
}

// scanned is Scanned once the hint is k's.
func (in *Input) scanned() int {
	if h := &in.hint; h.at == in.Consumed() && h.n <= in.Remaining() {
		return h.n
	}
	return 0
}

// ScanRest returns the unread bytes from the point where an earlier search
// identified by k, starting at the cursor, stopped (see [Input.Scanned]),
// or all the unread bytes if there was none. It does not walk the chain of
// segments, so resuming costs nothing however long the message has grown.
func (in *Input) ScanRest(k *ScanKey) seq.Sequence {
	rest := in.Rest()
	h := &in.hint
	if h.key != k || h.at != in.Consumed() || h.n == 0 || h.n > rest.Len() {
		// No progress of k here, or progress made on a longer view than
		// this one: a search that ran short on the whole input, met again
		// inside a shorter bound at the same offset.
		return rest
	}
	if !h.pos.IsZero() && h.pos.Valid() {
		return seq.Between(h.pos, rest.End())
	}
	// The pipe reader moved the partial message to fresh memory (a stream
	// reader does that with short ones; the message reader then drops the
	// position): find the point again by offset.
	return rest.From(min(h.n, rest.Len()))
}

// ScanShort returns [ErrNeedMore] for the search identified by k that
// started at the cursor and examined n bytes without finding its end; in
// the next attempt [Input.Scanned] returns n for k at the same offset and
// [Input.ScanRest] the bytes after them. A search for a delimiter of d bytes
// that scanned to the end of the buffer passes n = Rest().Len() - (d-1),
// since a delimiter may begin in the last d-1 bytes. If the search already
// passed the limit it returns the [*SizeError] instead.
func (in *Input) ScanShort(k *ScanKey, n int) error {
	at := in.Consumed()
	if at+n > in.limit {
		return in.TooLarge()
	}
	rest := in.Rest()
	n = max(0, min(n, rest.Len()))
	var pos seq.Position
	if rest.IsSingleSegment() { // the common case, without a call
		pos = rest.Last(rest.Len() - n).Start()
	} else {
		pos = in.scanPos(k, at, rest, n)
	}
	in.short = scanHint{key: k, at: at, n: n, pos: pos}
	return in.needMore()
}

// scanPos returns the position n bytes into rest, the unread bytes from
// cursor offset at, where the search identified by k stopped. It walks no
// segment when the point lies in the last one (the search ran to the end
// of the buffer but for a delimiter's length), and else walks from where
// the last attempt's search of k stopped, over the bytes that arrived
// since: never from the cursor again on every attempt, which would cost
// a long element's length each time.
func (in *Input) scanPos(k *ScanKey, at int, rest seq.Sequence, n int) seq.Position {
	if tail := rest.Len() - n; tail <= rest.End().Offset() {
		// The point lies in the last segment, which Last reaches
		// without a walk.
		return rest.Last(tail).Start()
	}
	if h := &in.hint; h.key == k && h.at == at && h.n <= n && h.pos.Valid() && !h.pos.IsZero() {
		return seq.Between(h.pos, rest.End()).PosAt(n - h.n)
	}
	return rest.PosAt(n)
}

// Enter records that a parser goes one level deeper into a nested value
// and returns the new depth: 1 for the outermost level of a message. Pair
// every Enter with one [Input.Leave] when that level returns, with or
// without an error. The count is the message's: an Input that [Bounded]
// makes goes on from the depth of the Input it bounds, and a message reader
// starts every message at 0. combinators.Fix bounds the nesting of a
// recursive grammar with it; a hand-written recursive parser can do the
// same, so that a peer that nests a million levels costs one error, not a
// million stack frames.
func (in *Input) Enter() int {
	in.depth++
	return in.depth
}

// Leave undoes the last [Input.Enter].
func (in *Input) Leave() { in.depth-- }

// Bounded runs p on at most the next n bytes of in, as if they were all the
// input when n bytes are buffered (the bound is reached, so nothing more can
// come within it), and on what is buffered, with in's finality, when fewer
// are. On success in moves past what p read. It is the building block of
// length-prefixed framing and of a bound on what a sub-parser may examine:
// a delimiter search inside Bounded cannot run past the bound. Failures p
// backtracked from ([Input.Dismiss]) count in in's record, except that an
// element that ran into a reached bound did not run into the end of the
// input.
func Bounded[T any](in *Input, n int, p TryParse[T]) (T, error) {
	var rest seq.Sequence
	final, bounded := true, true
	if uint(n) <= uint(len(in.Span())) {
		rest = in.SpanSeq(n) // within the current segment: no walk
	} else {
		rest = in.Rest()
		final, bounded = in.final, rest.Len() >= n
		if bounded {
			rest, final = rest.Slice(0, n), true
		}
	}
	sub := in.child
	if sub == nil {
		sub = new(Input)
	}
	in.child = nil // a nested Bounded gets its own
	at := in.Consumed()
	// Field by field: a whole Input literal costs more than the parse of a
	// small frame.
	sub.Reader.Init(rest)
	sub.final, sub.limit, sub.max = final, in.limit-at, in.max
	sub.base, sub.msgOff, sub.start, sub.need = in.Offset(), in.msg()-in.Offset(), 0, 0
	if sub.hint.key != nil {
		sub.hint = scanHint{}
	}
	if sub.short.key != nil {
		sub.short = scanHint{}
	}
	if h := in.hint; h.key != nil && h.at >= at {
		h.at -= at
		sub.hint = h // a search inside the bound resumes too
	}
	sub.fail.set = false
	sub.depth = in.depth
	sub.reps = in.reps // stream offsets: a repetition inside the bound resumes too
	v, err := p(sub)
	if sub.fail.set {
		in.adopt(&sub.fail, bounded)
	}
	switch {
	case err == nil:
		in.Advance(sub.Consumed())
	case errors.Is(err, ErrNeedMore) && bounded:
		// The bound was reached: no byte can come to complete p.
		err = &SyntaxError{Offset: in.Offset(), Msg: fmt.Sprintf("element ends past its bound of %d bytes", n)}
	case errors.Is(err, ErrNeedMore):
		if sub.need > 0 {
			in.need = max(in.need, at+sub.need)
		}
		if h := sub.short; h.key != nil {
			h.at += at
			in.short = h
		}
	}
	sub.Reader = seq.Reader{}
	in.child = sub
	return v, err
}

// failure is the furthest failure that parsers dismissed (backtracked
// from) in one parse attempt: an alternative that did not match, the
// element that ended a repetition, an optional element that was absent.
// It is what [Input.Furthest] reports when the attempt fails nearer. It
// holds no error value of its own until one is asked for: the
// expectations are the static strings the parsers named.
type failure struct {
	set  bool
	eof  bool  // final input ended at off inside a dismissed element
	msg  int64 // Input.msg when recorded: a record of another message is stale
	off  int64 // stream offset of the failure
	n    int   // expectations at off: exp[:min(n, len(exp))], then more
	exp  [4]string
	more []string
	err  error // the first error dismissed at off that names no expectation
	made error // the error that stands for the record, until it changes
}

// live reports whether in holds a failure recorded in this attempt.
func (in *Input) live() bool { return in.fail.set && in.fail.msg == in.msg() }

// failAt prepares the record for a failure at the stream offset off and
// reports whether that failure counts: it is at least as far as the
// furthest one so far (which it replaces if further), and that is not the
// end of the input.
func (in *Input) failAt(off int64) bool {
	f := &in.fail
	switch {
	case !in.live() || off > f.off:
		f.reset(in.msg(), off)
		return true
	case off < f.off || f.eof:
		return false
	}
	return true
}

// reset makes the record that of a failure at off in the message at msg,
// with nothing noted yet. It writes only what holds something: a repetition
// that stops at each element resets it once per element.
func (f *failure) reset(msg, off int64) {
	f.set, f.eof, f.msg, f.off, f.n = true, false, msg, off, 0
	if f.err != nil || f.made != nil {
		f.err, f.made = nil, nil
	}
	if len(f.more) != 0 {
		f.more = f.more[:0]
	}
}

// add adds the expectation what, if new.
func (f *failure) add(what string) {
	for i := range min(f.n, len(f.exp)) {
		if f.exp[i] == what {
			return
		}
	}
	for _, w := range f.more {
		if w == what {
			return
		}
	}
	if f.n < len(f.exp) {
		f.exp[f.n] = what
	} else {
		f.more = append(f.more, what)
	}
	f.n++
	f.made = nil
}

// truncate drops the expectations after the first n.
func (f *failure) truncate(n int) {
	if n < f.n {
		f.n = n
		f.more = f.more[:max(0, n-len(f.exp))]
		f.made = nil
	}
}

// expectations returns the expectations, in the order they were noted.
func (f *failure) expectations() []string {
	out := make([]string, 0, f.n)
	out = append(out, f.exp[:min(f.n, len(f.exp))]...)
	return append(out, f.more...)
}

// error returns the error that stands for the record: a truncation
// (errEnd, which a message reader reports as a [*TruncatedError]),
// the one error dismissed there if it says everything, or a
// [*SyntaxError] that merges the expectations.
func (f *failure) error() error {
	switch {
	case f.eof:
		return errEnd
	case f.made != nil:
		return f.made
	case f.n == 0:
		return f.err
	}
	exps := f.expectations()
	f.made = &SyntaxError{Offset: f.off, Msg: "expected " + strings.Join(exps, " or "), Err: f.err, Expected: exps}
	return f.made
}

// adopt merges into in's record f, the record of a sub-input of in for a
// bound. The end of a reached bound is not the end of the input: an
// element that ran into it is not a truncation, and is left out.
func (in *Input) adopt(f *failure, bounded bool) {
	switch {
	case f.eof && bounded:
	case f.eof:
		in.noteEnd()
	case in.failAt(f.off):
		fresh := in.fail.n == 0 && in.fail.err == nil
		for _, w := range f.exp[:min(f.n, len(f.exp))] {
			in.fail.add(w)
		}
		for _, w := range f.more {
			in.fail.add(w)
		}
		if in.fail.err == nil && f.err != nil {
			in.fail.err = f.err
			in.fail.made = nil
		}
		if fresh {
			in.fail.made = f.made
		}
	}
}

// noteEnd records that a dismissed element ran into the end of final input.
func (in *Input) noteEnd() {
	f := &in.fail
	if in.live() && f.eof {
		return
	}
	f.reset(in.msg(), in.base+int64(in.Reader.Sequence().Len()))
	f.eof = true
}

// noteSyntax records the dismissed syntax error se at its offset.
func (in *Input) noteSyntax(se *SyntaxError, err error) {
	if !in.failAt(se.Offset) {
		return
	}
	f := &in.fail
	fresh := f.n == 0 && f.err == nil
	switch {
	case se.Expected != nil:
		for _, w := range se.Expected {
			f.add(w)
		}
		if se.Err != nil && f.err == nil {
			f.err = se.Err
		}
	case se.Err == nil && strings.HasPrefix(se.Msg, "expected "):
		f.add(se.Msg[len("expected "):])
	case f.err == nil:
		f.err = err
		f.made = nil
	}
	if fresh {
		f.made = err // it says everything the record holds
	}
}

// Dismiss records err, the failure of an element that the caller is about
// to backtrack from (an alternative that did not match, the element that
// ends a repetition, an optional element found absent), so that if the
// parse attempt fails later, nearer the start, the error reported is this
// one ([Input.Furthest]). A [*SyntaxError] counts at its offset, with its
// expectation ("expected X"); a need for more input on final input counts
// as the input ending inside the element, at the end of the input; any
// other error except a size error counts at the cursor. Only the furthest
// failures are kept, and their expectations are merged. Dismissing costs no
// allocation: the error that merges them is made only if it is reported.
// The record belongs to the parse attempt: a message reader starts each
// attempt without one.
func (in *Input) Dismiss(err error) {
	if se, ok := err.(*SyntaxError); ok {
		in.noteSyntax(se, err)
		return
	}
	switch {
	case err == nil:
	case err == ErrNeedMore || errors.Is(err, ErrNeedMore):
		if in.final {
			in.noteEnd()
		}
	case errors.Is(err, ErrTooLarge):
	default:
		var se *SyntaxError
		if errors.As(err, &se) {
			in.noteSyntax(se, err)
		} else if in.failAt(in.Offset()) && in.fail.err == nil {
			in.fail.err, in.fail.made = err, nil
			if in.fail.n == 0 {
				in.fail.made = err
			}
		}
	}
}

// Expect records that what (a static description such as `'+'` or
// "header line", without "expected") was expected at the cursor and not
// found, for a parser that ruled an element out without running it (by its
// first byte). It is [Input.Dismiss] of the error "expected <what>" at the
// cursor, without making that error.
func (in *Input) Expect(what string) {
	in.expectAt(in.Offset(), what)
}

// ExpectAt is [Input.Expect] n bytes after the cursor: it records that what
// was expected there, for a parser that ruled an element out by a byte it
// looked at ahead of the cursor without moving it (a repetition scanned in
// the cursor's span notes what its terminator expected where the last
// element began, as the repetition run element by element does).
func (in *Input) ExpectAt(n int, what string) {
	in.expectAt(in.Offset()+int64(n), what)
}

func (in *Input) expectAt(off int64, what string) {
	f := &in.fail
	switch {
	case what == "":
	case !f.set || f.msg != in.msg() || off > f.off:
		// The common case, a repetition stopping further on than the last
		// failure: the record starts over with this one expectation.
		f.reset(in.msg(), off)
		f.exp[0], f.n = what, 1
	case off == f.off && !f.eof:
		f.add(what)
	}
}

// Furthest returns the error a parse attempt reports when it fails with
// err, by the rule of the parsec family: the furthest failure wins. If an
// element dismissed earlier in the attempt ([Input.Dismiss],
// [Input.Expect]) failed further on than err, that failure is reported
// instead; one at the same offset merges its expectations with err's
// ("expected X or Y", listed in [SyntaxError.Expected]), unless err names
// a fault rather than an expectation (an Err, or a Msg that does not start
// with "expected "), which is returned as it is. If the furthest
// failure is the end of final input, the result is a need for more input
// (matching [ErrNeedMore] and io.ErrUnexpectedEOF), which a message reader
// reports as a [*TruncatedError]: input that ends inside a message is a
// truncation however the grammar backtracked. A need for more
// input, size errors and errors other than a [*SyntaxError] are returned
// unchanged. With a nil err it returns the furthest failure recorded, or
// nil if there is none.
//
// The combinators apply it to every error they return, and a message
// reader to the error of every attempt; a hand-written TryParse that calls
// combinators and then fails on its own gets the rule from the message
// reader, or, when called directly, by returning in.Furthest(err).
func (in *Input) Furthest(err error) error {
	if !in.fail.set {
		return err
	}
	return in.furthest(err)
}

func (in *Input) furthest(err error) error {
	if !in.live() {
		return err
	}
	f := &in.fail
	if err == nil {
		return f.error()
	}
	se, ok := err.(*SyntaxError)
	if !ok {
		return err
	}
	switch {
	case f.eof:
		return errEnd
	case se.Offset > f.off:
		return err
	case se.Offset == f.off:
		if se.Expected == nil && (se.Err != nil || !strings.HasPrefix(se.Msg, "expected ")) {
			return err // a fault found there, more precise than what else might have been
		}
		in.noteSyntax(se, err)
	}
	return f.error()
}

// Labeled runs p and names what it parses what: the expectations that p
// noted at its start offset (its own syntax error there, and those of the
// elements it dismissed there, such as alternatives) become the one
// expectation "what", so a syntax error p returns at its start is
// "expected <what>". Failures further in are p's own and pass through, as
// do a need for more input and size errors. It is the building block of
// combinators.Label.
func Labeled[T any](in *Input, what string, p TryParse[T]) (T, error) {
	off := in.Offset()
	f := &in.fail
	keep, kept := 0, error(nil) // the record at off before p
	if in.live() && f.off == off && !f.eof {
		keep, kept = f.n, f.err
	}
	v, err := p(in)
	if err != nil {
		if !errors.As(err, new(*SyntaxError)) {
			return v, in.Furthest(err)
		}
		err = in.Furthest(err)
		se, ok := err.(*SyntaxError)
		if !ok || se.Offset != off {
			return v, err
		}
		in.failAt(off)
	} else if !in.live() || f.off != off || f.eof || f.n == keep && (kept != nil || f.err == nil) {
		// p noted nothing at its start. (A record only moves further on,
		// so one at off after p is the one before it, or p's; p adds to it
		// or sets its error if it had none.)
		return v, nil
	}
	f.truncate(keep)
	f.err = kept
	f.made = nil
	f.add(what)
	if err != nil {
		return v, f.error()
	}
	return v, nil
}

// byteCount says n bytes in words: "1 byte", "2 bytes".
func byteCount(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.Itoa(n) + " bytes"
}
