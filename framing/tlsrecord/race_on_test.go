//go:build race

package tlsrecord

const raceEnabled = true
