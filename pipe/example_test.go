package pipe_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluicego/sluice/pipe"
)

// The seed's basic usage: one goroutine fills the pipe, another reads
// lines from it. The reader consumes each complete line and examines the
// rest, so that a partial line waits for more input instead of spinning.
func Example() {
	p := pipe.New(pipe.Options{})
	ctx := context.Background()

	// The writer: in a real program the bytes would come from a socket,
	// arriving in pieces that do not respect line boundaries.
	written := make(chan struct{})
	go func() {
		defer close(written)
		w := p.Writer()
		defer w.Complete(nil)
		for _, piece := range []string{"hel", "lo\nwor", "ld\n", "last line, no newline"} {
			buf := w.Buffer(512) // at least 512 bytes, maybe more
			n := copy(buf, piece)
			w.Advance(n)
			if res, err := w.Flush(ctx); err != nil || res.Completed {
				return // the reader is gone
			}
		}
	}()

	// The reader. Completing it also releases a writer waiting in Flush.
	r := p.Reader()
	defer func() { <-written }()
	defer r.Complete(nil)
	for {
		res, err := r.Read(ctx)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		buf := res.Buffer
		for {
			i := buf.IndexByte('\n')
			if i < 0 {
				break
			}
			fmt.Printf("line: %q\n", buf.Slice(0, i).String())
			buf = buf.From(i + 1)
		}
		// Process every complete line before looking at completion, or
		// the last lines would be lost.
		if res.Completed {
			if buf.Len() > 0 {
				fmt.Printf("incomplete final line: %q\n", buf.String())
			}
			r.AdvanceTo(buf.End(), buf.End())
			return
		}
		r.AdvanceTo(buf.Start(), buf.End())
	}
	// Output:
	// line: "hello"
	// line: "world"
	// incomplete final line: "last line, no newline"
}

// A callback consumer: with the Inline scheduler the callback runs on the
// goroutine that flushes, before its Flush returns, with no goroutine
// handoff. Each callback releases what it read and asks for the next
// result.
func ExamplePipe_Notify() {
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline})
	r := p.Reader()

	var onData func(pipe.Result, error)
	onData = func(res pipe.Result, err error) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		if res.Buffer.Len() > 0 {
			fmt.Printf("callback got %q\n", res.Buffer.String())
		}
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			fmt.Println("callback saw the end")
			r.Complete(nil)
			return
		}
		p.Notify(onData) // go on reading
	}
	if err := p.Notify(onData); err != nil {
		fmt.Println(err)
		return
	}

	w := p.Writer()
	ctx := context.Background()
	for _, s := range []string{"one", "two", "three"} {
		w.Write(ctx, []byte(s))
		fmt.Println("Write returned after", s)
	}
	w.Complete(nil)
	// Output:
	// callback got "one"
	// Write returned after one
	// callback got "two"
	// Write returned after two
	// callback got "three"
	// Write returned after three
	// callback saw the end
}

// The seed's flow-control example: Flush waits once 10 bytes are buffered
// and not examined, and resumes when the reader's examined position leaves
// fewer than 5 unexamined.
func ExampleOptions() {
	p := pipe.New(pipe.Options{PauseThreshold: 10, ResumeThreshold: 5})
	w, r := p.Writer(), p.Reader()
	ctx := context.Background()

	resumed := make(chan struct{})
	go func() {
		defer close(resumed)
		w.Write(ctx, []byte(strings.Repeat("x", 10))) // pauses: 10 unexamined
		fmt.Println("writer: resumed")
		w.Complete(nil)
	}()

	res, _ := r.Read(ctx)
	fmt.Println("reader: got", res.Buffer.Len(), "bytes")
	// Examining 5 leaves 5 unexamined: not below 5, the writer still waits.
	r.AdvanceTo(res.Buffer.Start(), res.Buffer.PosAt(5))
	fmt.Println("reader: examined 5")

	res, _ = r.Read(ctx) // returns at once: bytes remain unexamined
	// Consuming and examining 6 leaves 4: the writer resumes.
	r.AdvanceTo(res.Buffer.PosAt(6), res.Buffer.PosAt(6))
	<-resumed

	res, _ = r.Read(ctx)
	fmt.Println("reader: left", res.Buffer.Len(), "bytes, completed:", res.Completed)
	r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
	r.Complete(nil)
	// Output:
	// reader: got 10 bytes
	// reader: examined 5
	// writer: resumed
	// reader: left 4 bytes, completed: true
}
