package combinators

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

func entries() int { return known.Len() }

// TestNodesDoNotLeak declares grammars as a Bind function might, once per
// message, and drops them: their nodes leave the table once the parsers
// are collected.
func TestNodesDoNotLeak(t *testing.T) {
	before := entries()
	for i := range 2000 {
		p := Then(Take(i%7), Map(Uint16BE(), func(v uint16) int { return int(v) + i }))
		if nodeOf(p) == nil {
			t.Fatal("a declared parser has no node")
		}
	}
	if entries() < before+2000 {
		t.Fatalf("%d entries after declaring 2000 grammars, %d before", entries(), before)
	}
	deadline := time.Now().Add(10 * time.Second)
	for entries() > before+100 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := entries(); n > before+100 {
		t.Errorf("%d entries left after collecting the grammars, %d before", n, before)
	}
}

// TestNodesConcurrent declares and describes grammars from several
// goroutines at once (run with -race).
func TestNodesConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				p := LengthPrefixed(Peek(Map(Uint8(), func(v uint8) uint16 { return uint16(v) + uint16(g) })), Map(Rest(), seq.Sequence.String))
				d := Describe(p)
				if !strings.HasPrefix(d, "LengthPrefixed [fused]\n") || strings.Count(d, "\n") != 6 {
					t.Errorf("goroutine %d, grammar %d:\n%s", g, i, d)
					return
				}
			}
		})
	}
	wg.Wait()
}

func handWritten(in *parse.Input) (int, error) { return 0, nil }

// TestDescribeForeign: a parser the package did not build is named.
func TestDescribeForeign(t *testing.T) {
	got := Describe(Opt(parse.TryParse[int](handWritten)))
	want := "Opt\n  func combinators.handWritten\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDescribeRecursion: a recursive grammar is printed once.
func TestDescribeRecursion(t *testing.T) {
	p := Fix(3, func(self parse.TryParse[string]) parse.TryParse[string] {
		return Alt(Literal("x"), Then(Byte('('), Before(self, Byte(')'))))
	})
	got := Describe(p)
	want := `Fix(3)
  Alt
    Literal("x")
    Then
      Byte('(')
      Before
        Fix (recursion)
        Byte(')')
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
