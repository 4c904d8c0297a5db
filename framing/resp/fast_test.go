package resp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// randomReply appends a reply to b, drawn from r: mostly the shapes of
// the fast path (simple strings and errors, integers, bulk strings, their
// null, arrays of them), written as a peer may write them (leading zeros
// in lengths and counts, "-0", the int64 bounds, lengths and counts at
// and past the limits l), and sometimes nested aggregates and the other
// RESP3 types.
func randomReply(r *rand.Rand, b []byte, l Limits, depth int) []byte {
	num := func(u uint64) string {
		s := strconv.FormatUint(u, 10)
		if r.IntN(6) == 0 {
			s = strings.Repeat("0", r.IntN(4)) + s
		}
		return s
	}
	near := func(max int) uint64 { // a size near a limit, or a small one
		if r.IntN(6) == 0 {
			return uint64(max - 1 + r.IntN(3))
		}
		return uint64(r.IntN(12))
	}
	switch p := r.IntN(100); {
	case p < 12:
		k := "+-"[r.IntN(2)]
		n := int(near(min(l.MaxLine, 300)))
		if l.MaxLine > 300 && r.IntN(6) == 0 {
			n = fastLine - 2 + r.IntN(5) // the fast path's own bound
		}
		return append(append(append(b, k), strings.Repeat("x", n)...), "\r\n"...)
	case p < 24:
		var s string
		switch r.IntN(6) {
		case 0:
			s = strconv.FormatInt(math.MinInt64+int64(r.IntN(2)), 10)
		case 1:
			s = strconv.FormatInt(math.MaxInt64-int64(r.IntN(2)), 10)
		case 2:
			s = "-" + num(uint64(r.IntN(3)))
		case 3:
			s = strings.Repeat("9", 17+r.IntN(3))
		default:
			s = strconv.FormatInt(r.Int64N(1e6)-5e5, 10)
		}
		return append(append(append(b, ':'), s...), "\r\n"...)
	case p < 50:
		if r.IntN(10) == 0 {
			return append(b, "$-1\r\n"...)
		}
		n := near(min(l.MaxBulk, 1000))
		if depth > 0 && n > 12 && r.IntN(4) > 0 {
			n = uint64(r.IntN(50))
		}
		if l.MaxBulk > 1000 && depth == 0 && r.IntN(8) == 0 {
			n = uint64(200 + r.IntN(3000))
		}
		b = append(append(append(b, '$'), num(n)...), "\r\n"...)
		for i := range n {
			b = append(b, "ab\r\ncd"[i%6])
		}
		return append(b, "\r\n"...)
	case p < 80 && depth < 3:
		n := near(min(l.MaxElems, 40))
		if depth > 0 {
			n = uint64(r.IntN(4))
		}
		b = append(append(append(b, '*'), num(n)...), "\r\n"...)
		for range n {
			b = randomReply(r, b, l, depth+1)
		}
		return b
	case p < 84 && depth < 3:
		b = append(b, "%1\r\n+k\r\n"...)
		return randomReply(r, b, l, depth+1)
	}
	return append(b, []string{"*-1\r\n", "_\r\n", "#t\r\n", ",1.5\r\n", "(12\r\n", "!1\r\nx\r\n", "=5\r\ntxt:a\r\n",
		"~1\r\n:1\r\n", ">1\r\n+p\r\n", "*?\r\n:1\r\n.\r\n", "$?\r\n;1\r\na\r\n;0\r\n", "*0\r\n", "$0\r\n\r\n"}[r.IntN(13)]...)
}

// mutate returns a copy of b with a few bytes changed, dropped or added.
func mutate(r *rand.Rand, b []byte) []byte {
	out := append([]byte(nil), b...)
	for range 1 + r.IntN(3) {
		if len(out) == 0 {
			break
		}
		i := r.IntN(len(out))
		switch r.IntN(3) {
		case 0:
			out[i] = "$*:+-\r\n0129?x"[r.IntN(13)]
		case 1:
			out = append(out[:i], out[i+1:]...)
		default:
			out = append(out[:i], append([]byte{"\r\n-9*"[r.IntN(5)]}, out[i:]...)...)
		}
	}
	return out
}

// readDescribed reads every value from src with p, rendering each and
// the error, with its type and offset.
func readDescribed(p parse.TryParse[Value], src pipe.Reader, limit int) []string {
	r := parse.NewReader(src, p, parse.Options{MaxMessageSize: limit})
	defer r.Close()
	var out []string
	for v := range r.All(context.Background()) {
		out = append(out, show(v))
	}
	return append(out, fmt.Sprintf("%T %v", r.Err(), r.Err()))
}

// TestFastAgrees reads random replies, mutations and truncations of them,
// the test inputs and the recorded replies with Values (the fast path in
// front of the declared grammar) and with the declared grammar alone, in
// several segmentations and in random pieces through a pipe (so that
// arrays run short and resume), under default and small limits: the same
// values and the same error, at the same offset, every time.
func TestFastAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 379))
	small := Limits{MaxBulk: 300, MaxElems: 5, MaxDepth: 2, MaxLine: 20, MaxMessage: 1 << 12}
	for _, lc := range []struct {
		name  string
		l     Limits
		limit int // the reader's maximum message size
	}{
		{"defaults", Limits{}, 0},
		{"small", small, 0},
		{"depth 1", Limits{MaxDepth: 1}, 0},
		{"message 600", Limits{}, 600},
	} {
		t.Run(lc.name, func(t *testing.T) {
			l := lc.l.withDefaults()
			fast, declared := Values(lc.l), declaredValues(l)
			var inputs [][]byte
			for _, s := range append(append([]string{}, valueSeeds...), captureSeeds(t, "replies")...) {
				inputs = append(inputs, []byte(s))
			}
			// Numbers at the width of their bounds, with leading zeros.
			for _, s := range []string{"$0003\r\nabc\r\n", "$00003\r\nabc\r\n", "$0000003\r\nabc\r\n", "$00000003\r\nabc\r\n",
				"*1\r\n$0003\r\nabc\r\n", "*1\r\n$00000003\r\nabc\r\n", "*005\r\n" + strings.Repeat(":1\r\n", 5),
				"*0000001\r\n:1\r\n", "*00000001\r\n:1\r\n", ":0000000000000000001\r\n", ":-0000000000000000001\r\n",
				":00000000000000000001\r\n", ":999999999999999999\r\n", ":-999999999999999999\r\n", ":1000000000000000000\r\n",
				"+" + strings.Repeat("x", fastLine) + "\r\n", "+" + strings.Repeat("x", fastLine+1) + "\r\n"} {
				inputs = append(inputs, []byte(s))
			}
			for _, v := range sampleValues() {
				inputs = append(inputs, AppendValue(nil, v))
			}
			n := 300
			if testing.Short() || raceEnabled {
				n = 60
			}
			size := 0
			defer func() { t.Logf("%d inputs, %d bytes", len(inputs), size) }()
			for range n {
				var b []byte
				for range 1 + r.IntN(6) {
					b = randomReply(r, b, l, 0)
				}
				inputs = append(inputs, b, mutate(r, b), b[:r.IntN(len(b)+1)])
				size += 3 * len(b)
			}
			for i, in := range inputs {
				check := func(how string, a, b []string) {
					t.Helper()
					if strings.Join(a, "\n") != strings.Join(b, "\n") {
						t.Fatalf("input %d %.200q, %s:\nfast path %.500q\ndeclared  %.500q", i, in, how, a, b)
					}
				}
				cases := segtest.Segmentations(in)
				if len(in) > 40 {
					cases = cases[:5]
				}
				for _, sc := range cases {
					check(sc.Name, readDescribed(fast, pipe.FromSequence(sc.Seq), lc.limit),
						readDescribed(declared, pipe.FromSequence(segtest.Split(in)), lc.limit))
				}
				for _, max := range []int{1, 3, 17, 300, 5000} {
					if max == 1 && len(in) > 4096 {
						continue
					}
					seed := r.Uint64()
					pieces := func() pipe.Reader {
						src := segtest.RandomPieces(rand.New(rand.NewPCG(seed, 1)), in, max)
						return pipe.NewReader(&src, pipe.ReaderOptions{})
					}
					check(fmt.Sprintf("pieces up to %d", max), readDescribed(fast, pieces(), lc.limit),
						readDescribed(declared, pieces(), lc.limit))
				}
			}
		})
	}
}

// TestFastPathTaken checks that the fast path reads the common shapes by
// itself, so that TestFastAgrees compares two readings and not the
// declared grammar with itself: with a declared grammar that fails the
// test, the common shapes in one segment still read, and an array's
// element of another shape is left to the declared grammar at that
// element.
func TestFastPathTaken(t *testing.T) {
	in := "+OK\r\n-ERR x\r\n:-12\r\n:007\r\n$3\r\nabc\r\n$-1\r\n$0\r\n\r\n*0\r\n" +
		"*5\r\n$1\r\na\r\n:1\r\n+s\r\n$-1\r\n-e\r\n"
	want := []string{"+OK", "-ERR x", ":-12", ":7", "$3:abc", "$nil", "$0:", "*[]", "*[$1:a :1 +s $nil -e]"}
	f := newFastValues(defaults, func(in *parse.Input) (Value, error) {
		t.Fatalf("declared grammar called at offset %d", in.Offset())
		return Value{}, nil
	})
	got, err := readAll(f.parse, seq.Of([]byte(in)), 0, show)
	if strings.Join(got, " ") != strings.Join(want, " ") || err != nil {
		t.Fatalf("read %q, %v; want %q", got, err, want)
	}

	var at []int64
	f = newFastValues(defaults, nil)
	declared := declaredValues(defaults)
	f.slow = func(in *parse.Input) (Value, error) {
		at = append(at, in.Offset())
		return declared(in)
	}
	got, err = readAll(f.parse, seq.Of([]byte("*3\r\n:1\r\n*1\r\n:2\r\n$1\r\nx\r\n")), 0, show)
	if strings.Join(got, " ") != "*[:1 *[:2] $1:x]" || err != nil || fmt.Sprint(at) != "[8]" {
		t.Fatalf("read %q, %v, the declared grammar called at %v; want it called at [8]", got, err, at)
	}
}

// TestFastNested checks the fast path where the declared grammar counts
// levels entered before it (Values inside another nesting grammar): an
// array one level past the limit is the declared grammar's depth error,
// and one at the limit reads.
func TestFastNested(t *testing.T) {
	l := Limits{MaxDepth: 3}.withDefaults()
	for _, tc := range []struct {
		entered int
		input   string
	}{{2, "*1\r\n:1\r\n"}, {3, "*1\r\n:1\r\n"}, {3, "*0\r\n"}, {3, ":1\r\n"}, {2, "*1\r\n*0\r\n"}} {
		var got, want []string
		for _, p := range []*[]string{&got, &want} {
			g := Values(l)
			if p == &want {
				g = declaredValues(l)
			}
			in := parse.NewInput(seq.Of([]byte(tc.input)), true, 0)
			for range tc.entered {
				in.Enter()
			}
			v, err := g(in)
			*p = append(*p, show(v), fmt.Sprint(err), strconv.Itoa(in.Consumed()))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q after %d levels: fast path %q, declared %q", tc.input, tc.entered, got, want)
		}
	}
}

// FuzzFastAgrees compares the fast path with the declared grammar on
// fuzzed input in fuzzed pieces, with small limits so that the bounds are
// within reach.
func FuzzFastAgrees(f *testing.F) {
	for _, s := range append(append([]string{}, valueSeeds...), captureSeeds(f, "replies")...) {
		f.Add([]byte(s), uint64(7), false)
	}
	small := Limits{MaxBulk: 300, MaxElems: 5, MaxDepth: 2, MaxLine: 20}
	fastSmall, declaredSmall := Values(small), declaredValues(small.withDefaults())
	fast, declared := Values(Limits{}), declaredValues(defaults)
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, limited bool) {
		p, q := fast, declared
		if limited {
			p, q = fastSmall, declaredSmall
		}
		pieces := func() pipe.Reader {
			src := segtest.RandomPieces(rand.New(rand.NewPCG(seed, 3)), data, 1+int(seed%64))
			return pipe.NewReader(&src, pipe.ReaderOptions{})
		}
		a, b := readDescribed(p, pieces(), 1<<12), readDescribed(q, pieces(), 1<<12)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("fast path %q\ndeclared  %q", a, b)
		}
	})
}
