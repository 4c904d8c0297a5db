package combinators_test

import (
	"errors"
	"fmt"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// pubHead is a head in the shape of an MQTT PUBLISH: a 1-byte length
// covering a 1-byte-length-prefixed topic and then a payload, which the
// head leaves unread.
func pubHead() parse.TryParse[string] {
	head := c.Within(c.Uint8(), c.LengthPrefixedBytes(c.Uint8()), func(n uint8, topic seq.Sequence, used int) string {
		return fmt.Sprintf("%s+%d", topic, int(n)-used)
	})
	// The payload is taken after the head, so that a stream test reads
	// whole frames.
	return c.Bind(c.Peek(c.Within(c.Uint8(), c.LengthPrefixedBytes(c.Uint8()), func(n uint8, _ seq.Sequence, used int) int { return int(n) - used })),
		func(left int) parse.TryParse[string] { return c.Before(head, c.Take(left)) })
}

func TestWithin(t *testing.T) {
	head := erase(c.Within(c.Uint8(), c.LengthPrefixedBytes(c.Uint8()), func(n uint8, topic seq.Sequence, used int) string {
		return fmt.Sprintf("%s+%d", topic, int(n)-used)
	}))
	frame := pubHead()
	past := syntax(1, "element ends past its bound of 3 bytes")
	for _, tc := range []tcase{
		// Only the topic is read: the 199 payload bytes the length
		// declares are neither waited for nor buffered.
		{name: "head", p: head, input: "\xcb\x03abc", once: ok("abc+199", 5)},
		{name: "empty-rest", p: head, input: "\x04\x03abc", once: ok("abc+0", 5), want: stream{msgs("abc+0"), ""}},
		{name: "frames", p: frame, input: "\x06\x02ab123\x03\x02xy\x04\x01z", once: ok("ab+3", 7),
			want: stream{msgs("ab+3", "xy+0"), truncated(3, 11)}},
		// A head longer than the length is cut by the bound: a syntax
		// error, not a wait for bytes of the payload.
		{name: "past-bound", p: head, input: "\x03\x05abcdef", once: fails(past), want: stream{nil, past}},
		{name: "truncated", p: head, input: "\x09\x05ab", once: "more",
			want: stream{nil, truncated(4, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			if tc.want.msgs != nil || tc.want.err != "" {
				checkStream(t, tc.p, tc.input, tc.limit, tc.want)
			}
		})
	}

	// A length of gigabytes, beyond the message size limit, is no size
	// error: the head is read, the rest left to the caller.
	in := parse.NewInput(seq.Of([]byte("\xff\xff\xff\xff\x02ab")), false, 64)
	v, err := c.Within(c.Uint32BE(), c.LengthPrefixedBytes(c.Uint8()), func(n uint32, s seq.Sequence, used int) uint64 {
		return uint64(n) - uint64(used)
	})(in)
	if err != nil || v != 1<<32-1-3 || in.Consumed() != 7 {
		t.Fatalf("huge length: got %d, %v, consumed %d", v, err, in.Consumed())
	}
	// A negative length bounds the head to nothing.
	neg := c.Within(c.Map(c.Uint8(), func(b uint8) int8 { return int8(b) }), c.Opt(c.Uint8()), func(n int8, m c.Maybe[uint8], used int) string {
		return fmt.Sprint(n, m.Ok, used)
	})
	if v, err := neg(parse.NewInput(seq.Of([]byte("\xff\x07")), true, 64)); err != nil || v != "-1 false 0" {
		t.Fatalf("negative length: got %q, %v", v, err)
	}
	// Failures of the length pass through.
	if _, err := head(parse.NewInput(seq.Of(nil), false, 64)); !errors.Is(err, parse.ErrNeedMore) {
		t.Fatalf("no length: got %v, want ErrNeedMore", err)
	}
}
