package bench

import "testing"

// BenchmarkFraming compares the framing packages with the libraries users
// pick, on the same input: BenchmarkFraming/<case>/<contender>. Each
// package registers its cases from an init function in a file of its own
// (framing_<package>_test.go), so that the files compose.
func BenchmarkFraming(b *testing.B) {
	for _, c := range framingCases {
		b.Run(c.name, func(b *testing.B) {
			for _, k := range c.contenders {
				b.Run(k.name, k.run)
			}
		})
	}
}

// framingCase is one input read by several contenders.
type framingCase struct {
	name       string
	contenders []framingContender
}

// framingContender reads a case's input one way.
type framingContender struct {
	name string
	run  func(b *testing.B)
}

var framingCases []framingCase

// registerFraming adds a case with its contenders to BenchmarkFraming.
func registerFraming(name string, cs ...framingContender) {
	framingCases = append(framingCases, framingCase{name: name, contenders: cs})
}
