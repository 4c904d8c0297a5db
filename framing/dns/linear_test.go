package dns

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/internal/lineartest"
	"github.com/sluicego/sluice/pipe"
)

// manyQuestions is a message of n questions for "a" A IN.
func manyQuestions(n int) []byte {
	b := AppendHeader(nil, Header{QDCount: uint16(n)})
	for range n {
		b, _ = AppendQuestion(b, "a", TypeA, ClassIN)
	}
	return prefixed(b)
}

// manyMessages is n copies of the unit tests' stream.
func manyMessages(n int) []byte {
	var b []byte
	s := stream()
	for range n {
		b = append(b, s...)
	}
	return b
}

// readCount returns a read for lineartest that reads every message of the
// input and checks how many questions (or messages) there were.
func readCount(t *testing.T, want *int, questions bool) func(pipe.Reader) error {
	return func(src pipe.Reader) error {
		r := NewReader(src, Options{})
		defer r.Close()
		n := 0
		for m := range r.All(context.Background()) {
			if questions {
				n += int(m.QDCount)
			} else {
				n++
			}
		}
		if r.Err() == nil && n != *want {
			t.Errorf("%d, want %d", n, *want)
		}
		return r.Err()
	}
}

// TestLinear feeds a message of many questions, and a stream of many
// messages, a byte per read: 4 times the input costs about 4 times the
// segment steps, not 16 (one segment per byte: a step is a byte passed;
// 4 KiB segments: a move to the next segment).
func TestLinear(t *testing.T) {
	for _, seg := range []struct{ size, n int }{{1, 2000}, {0, 2000}} {
		var want int
		lineartest.Check(t, seg.n, seg.size, func(n int) []byte { want = n; return manyQuestions(n) }, readCount(t, &want, true))
		lineartest.Check(t, seg.n/20, seg.size, func(n int) []byte { want = 5 * n; return manyMessages(n) }, readCount(t, &want, false))
	}
}
