//go:build !amd64 || purego

package indexall

import "testing"

// eachPath runs f: without assembly Byte has one path.
func eachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	f(t)
}
