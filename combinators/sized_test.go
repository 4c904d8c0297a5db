package combinators_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// sizedMsg is a toy message whose length is declared in its head, between
// other fields: "name,length:" and that many bytes, or "name:" and bytes up
// to ';' without a length.
type sizedHead struct {
	name   string
	length int
}

func sizedGrammar() parse.TryParse[string] {
	name := c.Map(c.TakeIn("abcdefghijklmnopqrstuvwxyz", 1, 16), seq.Sequence.String)
	length := c.Opt(c.Then(c.Byte(','), c.Decimal[int](0, 1<<20, 0)))
	head := c.Before(c.Seq2(name, length, func(n string, l c.Maybe[int]) sizedHead {
		if !l.Ok {
			return sizedHead{n, -1}
		}
		return sizedHead{n, l.Value}
	}), c.Byte(':'))
	return c.Sized(head, func(h sizedHead) int { return h.length }, c.Rest(), c.Before(c.TakeBefore(";"), c.Byte(';')),
		func(h sizedHead, b seq.Sequence) string { return h.name + "=" + b.String() })
}

func TestSized(t *testing.T) {
	p := sizedGrammar()
	for _, tc := range []tcase{
		{name: "sized", p: p, input: "ab,3:x;zcd:yy;e,0:", once: ok("ab=x;z", 8),
			want: stream{msgs("ab=x;z", "cd=yy", "e="), ""}},
		{name: "sized-with-the-unsized-delimiter", p: p, input: "a,2:;;", once: ok("a=;;", 6), want: stream{msgs("a=;;"), ""}},
		{name: "truncated-body", p: p, input: "ab,5:xyz", once: "more", want: stream{nil, truncated(8, 0)}},
		{name: "truncated-unsized", p: p, input: "ab:xyz", once: "more", want: stream{nil, truncated(6, 0)}},
		{name: "bad-head", p: p, input: "ab,x:", once: fails(syntax(3, "expected digit")), want: stream{nil, syntax(3, "expected digit")}},
		{name: "over-limit", p: p, input: "ab:1;cd,100:", limit: 64, once: ok("ab=1", 5),
			want: stream{msgs("ab=1"), tooLarge(5, 64)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}
	checkTruncated(t, p, "ab,2:xycd,4:xy", []string{"ab=xy"}, 7)

	// A body that does not read all its bytes is a syntax error at its end.
	short := c.Sized(c.Before(c.Decimal[int](0, 100, 0), c.Byte(':')), func(n int) int { return n }, c.Take(1), nil,
		func(n int, b seq.Sequence) string { return b.String() })
	checkOnce(t, short, "3:abc", 0, fails(syntax(3, "sized body used 1 of its 3 bytes")))

	// Without a length and without an unsized body, there is no body.
	none := c.Sized(c.Before(c.Decimal[int](-1, 100, 0), c.Byte(':')), func(n int) int { return n }, c.Rest(), nil,
		func(n int, b seq.Sequence) string { return strings.Repeat("*", b.Len()) })
	checkOnce(t, none, "-1:", 0, ok("", 3))

	// The declared length is checked against the budget before waiting,
	// by the parser itself (a direct call on non-final input).
	if got := once(p, seq.Of([]byte("cd,100:")), false, 64); got != fails(tooLarge(0, 64)) {
		t.Fatalf("a length over the limit on non-final input: got %q", got)
	}

	// A huge declared length is refused as soon as the head is read: the
	// reader does not wait for the body the writer holds back.
	h := newHeldPipe("ab,1000000:", "x")
	defer h.finish()
	r := parse.NewReader(h.p.Reader(), p, parse.Options{MaxMessageSize: 1 << 16})
	defer r.Close()
	start := time.Now()
	var se *parse.SizeError
	if _, err := next(t, r); !errors.As(err, &se) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v; want a size error at once", err, time.Since(start))
	}
}

// TestSizedAllocatesNothing: nothing is built per message; the bounded
// body costs what LengthPrefixed's costs (an Input for the body, kept by
// a message reader from one message to the next).
func TestSizedAllocatesNothing(t *testing.T) {
	head := c.Before(c.Seq2(c.TakeIn("abc", 1, 8), c.Then(c.Byte(','), c.Decimal[int](0, 100, 0)),
		func(_ seq.Sequence, n int) int { return n }), c.Byte(':'))
	p := c.Sized(head, func(n int) int { return n }, c.Rest(), nil, func(n int, b seq.Sequence) int { return n + b.Len() })
	lp := c.LengthPrefixed(c.Uint8(), c.Map(c.Rest(), seq.Sequence.Len))
	allocs := func(p parse.TryParse[int], input string) float64 {
		in := seq.Of([]byte(input))
		return testing.AllocsPerRun(100, func() {
			if _, err := p(parse.NewInput(in, true, 0)); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n, base := allocs(p, "abc,5:hello"), allocs(lp, "\x05hello"); n > base {
		t.Fatalf("%v allocations per parse, LengthPrefixed %v", n, base)
	}
}

// A record whose length is a field of its head, after a type byte: the
// body gets exactly that many bytes.
func ExampleSized() {
	type head struct {
		kind byte
		n    int
	}
	rec := c.Sized(
		c.Seq2(c.Uint8(), c.Before(c.Decimal[int](0, 1<<16, 0), c.Byte(':')), func(k uint8, n int) head { return head{k, n} }),
		func(h head) int { return h.n },
		c.Rest(), nil,
		func(h head, body seq.Sequence) string { return fmt.Sprintf("%c %q", h.kind, body.String()) })
	r := parse.NewReader(pipe.FromBytes([]byte("A5:helloB0:C3:a:b")), rec, parse.Options{})
	for v := range r.All(context.Background()) {
		fmt.Println(v)
	}
	fmt.Println(r.Err())
	// Output:
	// A "hello"
	// B ""
	// C "a:b"
	// <nil>
}

// TestSizedDescribed: Sized records its head, bodies and functions.
func TestSizedDescribed(t *testing.T) {
	d := c.Describe(sizedGrammar())
	for _, want := range []string{"Sized", "TakeBefore", "Rest"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
}
