package pipe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sluicego/sluice/internal/testutil"
)

// echo copies d's Input to its Output until the peer completes, then
// completes both.
func echo(t *testing.T, d Duplex) {
	in, out := d.Input(), d.Output()
	for {
		res, err := in.Read(context.Background())
		if err != nil {
			t.Error(err)
			break
		}
		for b := range res.Buffer.Chunks() {
			if _, err := out.Write(context.Background(), b); err != nil {
				t.Error(err)
			}
		}
		in.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			break
		}
	}
	in.Complete(nil)
	out.Complete(nil)
}

func TestNewPairEcho(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := NewPair(Options{PauseThreshold: 64, ResumeThreshold: 32})
		go echo(t, b)
		data := randomBytes(100_000, 20)
		var got []byte
		done := make(chan struct{})
		go func() {
			defer close(done)
			var err error
			got, err = io.ReadAll(AsReader(a.Input()))
			if err != nil {
				t.Error(err)
			}
		}()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+rand.IntN(100))
			if res, err := a.Output().Write(context.Background(), rest[:n]); err != nil || res.Completed {
				t.Fatal(res, err)
			}
			rest = rest[n:]
		}
		a.Output().Complete(nil)
		<-done
		a.Input().Complete(nil)
		if !bytes.Equal(got, data) {
			t.Fatal("echo differs")
		}
		// synctest.Test fails if a goroutine of the bubble is left.
	})
}

func TestNewPairDirections(t *testing.T) {
	a, b := NewPair(Options{})
	a.Output().Write(context.Background(), []byte("a->b"))
	b.Output().Write(context.Background(), []byte("b->a"))
	if res, _, _ := b.Input().TryRead(); res.Buffer.String() != "a->b" {
		t.Fatalf("b got %q", res.Buffer.String())
	}
	if res, _, _ := a.Input().TryRead(); res.Buffer.String() != "b->a" {
		t.Fatalf("a got %q", res.Buffer.String())
	}
}

func TestConnEchoBackpressure(t *testing.T) {
	before := runtime.NumGoroutine()
	client, server := tcpPair(t)
	defer client.Close()
	const (
		total    = 10 << 20
		pause    = 16 << 10
		readSize = 1 << 10
	)
	conn := NewConn(server, ConnOptions{
		Input:    Options{PauseThreshold: pause, ResumeThreshold: pause / 2},
		Output:   Options{PauseThreshold: pause, ResumeThreshold: pause / 2},
		ReadSize: readSize,
	})
	// maxLen is the most bytes seen in the input pipe while the
	// application reads it; sampling stops when it completes Input.
	var (
		mu     sync.Mutex
		maxLen int
		inDone bool
	)
	note := func() {
		mu.Lock()
		if !inDone {
			maxLen = max(maxLen, conn.in.Len())
		}
		mu.Unlock()
	}

	// The application: a slow echo.
	var wg sync.WaitGroup
	wg.Go(func() {
		in, out := conn.Input(), conn.Output()
		for i := 0; ; i++ {
			res, err := in.Read(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			note()
			if i%16 == 0 {
				time.Sleep(200 * time.Microsecond)
			}
			for b := range res.Buffer.Chunks() {
				if fr, err := out.Write(context.Background(), b); err != nil || fr.Completed {
					t.Error(fr, err)
					return
				}
			}
			in.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			if res.Completed {
				break
			}
		}
		mu.Lock()
		inDone = true
		in.Complete(nil)
		mu.Unlock()
		out.Complete(nil)
	})
	// A monitor samples the input pipe while data flows.
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Microsecond):
				note()
			}
		}
	})
	// The peer: write 10 MiB and half-close, while reading the echo.
	data := randomBytes(total, 21)
	wg.Go(func() {
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+rand.IntN(64<<10))
			if _, err := client.Write(rest[:n]); err != nil {
				t.Error(err)
				return
			}
			rest = rest[n:]
		}
		client.CloseWrite()
	})
	got, err := io.ReadAll(client) // ends when the server half-closes
	close(stop)
	wg.Wait()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("echoed %d of %d bytes: %v", len(got), total, err)
	}
	t.Logf("the input pipe held at most %d bytes", maxLen)
	if m := maxLen; m > pause+readSize {
		t.Errorf("the input pipe held %d bytes, more than %d + %d", m, pause, readSize)
	}
	if err := conn.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	client.Close()
	testutil.WaitGoroutines(t, before)
}

func TestConnHalfClose(t *testing.T) {
	client, server := tcpPair(t)
	defer client.Close()
	conn := NewConn(server, ConnOptions{})
	out := conn.Output()
	out.Write(context.Background(), []byte("bye"))
	out.Complete(nil)
	// The peer sees our data, then EOF, while its side stays open.
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(client)
	if err != nil || string(got) != "bye" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := client.Write([]byte("still here")); err != nil {
		t.Fatal(err)
	}
	client.CloseWrite()
	got, err = io.ReadAll(AsReader(conn.Input()))
	if err != nil || string(got) != "still here" {
		t.Fatalf("%q %v", got, err)
	}
	if err := conn.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
}

// Close completes Output, lets pending output drain, and ends the receive
// loop even while it waits in a paused Flush.
func TestConnCloseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	client, server := tcpPair(t)
	defer client.Close()
	conn := NewConn(server, ConnOptions{Input: Options{PauseThreshold: 1024}, ReadSize: 512})
	// Fill the input pipe past its threshold: the receive loop pauses.
	if _, err := client.Write(bytes.Repeat([]byte("x"), 8<<10)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for conn.in.Len() < 1024 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	conn.Output().Write(context.Background(), []byte("last words"))
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	// The pending output went out before the connection closed.
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(client)
	if string(got) != "last words" {
		t.Fatalf("%q", got)
	}
	// Input reports the end of the connection after what it buffered.
	in := conn.Input()
	res, err := in.Read(context.Background())
	if !res.Completed || !errors.Is(err, net.ErrClosed) {
		t.Fatalf("%v %v", res.Completed, err)
	}
	in.Complete(nil)
	if err := conn.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	client.Close()
	testutil.WaitGoroutines(t, before)
}

func TestConnInputCompletedStopsReceiving(t *testing.T) {
	client, server := tcpPair(t)
	defer client.Close()
	conn := NewConn(server, ConnOptions{})
	conn.Input().Complete(nil)
	client.Write([]byte("ignored"))
	select {
	case <-conn.recvDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the receive loop goes on after Input completed")
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
}

// A failed c.Write reaches the application as a completed flush with the
// error, and Close reports it.
func TestConnWriteError(t *testing.T) {
	client, server := tcpPair(t)
	client.SetLinger(0)
	client.Close() // with linger 0: a reset
	conn := NewConn(server, ConnOptions{})
	out := conn.Output()
	chunk := bytes.Repeat([]byte("y"), 64<<10)
	var ferr error
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		res, err := out.Write(context.Background(), chunk)
		if res.Completed {
			ferr = err
			break
		}
		time.Sleep(time.Millisecond)
	}
	if ferr == nil {
		t.Fatal("no flush reported the write error")
	}
	out.Complete(nil)
	conn.Input().Complete(nil)
	if err := conn.Close(); err == nil {
		t.Fatal("Close reported no error")
	} else if errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) {
		t.Fatalf("Close reported an expected error: %v", err)
	}
}

// Completing Output with an error aborts the connection.
func TestConnOutputAbort(t *testing.T) {
	client, server := tcpPair(t)
	defer client.Close()
	conn := NewConn(server, ConnOptions{})
	conn.Output().Complete(errors.New("app failed"))
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(client); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
	if err := conn.Wait(); err != nil {
		t.Fatal(err)
	}
	conn.Input().Complete(nil)
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPipeLenAfterReaderComplete: once the reader has completed, the pipe
// holds nothing, so Len is 0. (An earlier pipe.go reported every byte ever
// flushed: the consumed position was reset to the zero Position, whose index
// counts as 0.) The echo test above relies on Len while Input is open only.
func TestPipeLenAfterReaderComplete(t *testing.T) {
	p := New(Options{})
	p.Writer().Write(context.Background(), []byte("hello"))
	res, _ := p.Reader().Read(context.Background())
	p.Reader().AdvanceTo(res.Buffer.End(), res.Buffer.End())
	if n := p.Len(); n != 0 {
		t.Fatalf("Len after consuming everything = %d", n)
	}
	p.Writer().Complete(nil)
	p.Reader().Complete(nil)
	if n := p.Len(); n != 0 {
		t.Errorf("Len after both sides completed = %d, want 0", n)
	}
	q := New(Options{})
	q.Writer().Write(context.Background(), []byte("hello"))
	q.Reader().Complete(nil)
	if n := q.Len(); n != 0 {
		t.Errorf("Len after the reader completed (writer open) = %d, want 0", n)
	}
}
