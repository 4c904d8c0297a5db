package combinators

import "github.com/sluicego/sluice/parse"

// HasInto reports whether a destination form is recorded for p, so that
// a test comparing fusion on and off knows it compares them.
func HasInto[T any](p parse.TryParse[T]) bool { return recordedInto(p) != nil }
