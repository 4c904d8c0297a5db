package bench

import "testing"

// BenchmarkFraming compares the framing packages with their peers on the
// same input: BenchmarkFraming/<case>/<contender>. Each framing package
// registers its cases from an init function in its own file
// (framing_<package>_test.go), so the files compose.
func BenchmarkFraming(b *testing.B) {
	for _, c := range framingCases {
		for _, ct := range c.contenders {
			b.Run(c.name+"/"+ct.name, ct.run)
		}
	}
}

// framingCase is one input and the contenders that read it.
type framingCase struct {
	name       string
	contenders []framingContender
}

// framingContender reads a case's input, as a sub-benchmark.
type framingContender struct {
	name string
	run  func(b *testing.B)
}

// framingCases are the registered cases, in registration order.
var framingCases []framingCase

// registerFraming adds a case of BenchmarkFraming.
func registerFraming(name string, cs ...framingContender) {
	framingCases = append(framingCases, framingCase{name: name, contenders: cs})
}
