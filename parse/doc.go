// Package parse reads typed messages from a pipe reader with a TryParse grammar, doing the consumed/examined bookkeeping for you.
//
// It is being built; see the project's issues.
package parse
