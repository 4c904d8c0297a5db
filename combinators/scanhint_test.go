package combinators_test

import (
	"testing"

	c "github.com/sluicego/sluice/combinators"
)

// A search that ran short on the whole input leaves a scan hint; met again
// at the same offset inside a shorter bound, it must not use the bytes it
// examined past the bound. (It panicked: "seq: Between: end before
// start".)
func TestScanHintNotUsedPastShorterBound(t *testing.T) {
	run := c.TakeWhile("digit", isDigit, 1, -1)
	p := c.Alt(
		c.Then(c.Byte('a'), c.Bounded(2, c.Before(run, c.Byte('.')))),
		c.Then(c.Byte('a'), c.Before(run, c.Byte('!'))))
	// The first attempt sees "a123": the bounded branch fails at its
	// bound, the other runs short after scanning "123".
	if got := readOne(t, byParts([]string{"a123", "!"}), p); got != "123" {
		t.Fatalf("got %q, want 123", got)
	}
}
