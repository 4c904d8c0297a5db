package parse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// at is a syntax error "expected what" at off.
func at(off int64, what string) error {
	return &parse.SyntaxError{Offset: off, Msg: "expected " + what}
}

func TestFurthestRule(t *testing.T) {
	input := func(final bool) *parse.Input { return parse.NewInput(seq.Of([]byte("0123456789")), final, 0) }
	detail := &parse.SyntaxError{Offset: 5, Msg: "invalid value", Err: errors.New("out of range")}
	for _, tc := range []struct {
		name  string
		final bool
		setup func(in *parse.Input)
		err   error
		want  string
	}{
		{"no record", true, func(*parse.Input) {}, at(3, "x"), at(3, "x").Error()},
		{"further wins", true, func(in *parse.Input) { in.Dismiss(at(5, "a")) }, at(3, "x"), at(5, "a").Error()},
		{"nearer loses", true, func(in *parse.Input) { in.Dismiss(at(2, "a")) }, at(3, "x"), at(3, "x").Error()},
		{"same offset merges", true, func(in *parse.Input) { in.Dismiss(at(3, "a")); in.Dismiss(at(3, "b")) }, at(3, "x"),
			at(3, "a or b or x").Error()},
		{"duplicates merge once", true, func(in *parse.Input) { in.Dismiss(at(3, "x")); in.Dismiss(at(3, "a")) }, at(3, "x"),
			at(3, "x or a").Error()},
		{"Expect at the cursor", true, func(in *parse.Input) { in.Advance(3); in.Expect("a"); in.Rewind(3) }, at(3, "x"),
			at(3, "a or x").Error()},
		{"a fault is not merged", true, func(in *parse.Input) { in.Dismiss(at(5, "a")) }, detail, detail.Error()},
		{"a dismissed fault stands alone", true, func(in *parse.Input) { in.Dismiss(detail) }, at(3, "x"), detail.Error()},
		{"end of final input", true, func(in *parse.Input) { in.Dismiss(parse.ErrNeedMore) }, at(9, "x"), in0().NeedMore(0).Error()},
		{"end of non-final input is not a failure", false, func(in *parse.Input) { in.Dismiss(parse.ErrNeedMore) }, at(3, "x"),
			at(3, "x").Error()},
		{"size errors pass", true, func(in *parse.Input) { in.Dismiss(at(5, "a")) }, in0().TooLarge(), in0().TooLarge().Error()},
		{"need more passes", false, func(in *parse.Input) { in.Dismiss(at(5, "a")) }, parse.ErrNeedMore, parse.ErrNeedMore.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := input(tc.final)
			tc.setup(in)
			if got := in.Furthest(tc.err); got == nil || got.Error() != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}

	// The end of final input, as Furthest and NeedMore report it, is both a
	// need for more input and an unexpected EOF; on non-final input only
	// the former.
	end := input(true)
	end.Dismiss(end.NeedMore(1))
	for _, err := range []error{end.Furthest(at(2, "x")), in0().NeedMore(1)} {
		if !errors.Is(err, parse.ErrNeedMore) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("end of final input: %v", err)
		}
	}
	if err := input(false).NeedMore(1); !errors.Is(err, parse.ErrNeedMore) || errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("end of non-final input: %v", err)
	}

	in := input(true)
	in.Dismiss(at(4, "a"))
	in.Expect("b") // at the cursor, 0: nearer, ignored
	in.Dismiss(at(4, "c"))
	var se *parse.SyntaxError
	if err := in.Furthest(nil); !errors.As(err, &se) || se.Offset != 4 || fmt.Sprint(se.Expected) != "[a c]" {
		t.Fatalf("Furthest(nil) = %#v", err)
	}
	if err := input(true).Furthest(nil); err != nil {
		t.Fatalf("Furthest(nil) without a record = %v", err)
	}
}

func in0() *parse.Input { return parse.NewInput(seq.Of([]byte("x")), true, 0) }

// The message reader applies the rule to the error of every attempt, and a
// record belongs to its attempt: the next message starts without it.
func TestReaderFurthest(t *testing.T) {
	// Messages are lines; "far" dismisses a failure past its end and
	// succeeds; "end" dismisses the end of final input and fails at its
	// start; anything else is malformed at its start.
	p := func(in *parse.Input) (string, error) {
		s, err := line(in)
		if err != nil {
			return "", err
		}
		switch s {
		case "far":
			in.Dismiss(&parse.SyntaxError{Offset: in.Offset() + 2, Msg: "expected far away"})
			return s, nil
		case "ok":
			return s, nil
		case "end":
			in.Dismiss(parse.ErrNeedMore)
		}
		in.Rewind(in.Consumed())
		return "", in.Errorf("expected a good line")
	}
	read := func(input string) ([]string, error) {
		r := parse.NewReader(pipe.FromBytes([]byte(input)), p, parse.Options{})
		defer r.Close()
		var out []string
		for m := range r.All(context.Background()) {
			out = append(out, m)
		}
		return out, r.Err()
	}
	// "far" comes after a first message, where the reader goes on with
	// its cursor and a success does not pass through its error handling.
	msgs, err := read("ok\nfar\nbad\n")
	if want := at(7, "a good line").Error(); fmt.Sprint(msgs) != "[ok far]" || err == nil || err.Error() != want {
		t.Fatalf("got %q, %v; want [ok far], %s", msgs, err, want)
	}
	msgs, err = read("ok\nend\n")
	var te *parse.TruncatedError
	if fmt.Sprint(msgs) != "[ok]" || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &te) || te.Offset != 3 {
		t.Fatalf("got %q, %v; want [ok], truncated at 3", msgs, err)
	}
}
