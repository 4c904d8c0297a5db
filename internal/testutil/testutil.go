// Package testutil holds helpers shared by this module's tests: goroutine-leak checks, a buffer safe for
// concurrent writes, a panic assertion, an io.Reader fed step by step with the interleavings of its steps, a
// check that a guide quotes tested code verbatim, one that values are collected, and the recorded connections
// a package keeps in testdata/captures.
package testutil

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// CheckGoroutines fails t if goroutines started during the test are still
// running 5 s after it ends, printing every goroutine's stack.
func CheckGoroutines(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		if err := waitFor(before); err != "" {
			t.Errorf("%d goroutines before the test, %s", before, err)
		}
	})
}

// WaitGoroutines waits up to 5 s until at most n goroutines run, and fails
// t, printing every goroutine's stack, if they do not.
func WaitGoroutines(t testing.TB, n int) {
	t.Helper()
	if err := waitFor(n); err != "" {
		t.Fatalf("want at most %d goroutines, %s", n, err)
	}
}

func waitFor(n int) string {
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			return fmt.Sprintf("found %d:\n%s", runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)]) + ""
		}
		time.Sleep(5 * time.Millisecond)
	}
	return ""
}

// SyncBuffer is a bytes.Buffer safe for concurrent use.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns a copy of the buffer's contents.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// MustPanic calls f and fails t unless f panics with a value whose printed
// form contains want.
func MustPanic(t testing.TB, want string, f func()) {
	t.Helper()
	msg, ok := panicMsg(f)
	if !ok {
		t.Fatalf("no panic, want one containing %q", want)
	}
	if !strings.Contains(msg, want) {
		t.Fatalf("panic %q does not contain %q", msg, want)
	}
}

// panicMsg calls f and returns the printed form of its panic value, if
// it panicked.
func panicMsg(f func()) (msg string, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			msg, panicked = fmt.Sprint(r), true
		}
	}()
	f()
	return "", false
}

// Collected fails t unless every one of n values made by newV, and used
// by use, is collected once nothing outside holds it: for values that
// hold themselves in a cycle, or are held weakly by a table of this
// module.
func Collected[T any](t testing.TB, n int, newV func() *T, use func(*T)) {
	t.Helper()
	var gone atomic.Int32
	for range n {
		v := newV()
		use(v)
		runtime.AddCleanup(v, func(g *atomic.Int32) { g.Add(1) }, &gone)
	}
	deadline := time.Now().Add(10 * time.Second)
	for gone.Load() < int32(n) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d values collected after 10 s of GC", gone.Load(), n)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

// A Capture is a recorded connection kept in testdata/captures: the bytes
// the client sent (Up) and those the server sent (Down).
type Capture struct {
	Name     string
	Up, Down []byte
}

// Captures returns the recorded connections of testdata/captures in the
// current directory, each kept as <name>-up.bin and <name>-down.bin, in
// order of name. It fails tb if there is none, or if a connection's down
// file is missing.
func Captures(tb testing.TB) []Capture {
	tb.Helper()
	ups, _ := filepath.Glob(filepath.Join("testdata", "captures", "*-up.bin"))
	if len(ups) == 0 {
		tb.Fatal("no captures in testdata/captures")
	}
	slices.Sort(ups)
	var out []Capture
	for _, up := range ups {
		c := Capture{Name: strings.TrimSuffix(filepath.Base(up), "-up.bin")}
		var err error
		if c.Up, err = os.ReadFile(up); err != nil {
			tb.Fatal(err)
		}
		if c.Down, err = os.ReadFile(strings.TrimSuffix(up, "-up.bin") + "-down.bin"); err != nil {
			tb.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// Gunzip returns the gzip data b decompressed, failing tb if it is not
// gzip data.
func Gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(z)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// ReadGzip returns the contents of the gzip file name, decompressed.
func ReadGzip(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return Gunzip(tb, b)
}
