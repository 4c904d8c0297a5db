//go:build race

package parse_test

// raceEnabled reports whether the race detector is on; timing bounds are
// loosened under it.
const raceEnabled = true
