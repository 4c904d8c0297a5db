//go:build !amd64 || purego

package websocket

// xorKey writes src XOR the key, from payload offset pos, to dst (len(dst)
// >= len(src)); dst and src may be the same memory, not otherwise overlap.
// Without assembly it is the word loop.
func xorKey(dst, src []byte, key [4]byte, pos uint64) { xorKeyGo(dst, src, key, pos) }
