package grammars

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// The length-field grammar is declared in package framing; these tests
// check it against LenFieldHand, the reference written by hand, with the
// harness of this package (both versions, every segmentation, the same
// errors at the same offsets).

func lenGrammar(o framing.LengthFieldOptions) grammar[seq.Sequence] {
	return grammar[seq.Sequence]{
		name: fmt.Sprintf("LengthField%+v", o),
		comb: framing.LengthField(o),
		hand: LenFieldHand(o),
		show: func(s seq.Sequence) string { return strconv.Quote(s.String()) },
	}
}

func appendLen(t testing.TB, o framing.LengthFieldOptions, dst, body []byte) []byte {
	t.Helper()
	out, err := framing.AppendLengthField(dst, body, o)
	if err != nil {
		t.Fatalf("%+v: AppendLengthField(%q): %v", o, body, err)
	}
	return out
}

var lenConfigs = []framing.LengthFieldOptions{
	{Size: 1},
	{Size: 2, Strip: 2},
	{Size: 2, Adjustment: -2},
	{Offset: 3, Size: 4, Strip: 7},
	{Offset: 1, Size: 2, Adjustment: 1, Strip: 3},
	{Offset: 1, Size: 2, Adjustment: -3, Strip: 3},
	{Size: 4, LittleEndian: true, Adjustment: 5},
	{Size: 8, Strip: 4},
	{Size: 8, LittleEndian: true, Adjustment: -8, MaxFrame: 1000},
	{Offset: 2, Size: 2, Strip: 1, MaxFrame: 400},
	{Size: 3, Strip: 3},
	{Offset: 2, Size: 3, LittleEndian: true, Adjustment: 2},
	{Size: framing.SizeUvarint, Strip: 1},
	{Offset: 2, Size: framing.SizeUvarint, Adjustment: -1, MaxFrame: -1},
}

// TestLenFieldRoundTrip frames random bodies with AppendLengthField and
// reads them back with both versions.
func TestLenFieldRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range lenConfigs {
		g := lenGrammar(c)
		for round := range 8 {
			var input []byte
			var ends []int
			var want []string
			for range 1 + r.IntN(5) {
				maxBody := 300
				if c.Size == 1 {
					maxBody = 255 + c.Offset + c.Adjustment
				}
				body := randBytes(r, c.Offset+max(0, c.Adjustment)+r.IntN(maxBody-c.Offset-max(0, c.Adjustment)))
				start := len(input)
				input = appendLen(t, c, input, body)
				ends = append(ends, len(input))
				want = append(want, strconv.Quote(string(input[start+c.Strip:])))
			}
			var cuts []int
			if round > 1 {
				cuts = []int{}
				for range 30 {
					cuts = append(cuts, r.IntN(len(input)))
				}
			}
			checkStream(t, g, input, ends, want, cuts)
		}
	}
}

func TestLenFieldMalformed(t *testing.T) {
	// Adjusted lengths that end before the length field or the stripped
	// bytes, and field values that overflow, are syntax errors at the
	// length field.
	checkMalformed(t, lenGrammar(framing.LengthFieldOptions{Size: 2, Adjustment: -3}), []malformed{
		{"\x00\x05ab\x00\x01", 4, "ends before the length field"},
	})
	checkMalformed(t, lenGrammar(framing.LengthFieldOptions{Offset: 2, Size: 1, Strip: 5}), []malformed{
		{"hh\x00", 2, "shorter than the bytes to strip"},
		{"hh\x02ab" + "hh\x01c", 7, "shorter than the bytes to strip"},
	})
	checkMalformed(t, lenGrammar(framing.LengthFieldOptions{Offset: 1, Size: 8}), []malformed{
		{"h\x80\x00\x00\x00\x00\x00\x00\x00", 1, "overflows"},
		{"h\xff\xff\xff\xff\xff\xff\xff\xff", 1, "overflows"},
	})
	checkMalformed(t, lenGrammar(framing.LengthFieldOptions{Size: 8, LittleEndian: true}), []malformed{
		{"\x00\x00\x00\x00\x00\x00\x00\x80", 0, "overflows"},
	})
	checkMalformed(t, lenGrammar(framing.LengthFieldOptions{Offset: 1, Size: framing.SizeUvarint}), []malformed{
		{"h\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 1, "varint"},
		{"h\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 1, "varint"},
		{"h\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 1, "overflows"},
	})
}

// checkTooLong checks that both versions report a *framing.TooLongError
// for the frame at offset with max, in every segmentation.
func checkTooLong(t *testing.T, g grammar[seq.Sequence], input []byte, maxSize int, offset int64, max int) {
	t.Helper()
	got := check(t, g, input, parse.Options{MaxMessageSize: maxSize})
	var tl *framing.TooLongError
	if !errors.As(got.err, &tl) || !errors.Is(got.err, parse.ErrTooLarge) || tl.Offset != offset || tl.Max != max {
		t.Fatalf("%s %q: %v, want a TooLongError at %d with max %d", g.name, clip(input), errString(got.err), offset, max)
	}
}

func TestLenFieldTooLarge(t *testing.T) {
	// MaxFrame bounds the whole frame, header included, before the body
	// arrives.
	c := framing.LengthFieldOptions{Size: 2, Strip: 2, MaxFrame: 10}
	checkTooLong(t, lenGrammar(c), []byte("\x00\x09abcdefgh"), 0, 0, 10)
	checkTooLong(t, lenGrammar(c), []byte("\x00\x07abcdefg\x00\x09ab"), 0, 9, 10)
	if got := check(t, lenGrammar(c), []byte("\x00\x07abcdefg"), parse.Options{}); got.err != nil {
		t.Fatal(got)
	}
	// A header before the length field counts too, and so does the
	// adjustment.
	c = framing.LengthFieldOptions{Offset: 2, Size: 2, MaxFrame: 10}
	checkTooLong(t, lenGrammar(c), []byte("hh\x00\x07abcdefg"), 0, 0, 10)
	checkTooLong(t, lenGrammar(c), []byte("hh\x00\x06abcdefhh\x00\x07a"), 0, 10, 10)
	checkTooLong(t, lenGrammar(framing.LengthFieldOptions{Size: 1, Adjustment: 3, MaxFrame: 10}), []byte("\x07abc"), 0, 0, 10)
	if got := check(t, lenGrammar(framing.LengthFieldOptions{Size: 1, Adjustment: -5, MaxFrame: 10}), []byte("\x0eabcdefghi"), parse.Options{}); got.err != nil {
		t.Fatal(got)
	}
	// The default maximum.
	checkTooLong(t, lenGrammar(framing.LengthFieldOptions{}), []byte("\x00\x10\x00\x00"), 0, 0, framing.DefaultMaxFrame)
	checkTooLong(t, lenGrammar(framing.LengthFieldOptions{Size: framing.SizeUvarint}), []byte("\x80\x80\x40"), 0, 0, framing.DefaultMaxFrame)
	// The reader's limit bounds it when MaxFrame does not, or is larger.
	checkTooLarge(t, lenGrammar(framing.LengthFieldOptions{Size: 4, MaxFrame: 1 << 30}), []byte("\x00\x10\x00\x00"), 100, 0, 100)
	checkTooLarge(t, lenGrammar(framing.LengthFieldOptions{Size: 4, MaxFrame: -1}), []byte("\xff\xff\xff\xff"), 0, 0, parse.DefaultMaxMessageSize)
	// Values near the int64 limit do not overflow the arithmetic.
	checkTooLong(t, lenGrammar(framing.LengthFieldOptions{Size: 8, Adjustment: 100}), []byte("\x7f\xff\xff\xff\xff\xff\xff\xff"), 0, 0, framing.DefaultMaxFrame)
	checkTooLarge(t, lenGrammar(framing.LengthFieldOptions{Offset: 100, Size: 8, MaxFrame: -1}), append(make([]byte, 100), "\x7f\xff\xff\xff\xff\xff\xff\xf0"...), 0, 0, parse.DefaultMaxMessageSize)
}
