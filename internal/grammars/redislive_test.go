package grammars

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
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
// persistence.
func startRedis(t *testing.T) *wiretap.Server {
	return wiretap.Start(t, "redis-server", func(port int) []string {
		return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning"}
	})
}

// commandStats returns the calls of every command redis-server counted, by
// its commandstats name (lower case; "config|get" for a subcommand).
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

// frameRESP reads every RESP value of the pieces with the grammar through
// a message reader and returns them rendered (showRESP), failing t on an
// error.
func frameRESP(t *testing.T, p parse.TryParse[RESP], pieces [][]byte) []string {
	t.Helper()
	src := new(segtest.Pieces(slices.Clone(pieces)))
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), p, parse.Options{})
	defer r.Close()
	var out []string
	for m := range r.All(context.Background()) {
		out = append(out, showRESP(m))
	}
	if err := r.Err(); err != nil {
		t.Fatalf("after %d values: %v", len(out), err)
	}
	return out
}

// commandName is the commandstats name of a command rendered by showRESP
// from its RESP array: the first argument in lower case, and the second
// after a '|' for commands that have subcommands.
func commandName(cmd RESP) string {
	if cmd.Kind != Array || len(cmd.Elems) == 0 {
		return "?"
	}
	name := strings.ToLower(cmd.Elems[0].Str.String())
	switch name {
	case "config", "client", "command", "cluster", "memory", "object", "script", "acl":
		if len(cmd.Elems) > 1 {
			name += "|" + strings.ToLower(cmd.Elems[1].Str.String())
		}
	}
	return name
}

// TestLiveRedis frames what redis-benchmark and redis-server 7 exchange
// (pipelined SET, GET, INCR, LPUSH, LRANGE: bulk strings, integers, simple
// strings and arrays of 100 elements) with the hand-written grammar, as
// the relay read the bytes and in random pieces, and checks the commands
// against the server's own count of each command and every reply against
// its command, and that framing/resp's grammar (RESPValues; its own
// TestLiveRedis checks it on this traffic and more) frames the same values.
func TestLiveRedis(t *testing.T) {
	srv := startRedis(t)
	tap := wiretap.Listen(t, srv.Addr)
	host, port, _ := strings.Cut(tap.Addr(), ":")
	wiretap.Run(t, nil, "redis-benchmark", "-h", host, "-p", port, "-c", "3", "-n", "600", "-P", "16", "-d", "40",
		"-r", "1000", "-t", "set,get,incr,lpush,lrange_100", "-q")
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	stats := commandStats(t, srv.Addr) // asked directly, not through the tap
	delete(stats, "info")

	r := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	framed := map[string]int{}
	replies := map[Kind]int{}
	maxElems := 0
	for i, rec := range recs {
		var first [2][]string
		for gi, g := range []parse.TryParse[RESP]{RESPHand, RESPValues()} {
			up := frameRESP(t, g, rec.Up)
			down := frameRESP(t, g, rec.Down)
			if gi == 0 {
				first = [2][]string{up, down}
			} else if !slices.Equal(up, first[0]) || !slices.Equal(down, first[1]) {
				t.Fatalf("connection %d: the hand-written grammar and framing/resp's frame it differently", i)
			}
			if again := frameRESP(t, g, segtest.RandomPieces(r, rec.UpBytes(), 64)); !slices.Equal(again, up) {
				t.Fatalf("connection %d, grammar %d: commands differ between the recorded and random pieces", i, gi)
			}
			if again := frameRESP(t, g, segtest.RandomPieces(r, rec.DownBytes(), 300)); !slices.Equal(again, down) {
				t.Fatalf("connection %d, grammar %d: replies differ between the recorded and random pieces", i, gi)
			}
			if len(up) != len(down) {
				t.Fatalf("connection %d: %d commands, %d replies", i, len(up), len(down))
			}
		}
		// Count once, from values the hand-written grammar read from one
		// piece.
		in := parse.NewInput(seq.Of(rec.UpBytes()), true, math.MaxInt)
		out := parse.NewInput(seq.Of(rec.DownBytes()), true, math.MaxInt)
		for in.Remaining() > 0 {
			cmd, err := RESPHand(in)
			if err != nil {
				t.Fatal(err)
			}
			reply, err := RESPHand(out)
			if err != nil {
				t.Fatal(err)
			}
			name := commandName(cmd)
			framed[name]++
			replies[reply.Kind]++
			if reply.Kind == Error {
				t.Errorf("%s answered with an error: %s", name, reply.Str)
			}
			if name == "lrange" {
				maxElems = max(maxElems, len(reply.Elems))
				if reply.Kind != Array {
					t.Errorf("LRANGE answered with %c", reply.Kind)
				}
			}
		}
	}
	if !maps.Equal(framed, stats) {
		t.Errorf("framed commands %v\nredis-server counted %v", framed, stats)
	}
	for _, k := range []Kind{SimpleString, Integer, BulkString, Array} {
		if replies[k] == 0 {
			t.Errorf("no %c reply framed: %v", k, replies)
		}
	}
	if maxElems < 100 {
		t.Errorf("longest LRANGE reply has %d elements", maxElems)
	}
	t.Logf("%d connections; commands %v; replies by kind %v; longest array %d", len(recs), framed, kinds(replies), maxElems)
}

func kinds(m map[Kind]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%c:%d ", k, m[k])
	}
	return b.String()
}
