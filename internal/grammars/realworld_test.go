package grammars

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// The files in testdata were produced by redis-server, redis-cli and nginx;
// testdata/README.md says how.

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parseAll parses every message of a final buffer directly with p and
// returns them with their end offsets.
func parseAll[T any](t *testing.T, p parse.TryParse[T], b []byte) ([]T, []int) {
	t.Helper()
	in := parse.NewInput(seq.Of(b), true, 0)
	var msgs []T
	var ends []int
	for in.Remaining() > 0 {
		m, err := p(in)
		if err != nil {
			t.Fatalf("message %d: %v", len(msgs), err)
		}
		msgs = append(msgs, m)
		ends = append(ends, in.Consumed())
	}
	return msgs, ends
}

// realCuts returns sampled prefix lengths of a stream with messages ending
// at ends: around every message boundary and at random offsets.
func realCuts(r *rand.Rand, ends []int, n, random int) []int {
	cuts := []int{0, 1, n - 1}
	for _, e := range ends {
		for _, c := range []int{e - 2, e - 1, e + 1} {
			if c > 0 && c < n {
				cuts = append(cuts, c)
			}
		}
	}
	for range random {
		cuts = append(cuts, r.IntN(n))
	}
	return cuts
}

func TestRealRedisReplies(t *testing.T) {
	b := readTestdata(t, "redis-server-replies.resp")
	for _, v := range respGrammar.versions() {
		msgs, ends := parseAll(t, v.p, b)
		if len(msgs) != 48 {
			t.Fatalf("%s: %d replies, want 48", v.name, len(msgs))
		}
		// Redis writes the canonical encoding: encoding the values again
		// gives the same bytes.
		var again []byte
		var want []string
		for _, m := range msgs {
			again = AppendRESP(again, m)
			want = append(want, showRESP(m))
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("%s: re-encoding differs", v.name)
		}
		exact := map[int]string{
			1:  `+"PONG"`,
			3:  `$"hello"`,
			4:  "$null",
			6:  `$""`,
			7:  ":0",
			9:  ":-41",
			10: `-"ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'arg' "`,
			12: `$"a\r\nb\x00\xff"`,
			14: `*[$"a" $"b" $"c" $"" $"d"]`,
			15: "*[]",
			16: `-"WRONGTYPE Operation against a key holding the wrong kind of value"`,
			19: `*[$"hello" $null $null]`,
			23: `+"QUEUED"`,
			27: `*[:-40 $"hello" *[$"a" $"b"] -"WRONGTYPE Operation against a key holding the wrong kind of value"]`,
			32: "*null",
			34: `*[$"a" $"1" $"b" $"2.5"]`,
			37: `*[*[$"1-1" *[$"f" $"v" $"g" $"w"]] *[$"2-1" *[$"k" $"v"]]]`,
			38: ":100000",
			43: ":-9223372036854775807",
			44: ":-9223372036854775808",
		}
		for i, w := range exact {
			if want[i] != w {
				t.Errorf("%s: reply %d = %s, want %s", v.name, i, want[i], w)
			}
		}
		if m := msgs[0]; m.Kind != Array || len(m.Elems) < 100 {
			t.Errorf("%s: COMMAND DOCS reply: %v %d", v.name, m.Kind, len(m.Elems))
		}
		if m := msgs[40]; m.Kind != BulkString || m.Str.Len() != 100000 || m.Str.IndexByte('x') != 99999 {
			t.Errorf("%s: GET big: %v %d", v.name, m.Kind, m.Str.Len())
		}
		if v.name == "hand" {
			checkStream(t, respGrammar, b, ends, want, realCuts(rand.New(rand.NewPCG(7, 8)), ends, len(b), 20))
		}
	}
	// The large COMMAND DOCS reply (about 170 KB) needs a larger limit
	// than the first 64 KB of it.
	checkTooLarge(t, respGrammar, b, 64<<10, 0, 64<<10)
}

func TestRealRedisRequests(t *testing.T) {
	b := readTestdata(t, "redis-cli-requests.resp")
	cmds := strings.Split(strings.TrimSpace(string(readTestdata(t, "redis-commands.txt"))), "\n")
	for _, v := range respGrammar.versions() {
		msgs, ends := parseAll(t, v.p, b)
		if len(msgs) != 1+len(cmds) {
			t.Fatalf("%s: %d requests, want %d", v.name, len(msgs), 1+len(cmds))
		}
		var again []byte
		var want []string
		for i, m := range msgs {
			again = AppendRESP(again, m)
			want = append(want, showRESP(m))
			if m.Kind != Array || len(m.Elems) == 0 {
				t.Fatalf("%s: request %d is %s", v.name, i, want[i])
			}
			for _, e := range m.Elems {
				if e.Kind != BulkString || e.Null {
					t.Fatalf("%s: request %d is %s", v.name, i, want[i])
				}
			}
			if i > 0 && !strings.EqualFold(m.Elems[0].Str.String(), strings.Fields(cmds[i-1])[0]) {
				t.Errorf("%s: request %d is %s for %q", v.name, i, want[i], cmds[i-1])
			}
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("%s: re-encoding differs", v.name)
		}
		if want[0] != `*[$"COMMAND" $"DOCS"]` || want[11] != `*[$"SET" $"bin" $"a\r\nb\x00\xff"]` || want[5] != `*[$"SET" $"empty" $""]` {
			t.Errorf("%s: %s, %s, %s", v.name, want[0], want[5], want[11])
		}
		if v.name == "hand" {
			checkStream(t, respGrammar, b, ends, want, nil)
		}
	}
}
