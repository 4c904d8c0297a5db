package combinators_test

import (
	"fmt"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/seq"
)

func toInt(v uint16) int { return int(v) }

func payload(s seq.Sequence) string { return s.String() }

// Describe prints a grammar as it was declared: the constructors, their
// parameters, the user functions they were given, and which combinators
// were compiled into one fused closure.
func ExampleDescribe() {
	// A frame: a 2-byte tag, a 2-byte length n, n bytes; the value is the whole frame.
	length := c.Peek(c.Then(c.Take(2), c.Map(c.Uint16BE(), func(n uint16) uint32 { return 4 + uint32(n) })))
	frame := c.LengthPrefixed(length, c.Map(c.Rest(), payload))
	fmt.Print(c.Describe(frame))

	greeting := c.Seq2(c.Literal("hello "), c.Map(c.Uint16LE(), toInt), func(_ string, n int) int { return n })
	fmt.Print(c.Describe(greeting))
	// Output:
	// LengthPrefixed [fused]
	//   Peek [fused]
	//     Then [fused]
	//       Take(2)
	//       Map combinators_test.ExampleDescribe.func1 [fused]
	//         Uint16BE
	//   Map combinators_test.payload
	//     Rest
	// Seq2 combinators_test.ExampleDescribe.func2 [fused]
	//   Literal("hello ")
	//   Map combinators_test.toInt [fused]
	//     Uint16LE
}
