//go:build !race

package http1

// raceEnabled reports whether the race detector is on: the slowest checks
// then run over a sample of their inputs.
const raceEnabled = false
