package combinators_test

// Regression tests for bugs of package parse that grammars built with
// combinators ran into; the comment of each gives the cause. All are fixed:
// search hints are keyed by the search (parse.ScanKey), Bounded passes them
// through and reports size errors at the message's start, reuses nested
// inputs, and NeedMore clamps huge counts to the limit.

import (
	"context"
	"errors"
	"math"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The delimiter-search hint (Input.Scanned / ScanRest / ScanShort) is keyed
// by the cursor offset alone, so a search gets the hint that a different
// search at the same offset recorded in the previous attempt. Here the
// first alternative searches for ';' and, when only "a\n" has arrived,
// records that 2 bytes hold no ';'. In the next attempt it finds ';' but
// fails on 'Y'; the second alternative then searches for '\n' from the same
// offset, is told that 2 bytes were already searched, and skips the '\n' at
// offset 1: chunked input yields "a\nb;Y" where whole input yields "a".
// Any backtracking combinator (Alt, Opt, Many, SepBy, Peek) that runs two
// different searches from one offset can hit it. Fix: key the hint by the
// search as well, e.g. ScanShort(key, n) / Scanned(key) with a comparable
// key such as the delimiter or a per-parser pointer, and ignore a hint whose
// key differs.
func TestRegressionScanHintSharedBetweenSearches(t *testing.T) {
	p := erase(c.Alt(
		c.Before(c.TakeUntil(";"), c.Literal("X")),
		c.TakeUntil("\n"),
	))
	input := "a\nb;Y\n"
	whole := readStream(t, p, pipe.FromBytes([]byte(input)), 0)
	if want := (stream{msgs: msgs("a", "b;Y")}); !whole.equal(want) {
		t.Fatalf("whole: %v", whole)
	}
	// "a\n" arrives, then the rest (the same chain of segments, as a pipe
	// gives it).
	all := seq.Chain([]byte(input[:2]), []byte(input[2:]))
	src := &scripted{bufs: []seq.Sequence{all.Slice(0, 2), all}}
	if got := readStream(t, p, src, 0); !got.equal(whole) {
		t.Errorf("\"a\\n\" then the rest: got %v, want %v as for the whole input", got, whole)
	}
}

// parse.Bounded runs its parser on a fresh sub-Input whose hint is always
// empty (hintAt: -1) and drops the sub-Input's ScanShort, so a delimiter
// search inside a bound that is not yet fully buffered starts over on every
// attempt: Bounded(maxLine, Line()) fed in small pieces costs time
// quadratic in the line length. The test changes bytes the first attempt
// examined (see TestSearchResumes): a search that resumed would not see the
// new '\n'. Fix: pass the hint into the sub-Input (offsets shifted by the
// bound's start) and carry its scanAt/scanned/scanPos back out, as Bounded
// already does for need.
func TestRegressionBoundedDropsScanHints(t *testing.T) {
	head := []byte("abcd")
	whole := seq.Chain(head, []byte("d\n"))
	src := &scripted{
		bufs: []seq.Sequence{whole.Slice(0, 4), whole},
		before: func(i int) {
			if i == 1 {
				copy(head, "a\nbc")
			}
		},
	}
	r := parse.NewReader(src, erase(c.Bounded(100, c.Line())), parse.Options{})
	if m, err := r.Next(context.Background()); err != nil || m != "a\nbcd" {
		t.Errorf("got %q, %v; want %q: the second attempt searched again the bytes the first one had", m, err, "a\nbcd")
	}
}

// Input.TooLarge reports the sub-Input's base as the message offset inside
// parse.Bounded, so a size error found inside a bound (a nested
// length-prefixed frame declaring more than the limit) names the bound's
// first byte instead of the message's, as SizeError.Offset is documented.
// Fix: give the sub-Input the message's offset for TooLarge (a separate
// field from base, which Offset and Errorf need).
func TestRegressionTooLargeOffsetInsideBounded(t *testing.T) {
	// An outer frame of 5 bytes at offset 0 whose inner frame declares
	// 65536 bytes, over the limit of 100.
	p := erase(c.LengthPrefixed(c.Uint8(), c.LengthPrefixed(c.Uint32BE(), c.Take(0))))
	input := []byte("\x05\x00\x01\x00\x00z")
	if got, want := readStream(t, p, pipe.FromBytes(input), 100), tooLarge(0, 100); got.err != want {
		t.Errorf("got %v, want the size error at the message's offset: %s", got, want)
	}
	_, err := p(parse.NewInput(seq.Of(input), true, 100))
	if se := (*parse.SizeError)(nil); !errors.As(err, &se) || se.Offset != 0 {
		t.Errorf("direct: got %v, want a size error at offset 0", err)
	}
}

// parse.Bounded keeps one sub-Input per Input (in.child) so that a grammar
// with a bound allocates once per reader, but it resets the sub-Input with
// a struct literal that drops the sub-Input's own child, so a bound nested
// in a bound (a length-prefixed frame inside another, a common shape)
// allocates a new Input on every message. Fix: keep child in the literal
// (child: sub.child).
func TestRegressionNestedBoundedAllocates(t *testing.T) {
	p := c.LengthPrefixed(c.Uint8(), c.LengthPrefixed(c.Uint8(), c.Take(2)))
	in := parse.NewInput(seq.Of([]byte("\x03\x02ab")), true, 0)
	if _, err := p(in); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		in.Reset()
		if _, err := p(in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message with nested bounds; want 0", allocs)
	}
}

// Input.NeedMore(n) records Consumed()+n without guarding the addition, so
// a declared length near math.MaxInt (from a decimal or 64-bit length
// field) wraps to a negative need that is then ignored: instead of refusing
// the message at once with a SizeError, the reader reports a truncated
// message on final input, and on non-final input waits until the limit's
// worth of bytes is buffered. (Take and LengthPrefixed check the limit
// before they call NeedMore, so grammars built with them are not affected;
// hand-written parsers are.) Fix: saturate, e.g. if n > in.limit-Consumed()
// then need = in.limit+2.
func TestRegressionNeedMoreOverflows(t *testing.T) {
	p := func(in *parse.Input) (int, error) {
		if _, err := in.ReadByte(); err != nil {
			return 0, in.NeedMore(1)
		}
		if in.Remaining() < 3 {
			return 0, in.NeedMore(math.MaxInt) // a declared length, as read
		}
		return 0, nil
	}
	r := parse.NewReader(pipe.FromBytes([]byte("$ab")), p, parse.Options{})
	if _, err := r.Next(context.Background()); !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("got %v; want a size error", err)
	}
}
