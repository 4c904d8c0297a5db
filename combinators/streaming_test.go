package combinators_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// heldPipe is a pipe whose writer goroutine writes the given pieces in
// order, waiting for a signal on step before each piece after the first,
// and completes after the last (after one more signal). It lets a test
// look at the reader while the writer holds back.
type heldPipe struct {
	p    *pipe.Pipe
	step chan struct{}
	done chan struct{}
}

func newHeldPipe(pieces ...string) *heldPipe {
	h := &heldPipe{p: pipe.New(pipe.Options{}), step: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		w := h.p.Writer()
		for i, piece := range pieces {
			if i > 0 {
				if _, ok := <-h.step; !ok {
					w.Complete(nil)
					return
				}
			}
			if res, err := w.Write(context.Background(), []byte(piece)); err != nil || res.Completed {
				break
			}
		}
		<-h.step
		w.Complete(nil)
	}()
	return h
}

// next makes the writer go on to its next piece (or to Complete).
func (h *heldPipe) next() { h.step <- struct{}{} }

// finish lets the writer complete and waits for it.
func (h *heldPipe) finish() {
	close(h.step)
	<-h.done
}

// waits checks that r.Next does not return while the writer holds back.
func waits[T any](t *testing.T, r *parse.Reader[T]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if m, err := r.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next returned %v, %v while the input may go on; want it to wait", m, err)
	}
}

func next[T any](t *testing.T, r *parse.Reader[T]) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := r.Next(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("Next hung")
	}
	return m, err
}

// The streaming trap: an alternative that needs more input must not be
// skipped in favour of a later one that matches what is buffered.
func TestAltWaitsForBranchThatNeedsMore(t *testing.T) {
	calls := 0
	second := func(in *parse.Input) (string, error) {
		calls++
		return c.Literal("ab")(in)
	}
	p := c.Alt(c.Literal("abcd"), second)
	p(parse.NewInput(seq.Of([]byte("x")), true, 0)) // Alt learns first bytes on first use
	for _, sc := range segtest.Segmentations([]byte("abc")) {
		calls = 0
		if _, err := p(parse.NewInput(sc.Seq, false, 0)); !errors.Is(err, parse.ErrNeedMore) || calls != 0 {
			t.Fatalf("%s: non-final: err %v, second branch called %d times; want need-more without trying it", sc.Name, err, calls)
		}
		in := parse.NewInput(sc.Seq, true, 0)
		if v, err := p(in); err != nil || v != "ab" || in.Consumed() != 2 || calls != 1 {
			t.Fatalf("%s: final: %q, %v, consumed %d, calls %d", sc.Name, v, err, in.Consumed(), calls)
		}
	}

	// Through a pipe: with "abc" buffered the reader waits, and the "d"
	// that arrives later makes the first alternative match.
	h := newHeldPipe("abc", "dab")
	r := parse.NewReader(h.p.Reader(), p, parse.Options{})
	defer r.Close()
	waits(t, r)
	h.next()
	if m, err := next(t, r); err != nil || m != "abcd" {
		t.Fatalf("got %q, %v; want abcd", m, err)
	}
	waits(t, r) // "ab" could still become "abcd"
	h.finish()
	if m, err := next(t, r); err != nil || m != "ab" {
		t.Fatalf("at the end: got %q, %v; want ab", m, err)
	}
}

// Optional and repeated elements at the end of non-final input ask for
// more; at the end of final input they decide.
func TestEndOfInput(t *testing.T) {
	word := c.TakeWhile("letter", isAlpha, 1, -1)
	for _, tc := range []struct {
		name  string
		p     parse.TryParse[string]
		input string
		final string // the result on final input
	}{
		{"Opt/empty", erase(c.Opt(c.Literal("xy"))), "", "{ false}/0"},
		{"Opt/partial", erase(c.Opt(c.Literal("xy"))), "x", "{ false}/0"},
		{"Opt/after", erase(c.Seq2(word, c.Opt(c.Byte('!')), func(w seq.Sequence, m c.Maybe[byte]) string { return w.String() + show(m.Ok) })), "ab", "abfalse/2"},
		{"Many", erase(c.Many(c.Byte('a'), 0, -1)), "aa", "[97 97]/2"},
		{"Many/element-partial", erase(c.Many(c.Literal("ab"), 0, -1)), "aba", "[ab]/2"},
		{"Fold", erase(c.Fold(c.Byte('a'), 0, -1, 0, func(n int, _ byte) int { return n + 1 })), "aaa", "3/3"},
		{"SepBy/after-element", erase(c.SepBy(word, c.Byte(','), 0, -1)), "a,b", "[a b]/3"},
		{"SepBy/after-separator", erase(c.SepBy(word, c.Byte(','), 0, -1)), "a,", "[a]/1"},
		{"TakeWhile", erase(c.TakeWhile("digit", isDigit, 0, -1)), "12", "12/2"},
		{"TakeWhile/empty", erase(c.TakeWhile("digit", isDigit, 0, 5)), "", "/0"},
		{"Alt/inside-Many", erase(c.Many(c.Alt(c.Literal("ab"), c.Literal("c")), 0, -1)), "cab", "[c ab]/3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, sc := range segtest.Segmentations([]byte(tc.input)) {
				if got := once(tc.p, sc.Seq, false, 0); got != "more" {
					t.Errorf("%s: non-final: got %q, want more", sc.Name, got)
				}
				if got := once(tc.p, sc.Seq, true, 0); got != tc.final {
					t.Errorf("%s: final: got %q, want %q", sc.Name, got, tc.final)
				}
			}
		})
	}

	// Through a pipe: a list at the end of what has arrived is not cut
	// short while the writer may still send elements.
	list := c.Before(c.SepBy(word, c.Byte(','), 1, -1), c.Opt(c.Byte('.')))
	h := newHeldPipe("a,b", ",c", ".d,e")
	r := parse.NewReader(h.p.Reader(), erase(list), parse.Options{})
	defer r.Close()
	waits(t, r)
	h.next()
	waits(t, r)
	h.next()
	if m, err := next(t, r); err != nil || m != "[a b c]" {
		t.Fatalf("got %q, %v", m, err)
	}
	waits(t, r)
	h.finish()
	if m, err := next(t, r); err != nil || m != "[d e]" {
		t.Fatalf("got %q, %v", m, err)
	}
	if _, err := next(t, r); !errors.Is(err, io.EOF) {
		t.Fatalf("at the end: %v", err)
	}
}

// A literal split across segments matches, and a proper prefix of it at
// the end of the input asks for more, final or not (a message reader then
// reports a truncated message).
func TestLiteralSplit(t *testing.T) {
	const lit = "HTTP/1.1"
	p := erase(c.Literal(lit))
	for _, sc := range segtest.Segmentations([]byte(lit + " 200")) {
		if got := once(p, sc.Seq, false, 0); got != lit+"/8" {
			t.Fatalf("%s: %q", sc.Name, got)
		}
	}
	for i := range len(lit) {
		for _, sc := range segtest.Segmentations([]byte(lit[:i])) {
			for _, final := range []bool{false, true} {
				if got := once(p, sc.Seq, final, 0); got != "more" {
					t.Fatalf("prefix %q as %s (final %v): %q", lit[:i], sc.Name, final, got)
				}
			}
		}
		bad := lit[:i] + "x"
		if got := once(p, seq.Chain([]byte(lit[:i]), []byte("x")), false, 0); got != "error: "+syntax(0, `expected "HTTP/1.1"`) {
			t.Fatalf("%q: %q", bad, got)
		}
	}
}

// A delimiter that straddles segments, even three of them, is found.
func TestTakeUntilStraddling(t *testing.T) {
	p := erase(c.TakeUntil("\r\n\r\n"))
	for _, s := range []seq.Sequence{
		seq.Chain([]byte("head\r"), []byte("\n\r"), []byte("\nbody")),
		seq.Chain([]byte("head\r"), []byte("\n"), []byte(""), []byte("\r"), []byte("\nbody")),
		seq.Chain([]byte("head\r\n\r"), []byte("\n")),
		seq.Chain([]byte("head"), []byte("\r\n\r\n")),
	} {
		if got := once(p, s, false, 0); got != "head/8" {
			t.Errorf("%q: %q", s.Bytes(), got)
		}
	}
	// A false start across a boundary does not hide the real delimiter.
	if got := once(p, seq.Chain([]byte("a\r\n\r"), []byte("x\r\n\r\n")), false, 0); got != "a\r\n\rx/9" {
		t.Errorf("false start: %q", got)
	}
	// Through a pipe, with the delimiter cut at every place.
	input := "head\r\n\r\nnext\r\n\r\n"
	for cut := 1; cut < len(input); cut++ {
		got := readStream(t, p, chunked([]byte(input), []int{cut}), 0)
		if want := (stream{msgs: msgs("head", "next")}); !got.equal(want) {
			t.Fatalf("cut at %d: %v", cut, got)
		}
	}
}

// scripted is a pipe.Reader that returns given buffers in turn, the last
// one as completed, calling before(i) before it returns buffer i. The
// buffers are views of one chain of segments, as a pipe's are; before may
// change bytes a parser has already examined, which a real pipe never
// does, to observe where a resumed search starts.
type scripted struct {
	bufs   []seq.Sequence
	before func(i int)
	i      int
}

func (s *scripted) result() (pipe.Result, error) {
	if s.before != nil {
		s.before(s.i)
	}
	res := pipe.Result{Buffer: s.bufs[s.i], Completed: s.i == len(s.bufs)-1}
	s.i = min(s.i+1, len(s.bufs)-1)
	return res, nil
}
func (s *scripted) Read(context.Context) (pipe.Result, error)             { return s.result() }
func (s *scripted) ReadAtLeast(context.Context, int) (pipe.Result, error) { return s.result() }
func (s *scripted) TryRead() (pipe.Result, bool, error) {
	res, err := s.result()
	return res, true, err
}
func (s *scripted) AdvanceTo(seq.Position, seq.Position) {}
func (s *scripted) CancelPendingRead()                   {}
func (s *scripted) Complete(error)                       {}

// A search resumes where the previous attempt on the same message stopped:
// bytes it examined are not searched again. The second buffer puts a
// delimiter among the bytes the first attempt examined; a search that
// started over would stop there.
func TestSearchResumes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		p           parse.TryParse[string]
		first, then string
		want        string
	}{
		{"TakeUntil/byte", erase(c.TakeUntil("\n")), "abcd", "a\nbcd\n", "a\nbcd"},
		{"TakeUntil", erase(c.TakeUntil("\r\n")), "abcde", "a\r\nde\r\n", "a\r\nde"},
		// The last byte examined may begin a delimiter: it is searched again.
		{"TakeUntil/straddle", erase(c.TakeUntil("\r\n")), "abc\r", "a\r\n\r\n", "a\r\n"},
		{"TakeBefore", erase(c.Before(c.TakeBefore(";;"), c.Literal(";;"))), "abcd", "a;;d;;", "a;;d"},
		{"Line", erase(c.Line()), "abcd", "a\nbcd\r\n", "a\nbcd"},
		{"TakeWhile", erase(c.Before(c.TakeWhile("letter", isAlpha, 1, -1), c.Byte(';'))), "abcd", "a1cdef;", "a1cdef"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One chain: the first attempt sees first; then its bytes change
			// to the start of then and the rest of then arrives after them.
			head := []byte(tc.first)
			whole := seq.Chain(head, []byte(tc.then[len(head):]))
			src := &scripted{
				bufs: []seq.Sequence{whole.Slice(0, len(head)), whole},
				before: func(i int) {
					if i == 1 {
						copy(head, tc.then)
					}
				},
			}
			r := parse.NewReader(src, tc.p, parse.Options{})
			if m, err := r.Next(context.Background()); err != nil || m != tc.want {
				t.Fatalf("got %q, %v; want %q", m, err, tc.want)
			}
		})
	}
}

// A 1 MiB line arriving in 4 KiB pieces through a real pipe is searched
// once: each attempt searches only the bytes that arrived since the last
// one (TestSearchResumes shows that the search starts where Scanned says).
func TestLongLineLinear(t *testing.T) {
	const size, piece = 1 << 20, 4 << 10
	line := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	input := append(line, "\r\nnext\r\n"...)
	for _, tc := range []struct {
		name string
		p    parse.TryParse[seq.Sequence]
	}{
		{"Line", c.Line()},
		{"TakeUntil/byte", c.TakeUntil("\n")},
		{"TakeUntil", c.TakeUntil("\r\n")},
		{"TakeWhile", c.Before(c.TakeWhile("not CR", func(b byte) bool { return b != '\r' }, 0, -1), c.Literal("\r\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls int
			var spent time.Duration
			counted := func(in *parse.Input) (int, error) {
				calls++
				start := time.Now()
				s, err := tc.p(in)
				spent += time.Since(start)
				return s.Len(), err
			}
			// The writer waits after each piece until the reader has
			// examined it, so that every piece makes an attempt.
			p := pipe.New(pipe.Options{PauseThreshold: piece, ResumeThreshold: 1})
			go func() {
				w := p.Writer()
				for b := input; len(b) > 0; {
					n := min(piece, len(b))
					if _, err := w.Write(context.Background(), b[:n]); err != nil {
						break
					}
					b = b[n:]
				}
				w.Complete(nil)
			}()
			r := parse.NewReader(p.Reader(), counted, parse.Options{})
			defer r.Close()
			n, err := next(t, r)
			if err != nil || n != len(line) && n != len(line)+1 {
				t.Fatalf("got a line of %d bytes, %v", n, err)
			}
			chunkedCalls, chunkedSpent := calls, spent
			if max := len(input)/piece + 3; calls > max {
				t.Errorf("%d attempts for %d pieces", calls, len(input)/piece)
			}

			calls, spent = 0, 0
			whole := parse.NewReader(pipe.FromBytes(input), counted, parse.Options{})
			if _, err := next(t, whole); err != nil {
				t.Fatal(err)
			}
			// Rescanning from the start on each of the 257 attempts would
			// search about 128 times the line; resuming searches it once.
			if chunkedSpent > 20*spent+20*time.Millisecond {
				t.Errorf("chunked: %d attempts, %v in the parser; whole: %v: not linear", chunkedCalls, chunkedSpent, spent)
			}
			t.Logf("chunked: %d attempts, %v in the parser; whole: %v", chunkedCalls, chunkedSpent, spent)
		})
	}
}

// A declared length over the limit is refused as soon as the prefix is
// read: the reader does not wait for, or buffer, any byte of the body.
func TestLengthPrefixedRefusesBeforeBody(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      parse.TryParse[string]
		pieces []string
	}{
		{"uint32", erase(c.LengthPrefixed(c.Uint32BE(), c.Take(0))), []string{"\x00\x10\x00\x01"}},
		{"uint32/split-prefix", erase(c.LengthPrefixed(c.Uint32BE(), c.Take(0))), []string{"\x00\x10", "\x00\x01"}},
		{"after-a-frame", erase(c.LengthPrefixed(c.Uint16LE(), c.TakeWhile("any", anyByte, 0, -1))), []string{"\x02\x00ok\xff\xff"}},
		{"uvarint", erase(c.LengthPrefixed(c.Uvarint(), c.Take(0))), []string{"\x80\x80\x40"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHeldPipe(tc.pieces...)
			defer h.finish()
			r := parse.NewReader(h.p.Reader(), tc.p, parse.Options{MaxMessageSize: 1 << 16})
			defer r.Close()
			for range tc.pieces[1:] {
				waits(t, r)
				h.next()
			}
			if tc.name == "after-a-frame" {
				if m, err := next(t, r); err != nil || m != "ok" {
					t.Fatalf("first frame: %q, %v", m, err)
				}
			}
			start := time.Now()
			_, err := next(t, r) // the writer holds back: a wait would hang
			var se *parse.SizeError
			if !errors.As(err, &se) || se.Limit != 1<<16 {
				t.Fatalf("got %v; want a size error", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

// A body that is not fully buffered is waited for in one piece: the body
// parser runs once, on the whole body, however the body arrives.
func TestLengthPrefixedWaitsForWholeBody(t *testing.T) {
	const body = 200 << 10 // above the pipe's pause threshold
	var attempts, bodyRuns int
	p := c.LengthPrefixed(c.Map(c.Uint32BE(), func(n uint32) uint32 { attempts++; return n }),
		func(in *parse.Input) (int, error) {
			bodyRuns++
			n := in.Remaining()
			in.Advance(n)
			return n, nil
		})
	input := append([]byte{0, 3, 32, 0}, make([]byte, body)...)
	cuts := []int{2}
	for c := 100; c < len(input); c += 1000 {
		cuts = append(cuts, c)
	}
	r := parse.NewReader(chunked(input, cuts), p, parse.Options{})
	defer r.Close()
	n, err := next(t, r)
	if err != nil || n != body {
		t.Fatalf("got %d, %v", n, err)
	}
	if bodyRuns != 1 || attempts > 3 {
		t.Fatalf("body parsed %d times, prefix read %d times; want the body once", bodyRuns, attempts)
	}
}

// An element that succeeds without consuming input stops a repetition with
// an error instead of looping.
func TestNoProgress(t *testing.T) {
	empty := c.Opt(c.Byte('x'))
	for _, p := range []parse.TryParse[string]{
		erase(c.Many(empty, 0, -1)),
		erase(c.Many(c.Peek(c.Byte('a')), 0, -1)),
		erase(c.Fold(empty, 0, -1, 0, func(n int, _ c.Maybe[byte]) int { return n + 1 })),
		erase(c.SepBy(empty, c.Opt(c.Byte(',')), 0, -1)),
	} {
		for _, final := range []bool{false, true} {
			got := once(p, seq.Of([]byte("abc")), final, 0)
			if want := "error: " + syntax(0, "repeated element matched no input"); got != want {
				t.Errorf("final %v: %q", final, got)
			}
		}
	}
	// Count is bounded, so an element that consumes nothing is fine.
	if got := once(erase(c.Count(3, empty)), seq.Of([]byte("xab")), true, 0); got != "[{120 true} {0 false} {0 false}]/1" {
		t.Errorf("Count: %q", got)
	}
}

// Need-more and size errors pass through Label, and size errors end Alt,
// Opt and Many at once.
func TestErrorsPassThrough(t *testing.T) {
	big := c.LengthPrefixed(c.Uint8(), c.Take(0)) // "a" declares 97 bytes
	for name, p := range map[string]parse.TryParse[string]{
		"Label": erase(c.Label("x", big)),
		"Alt":   erase(c.Alt(big, c.Take(1))),
		"Opt":   erase(c.Opt(big)),
		"Many":  erase(c.Many(big, 0, -1)),
		"SepBy": erase(c.SepBy(c.Take(1), big, 0, -1)),
		"Peek":  erase(c.Peek(big)),
	} {
		if got := once(p, seq.Of([]byte("ab")), true, 10); got != "error: "+tooLarge(0, 10) {
			t.Errorf("%s: %q", name, got)
		}
	}
	if got := once(erase(c.Label("thing", c.Literal("abc"))), seq.Of([]byte("ab")), false, 0); got != "more" {
		t.Errorf("Label need-more: %q", got)
	}
	// MapErr keeps f's error for errors.Is.
	p := c.MapErr(c.Take(1), func(seq.Sequence) (int, error) { return 0, errRange })
	if _, err := p(parse.NewInput(seq.Of([]byte("a")), true, 0)); !errors.Is(err, errRange) {
		t.Errorf("MapErr: %v", err)
	}
	// A varint error wraps seq's.
	if _, err := c.Uvarint()(parse.NewInput(seq.Of([]byte(strings.Repeat("\xff", 11))), false, 0)); !errors.Is(err, seq.ErrOverflow) {
		t.Errorf("Uvarint: %v", err)
	}
}

// Invalid declarations panic when the grammar is declared, not when it
// parses.
func TestDeclarationPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Alt":        func() { c.Alt[int]() },
		"Many":       func() { c.Many(c.Uint8(), 2, 1) },
		"Many/min":   func() { c.Many(c.Uint8(), -1, 1) },
		"Fold":       func() { c.Fold(c.Uint8(), 3, 2, 0, func(a int, _ uint8) int { return a }) },
		"SepBy":      func() { c.SepBy(c.Uint8(), c.Uint8(), 1, 0) },
		"TakeWhile":  func() { c.TakeWhile("x", isDigit, 2, 1) },
		"Count":      func() { c.Count(-1, c.Uint8()) },
		"Take":       func() { c.Take(-1) },
		"Bounded":    func() { c.Bounded(-1, c.Uint8()) },
		"TakeUntil":  func() { c.TakeUntil("") },
		"TakeBefore": func() { c.TakeBefore("") },
		"OneOf":      func() { c.OneOf("") },
		"TakeIn":     func() { c.TakeIn("", 0, -1) },
		"TakeIn/max": func() { c.TakeIn("a", 2, 1) },
		"TakeNotIn":  func() { c.TakeNotIn("a", -1, 1) },
		"Decimal":    func() { c.Decimal[int](5, 4, 0) },
		"Hex":        func() { c.Hex[uint8](2, 1, 0) },
		"ManyTill":   func() { c.ManyTill(c.Uint8(), c.Uint8(), 2, 1) },
		"FoldTill":   func() { c.FoldTill(c.Uint8(), c.Uint8(), -1, 1, 0, func(a int, _ uint8) int { return a }) },
		"Dispatch":   func() { c.Dispatch[int](nil, nil) },
		"Dispatch/nil": func() {
			c.Dispatch(map[byte]parse.TryParse[int]{'a': nil}, nil)
		},
		"Switch":  func() { c.Switch(c.Uint8(), map[uint8]parse.TryParse[int]{}, nil) },
		"Fix":     func() { c.Fix(0, func(self parse.TryParse[int]) parse.TryParse[int] { return self }) },
		"Fix/nil": func() { c.Fix(1, func(parse.TryParse[int]) parse.TryParse[int] { return nil }) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// A parser that needs more input makes the message reader wait for bytes
// it has not seen, instead of calling it again on the same buffer: each
// parser reports the bytes it needs beyond its cursor correctly.
func TestNeedMoreWaits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		p       parse.TryParse[string]
		partial string
		rest    string
		want    string
	}{
		{"Byte", erase(c.Seq2(c.Byte('a'), c.Byte('b'), func(a, b byte) string { return string([]byte{a, b}) })), "a", "b", "ab"},
		{"Literal", erase(c.Literal("abcd")), "ab", "cd", "abcd"},
		{"Take", erase(c.Take(6)), "abc", "def", "abcdef"},
		{"Uint32BE", erase(c.Uint32BE()), "\x00\x00", "\x01\x00", "256"},
		{"Uint64LE", erase(c.Uint64LE()), "\x01\x00\x00", "\x00\x00\x00\x00\x00", "1"},
		{"Uvarint", erase(c.Uvarint()), "\x80\x80", "\x01", "16384"},
		{"LengthPrefixed", erase(c.LengthPrefixed(c.Uint8(), c.Take(3))), "\x03a", "bc", "abc"},
		{"TakeWhile", erase(c.TakeWhile("digit", isDigit, 4, -1)), "12", "34;", "1234"},
		{"TakeUntil", erase(c.TakeUntil("\r\n")), "ab\r", "\n", "ab"},
		{"Many", erase(c.Many(c.Literal("ab"), 0, -1)), "aba", "b.", "[ab ab]"},
		{"Opt", erase(c.Then(c.Byte('x'), c.Opt(c.Literal("yz")))), "xy", "z", "{yz true}"},
		{"Alt", erase(c.Alt(c.Literal("abc"), c.Literal("a"))), "ab", "c", "abc"},
		{"Bounded", erase(c.Bounded(4, c.Line())), "ab", "\n", "ab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			counted := func(in *parse.Input) (string, error) {
				calls++
				return tc.p(in)
			}
			h := newHeldPipe(tc.partial, tc.rest)
			defer h.finish()
			r := parse.NewReader(h.p.Reader(), counted, parse.Options{})
			defer r.Close()
			done := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
				defer cancel()
				_, err := r.Next(ctx)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Next returned %v while the input may go on; want it to wait", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the reader spins: Next ignores its context, attempting the same buffer again and again")
			}
			if calls > 2 {
				t.Fatalf("%d attempts while no byte arrived", calls)
			}
			h.next()
			if m, err := next(t, r); err != nil || m != tc.want {
				t.Fatalf("got %q, %v; want %q", m, err, tc.want)
			}
		})
	}
}
