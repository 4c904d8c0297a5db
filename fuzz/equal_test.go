package fuzz

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/seq"
)

// node has what messages hold: unexported fields, sequences, byte slices,
// nested slices, pointers (possibly cyclic), maps and interfaces.
type node struct {
	Name  string
	n     int
	f     float64
	Body  seq.Sequence
	raw   []byte
	Kids  []node
	Next  *node
	Attrs map[string][]byte
	Any   any
	arr   [2]int16
}

func sampleNode(body string) node {
	return node{
		Name: "a", n: 3, f: 1.5, Body: seq.Of([]byte(body)), raw: []byte("xy"),
		Kids:  []node{{Name: "k", Body: seq.Of([]byte("kid"))}, {Kids: []node{}}},
		Next:  &node{Name: "next"},
		Attrs: map[string][]byte{"h": []byte("v")},
		Any:   seq.Of([]byte("in any")),
		arr:   [2]int16{1, -1},
	}
}

// TestEqualAgreesWithCmp: the compiled comparison accepts only what
// cmp.Equal accepts, and accepts equal values built apart, sequences split
// differently included.
func TestEqualAgreesWithCmp(t *testing.T) {
	a, b := sampleNode("body bytes"), sampleNode("body bytes")
	b.Body = segtest.Segmentations([]byte("body bytes"))[3].Seq // the same bytes over several segments
	if !fastEqual(&a, &b) || !Equal(a, b) {
		t.Fatal("equal values built apart are not equal")
	}
	differ := map[string]func(*node){
		"string":         func(n *node) { n.Name = "b" },
		"unexported int": func(n *node) { n.n = 4 },
		"float":          func(n *node) { n.f = 2 },
		"sequence":       func(n *node) { n.Body = seq.Of([]byte("body bytez")) },
		"byte slice nil": func(n *node) { n.raw = nil },
		"empty vs nil":   func(n *node) { n.Kids[1].Kids = nil },
		"nested":         func(n *node) { n.Kids[0].Body = seq.Of([]byte("kix")) },
		"pointer":        func(n *node) { n.Next.Name = "other" },
		"nil pointer":    func(n *node) { n.Next = nil },
		"map value":      func(n *node) { n.Attrs["h"] = []byte("w") },
		"map key":        func(n *node) { n.Attrs = map[string][]byte{"i": []byte("v")} },
		"interface":      func(n *node) { n.Any = 3 },
		"array":          func(n *node) { n.arr[1] = 0 },
	}
	for name, change := range differ {
		c := sampleNode("body bytes")
		change(&c)
		if fastEqual(&a, &c) || Equal(a, c) || cmp.Equal(a, c, baseCmp()...) {
			t.Errorf("%s: values that differ are equal", name)
		}
	}
	nan := []float64{math.NaN()}
	if fastEqual(&nan, &nan) != cmp.Equal(nan, nan) {
		t.Error("NaN: compiled and cmp.Equal disagree")
	}
	cyc := &node{Name: "c"}
	cyc.Next = cyc
	cyc2 := &node{Name: "c"}
	cyc2.Next = cyc2
	if !Equal(cyc, cyc2) {
		t.Error("cyclic values: cmp.Equal decides, and they are equal")
	}
}

// TestOwnCopiesDeeply: Own's copy is equal, shares no memory that could
// view the input, and keeps cycles.
func TestOwnCopiesDeeply(t *testing.T) {
	a := sampleNode("body")
	a.Next.Next = a.Next // a cycle
	c := Own(a)
	if !cmp.Equal(a, c, baseCmp()...) {
		t.Fatalf("the copy differs: %s", cmp.Diff(a, c, baseCmp()...))
	}
	if &c.raw[0] == &a.raw[0] || &c.Kids[0] == &a.Kids[0] || c.Next == a.Next || &c.Attrs["h"][0] == &a.Attrs["h"][0] {
		t.Fatal("the copy shares memory with the original")
	}
	if &c.Body.First()[0] == &a.Body.First()[0] || &c.Kids[0].Body.First()[0] == &a.Kids[0].Body.First()[0] {
		t.Fatal("a sequence of the copy views the original's memory")
	}
	if any, ok := c.Any.(seq.Sequence); !ok || &any.First()[0] == &a.Any.(seq.Sequence).First()[0] {
		t.Fatal("the sequence in an interface was not copied")
	}
	if c.Next.Next != c.Next {
		t.Fatal("the cycle was not kept")
	}
	if c.Kids[1].Kids == nil || Own([]int(nil)) != nil {
		t.Fatal("empty and nil slices are not kept apart")
	}
}

// BenchmarkOwnEqual: the harness owns and compares every message of every
// run.
func BenchmarkOwnEqual(b *testing.B) {
	msgs := []node{sampleNode("one"), sampleNode("two"), sampleNode("three")}
	b.ReportAllocs()
	for b.Loop() {
		c := Own(msgs)
		if !fastEqual(&msgs, &c) {
			b.Fatal("not equal")
		}
	}
}
