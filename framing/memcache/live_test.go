package memcache_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/framing/memcache"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// python returns the Python that Debian's python3-* packages install
// into, skipping t (failing it in CI) when module cannot be imported.
func python(t *testing.T, module string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = wiretap.Require(t, "python3")
	}
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s cannot import %s (CI installs it: see .ci/packages)", py, module)
		}
		t.Skipf("%s cannot import %s", py, module)
	}
	return py
}

// pymemcacheScript drives memcached through the relay with pymemcache
// (argv[1] is the relay's port), then reads memcached's statistics on a
// connection of its own (argv[2], the server's port) and prints them as
// JSON.
const pymemcacheScript = `
import json, sys
from pymemcache.client.base import Client
c = Client(('127.0.0.1', int(sys.argv[1])), default_noreply=False)
for i in range(300):
    c.set('sluice:%d' % i, b'v' * ((i * 37) % 3000), expire=(i % 3) * 100, flags=i % 7)
c.set('big', b'x' * 1000000)
c.set('bin', bytes(range(256)) + b'\r\nEND\r\n')
c.add('sluice:1', b'no'); c.add('fresh', b'yes')
c.replace('sluice:2', b'r'); c.replace('missing', b'r')
c.append('sluice:3', b'tail'); c.prepend('sluice:3', b'head')
v, cas = c.gets('sluice:4')
c.cas('sluice:4', b'new', cas); c.cas('sluice:4', b'old', cas)
c.get_many(['sluice:%d' % i for i in range(0, 300, 3)] + ['missing'])
c.gets_many(['sluice:5', 'sluice:6', 'nothing'])
c.get('big'); c.get('bin')
c.set('n', b'10'); c.incr('n', 5); c.decr('n', 2); c.incr('missing', 1)
c.touch('sluice:7', 100); c.touch('missing', 1)
c.delete('sluice:8'); c.delete('missing')
c.set('quiet', b'q', noreply=True)
c.version()
c.close()
s = Client(('127.0.0.1', int(sys.argv[2]))).stats()
print(json.dumps({k.decode(): (v.decode() if isinstance(v, bytes) else v) for k, v in s.items()}))
`

// TestLiveMemcached frames what pymemcache (Debian python3-pymemcache, a
// client this project did not write) and memcached exchange through a
// recording relay: every storage command (with noreply, a 1 MB item and
// binary data holding CRLF and "END"), get and gets of many keys, cas,
// incr, decr, touch, delete, version; both directions, as the relay read
// them, in random pieces and a byte per read. The counts are checked
// against memcached's own statistics.
func TestLiveMemcached(t *testing.T) {
	py := python(t, "pymemcache")
	srv := wiretap.Start(t, "memcached", func(port int) []string {
		args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0", "-m", "64"}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "nobody") // memcached refuses to run as root otherwise
		}
		return args
	})
	tap := wiretap.Listen(t, srv.Addr)
	_, port, _ := strings.Cut(srv.Addr, ":")
	out := wiretap.Run(t, []byte(pymemcacheScript), py, "-", strconv.Itoa(tap.Port()), port)
	var stats map[string]any
	if err := json.Unmarshal(out, &stats); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	stat := func(name string) int {
		n, ok := stats[name].(float64) // pymemcache converts the counters
		if !ok {
			t.Fatalf("stat %s = %v", name, stats[name])
		}
		return int(n)
	}
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d connections recorded", len(recs))
	}
	rec := recs[0]
	rng := rand.New(rand.NewPCG(11, 2))
	for _, cut := range []struct {
		name     string
		up, down [][]byte
	}{
		{"as relayed", rec.Up, rec.Down},
		{"random pieces", segtest.RandomPieces(rng, rec.UpBytes(), 500), segtest.RandomPieces(rng, rec.DownBytes(), 500)},
		{"a byte at a time", segtest.RandomPieces(rng, rec.UpBytes(), 1), segtest.RandomPieces(rng, rec.DownBytes(), 1)},
	} {
		cmds, keys := map[memcache.Op]int{}, 0
		readAll(t, memcache.FromClient(memcache.Limits{}), cut.up, func(c memcache.Command) {
			cmds[c.Op]++
			keys += len(c.Keys)
		})
		replies := map[memcache.Kind]int{}
		readAll(t, memcache.FromServer(memcache.Limits{}), cut.down, func(r memcache.Reply) { replies[r.Kind]++ })
		t.Logf("%s: commands %v (%d keys), replies %v", cut.name, cmds, keys, replies)
		storage := cmds[memcache.OpSet] + cmds[memcache.OpAdd] + cmds[memcache.OpReplace] + cmds[memcache.OpAppend] +
			cmds[memcache.OpPrepend] + cmds[memcache.OpCas]
		answers := replies[memcache.KindStored] + replies[memcache.KindNotStored] + replies[memcache.KindExists] +
			replies[memcache.KindNotFound]
		for _, c := range []struct {
			what      string
			got, want int
		}{
			{"storage commands / cmd_set", storage, stat("cmd_set")},
			{"keys asked / cmd_get", keys, stat("cmd_get")},
			{"VALUE / get_hits", replies[memcache.KindValue], stat("get_hits")},
			{"END / get and gets", replies[memcache.KindEnd], cmds[memcache.OpGet] + cmds[memcache.OpGets]},
			{"cas / cas_hits+cas_badval+cas_misses", cmds[memcache.OpCas], stat("cas_hits") + stat("cas_badval") + stat("cas_misses")},
			{"incr / incr_hits+incr_misses", cmds[memcache.OpIncr], stat("incr_hits") + stat("incr_misses")},
			{"decr / decr_hits+decr_misses", cmds[memcache.OpDecr], stat("decr_hits") + stat("decr_misses")},
			{"touch / cmd_touch", cmds[memcache.OpTouch], stat("cmd_touch")},
			{"delete / delete_hits+delete_misses", cmds[memcache.OpDelete], stat("delete_hits") + stat("delete_misses")},
			{"numbers / incr and decr hits", replies[memcache.KindNumber], stat("incr_hits") + stat("decr_hits")},
			{"STORED+NOT_STORED+EXISTS+NOT_FOUND / storage without noreply and misses", answers,
				storage - 1 + stat("delete_misses") + stat("touch_misses") + stat("incr_misses") + stat("decr_misses")},
			{"DELETED / delete_hits", replies[memcache.KindDeleted], stat("delete_hits")},
			{"TOUCHED / touch_hits", replies[memcache.KindTouched], stat("touch_hits")},
			{"version", cmds[memcache.OpVersion], replies[memcache.KindVersion]},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s: framed %d, want %d", cut.name, c.what, c.got, c.want)
			}
		}
	}
}

// readAll reads every message of the pieces with p, failing t on an
// error.
func readAll[T any](t *testing.T, p parse.TryParse[T], pieces [][]byte, f func(T)) {
	t.Helper()
	r := parse.NewReader(pipe.NewReader(new(segtest.Pieces(slices.Clone(pieces))), pipe.ReaderOptions{}), p,
		parse.Options{MaxMessageSize: memcache.DefaultLimits.MessageSize()})
	defer r.Close()
	for m := range r.All(context.Background()) {
		f(m)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
}
