package framing_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// outcome is what a grammar read from an input: the frames as strings and
// the error's text ("" at a clean end).
type outcome struct {
	frames []string
	err    string
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// check reads input with p through the fuzz harness, which compares the
// whole input with every chunking and segmentation it knows (and checks
// memory, hangs and the pipe's bookkeeping), and compares the outcome
// with want.
func check(t *testing.T, p parse.TryParse[seq.Sequence], input string, limit int, want outcome) {
	t.Helper()
	out := fuzz.CheckChunkings(t, fuzz.Parser(p), []byte(input), fuzz.Options[seq.Sequence]{MaxMessageSize: limit})
	got := outcome{err: errText(out.Err)}
	for _, m := range out.Messages {
		got.frames = append(got.frames, m.String())
	}
	if strings.Join(got.frames, "|") != strings.Join(want.frames, "|") || len(got.frames) != len(want.frames) || got.err != want.err {
		t.Errorf("%q: got %q then %q, want %q then %q", input, got.frames, got.err, want.frames, want.err)
	}
}

func frames(f ...string) []string { return f }

func tooLong(off int64, max int) string {
	return (&framing.TooLongError{Offset: off, Max: max}).Error()
}

func truncated(n int, off int64) string {
	return (&parse.TruncatedError{Offset: off, Len: n}).Error()
}

func syntax(off int64, msg string) string {
	return (&parse.SyntaxError{Offset: off, Msg: msg}).Error()
}

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     framing.LineOptions
		input string
		limit int
		want  outcome
	}{
		{name: "either", input: "a\nbc\r\n\r\n\nd\re\n",
			want: outcome{frames("a", "bc", "", "", "d\re"), ""}},
		{name: "either/unterminated", input: "a\r\nbc",
			want: outcome{frames("a"), truncated(2, 3)}},
		{name: "lf keeps cr", o: framing.LineOptions{End: framing.EndLF}, input: "a\r\nb\n",
			want: outcome{frames("a\r", "b"), ""}},
		{name: "crlf only", o: framing.LineOptions{End: framing.EndCRLF}, input: "a\nb\r\nc\rd\r\n\r\n",
			want: outcome{frames("a\nb", "c\rd", ""), ""}},
		{name: "crlf/cr at the end", o: framing.LineOptions{End: framing.EndCRLF}, input: "ab\r",
			want: outcome{nil, truncated(3, 0)}},
		{name: "max fits", o: framing.LineOptions{MaxLength: 4}, input: "abcd\nabcd\r\n",
			want: outcome{frames("abcd", "abcd"), ""}},
		{name: "max passed", o: framing.LineOptions{MaxLength: 4}, input: "abcd\nabcde\n",
			want: outcome{frames("abcd"), tooLong(5, 4)}},
		{name: "max passed before the cr", o: framing.LineOptions{MaxLength: 4}, input: "abcde\r\n",
			want: outcome{nil, tooLong(0, 4)}},
		{name: "max passed, no line end", o: framing.LineOptions{MaxLength: 4}, input: "ab\n" + strings.Repeat("x", 50),
			want: outcome{frames("ab"), tooLong(3, 4)}},
		{name: "lf/max", o: framing.LineOptions{End: framing.EndLF, MaxLength: 3}, input: "ab\r\nabcd\n",
			want: outcome{frames("ab\r"), tooLong(4, 3)}},
		{name: "crlf/max", o: framing.LineOptions{End: framing.EndCRLF, MaxLength: 3}, input: "abc\r\nabc\r\r\n",
			want: outcome{frames("abc"), tooLong(5, 3)}},
		{name: "message limit smaller", o: framing.LineOptions{MaxLength: 100}, limit: 8, input: "abc\n" + strings.Repeat("y", 20),
			want: outcome{frames("abc"), (&parse.SizeError{Offset: 4, Limit: 8}).Error()}},
		{name: "past the fast path's reach", o: framing.LineOptions{MaxLength: 700}, input: "a\r\n" + strings.Repeat("p", 600) + "\r\n" + strings.Repeat("q", 701) + "\n",
			want: outcome{frames("a", strings.Repeat("p", 600)), tooLong(605, 700)}},
		{name: "no max", o: framing.LineOptions{MaxLength: -1}, input: strings.Repeat("z", 100) + "\n",
			want: outcome{frames(strings.Repeat("z", 100)), ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, framing.Lines(tc.o), tc.input, tc.limit, tc.want)
		})
	}
}

// TestTooLongError checks that an over-long frame's error is typed and
// matches both sentinels.
func TestTooLongError(t *testing.T) {
	r := parse.NewReader(pipe.FromBytes([]byte("ok\n"+strings.Repeat("x", 10)+"\n")), framing.Lines(framing.LineOptions{MaxLength: 5}), parse.Options{})
	defer r.Close()
	if l, err := r.Next(t.Context()); err != nil || l.String() != "ok" {
		t.Fatalf("first line %q, %v", l, err)
	}
	_, err := r.Next(t.Context())
	var tl *framing.TooLongError
	if !errors.As(err, &tl) || tl.Offset != 3 || tl.Max != 5 {
		t.Fatalf("err %v, want a *TooLongError at 3 with max 5", err)
	}
	if !errors.Is(err, framing.ErrTooLong) || !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("err %v matches neither ErrTooLong nor parse.ErrTooLarge", err)
	}
}

// countingReader hands out data a byte per Read, counts them, and ends
// with io.EOF.
type countingReader struct {
	data []byte
	read int
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p[:1], r.data[r.read:])
	r.read += n
	return n, nil
}

// TestLinesEndlessLine sends a line that never ends, a byte per read:
// the error comes once the maximum and the line end's bytes are passed,
// with no more of the line read.
func TestLinesEndlessLine(t *testing.T) {
	src := &countingReader{data: []byte(strings.Repeat("x", 4<<20))}
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), framing.Lines(framing.LineOptions{}), parse.Options{})
	defer r.Close()
	_, err := r.Next(t.Context())
	if !errors.Is(err, framing.ErrTooLong) {
		t.Fatalf("err %v, want ErrTooLong", err)
	}
	if max := framing.DefaultMaxLine + 3; src.read > max {
		t.Errorf("read %d bytes of the line before refusing it, want at most %d", src.read, max)
	}
}

func TestFixed(t *testing.T) {
	check(t, framing.Fixed(3), "abcdef\x00\n\r", 0, outcome{frames("abc", "def", "\x00\n\r"), ""})
	check(t, framing.Fixed(3), "abcde", 0, outcome{frames("abc"), truncated(2, 3)})
	check(t, framing.Fixed(10), "abc", 8, outcome{nil, (&parse.SizeError{Offset: 0, Limit: 8}).Error()})
	defer func() {
		if recover() == nil {
			t.Error("Fixed(0) did not panic")
		}
	}()
	framing.Fixed(0)
}

func TestDelimited(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     framing.DelimOptions
		input string
		limit int
		want  outcome
	}{
		{name: "one", o: framing.DelimOptions{Delims: []string{"\x00"}}, input: "a\x00\x00bc\x00",
			want: outcome{frames("a", "", "bc"), ""}},
		{name: "multi-byte", o: framing.DelimOptions{Delims: []string{"--"}}, input: "a-b--c---",
			want: outcome{frames("a-b", "c"), truncated(1, 8)}},
		{name: "earliest then longest", o: framing.DelimOptions{Delims: []string{"\r", "\r\n", ";"}}, input: "a\rb\r\nc;d\r",
			want: outcome{frames("a", "b", "c", "d"), ""}},
		{name: "max", o: framing.DelimOptions{Delims: []string{";", "||"}, MaxLength: 3}, input: "abc;abc||abcd;",
			want: outcome{frames("abc", "abc"), tooLong(9, 3)}},
		{name: "max, no delimiter", o: framing.DelimOptions{Delims: []string{";", "||"}, MaxLength: 3}, input: "abcdefghij",
			want: outcome{nil, tooLong(0, 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, framing.Delimited(tc.o), tc.input, tc.limit, tc.want)
		})
	}
}

func TestNetstring(t *testing.T) {
	ns := framing.Netstring(framing.NetstringOptions{MaxLength: 10})
	for _, tc := range []struct {
		name, input string
		want        outcome
	}{
		{name: "valid", input: "0:,3:abc,10:0123456789,5:a,\x00:b,",
			want: outcome{frames("", "abc", "0123456789", "a,\x00:b"), ""}},
		{name: "leading zero", input: "01:a,",
			want: outcome{nil, syntax(1, "expected ':' after the length")}},
		{name: "zero zero", input: "3:abc,00:,",
			want: outcome{frames("abc"), syntax(7, "expected ':' after the length")}},
		{name: "no digits", input: ":abc,",
			want: outcome{nil, syntax(0, "expected netstring length")}},
		{name: "missing comma", input: "3:abc;",
			want: outcome{nil, syntax(5, "expected ',' after the payload")}},
		{name: "over the maximum", input: "1:a,11:0123456789a,",
			want: outcome{frames("a"), tooLong(4, 10)}},
		{name: "huge", input: "99999999999999999999999:",
			want: outcome{nil, "parse: at offset 0: number above the maximum 18446744073709551615: combinators: number out of range"}},
		{name: "truncated", input: "3:ab",
			want: outcome{nil, truncated(4, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, ns, tc.input, 0, tc.want)
		})
	}
}

// TestNetstringRefusedBeforeBuffering checks that a declared length over
// the maximum is refused once its digits and a byte after them are read,
// none of the payload.
func TestNetstringRefusedBeforeBuffering(t *testing.T) {
	src := &countingReader{data: []byte("2000000:" + strings.Repeat("x", 2000000) + ",")}
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), framing.Netstring(framing.NetstringOptions{}), parse.Options{})
	defer r.Close()
	_, err := r.Next(t.Context())
	var tl *framing.TooLongError
	if !errors.As(err, &tl) || tl.Offset != 0 || tl.Max != framing.DefaultMaxNetstring {
		t.Fatalf("err %v, want a *TooLongError at 0", err)
	}
	if src.read > 8 {
		t.Errorf("read %d bytes before refusing", src.read)
	}
}

// TestLineStream checks the dropping of over-long lines: the lines
// around one are read, the dropped line gives skipped pieces cut at the
// same offsets in every chunking, and a line end split across reads ends
// the dropping.
func TestLineStream(t *testing.T) {
	long := strings.Repeat("x", 150)
	for _, tc := range []struct {
		name  string
		o     framing.LineOptions
		input string
		limit int
		want  []string
		err   string
	}{
		{name: "either", o: framing.LineOptions{MaxLength: 4}, input: "ab\nabcde\r\ncd\r\nabcd\n",
			want: frames("ab", "-", "-", "cd", "abcd")},
		{name: "long", o: framing.LineOptions{MaxLength: 8}, input: "ab\n" + long + "\ncd\n",
			want: frames("ab", "-", "-", "-", "-", "cd")},
		{name: "crlf", o: framing.LineOptions{End: framing.EndCRLF, MaxLength: 4}, input: "abcdef\nxyz\r\nok\r\n" + long + "\r\n\r\n",
			want: frames("-", "-", "ok", "-", "-", "-", "-", "")},
		{name: "lf", o: framing.LineOptions{End: framing.EndLF, MaxLength: 2}, input: "abc\r\nde\n",
			want: frames("-", "-", "de")},
		{name: "message limit smaller", o: framing.LineOptions{MaxLength: 1000}, limit: 40, input: "a\n" + long + "\nb\n",
			want: frames("a", "-", "-", "-", "-", "b")},
		{name: "ends inside a dropped line", o: framing.LineOptions{MaxLength: 4}, input: "a\nabcdefg",
			want: frames("a", "-"), err: truncated(3, 6)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(framing.Line)) error {
				return fuzz.Parser(framing.NewLineStream(tc.o).Parse)(ctx, r, limit, emit)
			}
			out := fuzz.CheckChunkings(t, dec, []byte(tc.input), fuzz.Options[framing.Line]{MaxMessageSize: tc.limit})
			var got []string
			for _, l := range out.Messages {
				if l.Skipped {
					got = append(got, "-")
				} else {
					got = append(got, l.Text.String())
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || errText(out.Err) != tc.err {
				t.Errorf("got %q then %q, want %q then %q", got, errText(out.Err), tc.want, tc.err)
			}
		})
	}
}

// TestLineStreamEndlessLine drops a megabyte of one line arriving in
// 64-byte reads through the fuzz harness, which fails the test if the
// reader keeps more than its maximum message size (4 KiB) buffered while
// it waits, and reads the lines around it.
func TestLineStreamEndlessLine(t *testing.T) {
	in := "a\n" + strings.Repeat("x", 1<<20) + "\nb\n"
	var cuts []int
	for i := 64; i < len(in); i += 64 {
		cuts = append(cuts, i)
	}
	dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(framing.Line)) error {
		return fuzz.Parser(framing.NewLineStream(framing.LineOptions{MaxLength: 1 << 10}).Parse)(ctx, r, limit, emit)
	}
	out := fuzz.Check(t, dec, []byte(in), cuts, fuzz.Options[framing.Line]{MaxMessageSize: 4 << 10, Timeout: time.Minute})
	n := len(out.Messages)
	if out.Err != nil || n < 3 || out.Messages[0].Text.String() != "a" || out.Messages[n-1].Text.String() != "b" {
		t.Fatalf("%d messages, err %v", n, out.Err)
	}
}

// TestLineStreamByteReads drops 1 MiB of one line sent a byte per read:
// linear time (a rescan of the buffered line on every read would take
// minutes), and the line after it is read.
func TestLineStreamByteReads(t *testing.T) {
	start := time.Now()
	in := strings.Repeat("x", 1<<20) + "\nb\n"
	r := parse.NewReader(pipe.NewReader(iotest.OneByteReader(strings.NewReader(in)), pipe.ReaderOptions{}),
		framing.NewLineStream(framing.LineOptions{}).Parse, parse.Options{MaxMessageSize: 8 << 10})
	defer r.Close()
	var last string
	n := 0
	for l := range r.All(t.Context()) {
		last, n = l.Text.String(), n+1
	}
	if r.Err() != nil || last != "b" || n < 2 {
		t.Fatalf("%d messages, last %q, err %v", n, last, r.Err())
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestLineStreamReset checks that Reset puts a stream that was dropping a
// line back at the start of a line, as its doc says.
func TestLineStreamReset(t *testing.T) {
	s := framing.NewLineStream(framing.LineOptions{MaxLength: 4})
	r := parse.NewReader(pipe.FromBytes([]byte("abcdefgh")), s.Parse, parse.Options{})
	if l, err := r.Next(t.Context()); err != nil || !l.Skipped {
		t.Fatalf("first message %+v, %v; want a skipped piece", l, err)
	}
	r.Close()
	s.Reset()
	r = parse.NewReader(pipe.FromBytes([]byte("ok\n")), s.Parse, parse.Options{})
	defer r.Close()
	if l, err := r.Next(t.Context()); err != nil || l.Skipped || l.Text.String() != "ok" {
		t.Errorf("after Reset: %+v, %v; want the line \"ok\"", l, err)
	}
}
