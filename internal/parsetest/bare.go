package parsetest

import (
	"context"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// BareParse reads every message of data with p, whole and final, and
// nothing else: what a fuzz target without a harness would do with an
// input.
func BareParse[T any](p parse.TryParse[T], data []byte, limit int) {
	r := parse.NewReader(pipe.FromBytes(data), p, parse.Options{MaxMessageSize: limit})
	for range r.All(context.Background()) {
	}
}
