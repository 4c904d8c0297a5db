//go:build race

package memcache_test

// scale divides the sizes of the long tests: the race detector makes a
// read several times slower.
const scale = 4
