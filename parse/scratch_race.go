//go:build race

package parse

// raceEnabled reports whether the race detector is on: scratch storage is
// then never reused (see [Scratch]).
const raceEnabled = true
