package grammars

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	cb "github.com/sluicego/sluice/combinators"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

func lenGrammar(c LenField) grammar[seq.Sequence] {
	return grammar[seq.Sequence]{
		name: fmt.Sprintf("LenField%+v", c),
		comb: c.Combinators(),
		hand: c.Hand,
		show: func(s seq.Sequence) string { return strconv.Quote(s.String()) },
	}
}

// TestLenFieldNetty checks the examples of Netty's
// LengthFieldBasedFrameDecoder documentation (the 3-byte fields of two of
// them widened to 4 bytes).
func TestLenFieldNetty(t *testing.T) {
	cases := []struct {
		name string
		c    LenField
		in   string // one frame
		want string // what the decoder returns
	}{
		{"2 bytes length field at offset 0, do not strip header",
			LenField{Length: 2}, "\x00\x0cHELLO, WORLD", "\x00\x0cHELLO, WORLD"},
		{"2 bytes length field at offset 0, strip header",
			LenField{Length: 2, Strip: 2}, "\x00\x0cHELLO, WORLD", "HELLO, WORLD"},
		{"2 bytes length field at offset 0, do not strip header, the length field represents the length of the whole message",
			LenField{Length: 2, Adjustment: -2}, "\x00\x0eHELLO, WORLD", "\x00\x0eHELLO, WORLD"},
		{"4 bytes length field at the end of 6 bytes header, do not strip header",
			LenField{Offset: 2, Length: 4}, "\xca\xfe\x00\x00\x00\x0cHELLO, WORLD", "\xca\xfe\x00\x00\x00\x0cHELLO, WORLD"},
		{"4 bytes length field at the beginning of 6 bytes header, do not strip header",
			LenField{Length: 4, Adjustment: 2}, "\x00\x00\x00\x0c\xca\xfeHELLO, WORLD", "\x00\x00\x00\x0c\xca\xfeHELLO, WORLD"},
		{"2 bytes length field at offset 1 in the middle of 4 bytes header, strip the first header field and the length field",
			LenField{Offset: 1, Length: 2, Adjustment: 1, Strip: 3}, "\xca\x00\x0c\xfeHELLO, WORLD", "\xfeHELLO, WORLD"},
		{"2 bytes length field at offset 1 in the middle of 4 bytes header, strip the first header field and the length field, the length field represents the length of the whole message",
			LenField{Offset: 1, Length: 2, Adjustment: -3, Strip: 3}, "\xca\x00\x10\xfeHELLO, WORLD", "\xfeHELLO, WORLD"},
		{"1-byte field", LenField{Length: 1}, "\x03abc", "\x03abc"},
		{"8-byte little-endian field", LenField{Length: 8, LittleEndian: true, Strip: 8}, "\x03\x00\x00\x00\x00\x00\x00\x00abc", "abc"},
		{"2-byte little-endian field", LenField{Length: 2, LittleEndian: true, Strip: 1}, "\x03\x00abc", "\x00abc"},
		{"4-byte little-endian field", LenField{Length: 4, LittleEndian: true, Strip: 4}, "\x03\x00\x00\x00abc", "abc"},
		{"8-byte field", LenField{Length: 8, Strip: 8}, "\x00\x00\x00\x00\x00\x00\x00\x03abc", "abc"},
		{"empty frame", LenField{Length: 2, Strip: 2}, "\x00\x00", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := lenGrammar(c.c)
			// Three frames in a row, every prefix.
			in := []byte(c.in + c.in + c.in)
			n := len(c.in)
			w := strconv.Quote(c.want)
			checkStream(t, g, in, []int{n, 2 * n, 3 * n}, []string{w, w, w}, nil)
		})
	}
}

var lenConfigs = []LenField{
	{Length: 1},
	{Length: 2, Strip: 2},
	{Length: 2, Adjustment: -2},
	{Offset: 3, Length: 4, Strip: 7},
	{Offset: 1, Length: 2, Adjustment: 1, Strip: 3},
	{Offset: 1, Length: 2, Adjustment: -3, Strip: 3},
	{Length: 4, LittleEndian: true, Adjustment: 5},
	{Length: 8, Strip: 4},
	{Length: 8, LittleEndian: true, Adjustment: -8, Max: 1000},
	{Offset: 2, Length: 2, Strip: 1, Max: 400},
}

// TestLenFieldRoundTrip frames random bodies with Append and reads them
// back with both versions.
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
				if c.Length == 1 {
					maxBody = 255 + c.Offset + c.Adjustment
				}
				body := randBytes(r, c.Offset+max(0, c.Adjustment)+r.IntN(maxBody-c.Offset-max(0, c.Adjustment)))
				start := len(input)
				input = c.Append(input, body)
				ends = append(ends, len(input))
				want = append(want, strconv.Quote(string(input[start+c.Strip:])))
				if c.Offset == 0 && c.Strip == c.Length && !bytes.Equal(input[start+c.Strip:], body) {
					t.Fatalf("%+v: Append(%q) = %q", c, body, input[start:])
				}
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
	checkMalformed(t, lenGrammar(LenField{Length: 2, Adjustment: -3}), []malformed{
		{"\x00\x05ab\x00\x01", 4, "ends before the length field"},
	})
	checkMalformed(t, lenGrammar(LenField{Offset: 2, Length: 1, Strip: 5}), []malformed{
		{"hh\x00", 2, "shorter than the bytes to strip"},
		{"hh\x02ab" + "hh\x01c", 7, "shorter than the bytes to strip"},
	})
	checkMalformed(t, lenGrammar(LenField{Offset: 1, Length: 8}), []malformed{
		{"h\x80\x00\x00\x00\x00\x00\x00\x00", 1, "overflows"},
		{"h\xff\xff\xff\xff\xff\xff\xff\xff", 1, "overflows"},
	})
	checkMalformed(t, lenGrammar(LenField{Length: 8, LittleEndian: true}), []malformed{
		{"\x00\x00\x00\x00\x00\x00\x00\x80", 0, "overflows"},
	})
}

func TestLenFieldTooLarge(t *testing.T) {
	// Max bounds the whole frame, header included, before the body
	// arrives.
	c := LenField{Length: 2, Strip: 2, Max: 10}
	checkTooLarge(t, lenGrammar(c), []byte("\x00\x09abcdefgh"), 0, 0, 10)
	checkTooLarge(t, lenGrammar(c), []byte("\x00\x07abcdefg\x00\x09ab"), 0, 9, 10)
	if got := check(t, lenGrammar(c), []byte("\x00\x07abcdefg"), parse.Options{}); got.err != nil {
		t.Fatal(got)
	}
	// A header before the length field counts too.
	c = LenField{Offset: 2, Length: 2, Max: 10}
	checkTooLarge(t, lenGrammar(c), []byte("hh\x00\x07abcdefg"), 0, 0, 10)
	checkTooLarge(t, lenGrammar(c), []byte("hh\x00\x06abcdefhh\x00\x07a"), 0, 10, 10)
	// The reader's limit bounds it when Max does not, or is larger.
	checkTooLarge(t, lenGrammar(LenField{Length: 4, Max: 1 << 30}), []byte("\x00\x10\x00\x00"), 100, 0, 100)
	checkTooLarge(t, lenGrammar(LenField{Length: 4}), []byte("\xff\xff\xff\xff"), 0, 0, parse.DefaultMaxMessageSize)
	// Values near the int64 limit do not overflow the arithmetic.
	checkTooLarge(t, lenGrammar(LenField{Length: 8, Adjustment: 100}), []byte("\x7f\xff\xff\xff\xff\xff\xff\xff"), 0, 0, parse.DefaultMaxMessageSize)
	checkTooLarge(t, lenGrammar(LenField{Offset: 100, Length: 8}), append(make([]byte, 100), "\x7f\xff\xff\xff\xff\xff\xff\xf0"...), 0, 0, parse.DefaultMaxMessageSize)
}

func TestLenFieldAppendPanics(t *testing.T) {
	for _, f := range []func(){
		func() { LenField{Length: 1}.Append(nil, make([]byte, 256)) },
		func() { LenField{Length: 2, Adjustment: 5}.Append(nil, make([]byte, 4)) },
		func() { LenField{Offset: 3, Length: 2}.Append(nil, make([]byte, 2)) },
		func() { LenField{Length: 3}.Append(nil, nil) },
		func() { LenField{Length: 3}.Combinators() },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
	if got := (LenField{Length: 1}).Append(nil, make([]byte, 255)); len(got) != 256 || got[0] != 255 {
		t.Fatal(got[:1])
	}
}

// TestLenFieldReadsLengthOnce: with Max, the grammar is declared with
// Capped, which LengthPrefixed fuses with the field, so the field is read
// once per frame; a Bind that peeks at it to check Max before
// LengthPrefixed reads it again is what it replaces.
func TestLenFieldReadsLengthOnce(t *testing.T) {
	for _, c := range []LenField{{Length: 4, Max: 1 << 20}, {Offset: 3, Length: 2, Strip: 5, Max: 100}} {
		d := cb.Describe(c.Combinators())
		if strings.Contains(d, "Bind") || !strings.HasPrefix(d, "LengthPrefixed [fused]") ||
			!strings.Contains(d, fmt.Sprintf("Capped(%d) [fused]", c.Max)) {
			t.Errorf("%+v:\n%s", c, d)
		}
	}
}
