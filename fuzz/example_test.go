package fuzz_test

import (
	"bytes"
	"fmt"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
)

// A parser of NAME=VALUE lines that looks for '=' and '\n' only in the
// contiguous bytes at the cursor: it works as long as each line arrives in
// one piece. Check feeds the input whole and in the chunks that the cuts
// make, and reports the smallest chunking that breaks it. (Prop runs the
// check on a recorder, to print what a test would report.)
func ExampleCheck() {
	field := func(in *parse.Input) (string, error) {
		span := in.Span()
		eq, nl := bytes.IndexByte(span, '='), bytes.IndexByte(span, '\n')
		if eq < 0 || nl < eq {
			return "", in.NeedMore(0) // the bug: the line may go on in the next segment
		}
		in.Advance(nl + 1)
		return string(span[eq+1 : nl]), nil
	}
	input := []byte("a=1\nbb=22\nccc=333\n")
	report := fuzz.Prop(func(t fuzz.TB) {
		fuzz.Check(t, fuzz.Parser(field), input, []int{2, 6, 12}, fuzz.Options[string]{})
	})
	fmt.Println(report)
	// Output:
	// fuzz: mismatch when the input arrives in 2 chunks: the chunked input gave another result than the whole input
	// messages (-whole +chunked):
	//   [0] "1"
	//   [1] "22"
	// - [2] "333"
	// error: whole nil, chunked "parse: input ended inside a message: 8 bytes at offset 10: unexpected EOF"
	// minimal chunking: cuts []int{12}, chunks "a=1\nbb=22\ncc" "c=333\n"
	// input (18 bytes): "a=1\nbb=22\nccc=333\n"
}
