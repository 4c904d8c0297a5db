package pipe_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// FuzzPipe runs a sequence of operations decoded from the input on both
// sides of one pipe, on one goroutine, and checks them against a plain
// record of what was written, flushed, consumed and examined.
//
// Input format: byte 0 sets SegmentSize (1 + b%32); byte 1 sets
// PauseThreshold (b < 128: -1, so Flush never waits; otherwise 1 + b%64,
// and since every Flush and Read gets a context that is already canceled,
// one that would wait returns the context's error instead, which is
// checked too). Each later byte is an operation, fpOps[i] if it is that
// letter and fpOps[b % len(fpOps)] otherwise, followed by the argument
// bytes it takes (0 past the end of the input):
//
//	w n      Write n % (4*seg+1) bytes of the test stream
//	b n k    Buffer(n % (3*seg)), Advance(k % ...) of its bytes, no flush
//	f        Flush
//	r        TryRead            (the result is held until 'a')
//	R        Read               (canceled context: returns at once)
//	L n      ReadAtLeast(n % ...)
//	a c e f  AdvanceTo the held result: consumed c, examined e, f the way
//	         positions are made
//	c        CancelPendingRead
//	C        CancelPendingFlush
//	W e      complete the writer, with an error if e is odd
//	X e      complete the reader, with an error if e is odd
//	Z        Reset, if both sides completed
//
// At the end the writer completes, the reader drains the pipe, and what it
// consumed must be the stream that was written, in order. The seed corpus
// is in testdata/fuzz/FuzzPipe.
func FuzzPipe(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fpInput{b: data}
		s := fpNew(t, in.next(), in.next())
		for ops := 0; in.more() && ops < fpMaxOps; ops++ {
			s.step(in)
			s.checkLen()
		}
		s.finish()
	})
}

// fpOps are the operation letters of FuzzPipe's input.
const fpOps = "wbfrRLacCWXZ"

const (
	fpMaxOps = 1024 // operations decoded from one input, at most
	fpPeriod = 251  // the test stream repeats with this period
)

// Errors the sides complete with when the input asks for one.
var (
	errFPWriter = errors.New("fuzz: the writer failed")
	errFPReader = errors.New("fuzz: the reader failed")
)

// fpInput hands out the fuzz input one byte at a time.
type fpInput struct{ b []byte }

// next returns the next byte, or 0 past the end.
func (in *fpInput) next() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

// more reports whether bytes are left.
func (in *fpInput) more() bool { return len(in.b) > 0 }

// fpState is the pipe under test and the record of what it should hold.
type fpState struct {
	t    *testing.T
	p    *pipe.Pipe
	r    pipe.Reader
	w    pipe.Writer
	pool *fpPool
	seg  int
	// pause is the pause threshold, < 0 if Flush never waits.
	pause int
	dead  context.Context // canceled: nothing given it waits
	next  int             // stream offset of the next byte written

	written    []byte // every byte flushed since New or Reset
	unflushed  []byte // committed with Advance, not flushed
	consumed   int    // bytes of written the reader consumed
	examined   int    // bytes of written the reader examined
	got        []byte // what the reader consumed, in order
	held       *fpHeld
	readerDone bool
	readerErr  error
	writerDone bool
	writerErr  error
	cancelRead bool // a CancelPendingRead is due
	cancelFlsh bool // a CancelPendingFlush is due
}

// fpHeld is a read result not yet released with AdvanceTo, with the bytes
// it must keep showing until then.
type fpHeld struct {
	res  pipe.Result
	want []byte
}

// fpNew makes the pipe the first two input bytes describe.
func fpNew(t *testing.T, segByte, pauseByte byte) *fpState {
	seg := 1 + int(segByte%32)
	pause := -1
	if pauseByte >= 128 {
		pause = 1 + int(pauseByte%64)
	}
	pool := &fpPool{t: t, out: make(map[*seq.Segment]bool)}
	p := pipe.New(pipe.Options{PauseThreshold: pause, SegmentSize: seg, Pool: pool})
	dead, cancel := context.WithCancel(context.Background())
	cancel()
	return &fpState{t: t, p: p, r: p.Reader(), w: p.Writer(), pool: pool, seg: seg, pause: pause, dead: dead}
}

// data returns the next n bytes of the test stream: byte i is i % fpPeriod.
func (s *fpState) data(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.next % fpPeriod)
		s.next++
	}
	return b
}

// step decodes and runs one operation.
func (s *fpState) step(in *fpInput) {
	op := in.next()
	if bytes.IndexByte([]byte(fpOps), op) < 0 {
		op = fpOps[int(op)%len(fpOps)]
	}
	switch op {
	case 'w':
		s.write(int(in.next()) % (4*s.seg + 1))
	case 'b':
		s.bufferAdvance(int(in.next())%(3*s.seg), int(in.next()))
	case 'f':
		s.flush()
	case 'r', 'R':
		s.read(op, 0)
	case 'L':
		s.read(op, 1+int(in.next())%(len(s.written)-s.consumed+2*s.seg))
	case 'a':
		s.advance(in.next(), in.next(), in.next())
	case 'c':
		s.r.CancelPendingRead()
		s.cancelRead = true
	case 'C':
		s.w.CancelPendingFlush()
		s.cancelFlsh = true
	case 'W':
		s.completeWriter(fpErr(in.next(), errFPWriter))
	case 'X':
		s.completeReader(fpErr(in.next(), errFPReader))
	case 'Z':
		s.reset()
	}
}

// fpErr returns err if b is odd, nil otherwise.
func fpErr(b byte, err error) error {
	if b&1 == 1 {
		return err
	}
	return nil
}

// commit makes the unflushed bytes readable, or drops them if the reader
// completed.
func (s *fpState) commit() {
	if !s.readerDone {
		s.written = append(s.written, s.unflushed...)
	}
	s.unflushed = nil
}

// flushWant returns what a flush on a canceled context must report now,
// using up a due CancelPendingFlush.
func (s *fpState) flushWant() (pipe.FlushResult, error) {
	switch {
	case s.readerDone:
		return pipe.FlushResult{Completed: true}, s.readerErr
	case s.cancelFlsh:
		s.cancelFlsh = false
		return pipe.FlushResult{Canceled: true}, nil
	case s.pause > 0 && len(s.written)-s.examined >= s.pause:
		return pipe.FlushResult{}, context.Canceled
	}
	return pipe.FlushResult{}, nil
}

// checkFlush fails unless a flush or write returned the wanted values.
func (s *fpState) checkFlush(what string, res pipe.FlushResult, err error, wantRes pipe.FlushResult, wantErr error) {
	s.t.Helper()
	if res != wantRes || err != wantErr {
		s.t.Fatalf("%s = %+v, %v; want %+v, %v (%d flushed, %d examined, pause %d)",
			what, res, err, wantRes, wantErr, len(s.written), s.examined, s.pause)
	}
}

// write writes n bytes of the stream with Write.
func (s *fpState) write(n int) {
	if s.writerDone {
		res, err := s.w.Write(s.dead, []byte("x"))
		s.checkFlush("Write after Complete", res, err, pipe.FlushResult{}, pipe.ErrWriterCompleted)
		return
	}
	p := s.data(n)
	s.unflushed = append(s.unflushed, p...)
	s.commit()
	wantRes, wantErr := s.flushWant()
	res, err := s.w.Write(s.dead, p)
	s.checkFlush(fmt.Sprintf("Write(%d bytes)", n), res, err, wantRes, wantErr)
}

// bufferAdvance commits bytes through Buffer and Advance without flushing.
func (s *fpState) bufferAdvance(n, k int) {
	if s.writerDone {
		return // Buffer after Complete is misuse
	}
	buf := s.w.Buffer(n)
	if len(buf) < max(n, 1) {
		s.t.Fatalf("Buffer(%d) returned %d bytes", n, len(buf))
	}
	p := s.data(k % (min(len(buf), 4*s.seg) + 1))
	copy(buf, p)
	s.w.Advance(len(p))
	s.unflushed = append(s.unflushed, p...)
}

// flush flushes what Buffer and Advance committed.
func (s *fpState) flush() {
	if s.writerDone {
		res, err := s.w.Flush(s.dead)
		s.checkFlush("Flush after Complete", res, err, pipe.FlushResult{}, pipe.ErrWriterCompleted)
		return
	}
	s.commit()
	wantRes, wantErr := s.flushWant()
	res, err := s.w.Flush(s.dead)
	s.checkFlush("Flush", res, err, wantRes, wantErr)
}

// read reads with TryRead ('r'), Read ('R') or ReadAtLeast(n) ('L'), on a
// canceled context, and checks the result against the record: the buffer
// holds exactly the flushed, unconsumed bytes, and its positions agree
// with its length. A successful result is held until advance.
func (s *fpState) read(kind byte, n int) {
	var (
		res  pipe.Result
		ok   = true
		err  error
		what string
	)
	switch kind {
	case 'r':
		what = "TryRead"
		res, ok, err = s.r.TryRead()
	case 'R':
		what = "Read"
		res, err = s.r.Read(s.dead)
	default:
		what = fmt.Sprintf("ReadAtLeast(%d)", n)
		res, err = s.r.ReadAtLeast(s.dead, n)
	}
	avail := len(s.written) - s.consumed
	ready := s.cancelRead || s.writerDone || (n > 0 && avail >= n) || (n == 0 && len(s.written) > s.examined)
	var wantErr error
	switch {
	case s.readerDone:
		wantErr = pipe.ErrReaderCompleted
	case s.held != nil:
		wantErr = pipe.ErrReadInProgress
	case !ready && kind != 'r':
		wantErr = context.Canceled
	}
	if s.readerDone || s.held != nil || !ready {
		if err != wantErr || (kind == 'r' && ok) {
			s.t.Fatalf("%s = ok %v, %v; want %v (%d flushed, %d consumed, %d examined)", what, ok, err, wantErr, len(s.written), s.consumed, s.examined)
		}
		return
	}
	canceled, completed := s.cancelRead, s.writerDone
	if canceled {
		s.cancelRead = false
		completed = s.writerDone && s.writerErr == nil
	} else {
		wantErr = s.writerErr
	}
	if !ok || err != wantErr || res.Canceled != canceled || res.Completed != completed {
		s.t.Fatalf("%s = ok %v, Canceled %v, Completed %v, %v; want Canceled %v, Completed %v, %v",
			what, ok, res.Canceled, res.Completed, err, canceled, completed, wantErr)
	}
	want := s.written[s.consumed:]
	if !res.Buffer.Equal(want) {
		s.t.Fatalf("%s: buffer %q, want %q", what, res.Buffer.Bytes(), want)
	}
	fpCheckPositions(s.t, res.Buffer)
	if err == nil {
		s.held = &fpHeld{res: res, want: bytes.Clone(want)}
	}
}

// fpCheckPositions fails unless the positions of buf agree with its length:
// its end lies Len bytes after its start, and so on for a few positions in
// between.
func fpCheckPositions(t *testing.T, buf seq.Sequence) {
	t.Helper()
	n := buf.Len()
	if n == 0 {
		return
	}
	start := buf.Start().Index()
	if d := buf.End().Index() - start; d != int64(n) {
		t.Fatalf("buffer of %d bytes from index %d to %d", n, start, start+d)
	}
	for _, i := range []int{0, 1, n / 2, n - 1, n} {
		if i > n {
			continue
		}
		pos := buf.PosAt(i)
		if d := pos.Index() - start; d != int64(i) || buf.OffsetOf(pos) != i {
			t.Fatalf("PosAt(%d) of a %d-byte buffer lies %d bytes in (OffsetOf %d)", i, n, d, buf.OffsetOf(pos))
		}
	}
}

// advance releases the held result: it consumes c % (Len+1) bytes and
// examines up to a point drawn from e between that and the end (never
// behind what was examined before); form picks how the positions are made.
func (s *fpState) advance(c, e, form byte) {
	h := s.held
	if h == nil {
		return // AdvanceTo without a result is misuse
	}
	if !h.res.Buffer.Equal(h.want) {
		s.t.Fatalf("held buffer changed to %q, want %q", h.res.Buffer.Bytes(), h.want)
	}
	n := h.res.Buffer.Len()
	ci := int(c) % (n + 1)
	lo := max(ci, s.examined-s.consumed)
	if lo > n {
		s.t.Fatalf("examined %d bytes past a %d-byte buffer", lo-n, n)
	}
	ei := lo + int(e)%(n-lo+1)
	s.advanceTo(ci, ei, form)
}

// advanceTo releases the held result, consuming ci bytes and examining ei.
func (s *fpState) advanceTo(ci, ei int, form byte) {
	buf := s.held.res.Buffer
	cp, ep := fpPos(buf, ci, form), fpPos(buf, ei, form>>2)
	if buf.Len() > 0 {
		if got := buf.OffsetOf(cp); got != ci {
			s.t.Fatalf("consumed position %d bytes in, want %d", got, ci)
		}
		if got := buf.OffsetOf(ep); got != ei {
			s.t.Fatalf("examined position %d bytes in, want %d", got, ei)
		}
	}
	s.got = buf.Slice(0, ci).AppendTo(s.got)
	s.r.AdvanceTo(cp, ep)
	s.examined = s.consumed + ei
	s.consumed += ci
	s.held = nil
	if s.consumed > s.examined || s.examined > len(s.written) {
		s.t.Fatalf("consumed %d, examined %d of %d flushed bytes", s.consumed, s.examined, len(s.written))
	}
}

// fpPos returns the position i bytes into buf, made one of three ways
// (form % 3): they differ at segment boundaries.
func fpPos(buf seq.Sequence, i int, form byte) seq.Position {
	switch form % 3 {
	case 0:
		return buf.PosAt(i)
	case 1:
		return buf.Slice(0, i).End()
	default:
		return buf.From(i).Start()
	}
}

// completeWriter completes the writer; a second call changes nothing.
func (s *fpState) completeWriter(err error) {
	s.w.Complete(err)
	if !s.writerDone {
		s.commit()
		s.writerDone, s.writerErr = true, err
	}
}

// completeReader completes the reader after checking that what it consumed
// is the start of what was written; the pipe then drops what it holds.
func (s *fpState) completeReader(err error) {
	s.r.Complete(err)
	if s.readerDone {
		return
	}
	s.checkGot()
	s.readerDone, s.readerErr = true, err
	s.held, s.unflushed = nil, nil
}

// reset resets the pipe if both sides completed, and starts a new record.
func (s *fpState) reset() {
	if !s.readerDone || !s.writerDone {
		return // Reset before both sides completed is misuse
	}
	if out := s.pool.outstanding(); out != 0 {
		s.t.Fatalf("%d segments still out after both sides completed", out)
	}
	s.p.Reset()
	s.written, s.unflushed, s.got, s.consumed, s.examined = nil, nil, nil, 0, 0
	s.readerDone, s.readerErr, s.writerDone, s.writerErr = false, nil, false, nil
	s.cancelRead, s.cancelFlsh = false, false
}

// checkGot fails unless the bytes consumed so far are the first bytes
// written.
func (s *fpState) checkGot() {
	s.t.Helper()
	if !bytes.Equal(s.got, s.written[:s.consumed]) {
		s.t.Fatalf("consumed %q, want %q", s.got, s.written[:s.consumed])
	}
}

// checkLen fails unless Len is the number of flushed, unconsumed bytes.
func (s *fpState) checkLen() {
	s.t.Helper()
	want := len(s.written) - s.consumed
	if s.readerDone {
		want = 0
	}
	if got := s.p.Len(); got != want {
		s.t.Fatalf("Len = %d, want %d (%d flushed, %d consumed)", got, want, len(s.written), s.consumed)
	}
}

// finish completes the writer, drains the pipe and checks that the reader
// consumed exactly what was written, then that every segment went back to
// the pool.
func (s *fpState) finish() {
	if s.held != nil {
		s.advanceTo(0, s.examined-s.consumed, 0)
	}
	s.completeWriter(nil)
	for i := 0; !s.readerDone; i++ {
		if i > 3 {
			s.t.Fatalf("the pipe does not drain: %d of %d bytes consumed", s.consumed, len(s.written))
		}
		s.read('r', 0)
		if s.held == nil { // the writer's error: the rest is in the result
			break
		}
		n := s.held.res.Buffer.Len()
		done := s.held.res.Completed
		s.advanceTo(n, n, byte(i))
		if done {
			break
		}
	}
	if !s.readerDone && s.writerErr == nil && s.consumed != len(s.written) {
		s.t.Fatalf("drained %d of %d bytes", s.consumed, len(s.written))
	}
	s.checkGot()
	s.completeReader(nil)
	if out := s.pool.outstanding(); out != 0 {
		s.t.Fatalf("%d segments still out after both sides completed", out)
	}
}

// fpPool is a Pool that takes back only the segments it gave out, and
// only recycled, and gives the last one back first, so that a segment
// freed too early shows up under another position at once.
type fpPool struct {
	t    *testing.T
	out  map[*seq.Segment]bool
	free []*seq.Segment
}

// Get returns the most recently freed segment if it is large enough, or a
// new one of capacity size (at least 1).
func (p *fpPool) Get(size int) *seq.Segment {
	var s *seq.Segment
	if n := len(p.free); n > 0 && p.free[n-1].Cap() >= size {
		s, p.free = p.free[n-1], p.free[:n-1]
	} else {
		s = seq.NewSegment(make([]byte, 0, max(size, 1)))
	}
	p.out[s] = true
	return s
}

// Put takes back a segment, failing the test if it was not out or was not
// recycled.
func (p *fpPool) Put(s *seq.Segment) {
	switch {
	case !p.out[s]:
		p.t.Errorf("Put of a segment that is not out")
	case s.Len() != 0:
		p.t.Errorf("Put of a segment holding %d bytes", s.Len())
	default:
		delete(p.out, s)
		p.free = append(p.free, s)
	}
}

// outstanding reports how many segments are out.
func (p *fpPool) outstanding() int { return len(p.out) }
