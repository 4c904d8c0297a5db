//go:build !race

package combinators_test

// raceEnabled reports whether the race detector is on: scratch storage
// is then zeroed at the next read instead of reused.
const raceEnabled = false
