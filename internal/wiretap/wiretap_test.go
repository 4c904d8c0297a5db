package wiretap

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the program these tests start: with
// WIRETAP_ROLE set it serves (upper-casing each line it reads back to its
// client until the client half-closes) or exits at once, instead of running
// the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("WIRETAP_ROLE") {
	case "":
		os.Exit(m.Run())
	case "upper":
		serveUpper(os.Args[len(os.Args)-1])
	case "exit":
		fmt.Println("exiting at once")
		os.Exit(3)
	case "client":
		fmt.Print("hello from the client")
		os.Exit(0)
	}
	os.Exit(2)
}

func serveUpper(port string) {
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			os.Exit(1)
		}
		go func() {
			defer c.Close()
			sc := bufio.NewScanner(c)
			for sc.Scan() {
				if _, err := io.WriteString(c, strings.ToUpper(sc.Text())+"\n"); err != nil {
					return
				}
			}
		}()
	}
}

func start(t testing.TB, role string) *Server {
	t.Setenv("WIRETAP_ROLE", role)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Start(t, self, func(port int) []string { return []string{"-test.run=^$", strconv.Itoa(port)} })
}

// talk sends each of lines through addr in its own write, half-closes, and
// returns everything read back.
func talk(t *testing.T, addr string, lines []string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, l := range lines {
		if _, err := io.WriteString(c, l); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // let the relay read it as a piece of its own
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

func TestTapRecordsAStartedServer(t *testing.T) {
	s := start(t, "upper")
	tp := Listen(t, s.Addr)
	lines := []string{"get a\n", "set b ", "1\n", "quit\n"}
	want := "GET A\nSET B 1\nQUIT\n"
	for range 2 {
		if got := talk(t, tp.Addr(), lines); got != want {
			t.Fatalf("through the tap: %q, want %q", got, want)
		}
	}
	recs, err := tp.Recordings(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d recordings, want 2", len(recs))
	}
	for i, r := range recs {
		if got := string(r.UpBytes()); got != strings.Join(lines, "") {
			t.Errorf("connection %d: up %q", i, got)
		}
		if got := string(r.DownBytes()); got != want {
			t.Errorf("connection %d: down %q, want %q", i, got, want)
		}
		// Each write arrived apart, so the pieces show the client's
		// segmentation (the relay may still merge two under load).
		if len(r.Up) < 2 {
			t.Errorf("connection %d: up in %d pieces: %q", i, len(r.Up), r.Up)
		}
		for _, p := range append(r.Up, r.Down...) {
			if len(p) == 0 {
				t.Errorf("connection %d: an empty piece", i)
			}
		}
	}
}

func TestStartedServerStopsWithTheTest(t *testing.T) {
	var s *Server
	t.Run("run", func(t *testing.T) { s = start(t, "upper") })
	select {
	case <-s.done:
	default:
		t.Fatal("the server still runs after its test's cleanup")
	}
	if err := syscall.Kill(s.cmd.Process.Pid, 0); err == nil {
		t.Errorf("process %d still exists", s.cmd.Process.Pid)
	}
	if _, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		t.Errorf("%s still accepts connections", s.Addr)
	}
}

func TestRunReturnsOutput(t *testing.T) {
	t.Setenv("WIRETAP_ROLE", "client")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(Run(t, []byte("ignored"), self, "-test.run=^$")); got != "hello from the client" {
		t.Errorf("Run: %q", got)
	}
}

// fakeTB records how a function under test ended t: Fatalf and Skipf end
// the goroutine, as the real ones do, and cleanups run when asked.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	skip     string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.mu.Lock()
	f.skip = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeTB) Setenv(k, v string) { f.TB.Setenv(k, v) }

// run calls fn with f on a goroutine of its own and then runs the
// cleanups fn registered, last first.
func (f *fakeTB) run(fn func(testing.TB)) {
	done := make(chan struct{})
	go func() { defer close(done); fn(f) }()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func TestMissingProgramSkipsOrFailsInCI(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		f := &fakeTB{TB: t}
		f.run(func(tb testing.TB) { Require(tb, "sluice-no-such-program") })
		if ci == "true" && (f.fatal == "" || f.skip != "") {
			t.Errorf("CI=true: fatal %q, skip %q; want a failure", f.fatal, f.skip)
		}
		if ci == "" && (f.skip == "" || f.fatal != "") {
			t.Errorf("outside CI: fatal %q, skip %q; want a skip", f.fatal, f.skip)
		}
	}
}

func TestServerThatExitsFailsWithItsOutput(t *testing.T) {
	f := &fakeTB{TB: t}
	f.run(func(tb testing.TB) { start(tb, "exit") })
	if !strings.Contains(f.fatal, "did not start") || !strings.Contains(f.fatal, "exiting at once") {
		t.Errorf("failure: %q", f.fatal)
	}
}

func TestTapClosesConnectionsLeftOpen(t *testing.T) {
	// A server that never closes: the tap's cleanup must end the relay.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	f := &fakeTB{TB: t}
	var c net.Conn
	f.run(func(tb testing.TB) {
		tp := Listen(tb, ln.Addr().String())
		var err error
		if c, err = net.Dial("tcp", tp.Addr()); err != nil {
			tb.Fatalf("%v", err)
		}
		if _, err := c.Write([]byte("x")); err != nil {
			tb.Fatalf("%v", err)
		}
	})
	defer c.Close()
	if f.fatal != "" {
		t.Fatal(f.fatal)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil || n != 0 {
		t.Errorf("the client's connection is still open after the cleanup: %d, %v", n, err)
	}
}
