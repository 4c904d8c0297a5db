package grammars

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// grammar is one grammar in its two versions, with a canonical rendering
// of its messages (taken while a message is still valid) for comparison.
// comb is nil for RESP2, which is here by hand only (framing/resp has its
// grammar declared with the combinators).
type grammar[T any] struct {
	name string
	comb parse.TryParse[T]
	hand parse.TryParse[T]
	show func(T) string
}

// versions returns the versions by name: both, or the hand one alone.
func (g grammar[T]) versions() []struct {
	name string
	p    parse.TryParse[T]
} {
	vs := []struct {
		name string
		p    parse.TryParse[T]
	}{{"combinators", g.comb}, {"hand", g.hand}}
	if g.comb == nil {
		return vs[1:]
	}
	return vs
}

// outcome is what reading a whole stream gave.
type outcome struct {
	msgs []string
	err  error
}

func (o outcome) String() string {
	return fmt.Sprintf("%d messages %q, error %s", len(o.msgs), o.msgs, errString(o.err))
}

// errString renders an error with its type, so that two outcomes compare
// equal only if their errors are of the same type, at the same offset,
// with the same message.
func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T(%v)", err, err)
}

func (o outcome) equal(p outcome) bool {
	return slices.Equal(o.msgs, p.msgs) && errString(o.err) == errString(p.err)
}

// read reads src to its end with p.
func read[T any](src pipe.Reader, p parse.TryParse[T], show func(T) string, opts parse.Options) outcome {
	r := parse.NewReader(src, p, opts)
	defer r.Close()
	var o outcome
	for m := range r.All(context.Background()) {
		o.msgs = append(o.msgs, show(m))
	}
	o.err = r.Err()
	return o
}

// stepReader is a pipe.Reader that shows its data growing by a script:
// each read shows the bytes up to the next length in steps (all of them,
// completed, after the last), so that a parser sees the same partial
// inputs every run, and the message reader's hints between attempts are
// exercised deterministically.
type stepReader struct {
	all      seq.Sequence
	steps    []int
	k        int
	consumed int
}

func newStepReader(b []byte, steps ...int) *stepReader {
	return &stepReader{all: seq.Of(b), steps: append(steps, len(b))}
}

func (r *stepReader) ReadAtLeast(_ context.Context, n int) (pipe.Result, error) {
	for {
		end := r.steps[min(r.k, len(r.steps)-1)]
		r.k++
		if end-r.consumed >= n || end == r.all.Len() {
			return pipe.Result{Buffer: r.all.Slice(r.consumed, end), Completed: end == r.all.Len()}, nil
		}
	}
}

func (r *stepReader) Read(ctx context.Context) (pipe.Result, error) { return r.ReadAtLeast(ctx, 1) }

func (r *stepReader) TryRead() (pipe.Result, bool, error) {
	res, err := r.Read(context.Background())
	return res, true, err
}

func (r *stepReader) AdvanceTo(consumed, _ seq.Position) { r.consumed = r.all.OffsetOf(consumed) }
func (r *stepReader) CancelPendingRead()                 {}
func (r *stepReader) Complete(error)                     {}

// check reads input with both versions of g through every segmentation of
// segtest and through pipes fed in pieces, checks that every run gives the
// same outcome, and returns it.
func check[T any](t *testing.T, g grammar[T], input []byte, opts parse.Options) outcome {
	t.Helper()
	var ref outcome
	refName := ""
	same := func(name string, o outcome) {
		t.Helper()
		if refName == "" {
			ref, refName = o, name
			return
		}
		if !o.equal(ref) {
			t.Fatalf("%s %q:\n%s: %v\n%s: %v", g.name, clip(input), refName, ref, name, o)
		}
	}
	for _, v := range g.versions() {
		for _, c := range segmentations(input) {
			same(v.name+"/"+c.Name, read(pipe.FromSequence(c.Seq), v.p, g.show, opts))
		}
		if len(input) <= segtest.MaxSplitAll {
			// Every two-step arrival, and one byte at a time.
			for i := range len(input) {
				same(fmt.Sprintf("%s/steps/%d", v.name, i), read(newStepReader(input, i), v.p, g.show, opts))
			}
			var steps []int
			for i := range len(input) {
				steps = append(steps, i)
			}
			same(v.name+"/bytewise-steps", read(newStepReader(input, steps...), v.p, g.show, opts))
		}
		for _, k := range []int{1, 3, 64, 4096} {
			if k > 1 && k >= len(input) {
				break
			}
			if k < 4096 && len(input) > 1<<14 {
				// A message reparsed from its start for every few bytes
				// that arrive costs time quadratic in its size.
				continue
			}
			same(fmt.Sprintf("%s/trickle/%d", v.name, k), read(parsetest.Trickle(input, k, pipe.Options{SegmentSize: 16, PauseThreshold: 256, ResumeThreshold: 128}), v.p, g.show, opts))
		}
	}
	return ref
}

// largeInput is the size above which segmentations leaves out the
// byte-per-segment case.
const largeInput = 16 << 10

// segmentations returns segtest's segmentations of input, except for a
// large input: then it cuts it in pieces the size of pipe segments and in
// prime-sized pieces instead of one byte per segment, since every
// backtracking step across a segment boundary (Peek, Alt, Opt) rewinds by
// walking from the start of the sequence (seq.Reader.Rewind), which makes a
// byte-per-segment parse quadratic.
func segmentations(input []byte) []segtest.Case {
	if len(input) <= largeInput {
		return segtest.Segmentations(input)
	}
	n := len(input)
	pieces := func(k int) []int {
		var cuts []int
		for i := k; i < n; i += k {
			cuts = append(cuts, i)
		}
		return cuts
	}
	return []segtest.Case{
		{Name: "one", Seq: segtest.Split(input)},
		{Name: "thirds", Seq: segtest.Split(input, n/3, 2*n/3)},
		{Name: "pieces/4096", Seq: segtest.Split(input, pieces(4096)...)},
		{Name: "pieces/997", Seq: segtest.Split(input, pieces(997)...)},
		{Name: "pieces/61", Seq: segtest.Split(input, pieces(61)...)},
	}
}

// checkFast is check with only two segmentations, one segment and thirds,
// for large inputs and many prefixes.
func checkFast[T any](t *testing.T, g grammar[T], input []byte, opts parse.Options) outcome {
	t.Helper()
	var ref outcome
	n := len(input)
	cases := []segtest.Case{{Name: "one", Seq: segtest.Split(input)}, {Name: "thirds", Seq: segtest.Split(input, n/3, 2*n/3)}}
	for i, v := range g.versions() {
		for j, c := range cases {
			o := read(pipe.FromSequence(c.Seq), v.p, g.show, opts)
			if i == 0 && j == 0 {
				ref = o
			} else if !o.equal(ref) {
				t.Fatalf("%s %q: %s/%s: %v, want %v", g.name, clip(input), v.name, c.Name, o, ref)
			}
		}
	}
	return ref
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// checkStream checks input, made of messages ending at the given offsets
// and rendering as want, in full (want must come out with no error) and
// cut at every offset in cuts (all of them if cuts is nil): a prefix gives
// the messages that end within it and then a clean end or a
// *parse.TruncatedError for the rest.
func checkStream[T any](t *testing.T, g grammar[T], input []byte, ends []int, want []string, cuts []int) {
	t.Helper()
	if got := check(t, g, input, parse.Options{}); got.err != nil || !slices.Equal(got.msgs, want) {
		t.Fatalf("%s: got %v, want %q", g.name, got, want)
	}
	if cuts == nil {
		for i := range len(input) {
			cuts = append(cuts, i)
		}
	}
	for _, n := range cuts {
		k, last := 0, 0
		for k < len(ends) && ends[k] <= n {
			last = ends[k]
			k++
		}
		got := checkFast(t, g, input[:n], parse.Options{})
		if !slices.Equal(got.msgs, want[:k]) {
			t.Fatalf("%s: prefix of %d bytes: got %v, want %q", g.name, n, got, want[:k])
		}
		if n == last {
			if got.err != nil {
				t.Fatalf("%s: prefix of %d bytes: %v, want a clean end", g.name, n, got.err)
			}
			continue
		}
		var te *parse.TruncatedError
		if !errors.As(got.err, &te) || !errors.Is(got.err, io.ErrUnexpectedEOF) || te.Offset != int64(last) || te.Len != n-last {
			t.Fatalf("%s: prefix of %d bytes: %v, want a TruncatedError at %d", g.name, n, errString(got.err), last)
		}
	}
}

// malformed is a bad input and where the error must be reported.
type malformed struct {
	in     string
	offset int64
	msg    string // a substring of the error message
}

// checkMalformed checks that both versions report a *parse.SyntaxError at
// the right offset, after the messages before it, in every segmentation.
func checkMalformed[T any](t *testing.T, g grammar[T], cases []malformed) {
	t.Helper()
	for _, c := range cases {
		got := check(t, g, []byte(c.in), parse.Options{})
		var se *parse.SyntaxError
		if !errors.As(got.err, &se) || se.Offset != c.offset || !strings.Contains(se.Error(), c.msg) {
			t.Errorf("%s %q: %v, want a SyntaxError at offset %d saying %q", g.name, c.in, errString(got.err), c.offset, c.msg)
		}
	}
}

// checkTooLarge checks that both versions report a *parse.SizeError for
// the message at offset with limit in force, in every segmentation.
func checkTooLarge[T any](t *testing.T, g grammar[T], input []byte, maxSize int, offset int64, limit int) {
	t.Helper()
	got := check(t, g, input, parse.Options{MaxMessageSize: maxSize})
	var se *parse.SizeError
	if !errors.As(got.err, &se) || !errors.Is(got.err, parse.ErrTooLarge) || se.Offset != offset || se.Limit != limit {
		t.Fatalf("%s %q: %v, want a SizeError at %d with limit %d", g.name, clip(input), errString(got.err), offset, limit)
	}
}

// parseOne parses a whole final buffer directly, with no message reader.
func parseOne[T any](p parse.TryParse[T], b []byte) (T, int, error) {
	in := parse.NewInput(seq.Of(b), true, 0)
	v, err := p(in)
	return v, in.Consumed(), err
}
