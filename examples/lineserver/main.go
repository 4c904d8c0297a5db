// Command lineserver is the seed's line-delimited TCP server: each
// connection is served by two loops joined by a pipe, one filling the pipe
// from the socket and one reading lines out of it.
//
// The fill loop asks the pipe writer for at least 512 bytes, reads from the
// socket straight into them, commits what arrived and flushes; the read loop
// reads everything buffered, finds each '\n' (also when a line spans
// segments), processes every complete line, and then calls AdvanceTo with
// consumed = just after the last complete line and examined = the end of the
// buffer, so that the next read waits for bytes it has not seen. It stops
// only once the buffer is drained and the writer has completed; bytes left
// after the last '\n' at that point are reported as an incomplete line,
// never dropped silently.
//
// Processing a line prints "conn N: <line>" and replies "ok <length>\n".
// An incomplete final line is answered with "incomplete <length>\n".
//
// Run the demo, which starts a server on a loopback port, drives it with a
// client that cuts its lines at awkward places, prints a transcript and
// checks every reply:
//
//	go run ./examples/lineserver -demo
//	go run ./examples/lineserver -demo -conn   # the same over pipe.NewConn
//
// Or run the two halves yourself (loopback addresses only):
//
//	go run ./examples/lineserver -listen 127.0.0.1:7000
//	go run ./examples/lineserver -connect 127.0.0.1:7000
//
// With -conn the server does not write the fill loop by hand: pipe.NewConn
// runs the socket-to-pipe and pipe-to-socket copy loops, and the handler
// only reads lines from its Input and writes replies to its Output.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "lineserver:", err)
		os.Exit(1)
	}
}

// run is the whole program; main only adds the interrupt signal and the
// exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lineserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "", "serve on this loopback `address` until interrupted")
	connect := fs.String("connect", "", "run the test client against the server at this loopback `address`")
	demo := fs.Bool("demo", false, "start a server on 127.0.0.1:0, run the client against it and check the replies")
	useConn := fs.Bool("conn", false, "serve connections with pipe.NewConn instead of the hand-written fill loop")
	pause := fs.Duration("pause", 5*time.Millisecond, "client: pause between two writes")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: lineserver -demo [-conn] | -listen addr [-conn] | -connect addr\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	modes := 0
	for _, on := range []bool{*listen != "", *connect != "", *demo} {
		if on {
			modes++
		}
	}
	if modes != 1 || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("give exactly one of -demo, -listen and -connect")
	}
	out := &logger{w: stdout}
	switch {
	case *demo:
		return runDemo(ctx, *useConn, *pause, out)
	case *listen != "":
		if err := checkLoopback(*listen); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return err
		}
		out.printf("listening on %s (%s); interrupt to stop", ln.Addr(), variant(*useConn))
		srv := &server{useConn: *useConn, log: out}
		return srv.serve(ctx, ln)
	default:
		if err := checkLoopback(*connect); err != nil {
			return err
		}
		_, err := runClient(ctx, *connect, *pause, out)
		return err
	}
}

func variant(useConn bool) string {
	if useConn {
		return "pipe.NewConn"
	}
	return "hand-written fill loop"
}

// checkLoopback refuses addresses that are not on the loopback interface:
// this is an example, not a service.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s: only loopback addresses (127.0.0.1, [::1], localhost) are allowed", addr)
	}
	return nil
}

// logger serializes the transcript lines of the server and the client.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", a...)
}

// show abbreviates long text for the transcript.
func show(s string) string {
	const limit = 48
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:limit-8], len(s))
}

// Server.

// maxLineLength bounds the bytes buffered while no '\n' arrives. Without a
// bound a peer that never sends '\n' makes the server buffer until it runs
// out of memory (the seed's "Out of Memory" gotcha): AdvanceTo with
// examined = end keeps the pipe's pause threshold from ever applying.
const maxLineLength = 64 << 10

// errLineTooLong is returned when a line exceeds maxLineLength.
var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLineLength)

// incompleteLineError reports bytes left after the last '\n' when the peer
// finished sending.
type incompleteLineError struct{ text string }

func (e *incompleteLineError) Error() string {
	return fmt.Sprintf("incomplete line at EOF (%d bytes): %s", len(e.text), show(e.text))
}

func (e *incompleteLineError) Unwrap() error { return io.ErrUnexpectedEOF }

type server struct {
	useConn bool
	log     *logger
	// onLine and onIncomplete, if set, see every parsed line and every
	// incomplete final line (the demo uses them to check the server).
	onLine       func(conn int, line string)
	onIncomplete func(conn int, text string)
}

// serve accepts connections until ctx ends, then closes the listener and the
// open connections and waits for their handlers.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for id := 1; ; id++ {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			ln.Close()
			return err
		}
		wg.Go(func() { s.handle(ctx, c, id) })
	}
}

func (s *server) handle(ctx context.Context, c net.Conn, id int) {
	defer c.Close()
	// Closing the connection is what unblocks a Read on it at shutdown.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	s.log.printf("conn %d: accepted from %s", id, c.RemoteAddr())
	var err error
	if s.useConn {
		err = s.serveConn(ctx, c, id)
	} else {
		err = s.serveLoops(ctx, c, id)
	}
	if err != nil && ctx.Err() == nil {
		s.log.printf("conn %d: error: %v", id, err)
	}
	s.log.printf("conn %d: closed", id)
}

// processLine is the business logic: print the line and say how long it was.
func (s *server) processLine(id int, line seq.Sequence) string {
	text := line.String()
	if s.onLine != nil {
		s.onLine(id, text)
	}
	if text == "" || len(text) > 48 {
		text = show(text)
	}
	s.log.printf("conn %d: %s", id, text)
	return fmt.Sprintf("ok %d\n", line.Len())
}

// incomplete reports an incomplete final line and returns the reply for it.
func (s *server) incomplete(id int, e *incompleteLineError) string {
	if s.onIncomplete != nil {
		s.onIncomplete(id, e.text)
	}
	s.log.printf("conn %d: %v", id, e)
	return fmt.Sprintf("incomplete %d\n", len(e.text))
}

// serveLoops serves a connection with the seed's two hand-written loops
// (ProcessLinesAsync): fillPipe on its own goroutine, readPipe on this one.
func (s *server) serveLoops(ctx context.Context, c net.Conn, id int) error {
	p := pipe.New(pipe.Options{})
	filled := make(chan error, 1)
	go func() { filled <- fillPipe(ctx, c, p.Writer()) }()

	err := readPipe(ctx, p.Reader(), func(line seq.Sequence) error {
		_, err := io.WriteString(c, s.processLine(id, line))
		return err
	})
	if e := (*incompleteLineError)(nil); errors.As(err, &e) {
		_, err = io.WriteString(c, s.incomplete(id, e))
	}
	if err != nil {
		// The read loop gave up early (it completed the pipe reader with
		// err, so the next flush reports Completed). The fill loop may be
		// blocked in c.Read; closing the connection wakes it.
		c.Close()
		<-filled
		return err
	}
	// The read loop only ends normally after the writer completed, so the
	// fill loop has returned already.
	return <-filled
}

// fillPipe is the seed's first loop (FillPipeAsync): read from the socket
// into memory the pipe hands out, then flush to make it readable.
func fillPipe(ctx context.Context, src io.Reader, w pipe.Writer) (err error) {
	const minimumBufferSize = 512
	// Tell the reader there is no more data; an error other than EOF
	// reaches the reader's next Read.
	defer func() { w.Complete(err) }()
	for {
		// At least 512 bytes, maybe more: do not assume the exact size.
		buf := w.Buffer(minimumBufferSize)
		n, rerr := src.Read(buf)
		// Tell the writer how much was read. An io.Reader may return data
		// and an error together, so commit before looking at the error.
		w.Advance(n)
		if rerr == io.EOF {
			return nil // Complete commits the last bytes.
		}
		if rerr != nil {
			return rerr
		}
		// Make the data available to the reader. Flush waits once the
		// reader has the pause threshold or more flushed bytes not yet
		// examined, until it is below the resume threshold (backpressure).
		res, ferr := w.Flush(ctx)
		if res.Completed {
			// The reader stopped (ferr is its error, which it knows):
			// nothing we send will be read.
			return nil
		}
		if ferr != nil {
			return ferr
		}
	}
}

// readPipe is the seed's second loop (ReadPipeAsync): read what is
// buffered, handle every complete line, release the handled bytes, repeat
// until the writer has completed and the buffer is drained. It completes r.
//
// It returns nil at a clean end, an *incompleteLineError if bytes follow the
// last '\n' at the end, or the first error of the pipe, of ctx or of onLine.
// The line passed to onLine is valid only during the call.
func readPipe(ctx context.Context, r pipe.Reader, onLine func(line seq.Sequence) error) (err error) {
	// Failing to complete the reader leaks its memory.
	defer func() { r.Complete(err) }()
	for {
		// A failed fill loop's error comes with the bytes it flushed
		// before failing; a ctx error comes with none.
		res, rerr := r.Read(ctx)
		buf := res.Buffer
		// Process every complete line before looking at Completed or at
		// the error: leaving first would lose the last lines (data loss).
		for {
			i := buf.IndexByte('\n') // finds a '\n' in any segment
			if i < 0 {
				break
			}
			if err := onLine(buf.Slice(0, i)); err != nil {
				return err
			}
			buf = buf.From(i + 1) // skip the line and its '\n'
		}
		if rerr != nil {
			return rerr // a result that comes with an error needs no AdvanceTo
		}
		// Look at the leftover before AdvanceTo: after it buf is no
		// longer ours to read.
		var tail error
		switch {
		case res.Completed && !buf.IsEmpty():
			tail = &incompleteLineError{text: buf.String()}
		case buf.Len() > maxLineLength:
			tail = errLineTooLong
		}
		// Consumed: up to the end of the last complete line (the pipe may
		// free it). Examined: everything, so the next Read waits for new
		// bytes instead of returning the partial line again (busy loop).
		r.AdvanceTo(buf.Start(), buf.End())
		if res.Completed || tail != nil {
			return tail
		}
	}
}

// serveConn serves a connection with pipe.NewConn, which runs the copy loops
// between the socket and two pipes (its receive loop is fillPipe written
// once for all): the handler reads lines from Input and writes replies to
// Output, and never touches the socket.
func (s *server) serveConn(ctx context.Context, c net.Conn, id int) error {
	pc := pipe.NewConn(c, pipe.ConnOptions{})
	out := pc.Output()
	reply := func(msg string) error {
		res, err := out.Write(ctx, []byte(msg))
		if err == nil && res.Completed {
			err = errors.New("connection closed by the output loop")
		}
		return err
	}
	err := readPipe(ctx, pc.Input(), func(line seq.Sequence) error {
		return reply(s.processLine(id, line))
	})
	if e := (*incompleteLineError)(nil); errors.As(err, &e) {
		err = reply(s.incomplete(id, e))
	}
	// Completing Output with nil lets the send loop write what is left and
	// half-close the connection; with an error it aborts the connection.
	out.Complete(err)
	// Close waits for both copy loops and closes the connection.
	if cerr := pc.Close(); err == nil {
		err = cerr
	}
	return err
}

// Client.

// piece is one write of the client, with a note for the transcript.
type piece struct {
	data string
	note string
}

// longLine is long enough to span several pipe segments.
var longLine = strings.Repeat("0123456789abcdef", 640) // 10 KiB

// script is what the client sends, cut at awkward places. It ends with a
// fragment that has no '\n'.
func script() []piece {
	ps := []piece{
		{"hel", "a line cut mid-word"},
		{"lo, pipelines\nthis line is cut right before", "the end of line 1 and the start of line 2"},
		{" its newline", ""},
		{"\n", "the newline alone"},
		{"this one is cut right after its newline\n", "a whole line, nothing more"},
	}
	for i, b := range []byte("byte by byte\n") {
		note := ""
		if i == 0 {
			note = "one byte per write"
		}
		ps = append(ps, piece{string(b), note})
	}
	ps = append(ps,
		piece{"three\nlines in\none write\n", "several lines in one write"},
		piece{"\nan empty line came first\n", "an empty line"},
		piece{longLine[:4000], "a 10 KiB line in three writes"},
		piece{longLine[4000:8000], ""},
		piece{longLine[8000:] + "\n", ""},
		piece{"the last line\nand a fragment without a newline", "ends without '\\n': incomplete at EOF"},
	)
	return ps
}

// expected derives from the script the lines the server must parse and the
// incomplete fragment it must report.
func expected(ps []piece) (lines []string, fragment string) {
	var all strings.Builder
	for _, p := range ps {
		all.WriteString(p.data)
	}
	lines = strings.Split(all.String(), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// expectedReplies is what the server must answer to the script.
func expectedReplies(lines []string, fragment string) []string {
	var replies []string
	for _, l := range lines {
		replies = append(replies, fmt.Sprintf("ok %d", len(l)))
	}
	if fragment != "" {
		replies = append(replies, fmt.Sprintf("incomplete %d", len(fragment)))
	}
	return replies
}

// clientReport says what the client sent and received.
type clientReport struct {
	writes  int
	replies []string
}

// runClient sends the script to addr, pausing between writes, half-closes
// the connection and checks the replies.
func runClient(ctx context.Context, addr string, pause time.Duration, log *logger) (*clientReport, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	// Read replies concurrently: the server answers while we still write.
	type result struct {
		replies []string
		err     error
	}
	got := make(chan result, 1)
	go func() {
		var r result
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			r.replies = append(r.replies, sc.Text())
			log.printf("client: got %q", sc.Text())
		}
		r.err = sc.Err()
		got <- r
	}()

	ps := script()
	rep := &clientReport{}
	var werr error
	logged := 0 // pieces up to here are in the transcript already
	for i, p := range ps {
		if i >= logged {
			logged = logWrites(log, ps, i)
		}
		if _, werr = io.WriteString(c, p.data); werr != nil {
			break
		}
		rep.writes++
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			werr = ctx.Err()
		}
		if werr != nil {
			break
		}
	}
	if werr == nil {
		// Half-close: the server sees EOF, answers the incomplete
		// fragment and closes its side, which ends our reads.
		if tc, ok := c.(interface{ CloseWrite() error }); ok {
			werr = tc.CloseWrite()
		}
	}
	if werr != nil {
		c.Close()
	}
	r := <-got
	rep.replies = r.replies
	if werr != nil {
		return rep, werr
	}
	if r.err != nil {
		return rep, r.err
	}
	lines, fragment := expected(ps)
	if want := expectedReplies(lines, fragment); !slices.Equal(rep.replies, want) {
		return rep, fmt.Errorf("replies %q, want %q", rep.replies, want)
	}
	log.printf("client: sent %d lines and a %d-byte fragment in %d writes; all %d replies match",
		len(lines), len(fragment), rep.writes, len(rep.replies))
	return rep, nil
}

// logWrites prints the write of ps[i] before it happens, or the whole run
// of one-byte writes that starts at ps[i], and returns the index of the
// first piece not printed.
func logWrites(log *logger, ps []piece, i int) int {
	note := ""
	if ps[i].note != "" {
		note = "   (" + ps[i].note + ")"
	}
	j := i + 1
	for j < len(ps) && len(ps[i].data) == 1 && len(ps[j].data) == 1 {
		j++
	}
	if j-i == 1 {
		log.printf("client: write %2d: %s%s", i+1, show(ps[i].data), note)
		return j
	}
	var b strings.Builder
	for _, p := range ps[i:j] {
		fmt.Fprintf(&b, "%q ", p.data)
	}
	log.printf("client: writes %d-%d: %s%s", i+1, j, strings.TrimSpace(b.String()), note)
	return j
}

// Demo.

// runDemo starts a server on a loopback port, runs the client against it,
// checks what the server parsed and shuts everything down.
func runDemo(ctx context.Context, useConn bool, pause time.Duration, log *logger) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	log.printf("demo: server on %s (%s)", ln.Addr(), variant(useConn))

	var mu sync.Mutex
	var parsed []string
	var fragments []string
	srv := &server{
		useConn: useConn,
		log:     log,
		onLine: func(_ int, line string) {
			mu.Lock()
			parsed = append(parsed, line)
			mu.Unlock()
		},
		onIncomplete: func(_ int, text string) {
			mu.Lock()
			fragments = append(fragments, text)
			mu.Unlock()
		},
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.serve(sctx, ln) }()

	_, cerr := runClient(ctx, ln.Addr().String(), pause, log)
	stop()
	serr := <-served // the listener and every connection are closed now
	if cerr != nil {
		return fmt.Errorf("client: %w", cerr)
	}
	if serr != nil {
		return fmt.Errorf("server: %w", serr)
	}

	mu.Lock()
	defer mu.Unlock()
	lines, fragment := expected(script())
	if !slices.Equal(parsed, lines) {
		return fmt.Errorf("server parsed %d lines %q, want %d lines %q", len(parsed), parsed, len(lines), lines)
	}
	if !slices.Equal(fragments, []string{fragment}) {
		return fmt.Errorf("server reported incomplete fragments %q, want [%q]", fragments, fragment)
	}
	log.printf("demo: OK: the server parsed all %d lines correctly and reported the %d-byte fragment as incomplete",
		len(parsed), len(fragment))
	return nil
}
