//go:build race

package grammars

// raceEnabled reports whether the race detector is on: the reader's
// scratch storage is then zeroed at the next read instead of reused.
const raceEnabled = true
