//go:build !race

package stomp_test

// scale divides the sizes of the long tests: the race detector makes a
// read several times slower.
const scale = 1
