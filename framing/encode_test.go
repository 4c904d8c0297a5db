package framing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

func seqs(ss ...string) []seq.Sequence {
	out := make([]seq.Sequence, len(ss))
	for i, s := range ss {
		out[i] = seq.Of([]byte(s))
	}
	return out
}

// must turns an encoder that may refuse into one for CheckRoundTrip,
// which the test's values never make refuse.
func must(t *testing.T, enc func(dst, b []byte) ([]byte, error)) func([]byte, seq.Sequence) []byte {
	return func(dst []byte, v seq.Sequence) []byte {
		out, err := enc(dst, v.Bytes())
		if err != nil {
			t.Fatalf("encoding %q: %v", v, err)
		}
		return out
	}
}

func TestRoundTrips(t *testing.T) {
	lines := seqs("", "a", "a\rb", "héllo wörld", "\r\r\x00", "x")
	for _, e := range []framing.LineEnd{framing.EndLFOrCRLF, framing.EndLF, framing.EndCRLF} {
		vals := lines
		if e == framing.EndLF || e == framing.EndCRLF {
			vals = append(seqs("ends in CR\r"), lines...)
		}
		if e == framing.EndCRLF {
			vals = append(seqs("bare\nLF"), vals...)
		}
		t.Run("lines/"+e.String(), func(t *testing.T) {
			fuzz.CheckRoundTrip(t, fuzz.Parser(framing.Lines(framing.LineOptions{End: e})),
				must(t, func(dst, b []byte) ([]byte, error) { return framing.AppendLine(dst, b, e) }), vals, fuzz.Options[seq.Sequence]{})
		})
	}
	do := framing.DelimOptions{Delims: []string{"\r\n", "\r", "||"}}
	t.Run("delimited", func(t *testing.T) {
		fuzz.CheckRoundTrip(t, fuzz.Parser(framing.Delimited(do)),
			must(t, func(dst, b []byte) ([]byte, error) { return framing.AppendDelimited(dst, b, do) }), seqs("a", "", "|b|", "\n"), fuzz.Options[seq.Sequence]{})
	})
	t.Run("fixed", func(t *testing.T) {
		fuzz.CheckRoundTrip(t, fuzz.Parser(framing.Fixed(2)),
			must(t, func(dst, b []byte) ([]byte, error) { return framing.AppendFixed(dst, b, 2) }), seqs("ab", "\r\n", "\x00\x00"), fuzz.Options[seq.Sequence]{})
	})
	t.Run("netstring", func(t *testing.T) {
		fuzz.CheckRoundTrip(t, fuzz.Parser(framing.Netstring(framing.NetstringOptions{})),
			func(dst []byte, v seq.Sequence) []byte { return framing.AppendNetstring(dst, v.Bytes()) },
			seqs("", "a", "12:,", string(make([]byte, 300))), fuzz.Options[seq.Sequence]{})
	})
}

// TestEncodersRefuse checks that a frame that would not read back as
// itself is refused with ErrInvalid, by the append and the write forms.
func TestEncodersRefuse(t *testing.T) {
	do := framing.DelimOptions{Delims: []string{"\n", "\r\n"}}
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"lf in line", func() error { _, err := framing.AppendLine(nil, []byte("a\nb"), framing.EndLF); return err }},
		{"cr at the end", func() error { _, err := framing.AppendLine(nil, []byte("a\r"), framing.EndLFOrCRLF); return err }},
		{"crlf in crlf line", func() error { _, err := framing.AppendLine(nil, []byte("a\r\nb"), framing.EndCRLF); return err }},
		{"unknown end", func() error { _, err := framing.AppendLine(nil, nil, framing.LineEnd(9)); return err }},
		{"delimiter inside", func() error { _, err := framing.AppendDelimited(nil, []byte("a\nb"), do); return err }},
		{"makes a longer delimiter", func() error { _, err := framing.AppendDelimited(nil, []byte("a\r"), do); return err }},
		{"no delimiter", func() error { _, err := framing.AppendDelimited(nil, []byte("a"), framing.DelimOptions{}); return err }},
		{"fixed size", func() error { _, err := framing.AppendFixed(nil, []byte("abc"), 2); return err }},
		{"write line", func() error { return framing.WriteLine(pipe.New(pipe.Options{}).Writer(), []byte("\n"), framing.EndLF) }},
		{"write delimited", func() error {
			return framing.WriteDelimited(pipe.New(pipe.Options{}).Writer(), []byte("\n"), do)
		}},
		{"write fixed", func() error { return framing.WriteFixed(pipe.New(pipe.Options{}).Writer(), nil, 1) }},
	} {
		if err := tc.err(); !errors.Is(err, framing.ErrInvalid) {
			t.Errorf("%s: err %v, want ErrInvalid", tc.name, err)
		}
	}
}

// TestWriters writes frames of every kind into a pipe, some larger than
// a segment, and reads them back.
func TestWriters(t *testing.T) {
	p := pipe.New(pipe.Options{})
	big := make([]byte, 200<<10)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	go func() {
		w := p.Writer()
		_ = framing.WriteFixed(w, []byte("FX"), 2)
		_ = framing.WriteLine(w, []byte("line"), framing.EndCRLF)
		_ = framing.WriteLine(w, big, framing.EndLF)
		_ = framing.WriteDelimited(w, []byte("d"), framing.DelimOptions{Delims: []string{";"}})
		framing.WriteNetstring(w, big)
		framing.WriteNetstring(w, nil)
		_, _ = w.Flush(context.Background())
		w.Complete(nil)
	}()
	var c collect
	if _, err := pipe.CopyTo(context.Background(), p.Reader(), &c); err != nil {
		t.Fatal(err)
	}
	// The frames one after the other, each read by its grammar from where
	// the last one stopped.
	in := parse.NewInput(seq.Of(c.b), true, 1<<20)
	for i, tc := range []struct {
		g    parse.TryParse[seq.Sequence]
		want string
	}{
		{framing.Fixed(2), "FX"},
		{framing.Lines(framing.LineOptions{End: framing.EndCRLF}), "line"},
		{framing.Lines(framing.LineOptions{End: framing.EndLF, MaxLength: -1}), string(big)},
		{framing.Delimited(framing.DelimOptions{Delims: []string{";"}}), "d"},
		{framing.Netstring(framing.NetstringOptions{}), string(big)},
		{framing.Netstring(framing.NetstringOptions{}), ""},
	} {
		v, err := tc.g(in)
		if err != nil || v.String() != tc.want {
			t.Fatalf("frame %d: %d bytes, %v; want %d bytes", i, v.Len(), err, len(tc.want))
		}
	}
	if in.Remaining() != 0 {
		t.Errorf("%d bytes left", in.Remaining())
	}
}

type collect struct{ b []byte }

func (c *collect) Write(p []byte) (int, error) { c.b = append(c.b, p...); return len(p), nil }
