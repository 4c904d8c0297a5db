package fuzz

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// TB is what the checks need from a test: *testing.T, *testing.B,
// *testing.F's fuzz function's *testing.T and *rapid.T all implement it, and
// [Prop] adapts it for gopter. Fatalf must end the check (as t.Fatalf does);
// the checks call it only from the goroutine that called them. If the value
// also has a Helper method, the checks call it.
type TB interface {
	Fatalf(format string, args ...any)
}

// Decoder is a protocol decoder under test: it reads r until the input
// ends, calls emit once per message in order, completes r, and returns nil at
// a clean end or the error that ended the input. limit is the maximum message
// size the harness checks memory against; a decoder built on parse passes
// it on as parse.Options.MaxMessageSize.
//
// A message passed to emit may view r's memory: it needs to stay valid only
// until emit returns, since emit copies it (see [Options.Own]). emit never
// fails.
//
// Use [Parser] for a parse.TryParse; write a Decoder by hand to test a read
// loop of your own.
type Decoder[T any] func(ctx context.Context, r pipe.Reader, limit int, emit func(T)) error

// Parser returns the Decoder that reads messages with p through a
// [parse.Reader], the way an application would.
func Parser[T any](p parse.TryParse[T]) Decoder[T] {
	return func(ctx context.Context, r pipe.Reader, limit int, emit func(T)) error {
		mr := parse.NewReader(r, p, parse.Options{MaxMessageSize: limit})
		defer mr.Close()
		for {
			msg, err := mr.Next(ctx)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			emit(msg)
		}
	}
}

// Options configure the checks. The zero value gives the defaults.
type Options[T any] struct {
	// MaxMessageSize is the maximum message size passed to the decoder and
	// the bound on the bytes it may keep buffered while it waits for more:
	// when a read has to wait (every buffered byte examined, or fewer
	// buffered than ReadAtLeast asked for) and more input is still to
	// come, the bytes kept since the consumed position must not exceed
	// MaxMessageSize+1 (a message of the maximum size and one byte of
	// lookahead). A decoder that marks more examined and then ends
	// without reading again, with an error or not, waits for nothing and
	// is not held to it. Zero means 64 KiB.
	MaxMessageSize int
	// Timeout bounds one run of the decoder over the input. Zero means 5
	// seconds. A decoder that has not returned in time is reported as a
	// hang at its next read or AdvanceTo. One that still has not returned
	// after twice the time loops without reading and cannot be stopped:
	// the harness then ends the process, printing the input, its chunks
	// and every goroutine's stack (the fuzzer keeps such an input as a
	// crasher).
	Timeout time.Duration
	// Own copies a message into memory the decoder does not own, so that it
	// can be compared after later reads. Nil means a deep copy that gives
	// every seq.Sequence and []byte reachable from the message its own
	// memory (see [Own]).
	Own func(T) T
	// Cmp are extra go-cmp options for comparing messages. The checks
	// always compare seq.Sequence values by content and look into
	// unexported fields. The options decide which messages are equal, not
	// how a report writes them.
	Cmp []cmp.Option
	// Name names the decoder in failure reports ("fuzz: <Name>: ..."),
	// for a test that checks several.
	Name string
}

// prefix starts a failure report.
func (o Options[T]) prefix() string {
	if o.Name != "" {
		return "fuzz: " + o.Name + ": "
	}
	return "fuzz: "
}

func (o Options[T]) limit() int {
	if o.MaxMessageSize <= 0 {
		return 64 << 10
	}
	return o.MaxMessageSize
}

func (o Options[T]) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 5 * time.Second
	}
	return o.Timeout
}

// ownAt replaces *v with its own copy, in place.
func (o Options[T]) ownAt(v *T) {
	if o.Own != nil {
		*v = o.Own(*v)
		return
	}
	ownInPlace(v)
}

func (o Options[T]) cmpOptions() []cmp.Option {
	return append(baseCmp(), o.Cmp...)
}

// Kind classifies what went wrong in one run of a decoder.
type Kind int

// The kinds of problem the harness reports, in the order a run checks them.
const (
	// Panic: the decoder, the parser or the pipe panicked (a stale view of
	// recycled memory panics too).
	Panic Kind = iota + 1
	// Hang: the decoder did not return within Options.Timeout, or kept
	// reading without consuming anything.
	Hang
	// Memory: the decoder waited for more input while keeping more than
	// MaxMessageSize+1 bytes buffered (see Options.MaxMessageSize).
	Memory
	// Bookkeeping: AdvanceTo was called with consumed > examined, outside
	// the last buffer, or without a read; or the decoder returned without
	// completing its reader.
	Bookkeeping
	// NoProgress: the parser returned a message without consuming input
	// (parse.ErrNoProgress).
	NoProgress
	// Mismatch: the chunked input gave other messages or another error than
	// the whole input.
	Mismatch
)

var kindNames = [...]string{Panic: "panic", Hang: "hang", Memory: "memory", Bookkeeping: "bookkeeping", NoProgress: "no progress", Mismatch: "mismatch"}

// String names the kind.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Outcome is what one run of a decoder gave: owned copies of its messages
// and the error it returned (nil at a clean end).
type Outcome[T any] struct {
	// Messages are the decoded messages, in order, each copied by
	// Options.Own as the decoder handed it over.
	Messages []T
	// Err is what the decoder returned: nil at a clean end of input.
	Err error
}

// problem is a failed run: its kind and a description.
type problem struct {
	kind Kind
	msg  string
}

// run feeds input to d through a real pipe, delivering it in the chunks
// that cuts (strictly increasing offsets in (0, len(input))) make, or all
// at once and already completed if whole. It never calls t.
func run[T any](d Decoder[T], input []byte, cuts []int, whole bool, o Options[T]) (Outcome[T], *problem) {
	f := newFeeder(input, cuts, whole, o.limit())
	out, p := runOn(d, f, o)
	if p == nil {
		f.release()
	}
	return out, p
}

// runSequence runs d on s, all the input in one read, through
// pipe.FromSequence: segments as a test lays them out (with foreign bytes
// around the input in the same memory, or empty ones), not as a pipe does.
func runSequence[T any](d Decoder[T], s seq.Sequence, o Options[T]) (Outcome[T], *problem) {
	f := &feeder{r: pipe.FromSequence(s), limit: o.limit(), completed: true, maxIdle: s.Len() + 64}
	return runOn(d, f, o)
}

// runOn runs d reading f, with the checks of run, on the calling
// goroutine. A watchdog bounds the run (see watch).
func runOn[T any](d Decoder[T], f *feeder, o Options[T]) (out Outcome[T], p *problem) {
	stop := f.watch(o.timeout())
	defer stop()
	defer func() {
		if v := recover(); v != nil {
			if q, ok := v.(*problem); ok {
				p = q
				return
			}
			p = &problem{Panic, fmt.Sprintf("panic: %v\n%s", v, trimStack(debug.Stack()))}
		}
	}()
	err := d(context.Background(), f, o.limit(), func(m T) {
		out.Messages = append(out.Messages, m)
		o.ownAt(&out.Messages[len(out.Messages)-1])
	})
	out.Err = err
	return out, f.finish(err)
}

// watch starts the watchdog of one run and returns the function that
// stops it when the run returns. After timeout, the decoder's next read or
// AdvanceTo panics with a hang, which the run reports. A decoder that
// still has not returned after a second timeout loops without reading: it
// cannot be stopped, so the watchdog ends the process with a report and
// every goroutine's stack (go test shows it as a failure, and the fuzzer
// keeps the input as a crasher).
func (f *feeder) watch(timeout time.Duration) (stop func()) {
	var done atomic.Bool
	var mu sync.Mutex // orders the cancel before stop returns, and so before release clears f.r
	t := time.AfterFunc(timeout, func() {
		mu.Lock()
		if done.Load() {
			mu.Unlock()
			return
		}
		f.timedOut.Store(int64(timeout))
		f.r.CancelPendingRead()
		mu.Unlock()
		time.Sleep(timeout)
		if !done.Load() {
			debug.SetTraceback("all")
			panic(fmt.Sprintf("fuzz: hang: the decoder has not returned %v after it was given its input, and does not read (it loops in its own code); input %s\n%s",
				2*timeout, quote(bytes.Join(f.chunks, nil)), chunksLine(f.chunks)))
		}
	})
	return func() {
		mu.Lock()
		done.Store(true)
		mu.Unlock()
		t.Stop()
	}
}

// chunksLine describes how an input was cut.
func chunksLine(chunks [][]byte) string {
	var b strings.Builder
	if len(chunks) == 1 {
		b.WriteString("in 1 chunk:")
	} else {
		fmt.Fprintf(&b, "in %d chunks:", len(chunks))
	}
	for _, c := range chunks {
		b.WriteString(" ")
		b.WriteString(quote(c))
	}
	return b.String()
}

// trimStack drops the frames of the harness and the runtime's panic
// machinery from the top of a stack dump, keeping it readable.
func trimStack(s []byte) string {
	lines := strings.Split(string(s), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			return strings.Join(lines[i+2:], "\n")
		}
	}
	return string(s)
}

// feeder is the pipe.Reader a decoder under test reads: a real pipe's
// reader that delivers the next chunk of the input only when the decoder
// would otherwise wait (everything buffered was examined), as a socket
// would, and checks the decoder's bookkeeping on the way.
type feeder struct {
	pipe   *pipe.Pipe
	r      pipe.Reader
	w      pipe.Writer
	chunks [][]byte
	limit  int

	last        pipe.Result // the last result returned, until AdvanceTo
	held        bool        // a result was returned and not yet advanced
	examinedAll bool        // the last AdvanceTo examined the whole buffer
	sent        int         // chunks delivered
	completed   bool        // the writer completed
	idle        int         // reads that delivered nothing since the last consumption
	maxIdle     int
	readerDone  bool // the decoder completed the reader

	timedOut atomic.Int64 // the run's timeout, once it has passed (see watch)
}

func newFeeder(input []byte, cuts []int, whole bool, limit int) *feeder {
	p, _ := feederPipes.Get().(*pipe.Pipe)
	if p == nil {
		p = pipe.New(pipe.Options{PauseThreshold: -1, Poison: true, SegmentSize: 1, Pool: exactPool{}})
	}
	f := &feeder{pipe: p, r: p.Reader(), w: p.Writer(), limit: limit, examinedAll: true}
	f.chunks = Chunks(input, cuts)
	f.maxIdle = len(input) + 64
	if whole {
		f.chunks = [][]byte{input}
		f.deliver()
		f.complete()
	}
	return f
}

// feederPipes keeps the pipes of runs that ended cleanly, reset, for the
// next run: a fuzz execution makes at least two runs.
var feederPipes sync.Pool

// release gives the pipe of a run that ended without a problem to the next
// run. The messages were copied out of its memory as they came.
func (f *feeder) release() {
	if !f.readerDone {
		return
	}
	f.completed = true
	f.w.Complete(nil)
	f.pipe.Reset()
	feederPipes.Put(f.pipe)
	f.pipe, f.r, f.w = nil, nil, nil
}

// exactPool gives segments of exactly the size asked for and lets the
// garbage collector have them back, so that a chunk of one byte costs one
// byte. Recycled segments still change generation, so stale views are
// detected.
type exactPool struct{}

func (exactPool) Get(size int) *seq.Segment { return seq.NewSegment(make([]byte, 0, size)) }
func (exactPool) Put(*seq.Segment)          {}

// deliver writes the next chunk into a segment of its own and flushes it,
// so that chunk boundaries are segment boundaries too. It returns the
// chunk's length.
func (f *feeder) deliver() int {
	c := f.chunks[f.sent]
	f.sent++
	n := len(c)
	for len(c) > 0 {
		// The pool gives segments of the exact size asked for, so the tail
		// is always full here and each piece starts a segment.
		k := min(len(c), 1<<20)
		copy(f.w.Buffer(k), c[:k])
		f.w.Advance(k)
		c = c[k:]
	}
	if _, err := f.w.Flush(context.Background()); err != nil {
		panic(&problem{Bookkeeping, fmt.Sprintf("flush failed: %v (the decoder completed its reader early?)", err)})
	}
	return n
}

func (f *feeder) complete() {
	if !f.completed {
		f.completed = true
		f.w.Complete(nil)
	}
}

// feed delivers input before a read if the decoder would wait otherwise:
// the next chunk, or the end of the input once every chunk is out.
func (f *feeder) feed(atLeast int) {
	f.checkTime()
	if f.held {
		panic(&problem{Bookkeeping, "read without AdvanceTo after the previous read"})
	}
	if f.readerDone {
		panic(&problem{Bookkeeping, "read after the decoder completed its reader"})
	}
	waits := !f.completed && (f.examinedAll || f.pipe.Len() < atLeast)
	if waits && f.moreToCome() {
		// A partial message may be at most a message of the limit and one
		// byte of lookahead. Waiting with more while the peer still sends
		// is buffering that only the peer bounds. (Waiting for nothing but
		// the end of input is not: the decoder keeps what it had.)
		if kept := f.pipe.Len(); kept > f.limit+1 {
			panic(&problem{Memory, fmt.Sprintf("the decoder waited for more input while keeping %d bytes buffered; the maximum message size is %d (plus one byte of lookahead)", kept, f.limit)})
		}
	}
	delivered := false
	for !f.completed && (f.examinedAll || f.pipe.Len() < atLeast) {
		if f.sent < len(f.chunks) {
			if f.deliver() > 0 {
				f.examinedAll = false
			}
		} else {
			f.complete()
		}
		delivered = true
	}
	if !delivered {
		f.idle++
		if f.idle > f.maxIdle {
			panic(&problem{Hang, fmt.Sprintf("the decoder read %d times in a row without consuming a byte, each read returning at once (it marks bytes unexamined, or goes on reading after the end of input)", f.idle)})
		}
	}
}

// checkTime ends a run whose time has passed (see watch) as a hang.
func (f *feeder) checkTime() {
	if t := f.timedOut.Load(); t != 0 {
		panic(&problem{Hang, fmt.Sprintf("the decoder did not return within %v", time.Duration(t))})
	}
}

// moreToCome reports whether input bytes are still to be delivered.
func (f *feeder) moreToCome() bool {
	for _, c := range f.chunks[f.sent:] {
		if len(c) > 0 {
			return true
		}
	}
	return false
}

// check records a result about to be returned.
func (f *feeder) check(res pipe.Result, err error) (pipe.Result, error) {
	if err == nil {
		f.last, f.held = res, true
	}
	return res, err
}

func (f *feeder) Read(ctx context.Context) (pipe.Result, error) {
	f.feed(0)
	return f.check(f.r.Read(ctx))
}

func (f *feeder) ReadAtLeast(ctx context.Context, n int) (pipe.Result, error) {
	f.feed(n)
	return f.check(f.r.ReadAtLeast(ctx, n))
}

func (f *feeder) TryRead() (pipe.Result, bool, error) {
	f.feed(0)
	res, ok, err := f.r.TryRead()
	if !ok || err != nil {
		return res, ok, err
	}
	res, err = f.check(res, nil)
	return res, ok, err
}

func (f *feeder) AdvanceTo(consumed, examined seq.Position) {
	f.checkTime()
	if !f.held {
		panic(&problem{Bookkeeping, "AdvanceTo without a read before it"})
	}
	buf := f.last.Buffer
	c, e := offsetIn(buf, consumed), offsetIn(buf, examined)
	switch {
	case c < 0:
		panic(&problem{Bookkeeping, "AdvanceTo: consumed is not a position of the last buffer"})
	case e < 0:
		panic(&problem{Bookkeeping, "AdvanceTo: examined is not a position of the last buffer"})
	case c > e:
		panic(&problem{Bookkeeping, fmt.Sprintf("AdvanceTo: consumed (%d) is after examined (%d)", c, e)})
	}
	// What the decoder keeps is checked when it waits for more (see feed),
	// not here: a decoder may mark everything examined and then end with an
	// error without reading again.
	f.held = false
	if c > 0 {
		f.idle = 0
	}
	f.examinedAll = e == buf.Len()
	f.r.AdvanceTo(consumed, examined)
}

func (f *feeder) CancelPendingRead() { f.r.CancelPendingRead() }

func (f *feeder) Complete(err error) {
	f.readerDone = true
	f.r.Complete(err)
}

// finish checks the end of a run: the decoder completed its reader.
func (f *feeder) finish(err error) *problem {
	if !f.readerDone {
		return &problem{Bookkeeping, fmt.Sprintf("the decoder returned (%v) without completing its pipe reader", err)}
	}
	if errors.Is(err, parse.ErrNoProgress) {
		return &problem{NoProgress, err.Error()}
	}
	return nil
}

// offsetIn returns p's offset in s, or -1 if p is not a position of s.
func offsetIn(s seq.Sequence, p seq.Position) (off int) {
	defer func() {
		if recover() != nil {
			off = -1
		}
	}()
	return s.OffsetOf(p)
}
