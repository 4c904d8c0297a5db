package combinators_test

import (
	"errors"
	"math"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

var errBadLength = errors.New("test: invalid length")

// TestTag checks Tag over every segmentation and delivery: syntax errors
// of the tagged element, an expectation or a fault, carry the tag at the
// element's offset with their message; what is not a syntax error (a
// truncation, a size error) and what happens outside the element pass
// unchanged.
func TestTag(t *testing.T) {
	length := c.Tag(errBadLength, c.Before(c.Decimal[uint64](0, 1000, 0), c.Literal("\r\n")))
	frame := c.Then(c.Byte('$'), c.LengthPrefixedBytes(length))
	tagged := func(off int64, msg, tail string) string {
		return syntax(off, msg) + ": " + tail
	}
	for _, tc := range []struct {
		name, input string
		limit       int
		want        stream
	}{
		{name: "ok", input: "$3\r\nabc$0\r\n", want: stream{msgs("abc", ""), ""}},
		{name: "expectation", input: "$3\r\nabc$x\r\n",
			want: stream{msgs("abc"), tagged(8, "expected digit", "test: invalid length")}},
		{name: "fault keeps its cause", input: "$1001\r\n",
			want: stream{nil, tagged(1, "number above the maximum 1000", "test: invalid length: combinators: number out of range")}},
		{name: "after the number", input: "$3\n",
			want: stream{nil, tagged(2, `expected "\r\n"`, "test: invalid length")}},
		{name: "outside", input: "#3\r\n", want: stream{nil, syntax(0, "expected '$'")}},
		{name: "truncated", input: "$3\r\nab", want: stream{nil, truncated(6, 0)}},
		{name: "truncated in the number", input: "$3", want: stream{nil, truncated(2, 0)}},
		{name: "too large", input: "$30\r\n" + string(make([]byte, 30)), limit: 10, want: stream{nil, tooLarge(0, 10)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkStream(t, erase(frame), tc.input, tc.limit, tc.want)
		})
	}
}

// TestTagMatches checks that a tagged error matches the tag, its own
// cause and *parse.SyntaxError, on every segmentation.
func TestTagMatches(t *testing.T) {
	p := c.Tag(errBadLength, c.Decimal[int64](0, math.MaxInt32, 0))
	for _, sc := range segtest.Segmentations([]byte("99999999999;")) {
		r := parse.NewReader(pipe.FromSequence(sc.Seq), p, parse.Options{})
		_, err := r.Next(t.Context())
		r.Close()
		var se *parse.SyntaxError
		if !errors.Is(err, errBadLength) || !errors.Is(err, c.ErrRange) || !errors.As(err, &se) || se.Offset != 0 {
			t.Fatalf("%s: err %v, want a syntax error at 0 matching the tag and ErrRange", sc.Name, err)
		}
	}
}

func TestTagPanicsOnNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	c.Tag[int](nil, c.Decimal[int](0, 1, 0))
}

// TestTagShortAttemptsAllocateNothing checks that an element that needs
// more input, as every element at the end of a read does, costs no
// allocation in Tag.
func TestTagShortAttemptsAllocateNothing(t *testing.T) {
	p := c.Tag(errBadLength, c.LengthPrefixedBytes(c.Before(c.Decimal[uint64](0, 1000, 0), c.Literal("\r\n"))))
	in := parse.NewInput(segtest.Split([]byte("10\r\nabc")), false, 100)
	allocs := testing.AllocsPerRun(100, func() {
		in.Rewind(in.Consumed())
		if _, err := p(in); !errors.Is(err, parse.ErrNeedMore) {
			t.Fatalf("err %v, want a need for more input", err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per short attempt", allocs)
	}
}
