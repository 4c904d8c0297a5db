package pipe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/sluicego/sluice/seq"
)

// Default values of [ReaderOptions] and [WriterOptions].
const (
	defaultReadBufferSize  = 4 << 10
	defaultMinReadSize     = 1 << 10
	defaultMinBufferSize   = 4 << 10
	maxConsecutiveEmptyRds = 100
)

// ReaderOptions configure a reader made by [NewReader]. The zero value gives
// the defaults.
type ReaderOptions struct {
	// BufferSize is the size of the segments the reader reads into. Zero
	// means 4 KiB, and segments as large as a message that a ReadAtLeast
	// waits for (up to 1 MiB) while such messages come, so that a long
	// message arrives in one segment (see [NewReader]).
	BufferSize int
	// MinReadSize is the least free space a read from the source is given:
	// when the last segment has less, a new segment is taken. Zero means
	// 1 KiB, or BufferSize if that is smaller. It must
	// not exceed BufferSize.
	MinReadSize int
	// Pool supplies the segments. Nil means DefaultPool.
	Pool Pool
	// LeaveOpen keeps the source open when the reader completes. When it is
	// false, Complete closes the source if it is an [io.Closer].
	LeaveOpen bool
}

func (o ReaderOptions) sizes() (bufSize, minRead int) {
	bufSize, minRead = o.BufferSize, o.MinReadSize
	if bufSize == 0 {
		bufSize = defaultReadBufferSize
	}
	if minRead == 0 {
		minRead = min(defaultMinReadSize, bufSize)
	}
	return bufSize, minRead
}

// Validate reports whether the options are consistent.
func (o ReaderOptions) Validate() error {
	bufSize, minRead := o.sizes()
	switch {
	case o.BufferSize < 0:
		return fmt.Errorf("pipe: negative BufferSize %d", o.BufferSize)
	case o.MinReadSize < 0:
		return fmt.Errorf("pipe: negative MinReadSize %d", o.MinReadSize)
	case minRead > bufSize:
		return fmt.Errorf("pipe: MinReadSize %d exceeds BufferSize %d", minRead, bufSize)
	case bufSize > seq.MaxSegment:
		return fmt.Errorf("pipe: BufferSize %d exceeds seq.MaxSegment", bufSize)
	}
	return nil
}

// NewReader returns a [Reader] over src, the analogue of .NET's
// PipeReader.Create(Stream). It panics if src is nil or the options are
// invalid (see [ReaderOptions.Validate]).
//
// The reader is synchronous: it starts no goroutine, and reads from src only
// inside Read, ReadAtLeast (never TryRead), on the caller's goroutine. A Read
// returns the buffered bytes at once if some are unexamined; otherwise it makes
// one src.Read into pooled memory and returns what arrived. A source that
// returns (0, nil) 100 times in a row makes the read fail with
// [io.ErrNoProgress]. When src returns [io.EOF] the result is Completed, and
// so is every later one. Any other error from src is returned with the
// buffered bytes by this read and every later one; bytes src returned in
// the same call as the error are among them (an io.Reader may return n > 0
// with an error, as [testing/iotest.DataErrReader] does).
//
// Cancellation: ctx is checked before src is read (not at all when it is
// [context.Background] or [context.TODO], which cannot end), but a blocking src.Read
// cannot be interrupted in general. If src has a method
// SetReadDeadline(time.Time) error, as [net.Conn] does, the reader uses it to
// interrupt a blocking read when ctx ends or CancelPendingRead is called: it
// sets a deadline in the past, and clears the deadline (to none) when the read
// has returned, so any deadline the caller set on src is lost after such an
// interruption. An interrupted read loses no data and leaves the reader
// usable; it returns ctx.Err(), or a result with Canceled set.
//
// Segments: a ReadAtLeast(n) whose n bytes would not fit the room left in
// the last segment, but would fit a new one with the unconsumed bytes
// moved to its start, moves them (when they fill at most half of it), so
// that a message whose length a parser declared arrives in one segment.
// With the default BufferSize, a message longer than 4 KiB makes the reader
// take segments of its power-of-two size (up to 1 MiB) from then on, reused
// in place as a bufio.Reader's buffer is, until it has read a few of them
// with no such message; then segments are 4 KiB again.
//
// The reader owns src until Complete, which frees the segments and closes src
// unless LeaveOpen is set.
func NewReader(src io.Reader, opts ReaderOptions) Reader {
	if src == nil {
		panic("pipe: NewReader with a nil io.Reader")
	}
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	r := &streamReader{
		src:       src,
		pool:      opts.Pool,
		leaveOpen: opts.LeaveOpen,
		poison:    poisonByDefault,
		state:     stNoTail,
	}
	r.bufSize, r.minRead = opts.sizes()
	r.segSize = r.bufSize
	r.grow = opts.BufferSize == 0
	if r.pool == nil {
		r.pool = DefaultPool
	}
	if dl, ok := src.(readDeadliner); ok {
		r.dl = dl
		r.interruptFn = r.interrupt
		r.state |= stDeadlines
	}
	return r
}

type readDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// States of streamReader.reading, which coordinates interrupting a blocking
// src.Read through its read deadline.
const (
	srcIdle         int32 = iota // no src.Read in progress
	srcReading                   // in src.Read, interruptible
	srcInterrupting              // a deadline in the past is being set
	srcInterrupted               // the deadline is set; the reader must clear it
)

// aLongTimeAgo is a deadline that has passed.
var aLongTimeAgo = time.Unix(1, 0)

// errInterrupted reports internally that a read was interrupted through the
// source's deadline; it never reaches the caller.
var errInterrupted = errors.New("pipe: read interrupted")

// Flags of streamReader.state. Any flag set keeps Read and AdvanceTo off
// their steady-state short paths, which test the one word.
const (
	stActive    uint32 = 1 << iota // a result was handed out; AdvanceTo is due
	stDone                         // Complete was called
	stEOF                          // src returned io.EOF
	stFailed                       // src returned an error, kept in err
	stDeadlines                    // src has read deadlines (dl is set)
	stNoTail                       // no segment taken yet (tail is nil)
	stUneven                       // the buffer may span segments or hold unexamined bytes
)

// stUneven is set when a segment is linked after the last one and by an
// AdvanceTo that leaves several segments or unexamined bytes; an AdvanceTo
// that leaves one segment, all examined, clears it. Set, it may be stale
// (the flag errs only towards the general paths), so that Read's and
// AdvanceTo's short paths test one word instead of the chain.

// streamReader is the Reader made by NewReader. All fields but cancel and
// reading belong to the goroutine using the reader.
type streamReader struct {
	state uint32 // st* flags

	// The buffered bytes run from start (offset startOff of head) to end,
	// the end of the bytes of endSeg: every byte read is committed to the
	// last segment, and a segment's length is final once another follows.
	// head and endSeg are nil before the first segment is taken. tail is
	// the last segment of the chain, into which the source is read; it may
	// follow endSeg. endSeg is head's segment or follows it (start is not
	// after end, and a start at the end of a segment is moved to the next
	// only when bytes follow), so when head is the last segment, endSeg is
	// too. The positions and the sequence of the buffered bytes are made
	// from these when a result is handed out (see buffer), not kept up to
	// date by every read and AdvanceTo: a position carries its segment's
	// generation, which no buffered segment changes.
	tail     *seq.Segment
	head     *seq.Segment
	endSeg   *seq.Segment
	startOff int
	startIdx int64 // running index of start
	endIdx   int64 // running index of end: bytes read so far
	examined int64 // running index of the examined position

	src         io.Reader
	minRead     int
	poison      bool
	dl          readDeadliner // src, if it has deadlines
	interruptFn func()        // r.interrupt, bound once
	pool        Pool
	bufSize     int
	segSize     int   // the size of the segments taken now: bufSize, or more (see space)
	wideEnd     int64 // endIdx when a ReadAtLeast last needed more than bufSize
	grow        bool  // segSize may grow: BufferSize was left to the default
	leaveOpen   bool
	spare       *seq.Segment // a recycled segment kept for the next one needed
	empty       int          // source reads in a row that returned nothing
	err         error        // sticky error from src (stFailed)

	cancel  atomic.Bool
	reading atomic.Int32
}

func (r *streamReader) stateErr() error {
	if r.state&stDone != 0 {
		return ErrReaderCompleted
	}
	return ErrReadInProgress
}

// ready reports whether a read needing n unconsumed bytes (0: any unexamined
// byte) can return now.
func (r *streamReader) ready(n int) bool {
	switch {
	case r.state&(stFailed|stEOF) != 0 || r.cancel.Load():
		return true
	case n > 0:
		return r.endIdx-r.startIdx >= int64(n)
	default:
		return r.endIdx > r.examined
	}
}

// buffer returns the buffered bytes as a sequence: a slice of one segment
// in the common case, without walking or re-validating the chain.
func (r *streamReader) buffer() seq.Sequence {
	s := r.head
	switch {
	case s == nil:
		return seq.Sequence{}
	case s == r.endSeg:
		return s.Slice(r.startOff, s.Len())
	}
	return seq.Between(s.Pos(r.startOff), r.endSeg.Pos(r.endSeg.Len()))
}

// result builds the result of a read that is ready. It is built once, at
// the end, because a Result is too large to travel cheaply between calls.
func (r *streamReader) result() (Result, error) {
	switch {
	case r.cancel.Load() && r.cancel.Swap(false):
		r.state |= stActive
		return Result{Buffer: r.buffer(), Canceled: true, Completed: r.state&(stEOF|stFailed) == stEOF}, nil
	case r.state&stFailed != 0:
		return Result{Buffer: r.buffer(), Completed: true}, r.err
	}
	r.state |= stActive
	return Result{Buffer: r.buffer(), Completed: r.state&stEOF != 0}, nil
}

// Read implements [Reader.Read].
func (r *streamReader) Read(ctx context.Context) (Result, error) {
	// The common case, made without calls but the two it needs: no flag
	// set (nothing sticky, no result out, no deadlines, a segment taken),
	// the buffer in the last segment and all of it examined, nothing
	// pending, and room in the last segment. One source read that returns
	// bytes then makes the result, of that segment. Whatever else happens
	// is left to read, which sees the state this read left.
	// No flag set means, stUneven included, that the buffer lies in the
	// last segment and every byte of it was examined.
	if r.state != 0 || r.cancel.Load() {
		return r.read(ctx)
	}
	t := r.tail
	if !uncancelable(ctx) {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
	}
	if buf := t.Available(); len(buf) >= r.minRead {
		n, err := r.src.Read(buf)
		// The state is looked at again in case src.Read completed the
		// reader, which took t away: then the general path fails as
		// before, instead of committing into a pooled segment.
		if err == nil && uint(n-1) < uint(len(buf)) && r.state == 0 {
			// head is t, so the end is in t too.
			b := t.CommitSlice(n, r.startOff)
			r.endIdx += int64(n)
			if !r.cancel.Load() {
				r.state = stActive
				return Result{Buffer: b}, nil
			}
		} else if r.state&stDone == 0 && !r.took(n, err, len(buf)) {
			// An empty read: go on as readOnce would, counting this
			// one, without checking ctx in between. (A reader that
			// src.Read completed has no segment to commit to: read
			// reports it.)
			r.empty++
			r.readOnce(ctx, 0)
		}
	}
	return r.read(ctx)
}

// read is Read but for its common case.
func (r *streamReader) read(ctx context.Context) (Result, error) {
	if r.state&(stDone|stActive) != 0 {
		return Result{}, r.stateErr()
	}
	for !r.ready(0) {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		r.readOnce(ctx, 0)
	}
	return r.result()
}

// uncancelable reports whether ctx is context.Background or context.TODO,
// whose Err is nil for ever, by its type word alone: two comparisons with
// constants where ctx.Err is a dynamic call. (Asking other contexts whether
// Done is nil would make a context.WithCancel allocate its channel.)
func uncancelable(ctx context.Context) bool {
	tab := (*iface)(unsafe.Pointer(&ctx)).tab
	return tab == backgroundTab || tab == todoTab
}

// iface is the layout of an interface value: its type word and its data
// word.
type iface struct{ tab, data unsafe.Pointer }

// The type words of context.Background and context.TODO as a
// context.Context.
var backgroundTab, todoTab = typeWord(context.Background()), typeWord(context.TODO())

func typeWord(ctx context.Context) unsafe.Pointer { return (*iface)(unsafe.Pointer(&ctx)).tab }

// ReadAtLeast implements [Reader.ReadAtLeast].
func (r *streamReader) ReadAtLeast(ctx context.Context, n int) (Result, error) {
	if r.state&(stDone|stActive) != 0 {
		return Result{}, r.stateErr()
	}
	n = max(n, 1)
	for !r.ready(n) {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		r.readOnce(ctx, n-int(r.endIdx-r.startIdx))
	}
	return r.result()
}

// TryRead implements [Reader.TryRead]. It never reads from the source.
func (r *streamReader) TryRead() (Result, bool, error) {
	if r.state&(stDone|stActive) != 0 {
		return Result{}, false, r.stateErr()
	}
	if !r.ready(0) {
		return Result{}, false, nil
	}
	res, err := r.result()
	return res, true, err
}

// readOnce makes one read from the source that returns bytes or an error,
// retrying reads that return neither until maxConsecutiveEmptyRds of them
// were made in a row (r.empty counts them, starting with Read's first try if
// it was empty; it is zero again when readOnce returns).
// An interrupted read returns with neither recorded. want is how many more
// bytes a ReadAtLeast waits for, 0 for any (see space).
func (r *streamReader) readOnce(ctx context.Context, want int) {
	buf := r.space(want)
	for {
		var n int
		var err error
		if r.dl == nil {
			n, err = r.src.Read(buf)
		} else {
			n, err = r.readInterruptible(ctx, buf)
		}
		if r.took(n, err, len(buf)) {
			r.empty = 0
			return
		}
		if r.empty++; r.empty >= maxConsecutiveEmptyRds {
			r.empty = 0
			r.fail(io.ErrNoProgress)
			return
		}
	}
}

// commit makes n bytes read into the free space of t, the last segment,
// buffered.
func (r *streamReader) commit(t *seq.Segment, n int) {
	t.Commit(n)
	r.endIdx += int64(n)
	if r.endSeg != t {
		r.endSeg = t
	}
}

// fail records err, an error from the source, as sticky.
func (r *streamReader) fail(err error) {
	r.err = err
	r.state |= stFailed
}

// took records what one source read into the size bytes free in the last
// segment returned, and reports whether it ends the read: bytes arrived, an
// error did, or the read was interrupted.
func (r *streamReader) took(n int, err error, size int) bool {
	if uint(n) > uint(size) {
		panicReadCount(n, size)
	}
	if n > 0 {
		r.commit(r.tail, n)
	}
	switch {
	case err == errInterrupted:
		return true
	case err == io.EOF:
		r.state |= stEOF
		return true
	case err != nil:
		r.fail(err)
		return true
	}
	return n > 0
}

// space returns the free space to read into: that of the last segment if it
// has at least minRead bytes, else that of a new segment. When the bytes
// left unconsumed are few and all in the last segment, they are copied to
// the start of the new segment instead of linking it: a partial message of
// at most a quarter of a segment costs one small copy, and parsers keep
// seeing single-segment buffers, which is their fast path. Longer partial
// messages are linked, never copied, so reading stays linear.
//
// want is how many more bytes a ReadAtLeast waits for (0 for a Read): the
// unconsumed bytes and want make the message a parser declared. When the
// last segment has no room for want but a new segment would hold the whole
// message, and the unconsumed bytes lie in the last segment alone and fill
// no more than half of the new one, they are copied to its start, so that
// the message arrives in one segment, each of its bytes copied at most once
// more. With the default BufferSize, a message longer than bufSize (up to
// maxHintSegment) makes the reader take segments of its size class from then on, so that such
// messages, and the small ones between them, keep arriving in one segment
// that is emptied and read into again in place, as a bufio.Reader's buffer
// is. Once wideSegments such segments have been read with no such message,
// the next segment taken is of bufSize again.
func (r *streamReader) space(want int) []byte {
	t := r.tail
	u := int(r.endIdx - r.startIdx)
	if want > 0 && r.grow {
		if need := u + want; need > r.bufSize && need <= maxHintSegment {
			r.wideEnd = r.endIdx
			if need > r.segSize {
				r.segSize = 1 << class(need)
			}
		}
	}
	if t != nil {
		b := t.Available()
		if len(b) >= r.minRead && (len(b) >= want || !r.movable(t, u, want)) {
			return b
		}
	}
	if r.segSize > r.bufSize && r.endIdx-r.wideEnd > int64(wideSegments*r.segSize) {
		r.segSize = r.bufSize
	}
	s := r.getSegment()
	switch {
	case t == nil:
		s.SetIndex(r.endIdx)
		r.head, r.endSeg, r.startOff = s, s, 0
		r.state &^= stNoTail
	case r.head == t && (u <= s.Cap()/4 || r.movable(t, u, want)):
		s.Commit(copy(s.Available(), t.Bytes()[r.startOff:]))
		s.SetIndex(r.startIdx)
		r.release(t)
		r.head, r.endSeg, r.startOff = s, s, 0
	default:
		t.Link(s)
		r.state |= stUneven
	}
	r.tail = s
	return s.Available()
}

// movable reports whether space would copy the u unconsumed bytes, in t
// alone, to a new segment that holds them and want more.
func (r *streamReader) movable(t *seq.Segment, u, want int) bool {
	return want > 0 && r.head == t && u <= r.segSize/2 && u+want <= r.segSize
}

// maxHintSegment bounds the segments that space takes for long messages:
// the largest size class of DefaultPool.
const maxHintSegment = 1 << maxClass

// wideSegments is how many segments larger than bufSize a reader reads
// with no message needing them before it takes segments of bufSize again.
const wideSegments = 8

//go:noinline
func panicReadCount(n, size int) {
	panic(fmt.Sprintf("pipe: io.Reader returned count %d for a %d-byte buffer", n, size))
}

// readInterruptible reads from a source with deadlines, so that ctx ending or
// CancelPendingRead can interrupt it. It returns errInterrupted, with no
// bytes, for a read ended that way.
func (r *streamReader) readInterruptible(ctx context.Context, buf []byte) (int, error) {
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, r.interruptFn)
	}
	r.reading.Store(srcReading)
	// A cancel or ctx ending just before the store above saw no read to
	// interrupt: look again now that one is visible.
	var n int
	var err error
	if r.cancel.Load() || ctx.Err() != nil {
		err = errInterrupted
	} else {
		n, err = r.src.Read(buf)
	}
	if stop != nil {
		stop()
	}
	if !r.reading.CompareAndSwap(srcReading, srcIdle) {
		// interrupt set or is setting the deadline: wait for it, undo it.
		for r.reading.Load() != srcInterrupted {
			runtime.Gosched()
		}
		r.dl.SetReadDeadline(time.Time{})
		r.reading.Store(srcIdle)
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			err = errInterrupted
		}
	}
	return n, err
}

// interrupt makes a blocking src.Read return by setting a deadline in the
// past. It may run on any goroutine. An interrupt that comes late, after the
// read it was meant for, may interrupt a later read; fill then reads again.
func (r *streamReader) interrupt() {
	if r.reading.CompareAndSwap(srcReading, srcInterrupting) {
		r.dl.SetReadDeadline(aLongTimeAgo)
		r.reading.Store(srcInterrupted)
	}
}

// AdvanceTo implements [Reader.AdvanceTo]. Segments wholly before consumed
// go back to the pool.
func (r *streamReader) AdvanceTo(consumed, examined seq.Position) {
	// The common case: all of a buffer that lies in the last segment is
	// consumed and examined. A consumed position at the end of the last
	// segment's bytes, of its current generation, is the end (the end lies
	// in head's segment or after it, so in the last one), passes
	// every check advance makes, and the segment is emptied for the next
	// read at once. The state being stActive alone (stUneven clear) says
	// that head is that segment.
	// The segment is emptied in place (seq.Segment.Reuse); once in 65,535
	// times it retires instead, and advance recycles it.
	if t := r.tail; r.state == stActive && consumed.Segment() == t &&
		consumed.Offset() == t.Len() && consumed.Valid() &&
		(examined == consumed || examined.IsZero()) && r.endIdx != r.startIdx &&
		t.Reuse(r.endIdx, r.poison) {
		r.state = 0
		r.startIdx, r.examined = r.endIdx, r.endIdx
		r.startOff = 0
		return
	}
	r.advance(consumed, examined)
}

// AdvanceAndRead implements [AdvanceReader.AdvanceAndRead].
func (r *streamReader) AdvanceAndRead(ctx context.Context, consumed, examined seq.Position) (Result, error) {
	// The common case of a consumer that takes every byte it was handed:
	// AdvanceTo's short path and then Read's, in one frame. The end is
	// checked against the last result as AdvanceTo's short path checks it;
	// once the segment is emptied the state is the one Read's short path
	// starts from (no flag set, all of the buffer in the last segment), so
	// only what may have changed since the last result is looked at again:
	// a cancel and ctx. Anything else goes the two calls' way.
	t := r.tail
	if r.state != stActive || consumed.Segment() != t || consumed.Offset() != t.Len() || !consumed.Valid() ||
		(examined != consumed && !examined.IsZero()) || r.endIdx == r.startIdx {
		r.AdvanceTo(consumed, examined)
		return r.Read(ctx)
	}
	// The segment is emptied in place: all of its memory is free, and a
	// segment is never smaller than minRead (see Validate and getSegment).
	buf, ok := t.ReuseAvailable(r.endIdx, r.poison)
	if !ok {
		r.advance(consumed, examined) // it retires instead
		return r.Read(ctx)
	}
	r.state = 0
	r.startIdx, r.examined = r.endIdx, r.endIdx
	r.startOff = 0
	if r.cancel.Load() {
		return r.read(ctx)
	}
	if !uncancelable(ctx) {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
	}
	n, err := r.src.Read(buf)
	// As in Read: src.Read may have completed the reader.
	if err == nil && uint(n-1) < uint(len(buf)) && r.state == 0 {
		b := t.CommitSlice(n, 0)
		r.endIdx += int64(n)
		if !r.cancel.Load() {
			r.state = stActive
			return Result{Buffer: b}, nil
		}
	} else if r.state&stDone == 0 && !r.took(n, err, len(buf)) {
		r.empty++
		r.readOnce(ctx, 0)
	}
	return r.read(ctx)
}

// advance is AdvanceTo but for its common case.
func (r *streamReader) advance(consumed, examined seq.Position) {
	if r.state&(stDone|stActive) != stActive {
		panicAdvanceState(r.state&stDone != 0)
	}
	head := r.startIdx
	ci := head
	if !consumed.IsZero() {
		ci = consumed.Index()
	}
	ei := ci // a zero examined means consumed
	if examined != consumed && !examined.IsZero() {
		ei = examined.Index()
	}
	checkAdvance(ci, ei, head, r.endIdx, r.examined)
	r.state &^= stActive
	r.examined = ei
	r.moveStart(consumed, ci, head)
	// Back to the steady state that Read's short path needs, or not.
	if r.head == r.tail && ei == r.endIdx {
		r.state &^= stUneven
	} else {
		r.state |= stUneven
	}
}

// moveStart makes consumed, at index ci, the start of the buffer, which
// was at index head, and releases the segments before it.
func (r *streamReader) moveStart(consumed seq.Position, ci, head int64) {
	if ci == head {
		return
	}
	r.startIdx = ci
	if ci == r.endIdx {
		// Everything consumed: keep only the last segment, emptied, so
		// the next read gets all of its memory.
		if r.head != r.tail {
			r.releaseBefore(r.tail)
		}
		t := r.tail.Recycle(r.poison)
		t.SetIndex(ci)
		r.tail, r.head, r.endSeg, r.startOff = t, t, t, 0
		return
	}
	s, off := consumed.Segment(), consumed.Offset()
	if s == r.head && off < s.Len() {
		r.startOff = off
		return
	}
	for off == s.Len() {
		s, off = s.Next(), 0
	}
	r.releaseBefore(s)
	r.head, r.startOff = s, off
}

// releaseBefore returns the segments from the start's up to s, not included,
// to the pool.
func (r *streamReader) releaseBefore(s *seq.Segment) {
	for h := r.head; h != nil && h != s; {
		next := h.Next()
		r.release(h)
		h = next
	}
}

// getSegment returns an empty segment of segSize bytes: the spare one if
// there is one of that size, else one from the pool.
func (r *streamReader) getSegment() *seq.Segment {
	if s := r.spare; s != nil {
		r.spare = nil
		if s.Cap() == r.segSize {
			return s
		}
		r.pool.Put(s)
	}
	return r.pool.Get(r.segSize)
}

// release recycles s and keeps it as the spare segment, or returns it to
// the pool if there already is one. Keeping one spare spares the pool a
// round trip per read when partial messages move to a new segment.
func (r *streamReader) release(s *seq.Segment) {
	s = s.Recycle(r.poison)
	if r.spare == nil && s.Cap() == r.segSize && r.state&stDone == 0 {
		r.spare = s
		return
	}
	r.pool.Put(s)
}

// CancelPendingRead implements [Reader.CancelPendingRead]. If the source has
// read deadlines, a read blocked in it is interrupted.
func (r *streamReader) CancelPendingRead() {
	r.cancel.Store(true)
	if r.dl != nil {
		r.interrupt()
	}
}

// Complete implements [Reader.Complete]: it frees the segments and closes
// the source unless LeaveOpen was set.
func (r *streamReader) Complete(err error) { r.complete(err) }

// complete is Complete, reporting the error of closing the source.
func (r *streamReader) complete(error) error {
	if r.state&stDone != 0 {
		return nil
	}
	r.state = r.state&^stActive | stDone
	if r.tail != nil {
		r.releaseBefore(nil)
	}
	if r.spare != nil {
		r.pool.Put(r.spare)
		r.spare = nil
	}
	r.head, r.endSeg, r.tail, r.startOff = nil, nil, nil, 0
	if c, ok := r.src.(io.Closer); ok && !r.leaveOpen {
		return c.Close()
	}
	return nil
}

// checkAdvance validates the indexes of an AdvanceTo: ci consumed, ei
// examined, head the start of the buffer, end its end, prev the examined
// index of the previous AdvanceTo.
func checkAdvance(ci, ei, head, end, prev int64) {
	if ci < head || ei < ci || ei > end || ei < prev {
		panicAdvance(ci, ei, head, end, prev)
	}
}

//go:noinline
func panicAdvance(ci, ei, head, end, prev int64) {
	switch {
	case ci < head:
		panic(fmt.Sprintf("pipe: AdvanceTo: consumed position %d lies before the start of the buffer %d (a position from an older read?)", ci, head))
	case ei < ci:
		panic(fmt.Sprintf("pipe: AdvanceTo: examined position %d before consumed position %d", ei, ci))
	case ei > end:
		panic(fmt.Sprintf("pipe: AdvanceTo: examined position %d past the end of the buffer %d", ei, end))
	default:
		panic(fmt.Sprintf("pipe: AdvanceTo: examined position %d moved backwards from %d", ei, prev))
	}
}

//go:noinline
func panicAdvanceState(done bool) {
	if done {
		panic("pipe: AdvanceTo after the reader completed")
	}
	panic("pipe: AdvanceTo without a pending read result")
}

// FromSequence returns a [Reader] over the fixed content of s. Every read
// returns the unconsumed rest of s at once, with Completed set; AdvanceTo is
// validated as a pipe's is. The caller owns s's memory: the reader never
// frees or recycles it, and Complete releases nothing. The memory must stay
// unchanged while the reader is in use.
func FromSequence(s seq.Sequence) Reader {
	r := &fixedReader{start: s.Start(), end: s.End()}
	if !r.start.IsZero() {
		r.startIdx, r.endIdx = r.start.Index(), r.end.Index()
		r.examined = r.startIdx
	}
	return r
}

// FromBytes returns a [Reader] over b, as [FromSequence] does over a
// single-segment sequence. The caller keeps ownership of b, which must not
// change while the reader is in use.
func FromBytes(b []byte) Reader {
	return FromSequence(seq.Of(b))
}

// fixedReader is the Reader made by FromSequence.
type fixedReader struct {
	start, end       seq.Position
	startIdx, endIdx int64
	examined         int64
	active, done     bool
	cancel           atomic.Bool
}

func (r *fixedReader) result() (Result, bool, error) {
	switch {
	case r.done:
		return Result{}, false, ErrReaderCompleted
	case r.active:
		return Result{}, false, ErrReadInProgress
	}
	r.active = true
	res := Result{Completed: true, Canceled: r.cancel.Load() && r.cancel.Swap(false)}
	if !r.start.IsZero() {
		res.Buffer = seq.Between(r.start, r.end)
	}
	return res, true, nil
}

// Read implements [Reader.Read]; it never waits.
func (r *fixedReader) Read(context.Context) (Result, error) {
	res, _, err := r.result()
	return res, err
}

// ReadAtLeast implements [Reader.ReadAtLeast]; it never waits.
func (r *fixedReader) ReadAtLeast(context.Context, int) (Result, error) {
	res, _, err := r.result()
	return res, err
}

// TryRead implements [Reader.TryRead].
func (r *fixedReader) TryRead() (Result, bool, error) { return r.result() }

// AdvanceTo implements [Reader.AdvanceTo].
func (r *fixedReader) AdvanceTo(consumed, examined seq.Position) {
	if r.done || !r.active {
		panicAdvanceState(r.done)
	}
	head := r.startIdx
	ci := head
	if !consumed.IsZero() {
		ci = consumed.Index()
	}
	ei := ci // a zero examined means consumed
	if examined != consumed && !examined.IsZero() {
		ei = examined.Index()
	}
	checkAdvance(ci, ei, head, r.endIdx, r.examined)
	r.active = false
	r.examined = ei
	if ci != head {
		r.start, r.startIdx = consumed, ci
	}
}

// AdvanceAndRead implements [AdvanceReader.AdvanceAndRead].
func (r *fixedReader) AdvanceAndRead(ctx context.Context, consumed, examined seq.Position) (Result, error) {
	r.AdvanceTo(consumed, examined)
	return r.Read(ctx)
}

// CancelPendingRead implements [Reader.CancelPendingRead].
func (r *fixedReader) CancelPendingRead() { r.cancel.Store(true) }

// Complete implements [Reader.Complete]. It releases nothing: the caller
// owns the memory.
func (r *fixedReader) Complete(error) {
	r.done, r.active = true, false
}

// WriterOptions configure a writer made by [NewWriter]. The zero value gives
// the defaults.
type WriterOptions struct {
	// MinBufferSize is the least size of the segments Buffer hands out.
	// Zero means 4 KiB. A Buffer request for more gets a larger segment.
	MinBufferSize int
	// Pool supplies the segments. Nil means DefaultPool.
	Pool Pool
	// LeaveOpen keeps the destination open when the writer completes. When
	// it is false, Complete closes the destination if it is an [io.Closer].
	LeaveOpen bool
}

// Validate reports whether the options are consistent.
func (o WriterOptions) Validate() error {
	if o.MinBufferSize < 0 {
		return fmt.Errorf("pipe: negative MinBufferSize %d", o.MinBufferSize)
	}
	if o.MinBufferSize > seq.MaxSegment {
		return fmt.Errorf("pipe: MinBufferSize %d exceeds seq.MaxSegment", o.MinBufferSize)
	}
	return nil
}

// NewWriter returns a [Writer] over dst, the analogue of .NET's
// PipeWriter.Create(Stream). It panics if dst is nil or the options are
// invalid (see [WriterOptions.Validate]).
//
// Buffer and Advance fill a chain of pooled segments; nothing reaches dst
// before Flush, which writes every committed byte to dst (one dst.Write per
// segment) on the caller's goroutine and returns the segments to the pool.
// Write with nothing buffered writes its argument to dst directly, without
// copying it. Flush never waits for anything but dst.Write, and its result
// never has Completed set: there is no reader to go away.
//
// A dst.Write that fails, or writes less than asked without an error
// ([io.ErrShortWrite]), makes that Flush and every later Flush and Write
// return the error; the bytes not written are dropped. ctx and
// CancelPendingFlush are checked before each dst.Write but cannot interrupt
// one that blocks; a flush stopped by them keeps the unwritten bytes for the
// next Flush.
//
// The writer owns dst until Complete. Complete(nil) flushes the committed
// bytes (call Flush first to see its error), Complete with an error drops
// them; either way the segments go back to the pool and dst is closed unless
// LeaveOpen is set.
func NewWriter(dst io.Writer, opts WriterOptions) Writer {
	if dst == nil {
		panic("pipe: NewWriter with a nil io.Writer")
	}
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	w := &streamWriter{
		dst:       dst,
		pool:      opts.Pool,
		minBuf:    opts.MinBufferSize,
		leaveOpen: opts.LeaveOpen,
		poison:    poisonByDefault,
	}
	if w.pool == nil {
		w.pool = DefaultPool
	}
	if w.minBuf == 0 {
		w.minBuf = defaultMinBufferSize
	}
	return w
}

// streamWriter is the Writer made by NewWriter. All fields but cancel belong
// to the goroutine using the writer.
type streamWriter struct {
	dst       io.Writer
	pool      Pool
	minBuf    int
	leaveOpen bool
	poison    bool

	head, tail *seq.Segment // committed bytes run from head[off] to tail's end
	off        int          // bytes of head already written to dst
	pending    int          // committed bytes not yet written
	lastBuf    int          // length of the last Buffer not yet committed

	completed bool
	err       error // sticky error from dst
	cancel    atomic.Bool
}

// Buffer implements [Writer.Buffer].
func (w *streamWriter) Buffer(n int) []byte {
	if w.completed {
		panic("pipe: Buffer after the writer completed")
	}
	n = max(n, 1)
	if t := w.tail; t != nil {
		if b := t.Available(); len(b) >= n {
			w.lastBuf = len(b)
			return b
		}
	}
	checkBufferSize(n)
	s := w.pool.Get(max(n, w.minBuf))
	if w.tail == nil {
		w.head, w.off = s, 0
	} else {
		w.tail.Link(s)
	}
	w.tail = s
	b := s.Available()
	w.lastBuf = len(b)
	return b
}

// Advance implements [Writer.Advance].
func (w *streamWriter) Advance(n int) {
	w.lastBuf = commitTail(w.tail, n, w.lastBuf)
	w.pending += n
}

// Flush implements [Writer.Flush]: it writes the committed bytes to dst.
// After Flush, memory returned by earlier Buffer calls must not be used;
// call Buffer again.
func (w *streamWriter) Flush(ctx context.Context) (FlushResult, error) {
	if w.completed {
		return FlushResult{}, ErrWriterCompleted
	}
	w.lastBuf = 0
	if w.err != nil {
		return FlushResult{}, w.err
	}
	for w.pending > 0 {
		if w.cancel.Load() && w.cancel.Swap(false) {
			return FlushResult{Canceled: true}, nil
		}
		if err := ctx.Err(); err != nil {
			return FlushResult{}, err
		}
		s := w.head
		if b := s.Bytes()[w.off:]; len(b) > 0 {
			n, err := w.dst.Write(b)
			if n < 0 || n > len(b) {
				panic(fmt.Sprintf("pipe: io.Writer returned count %d for %d bytes", n, len(b)))
			}
			w.off += n
			w.pending -= n
			if err == nil && n < len(b) {
				err = io.ErrShortWrite
			}
			if err != nil {
				w.err = err
				w.release()
				return FlushResult{}, err
			}
		}
		if s != w.tail {
			w.head, w.off = s.Next(), 0
			w.pool.Put(s.Recycle(w.poison))
		}
	}
	if t := w.tail; t != nil {
		// Everything is written: reuse the last segment from its start,
		// unless it is a large one made for a large Buffer request.
		for h := w.head; h != t; {
			next := h.Next()
			w.pool.Put(h.Recycle(w.poison))
			h = next
		}
		w.head = t
		if t.Cap() <= max(2*w.minBuf, 64<<10) {
			t = t.Recycle(w.poison)
			w.head, w.tail, w.off = t, t, 0
		} else {
			w.release()
		}
	}
	if w.cancel.Load() && w.cancel.Swap(false) {
		return FlushResult{Canceled: true}, nil
	}
	return FlushResult{}, nil
}

// release returns every segment to the pool, dropping unwritten bytes.
func (w *streamWriter) release() {
	for s := w.head; s != nil; {
		next := s.Next()
		w.pool.Put(s.Recycle(w.poison))
		s = next
	}
	w.head, w.tail, w.off, w.pending, w.lastBuf = nil, nil, 0, 0, 0
}

// Write implements [Writer.Write]. With nothing buffered, p goes to dst
// directly and is not retained; otherwise it is copied behind the buffered
// bytes and flushed with them.
func (w *streamWriter) Write(ctx context.Context, p []byte) (FlushResult, error) {
	if w.completed {
		return FlushResult{}, ErrWriterCompleted
	}
	if w.err != nil {
		return FlushResult{}, w.err
	}
	if w.pending > 0 || len(p) == 0 || ctx.Err() != nil || w.cancel.Load() {
		w.copyIn(p)
		return w.Flush(ctx)
	}
	w.lastBuf = 0
	n, err := w.dst.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
		w.release()
		return FlushResult{}, err
	}
	if w.cancel.Load() && w.cancel.Swap(false) {
		return FlushResult{Canceled: true}, nil
	}
	return FlushResult{}, nil
}

func (w *streamWriter) copyIn(p []byte) {
	for len(p) > 0 {
		b := w.Buffer(1)
		n := copy(b, p)
		w.Advance(n)
		p = p[n:]
	}
}

// CancelPendingFlush implements [Writer.CancelPendingFlush]. It cannot
// interrupt a dst.Write in progress: the flush returns Canceled after it.
func (w *streamWriter) CancelPendingFlush() { w.cancel.Store(true) }

// Complete implements [Writer.Complete].
func (w *streamWriter) Complete(err error) { w.complete(err) }

// complete is Complete, reporting the error of the final flush or, failing
// that, of closing dst.
func (w *streamWriter) complete(err error) error {
	if w.completed {
		return nil
	}
	var ferr error
	if err == nil && w.err == nil {
		w.cancel.Store(false)
		_, ferr = w.Flush(context.Background())
	}
	w.completed = true
	w.release()
	if c, ok := w.dst.(io.Closer); ok && !w.leaveOpen {
		if cerr := c.Close(); ferr == nil {
			ferr = cerr
		}
	}
	return ferr
}
