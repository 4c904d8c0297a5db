package pipe

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sluicego/sluice/seq"
)

// Default option values.
const (
	DefaultPauseThreshold  = 64 << 10
	DefaultResumeThreshold = 32 << 10
	DefaultSegmentSize     = 4 << 10
)

// Options configure a [Pipe]. The zero value gives the defaults.
type Options struct {
	// PauseThreshold makes Flush wait: a Flush that finds the reader
	// with PauseThreshold or more flushed bytes not yet examined (its own
	// bytes included) waits, as .NET's PauseWriterThreshold, unless a
	// ReadAtLeast waits for more bytes than the pipe holds. With fewer, it
	// returns at once. Zero means DefaultPauseThreshold; a negative
	// value means Flush never waits.
	PauseThreshold int
	// ResumeThreshold ends the wait: a waiting Flush returns once the
	// reader's AdvanceTo leaves fewer than ResumeThreshold flushed bytes
	// unexamined (with exactly ResumeThreshold it goes on waiting), as
	// .NET's ResumeWriterThreshold. Zero means DefaultResumeThreshold, or
	// half of PauseThreshold if that is set lower. It must not exceed
	// PauseThreshold.
	ResumeThreshold int
	// SegmentSize is the minimum size of a segment. Zero means
	// DefaultSegmentSize. A Buffer request for more gets a larger segment.
	SegmentSize int
	// Pool supplies segments. Nil means DefaultPool.
	Pool Pool
	// ReaderScheduler runs the callbacks registered with Notify. Nil means
	// Goroutine.
	ReaderScheduler Scheduler
	// Poison overwrites recycled segments with seq.Poison, so that a slice
	// kept past AdvanceTo reads as garbage. It is always on in test
	// binaries.
	Poison bool
}

// Validate reports whether the options are consistent.
func (o Options) Validate() error {
	switch {
	case o.ResumeThreshold < 0:
		return fmt.Errorf("pipe: negative ResumeThreshold %d", o.ResumeThreshold)
	case o.SegmentSize < 0:
		return fmt.Errorf("pipe: negative SegmentSize %d", o.SegmentSize)
	case o.SegmentSize > seq.MaxSegment:
		return fmt.Errorf("pipe: SegmentSize %d exceeds seq.MaxSegment", o.SegmentSize)
	case o.PauseThreshold > 0 && o.ResumeThreshold > o.PauseThreshold:
		return fmt.Errorf("pipe: ResumeThreshold %d exceeds PauseThreshold %d", o.ResumeThreshold, o.PauseThreshold)
	case o.PauseThreshold == 0 && o.ResumeThreshold > DefaultPauseThreshold:
		return fmt.Errorf("pipe: ResumeThreshold %d exceeds the default PauseThreshold %d", o.ResumeThreshold, DefaultPauseThreshold)
	}
	return nil
}

type readState uint8

const (
	readIdle    readState = iota
	readActive            // a result was handed out; AdvanceTo is due
	readWaiting           // a Read is blocked
)

// Pipe is an in-memory pipe. Its reader and writer may be used from two
// goroutines at once. Create it with [New].
type Pipe struct {
	pool    Pool
	pause   int64 // < 0: never pause
	resume  int64
	segSize int
	sched   Scheduler
	poison  bool

	mu          sync.Mutex
	consumed    seq.Position // first unconsumed byte; its segment heads the chain
	flushed     seq.Position // end of the readable bytes
	flushedIdx  int64
	examinedIdx int64
	state       readState
	minRead     int // bytes a waiting ReadAtLeast needs
	readerDone  bool
	readerErr   error
	writerDone  bool
	writerErr   error
	cancelRead  bool
	cancelFlush bool
	flushWait   bool
	notify      func(Result, error)
	// A Notify callback made runnable, with its result: handed to the
	// scheduler through method values made once, so that a callback costs
	// no allocation.
	due         func(Result, error)
	dueRes      Result
	dueErr      error
	scheduleDue func()
	runDue      func()
	readCh      chan struct{}
	flushCh     chan struct{}

	// Writer-owned: changed only by the writer, tail under mu.
	tail      *seq.Segment
	lastBuf   int // length of the last Buffer
	flushing  atomic.Bool
	dropping  atomic.Bool // the reader completed: written bytes are dropped
	completed bool        // the writer called Complete (writer's own view)

	r pipeReader
	w pipeWriter
}

// New returns a pipe with the given options. It panics if the options are
// invalid (see [Options.Validate]).
func New(opts Options) *Pipe {
	if err := opts.Validate(); err != nil {
		panic(err)
	}
	p := &Pipe{
		pool:    opts.Pool,
		pause:   int64(opts.PauseThreshold),
		resume:  int64(opts.ResumeThreshold),
		segSize: opts.SegmentSize,
		sched:   opts.ReaderScheduler,
		poison:  opts.Poison || poisonByDefault,
		readCh:  make(chan struct{}, 1),
		flushCh: make(chan struct{}, 1),
	}
	if p.pool == nil {
		p.pool = DefaultPool
	}
	if p.pause == 0 {
		p.pause = DefaultPauseThreshold
	}
	if p.resume == 0 {
		p.resume = min(DefaultResumeThreshold, max(p.pause/2, 1))
	}
	if p.segSize == 0 {
		p.segSize = DefaultSegmentSize
	}
	if p.sched == nil {
		p.sched = Goroutine
	}
	p.r.p, p.w.p = p, p
	p.scheduleDue = func() { p.sched.Schedule(p.runDue) }
	p.runDue = p.callDue
	return p
}

// callDue runs the callback that wakeReader made runnable. The next one can
// be made runnable only after this one released its result with AdvanceTo,
// so the fields are read before anything can change them.
func (p *Pipe) callDue() {
	fn, res, err := p.due, p.dueRes, p.dueErr
	p.due, p.dueRes, p.dueErr = nil, Result{}, nil
	fn(res, err)
}

// Reader returns the pipe's reader.
func (p *Pipe) Reader() Reader { return &p.r }

// Writer returns the pipe's writer.
func (p *Pipe) Writer() Writer { return &p.w }

// Len reports how many flushed bytes have not been consumed yet.
func (p *Pipe) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.readerDone {
		return 0 // the pipe dropped what it held
	}
	return int(p.flushedIdx - p.consumedIdx())
}

func (p *Pipe) consumedIdx() int64 {
	if p.consumed.IsZero() {
		return 0
	}
	return p.consumed.Index()
}

// wake sends a token on ch without blocking. Spurious tokens are harmless:
// every waiter checks its condition again after waking.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Reset makes a completed pipe reusable. It panics unless both the reader
// and the writer have completed.
func (p *Pipe) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.readerDone || !p.writerDone {
		panic("pipe: Reset while the reader or the writer has not completed")
	}
	p.freeAll()
	p.flushedIdx, p.examinedIdx = 0, 0
	p.state, p.minRead = readIdle, 0
	p.readerDone, p.readerErr, p.writerDone, p.writerErr = false, nil, false, nil
	p.dropping.Store(false)
	p.cancelRead, p.cancelFlush, p.flushWait = false, false, false
	p.notify = nil
	p.lastBuf, p.completed = 0, false
	select {
	case <-p.readCh:
	default:
	}
	select {
	case <-p.flushCh:
	default:
	}
}

// freeAll returns every segment to the pool. Called with mu held once both
// sides are done.
func (p *Pipe) freeAll() {
	for s := p.consumed.Segment(); s != nil; {
		next := s.Next()
		p.release(s)
		s = next
	}
	p.consumed, p.flushed, p.tail = seq.Position{}, seq.Position{}, nil
}

// releaseBefore returns the segments that precede s to the pool. Called with
// mu held.
func (p *Pipe) releaseBefore(s *seq.Segment) {
	for h := p.consumed.Segment(); h != nil && h != s; {
		next := h.Next()
		p.release(h)
		h = next
	}
}

func (p *Pipe) release(s *seq.Segment) {
	p.pool.Put(s.Recycle(p.poison))
}

// buffer is the result a read hands out. Called with mu held.
func (p *Pipe) buffer() seq.Sequence {
	if p.flushed.IsZero() {
		return seq.Sequence{}
	}
	return seq.Between(p.consumed, p.flushed)
}

// ready reports whether a read with minimum n (0: any unexamined byte) can
// complete now, and with what. Called with mu held.
func (p *Pipe) ready(n int) (Result, error, bool) {
	switch {
	case p.cancelRead:
		p.cancelRead = false
		return Result{Buffer: p.buffer(), Canceled: true, Completed: p.writerDone && p.writerErr == nil}, nil, true
	case p.writerDone:
		return Result{Buffer: p.buffer(), Completed: true}, p.writerErr, true
	case n > 0:
		return Result{Buffer: p.buffer()}, nil, p.flushedIdx-p.consumedIdx() >= int64(n)
	default:
		return Result{Buffer: p.buffer()}, nil, p.flushedIdx > p.examinedIdx
	}
}

func (p *Pipe) read(ctx context.Context, n int, wait bool) (Result, bool, error) {
	p.mu.Lock()
	switch {
	case p.readerDone:
		p.mu.Unlock()
		return Result{}, false, ErrReaderCompleted
	case p.state != readIdle || p.notify != nil:
		err := p.busyErr()
		p.mu.Unlock()
		return Result{}, false, err
	}
	for {
		if res, err, ok := p.ready(n); ok {
			if err == nil {
				p.state = readActive
			}
			p.mu.Unlock()
			return res, true, err
		}
		if !wait {
			p.mu.Unlock()
			return Result{}, false, nil
		}
		if err := ctx.Err(); err != nil {
			p.mu.Unlock()
			return Result{}, false, err
		}
		p.state, p.minRead = readWaiting, n
		if n > 0 && p.flushWait {
			// The writer is paused but the reader needs more than is
			// buffered: resume the writer or both would wait forever.
			wake(p.flushCh)
		}
		p.mu.Unlock()
		select {
		case <-p.readCh:
		case <-ctx.Done():
		}
		p.mu.Lock()
		p.state, p.minRead = readIdle, 0
		if p.readerDone {
			p.mu.Unlock()
			return Result{}, false, ErrReaderCompleted
		}
	}
}

// busyErr says why the reader cannot read now: a result not released with
// AdvanceTo, or a read pending. Called with mu held.
func (p *Pipe) busyErr() error {
	if p.state == readActive {
		return ErrReadInProgress
	}
	return errReadPending
}

// wakeReader wakes a waiting read or runs a pending Notify callback if the
// reader can now proceed. Called with mu held; it returns a callback to run
// after unlocking.
func (p *Pipe) wakeReader() func() {
	if p.notify != nil {
		res, err, ok := p.ready(0)
		if !ok {
			return nil
		}
		p.due, p.dueRes, p.dueErr = p.notify, res, err
		p.notify = nil
		if err == nil {
			p.state = readActive
		}
		return p.scheduleDue
	}
	if p.state == readWaiting {
		if _, _, ok := p.readyPeek(p.minRead); ok {
			wake(p.readCh)
		}
	}
	return nil
}

// readyPeek is ready without side effects.
func (p *Pipe) readyPeek(n int) (Result, error, bool) {
	if p.cancelRead {
		return Result{}, nil, true
	}
	return p.ready(n)
}

// Notify registers fn to be called once, on the pipe's ReaderScheduler, with
// the result of the next read, as soon as Read would return. It is the
// callback form of [Reader.Read]: fn must call AdvanceTo (on p.Reader()) if
// err is nil, and may call Notify again to go on reading. Notify returns an
// error if a read is already pending or the reader has completed.
func (p *Pipe) Notify(fn func(Result, error)) error {
	p.mu.Lock()
	switch {
	case p.readerDone:
		p.mu.Unlock()
		return ErrReaderCompleted
	case p.state != readIdle || p.notify != nil:
		err := p.busyErr()
		p.mu.Unlock()
		return err
	}
	p.notify = fn
	run := p.wakeReader()
	p.mu.Unlock()
	if run != nil {
		run()
	}
	return nil
}

func (p *Pipe) advance(consumed, examined seq.Position) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.readerDone:
		panic("pipe: AdvanceTo after the reader completed")
	case p.state != readActive:
		panic("pipe: AdvanceTo without a pending read result")
	}
	// A zero Position comes from an empty result read before any flush; it
	// stands for the start of the buffer.
	head := p.consumedIdx()
	ci, ei := head, head
	if !consumed.IsZero() {
		ci = consumed.Index()
	}
	if !examined.IsZero() {
		ei = examined.Index()
	} else {
		ei = max(ei, ci)
	}
	switch {
	case ci < head:
		panic(fmt.Sprintf("pipe: AdvanceTo: consumed position %d lies before the start of the buffer %d (a position from an older read?)", ci, head))
	case ei < ci:
		panic(fmt.Sprintf("pipe: AdvanceTo: examined position %d before consumed position %d", ei, ci))
	case ei > p.flushedIdx:
		panic(fmt.Sprintf("pipe: AdvanceTo: examined position %d past the end of the buffer %d", ei, p.flushedIdx))
	case ei < p.examinedIdx:
		panic(fmt.Sprintf("pipe: AdvanceTo: examined position %d moved backwards from %d", ei, p.examinedIdx))
	}
	p.state = readIdle
	p.examinedIdx = ei
	if p.flushWait && p.flushedIdx-ei < p.resume {
		wake(p.flushCh)
	}
	if consumed.IsZero() {
		return
	}
	// Free the segments before the consumed one, and the consumed one too
	// when it is used up and the flushed bytes go on past it.
	s, off := consumed.Segment(), consumed.Offset()
	for s != p.flushed.Segment() && off == s.Len() {
		s, off = s.Next(), 0
	}
	p.releaseBefore(s)
	p.consumed = s.Pos(off)
}

func (p *Pipe) cancelPendingRead() {
	p.mu.Lock()
	p.cancelRead = true
	run := p.wakeReader()
	p.mu.Unlock()
	if run != nil {
		run()
	}
}

func (p *Pipe) completeReader(err error) {
	p.mu.Lock()
	if p.readerDone {
		p.mu.Unlock()
		return
	}
	p.readerDone, p.readerErr = true, err
	p.dropping.Store(true)
	p.state, p.notify = readIdle, nil
	if p.writerDone {
		p.freeAll()
	} else if p.tail != nil {
		// Keep only the writer's tail; the writer may still be filling it.
		p.releaseBefore(p.tail)
		p.consumed = p.tail.Pos(0)
		p.flushed = p.consumed
	}
	wake(p.flushCh)
	wake(p.readCh)
	p.mu.Unlock()
}

// Writer side.

func (p *Pipe) getBuffer(n int) []byte {
	if p.completed {
		panic("pipe: Buffer after the writer completed")
	}
	if p.flushing.Load() {
		panic("pipe: Buffer while a Flush is pending")
	}
	if n <= 0 {
		n = 1
	}
	if t := p.tail; t != nil {
		if b := t.Available(); len(b) >= n {
			p.lastBuf = len(b)
			return b
		}
	}
	return p.newTail(n)
}

func (p *Pipe) newTail(n int) []byte {
	checkBufferSize(n)
	if t := p.tail; t != nil && t.Cap() >= n && p.dropping.Load() {
		// Nobody will read: drop what the tail holds and reuse it rather
		// than growing the pipe.
		p.mu.Lock()
		p.commit()
		p.mu.Unlock()
		b := p.tail.Available() // commit may have replaced t (seq.Segment.Recycle)
		p.lastBuf = len(b)
		return b
	}
	s := p.pool.Get(max(n, p.segSize))
	p.mu.Lock()
	if p.tail == nil {
		s.SetIndex(p.flushedIdx)
		p.consumed = s.Pos(0)
		p.flushed = p.consumed
	} else {
		p.tail.Link(s)
	}
	p.tail = s
	p.mu.Unlock()
	b := s.Available()
	p.lastBuf = len(b)
	return b
}

func (p *Pipe) advanceWriter(n int) {
	if p.completed {
		panic("pipe: Advance after the writer completed")
	}
	p.lastBuf = commitTail(p.tail, n, p.lastBuf)
}

// commitTail commits n bytes of the buffer that the last Buffer call
// returned from tail (lastBuf bytes) and returns the bytes left of that
// buffer. It panics if n is negative or more than lastBuf.
func commitTail(tail *seq.Segment, n, lastBuf int) int {
	if n < 0 || n > lastBuf {
		panic(advanceError{n, lastBuf}) // a value, so that commitTail inlines
	}
	if n > 0 {
		tail.Commit(n)
	}
	return lastBuf - n
}

// advanceError is the panic value of an Advance beyond the last buffer.
type advanceError struct{ n, buf int }

func (e advanceError) Error() string {
	return fmt.Sprintf("pipe: Advance(%d) beyond the %d-byte buffer returned by Buffer", e.n, e.buf)
}

// commit publishes the committed bytes. Called with mu held.
func (p *Pipe) commit() {
	if p.tail == nil {
		return
	}
	end := p.tail.Pos(p.tail.Len())
	idx := end.Index()
	if p.readerDone {
		// Nobody will read: drop the bytes instead of buffering them.
		p.releaseBefore(p.tail)
		p.tail = p.tail.Recycle(p.poison)
		p.tail.SetIndex(idx)
		p.consumed = p.tail.Pos(0)
		p.flushed = p.consumed
		p.flushedIdx, p.examinedIdx = idx, idx
		return
	}
	p.flushed = end
	p.flushedIdx = idx
}

func (p *Pipe) flush(ctx context.Context) (FlushResult, error) {
	if p.completed {
		return FlushResult{}, ErrWriterCompleted
	}
	if !p.flushing.CompareAndSwap(false, true) {
		return FlushResult{}, ErrFlushInProgress
	}
	defer p.flushing.Store(false)
	p.mu.Lock()
	p.commit()
	run := p.wakeReader()
	for {
		switch {
		case p.readerDone:
			err := p.readerErr
			p.flushWait = false
			p.mu.Unlock()
			if run != nil {
				run()
			}
			return FlushResult{Completed: true}, err
		case p.cancelFlush:
			p.cancelFlush, p.flushWait = false, false
			p.mu.Unlock()
			if run != nil {
				run()
			}
			return FlushResult{Canceled: true}, nil
		case p.mayProceed():
			p.flushWait = false
			p.mu.Unlock()
			if run != nil {
				run()
			}
			return FlushResult{}, nil
		}
		if err := ctx.Err(); err != nil {
			p.flushWait = false
			p.mu.Unlock()
			if run != nil {
				run()
			}
			return FlushResult{}, err
		}
		p.flushWait = true
		p.mu.Unlock()
		if run != nil {
			run()
			run = nil
		}
		select {
		case <-p.flushCh:
		case <-ctx.Done():
		}
		p.mu.Lock()
	}
}

// mayProceed reports whether a flush need not wait: pausing is off, the
// reader is behind by less than the threshold in force (pause, or resume once
// paused: so a flush pauses at behind >= pause and resumes at behind <
// resume, as .NET does), or a ReadAtLeast waits for more than the pipe
// holds. Called with mu held.
func (p *Pipe) mayProceed() bool {
	behind := p.flushedIdx - p.examinedIdx
	switch {
	case p.pause < 0:
		return true
	case p.state == readWaiting && p.minRead > 0 && p.flushedIdx-p.consumedIdx() < int64(p.minRead):
		return true
	case p.flushWait:
		return behind < p.resume
	default:
		return behind < p.pause
	}
}

func (p *Pipe) cancelPendingFlush() {
	p.mu.Lock()
	p.cancelFlush = true
	wake(p.flushCh)
	p.mu.Unlock()
}

func (p *Pipe) completeWriter(err error) {
	if p.completed {
		return
	}
	p.completed = true
	p.mu.Lock()
	p.commit()
	p.writerDone, p.writerErr = true, err
	if p.readerDone {
		p.freeAll()
	}
	run := p.wakeReader()
	p.mu.Unlock()
	if run != nil {
		run()
	}
}

type pipeReader struct{ p *Pipe }

func (r *pipeReader) Read(ctx context.Context) (Result, error) {
	res, _, err := r.p.read(ctx, 0, true)
	return res, err
}

func (r *pipeReader) ReadAtLeast(ctx context.Context, n int) (Result, error) {
	res, _, err := r.p.read(ctx, max(n, 1), true)
	return res, err
}

func (r *pipeReader) TryRead() (Result, bool, error) {
	return r.p.read(context.Background(), 0, false)
}

func (r *pipeReader) AdvanceTo(consumed, examined seq.Position) { r.p.advance(consumed, examined) }
func (r *pipeReader) CancelPendingRead()                        { r.p.cancelPendingRead() }
func (r *pipeReader) Complete(err error)                        { r.p.completeReader(err) }

func (r *pipeReader) AdvanceAndRead(ctx context.Context, consumed, examined seq.Position) (Result, error) {
	r.p.advance(consumed, examined)
	res, _, err := r.p.read(ctx, 0, true)
	return res, err
}

type pipeWriter struct{ p *Pipe }

func (w *pipeWriter) Buffer(n int) []byte { return w.p.getBuffer(n) }
func (w *pipeWriter) Advance(n int)       { w.p.advanceWriter(n) }
func (w *pipeWriter) Flush(ctx context.Context) (FlushResult, error) {
	return w.p.flush(ctx)
}
func (w *pipeWriter) CancelPendingFlush() { w.p.cancelPendingFlush() }
func (w *pipeWriter) Complete(err error)  { w.p.completeWriter(err) }

func (w *pipeWriter) Write(ctx context.Context, b []byte) (FlushResult, error) {
	if w.p.completed {
		return FlushResult{}, ErrWriterCompleted
	}
	for len(b) > 0 {
		buf := w.p.getBuffer(min(len(b), 1<<maxClass))
		n := copy(buf, b)
		w.p.advanceWriter(n)
		b = b[n:]
	}
	return w.p.flush(ctx)
}
