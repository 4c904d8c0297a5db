package fuzz_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	"pgregory.net/rapid"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// TestPipeModel is a model-based test of pipe.Pipe: rapid drives a random
// sequence of valid operations on both sides of a pipe with small
// thresholds and segments, and after every one the pipe must agree with
// pmModel, a plain description of what the pipe should hold.
//
// Each check runs in a testing/synctest bubble (rapid.SyncTest), so that
// "this Flush (or Read) waits" is decided, not guessed: operations that may
// wait run on their own goroutine, synctest.Wait lets them get as far as
// they can, and the model says whether they must have returned. All names
// of this file start with "pm" so that they cannot collide with the other
// test files of the package.
//
// A check costs about 0.1 ms, and the states worth reaching (a writer
// paused, half drained, then canceled) take many steps: each check runs
// pmRounds Repeats (of -rapid.steps actions each) on the same pipe.
func TestPipeModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rapid.SyncTest(t, func(t *rapid.T) {
			m := pmNew(t)
			for range pmRounds {
				t.Repeat(m.actions())
			}
		})
	})
}

// Limits of the drawn options and operation sizes. They are small so that
// backpressure, multi-segment buffers and segment reuse happen often.
const (
	pmMaxSegment = 24
	pmMaxPause   = 40
	pmPeriod     = 251 // the test stream repeats with this period
	pmRounds     = 4   // Repeats per check
)

// Errors the two sides complete with, when they complete with one.
var (
	errPMWriter = errors.New("pipemodel: the writer failed")
	errPMReader = errors.New("pipemodel: the reader failed")
)

// pmModel is the expected state of the pipe together with the pipe itself
// and the operations still running on other goroutines.
type pmModel struct {
	p    *pipe.Pipe
	r    pipe.Reader
	w    pipe.Writer
	pool *pmPool

	pause   int // Flush waits at this many unexamined bytes; < 0: never
	resume  int // a waiting Flush resumes below this many
	segSize int

	// ctx is the parent of the contexts of waiting operations; the test's
	// cleanup cancels it so that no goroutine outlives the bubble.
	ctx context.Context
	// dead is canceled from the start: an operation given it returns
	// ctx.Err() instead of waiting.
	dead context.Context
	next int // stream offset of the next byte written

	flushed     []byte // flushed bytes the reader has not consumed
	unflushed   []byte // committed with Advance, not flushed yet
	examined    int    // examined bytes, counted from the start of flushed
	readerDone  bool
	readerErr   error
	writerDone  bool
	writerErr   error
	cancelRead  bool // a CancelPendingRead waits for the next read
	cancelFlush bool // a CancelPendingFlush waits for the next flush

	held  *pmHeld         // a result the reader must release with AdvanceTo
	read  *pmPendingRead  // a read waiting on another goroutine
	flush *pmPendingFlush // a flush or write waiting on another goroutine
}

// pmHeld is a read result not yet released, with the bytes it must show
// until it is.
type pmHeld struct {
	buf  seq.Sequence
	want []byte
}

// pmReadOut is what a read returned.
type pmReadOut struct {
	res pipe.Result
	err error
}

// pmFlushOut is what a flush or write returned; it is also what the model
// expects one to return.
type pmFlushOut struct {
	res pipe.FlushResult
	err error
}

// pmPendingRead is a Read or ReadAtLeast waiting on another goroutine.
type pmPendingRead struct {
	atLeast int // the ReadAtLeast minimum (at least 1), 0 for Read
	done    <-chan pmReadOut
	cancel  context.CancelFunc
	aborted bool // its context was canceled
}

// pmPendingFlush is a Flush or Write waiting on another goroutine.
type pmPendingFlush struct {
	done    <-chan pmFlushOut
	cancel  context.CancelFunc
	aborted bool // its context was canceled
}

// pmReadWant is what the model expects a read to return.
type pmReadWant struct {
	buf       []byte
	completed bool
	canceled  bool
	err       error
	hold      bool // the read succeeds: its result must be released
}

// pmNew draws the pipe's options and returns the model of a new pipe made
// with them.
func pmNew(t *rapid.T) *pmModel {
	seg := rapid.IntRange(1, pmMaxSegment).Draw(t, "SegmentSize")
	pause := rapid.OneOf(rapid.Just(-1), rapid.Just(0), rapid.IntRange(1, pmMaxPause)).Draw(t, "PauseThreshold")
	resume := 0
	if rapid.Bool().Draw(t, "explicit ResumeThreshold") {
		hi := pmMaxPause
		if pause > 0 {
			hi = pause
		}
		resume = rapid.IntRange(1, hi).Draw(t, "ResumeThreshold")
	}
	pool := &pmPool{out: make(map[*seq.Segment]bool)}
	opts := pipe.Options{
		PauseThreshold:  pause,
		ResumeThreshold: resume,
		SegmentSize:     seg,
		Pool:            pool,
		Poison:          rapid.Bool().Draw(t, "Poison"),
	}
	// The documented defaults: zero PauseThreshold is the default one, zero
	// ResumeThreshold the default one or half the pause threshold if that is
	// lower (at least 1, or a paused writer could never resume).
	if pause == 0 {
		pause = pipe.DefaultPauseThreshold
	}
	if resume == 0 {
		resume = min(pipe.DefaultResumeThreshold, max(pause/2, 1))
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dead, kill := context.WithCancel(context.Background())
	kill()
	p := pipe.New(opts)
	return &pmModel{
		p: p, r: p.Reader(), w: p.Writer(), pool: pool,
		pause: pause, resume: resume, segSize: seg,
		ctx: ctx, dead: dead,
		next: rapid.IntRange(0, pmPeriod-1).Draw(t, "stream start"),
	}
}

// actions returns the operations rapid chooses from, and the invariant
// check under the key "". rapid draws the keys uniformly, so an action of
// weight w is entered under w names ("Write", "Write 2", ...). Completing a
// side ends most of what is worth testing until Reset: completions weigh
// least.
func (m *pmModel) actions() map[string]func(*rapid.T) {
	acts := map[string]func(*rapid.T){"": m.check}
	for _, a := range []struct {
		name   string
		weight int
		do     func(*rapid.T)
	}{
		{"Write", 3, m.write},
		{"BufferAdvance", 2, m.bufferAdvance},
		{"Flush", 2, m.flushOnly},
		{"TryRead", 2, m.tryRead},
		{"ReadNow", 2, m.readNow},
		{"ReadWait", 2, m.readWait},
		{"AdvanceTo", 4, m.advanceTo},
		{"CancelPendingRead", 1, m.cancelPendingRead},
		{"CancelPendingFlush", 1, m.cancelPendingFlush},
		{"AbortRead", 1, m.abortRead},
		{"AbortFlush", 1, m.abortFlush},
		{"CompleteWriter", 1, m.completeWriter},
		{"CompleteReader", 1, m.completeReader},
		{"Reset", 1, m.reset},
	} {
		acts[a.name] = a.do
		for i := 2; i <= a.weight; i++ {
			acts[fmt.Sprintf("%s %d", a.name, i)] = a.do
		}
	}
	return acts
}

// data returns the next n bytes of the test stream: byte i of the stream
// is i mod pmPeriod, so that a byte shown twice, dropped or out of order
// changes the content.
func (m *pmModel) data(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(m.next % pmPeriod)
		m.next++
	}
	return b
}

// pmDrawErr draws the error a side completes with: none, or err.
func pmDrawErr(t *rapid.T, err error, label string) error {
	if rapid.Bool().Draw(t, label) {
		return err
	}
	return nil
}

// Model rules.

// readReady reports whether a read with minimum n (0 for Read: any
// unexamined byte) returns at once.
func (m *pmModel) readReady(n int) bool {
	switch {
	case m.cancelRead, m.writerDone:
		return true
	case n > 0:
		return len(m.flushed) >= n
	default:
		return len(m.flushed) > m.examined
	}
}

// takeRead returns what a read that returns now gets, and uses up a
// pending CancelPendingRead as the read does. A canceled read reports the
// writer's completion only if it was clean: an error must still reach the
// reader through a later read.
func (m *pmModel) takeRead() pmReadWant {
	want := pmReadWant{buf: bytes.Clone(m.flushed)}
	if m.cancelRead {
		m.cancelRead = false
		want.canceled = true
		want.completed = m.writerDone && m.writerErr == nil
		want.hold = true
		return want
	}
	want.completed = m.writerDone
	want.err = m.writerErr
	want.hold = want.err == nil
	return want
}

// mayProceed reports whether a flush need not wait: pausing is off, a
// ReadAtLeast waits for more bytes than the pipe holds, or fewer bytes than
// the threshold are unexamined. The threshold is the pause threshold, or
// the resume threshold for a flush that is already waiting.
func (m *pmModel) mayProceed(waiting bool) bool {
	if m.pause < 0 {
		return true
	}
	if m.read != nil && m.read.atLeast > 0 && len(m.flushed) < m.read.atLeast {
		return true
	}
	limit := m.pause
	if waiting {
		limit = m.resume
	}
	return len(m.flushed)-m.examined < limit
}

// flushNow returns what a flush that returns now reports, and uses up a
// pending CancelPendingFlush as the flush does; ok is false if the flush
// must wait.
func (m *pmModel) flushNow(waiting bool) (want pmFlushOut, ok bool) {
	switch {
	case m.readerDone:
		return pmFlushOut{pipe.FlushResult{Completed: true}, m.readerErr}, true
	case m.cancelFlush:
		m.cancelFlush = false
		return pmFlushOut{pipe.FlushResult{Canceled: true}, nil}, true
	case m.mayProceed(waiting):
		return pmFlushOut{}, true
	}
	return pmFlushOut{}, false
}

// commit makes the unflushed bytes readable, or drops them if the reader
// has completed.
func (m *pmModel) commit() {
	if !m.readerDone {
		m.flushed = append(m.flushed, m.unflushed...)
	}
	m.unflushed = nil
}

// Comparisons.

// checkRead fails the test unless a read returned want; a successful
// read's result becomes the held one, which AdvanceTo must release.
func (m *pmModel) checkRead(t *rapid.T, what string, res pipe.Result, err error, want pmReadWant) {
	t.Helper()
	if err != want.err {
		t.Fatalf("%s: error %v, want %v", what, err, want.err)
	}
	if res.Completed != want.completed || res.Canceled != want.canceled {
		t.Fatalf("%s: Completed %v Canceled %v, want %v %v", what, res.Completed, res.Canceled, want.completed, want.canceled)
	}
	if got := res.Buffer.Bytes(); !bytes.Equal(got, want.buf) {
		t.Fatalf("%s: buffer %s, want %s", what, pmShow(got), pmShow(want.buf))
	}
	if want.hold {
		m.held = &pmHeld{buf: res.Buffer, want: want.buf}
	}
}

// pmCheckFlush fails the test unless a flush or write returned want.
func pmCheckFlush(t *rapid.T, what string, got, want pmFlushOut) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %+v, %v; want %+v, %v", what, got.res, got.err, want.res, want.err)
	}
}

// pmShow formats a buffer for a failure message, shortened if long.
func pmShow(b []byte) string {
	if len(b) > 48 {
		return fmt.Sprintf("%d bytes % x ... % x", len(b), b[:16], b[len(b)-16:])
	}
	return fmt.Sprintf("%d bytes % x", len(b), b)
}

// Writer actions.

// write writes the next bytes of the stream (from none to several
// segments' worth) with Write.
func (m *pmModel) write(t *rapid.T) {
	if m.flush != nil {
		t.Skip("a flush is pending")
	}
	p := m.data(rapid.IntRange(0, 3*m.segSize+4).Draw(t, "write size"))
	m.flushOp(t, "Write", p, func(ctx context.Context) (pipe.FlushResult, error) {
		return m.w.Write(ctx, p)
	})
}

// flushOnly flushes what Buffer and Advance committed.
func (m *pmModel) flushOnly(t *rapid.T) {
	if m.flush != nil {
		t.Skip("a flush is pending")
	}
	m.flushOp(t, "Flush", nil, m.w.Flush)
}

// flushOp runs a Write of p, or a Flush if p is nil, either on this
// goroutine with a canceled context (a flush that would wait returns the
// context's error at once) or on another goroutine that may wait, and
// checks how it ends or that it waits.
func (m *pmModel) flushOp(t *rapid.T, what string, p []byte, op func(context.Context) (pipe.FlushResult, error)) {
	if m.writerDone {
		res, err := op(m.dead)
		pmCheckFlush(t, what+" after the writer completed", pmFlushOut{res, err}, pmFlushOut{err: pipe.ErrWriterCompleted})
		return
	}
	m.unflushed = append(m.unflushed, p...)
	m.commit()
	want, ok := m.flushNow(false)
	if !rapid.Bool().Draw(t, "may wait") {
		if !ok {
			want = pmFlushOut{err: context.Canceled}
		}
		res, err := op(m.dead)
		pmCheckFlush(t, fmt.Sprintf("%s with %d of %d unexamined bytes, pause %d", what, len(m.flushed)-m.examined, len(m.flushed), m.pause), pmFlushOut{res, err}, want)
		return
	}
	ctx, cancel := context.WithCancel(m.ctx)
	done := make(chan pmFlushOut, 1)
	go func() {
		res, err := op(ctx)
		done <- pmFlushOut{res, err}
	}()
	synctest.Wait()
	if ok {
		defer cancel()
		select {
		case got := <-done:
			pmCheckFlush(t, what, got, want)
		default:
			t.Fatalf("%s waits with %d of %d bytes unexamined, pause %d", what, len(m.flushed)-m.examined, len(m.flushed), m.pause)
		}
		return
	}
	select {
	case got := <-done:
		cancel()
		t.Fatalf("%s returned %+v, %v; want it to wait with %d of %d bytes unexamined, pause %d",
			what, got.res, got.err, len(m.flushed)-m.examined, len(m.flushed), m.pause)
	default:
	}
	m.flush = &pmPendingFlush{done: done, cancel: cancel}
}

// bufferAdvance asks for a buffer of a drawn size (sometimes larger than a
// segment), fills part of it and commits that part without flushing.
func (m *pmModel) bufferAdvance(t *rapid.T) {
	if m.writerDone || m.flush != nil {
		t.Skip("the writer completed or a flush is pending")
	}
	n := rapid.IntRange(-1, 3*m.segSize).Draw(t, "Buffer size")
	b := m.w.Buffer(n)
	if len(b) < max(n, 1) {
		t.Fatalf("Buffer(%d) returned %d bytes", n, len(b))
	}
	p := m.data(rapid.IntRange(0, min(len(b), 3*m.segSize)).Draw(t, "Advance"))
	copy(b, p)
	m.w.Advance(len(p))
	m.unflushed = append(m.unflushed, p...)
}

// cancelPendingFlush cancels the waiting flush, or the next one.
func (m *pmModel) cancelPendingFlush(*rapid.T) {
	m.w.CancelPendingFlush()
	m.cancelFlush = true
}

// abortFlush cancels the context of the waiting flush.
func (m *pmModel) abortFlush(t *rapid.T) {
	if m.flush == nil {
		t.Skip("no flush is waiting")
	}
	m.flush.aborted = true
	m.flush.cancel()
}

// completeWriter completes the writer, with or without an error; it may be
// called again.
func (m *pmModel) completeWriter(t *rapid.T) {
	if m.flush != nil {
		t.Skip("a flush is pending")
	}
	err := pmDrawErr(t, errPMWriter, "writer error")
	m.w.Complete(err)
	if !m.writerDone {
		m.commit()
		m.writerDone, m.writerErr = true, err
	}
}

// Reader actions.

// tryRead reads without waiting with TryRead.
func (m *pmModel) tryRead(t *rapid.T) {
	if m.read != nil {
		t.Skip("a read is waiting")
	}
	res, ok, err := m.r.TryRead()
	want, wantOK := m.readNowWant(0, nil)
	if ok != wantOK {
		t.Fatalf("TryRead ok = %v, want %v (%d of %d bytes examined, %+v, %v)", ok, wantOK, m.examined, len(m.flushed), res, err)
	}
	m.checkRead(t, "TryRead", res, err, want)
}

// readNow calls Read or ReadAtLeast with a canceled context: it returns at
// once, with the context's error if it would wait.
func (m *pmModel) readNow(t *rapid.T) {
	if m.read != nil {
		t.Skip("a read is waiting")
	}
	n := rapid.IntRange(-1, len(m.flushed)+m.segSize).Draw(t, "ReadAtLeast n (< 1: Read)")
	var res pipe.Result
	var err error
	what := "Read"
	if n < 1 {
		n = 0
		res, err = m.r.Read(m.dead)
	} else {
		what = fmt.Sprintf("ReadAtLeast(%d)", n)
		res, err = m.r.ReadAtLeast(m.dead, n)
	}
	want, _ := m.readNowWant(n, context.Canceled)
	m.checkRead(t, what, res, err, want)
}

// readNowWant returns what a read with minimum n that may not wait
// returns, using up a pending cancellation: ok is false, and the error
// is waitErr, if it would have to wait.
func (m *pmModel) readNowWant(n int, waitErr error) (want pmReadWant, ok bool) {
	switch {
	case m.readerDone:
		return pmReadWant{err: pipe.ErrReaderCompleted}, false
	case m.held != nil:
		return pmReadWant{err: pipe.ErrReadInProgress}, false
	case m.readReady(n):
		return m.takeRead(), true
	}
	return pmReadWant{err: waitErr}, false
}

// readWait calls Read or ReadAtLeast on another goroutine: it must return
// at once if the model says data (or a cancellation, or the writer's
// completion) is there, and wait otherwise.
func (m *pmModel) readWait(t *rapid.T) {
	if m.read != nil || m.held != nil || m.readerDone {
		t.Skip("a read is waiting, a result is held or the reader completed")
	}
	n := rapid.IntRange(-1, len(m.flushed)+2*m.segSize).Draw(t, "ReadAtLeast n (< 1: Read)")
	what := "Read"
	if n < 1 {
		n = 0
	} else {
		what = fmt.Sprintf("ReadAtLeast(%d)", n)
	}
	ctx, cancel := context.WithCancel(m.ctx)
	done := make(chan pmReadOut, 1)
	go func() {
		var out pmReadOut
		if n == 0 {
			out.res, out.err = m.r.Read(ctx)
		} else {
			out.res, out.err = m.r.ReadAtLeast(ctx, n)
		}
		done <- out
	}()
	synctest.Wait()
	if m.readReady(n) {
		defer cancel()
		select {
		case got := <-done:
			m.checkRead(t, what, got.res, got.err, m.takeRead())
		default:
			t.Fatalf("%s waits with %d of %d bytes examined", what, m.examined, len(m.flushed))
		}
		return
	}
	select {
	case got := <-done:
		cancel()
		t.Fatalf("%s returned %+v, %v; want it to wait with %d of %d bytes examined", what, got.res, got.err, m.examined, len(m.flushed))
	default:
	}
	m.read = &pmPendingRead{atLeast: n, done: done, cancel: cancel}
}

// advanceTo releases the held result with a valid pair of positions drawn
// from it: consumed anywhere, examined between consumed and the end and not
// before what was examined earlier.
func (m *pmModel) advanceTo(t *rapid.T) {
	if m.held == nil {
		t.Skip("no result is held")
	}
	buf := m.held.buf
	n := buf.Len()
	if n != len(m.held.want) || m.examined > n {
		t.Fatalf("held buffer of %d bytes, model %d bytes with %d examined", n, len(m.held.want), m.examined)
	}
	c := rapid.IntRange(0, n).Draw(t, "consumed")
	e := rapid.IntRange(max(c, m.examined), n).Draw(t, "examined")
	m.r.AdvanceTo(pmPos(t, buf, c, "consumed form"), pmPos(t, buf, e, "examined form"))
	m.flushed = m.flushed[c:]
	m.examined = e - c
	m.held = nil
}

// pmPos returns the position i bytes into buf, made in one of the ways a
// reader makes positions. At a segment boundary they differ: PosAt gives
// the start of the later segment, the end of a slice the end of the
// earlier one.
func pmPos(t *rapid.T, buf seq.Sequence, i int, label string) seq.Position {
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 0:
		return buf.PosAt(i)
	case 1:
		return buf.Slice(0, i).End()
	default:
		r := seq.NewReader(buf)
		r.Advance(i)
		return r.Position()
	}
}

// cancelPendingRead cancels the waiting read, or the next one.
func (m *pmModel) cancelPendingRead(*rapid.T) {
	m.r.CancelPendingRead()
	m.cancelRead = true
}

// abortRead cancels the context of the waiting read.
func (m *pmModel) abortRead(t *rapid.T) {
	if m.read == nil {
		t.Skip("no read is waiting")
	}
	m.read.aborted = true
	m.read.cancel()
}

// completeReader completes the reader, with or without an error; it may be
// called again. The pipe drops what it holds.
func (m *pmModel) completeReader(t *rapid.T) {
	if m.read != nil {
		t.Skip("a read is waiting")
	}
	err := pmDrawErr(t, errPMReader, "reader error")
	m.r.Complete(err)
	if !m.readerDone {
		m.readerDone, m.readerErr = true, err
		m.flushed, m.unflushed, m.examined, m.held = nil, nil, 0, nil
	}
}

// reset reuses the pipe once both sides have completed, the precondition
// of Pipe.Reset.
func (m *pmModel) reset(t *rapid.T) {
	if !m.readerDone || !m.writerDone {
		t.Skip("a side has not completed")
	}
	if m.read != nil || m.flush != nil {
		t.Fatalf("an operation still waits after both sides completed")
	}
	m.p.Reset()
	m.readerDone, m.readerErr, m.writerDone, m.writerErr = false, nil, false, nil
	m.cancelRead, m.cancelFlush = false, false
	m.flushed, m.unflushed, m.examined = nil, nil, 0
}

// Invariants.

// check runs after every action. It settles the waiting operations, then
// checks the pool, that a flush would wait exactly when the model says,
// Len, the held result, and (when that can be done without changing the
// pipe's state) that a read shows exactly the model's flushed bytes.
func (m *pmModel) check(t *rapid.T) {
	m.settle(t)
	if msg := m.pool.problem(); msg != "" {
		t.Fatal(msg)
	}
	if out := m.pool.outstanding(); m.readerDone && m.writerDone && out != 0 {
		t.Fatalf("%d segments not returned to the pool after both sides completed", out)
	}

	// A flush with nothing to commit and no cancellation due changes
	// nothing; on a canceled context it tells whether a flush would wait.
	if !m.writerDone && m.flush == nil && len(m.unflushed) == 0 && !m.cancelFlush {
		want, ok := m.flushNow(false)
		if !ok {
			want = pmFlushOut{err: context.Canceled}
		}
		res, err := m.w.Flush(m.dead)
		pmCheckFlush(t, fmt.Sprintf("probe Flush with %d of %d bytes unexamined, pause %d", len(m.flushed)-m.examined, len(m.flushed), m.pause), pmFlushOut{res, err}, want)
	}

	if got := m.p.Len(); got != len(m.flushed) {
		t.Fatalf("Len = %d, model holds %d flushed bytes", got, len(m.flushed))
	}
	if h := m.held; h != nil && !h.buf.Equal(h.want) {
		t.Fatalf("held result changed: %s, want %s", pmShow(h.buf.Bytes()), pmShow(h.want))
	}

	// Read and put everything back: AdvanceTo(start, what was examined)
	// leaves the reader where it was. It may normalize where the pipe keeps
	// its start, so it is done only some of the time.
	if m.readerDone || m.held != nil || m.read != nil || m.cancelRead || !m.readReady(0) || !rapid.Bool().Draw(t, "peek") {
		return
	}
	res, ok, err := m.r.TryRead()
	if !ok {
		t.Fatalf("peek: TryRead = not ready, %v; the model has %d of %d bytes examined, writer done %v", err, m.examined, len(m.flushed), m.writerDone)
	}
	m.checkRead(t, "peek TryRead", res, err, m.takeRead())
	if m.held != nil {
		m.r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(m.examined))
		m.held = nil
	}
}

// settle lets the goroutines of the waiting operations run until they
// block, then checks that each returned exactly if the model says it can,
// with what the model says.
func (m *pmModel) settle(t *rapid.T) {
	synctest.Wait()
	if pr := m.read; pr != nil {
		what := "waiting Read"
		if pr.atLeast > 0 {
			what = fmt.Sprintf("waiting ReadAtLeast(%d)", pr.atLeast)
		}
		var want pmReadWant
		ends := true
		switch {
		case m.readReady(pr.atLeast):
			want = m.takeRead()
		case pr.aborted:
			want = pmReadWant{err: context.Canceled}
		default:
			ends = false
		}
		select {
		case got := <-pr.done:
			if !ends {
				t.Fatalf("%s returned %+v, %v; want it to go on waiting (%d of %d bytes examined)", what, got.res, got.err, m.examined, len(m.flushed))
			}
			m.read = nil
			pr.cancel()
			m.checkRead(t, what, got.res, got.err, want)
		default:
			if ends {
				t.Fatalf("%s still waits; want it to return %s (Canceled %v, Completed %v, err %v)", what, pmShow(want.buf), want.canceled, want.completed, want.err)
			}
		}
	}
	if pf := m.flush; pf != nil {
		want, ends := m.flushNow(true)
		if !ends && pf.aborted {
			want, ends = pmFlushOut{err: context.Canceled}, true
		}
		select {
		case got := <-pf.done:
			if !ends {
				t.Fatalf("waiting flush returned %+v, %v; want it to go on waiting (%d of %d bytes unexamined, resume %d)", got.res, got.err, len(m.flushed)-m.examined, len(m.flushed), m.resume)
			}
			m.flush = nil
			pf.cancel()
			pmCheckFlush(t, "waiting flush", got, want)
		default:
			if ends {
				t.Fatalf("waiting flush still waits; want %+v, %v (%d of %d bytes unexamined, resume %d)", want.res, want.err, len(m.flushed)-m.examined, len(m.flushed), m.resume)
			}
		}
	}
}

// pmPool is a Pool that keeps the books: it hands out segments of the size
// asked for, takes back only segments it handed out and that were
// recycled, and reuses them at once (last in, first out), so that a
// segment freed too early shows up as another read's bytes or as a stale
// position.
type pmPool struct {
	mu   sync.Mutex
	out  map[*seq.Segment]bool
	free []*seq.Segment
	bad  string
}

// Get returns a free segment of capacity at least size, or a new one.
func (p *pmPool) Get(size int) *seq.Segment {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.free) - 1; i >= 0; i-- {
		if s := p.free[i]; s.Cap() >= size {
			p.free = append(p.free[:i], p.free[i+1:]...)
			p.out[s] = true
			return s
		}
	}
	s := seq.NewSegment(make([]byte, 0, max(size, 1)))
	p.out[s] = true
	return s
}

// Put takes a segment back, noting a segment it did not hand out or one
// that still holds data.
func (p *pmPool) Put(s *seq.Segment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.out[s]:
		p.bad = "Put of a segment that is not out (put twice, or not from this pool)"
	case s.Len() != 0:
		p.bad = fmt.Sprintf("Put of a segment that was not recycled (Len %d)", s.Len())
	default:
		delete(p.out, s)
		p.free = append(p.free, s)
	}
}

// problem returns the first misuse Put noted, or "".
func (p *pmPool) problem() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bad
}

// outstanding reports how many segments are out.
func (p *pmPool) outstanding() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}
