package combinators_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// tree is a value too large to return in registers, which the
// destination forms write in place.
type tree struct {
	kind     byte
	n        int
	s        seq.Sequence
	wide     [4]int64 // makes a tree too large for registers
	children []tree
}

func (t tree) String() string {
	switch t.kind {
	case 'i':
		return fmt.Sprint(t.n, t.wide)
	case 's':
		return fmt.Sprintf("%q", t.s.String())
	}
	parts := make([]string, len(t.children))
	for i, k := range t.children {
		parts[i] = k.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// treeGrammar declares nested lists with every constructor that records
// a destination form: a Dispatch on the first byte, Maps, a Then, a Bind,
// a TakeLen, a Then fused with a Dispatch, a Fix three levels deep, and the elements of a list in a
// Counted or a CountedScratch.
func treeGrammar(scratch bool) parse.TryParse[string] {
	count := c.Before(c.Decimal[int](-1, 100, 0), c.Literal(":"))
	str := func(n int) parse.TryParse[tree] {
		return c.Map(c.Take(n), func(s seq.Sequence) tree { return tree{kind: 's', s: s} })
	}
	strs := []parse.TryParse[tree]{str(0), str(1), str(2)}
	negative := func(in *parse.Input) (tree, error) { return tree{}, in.Errorf("negative length") }
	var value parse.TryParse[tree]
	c.Fix(3, func(list parse.TryParse[tree]) parse.TryParse[tree] {
		value = c.Dispatch(map[byte]parse.TryParse[tree]{
			'i': c.Map(c.Then(c.Byte('i'), count), func(n int) tree { return tree{kind: 'i', n: n, wide: [4]int64{int64(n), 1, 2, 3}} }),
			// The length is a number between literals, read inline by
			// Bind's destination form; the parser it chooses is declared
			// in advance, built per message, or not one of the package's.
			's': c.Bind(c.Then(c.Byte('s'), count), func(n int) parse.TryParse[tree] {
				switch {
				case n < 0:
					return negative
				case n < len(strs):
					return strs[n]
				}
				return str(n)
			}),
			// A length, then that many bytes and ";": TakeLen.
			'b': c.TakeLen(c.Then(c.Byte('b'), count), c.Literal(";"), func(n int, s seq.Sequence) tree {
				return tree{kind: 'l', children: []tree{{kind: 'i', n: n}, {kind: 's', s: s}}}
			}),
			'l': list,
		}, nil)
		elems := c.Counted(count, value)
		if scratch {
			elems = c.CountedScratch(count, value)
		}
		// "lx" is a list with no count: a Dispatch after the 'l', fused
		// with it.
		none := c.Map(c.Byte('x'), func(byte) tree { return tree{kind: 'l'} })
		return c.Then(c.Byte('l'), c.Dispatch(map[byte]parse.TryParse[tree]{'x': none},
			c.Map(elems, func(es []tree) tree { return tree{kind: 'l', children: es} })))
	})
	return c.Map(value, tree.String)
}

// TestIntoAgrees checks that the destination forms change nothing but the
// way a value reaches its place: a grammar built with them (fusion on)
// gives what the same declaration built without them gives, over every
// segmentation of every prefix of every input, final or not, and through
// message readers fed in pieces.
func TestIntoAgrees(t *testing.T) {
	inputs := []string{
		"i3:", "s3:abc", "l2:i1:s2:ab", "l0:", "l1:l2:i7:l0:", "l1:l1:l1:l1:i1:", "l2:i1:x", "s5:ab",
		"l-1:", "i-5:", "l3:i1:i2:", "x", "l2:s1:zl1:s0:", "s-1:", "s-2:ab", "s1a", "s99999:", "l4:s2:abs1:as3:abcs0:",
		"lx", "l2:lxi1:", "l", "lq", "l1:l",
		"b3:abc;", "b-1:", "b3:abc", "b3:ab;", "b0:;", "l3:b2:ab;b-1:b1:x;", "b99:",
	}
	for _, scratch := range []bool{false, true} {
		c.SetFusion(false)
		slow := treeGrammar(scratch)
		c.SetFusion(true)
		fast := treeGrammar(scratch)
		if c.HasInto(slow) || !c.HasInto(fast) {
			t.Fatal("destination forms recorded with fusion off, or not with fusion on")
		}
		all := append(append([]string{}, inputs...), strings.Join(inputs[:6], ""))
		for _, input := range all {
			for i := 0; i <= len(input); i++ {
				for _, sg := range segtest.Segmentations([]byte(input[:i])) {
					for _, final := range []bool{true, false} {
						want := outcome(slow, sg.Seq, final, 64)
						if got := outcome(fast, sg.Seq, final, 64); got != want {
							t.Errorf("scratch %v: %q as %s, final %v: with destinations %s, without %s", scratch, input[:i], sg.Name, final, got, want)
						}
					}
				}
			}
			want := readStream(t, slow, pipe.FromBytes([]byte(input)), 64)
			for name, cuts := range chunkings(len(input)) {
				if got := readStream(t, fast, chunked([]byte(input), cuts), 64); !got.equal(want) {
					t.Errorf("scratch %v: %q in %s: with destinations %v, without %v", scratch, input, name, got, want)
				}
			}
		}
	}
}

// A Dispatch called as a plain parser once per element of a long message
// (inside a Fold, which has no use for destination forms) runs its case's
// plain form: reading the messages allocates nothing per message, neither
// a destination per element nor storage that outgrows what the reader
// keeps from one message to the next.
func TestDispatchScratchPerElement(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates scratch storage per message")
	}
	elem := c.Dispatch(map[byte]parse.TryParse[tree]{
		'e': c.Map(c.Byte('e'), func(byte) tree { return tree{kind: 'i', n: 1} }),
	}, nil)
	msg := c.Before(c.Fold(elem, 1, -1, 0, func(n int, t tree) int { return n + t.n }), c.Byte(';'))
	read := func(n int) float64 {
		input := []byte(strings.Repeat(strings.Repeat("e", 2000)+";", n))
		return testing.AllocsPerRun(5, func() {
			r := parse.NewReader(pipe.FromBytes(input), msg, parse.Options{})
			got := 0
			for m := range r.All(context.Background()) {
				if m != 2000 {
					t.Fatalf("message of %d elements, want 2000", m)
				}
				got++
			}
			if r.Err() != nil || got != n {
				t.Fatalf("%d messages of %d, %v", got, n, r.Err())
			}
		})
	}
	small, large := read(10), read(20)
	if per := (large - small) / 10; per > 0.5 {
		t.Fatalf("%.1f allocations per message (%v for 10 messages, %v for 20)", per, small, large)
	}
}
