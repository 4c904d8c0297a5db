package combinators_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// errRunaway is what a counted parser fails with once it has been called
// more often than a test allows, so that a quadratic run fails fast.
var errRunaway = errors.New("test: parser called too often")

// counter counts the calls of the parsers wrapped with counted.
type counter struct{ n, max int }

// counted wraps p so that every call counts in k; past k.max calls (if
// set) it fails with errRunaway instead of running p.
func counted[T any](k *counter, p parse.TryParse[T]) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		k.n++
		if k.max > 0 && k.n > k.max {
			var zero T
			return zero, errRunaway
		}
		return p(in)
	}
}

// byParts returns a source that shows the message made of parts one part
// more on every read (the last read is final), as a peer that sends one
// part per packet: reads = len(parts). The buffer is a chain of 4 KiB
// segments, as a pipe's, whose memory does not move.
func byParts(parts []string) *scripted {
	data := []byte(strings.Join(parts, ""))
	var segs [][]byte
	for len(data) > 4096 {
		segs, data = append(segs, data[:4096]), data[4096:]
	}
	whole := seq.Chain(append(segs, data)...)
	bufs := make([]seq.Sequence, len(parts))
	n := 0
	for i, p := range parts {
		n += len(p)
		bufs[i] = whole.Slice(0, n)
	}
	return &scripted{bufs: bufs}
}

// bytewise splits s into parts of one byte.
func bytewise(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// readOne reads the one message of src with p and returns its text.
func readOne[T any](t *testing.T, src pipe.Reader, p parse.TryParse[T]) string {
	t.Helper()
	r := parse.NewReader(src, erase(p), parse.Options{})
	defer r.Close()
	m, err := r.Next(context.Background())
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

var (
	digits = c.TakeWhile("digit", isDigit, 1, -1)
	item   = c.Before(digits, c.Byte('\n'))
)

// A message of N parts arriving one part per read costs O(N) element
// parses, not O(N²): every repetition resumes after the elements it
// completed in the last attempt. The bound is 2·(N + reads) calls: each
// element completes once, and each attempt parses at most one element
// that runs short, plus the one that ends the repetition.
func TestRepetitionResumesLinear(t *testing.T) {
	type grammar struct {
		name  string
		sizes []int
		// build returns the parser, with its elements counted in k, and
		// the parts of a message of n elements.
		build func(k *counter, n int) (parse.TryParse[string], []string)
	}
	lines := func(n int, last string) []string {
		parts := make([]string, 0, n+1)
		for i := range n {
			parts = append(parts, strconv.Itoa(100+i%900)+"\n")
		}
		return append(parts, last)
	}
	all := []int{100, 1000, 10000}
	grammars := []grammar{
		{"Many", all, func(k *counter, n int) (parse.TryParse[string], []string) {
			return erase(c.Before(c.Many(counted(k, item), 0, -1), c.Byte('.'))), lines(n, ".")
		}},
		{"Many/bounds", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			return erase(c.Before(c.Many(counted(k, item), n/2, n), c.Byte('.'))), lines(n, ".")
		}},
		{"Fold", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			sum := c.Fold(counted(k, item), 0, -1, 0, func(a int, s seq.Sequence) int { return a + s.Len() })
			return erase(c.Before(sum, c.Byte('.'))), lines(n, ".")
		}},
		{"ManyTill", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			return erase(c.ManyTill(counted(k, item), c.Literal("end"), 0, -1)), lines(n, "end")
		}},
		{"FoldTill", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			sum := c.FoldTill(counted(k, item), c.Byte('.'), 1, -1, 0, func(a int, s seq.Sequence) int { return a + s.Len() })
			return erase(sum), lines(n, ".")
		}},
		{"SepBy", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			parts := make([]string, 0, n+1)
			for i := range n {
				parts = append(parts, ","+strconv.Itoa(i))
			}
			parts[0] = parts[0][1:]
			return erase(c.Before(c.SepBy(counted(k, digits), c.Byte(','), 1, -1), c.Byte(';'))), append(parts, ";")
		}},
		{"Count", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			return erase(c.Count(n, counted(k, item))), lines(n, "")[:n]
		}},
		{"Counted", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			count := c.Before(c.Decimal(0, 1<<20, 7), c.Byte('\n'))
			parts := append([]string{strconv.Itoa(n) + "\n"}, lines(n, "")[:n]...)
			return erase(c.Counted(count, counted(k, item))), parts
		}},
		// The chunked coding's shape: chunks of a declared length.
		{"chunks", all, func(k *counter, n int) (parse.TryParse[string], []string) {
			size := c.Before(c.Hex[uint32](0, 1<<16, 4), c.Literal("\r\n"))
			chunk := c.Before(c.LengthPrefixed(size, c.Rest()), c.Literal("\r\n"))
			parts := make([]string, 0, n+1)
			for i := range n {
				parts = append(parts, fmt.Sprintf("%x\r\n%s\r\n", 1+i%20, strings.Repeat("x", 1+i%20)))
			}
			return erase(c.Before(c.Many(counted(k, chunk), 0, -1), c.Literal("\r\n"))), append(parts, "\r\n")
		}},
		// One long inner repetition, then many outer elements: records at
		// both levels at once.
		{"nested", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			group := c.Then(c.Byte('['), c.Before(c.Many(counted(k, item), 0, -1), c.Byte(']')))
			parts := append([]string{"["}, lines(n, "]")...)
			for range n {
				parts = append(parts, "[", "1\n", "]")
			}
			return erase(c.Before(c.Many(group, 1, -1), c.Byte('.'))), append(parts, ".")
		}},
		{"Bounded", []int{100, 1000}, func(k *counter, n int) (parse.TryParse[string], []string) {
			many := c.Before(c.Many(counted(k, item), 0, -1), c.Byte('.'))
			return erase(c.Bounded(1<<20, many)), lines(n, ".")
		}},
	}
	for _, g := range grammars {
		for _, n := range g.sizes {
			for _, feed := range []string{"parts", "bytes", "consumer"} {
				if feed == "bytes" && n > 100 || feed == "consumer" && n > 1000 {
					continue
				}
				t.Run(fmt.Sprintf("%s/%d/%s", g.name, n, feed), func(t *testing.T) {
					var k counter
					p, parts := g.build(&k, n)
					whole := strings.Join(parts, "")
					if feed == "bytes" {
						parts = bytewise(whole)
					}
					want := readOne(t, pipe.FromBytes([]byte(whole)), p) // also learns first bytes
					k.n, k.max = 0, 4*(n+len(parts))+8
					if feed == "consumer" {
						if got := consumeParts(t, erase(p), parts, 0); len(got.msgs) != 1 || got.msgs[0] != want || got.err != "" {
							t.Fatalf("consumed in %d writes: got %.80v, want %.80q", len(parts), got, want)
						}
					} else if got := readOne(t, byParts(parts), p); got != want {
						t.Fatalf("in %d reads: got %.80q, want %.80q", len(parts), got, want)
					}
					if limit := 2*(n+len(parts)) + 4; k.n > limit {
						t.Errorf("%d elements in %d reads: %d element calls, want at most %d", n, len(parts), k.n, limit)
					}
				})
			}
		}
	}
}

// A fold's step runs once per element however the message arrives: a
// resumed repetition restores the accumulator instead of folding the
// elements it skips again.
func TestFoldStepRunsOncePerElement(t *testing.T) {
	steps := 0
	sum := c.Fold(c.Satisfy("digit", isDigit), 0, -1, 0, func(a int, b byte) int {
		steps++
		return a + int(b-'0')
	})
	p := c.Before(sum, c.Byte('.'))
	const n = 500
	input := strings.Repeat("7", n) + "."
	got := readOne(t, byParts(bytewise(input)), p)
	if got != strconv.Itoa(7*n) {
		t.Fatalf("got %s, want %d", got, 7*n)
	}
	if steps != n {
		t.Errorf("step ran %d times for %d elements in %d reads, want %d", steps, n, len(input), n)
	}
}

// The stream reader moves a short partial message to fresh memory; the
// views a resumed accumulator holds would then be stale, so the reader
// drops the record and parses again. Over a reader with small segments,
// long and short messages alike arrive in 1..7-byte reads and give what
// they give whole. (MinReadSize = BufferSize makes every read take a new
// segment, so a short partial message moves on every read.)
func TestRepetitionResumesOverStreamReader(t *testing.T) {
	lineMsgs := c.Before(c.Many(item, 0, -1), c.Byte('.'))
	var b strings.Builder
	for i := range 1000 {
		for j := range i % 13 {
			fmt.Fprintf(&b, "%d\n", i*j)
		}
		b.WriteString(".")
	}
	input := b.String()
	want := readStream(t, erase(lineMsgs), pipe.FromBytes([]byte(input)), 0)
	for _, size := range []int{16, 64, 1024, 4096} {
		for _, step := range []int{1, 3, 7} {
			src := &piecewise{data: []byte(input), step: step}
			r := pipe.NewReader(src, pipe.ReaderOptions{BufferSize: size, MinReadSize: size})
			if got := readStream(t, erase(lineMsgs), r, 0); !got.equal(want) {
				t.Errorf("segments of %d, reads of %d: got %v, want %v", size, step, got, want)
			}
		}
	}
}

// piecewise is an io.Reader that returns at most step bytes per Read.
type piecewise struct {
	data []byte
	step int
}

func (p *piecewise) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.data[:min(p.step, len(p.data))])
	p.data = p.data[n:]
	return n, nil
}

// partsSource is a pipe.Reader over a chain of parts that shows one part
// more on every read (the last read is final) and honours AdvanceTo, so that
// a stream of several messages arrives in exactly these reads.
type partsSource struct {
	whole    seq.Sequence
	ends     []int // the visible length after each read
	i        int
	consumed seq.Position
}

func newPartsSource(parts []string) *partsSource {
	bs := make([][]byte, 0, len(parts))
	s := &partsSource{}
	n := 0
	for _, p := range parts {
		if p == "" {
			continue
		}
		bs = append(bs, []byte(p))
		n += len(p)
		s.ends = append(s.ends, n)
	}
	if len(s.ends) == 0 {
		s.ends = []int{0}
	}
	s.whole = seq.Chain(bs...)
	s.consumed = s.whole.Start()
	return s
}

func (s *partsSource) result() (pipe.Result, error) {
	end := s.whole.PosAt(s.ends[s.i])
	res := pipe.Result{Buffer: seq.Between(s.consumed, end), Completed: s.i == len(s.ends)-1}
	s.i = min(s.i+1, len(s.ends)-1)
	return res, nil
}
func (s *partsSource) Read(context.Context) (pipe.Result, error)             { return s.result() }
func (s *partsSource) ReadAtLeast(context.Context, int) (pipe.Result, error) { return s.result() }
func (s *partsSource) TryRead() (pipe.Result, bool, error) {
	res, err := s.result()
	return res, true, err
}
func (s *partsSource) AdvanceTo(consumed, _ seq.Position) { s.consumed = consumed }
func (s *partsSource) CancelPendingRead()                 {}
func (s *partsSource) Complete(error)                     {}

// readCuts returns ways for input to arrive: a byte per read, every cut
// into two reads and, for short inputs, into three, and reads of 2, 3 and 5
// bytes.
func readCuts(input string) map[string][]string {
	out := map[string][]string{"bytes": bytewise(input)}
	for i := 1; i < len(input); i++ {
		out[fmt.Sprintf("cut/%d", i)] = []string{input[:i], input[i:]}
		if len(input) <= 24 {
			for j := i + 1; j < len(input); j++ {
				out[fmt.Sprintf("cut/%d/%d", i, j)] = []string{input[:i], input[i:j], input[j:]}
			}
		}
	}
	for _, k := range []int{2, 3, 5} {
		var parts []string
		for i := 0; i < len(input); i += k {
			parts = append(parts, input[i:min(i+k, len(input))])
		}
		out[fmt.Sprintf("pieces/%d", k)] = parts
	}
	return out
}

// consumeParts consumes parts written one by one into a pipe whose
// callbacks run inline, so that each write is one attempt.
func consumeParts(t *testing.T, p parse.TryParse[string], parts []string, limit int) stream {
	t.Helper()
	pp := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline, SegmentSize: 16})
	var out stream
	cons := parse.Consume(pp, p, parse.Options{MaxMessageSize: limit}, func(m string) error {
		out.msgs = append(out.msgs, m)
		return nil
	})
	w := pp.Writer()
	for _, part := range parts {
		if _, err := w.Write(context.Background(), []byte(part)); err != nil {
			break
		}
	}
	w.Complete(nil)
	if err := cons.Wait(context.Background()); err != nil {
		out.err = err.Error()
	}
	return out
}

// checkResumed checks that p reads from input, however it arrives, what
// it reads from the whole input at once, where no attempt is ever resumed:
// the same messages (values) and the same error (kind, text, offset).
func checkResumed(t *testing.T, p parse.TryParse[string], input string, limit int) {
	t.Helper()
	want := readStream(t, p, pipe.FromBytes([]byte(input)), limit)
	for name, parts := range readCuts(input) {
		if got := readStream(t, p, newPartsSource(parts), limit); !got.equal(want) {
			t.Errorf("%q in reads %s: got %v, want %v", input, name, got, want)
		}
		if !strings.HasPrefix(name, "cut/") || strings.Count(name, "/") == 1 {
			if got := consumeParts(t, p, parts, limit); !got.equal(want) {
				t.Errorf("%q consumed in writes %s: got %v, want %v", input, name, got, want)
			}
		}
	}
	checkStream(t, p, input, limit, want)
}

// Resumed repetitions give exactly what a parse from the start gives, for
// every repetition, nesting, bound, alternative and error, in every way the
// input can arrive.
func TestRepetitionResumesExact(t *testing.T) {
	lines := c.Before(c.Many(item, 0, -1), c.Byte('.'))
	group := c.Then(c.Byte('['), c.Before(c.Many(item, 0, -1), c.Byte(']')))
	list := c.Fix(16, func(self parse.TryParse[string]) parse.TryParse[string] {
		items := c.SepBy(self, c.Byte(','), 0, -1)
		nested := c.Map(c.Then(c.Byte('['), c.Before(items, c.Byte(']'))), func(v []string) string {
			return "(" + strings.Join(v, " ") + ")"
		})
		return c.Alt(nested, c.Map(digits, seq.Sequence.String))
	})
	shared := c.Many(item, 0, -1)
	twice := c.Many(c.Map(item, func(s seq.Sequence) string { return s.String() + s.String() }), 0, -1)
	size := c.Before(c.Hex[uint32](0, 1<<16, 4), c.Literal("\r\n"))
	chunk := c.Before(c.LengthPrefixed(size, c.Rest()), c.Literal("\r\n"))
	// An element that dismisses a failure past its own end: "ax" is tried
	// first, and "a" matches.
	rejected := c.MapErr(c.Then(c.Byte('b'), digits), func(seq.Sequence) (string, error) { return "", errors.New("rejected") })
	abx := c.Alt(c.Then(c.Literal("ab"), c.Map(c.Byte('x'), func(byte) string { return "x" })), c.Map(c.Byte('a'), func(byte) string { return "a" }), rejected)
	ones := c.Before(c.TakeWhile("one", func(b byte) bool { return b == '1' }, 1, -1), c.Byte('\n'))
	ax := c.Alt(c.Then(c.Byte('a'), c.Byte('x')), c.Byte('a'))
	for _, tc := range []struct {
		name   string
		p      parse.TryParse[string]
		limit  int
		inputs []string
	}{
		{"Many", erase(lines), 0, []string{"1\n22\n333\n.", "1\n2\n.1\n.", "1\n2x\n.", "1\n2\n", "1\n\n.", "12\n34\n.5", ""}},
		{"Many/bounds", erase(c.Before(c.Many(item, 2, 3), c.Byte('.'))), 0,
			[]string{"1\n.", "1\n2\n.", "1\n2\n3\n4\n.", "1\n2\n3\n.1\n22\n."}},
		{"Fold", erase(c.Before(c.Fold(item, 1, -1, 0, func(a int, s seq.Sequence) int { return a*10 + s.Len() }), c.Byte('.'))), 0,
			[]string{"1\n22\n.", ".", "1\n22\n333"}},
		{"ManyTill", erase(c.ManyTill(item, c.Literal("end"), 1, 3)), 0,
			[]string{"end", "1\nend", "1\n2\n3\nend", "1\n2\n3\n4\nend", "1\nen", "1\nx", "1\n22\nend3\nend"}},
		{"SepBy", erase(c.Before(c.SepBy(digits, c.Byte(','), 1, -1), c.Byte(';'))), 0,
			[]string{"1,22,333;", "1,;", "1,2", ",", "1;2,3;", "12,345,6789;1;"}},
		{"Count", erase(c.Count(3, item)), 0, []string{"1\n2\n3\n", "1\n2\n", "1\nx\n", "1\n22\n333\n4\n5\n6\n"}},
		{"Counted", erase(c.Counted(c.Before(c.Decimal(0, 99, 2), c.Byte('\n')), item)), 0,
			[]string{"3\n1\n2\n3\n", "2\n1\n", "0\n", "2\n1\nx", "2\n11\n22\n1\n3\n"}},
		{"nested", erase(c.Before(c.Many(group, 1, -1), c.Byte('.'))), 0,
			[]string{"[1\n22\n][][3\n].", "[1\n[", "[1\n2\n]x", "[1\n22\n333\n][4\n55\n]."}},
		{"Fix", erase(list), 0, []string{"[1,[2,3],[[4]],5]", "[1][2,[3]]", "[1,[2,", "[1,[2,x]]", "[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]"}},
		{"Alt/shared", erase(c.Alt(
			c.Map(c.Before(shared, c.Byte('a')), func(v []seq.Sequence) string { return fmt.Sprint("a", v) }),
			c.Map(c.Before(shared, c.Byte('b')), func(v []seq.Sequence) string { return fmt.Sprint("b", v) }))), 0,
			[]string{"1\n22\nb", "1\n22\na", "1\n22\nc", "1\n2\nb3\na"}},
		{"Alt/distinct", erase(c.Alt(
			c.Map(c.Before(c.Many(c.Map(item, seq.Sequence.String), 0, -1), c.Byte('a')), func(v []string) string { return fmt.Sprint("a", v) }),
			c.Map(c.Before(twice, c.Byte('b')), func(v []string) string { return fmt.Sprint("b", v) }))), 0,
			[]string{"1\n22\nb", "1\n22\na", "1\n2\nb3\na"}},
		// The first repetition at offset 0 stops at once; the second runs
		// short: its record must not be applied to the first.
		{"Alt/first-stops", erase(c.Alt(
			c.Map(c.Before(c.Many(ones, 0, -1), c.Byte('a')), func(v []seq.Sequence) string { return fmt.Sprint("a", v) }),
			c.Map(c.Before(c.Many(item, 0, -1), c.Byte('b')), func(v []seq.Sequence) string { return fmt.Sprint("b", v) }))), 0,
			[]string{"2\n22\nb", "1\n2\nb", "1\n11\na2\nb", "2\n1\na", "1\n2\n1\na"}},
		// A shorter bound at the same offset must not take the point the
		// unbounded use made: its elements would end past the bound.
		{"Bounded/shared", erase(c.Alt(c.Bounded(3, c.Before(shared, c.Byte('.'))), c.Before(shared, c.Byte('!')))), 0,
			[]string{"1\n2\n3\n!", "1\n.", "1\n22\n!"}},
		{"Bounded", erase(c.Before(c.Bounded(8, c.Many(item, 0, -1)), c.Byte('.'))), 0,
			[]string{"1\n2\n3\n.", "1\n22\n333\n4444\n.", "1\n2\n3\n4\n.", "1\n2"}},
		{"LengthPrefixed", erase(c.Before(c.Many(chunk, 0, -1), c.Literal("\r\n"))), 0,
			[]string{"3\r\nabc\r\n1\r\nx\r\n\r\n", "3\r\nabc\r\n1\r\nxy\r\n\r\n", "2\r\nab\r\n2\r\nab"}},
		{"furthest", erase(c.Before(c.Many(ax, 0, -1), c.Byte('.'))), 0, []string{"aaa;", "aax;", "aaa.", "aa", "aaxa."}},
		// The failure an element dismissed past its own end (offset 2,
		// "expected 'x'") outlives the element: it beats the rejection at
		// offset 1 of the element after it, resumed or not.
		{"furthest/skipped", erase(c.Before(c.Many(abx, 0, -1), c.Byte('.'))), 0, []string{"ab12.", "aab12.", "ab1a."}},
		{"limit", erase(lines), 8, []string{"1\n2\n3\n4\n5\n.", "1\n2\n.1\n2\n3\n4\n."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, input := range tc.inputs {
				checkResumed(t, tc.p, input, tc.limit)
			}
		})
	}
}
