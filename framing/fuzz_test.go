package framing_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

var fuzzOpts = fuzz.Options[seq.Sequence]{MaxMessageSize: 256}

func FuzzLines(f *testing.F) {
	f.Add([]byte("a\nbc\r\n\r\n\nd\re\n"), []byte{0}, uint8(0))
	f.Add([]byte("abc\r\r\nab\n"+strings.Repeat("x", 40)), []byte{2, 0, 1}, uint8(2))
	f.Add([]byte("ab\r\nc"), []byte{}, uint8(1))
	f.Fuzz(func(t *testing.T, data, cuts []byte, end uint8) {
		o := framing.LineOptions{End: framing.LineEnd(end % 3), MaxLength: 16}
		fuzz.Fuzz(t, fuzz.Parser(framing.Lines(o)), data, cuts, fuzzOpts)
	})
}

func FuzzLineStream(f *testing.F) {
	f.Add([]byte("ab\nabcdefghijklmnopqrstuvwxyz\r\ncd\r\n"), []byte{3, 1}, uint8(0))
	f.Add([]byte(strings.Repeat("y", 300)+"\r\n\r\nz\r\n"), []byte{0, 0, 200}, uint8(2))
	f.Fuzz(func(t *testing.T, data, cuts []byte, end uint8) {
		o := framing.LineOptions{End: framing.LineEnd(end % 3), MaxLength: 8}
		dec := func(ctx context.Context, r pipe.Reader, limit int, emit func(framing.Line)) error {
			return fuzz.Parser(framing.NewLineStream(o).Parse)(ctx, r, limit, emit)
		}
		fuzz.Fuzz(t, dec, data, cuts, fuzz.Options[framing.Line]{MaxMessageSize: 128})
	})
}

func FuzzDelimited(f *testing.F) {
	f.Add([]byte("a\rb\r\nc||d|e\r"), []byte{1, 0})
	f.Add([]byte("|||\r\r\n"), []byte{})
	o := framing.DelimOptions{Delims: []string{"\r", "\r\n", "||"}, MaxLength: 12}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(framing.Delimited(o)), data, cuts, fuzzOpts)
	})
}

func FuzzNetstring(f *testing.F) {
	f.Add([]byte("0:,3:abc,10:0123456789,"), []byte{1, 2})
	f.Add([]byte("01:a,"), []byte{})
	f.Add([]byte("3:abc;"), []byte{0})
	f.Add([]byte("99999999999999999999:"), []byte{3})
	f.Add([]byte("65:"+strings.Repeat("z", 65)+","), []byte{5})
	o := framing.NetstringOptions{MaxLength: 64}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, fuzz.Parser(framing.Netstring(o)), data, cuts, fuzzOpts)
	})
}

// lengthFieldConfig is the configuration the fuzzed config and kind bytes
// choose. config: bits 0-1 the size (1, 2, 4, 8), bit 2 little endian,
// bits 3-4 the offset, bits 5-6 the adjustment (0, -2, 3, -8), bit 7 strip
// the header and field. kind: its value mod 3 replaces the size with 3
// bytes (1) or a uvarint (2); kind/4 mod 4 is the maximum, none (0, the
// reader's 1 KiB only) or 32, 64 or 96 bytes. (These were internal/grammars'
// FuzzLenField's config bytes, whose seeds take kind 0.)
func lengthFieldConfig(config, kind byte) (framing.LengthFieldOptions, bool) {
	o := framing.LengthFieldOptions{
		Offset:       int(config>>3) & 3,
		Size:         1 << (config & 3),
		Adjustment:   []int{0, -2, 3, -8}[config>>5&3],
		LittleEndian: config&4 != 0,
		MaxFrame:     -1,
	}
	switch kind % 3 {
	case 1:
		o.Size = 3
	case 2:
		o.Size = framing.SizeUvarint
	}
	if m := int(kind/4) % 4; m > 0 {
		o.MaxFrame = 32 * m
	}
	field := max(o.Size, 1)
	o.Strip = min(int(config>>7)*(o.Offset+field), o.Offset+field)
	return o, o.Validate() == nil
}

// FuzzLengthField checks framing.LengthField, in a configuration chosen
// by the first and last fuzzed bytes, through the harness (every chunking
// the same, bounded memory) and against the hand-written reference
// internal/grammars.LenFieldHand: the same messages, the same error.
func FuzzLengthField(f *testing.F) {
	testutil.AddSeeds(f, lengthFieldSeeds())
	f.Fuzz(func(t *testing.T, config byte, data, cuts []byte, kind byte) {
		fuzzLengthField(t, []any{config, data, cuts, kind})
	})
}

func lengthFieldSeeds() [][]any {
	return [][]any{
		{byte(0), []byte("\x00\x00\x00\x03abc\x00\x00\x00\x00"), []byte{2}, byte(0)},
		{byte(9), []byte("\x02\x00\x05hello\x00\x00"), []byte{}, byte(0)},
		{byte(0x1e), []byte("HDR\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00"), []byte{0, 0, 0, 0}, byte(0)},
		{byte(0x08), []byte("H\x00\x00\x05helloH\x00\x01\x00"), []byte{1, 3}, byte(1)},
		{byte(0x80), []byte("\x05hello\x80\x01" + strings.Repeat("z", 128) + "\x00"), []byte{0, 1, 7}, byte(2)},
		{byte(0x00), []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f"), []byte{4}, byte(2)},
		{byte(0x01), []byte("\x00\x10abcdefghijklmnop\x00\x40"), []byte{}, byte(4)},
	}
}

// lengthFieldGrammars are the two decoders of each configuration (config
// byte, kind mod 12), declared once, nil where the configuration is not
// valid.
var lengthFieldGrammars = func() (g [256][12][2]parse.TryParse[seq.Sequence]) {
	for i := range g {
		for k := range g[i] {
			if o, ok := lengthFieldConfig(byte(i), byte(k)); ok {
				g[i][k] = [2]parse.TryParse[seq.Sequence]{framing.LengthField(o), grammars.LenFieldHand(o)}
			}
		}
	}
	return g
}()

func fuzzLengthField(t testing.TB, in []any) {
	g := lengthFieldGrammars[in[0].(byte)][in[3].(byte)%12]
	if g[0] == nil {
		return
	}
	data, cuts := in[1].([]byte), in[2].([]byte)
	fo := fuzz.Options[seq.Sequence]{MaxMessageSize: 1 << 10}
	got := fuzz.Fuzz(t, fuzz.Parser(g[0]), data, cuts, fo)
	fo.Name = "hand"
	want := fuzz.Fuzz(t, fuzz.Parser(g[1]), data, cuts, fo)
	sameOutcome(t, got, want)
}

// BenchmarkFuzzCost measures FuzzLengthField's cost per execution on its
// corpus against a bare parse of the same inputs by both decoders
// (bench/fuzzcost.sh runs it in interleaved rounds).
func BenchmarkFuzzCost(b *testing.B) {
	b.Run("LengthField", func(b *testing.B) {
		testutil.BenchFuzzCost(b, testutil.FuzzCorpus(b, "FuzzLengthField", lengthFieldSeeds()...), fuzzLengthField,
			func(_ testing.TB, in []any) {
				if g := lengthFieldGrammars[in[0].(byte)][in[3].(byte)%12]; g[0] != nil {
					parsetest.BareParse(g[0], in[1].([]byte), 1<<10)
					parsetest.BareParse(g[1], in[1].([]byte), 1<<10)
				}
			})
	})
}

// sameOutcome fails t unless the two outcomes have the same messages and
// the same error, of the same type.
func sameOutcome(t testing.TB, got, want fuzz.Outcome[seq.Sequence]) {
	t.Helper()
	if !fuzz.Equal(got.Messages, want.Messages) || fmt.Sprintf("%T %v", got.Err, got.Err) != fmt.Sprintf("%T %v", want.Err, want.Err) {
		t.Fatalf("got %d messages, error %T %v; want %d messages, error %T %v", len(got.Messages), got.Err, got.Err, len(want.Messages), want.Err, want.Err)
	}
}

// FuzzUvarintDelimited checks the uvarint-delimited framing through the
// harness, with and without Minimal, and that an input of well-formed
// messages decodes to what encoding/binary reads from it.
func FuzzUvarintDelimited(f *testing.F) {
	f.Add([]byte("\x00\x03abc\x01z"), []byte{1}, false)
	f.Add([]byte("\x80\x00\x81\x00a"), []byte{}, true)
	f.Add([]byte("\xc1\x00"+strings.Repeat("m", 65)), []byte{1, 2}, false)
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), []byte{3}, false)
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), []byte{}, false)
	f.Add([]byte("\x05ab"), []byte{}, false)
	f.Fuzz(func(t *testing.T, data, cuts []byte, minimal bool) {
		o := framing.UvarintOptions{MaxMessage: 64, Minimal: minimal}
		out := fuzz.Fuzz(t, fuzz.Parser(framing.UvarintDelimited(o)), data, cuts, fuzz.Options[seq.Sequence]{MaxMessageSize: 256})
		// The reference: encoding/binary over the flat input.
		rest := data
		for i, m := range out.Messages {
			n, k := binary.Uvarint(rest)
			if k <= 0 || uint64(len(rest)-k) < n || m.String() != string(rest[k:k+int(n)]) {
				t.Fatalf("message %d %q does not match the input %q", i, m, rest)
			}
			rest = rest[k+int(n):]
		}
		n, k := binary.Uvarint(rest)
		switch {
		case out.Err == nil && len(rest) != 0:
			t.Fatalf("clean end with %q left", rest)
		case out.Err == nil:
		case k < 0 && !errors.Is(out.Err, seq.ErrOverflow):
			t.Fatalf("%q: error %v, want an overflow", rest, out.Err)
		case k == 0 && !errors.Is(out.Err, io.ErrUnexpectedEOF):
			t.Fatalf("%q: error %v, want a truncation", rest, out.Err)
		case k > 1 && minimal && rest[k-1] == 0:
			if !errors.Is(out.Err, framing.ErrNonMinimal) {
				t.Fatalf("%q: error %v, want ErrNonMinimal", rest, out.Err)
			}
		case k > 0 && n > 64 && !errors.Is(out.Err, framing.ErrTooLong):
			t.Fatalf("%q: error %v, want ErrTooLong", rest, out.Err)
		}
	})
}
