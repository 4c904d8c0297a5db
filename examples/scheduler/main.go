// Command scheduler is the seed's PipeScheduler example: a scheduler that
// runs every callback on one dedicated goroutine (the seed's
// SingleThreadPipeScheduler, which uses a dedicated thread), given to a pipe
// as its ReaderScheduler.
//
// The consumer is callback-style: it registers with (*pipe.Pipe).Notify, and
// the pipe calls it on the reader scheduler once a flush makes data
// readable. The callback parses every complete message, calls AdvanceTo and
// registers itself again. A producer on its own goroutine writes numbered
// messages. The program checks that every callback ran on the dedicated
// goroutine, then runs the same workload with pipe.Inline (callbacks run on
// the producer's goroutine, inside its Flush) and pipe.Goroutine (the
// default: a new goroutine per callback), and prints for each the number of
// callbacks, where they ran and the elapsed time.
//
//	go run ./examples/scheduler
//	go run ./examples/scheduler -messages 100000
//
// The seed also sets a writerScheduler; a Go pipe needs none, because a
// Flush that has to wait simply blocks its own goroutine. There is no
// SynchronizationContext in Go either. To tell goroutines apart the example
// parses the goroutine id out of runtime.Stack, which is fine for a
// demonstration and wrong for anything else.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/sluicego/sluice/pipe"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "scheduler:", err)
		}
		os.Exit(1)
	}
}

// run is the whole program.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scheduler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	messages := fs.Int("messages", 20000, "number of messages the producer writes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *messages < 0 || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("bad arguments")
	}

	// The seed's Main: a dedicated scheduler given to the pipe's options.
	dedicated := newDedicatedScheduler()
	defer dedicated.Close()
	schedulers := []struct {
		name  string
		sched pipe.Scheduler
	}{{"dedicated", dedicated}, {"inline", pipe.Inline}, {"goroutine", pipe.Goroutine}}

	// Each workload runs twice: once tracing on which goroutine every
	// callback runs (runtime.Stack costs microseconds a call), once timed
	// without tracing.
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scheduler\tmessages\tcallbacks\tgoroutines\telapsed\t  where the callbacks ran\n")
	for _, s := range schedulers {
		traced, err := runWorkload(s.name, s.sched, *messages, true)
		if err != nil {
			return err
		}
		if s.sched == dedicated {
			if traced.onDedicated != traced.callbacks {
				return fmt.Errorf("only %d of %d callbacks ran on the dedicated goroutine %d",
					traced.onDedicated, traced.callbacks, dedicated.ID())
			}
			fmt.Fprintf(stdout, "all %d callbacks ran on the dedicated goroutine %d\n\n", traced.callbacks, dedicated.ID())
		}
		timed, err := runWorkload(s.name, s.sched, *messages, false)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%v\t  %s\n", s.name, traced.messages, traced.callbacks,
			len(traced.goroutines), timed.elapsed.Round(10*time.Microsecond), traced.where())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n(elapsed: a second run of the same workload, without tracing goroutines)\n")
	return nil
}

// dedicatedScheduler runs every callback, in order, on one goroutine that it
// owns. Schedule never blocks: the queue is unbounded, like the seed's
// BlockingCollection, because a callback running on the worker may itself
// schedule the next one (a Notify that finds data ready), and a bounded
// queue could then wait for the very goroutine that has to drain it.
type dedicatedScheduler struct {
	mu     sync.Mutex
	cond   sync.Cond
	queue  []func()
	closed bool
	done   chan struct{}
	id     uint64 // goroutine id of the worker
}

func newDedicatedScheduler() *dedicatedScheduler {
	s := &dedicatedScheduler{done: make(chan struct{})}
	s.cond.L = &s.mu
	started := make(chan uint64)
	go s.work(started)
	s.id = <-started
	return s
}

// ID returns the goroutine id of the worker.
func (s *dedicatedScheduler) ID() uint64 { return s.id }

func (s *dedicatedScheduler) work(started chan<- uint64) {
	defer close(s.done)
	started <- goroutineID()
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return // closed and drained
		}
		f := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		f()
	}
}

// Schedule implements pipe.Scheduler: f runs later on the worker.
func (s *dedicatedScheduler) Schedule(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		panic("dedicatedScheduler: Schedule after Close")
	}
	s.queue = append(s.queue, f)
	s.cond.Signal()
}

// Close runs the callbacks already queued, stops the worker and waits for
// it to end.
func (s *dedicatedScheduler) Close() {
	s.mu.Lock()
	s.closed = true
	s.cond.Signal()
	s.mu.Unlock()
	<-s.done
}

// goroutineID returns the id of the calling goroutine, parsed from the
// first line of its stack trace ("goroutine 18 [running]:").
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b, _ = bytes.CutPrefix(b, []byte("goroutine "))
	b, _, _ = bytes.Cut(b, []byte(" "))
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("cannot parse the goroutine id from " + strconv.Quote(string(buf[:])))
	}
	return id
}

// report is the outcome of one run of the workload.
type report struct {
	name        string
	messages    int
	callbacks   int
	onDedicated int // callbacks that ran on the dedicated goroutine, if any
	onProducer  int // callbacks that ran on the producer's goroutine
	goroutines  map[uint64]bool
	elapsed     time.Duration
}

func (r *report) where() string {
	switch {
	case r.callbacks > 0 && r.onDedicated == r.callbacks:
		return "all on the dedicated goroutine"
	case r.callbacks > 0 && r.onProducer == r.callbacks:
		return "all on the producer's goroutine, inside Flush"
	case len(r.goroutines) == r.callbacks:
		return "each on a new goroutine"
	default:
		return fmt.Sprintf("on %d goroutines", len(r.goroutines))
	}
}

// consumer is a callback-style reader of a pipe: Notify calls onData with
// each read result, on the pipe's ReaderScheduler.
type consumer struct {
	p         *pipe.Pipe
	r         pipe.Reader
	trace     bool   // record the goroutine of every callback
	dedicated uint64 // id of the dedicated goroutine, or 0
	producer  uint64 // id of the producer's goroutine, set before it writes
	rep       *report
	next      int // number of the next message expected
	done      chan error
}

// onData handles one read result and registers itself for the next one.
func (c *consumer) onData(res pipe.Result, err error) {
	c.rep.callbacks++
	if c.trace {
		id := goroutineID()
		c.rep.goroutines[id] = true
		if id == c.dedicated {
			c.rep.onDedicated++
		}
		if id == c.producer {
			c.rep.onProducer++
		}
	}
	if err != nil {
		c.finish(err)
		return
	}
	buf := res.Buffer
	for {
		i := buf.IndexByte('\n')
		if i < 0 {
			break
		}
		if err := c.check(buf.Slice(0, i).String()); err != nil {
			c.r.AdvanceTo(buf.Start(), buf.Start())
			c.finish(err)
			return
		}
		buf = buf.From(i + 1)
	}
	var tail error
	if res.Completed && !buf.IsEmpty() {
		tail = fmt.Errorf("incomplete message at the end: %q", buf.String())
	}
	// Consumed: every complete message. Examined: everything, so that the
	// next callback comes only once more data is flushed.
	c.r.AdvanceTo(buf.Start(), buf.End())
	if res.Completed || tail != nil {
		c.finish(tail)
		return
	}
	// Go on reading: the callback form of the next Read.
	if err := c.p.Notify(c.onData); err != nil {
		c.finish(err)
	}
}

// check verifies that the messages arrive complete and in order.
func (c *consumer) check(msg string) error {
	want := message(c.next)
	if msg != want[:len(want)-1] {
		return fmt.Errorf("message %d is %q, want %q", c.next, msg, want)
	}
	c.next++
	c.rep.messages++
	return nil
}

func (c *consumer) finish(err error) {
	c.r.Complete(err)
	c.done <- err
}

func message(i int) string { return fmt.Sprintf("message %06d\n", i) }

// runWorkload sends n messages through a pipe whose reader callbacks run on
// sched, and reports what the consumer saw. With trace set it records the
// goroutine every callback runs on.
func runWorkload(name string, sched pipe.Scheduler, n int, trace bool) (*report, error) {
	p := pipe.New(pipe.Options{ReaderScheduler: sched})
	c := &consumer{
		p:     p,
		r:     p.Reader(),
		trace: trace,
		rep:   &report{name: name, goroutines: map[uint64]bool{}},
		done:  make(chan error, 1),
	}
	if d, ok := sched.(*dedicatedScheduler); ok {
		c.dedicated = d.ID()
	}
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = []byte(message(i))
	}

	start := time.Now()
	if err := p.Notify(c.onData); err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	produced := make(chan error, 1)
	go func() {
		c.producer = goroutineID()
		close(ready)
		produced <- produce(p.Writer(), msgs)
	}()
	<-ready
	perr := <-produced
	cerr := <-c.done
	c.rep.elapsed = time.Since(start)
	if err := errors.Join(perr, cerr); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.rep.messages != n {
		return nil, fmt.Errorf("%s: consumer got %d messages, want %d", name, c.rep.messages, n)
	}
	return c.rep, nil
}

// produce writes each message and flushes it, then completes the writer.
func produce(w pipe.Writer, msgs [][]byte) (err error) {
	defer func() { w.Complete(err) }()
	for _, m := range msgs {
		res, err := w.Write(context.Background(), m)
		if err != nil {
			return err
		}
		if res.Completed {
			return errors.New("the consumer stopped early")
		}
	}
	return nil
}
