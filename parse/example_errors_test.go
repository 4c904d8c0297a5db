package parse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing/iotest"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// readLine is a TryParse for LF-terminated lines.
func readLine(in *parse.Input) (string, error) {
	l, ok := in.ReadTo('\n')
	if !ok {
		return "", in.NeedMore(0)
	}
	return l.String(), nil
}

// The source fails with its last bytes: every complete line comes first,
// then the error, wrapped with the partial line it cut.
func ExampleInterruptedError() {
	reset := errors.New("connection reset")
	in := io.MultiReader(strings.NewReader("one\ntwo\nthr"), iotest.ErrReader(reset))
	src := pipe.NewReader(iotest.DataErrReader(in), pipe.ReaderOptions{})
	r := parse.NewReader(src, readLine, parse.Options{})
	for l := range r.All(context.Background()) {
		fmt.Println(l)
	}
	err := r.Err()
	fmt.Println(err)
	fmt.Println(errors.Is(err, reset), errors.Is(err, io.ErrUnexpectedEOF))
	// Output:
	// one
	// two
	// parse: input failed inside a message (3 bytes at offset 8): connection reset
	// true true
}

// Another goroutine ends a Next that waits; the reader goes on afterwards.
func ExampleReader_CancelPendingRead() {
	p := pipe.New(pipe.Options{})
	r := parse.NewReader(p.Reader(), readLine, parse.Options{})
	ctx := context.Background()

	done := make(chan error)
	go func() {
		_, err := r.Next(ctx) // waits: nothing written yet
		done <- err
	}()
	r.CancelPendingRead()
	fmt.Println(<-done)

	p.Writer().Write(ctx, []byte("hello\n"))
	p.Writer().Complete(nil)
	l, err := r.Next(ctx)
	fmt.Println(l, err)
	// Output:
	// pipe: read or flush canceled
	// hello <nil>
}
