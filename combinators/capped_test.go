package combinators_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

func TestCapped(t *testing.T) {
	// A 1-byte length, then its body; the frame, length included, is at
	// most 6 bytes.
	body := c.LengthPrefixed(c.Capped(6, c.Uint8()), c.Map(c.Rest(), seq.Sequence.String))
	// The same with a length that counts the whole frame.
	whole := c.LengthPrefixed(c.Capped(6, c.Peek(c.Uint8())), c.Map(c.Rest(), func(s seq.Sequence) string { return s.From(1).String() }))
	// A 2-byte header before the length: 2+2+n bytes.
	header := c.Map(c.Capped(8, c.Then(c.Take(2), c.Uint16BE())), func(n uint16) string { return strings.Repeat("*", int(n)) })
	// A frame cap below the length's own size refuses every frame.
	tiny := c.Map(c.Capped(1, c.Uint16BE()), func(n uint16) string { return "never" })
	// A malformed length is reported as it is, before the bound.
	checked := c.Map(c.Capped(3, c.MapErr(c.Uint8(), func(v uint8) (uint8, error) {
		if v == 0 {
			return 0, errTooBig
		}
		return v, nil
	})), func(n uint8) string { return "ok" })
	for _, tc := range []tcase{
		{name: "body-at-max", p: body, input: "\x05hello\x00", once: ok("hello", 6), want: stream{msgs("hello", ""), ""}},
		{name: "body-over-max", p: body, input: "\x02ab\x06abcdef", once: ok("ab", 3), want: stream{msgs("ab"), tooLarge(3, 6)}},
		{name: "body-over-max-unbuffered", p: body, input: "\x02ab\x06", once: ok("ab", 3), want: stream{msgs("ab"), tooLarge(3, 6)}},
		{name: "reader-limit-smaller", p: body, input: "\x05hello", limit: 4, once: fails(tooLarge(0, 4)), want: stream{nil, tooLarge(0, 4)}},
		{name: "whole-at-max", p: whole, input: "\x06hello", once: ok("hello", 6), want: stream{msgs("hello"), ""}},
		{name: "whole-over-max", p: whole, input: "\x07hello!", once: fails(tooLarge(0, 6)), want: stream{nil, tooLarge(0, 6)}},
		{name: "header-at-max", p: header, input: "hd\x00\x04", once: ok("****", 4), want: stream{msgs("****"), ""}},
		{name: "header-over-max", p: header, input: "hd\x00\x05", once: fails(tooLarge(0, 8)), want: stream{nil, tooLarge(0, 8)}},
		{name: "tiny", p: tiny, input: "\x00\x00", once: fails(tooLarge(0, 1)), want: stream{nil, tooLarge(0, 1)}},
		{name: "malformed", p: checked, input: "\x00", once: fails(syntax(0, "invalid value: test: value too big")),
			want: stream{nil, syntax(0, "invalid value: test: value too big")}},
		{name: "checked-over-max", p: checked, input: "\x03", once: fails(tooLarge(0, 3)), want: stream{nil, tooLarge(0, 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}

	// The bound is checked on the length alone: a direct call on
	// non-final input with no body byte buffered is a size error, not a
	// need for more input.
	if got := once(body, seq.Of([]byte("\x09")), false, 1<<20); got != fails(tooLarge(0, 6)) {
		t.Fatalf("a length over the cap on non-final input: got %q", got)
	}
	var se *parse.SizeError
	if _, err := body(parse.NewInput(seq.Of([]byte("\x09")), false, 1<<20)); !errors.As(err, &se) || !errors.Is(err, parse.ErrTooLarge) || se.Limit != 6 {
		t.Fatalf("got %#v, want a *parse.SizeError with Limit 6", err)
	}

	// Through a message reader: the frame over the cap is refused as soon
	// as its length arrives, while the writer holds the body back.
	h := newHeldPipe("\x01a\x60", "x")
	defer h.finish()
	r := parse.NewReader(h.p.Reader(), body, parse.Options{MaxMessageSize: 1 << 16})
	defer r.Close()
	if v, err := next(t, r); err != nil || v != "a" {
		t.Fatalf("first frame: %q, %v", v, err)
	}
	start := time.Now()
	if _, err := next(t, r); !errors.As(err, &se) || se.Offset != 2 || se.Limit != 6 || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v; want a size error at offset 2 at once", err, time.Since(start))
	}
}

func TestCappedPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	c.Capped(-1, c.Uint8())
}

// TestCappedReadsOnce: LengthPrefixed of a Capped length decodes and
// converts the length once per frame, where declaring the bound with Bind
// and LengthPrefixed reads it twice.
func TestCappedReadsOnce(t *testing.T) {
	calls := 0
	length := c.Peek(c.MapErr(c.Uint16BE(), func(v uint16) (uint16, error) {
		calls++
		return v, nil
	}))
	p := c.LengthPrefixed(c.Capped(100, length), c.Map(c.Rest(), seq.Sequence.Len))
	for range 3 {
		in := parse.NewInput(seq.Of([]byte("\x00\x05abc--")), true, 1<<20)
		if n, err := p(in); err != nil || n != 5 {
			t.Fatalf("got %d, %v", n, err)
		}
	}
	if calls != 3 {
		t.Fatalf("the length was converted %d times for 3 frames", calls)
	}
	d := c.Describe(p)
	for _, want := range []string{"LengthPrefixed [fused]", "Capped(100) [fused]", "Peek [fused]"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
	// LengthPrefixedBytes too.
	if d := c.Describe(c.LengthPrefixedBytes(c.Capped(100, length))); !strings.HasPrefix(d, "LengthPrefixedBytes [fused]\n") {
		t.Errorf("Describe:\n%s", d)
	}
}

// A frame of a 2-byte length and that many bytes, at most 8 bytes in all:
// the third frame declares 7 bytes of body and is refused from its length.
func ExampleCapped() {
	frame := c.LengthPrefixed(c.Capped(8, c.Uint16BE()), c.Map(c.Rest(), seq.Sequence.String))
	r := parse.NewReader(pipe.FromBytes([]byte("\x00\x02hi\x00\x06sluice\x00\x07")), frame, parse.Options{})
	for v := range r.All(context.Background()) {
		fmt.Println(v)
	}
	fmt.Println(r.Err())
	// Output:
	// hi
	// sluice
	// parse: message at offset 12 exceeds the maximum size of 8 bytes
}

// BenchmarkCappedFrames: 100-byte frames after a 2-byte length, bounded
// by Capped, read with LengthPrefixedBytes fused with it (fused) and with
// the generic composition.
func BenchmarkCappedFrames(b *testing.B) {
	input := frames(4096, 100)
	c.SetFusion(false)
	generic := c.LengthPrefixedBytes(c.Capped(1<<10, c.Uint16BE()))
	c.SetFusion(true)
	fused := c.LengthPrefixedBytes(c.Capped(1<<10, c.Uint16BE()))
	b.Run("frames/fused", func(b *testing.B) { parsetest.BenchParse(b, fused, input) })
	b.Run("frames/generic", func(b *testing.B) { parsetest.BenchParse(b, generic, input) })
}
