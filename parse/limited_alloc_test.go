package parse_test

import (
	"bytes"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TestLimitedNeedMoreAllocatesNothing checks that an element within a
// limit that runs into the end of non-final input, which happens at the
// end of nearly every read of a stream of lines, costs no allocation: a
// need for more input is told apart without errors.As.
func TestLimitedNeedMoreAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	toLF := func(in *parse.Input) (int, error) {
		i := bytes.IndexByte(in.Span(), '\n')
		if i < 0 {
			return 0, in.NeedMore(0)
		}
		in.Advance(i + 1)
		return i, nil
	}
	buf := seq.Of([]byte("a line cut by the end of a read"))
	in := parse.NewInput(buf, false, 1<<20)
	allocs := testing.AllocsPerRun(100, func() {
		in.Rewind(in.Consumed())
		if _, err := parse.Limited(in, 1<<10, toLF); err == nil {
			t.Fatal("no need for more input")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per need for more input", allocs)
	}
}
