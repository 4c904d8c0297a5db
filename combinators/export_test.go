package combinators

// SetFusion turns fusion on or off for the parsers declared after it, so
// that a test can compare a fused grammar with the generic composition of
// the same declaration.
func SetFusion(on bool) { unfused.Store(!on) }
