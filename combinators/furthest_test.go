package combinators_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The EOF contract through repetition and choice: input that ends inside
// an element is a truncation however the grammar backtracked over it, and
// a syntax error is reported where the furthest alternative failed.

// readAll reads every message of src with p and returns them and the error
// that ended them (nil at a clean end).
func readAll(t *testing.T, p parse.TryParse[string], src pipe.Reader) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := parse.NewReader(src, p, parse.Options{})
	defer r.Close()
	var out []string
	for m := range r.All(ctx) {
		out = append(out, m)
	}
	err := r.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reader hung after %q", out)
	}
	return out, err
}

// deliveries returns every way the tests deliver input: whole, in each
// segmentation over pipe.FromSequence, and in pieces through a pipe.
func deliveries(input string) map[string]func() pipe.Reader {
	out := map[string]func() pipe.Reader{
		"whole": func() pipe.Reader { return pipe.FromBytes([]byte(input)) },
	}
	for _, sc := range segtest.Segmentations([]byte(input)) {
		out["FromSequence/"+sc.Name] = func() pipe.Reader { return pipe.FromSequence(sc.Seq) }
	}
	for name, cuts := range chunkings(len(input)) {
		out["pipe/"+name] = func() pipe.Reader { return chunked([]byte(input), cuts) }
	}
	return out
}

// truncCase is a grammar, an input that ends inside a message, the
// messages before it and the offset of the truncated one (checkTruncated).
type truncCase struct {
	name  string
	p     parse.TryParse[string]
	input string
	msgs  []string
	at    int
}

// checkTruncated checks that p reports input, whose last message msgs
// leave unfinished, as truncated: through a message reader however the
// input arrives (a *parse.TruncatedError matching io.ErrUnexpectedEOF at
// offset at, after msgs), and called directly on every segmentation as
// final input (a need for more input, which is how a TryParse says so, and
// on final input an unexpected EOF),
// while on every prefix of the rest as non-final input it asks for more.
func checkTruncated(t *testing.T, p parse.TryParse[string], input string, msgs []string, at int) {
	t.Helper()
	for name, src := range deliveries(input) {
		got, err := readAll(t, p, src())
		var te *parse.TruncatedError
		if fmt.Sprint(got) != fmt.Sprint(msgs) || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &te) ||
			te.Offset != int64(at) || te.Len != len(input)-at {
			t.Errorf("%q %s: got %q then %v; want %q then truncated at %d", input, name, got, err, msgs, at)
		}
	}
	tail := input[at:]
	for _, sc := range segtest.Segmentations([]byte(tail)) {
		if _, err := p(parse.NewInput(sc.Seq, true, 0)); !errors.Is(err, parse.ErrNeedMore) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q as %s, final, called directly: %v; want a need for more input, an unexpected EOF", tail, sc.Name, err)
		}
	}
	for i := range len(tail) + 1 {
		for _, sc := range segtest.Segmentations([]byte(tail[:i])) {
			if _, err := p(parse.NewInput(sc.Seq, false, 0)); !errors.Is(err, parse.ErrNeedMore) {
				t.Errorf("prefix %q as %s, non-final: %v; want a need for more input", tail[:i], sc.Name, err)
			}
		}
	}
}

func TestTruncatedInsideRepetitionAndChoice(t *testing.T) {
	word := c.TakeWhile("letter", isAlpha, 1, -1)
	digits := c.TakeWhile("digit", isDigit, 1, -1)
	kv := c.Seq2(c.TakeUntil(":"), c.Line(), pair)
	eol := c.Label("end of line", c.Byte('\n'))
	assign := c.Seq2(c.Before(word, c.Byte('=')), digits, pair)
	comment := c.Map(c.Then(c.Byte('#'), c.Line()), seq.Sequence.String)
	for _, tc := range []truncCase{
		// The example: the second pair has no end of line.
		{"Many", erase(c.Before(c.Many(kv, 0, -1), eol)), "a:1\nb:2", nil, 0},
		{"Many/after-message", erase(c.Before(c.Many(kv, 0, -1), eol)), "a:1\n\nb:2", []string{"[a|1]"}, 5},
		{"Many/min", erase(c.Before(c.Many(kv, 1, 3), eol)), "a:1\nb:2", nil, 0},
		{"Fold", erase(c.Before(c.Fold(kv, 0, -1, 0, func(n int, _ string) int { return n + 1 }), eol)), "a:1\nb:2", nil, 0},
		{"SepBy/element", erase(c.Before(c.SepBy(assign, c.Byte(','), 0, -1), c.Byte(';'))), "a=1,b=", nil, 0},
		{"SepBy/first", erase(c.Before(c.SepBy(assign, c.Byte(','), 0, -1), c.Byte(';'))), "ab=", nil, 0},
		{"SepBy/separator", erase(c.Before(c.SepBy(word, c.Literal(", "), 0, -1), c.Byte(';'))), "ab,", nil, 0},
		{"Count", erase(c.Before(c.Opt(c.Count(2, kv)), eol)), "a:1\nb:2", nil, 0},
		{"Opt", erase(c.Before(c.Opt(kv), eol)), "a:1", nil, 0},
		{"Alt", erase(c.Before(c.Alt(kv, c.Map(c.Byte('a'), func(byte) string { return "a" })), eol)), "a:1", nil, 0},
		{"Alt/later-matches", erase(c.Before(c.Alt(c.Literal("abcd"), c.Literal("ab")), c.Byte('x'))), "abc", nil, 0},
		{"nested", erase(c.Before(c.Many(c.Alt(kv, comment), 0, -1), eol)), "a:1\n#xx", nil, 0},
		{"nested/SepBy-in-Many", erase(c.Before(c.Many(c.Before(c.SepBy(assign, c.Byte(','), 1, -1), c.Byte('\n')), 0, -1), c.Byte('.'))),
			"a=1\nb=2,c", nil, 0},
		{"nested/Bounded", erase(c.Before(c.Many(c.Bounded(8, kv), 0, -1), eol)), "a:1\nb:2", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { checkTruncated(t, tc.p, tc.input, tc.msgs, tc.at) })
	}
}

// A hand-written TryParse that calls combinators and then fails on its own
// is held to the rule by the message reader.
func TestTruncatedThroughHandWritten(t *testing.T) {
	kv := c.Seq2(c.TakeUntil(":"), c.Line(), pair)
	pairs := c.Many(kv, 0, -1)
	p := func(in *parse.Input) (string, error) {
		v, err := pairs(in)
		if err != nil {
			return "", err
		}
		if b, ok := in.Peek(); !ok {
			return "", in.NeedMore(1)
		} else if b != '\n' {
			return "", in.Errorf("expected end of line")
		}
		in.Advance(1)
		return show(v), nil
	}
	for name, src := range deliveries("a:1\n\nb:2") {
		got, err := readAll(t, p, src())
		if fmt.Sprint(got) != "[[a|1]]" || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: got %q then %v; want [[a|1]] then truncated", name, got, err)
		}
	}
	// Called directly, it gets the rule by returning in.Furthest(err).
	direct := func(in *parse.Input) (string, error) {
		v, err := p(in)
		if err != nil {
			return v, in.Furthest(err)
		}
		return v, nil
	}
	if _, err := direct(parse.NewInput(seq.Of([]byte("a:1\nb:2")), true, 0)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("direct: %v; want a need for more input", err)
	}
}

// A fault deep inside an alternative inside a repetition is reported where
// it is, with what was expected there, not at the start of the repetition
// or of the alternative.
func TestFurthestFault(t *testing.T) {
	word := c.TakeWhile("letter", isAlpha, 1, -1)
	digits := c.TakeWhile("digit", isDigit, 1, -1)
	crlf := c.Literal("\r\n")
	drop := func(string) string { return "" }
	set := c.Seq4(c.Literal("SET "), word, c.Byte(' '), digits, func(string, seq.Sequence, byte, seq.Sequence) string { return "set" })
	setnx := c.Seq4(c.Literal("SET "), word, c.Byte(' '), c.Literal("NX"), func(string, seq.Sequence, byte, string) string { return "setnx" })
	get := c.Map(c.Seq2(c.Literal("GET "), word, func(string, seq.Sequence) string { return "get" }), func(s string) string { return s })
	del := c.Map(c.Then(c.Literal("DEL "), word), seq.Sequence.String)
	command := c.Before(c.Alt(set, setnx, get, del), crlf)
	script := erase(c.Before(c.Many(command, 0, -1), c.Map(c.Literal("END\r\n"), drop)))

	for _, tc := range []struct {
		name, input string
		offset      int64
		expected    string // the error's text after "expected "
	}{
		// The fault is past "SET c ", where set wanted a digit and setnx
		// "NX": neither END (where Many stopped) nor GET and DEL (ruled
		// out by 'S') are named.
		{"deep", "SET a 1\r\nGET b\r\nSET c x\r\nEND\r\n", 22, `digit or "NX"`},
		{"merged", "SET a 1\r\nSET c NY\r\nEND\r\n", 15, `digit or "NX"`},
		{"one-alternative", "SET a 1\r\nDEL 7\r\nEND\r\n", 13, "letter"},
		// All fail at the first byte of the third command: Many's element
		// and what follows it are named together.
		{"first-byte", "SET a 1\r\nGET b\r\nPUT x\r\n", 16, `"SET " or "GET " or "DEL " or "END\r\n"`},
		// Where the element's last run stopped (a TakeWhile notes no
		// expectation where it stops: it is a primitive, not a repetition).
		{"after-run", "GET ab;\r\n", 6, `"\r\n"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := syntax(tc.offset, "expected "+tc.expected)
			for name, src := range deliveries(tc.input) {
				_, err := readAll(t, script, src())
				var se *parse.SyntaxError
				if !errors.As(err, &se) || se.Offset != tc.offset || err.Error() != want {
					t.Errorf("%s: got %v, want %s", name, err, want)
				}
			}
			for _, sc := range segtest.Segmentations([]byte(tc.input)) {
				in := parse.NewInput(sc.Seq, true, 0)
				var err error
				for err == nil && in.Remaining() > 0 {
					_, err = script(in)
				}
				if err == nil || err.Error() != want {
					t.Errorf("%s, called directly: got %v, want %s", sc.Name, err, want)
				}
			}
		})
	}
}

// An optional element absent at the end of non-final input still asks for
// more: the record of a failure does not change the streaming semantics.
func TestFurthestKeepsWaiting(t *testing.T) {
	kv := c.Seq2(c.TakeWhile("letter", isAlpha, 1, -1), c.Then(c.Byte(':'), c.Line()), pair)
	p := erase(c.Before(c.Many(kv, 0, -1), c.Label("end of line", c.Byte('\n'))))
	h := newHeldPipe("a:1\nb:2", "\n", "\n")
	r := parse.NewReader(h.p.Reader(), p, parse.Options{})
	defer r.Close()
	waits(t, r)
	h.next()
	waits(t, r)
	h.next()
	if m, err := next(t, r); err != nil || m != "[a|1 b|2]" {
		t.Fatalf("got %q, %v", m, err)
	}
	h.finish()
	if _, err := next(t, r); !errors.Is(err, io.EOF) {
		t.Fatalf("at the end: %v", err)
	}
}

// The expectations merged into a syntax error are listed in its Expected
// field, for a program to read without parsing the message.
func TestExpectedField(t *testing.T) {
	digits := c.TakeWhile("digit", isDigit, 1, -1)
	word := c.TakeWhile("letter", isAlpha, 1, -1)
	p := c.Before(c.Alt(c.Label("number", digits), c.Label("word", word)), c.Byte(' '))
	_, err := p(parse.NewInput(seq.Of([]byte("12 !")), true, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p(parse.NewInput(seq.Of([]byte("!")), true, 0))
	var se *parse.SyntaxError
	if !errors.As(err, &se) || se.Offset != 0 || se.Msg != "expected number or word" || fmt.Sprint(se.Expected) != "[number word]" {
		t.Fatalf("got %#v", err)
	}
}

// A label names its parser where it starts, in place of what the parser
// tried there, and is merged with what else was expected at that offset.
func TestLabelHidesWhatItNames(t *testing.T) {
	command := c.Label("command", c.Alt(c.Literal("GET"), c.Literal("SET")))
	p := erase(c.Before(c.Many(c.Before(command, c.Byte('\n')), 0, -1), c.Literal("END")))
	checkStream(t, p, "GET\nSET\nEND", 0, stream{msgs: msgs("[GET SET]")})
	checkStream(t, p, "GET\nPUT\n", 0, stream{err: syntax(4, `expected command or "END"`)})
}
