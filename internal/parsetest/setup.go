package parsetest

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// SharedSetup checks a reader constructor whose readers share one declared
// grammar: once a first reader was made, making and closing one (open, over
// an empty source) costs at most extra allocations more than a bare message
// reader's (its own structures; a grammar's declaration costs tens), and
// readers made at once, with buffers of different sizes so that each cuts
// other messages, read from in what one reader of the whole input reads.
// read makes a reader with the constructor, reads src to its end and
// renders every message and the error.
func SharedSetup(t *testing.T, extra float64, open func(pipe.Reader) io.Closer, read func(pipe.Reader) []string, in []byte) {
	t.Helper()
	empty := func() pipe.Reader { return pipe.NewReader(bytes.NewReader(nil), pipe.ReaderOptions{}) }
	open(empty()).Close()
	bare := testing.AllocsPerRun(50, func() {
		parse.NewReader(empty(), func(*parse.Input) (int, error) { return 0, nil }, parse.Options{}).Close()
	})
	if n := testing.AllocsPerRun(50, func() { open(empty()).Close() }); n > bare+extra {
		t.Errorf("a reader made and closed: %v allocations, a bare message reader %v", n, bare)
	}
	want := read(pipe.FromBytes(in))
	got := make([][]string, 4)
	done := make(chan int)
	for g := range got {
		go func() {
			got[g] = read(pipe.NewReader(bytes.NewReader(in), pipe.ReaderOptions{BufferSize: 4096 + 512*g}))
			done <- g
		}()
	}
	for range got {
		g := <-done
		if !slices.Equal(got[g], want) {
			t.Errorf("reader %d of 4 at once read\n%s\nwant\n%s", g, strings.Join(got[g], "\n"), strings.Join(want, "\n"))
		}
	}
}
