package parse_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// A TryParse for LF-terminated lines, read from an io.Reader.
func ExampleReader() {
	src := pipe.NewReader(strings.NewReader("first\nsecond\nthird\n"), pipe.ReaderOptions{})
	r := parse.NewReader(src, func(in *parse.Input) (string, error) {
		l, ok := in.ReadTo('\n')
		if !ok {
			return "", in.NeedMore(0)
		}
		return l.String(), nil
	}, parse.Options{})
	defer r.Close()
	for l := range r.All(context.Background()) {
		fmt.Println(l)
	}
	if err := r.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// first
	// second
	// third
}
