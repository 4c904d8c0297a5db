package pipe

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Duplex is the two ends of a bidirectional byte stream an application holds,
// the analogue of .NET's IDuplexPipe: Input is what the application reads
// (bytes from the peer), Output what it writes (bytes to the peer). The
// application owns both sides it is handed and completes each when done.
type Duplex interface {
	// Input returns the reader of the bytes that arrive.
	Input() Reader
	// Output returns the writer of the bytes to send.
	Output() Writer
}

type duplex struct {
	in  Reader
	out Writer
}

func (d duplex) Input() Reader  { return d.in }
func (d duplex) Output() Writer { return d.out }

// NewPair returns two connected in-memory duplex pipes, for tests: what a
// writes to its Output, b reads from its Input, and what b writes, a reads.
// Both directions are pipes made with opts (see [New]), which must be valid.
func NewPair(opts Options) (a, b Duplex) {
	ab, ba := New(opts), New(opts)
	return duplex{in: ba.Reader(), out: ab.Writer()}, duplex{in: ab.Reader(), out: ba.Writer()}
}

// ConnOptions configure a [Conn]. The zero value gives the defaults.
type ConnOptions struct {
	// Input configures the pipe that carries the bytes received from the
	// connection to the application. Its PauseThreshold bounds how far the
	// receive loop reads ahead of the application.
	Input Options
	// Output configures the pipe that carries the application's bytes to
	// the connection. Its PauseThreshold bounds how much the application
	// may write ahead of the send loop.
	Output Options
	// ReadSize is the most bytes asked of the connection per Read, and the
	// size asked of the input pipe's Buffer. Zero means 4 KiB.
	ReadSize int
}

// Conn runs a [net.Conn] as a [Duplex]: a receive loop copies the
// connection's bytes into the input pipe, and a send loop copies the output
// pipe to the connection, each on its own goroutine, with the pipes'
// backpressure: the receive loop stops reading from the connection while
// the application has Input.PauseThreshold or more bytes unexamined, until
// it has fewer than Input.ResumeThreshold.
//
// Create it with [NewConn]. The application reads Input and writes Output
// (each from one goroutine at a time) and completes both; completing Output
// sends everything written and then half-closes the connection (CloseWrite)
// if it supports that. Close shuts the connection down.
type Conn struct {
	c        net.Conn
	in, out  *Pipe
	readSize int

	ctx    context.Context // ends when the connection is shut down
	cancel context.CancelFunc

	sendDone, recvDone chan struct{}
	closeOnce          sync.Once
	shutOnce           sync.Once

	input     connInput
	inputDone atomic.Bool // the application completed Input

	mu  sync.Mutex
	err error // first unexpected error of the loops
}

// connInput is the application's view of the input pipe: completing it also
// wakes a receive loop blocked in Read on a silent peer.
type connInput struct {
	Reader
	k *Conn
}

func (i connInput) Complete(err error) {
	i.Reader.Complete(err)
	if !i.k.inputDone.Swap(true) {
		_ = i.k.c.SetReadDeadline(time.Unix(1, 0))
	}
}

// NewConn starts the receive and send loops of c and returns the [Conn]
// that owns c from then on. It panics if the options are invalid.
//
// The receive loop asks the input pipe for ReadSize bytes, reads c into
// them and flushes, which waits while the application is behind. It stops
// when the application completes Input, and when c.Read fails: it completes
// the input pipe's writer with nil on [io.EOF], with the error otherwise.
//
// The send loop reads the output pipe and writes every chunk to c. When
// the application completes Output with nil and everything is written, it
// half-closes c with CloseWrite if c has that method. If the application
// completes Output with an error, the connection is closed at once (an
// abort). If c.Write fails, the loop completes the output pipe's reader with
// that error, so that the application's next Flush reports Completed with
// the error.
func NewConn(c net.Conn, opts ConnOptions) *Conn {
	if opts.ReadSize < 0 {
		panic("pipe: negative ReadSize")
	}
	if opts.ReadSize == 0 {
		opts.ReadSize = defaultReadBufferSize
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &Conn{
		c:        c,
		in:       New(opts.Input),
		out:      New(opts.Output),
		readSize: opts.ReadSize,
		ctx:      ctx,
		cancel:   cancel,
		sendDone: make(chan struct{}),
		recvDone: make(chan struct{}),
	}
	k.input = connInput{Reader: k.in.Reader(), k: k}
	go k.receive()
	go k.send()
	return k
}

// Input returns the reader of the bytes received from the connection. The
// application owns it and completes it when done reading; after Close it
// reports the connection's end as a completion with an error.
func (k *Conn) Input() Reader { return k.input }

// Output returns the writer of the bytes to send. The application owns it
// and completes it when done writing.
func (k *Conn) Output() Writer { return k.out.Writer() }

// Close shuts the connection down cleanly: it completes Output with nil if
// the application has not (so Close must not run while another goroutine
// uses Output), waits until the send loop has written all pending output,
// which may take as long as the peer takes to read it, then closes the
// connection, which ends the receive loop. When Close returns, both loops
// have ended. It returns the first error of the loops other than the
// expected ones (io.EOF, use of the closed connection), and the same on
// every call. The application still completes Input itself.
func (k *Conn) Close() error {
	k.closeOnce.Do(func() {
		k.out.Writer().Complete(nil)
		<-k.sendDone
		k.shutdown()
		<-k.recvDone
	})
	return k.Wait()
}

// Wait blocks until both loops have ended and returns the error Close
// returns. The loops end on their own once the peer has closed its side or
// the application completed Input (which interrupts a pending c.Read with a
// read deadline), and the application completed Output; the connection
// stays open until Close.
func (k *Conn) Wait() error {
	<-k.sendDone
	<-k.recvDone
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// shutdown closes the connection and ends a receive loop waiting in Flush.
func (k *Conn) shutdown() {
	k.shutOnce.Do(func() {
		k.cancel()
		k.fail(k.c.Close())
	})
}

// fail records err unless it is nil or expected.
func (k *Conn) fail(err error) {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) {
		return
	}
	k.mu.Lock()
	if k.err == nil {
		k.err = err
	}
	k.mu.Unlock()
}

func (k *Conn) receive() {
	defer close(k.recvDone)
	w := k.in.Writer()
	for {
		buf := w.Buffer(k.readSize)
		if len(buf) > k.readSize {
			buf = buf[:k.readSize]
		}
		n, err := k.c.Read(buf)
		if n > 0 {
			w.Advance(n)
			res, ferr := w.Flush(k.ctx)
			switch {
			case res.Completed:
				// The application completed Input: stop reading.
				w.Complete(nil)
				return
			case ferr != nil:
				// Only k.ctx ends a flush with an error: Close.
				w.Complete(net.ErrClosed)
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || k.inputDone.Load() {
				w.Complete(nil)
			} else {
				w.Complete(err)
				k.fail(err)
			}
			return
		}
	}
}

func (k *Conn) send() {
	defer close(k.sendDone)
	r := k.out.Reader()
	for {
		res, err := r.Read(context.Background())
		if err != nil {
			// The application completed Output with an error: abort.
			r.Complete(nil)
			k.shutdown()
			return
		}
		for b := range res.Buffer.Chunks() {
			if len(b) == 0 {
				continue
			}
			if _, err := k.c.Write(b); err != nil {
				r.Complete(err)
				k.fail(err)
				return
			}
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			if cw, ok := k.c.(interface{ CloseWrite() error }); ok {
				k.fail(cw.CloseWrite())
			}
			r.Complete(nil)
			return
		}
	}
}
