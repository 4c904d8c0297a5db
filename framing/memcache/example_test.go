package memcache_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/memcache"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// A tiny cache server's loop: commands read with the default limits
// (memcached's), replies appended for them.
func Example() {
	in := "set greeting 0 0 5\r\nhello\r\nget greeting missing\r\nincr n 1\r\nset big 0 0 2000000\r\n"
	l := memcache.DefaultLimits
	r := parse.NewReader(pipe.FromBytes([]byte(in)), memcache.FromClient(l), parse.Options{MaxMessageSize: l.MessageSize()})
	defer r.Close()
	store := map[string][]byte{}
	var out []byte
	for cmd := range r.All(context.Background()) {
		switch cmd.Op {
		case memcache.OpSet:
			store[cmd.Key.String()] = cmd.Data.Bytes()
			out = memcache.AppendReply(out, memcache.Reply{Kind: memcache.KindStored})
		case memcache.OpGet:
			for _, k := range cmd.Keys {
				if v, ok := store[k.String()]; ok {
					out = memcache.AppendReply(out, memcache.Reply{Kind: memcache.KindValue, Key: k, Data: seq.Of(v)})
				}
			}
			out = memcache.AppendReply(out, memcache.Reply{Kind: memcache.KindEnd})
		default:
			out = memcache.AppendReply(out, memcache.Reply{Kind: memcache.KindError})
		}
	}
	fmt.Println(r.Err())
	fmt.Printf("%q\n", out)
	// Output:
	// memcache: item over the maximum size: 2000000 bytes declared, at most 1048576 (line at offset 59)
	// "STORED\r\nVALUE greeting 0 5\r\nhello\r\nEND\r\nERROR\r\n"
}
