package combinators_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// brackets declares value = "x" / "[" *value "]" with Fix; its value is
// the nesting depth of the deepest "x" or list. built counts the calls of
// the grammar function.
func brackets(maxDepth int, built *int) parse.TryParse[int] {
	return c.Fix(maxDepth, func(self parse.TryParse[int]) parse.TryParse[int] {
		*built++
		list := c.Then(c.Byte('['), c.FoldTill(self, c.Byte(']'), 0, -1, 0, func(d, v int) int { return max(d, v) }))
		return c.Dispatch(map[byte]parse.TryParse[int]{
			'x': c.Map(c.Byte('x'), func(byte) int { return 0 }),
			'[': c.Map(list, func(d int) int { return d + 1 }),
		}, nil)
	})
}

// depthErr is the text of the error of a level past the limit.
func depthErr(off int64, limit int) string {
	return (&parse.SyntaxError{Offset: off, Msg: fmt.Sprintf("nesting deeper than %d levels", limit), Err: c.ErrDepth}).Error()
}

// A recursive grammar is built once and parses every segmentation alike.
func TestFix(t *testing.T) {
	built := 0
	p := brackets(3, &built)
	if built != 1 {
		t.Fatalf("grammar function called %d times; want once", built)
	}
	for _, tc := range []tcase{
		{name: "nested", input: "[[x]][x]x[][[]]",
			once: ok("2", 5), want: stream{msgs("2", "1", "0", "1", "2"), ""}},
		// Siblings do not add up: each level ends when its value does.
		{name: "siblings", input: "[xxxx[x]x[x]]x",
			once: ok("2", 13), want: stream{msgs("2", "0"), ""}},
		// "[[[x" is four levels: the 'x' is past the limit.
		{name: "too-deep", input: "[[x]][[[x]]]",
			once: ok("2", 5), want: stream{msgs("2"), depthErr(8, 3)}},
		{name: "malformed", input: "[x[y]]",
			once: fails(syntax(3, `expected ']' or '[' or 'x'`)), want: stream{nil, syntax(3, `expected ']' or '[' or 'x'`)}},
		{name: "truncated", input: "[[x]][[x]",
			once: ok("2", 5), want: stream{msgs("2"), truncated(4, 5)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, erase(p), tc.input, 0, tc.once)
			checkStream(t, erase(p), tc.input, 0, tc.want)
		})
	}
}

// A thousand levels parse without trouble, and a peer's million '[' make
// one depth error at the limit, found before the rest is examined.
func TestFixDeep(t *testing.T) {
	const depth = 1000
	p := brackets(depth+1, new(int))
	input := strings.Repeat("[", depth) + "x" + strings.Repeat("]", depth)
	for name, cuts := range chunkings(len(input)) {
		if name == "pieces/1" || name == "pieces/2" {
			continue // each attempt parses every level: quadratic, and slow under -race
		}
		if got := readStream(t, erase(p), chunked([]byte(input), cuts), 0); !got.equal(stream{msgs: msgs(fmt.Sprint(depth))}) {
			t.Fatalf("%s: %v", name, got)
		}
	}
	if got := once(erase(p), seq.Of([]byte(input)), true, 0); got != fmt.Sprintf("%d/%d", depth, len(input)) {
		t.Fatalf("once: %q", got)
	}
	// One level fewer allowed: the 'x' is past the limit.
	_, err := brackets(depth, new(int))(parse.NewInput(seq.Of([]byte(input)), true, 0))
	var se *parse.SyntaxError
	if !errors.Is(err, c.ErrDepth) || !errors.As(err, &se) || se.Offset != depth {
		t.Fatalf("limit %d: got %v", depth, err)
	}

	flood := strings.Repeat("[", 1<<20)
	r := parse.NewReader(pipe.FromBytes([]byte(flood)), brackets(100, new(int)), parse.Options{MaxMessageSize: 2 << 20})
	defer r.Close()
	if _, err := next(t, r); !errors.Is(err, c.ErrDepth) || !errors.As(err, &se) || se.Offset != 100 {
		t.Fatalf("flood: got %v", err)
	}
}

// Parses running at once on many inputs each keep their own depth, in the
// table of counters and past it.
func TestFixConcurrent(t *testing.T) {
	p := brackets(8, new(int))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := g % 10 // 8 and 9 are too deep
			input := strings.Repeat("[", d) + "x" + strings.Repeat("]", d)
			for range 200 {
				v, err := p(parse.NewInput(seq.Of([]byte(input)), true, 0))
				switch {
				case d < 8 && (err != nil || v != d):
					errs <- fmt.Errorf("depth %d: got %d, %v", d, v, err)
					return
				case d >= 8 && !errors.Is(err, c.ErrDepth):
					errs <- fmt.Errorf("depth %d: got %d, %v; want a depth error", d, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The depth count goes on through a bound on the recursion's path: a value
// is "x" or "L" and a length-prefixed value, so each level parses inside
// the bound of the one above it, and the fourth level is past a limit of 3.
func TestFixCountsThroughBounds(t *testing.T) {
	p := c.Fix(3, func(self parse.TryParse[int]) parse.TryParse[int] {
		return c.Dispatch(map[byte]parse.TryParse[int]{
			'x': c.Map(c.Byte('x'), func(byte) int { return 0 }),
			'L': c.Map(c.Then(c.Byte('L'), c.LengthPrefixed(c.Uint8(), self)), func(d int) int { return d + 1 }),
		}, nil)
	})
	for _, tc := range []tcase{
		{name: "three levels", input: "L\x03L\x01x", once: ok("2", 5), want: stream{msgs("2"), ""}},
		{name: "four levels", input: "L\x05L\x03L\x01x",
			once: fails(depthErr(6, 3)), want: stream{nil, depthErr(6, 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, erase(p), tc.input, 0, tc.once)
			checkStream(t, erase(p), tc.input, 0, tc.want)
		})
	}
}

// A hand-written recursive parser bounds its nesting with the same count:
// parens nested inside a Fix grammar's levels add up with them.
func TestEnterLeaveHandWritten(t *testing.T) {
	var parens parse.TryParse[int]
	parens = func(in *parse.Input) (int, error) {
		if in.Enter() > 5 {
			in.Leave()
			return 0, in.Errorf("too deep")
		}
		defer in.Leave()
		b, ok := in.Peek()
		if !ok {
			return 0, in.NeedMore(1)
		}
		if b != '(' {
			return 0, nil
		}
		in.Advance(1)
		d, err := parens(in)
		if err != nil {
			return 0, err
		}
		if b, ok := in.Peek(); !ok {
			return 0, in.NeedMore(1)
		} else if b != ')' {
			return 0, in.Errorf("expected ')'")
		}
		in.Advance(1)
		return d + 1, nil
	}
	p := c.Fix(2, func(self parse.TryParse[int]) parse.TryParse[int] {
		return c.Dispatch(map[byte]parse.TryParse[int]{
			'p': c.Then(c.Byte('p'), parens),
			'[': c.Map(c.Then(c.Byte('['), c.Before(self, c.Byte(']'))), func(d int) int { return d + 1 }),
		}, nil)
	})
	// Two Fix levels and three calls of parens for "(())": five in all,
	// within the limit of the parens; "((()))" makes a sixth, at its
	// innermost "(" (offset 5).
	for _, tc := range []tcase{
		{name: "within", input: "[p(())]", once: ok("3", 7), want: stream{msgs("3"), ""}},
		{name: "past", input: "[p((()))]", once: fails(syntax(5, "too deep")), want: stream{nil, syntax(5, "too deep")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, erase(p), tc.input, 0, tc.once)
			checkStream(t, erase(p), tc.input, 0, tc.want)
		})
	}
}
