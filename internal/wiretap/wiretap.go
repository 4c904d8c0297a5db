// Package wiretap runs real programs on loopback for tests and records the
// bytes that cross their sockets, so that a grammar can be proven on bytes
// produced by programs this project did not write.
//
// A test starts a server with [Start] (the program is found on PATH; when it
// is missing the test is skipped, or fails when the CI environment variable
// is "true", since CI installs every program the tests drive), puts a [Tap]
// between the server and its clients, runs the program's own client against
// the tap's address with [Run], and reads each connection's [Recording]:
// both directions, cut where the relay's reads cut them, which is a
// segmentation real programs produced.
//
// Every process and goroutine started here is stopped by the test's
// cleanup.
package wiretap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Require returns the path of the program name, found on PATH. When it is
// missing, Require skips t, or fails it when the environment variable CI is
// "true".
func Require(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("wiretap: %s is not installed (CI installs it: see .ci/run)", name)
	}
	t.Skipf("wiretap: %s is not installed", name)
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A Server is a program started by [Start] that listens on Addr.
type Server struct {
	// Addr is the host:port the server listens on.
	Addr string

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error // the process's exit, valid once done is closed
}

// Start runs the program name with the arguments args returns for a free
// port, and waits until it accepts TCP connections on 127.0.0.1 at that
// port (at most 20 s). Its standard output and error are kept for failure
// messages ([Server.Output]). The test's cleanup stops it (SIGTERM, then
// SIGKILL after 5 s) and waits for it. A server that exits or does not
// listen in time fails t with its output; a port taken meanwhile by another
// process is retried with another port.
func Start(t testing.TB, name string, args func(port int) []string) *Server {
	t.Helper()
	path := Require(t, name)
	var last string
	for range 3 {
		port := FreePort(t)
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), out: &syncBuffer{}, done: make(chan struct{})}
		s.cmd = exec.Command(path, args(port)...)
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("wiretap: start %s: %v", name, err)
		}
		go func() { s.err = s.cmd.Wait(); close(s.done) }()
		t.Cleanup(s.stop)
		if err := s.waitListening(20 * time.Second); err != nil {
			s.stop()
			last = fmt.Sprintf("%v; output:\n%s", err, s.out.String())
			continue
		}
		return s
	}
	t.Fatalf("wiretap: %s did not start: %s", name, last)
	return nil
}

func (s *Server) waitListening(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("exited before listening on %s: %v", s.Addr, s.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening on %s after %v", s.Addr, timeout)
		}
	}
}

// stop ends the process group and waits for the process.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

// Output returns what the server has written to its standard output and
// error so far.
func (s *Server) Output() string { return s.out.String() }

// Run runs the program name with args and stdin as its standard input (nil
// for none), and returns its standard output. It fails t with the program's
// output if the program fails or runs longer than 60 s; a missing program is
// handled as by [Require].
func Run(t testing.TB, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	path := Require(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("wiretap: %s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err,
			tail(stdout.Bytes()), tail(stderr.Bytes()))
	}
	return stdout.Bytes()
}

// tail returns the last 4 KiB of b.
func tail(b []byte) []byte {
	if len(b) > 4096 {
		return b[len(b)-4096:]
	}
	return b
}

// A Recording is what crossed one connection through a [Tap]: the bytes the
// client sent (Up) and the bytes the server sent (Down), each as the pieces
// the relay read them in.
type Recording struct {
	Up, Down [][]byte
}

// UpBytes returns the bytes the client sent, joined.
func (r Recording) UpBytes() []byte { return bytes.Join(r.Up, nil) }

// DownBytes returns the bytes the server sent, joined.
func (r Recording) DownBytes() []byte { return bytes.Join(r.Down, nil) }

// A Tap is a TCP relay on 127.0.0.1 that forwards every connection it
// accepts to a target address and records both directions. Close it (or
// let the test's cleanup do it) to stop accepting; [Tap.Recordings] waits
// for the relayed connections to end.
type Tap struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	recs  []*recording
	errs  []error
	wg    sync.WaitGroup // the accept loop and every relay
	close sync.Once
}

type recording struct {
	client, server *net.TCPConn

	mu       sync.Mutex
	up, down [][]byte
}

// Listen starts a tap that relays to target. The test's cleanup closes it,
// waits up to 2 s for the relayed connections to end, then closes them.
func Listen(t testing.TB, target string) *Tap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tp := &Tap{ln: ln, target: target}
	tp.wg.Add(1)
	go tp.accept()
	t.Cleanup(func() {
		if !tp.wait(2 * time.Second) {
			tp.abort()
			if !tp.wait(5 * time.Second) {
				t.Errorf("wiretap: relayed connections still running after the test")
			}
		}
	})
	return tp
}

// Addr returns the address clients connect to.
func (tp *Tap) Addr() string { return tp.ln.Addr().String() }

// Port returns the port clients connect to.
func (tp *Tap) Port() int { return tp.ln.Addr().(*net.TCPAddr).Port }

// Close stops accepting connections; relayed ones go on until an end
// closes them.
func (tp *Tap) Close() { tp.close.Do(func() { tp.ln.Close() }) }

func (tp *Tap) accept() {
	defer tp.wg.Done()
	for {
		c, err := tp.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", tp.target)
		if err != nil {
			c.Close()
			tp.fail(err)
			continue
		}
		r := &recording{client: c.(*net.TCPConn), server: s.(*net.TCPConn)}
		tp.mu.Lock()
		tp.recs = append(tp.recs, r)
		tp.mu.Unlock()
		tp.wg.Add(1)
		go tp.relay(r)
	}
}

// relay copies both directions of r's connection until both have ended,
// then closes both sockets.
func (tp *Tap) relay(r *recording) {
	defer tp.wg.Done()
	var both sync.WaitGroup
	both.Add(2)
	go func() { defer both.Done(); tp.pipe(r.client, r.server, r, &r.up) }()
	go func() { defer both.Done(); tp.pipe(r.server, r.client, r, &r.down) }()
	both.Wait()
	r.client.Close()
	r.server.Close()
}

// pipe copies from src to dst, recording each read, and passes the end of
// src on as a half close of dst, so that a program that reads to the end
// of its input (an HTTP/1.0 response, a client's last request) sees it. A
// failed write closes both sockets, which ends the other direction too.
func (tp *Tap) pipe(src, dst *net.TCPConn, r *recording, into *[][]byte) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.mu.Lock()
			*into = append(*into, bytes.Clone(buf[:n]))
			r.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isReset(err) {
				tp.fail(err)
			}
			_ = dst.CloseWrite()
			_ = src.CloseRead()
			return
		}
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func (tp *Tap) fail(err error) {
	tp.mu.Lock()
	tp.errs = append(tp.errs, err)
	tp.mu.Unlock()
}

// Recordings closes the tap, waits up to timeout for its connections to
// end, and returns what each carried, in the order they were accepted. An
// error means a connection was still open at the timeout or the relay
// failed; the recordings so far are returned with it.
func (tp *Tap) Recordings(timeout time.Duration) ([]Recording, error) {
	var err error
	if !tp.wait(timeout) {
		err = fmt.Errorf("wiretap: connections still open after %v", timeout)
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	out := make([]Recording, len(tp.recs))
	for i, r := range tp.recs {
		r.mu.Lock()
		out[i] = Recording{Up: slicesClone(r.up), Down: slicesClone(r.down)}
		r.mu.Unlock()
	}
	return out, errors.Join(append([]error{err}, tp.errs...)...)
}

// wait closes the tap and waits up to timeout for its connections to end.
func (tp *Tap) wait(timeout time.Duration) bool {
	tp.Close()
	done := make(chan struct{})
	go func() { tp.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// abort closes every relayed socket.
func (tp *Tap) abort() {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	for _, r := range tp.recs {
		r.client.Close()
		r.server.Close()
	}
}

func slicesClone(b [][]byte) [][]byte { return append([][]byte(nil), b...) }

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
