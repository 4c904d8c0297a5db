package combinators_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The toy protocol of the Parts tests: a record is "name=length:" and that
// many bytes of payload; after a record whose name is "x" (an "extended"
// record) comes a trailing "!" before the next record's head. The stream
// may end only between records that are not extended.
type partsState uint8

const (
	partsRecord   partsState = iota // a record's head
	partsTrailing                   // "!" and then a record's head
)

type partsHead struct {
	name string
	n    uint64
}

var (
	partsHeadGrammar = c.Seq2(c.Before(c.TakeIn("abcdefghijklmnopqrstuvwxyz", 1, 8), c.Byte('=')),
		c.Before(c.Decimal[uint64](0, 1<<40, 13), c.Byte(':')),
		func(name seq.Sequence, n uint64) partsHead { return partsHead{name.String(), n} })
	partsHeads = [...]parse.TryParse[partsHead]{
		partsRecord:   partsHeadGrammar,
		partsTrailing: c.Then(c.Byte('!'), partsHeadGrammar),
	}
)

func partsDecl(maxPart int, alone bool) *c.Parts[partsState, partsHead] {
	return &c.Parts[partsState, partsHead]{
		Start: partsRecord,
		Head:  func(s partsState) parse.TryParse[partsHead] { return partsHeads[s] },
		Size:  func(h partsHead) uint64 { return h.n },
		Next: func(_ partsState, h partsHead) partsState {
			if h.name == "x" {
				return partsTrailing
			}
			return partsRecord
		},
		MaxPart:   maxPart,
		HeadAlone: alone,
	}
}

// showPart renders a part for comparison.
func showPart(p c.Part[partsHead]) string {
	s := fmt.Sprintf("%q left %d", p.Data.String(), p.Left)
	if p.HasHead {
		s = fmt.Sprintf("%s=%d: ", p.Head.name, p.Head.n) + s
	}
	return s
}

// partsDecoder is a fuzz.Decoder that reads with a new Stream of d on
// every run, rendering each part.
func partsDecoder(d *c.Parts[partsState, partsHead]) fuzz.Decoder[string] {
	return func(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
		s := d.Stream()
		return fuzz.Parser(func(in *parse.Input) (string, error) {
			p, err := s.Parse(in)
			return showPart(p), err
		})(ctx, r, limit, emit)
	}
}

// readParts reads all of input with a new stream of d and returns the
// rendered parts and the error.
func readParts(src pipe.Reader, d *c.Parts[partsState, partsHead], limit int) ([]string, error) {
	r := parse.NewReader(src, d.Stream().Parse, parse.Options{MaxMessageSize: limit})
	defer r.Close()
	var got []string
	for p := range r.All(context.Background()) {
		got = append(got, showPart(p))
	}
	return got, r.Err()
}

func TestPartsCut(t *testing.T) {
	input := "a=10:0123456789x=3:abc!b=0:c=4:wxyz"
	cases := []struct {
		maxPart, limit int
		alone          bool
		want           []string
	}{
		{0, 0, false, []string{`a=10: "0123456789" left 0`, `x=3: "abc" left 0`, `b=0: "" left 0`, `c=4: "wxyz" left 0`}},
		// Parts every 4 bytes from the payload's start.
		{4, 0, false, []string{`a=10: "0123" left 6`, `"4567" left 2`, `"89" left 0`, `x=3: "abc" left 0`, `b=0: "" left 0`, `c=4: "wxyz" left 0`}},
		{4, 0, true, []string{`a=10: "" left 10`, `"0123" left 6`, `"4567" left 2`, `"89" left 0`,
			`x=3: "" left 3`, `"abc" left 0`, `b=0: "" left 0`, `c=4: "" left 4`, `"wxyz" left 0`}},
		// A limit of 8 leaves 3 bytes after "a=10:", 4 after "!b=0:"
		// (the "!" belongs to the head in state partsTrailing); the
		// parts after a head hold up to 8.
		{0, 8, false, []string{`a=10: "012" left 7`, `"3456789" left 0`, `x=3: "abc" left 0`, `b=0: "" left 0`, `c=4: "wxyz" left 0`}},
	}
	for _, tc := range cases {
		d := partsDecl(tc.maxPart, tc.alone)
		want := strings.Join(tc.want, "\n")
		// The same parts however the bytes arrive.
		for _, step := range []int{len(input), 1, 2, 3, 5} {
			got, err := readParts(pipe.NewReader(&stepSource{data: []byte(input), step: step}, pipe.ReaderOptions{BufferSize: 16, MinReadSize: 1}), d, tc.limit)
			if err != nil || strings.Join(got, "\n") != want {
				t.Errorf("max %d, limit %d, alone %v, %d-byte reads: %q, %v\nwant %q", tc.maxPart, tc.limit, tc.alone, step, got, err, tc.want)
			}
		}
	}
}

// stepSource returns its data at most step bytes per Read.
type stepSource struct {
	data []byte
	step int
}

func (r *stepSource) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestPartsEndOnlyAtStart checks that input that ends inside a payload, or
// in a state other than Start, at a message boundary, is a truncation and
// not a clean end: a part after which the stream may not end waits for a
// byte more.
func TestPartsEndOnlyAtStart(t *testing.T) {
	d := partsDecl(4, false)
	for _, tc := range []struct {
		in    string
		want  int  // parts delivered
		clean bool // the input ends cleanly after them
	}{
		{"a=10:0123", 0, false},      // the first part needs a byte after it
		{"a=10:01234", 1, false},     // a part delivered; the input ends inside the payload
		{"a=10:01234567", 1, false},  // the second part also waits for a byte
		{"a=10:0123456789", 3, true}, // the last part leaves the stream in Start
		{"x=2:ab", 0, false},         // after an extended record, "!" must follow
		{"x=2:ab!", 1, false},
		{"x=2:ab!b=0:", 2, true},
	} {
		got, err := readParts(pipe.FromBytes([]byte(tc.in)), d, 0)
		if tc.clean {
			if err != nil || len(got) != tc.want {
				t.Errorf("%q: %q, %v; want %d parts and a clean end", tc.in, got, err, tc.want)
			}
			continue
		}
		var te *parse.TruncatedError
		if !errors.As(err, &te) || !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != tc.want {
			t.Errorf("%q: %q, %v; want %d parts and a truncation", tc.in, got, err, tc.want)
		}
	}
}

// TestPartsStateOnlyOnSuccess checks that an attempt that needs more input
// or fails leaves the stream's state alone, so that the retry from the
// same start sees what the first attempt saw.
func TestPartsStateOnlyOnSuccess(t *testing.T) {
	s := partsDecl(4, false).Stream()
	try := func(b string, final bool) (c.Part[partsHead], error) {
		return s.Parse(parse.NewInput(seq.Of([]byte(b)), final, 0))
	}
	// The head parses, its part does not fit: nothing changes.
	if _, err := try("x=6:abc", false); !errors.Is(err, parse.ErrNeedMore) {
		t.Fatal(err)
	}
	if s.State() != partsRecord || s.Left() != 0 {
		t.Fatalf("after need-more: state %d, left %d", s.State(), s.Left())
	}
	// A malformed head: nothing changes.
	if _, err := try("x=6;", false); err == nil || errors.Is(err, parse.ErrNeedMore) {
		t.Fatal(err)
	}
	if s.State() != partsRecord || s.Left() != 0 {
		t.Fatalf("after an error: state %d, left %d", s.State(), s.Left())
	}
	// The part arrives with a byte after it: the state moves.
	p, err := try("x=6:abcde", false)
	if err != nil || showPart(p) != `x=6: "abcd" left 2` || s.Left() != 2 || s.State() != partsTrailing {
		t.Fatalf("%s, %v: state %d, left %d", showPart(p), err, s.State(), s.Left())
	}
	// The next part needs a byte after it ("!" follows): a retry sees
	// the same left count.
	for range 2 {
		if _, err := try("ef", false); !errors.Is(err, parse.ErrNeedMore) || s.Left() != 2 {
			t.Fatalf("%v, left %d", err, s.Left())
		}
	}
	if p, err := try("ef!", false); err != nil || showPart(p) != `"ef" left 0` || s.Left() != 0 || s.State() != partsTrailing {
		t.Fatalf("%s, %v: state %d, left %d", showPart(p), err, s.State(), s.Left())
	}
	s.Reset()
	if s.State() != partsRecord || s.Left() != 0 {
		t.Fatal("Reset")
	}
}

// TestPartsChunkings checks with the fuzz harness that the parts are the
// same for every chunking, memory stays within the limit while a payload
// far larger than it streams through, and errors and truncations are
// those of the whole input.
func TestPartsChunkings(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<12) // 64 KiB
	inputs := []string{
		"a=10:0123456789x=3:abc!b=0:c=4:wxyz",
		fmt.Sprintf("a=%d:%sx=%d:%s!b=1:.", len(big), big, len(big)/2, big[:len(big)/2]),
		"a=10:0123456789x=3:abc?b=0:", // malformed after a part
		"a=10:0123456789x=3:abc",      // truncated
	}
	for _, in := range inputs {
		for _, alone := range []bool{false, true} {
			dec := partsDecoder(partsDecl(700, alone))
			fuzz.CheckChunkings(t, dec, []byte(in), fuzz.Options[string]{MaxMessageSize: 1 << 10})
		}
	}
}

// TestPartsSharedStream checks what the guide says of a Stream shared by
// two reads: the second starts where the first stopped, inside a payload,
// until Reset.
func TestPartsSharedStream(t *testing.T) {
	s := partsDecl(4, false).Stream()
	read := func(in string) string {
		r := parse.NewReader(pipe.FromBytes([]byte(in)), s.Parse, parse.Options{})
		defer r.Close()
		var got []string
		for p := range r.All(context.Background()) {
			got = append(got, showPart(p))
		}
		return strings.Join(got, "; ")
	}
	if got := read("a=10:01234"); got != `a=10: "0123" left 6` {
		t.Fatal(got)
	}
	if got := read("b=1:xy"); got != `"b=1:" left 2; "xy" left 0` {
		t.Fatalf("a shared stream: %s", got)
	}
	s.Reset()
	if got := read("b=1:x"); got != `b=1: "x" left 0` {
		t.Fatalf("after Reset: %s", got)
	}
}

// TestPartsParseTo checks that ParseTo writes the whole message: a part
// without a head clears the head a reused destination held.
func TestPartsParseTo(t *testing.T) {
	s := partsDecl(4, false).Stream()
	var dst c.Part[partsHead]
	if err := s.ParseTo(parse.NewInput(seq.Of([]byte("a=6:0123456789")), true, 0), &dst); err != nil || showPart(dst) != `a=6: "0123" left 2` {
		t.Fatalf("%s, %v", showPart(dst), err)
	}
	if err := s.ParseTo(parse.NewInput(seq.Of([]byte("45")), true, 0), &dst); err != nil || showPart(dst) != `"45" left 0` {
		t.Fatalf("%s, %v", showPart(dst), err)
	}
}

// TestPartsHeadPerState: a Stream asks Head for a state's grammar when its
// state changes, not per message, and still reads every head with the
// grammar of its state.
func TestPartsHeadPerState(t *testing.T) {
	calls := 0
	d := partsDecl(0, false)
	head := d.Head
	d.Head = func(s partsState) parse.TryParse[partsHead] { calls++; return head(s) }
	// Five records in partsRecord (the last extended), one in
	// partsTrailing, one in partsRecord: three states in a row.
	in := "a=1:1b=2:22c=0:d=1:4x=1:5!e=0:f=1:6"
	var got []string
	r := parse.NewReader(pipe.FromBytes([]byte(in)), d.Stream().Parse, parse.Options{})
	for p := range r.All(context.Background()) {
		got = append(got, showPart(p))
	}
	if err := r.Err(); err != nil || len(got) != 7 {
		t.Fatalf("%d parts %q, %v", len(got), got, err)
	}
	if want := `f=1: "6" left 0`; got[6] != want {
		t.Errorf("last part %s, want %s", got[6], want)
	}
	if calls != 3 {
		t.Errorf("Head called %d times for 3 states in a row, want 3", calls)
	}
}
