package combinators_test

import (
	"strings"
	"testing"
	"testing/iotest"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/pipe"
)

// TestTakeUntilAny checks the delimiter rule (earliest, then longest)
// over every segmentation and delivery of each input: a delimiter that
// straddles reads, a CR at the end of a read that turns out to be a CRLF,
// a shorter delimiter taken on final input when the longer cannot come,
// and the size limit.
func TestTakeUntilAny(t *testing.T) {
	for _, tc := range []struct {
		name   string
		delims []string
		input  string
		limit  int
		want   stream
	}{
		{name: "sse line ends", delims: []string{"\r\n", "\n", "\r"}, input: "a\rb\nc\r\nd\r\r\ne\r",
			want: stream{msgs("a", "b", "c", "d", "", "e"), ""}},
		{name: "earliest wins", delims: []string{"||", ";"}, input: "a;b||c;||",
			want: stream{msgs("a", "b", "c", ""), ""}},
		{name: "longest at one byte", delims: []string{"--", "---"}, input: "a---b--c-d---",
			want: stream{msgs("a", "b", "c-d"), ""}},
		{name: "shorter at the end of final input", delims: []string{"\r", "\r\n"}, input: "ab\r",
			want: stream{msgs("ab"), ""}},
		{name: "prefix of a longer one only", delims: []string{"abc", "x"}, input: "1ab2abx3abc",
			want: stream{msgs("1ab2ab", "3"), ""}},
		{name: "no delimiter", delims: []string{"\n", "\r"}, input: "a\nbcd",
			want: stream{msgs("a"), truncated(3, 2)}},
		{name: "too large", delims: []string{"\r\n", "\n"}, input: "ab\ncdefgh\n", limit: 5,
			want: stream{msgs("ab"), tooLarge(3, 5)}},
		{name: "too large without delimiter", delims: []string{"END", ";"}, input: "ab;" + strings.Repeat("x", 40), limit: 8,
			want: stream{msgs("ab"), tooLarge(3, 8)}},
		{name: "fits at the limit", delims: []string{"END", ";"}, input: "abcdeEND12345;", limit: 8,
			want: stream{msgs("abcde", "12345"), ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkStream(t, erase(c.TakeUntilAny(tc.delims...)), tc.input, tc.limit, tc.want)
		})
	}
}

// TestTakeUntilAnyPanics checks the declaration errors.
func TestTakeUntilAnyPanics(t *testing.T) {
	for _, ds := range [][]string{nil, {"a", ""}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("TakeUntilAny(%q) did not panic", ds)
				}
			}()
			c.TakeUntilAny(ds...)
		}()
	}
}

// TestTakeUntilAnyLinear feeds a long element a byte per read and checks
// that it is found whole. That the search resumes rather than restarting on
// every read (2^18 reads of a growing buffer would compare about 2^35
// bytes) is counted exactly, in segment steps, by TestLinearLongElement.
func TestTakeUntilAnyLinear(t *testing.T) {
	in := strings.Repeat("x", 1<<18) + "\r\n"
	src := pipe.NewReader(iotest.OneByteReader(strings.NewReader(in)), pipe.ReaderOptions{})
	got := readStream(t, erase(c.TakeUntilAny("\r\n", "\n")), src, 1<<20)
	if len(got.msgs) != 1 || len(got.msgs[0]) != 1<<18 || got.err != "" {
		t.Fatalf("got %d messages, err %q", len(got.msgs), got.err)
	}
}
