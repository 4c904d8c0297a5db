package combinators_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// A count read from the input decides how many elements follow, over
// every segmentation and through message readers; the count is checked
// before the elements are waited for.
func TestCounted(t *testing.T) {
	letter := c.Satisfy("letter", isAlpha)
	count := c.Before(c.Decimal[int](-1, 1000, 0), c.Byte(':'))
	for _, tc := range []tcase{
		{name: "decimal", p: erase(c.Counted(count, letter)), input: "3:abc0:2:x",
			once: ok("[97 98 99]", 5), want: stream{msgs("[97 98 99]", "[]"), truncated(3, 7)}},
		{name: "element-fails", p: erase(c.Counted(count, letter)), input: "2:a1",
			once: fails(syntax(3, "expected letter")), want: stream{nil, syntax(3, "expected letter")}},
		{name: "negative", p: erase(c.Counted(count, letter)), input: "1:a-1:",
			once: ok("[97]", 3), want: stream{msgs("[97]"), (&parse.SyntaxError{Offset: 3, Msg: "negative count -1", Err: c.ErrRange}).Error()}},
		{name: "over-limit", p: erase(c.Counted(c.Uint32BE(), c.Uint8())), input: "\x00\x00\x00\x02ab\x00\x00\x00\x10", limit: 16,
			once: ok("[97 98]", 6), want: stream{msgs("[97 98]"), tooLarge(6, 16)}},
		{name: "no-progress", p: erase(c.Counted(c.Uint8(), c.Opt(letter))), input: "\x02a1",
			once: fails(syntax(2, "repeated element matched no input")), want: stream{nil, syntax(2, "repeated element matched no input")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}
	checkTruncated(t, erase(c.Counted(count, letter)), "1:a3:ab", []string{"[97]"}, 3)

	// A huge count is refused as soon as it is read: the reader does not
	// wait for the elements the writer holds back.
	h := newHeldPipe("*4294967295\r\n", "x")
	defer h.finish()
	huge := c.Counted(c.Then(c.Byte('*'), c.Before(c.Decimal[uint64](0, 1<<40, 0), c.Literal("\r\n"))), letter)
	r := parse.NewReader(h.p.Reader(), huge, parse.Options{MaxMessageSize: 1 << 16})
	defer r.Close()
	start := time.Now()
	var se *parse.SizeError
	if _, err := next(t, r); !errors.As(err, &se) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v; want a size error at once", err, time.Since(start))
	}
}

// CountedScratch reads what Counted reads, with the same errors, over
// every segmentation and through message readers.
func TestCountedScratchAgrees(t *testing.T) {
	letter := c.Satisfy("letter", isAlpha)
	count := c.Before(c.Decimal[int](-1, 1000, 0), c.Byte(':'))
	nested := func(counted func(parse.TryParse[int], parse.TryParse[byte]) parse.TryParse[[]byte],
		outer func(parse.TryParse[int], parse.TryParse[[]byte]) parse.TryParse[[][]byte]) parse.TryParse[string] {
		return erase(outer(count, counted(count, letter)))
	}
	for _, tc := range []struct{ input string }{
		{"3:abc0:2:x"}, {"2:a1"}, {"1:a-1:"}, {"2:2:ab1:c1:1:d0:3:0:0:1:e"}, {"2:2:ab1:"},
	} {
		want := nested(c.Counted[int, byte], c.Counted[int, []byte])
		got := nested(c.CountedScratch[int, byte], c.CountedScratch[int, []byte])
		w := readStream(t, want, pipe.FromBytes([]byte(tc.input)), 0)
		checkOnce(t, got, tc.input, 0, once(want, seq.Of([]byte(tc.input)), true, 0))
		checkStream(t, got, tc.input, 0, w)
	}
}

// A CountedScratch slice is intact until the next read from the message
// reader, however the message arrived (in pieces, its repetitions resumed
// from earlier attempts), and its memory then holds the next message's
// elements (under the race detector: is zeroed, and not reused).
func TestCountedScratchLifetime(t *testing.T) {
	letter := c.Satisfy("letter", isAlpha)
	count := c.Before(c.Decimal[int](0, 1000, 0), c.Byte(':'))
	p := c.CountedScratch(count, c.CountedScratch(count, letter))
	input := "2:2:ab1:c1:1:d3:2:ef0:1:g"
	want := []string{"[[97 98] [99]]", "[[100]]", "[[101 102] [] [103]]"}
	for name, cuts := range chunkings(len(input)) {
		r := parse.NewReader(chunked([]byte(input), cuts), p, parse.Options{})
		var last [][]byte
		for i, w := range want {
			m, err := next(t, r)
			if err != nil || show(m) != w {
				t.Fatalf("%s: message %d = %v, %v; want %s", name, i, show(m), err, w)
			}
			if last != nil {
				same := &last[:1][0] == &m[:1][0]
				switch {
				case raceEnabled && (same || last[0] != nil):
					t.Fatalf("%s: message %d: the last message's slice was reused or not zeroed under the race detector", name, i)
				case !raceEnabled && (!same || show(last[0]) != show(m[0])):
					t.Fatalf("%s: message %d: the last message's memory was not reused", name, i)
				}
			}
			last = m
		}
		r.Close()
	}
}

// A message in scratch storage whose bytes arrive in pieces costs no
// allocation either: a repetition that runs short records its slice
// through the scratch storage, not boxed in an interface.
func TestCountedScratchShortAttempts(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates scratch storage per message")
	}
	letter := c.Satisfy("letter", isAlpha)
	count := c.Before(c.Decimal[int](0, 1000, 0), c.Byte(':'))
	p := c.CountedScratch(count, c.CountedScratch(count, letter))
	read := func(n int) float64 {
		input := []byte(strings.Repeat("2:3:abc2:de", n))
		return testing.AllocsPerRun(5, func() {
			r := parse.NewReader(pipe.NewReader(iotest.OneByteReader(bytes.NewReader(input)), pipe.ReaderOptions{}), p, parse.Options{})
			got := 0
			for range r.All(context.Background()) {
				got++
			}
			if r.Err() != nil || got != n {
				t.Fatalf("%d messages of %d, %v", got, n, r.Err())
			}
			r.Close()
		})
	}
	small, large := read(200), read(400)
	if per := (large - small) / 200; per > 0.05 {
		t.Fatalf("%.2f allocations per message (%v for 200 messages, %v for 400)", per, small, large)
	}
}
