// Package segsteps counts the steps package seq takes from one segment of
// a chain to the next (a cursor entering a segment, a walk to an offset, a
// search or a copy going on in the next segment), so that tests can check
// that work stays linear in what a parser examines however its input is
// cut: fed into one-byte segments, every byte a parser passes is a step.
//
// Counting is off unless a test turns it on; off, a step costs one load
// and a branch. The count is process-wide: a test that counts must not run
// in parallel with other work on sequences.
package segsteps

import "sync/atomic"

var (
	on    atomic.Bool
	steps atomic.Int64
)

// Step counts one step when counting is on. seq calls it each time it
// moves to the next segment.
func Step() {
	if on.Load() {
		steps.Add(1)
	}
}

// Start sets the count to zero and turns counting on.
func Start() {
	steps.Store(0)
	on.Store(true)
}

// Stop turns counting off and returns the steps counted since Start.
func Stop() int64 {
	on.Store(false)
	return steps.Load()
}
