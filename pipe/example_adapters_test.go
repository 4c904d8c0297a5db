package pipe_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sluicego/sluice/pipe"
)

// Read lines from an io.Reader: consume each complete line, and when only
// part of a line is left, examine it all so that the next Read waits for
// more input.
func ExampleNewReader() {
	src := strings.NewReader("alpha\nbeta\ngamma\n")
	r := pipe.NewReader(src, pipe.ReaderOptions{})
	defer r.Complete(nil)
	ctx := context.Background()
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
			fmt.Println(buf.Slice(0, i).String())
			buf = buf.From(i + 1)
		}
		r.AdvanceTo(buf.Start(), buf.End())
		if res.Completed {
			if !buf.IsEmpty() {
				fmt.Println("incomplete line:", buf.String())
			}
			return
		}
	}
	// Output:
	// alpha
	// beta
	// gamma
}

// Write into pooled memory, then flush it to an io.Writer.
func ExampleNewWriter() {
	w := pipe.NewWriter(os.Stdout, pipe.WriterOptions{LeaveOpen: true})
	b := w.Buffer(16)
	n := copy(b, "hello, ")
	w.Advance(n)
	w.Write(context.Background(), []byte("world\n")) // copies behind "hello, " and flushes
	w.Complete(nil)
	// Output:
	// hello, world
}

// Read a pipe with the io package's functions.
func ExampleAsReader() {
	p := pipe.New(pipe.Options{})
	go func() {
		w := p.Writer()
		for _, s := range []string{"one ", "two ", "three"} {
			w.Write(context.Background(), []byte(s))
		}
		w.Complete(nil)
	}()
	r := pipe.AsReader(p.Reader())
	defer r.Close()
	b, err := io.ReadAll(r)
	fmt.Printf("%q %v\n", b, err)
	// Output:
	// "one two three" <nil>
}

// A connected pair of in-memory duplex pipes stands in for a network
// connection in tests.
func ExampleNewPair() {
	client, server := pipe.NewPair(pipe.Options{})
	done := make(chan struct{})
	go func() { // the server answers each request
		defer close(done)
		in, out := server.Input(), server.Output()
		for {
			res, err := in.Read(context.Background())
			if err != nil {
				return
			}
			if !res.Buffer.IsEmpty() {
				out.Write(context.Background(), []byte(strings.ToUpper(res.Buffer.String())))
			}
			in.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			if res.Completed {
				in.Complete(nil)
				out.Complete(nil)
				return
			}
		}
	}()
	client.Output().Write(context.Background(), []byte("ping"))
	client.Output().Complete(nil)
	reply, _ := io.ReadAll(pipe.AsReader(client.Input()))
	<-done
	fmt.Println(string(reply))
	// Output:
	// PING
}
