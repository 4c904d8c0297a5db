package bench

import "testing"

// framingCase is one case of BenchmarkFraming: the same input read by each
// contender.
type framingCase struct {
	name       string
	contenders []framingContender
}

// framingContender is one way to read a framing case's input.
type framingContender struct {
	name string
	run  func(b *testing.B)
}

// framingCases are registered by each protocol's file, from an init.
var framingCases []framingCase

// registerFraming adds the case name with its contenders to
// BenchmarkFraming.
func registerFraming(name string, cs ...framingContender) {
	framingCases = append(framingCases, framingCase{name, cs})
}

// BenchmarkFraming runs every registered framing case as
// BenchmarkFraming/<case>/<contender>.
func BenchmarkFraming(b *testing.B) {
	for _, fc := range framingCases {
		b.Run(fc.name, func(b *testing.B) {
			for _, c := range fc.contenders {
				b.Run(c.name, c.run)
			}
		})
	}
}

// alphabet returns n bytes of the letters a to z over and over: payloads
// whose bytes differ, as real ones do.
func alphabet(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}
