package framing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/fuzz"
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
