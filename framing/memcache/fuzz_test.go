package memcache_test

import (
	"testing"

	"github.com/sluicego/sluice/framing/memcache"
	"github.com/sluicego/sluice/fuzz"
)

// seeds are shaped like what pymemcache and memcached exchange in
// live_test.go, and hostile cases.
var seeds = []string{
	"set sluice:0 0 0 3\r\nabc\r\nget sluice:0 sluice:1\r\ngets sluice:0\r\ncas sluice:0 0 0 1 2\r\nx\r\nincr n 5\r\n",
	"add k 1 0 2 noreply\r\nhi\r\ndelete k\r\ntouch k 10\r\ngat 10 k\r\nversion\r\nstats\r\n",
	"VALUE sluice:0 0 3 2\r\nabc\r\nEND\r\nSTORED\r\nNOT_STORED\r\nEXISTS\r\nNOT_FOUND\r\nDELETED\r\nTOUCHED\r\n6\r\n",
	"CLIENT_ERROR bad data chunk\r\nSERVER_ERROR out of memory\r\nVERSION 1.6.18\r\nSTAT pid 1\r\nERROR\r\n",
	"set k 0 0 99999999999\r\n", "get " + string(make([]byte, 300)) + "\r\n", "set k 0 0 1\nx\n",
}

func FuzzFromClient(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), []byte{2, 9})
	}
	p := memcache.FromClient(memcache.Limits{MaxItem: 1024, MaxLine: 512, MaxKeys: 16})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(p), data, cuts, fuzz.Options[memcache.Command]{MaxMessageSize: 2048})
	})
}

func FuzzFromServer(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), []byte{4})
	}
	p := memcache.FromServer(memcache.Limits{MaxItem: 1024, MaxLine: 512, MaxKeys: 16})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(p), data, cuts, fuzz.Options[memcache.Reply]{MaxMessageSize: 2048})
	})
}
