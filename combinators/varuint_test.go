package combinators_test

import (
	"errors"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

func TestVarUint(t *testing.T) {
	v4 := erase(c.VarUint(4))
	long := func(off int64) string {
		return syntax(off, "variable-length integer longer than 4 bytes: "+c.ErrVarUint.Error())
	}
	loose := func(off int64) string {
		return syntax(off, "variable-length integer not in its shortest form: "+c.ErrVarUint.Error())
	}
	// The boundaries of MQTT's Variable Byte Integer (MQTT 5.0 section
	// 1.5.5, the table of its one- to four-byte ranges).
	for _, tc := range []tcase{
		{name: "zero", p: v4, input: "\x00", once: ok("0", 1), want: stream{msgs("0"), ""}},
		{name: "127", p: v4, input: "\x7f", once: ok("127", 1), want: stream{msgs("127"), ""}},
		{name: "128", p: v4, input: "\x80\x01", once: ok("128", 2), want: stream{msgs("128"), ""}},
		{name: "16383", p: v4, input: "\xff\x7f", once: ok("16383", 2), want: stream{msgs("16383"), ""}},
		{name: "16384", p: v4, input: "\x80\x80\x01", once: ok("16384", 3), want: stream{msgs("16384"), ""}},
		{name: "2097151", p: v4, input: "\xff\xff\x7f", once: ok("2097151", 3), want: stream{msgs("2097151"), ""}},
		{name: "2097152", p: v4, input: "\x80\x80\x80\x01", once: ok("2097152", 4), want: stream{msgs("2097152"), ""}},
		{name: "max", p: v4, input: "\xff\xff\xff\x7f", once: ok("268435455", 4), want: stream{msgs("268435455"), ""}},
		{name: "several", p: v4, input: "\x05\x80\x01\x7f", once: ok("5", 1), want: stream{msgs("5", "128", "127"), ""}},
		{name: "fifth-byte", p: v4, input: "\xff\xff\xff\xff\x01", once: fails(long(0)), want: stream{nil, long(0)}},
		{name: "fifth-byte-later", p: v4, input: "\x01\x80\x80\x80\x80", once: ok("1", 1), want: stream{msgs("1"), long(1)}},
		{name: "not-shortest", p: v4, input: "\x80\x00", once: fails(loose(0)), want: stream{nil, loose(0)}},
		{name: "not-shortest-3", p: v4, input: "\x85\x80\x00", once: fails(loose(0)), want: stream{nil, loose(0)}},
		{name: "truncated", p: v4, input: "\x03\x80\x80", once: ok("3", 1), want: stream{msgs("3"), truncated(2, 1)}},
		{name: "one-byte", p: erase(c.VarUint(1)), input: "\x7f\x80", once: ok("127", 1),
			want: stream{msgs("127"), syntax(1, "variable-length integer longer than 1 bytes: "+c.ErrVarUint.Error())}},
		{name: "nine-bytes", p: erase(c.VarUint(9)), input: "\xff\xff\xff\xff\xff\xff\xff\xff\x7f", once: ok("9223372036854775807", 9),
			want: stream{msgs("9223372036854775807"), ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOnce(t, tc.p, tc.input, tc.limit, tc.once)
			checkStream(t, tc.p, tc.input, tc.limit, tc.want)
		})
	}

	// The faults match ErrVarUint, and a fifth continuation byte is
	// refused on non-final input without waiting for a sixth.
	_, err := c.VarUint(4)(parse.NewInput(seq.Of([]byte("\x80\x80\x80\x80")), false, 1<<20))
	var se *parse.SyntaxError
	if !errors.Is(err, c.ErrVarUint) || !errors.As(err, &se) || se.Offset != 0 {
		t.Fatalf("four continuation bytes: got %v, want a syntax error wrapping ErrVarUint at 0", err)
	}
	// Three continuation bytes on non-final input ask for more.
	if _, err := c.VarUint(4)(parse.NewInput(seq.Of([]byte("\x80\x80\x80")), false, 1<<20)); !errors.Is(err, parse.ErrNeedMore) {
		t.Fatalf("three continuation bytes: got %v, want ErrNeedMore", err)
	}
	for _, n := range []int{0, 10} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("VarUint(%d) did not panic", n)
				}
			}()
			c.VarUint(n)
		}()
	}
}
