package resp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// startRedis runs redis-server on a free loopback port, without
// persistence, with DEBUG enabled (DEBUG PROTOCOL answers with a value of
// each RESP3 type, attributes included).
func startRedis(t *testing.T) *wiretap.Server {
	return wiretap.Start(t, "redis-server", func(port int) []string {
		return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning", "--enable-debug-command", "yes"}
	})
}

// commandStats returns the calls of every command redis-server counted,
// by its commandstats name ("config|get" for a subcommand), asked
// directly, not through a tap.
func commandStats(t *testing.T, addr string) map[string]int {
	host, port, _ := strings.Cut(addr, ":")
	out := wiretap.Run(t, nil, "redis-cli", "-h", host, "-p", port, "INFO", "commandstats")
	stats := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
		if !ok || !strings.HasPrefix(line, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		n, err := strconv.Atoi(calls)
		if err != nil {
			t.Fatalf("commandstats line %q", line)
		}
		stats[name] = n
	}
	return stats
}

// statsDelta runs f and returns the commands redis-server counted while
// it ran, without the INFO that asked for the first count.
func statsDelta(t *testing.T, addr string, f func()) map[string]int {
	before := commandStats(t, addr)
	f()
	after := commandStats(t, addr)
	after["info"]--
	for k, n := range before {
		after[k] -= n
	}
	maps.DeleteFunc(after, func(_ string, n int) bool { return n == 0 })
	return after
}

// subcommands are the commands whose commandstats name includes the
// subcommand.
var subcommands = map[string]bool{"config": true, "client": true, "command": true, "cluster": true, "memory": true,
	"object": true, "script": true, "acl": true, "function": true, "xinfo": true, "pubsub": true, "latency": true,
	"module": true, "slowlog": true, "xgroup": true}

// statName is the commandstats name of a command.
func statName(c Command) string {
	name := strings.ToLower(c.Name().String())
	if subcommands[name] && len(c.Args) > 1 {
		name += "|" + strings.ToLower(c.Args[1].String())
	}
	return name
}

// frame reads every message of the pieces with p and returns them kept
// (own), failing t on an error.
func frame[T any](t *testing.T, p parse.TryParse[T], pieces [][]byte, own func(T) T) []T {
	t.Helper()
	src := new(segtest.Pieces(slices.Clone(pieces)))
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), p, parse.Options{MaxMessageSize: DefaultMaxMessage})
	defer r.Close()
	var out []T
	for m := range r.All(context.Background()) {
		out = append(out, own(m))
	}
	if err := r.Err(); err != nil {
		t.Fatalf("after %d messages: %v", len(out), err)
	}
	return out
}

// session is what the test framed of the connections of one tap.
type session struct {
	commands []Command
	replies  []Value
	kinds    map[Kind]int // of every value, nested ones too
	pushes   int
}

// frameSession frames every recorded connection as the relay read it and
// in random pieces (the same messages both ways), checks that every
// command but an empty one has its reply (a push is not one), and counts
// the kinds.
func frameSession(t *testing.T, recs []wiretap.Recording) session {
	t.Helper()
	r := rand.New(rand.NewPCG(10, uint64(time.Now().UnixNano())))
	s := session{kinds: map[Kind]int{}}
	cmds, vals := Commands(Limits{}), Values(Limits{})
	for i, rec := range recs {
		up := frame(t, cmds, rec.Up, ownCommand)
		down := frame(t, vals, rec.Down, Value.Clone)
		if again := frame(t, cmds, segtest.RandomPieces(r, rec.UpBytes(), 64), ownCommand); !slices.EqualFunc(again, up, sameCommand) {
			t.Fatalf("connection %d: commands differ between the recorded and random pieces", i)
		}
		if again := frame(t, vals, segtest.RandomPieces(r, rec.DownBytes(), 300), Value.Clone); !slices.EqualFunc(again, down, sameValue) {
			t.Fatalf("connection %d: replies differ between the recorded and random pieces", i)
		}
		pushes := 0
		for _, v := range down {
			if v.Kind == Push {
				pushes++
			}
			countKinds(s.kinds, v)
		}
		answered := 0 // an empty command has no reply
		for _, c := range up {
			if len(c.Args) > 0 {
				answered++
			}
		}
		if answered != len(down)-pushes {
			t.Errorf("connection %d: %d commands, %d replies and %d pushes", i, answered, len(down)-pushes, pushes)
		}
		s.commands = append(s.commands, up...)
		s.replies = append(s.replies, down...)
		s.pushes += pushes
		if os.Getenv("RESP_WRITE_CAPTURES") == "1" {
			writeCapture(t, "commands", rec.UpBytes(), cmds)
			writeCapture(t, "replies", rec.DownBytes(), vals)
		}
	}
	return s
}

func sameCommand(a, b Command) bool { return showCommand(a) == showCommand(b) }

func sameValue(a, b Value) bool { return show(a) == show(b) }

func countKinds(m map[Kind]int, v Value) {
	m[v.Kind]++
	if !v.Streamed || v.Kind != BulkString {
		for _, e := range v.Elems {
			countKinds(m, e)
		}
	}
}

// writeCapture keeps up to 2 KiB of the messages of a recorded direction,
// read with p, as a fuzz seed: those of at most 512 bytes (not redis-cli's
// COMMAND DOCS or INFO), in order.
func writeCapture[T any](t *testing.T, dir string, b []byte, p parse.TryParse[T]) {
	in := parse.NewInput(seq.Of(b), true, len(b))
	var out []byte
	for in.Remaining() > 0 && len(out) < 2048 {
		start := in.Consumed()
		if _, err := p(in); err != nil {
			break
		}
		if m := b[start:in.Consumed()]; len(m) <= 512 && len(out)+len(m) <= 2048 {
			out = append(out, m...)
		}
	}
	if len(out) == 0 {
		return
	}
	name := strings.ReplaceAll(strings.TrimPrefix(t.Name(), "TestLiveRedis/"), "/", "-")
	path := filepath.Join("testdata", "captures", dir, fmt.Sprintf("%s-%d", name, len(out)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cliScript is what redis-cli sends, one command a line: a reply of every
// type redis-server 7 produces. DEBUG PROTOCOL answers with the named
// type (a push followed by a reply). redis-cli cannot show a big number
// or an attribute (it fails on them): rawResp3 asks for those.
const cliScript = `SET k v
GET k
GET missing
INCR k
SADD s a b c
SMEMBERS s
ZADD z 1.5 m
ZSCORE z m
HSET h f v
HGETALL h
CONFIG GET maxmemory
LPUSH l x y
LRANGE l 0 -1
EXISTS k
INFO server
DEBUG PROTOCOL string
DEBUG PROTOCOL integer
DEBUG PROTOCOL double
DEBUG PROTOCOL null
DEBUG PROTOCOL array
DEBUG PROTOCOL set
DEBUG PROTOCOL map
DEBUG PROTOCOL push
DEBUG PROTOCOL verbatim
DEBUG PROTOCOL true
DEBUG PROTOCOL false
`

// trackingScript makes redis-server send an invalidation push: the client
// reads a key with tracking on, then changes it.
const trackingScript = `CLIENT TRACKING on
GET k
SET k v2
PING
`

// TestLiveRedis proves the grammars on what redis-cli, redis-benchmark
// and a raw inline client exchange with redis-server 7: every connection
// framed as recorded and in random pieces, the commands counted against
// redis-server's commandstats, and the replies' kinds against what each
// command answers in RESP2 and in RESP3.
func TestLiveRedis(t *testing.T) {
	srv := startRedis(t)
	run := func(t *testing.T, f func(host, port string)) (session, map[string]int) {
		tap := wiretap.Listen(t, srv.Addr)
		host, port, _ := strings.Cut(tap.Addr(), ":")
		stats := statsDelta(t, srv.Addr, func() { f(host, port) })
		recs, err := tap.Recordings(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		s := frameSession(t, recs)
		framed := map[string]int{}
		for _, c := range s.commands {
			if len(c.Args) > 0 {
				framed[statName(c)]++
			}
		}
		if !maps.Equal(framed, stats) {
			t.Errorf("framed commands %v\nredis-server counted %v", framed, stats)
		}
		t.Logf("%d connections, %d commands, %d replies, %d pushes; kinds %s", len(recs), len(s.commands),
			len(s.replies)-s.pushes, s.pushes, kindCounts(s.kinds))
		return s, stats
	}
	wantKinds := func(t *testing.T, s session, kinds ...Kind) {
		for _, k := range kinds {
			if s.kinds[k] == 0 {
				t.Errorf("no %s framed", k)
			}
		}
	}

	t.Run("resp3", func(t *testing.T) {
		s, _ := run(t, func(host, port string) {
			wiretap.Run(t, []byte(cliScript), "redis-cli", "-h", host, "-p", port, "-3")
			wiretap.Run(t, []byte(trackingScript), "redis-cli", "-h", host, "-p", port, "-3")
			var raw []byte
			for _, c := range [][]string{{"HELLO", "3"}, {"DEBUG", "PROTOCOL", "bignum"}, {"DEBUG", "PROTOCOL", "attrib"}} {
				raw = AppendCommand(raw, c...)
			}
			rawSession(t, net.JoinHostPort(host, port), string(raw), 3)
		})
		wantKinds(t, s, SimpleString, Error, Integer, BulkString, Array, Null, Double, Boolean, BigNumber,
			Verbatim, Map, Set, Attribute, Push)
	})
	t.Run("resp2", func(t *testing.T) {
		s, _ := run(t, func(host, port string) {
			wiretap.Run(t, []byte(cliScript), "redis-cli", "-h", host, "-p", port)
		})
		wantKinds(t, s, SimpleString, Error, Integer, BulkString, Array)
		for k := range s.kinds {
			if !strings.ContainsRune("+-:$*", rune(k)) {
				t.Errorf("a RESP2 connection framed a %s", k)
			}
		}
	})
	t.Run("inline", func(t *testing.T) {
		lines := "PING\r\nSET \"inline key\" 'v 1'\r\n\r\nSET k2 \"\\x41\\tB\"\r\nGET k2\nECHO 'it\\'s'\r\nEXISTS k2 \"inline key\"\r\n"
		want := []string{`inline "PING"`, `inline "SET" "inline key" "v 1"`, "inline ", `inline "SET" "k2" "A\tB"`,
			`inline "GET" "k2"`, `inline "ECHO" "it's"`, `inline "EXISTS" "k2" "inline key"`}
		s, _ := run(t, func(host, port string) {
			rawSession(t, net.JoinHostPort(host, port), lines, len(want)-1)
		})
		var got []string
		for _, c := range s.commands {
			got = append(got, showCommand(c))
		}
		if !slices.Equal(got, want) {
			t.Errorf("inline commands %q\nwant %q", got, want)
		}
		var replies []string
		for _, v := range s.replies {
			replies = append(replies, show(v))
		}
		if wantReplies := []string{"+PONG", "+OK", "+OK", "$3:A\tB", "$4:it's", ":2"}; !slices.Equal(replies, wantReplies) {
			t.Errorf("replies %q, want %q", replies, wantReplies)
		}
	})
	t.Run("benchmark", func(t *testing.T) {
		s, _ := run(t, func(host, port string) {
			wiretap.Run(t, nil, "redis-benchmark", "-h", host, "-p", port, "-c", "3", "-n", "600", "-P", "16", "-d", "40",
				"-r", "1000", "-t", "set,get,incr,lpush,lrange_100", "-q")
		})
		wantKinds(t, s, SimpleString, Integer, BulkString, Array)
		longest := 0
		for _, v := range s.replies {
			if v.Kind == Array {
				longest = max(longest, len(v.Elems))
			}
		}
		if longest < 100 {
			t.Errorf("longest array reply has %d elements", longest)
		}
	})
}

// rawSession sends lines to addr as one write (inline commands as a
// telnet user would type them, or arrays), reads until n replies have
// come, and closes.
func rawSession(t *testing.T, addr, lines string, n int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, lines); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := NewValueReader(pipe.NewReader(c, pipe.ReaderOptions{LeaveOpen: true}), Limits{})
	defer r.Close()
	for i := range n {
		if _, err := r.Next(context.Background()); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
}

func kindCounts(m map[Kind]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%c:%d ", k, m[k])
	}
	return b.String()
}
