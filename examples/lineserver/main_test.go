package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// accepts reports whether a listener accepts connections on addr. A dial
// to a closed port in the ephemeral range can connect the socket to itself
// (TCP simultaneous open, when the kernel picks that port as the source),
// and another test's listener may take the port over for a moment: only a
// connection to another socket, made three times over 100 ms, counts.
func accepts(addr string) bool {
	for i := range 3 {
		if i > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		self := c.LocalAddr().String() == c.RemoteAddr().String()
		c.Close()
		if self {
			return false
		}
	}
	return true
}

func TestDemo(t *testing.T) {
	for _, args := range [][]string{{"-demo"}, {"-demo", "-conn"}, {"-demo", "-pause", "0"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			testutil.CheckGoroutines(t)
			var out, errOut testutil.SyncBuffer
			start := time.Now()
			if err := run(context.Background(), args, &out, &errOut); err != nil {
				t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("the demo took %v", d)
			}
			text := out.String()
			lines, fragment := expected(script())
			if len(lines) < 10 || fragment == "" {
				t.Fatalf("the script should have many lines and a fragment: %q %q", lines, fragment)
			}
			for _, l := range lines {
				shown := l
				if l == "" || len(l) > 48 {
					shown = show(l)
				}
				if want := "conn 1: " + shown + "\n"; !strings.Contains(text, want) {
					t.Errorf("the transcript lacks %q", want)
				}
			}
			for _, want := range []string{
				fmt.Sprintf("conn 1: incomplete line at EOF (%d bytes)", len(fragment)),
				fmt.Sprintf("all %d replies match", len(lines)+1),
				fmt.Sprintf("demo: OK: the server parsed all %d lines correctly", len(lines)),
				"conn 1: closed",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the transcript lacks %q", want)
				}
			}
			if t.Failed() {
				t.Logf("transcript:\n%s", text)
			}
			// The listener is closed.
			m := regexp.MustCompile(`server on (\S+)`).FindStringSubmatch(text)
			if m == nil {
				t.Fatalf("no server address in the transcript:\n%s", text)
			}
			if accepts(m[1]) {
				t.Errorf("%s still accepts connections after the demo", m[1])
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"-demo", "-listen", "127.0.0.1:0"},
		{"-listen", "0.0.0.0:7000"},
		{"-listen", "192.0.2.1:7000"},
		{"-connect", "example.com:7000"},
		{"-demo", "extra"},
	} {
		var out, errOut testutil.SyncBuffer
		if err := run(context.Background(), args, &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

// TestListenAndConnect runs the server mode until its context ends and the
// client mode against it, twice, with both server variants.
func TestListenAndConnect(t *testing.T) {
	for _, useConn := range []bool{false, true} {
		t.Run(variant(useConn), func(t *testing.T) {
			testutil.CheckGoroutines(t)
			// Find a free port, then serve on it through run.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			ctx, cancel := context.WithCancel(context.Background())
			var srvOut, errOut testutil.SyncBuffer
			args := []string{"-listen", addr}
			if useConn {
				args = append(args, "-conn")
			}
			served := make(chan error, 1)
			go func() { served <- run(ctx, args, &srvOut, &errOut) }()
			for i := 0; ; i++ {
				if strings.Contains(srvOut.String(), "listening on") {
					break
				}
				if i == 500 {
					t.Fatal("the server does not listen")
				}
				time.Sleep(10 * time.Millisecond)
			}
			for range 2 {
				var out testutil.SyncBuffer
				if err := run(context.Background(), []string{"-connect", addr, "-pause", "0"}, &out, &errOut); err != nil {
					t.Errorf("client: %v\n%s", err, out.String())
				}
			}
			cancel()
			if err := <-served; err != nil {
				t.Errorf("server: %v", err)
			}
			for _, want := range []string{"conn 1: hello, pipelines", "conn 2: the last line", "conn 2: closed"} {
				if !strings.Contains(srvOut.String(), want) {
					t.Errorf("server output lacks %q:\n%s", want, srvOut.String())
				}
			}
		})
	}
}

// TestServerShutdown cancels the server while a client is connected and
// idle: the handler must end too.
func TestServerShutdown(t *testing.T) {
	for _, useConn := range []bool{false, true} {
		t.Run(variant(useConn), func(t *testing.T) {
			testutil.CheckGoroutines(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var out testutil.SyncBuffer
			srv := &server{useConn: useConn, log: &logger{w: &out}}
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- srv.serve(ctx, ln) }()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, "one\ntwo")
			r := bufio.NewReader(c)
			if reply, err := r.ReadString('\n'); reply != "ok 3\n" {
				t.Fatalf("reply %q, %v", reply, err)
			}
			cancel()
			select {
			case err := <-served:
				if err != nil {
					t.Error(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("serve does not return after cancel")
			}
			if _, err := r.ReadString('\n'); err == nil {
				t.Error("the connection is still open")
			}
		})
	}
}

// TestLineTooLong checks that a peer that never sends '\n' cannot make the
// server buffer without bound.
func TestLineTooLong(t *testing.T) {
	for _, useConn := range []bool{false, true} {
		t.Run(variant(useConn), func(t *testing.T) {
			testutil.CheckGoroutines(t)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var out testutil.SyncBuffer
			srv := &server{useConn: useConn, log: &logger{w: &out}}
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- srv.serve(ctx, ln) }()
			defer func() {
				cancel()
				<-served
			}()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go func() {
				// Keep sending: the server must hang up, not buffer.
				chunk := bytes.Repeat([]byte("x"), 4096)
				for {
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			}()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			// The server hangs up on us: EOF, or a reset because it closed
			// with our bytes unread.
			if n, err := io.Copy(io.Discard, c); n != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
				t.Errorf("read %d bytes, %v; want the connection closed", n, err)
			}
			c.Close()
			for i := 0; !strings.Contains(out.String(), "conn 1: closed"); i++ {
				if i == 500 {
					t.Fatal("the handler does not end")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if !strings.Contains(out.String(), errLineTooLong.Error()) {
				t.Errorf("the server did not report the long line:\n%s", out.String())
			}
		})
	}
}

// TestLoops drives the two hand-written loops through an in-memory pipe,
// with the input delivered one byte per Read and in one piece.
func TestLoops(t *testing.T) {
	const input = "alpha\n\nbeta gamma\r\n" + "a line longer than one 512-byte read " +
		"................................................................................" +
		"................................................................................" +
		"................................................................................" +
		"................................................................................" +
		"................................................................................" +
		"................................................................................" +
		"................................................................................\n" +
		"tail"
	want := strings.Split(input, "\n")
	for name, src := range map[string]func() io.Reader{
		"whole":      func() io.Reader { return strings.NewReader(input) },
		"onebyte":    func() io.Reader { return iotest.OneByteReader(strings.NewReader(input)) },
		"dataerr":    func() io.Reader { return iotest.DataErrReader(strings.NewReader(input)) },
		"halfreader": func() io.Reader { return iotest.HalfReader(strings.NewReader(input)) },
	} {
		t.Run(name, func(t *testing.T) {
			testutil.CheckGoroutines(t)
			p := pipe.New(pipe.Options{PauseThreshold: 64, SegmentSize: 16})
			filled := make(chan error, 1)
			go func() { filled <- fillPipe(context.Background(), src(), p.Writer()) }()
			var got []string
			err := readPipe(context.Background(), p.Reader(), func(line seq.Sequence) error {
				got = append(got, line.String())
				return nil
			})
			if ferr := <-filled; ferr != nil {
				t.Fatal(ferr)
			}
			var inc *incompleteLineError
			if !errors.As(err, &inc) || inc.text != "tail" || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("readPipe: %v, want an incomplete line \"tail\"", err)
			}
			if !slices.Equal(got, want[:len(want)-1]) {
				t.Errorf("lines %q, want %q", got, want[:len(want)-1])
			}
		})
	}
}

// TestReadPipeCleanEnd: no bytes after the last '\n' is a clean end, and so
// is no input at all.
func TestReadPipeCleanEnd(t *testing.T) {
	for _, input := range []string{"", "\n", "a\nb\n"} {
		r := pipe.FromBytes([]byte(input))
		n := 0
		if err := readPipe(context.Background(), r, func(seq.Sequence) error { n++; return nil }); err != nil {
			t.Errorf("%q: %v", input, err)
		}
		if want := strings.Count(input, "\n"); n != want {
			t.Errorf("%q: %d lines, want %d", input, n, want)
		}
	}
}

// TestReadPipeLinesBeforeWriterError: the lines flushed before the writer
// completed with an error are handled, then the error is returned, whether
// the reader reads before or after the completion.
func TestReadPipeLinesBeforeWriterError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, readFirst := range []bool{false, true} {
		p := pipe.New(pipe.Options{})
		w := p.Writer()
		w.Write(context.Background(), []byte("first\nsecond\npart"))
		var got []string
		done := make(chan error, 1)
		read := func() {
			done <- readPipe(context.Background(), p.Reader(), func(line seq.Sequence) error {
				got = append(got, line.String())
				return nil
			})
		}
		if readFirst {
			go read()
			time.Sleep(10 * time.Millisecond)
			w.Complete(boom)
		} else {
			w.Complete(boom)
			go read()
		}
		if err := <-done; !errors.Is(err, boom) || strings.Join(got, ",") != "first,second" {
			t.Errorf("read first %v: lines %q, err %v; want first, second, then %v", readFirst, got, err, boom)
		}
	}
}

// TestReadPipeStopsOnError: an error from the line handler ends the loop
// and completes the reader with it, so that the fill loop stops too.
func TestReadPipeStopsOnError(t *testing.T) {
	testutil.CheckGoroutines(t)
	p := pipe.New(pipe.Options{})
	pr, pw := io.Pipe()
	filled := make(chan error, 1)
	go func() { filled <- fillPipe(context.Background(), pr, p.Writer()) }()
	go io.WriteString(pw, "first\nsecond\n")
	boom := errors.New("boom")
	err := readPipe(context.Background(), p.Reader(), func(seq.Sequence) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("readPipe: %v", err)
	}
	// The fill loop is blocked in Read or sees Completed at its next flush.
	go io.WriteString(pw, "more\n")
	if err := <-filled; err != nil {
		t.Errorf("fillPipe: %v", err)
	}
	pw.Close()
}
