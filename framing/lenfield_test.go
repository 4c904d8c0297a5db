package framing_test

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
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

// TestLengthFieldNetty reads the examples of the documentation of Netty's
// LengthFieldBasedFrameDecoder (io.netty.handler.codec, its class
// javadoc), each given as the options, one frame on the wire ("BEFORE
// DECODE") and the frame decoded ("AFTER DECODE"), then more of our own.
// Three frames in a row are read in every chunking and segmentation the
// fuzz harness tries, and every prefix ends in a truncation or a clean end.
func TestLengthFieldNetty(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    framing.LengthFieldOptions
		in   string // one frame
		want string // what the decoder returns
	}{
		{"2 bytes length field at offset 0, do not strip header",
			framing.LengthFieldOptions{Size: 2}, "\x00\x0cHELLO, WORLD", "\x00\x0cHELLO, WORLD"},
		{"2 bytes length field at offset 0, strip header",
			framing.LengthFieldOptions{Size: 2, Strip: 2}, "\x00\x0cHELLO, WORLD", "HELLO, WORLD"},
		{"2 bytes length field at offset 0, do not strip header, the length field represents the length of the whole message",
			framing.LengthFieldOptions{Size: 2, Adjustment: -2}, "\x00\x0eHELLO, WORLD", "\x00\x0eHELLO, WORLD"},
		{"3 bytes length field at the end of 5 bytes header, do not strip header",
			framing.LengthFieldOptions{Offset: 2, Size: 3}, "\xca\xfe\x00\x00\x0cHELLO, WORLD", "\xca\xfe\x00\x00\x0cHELLO, WORLD"},
		{"3 bytes length field at the beginning of 5 bytes header, do not strip header",
			framing.LengthFieldOptions{Size: 3, Adjustment: 2}, "\x00\x00\x0c\xca\xfeHELLO, WORLD", "\x00\x00\x0c\xca\xfeHELLO, WORLD"},
		{"2 bytes length field at offset 1 in the middle of 4 bytes header, strip the first header field and the length field",
			framing.LengthFieldOptions{Offset: 1, Size: 2, Adjustment: 1, Strip: 3}, "\xca\x00\x0c\xfeHELLO, WORLD", "\xfeHELLO, WORLD"},
		{"2 bytes length field at offset 1 in the middle of 4 bytes header, strip the first header field and the length field, the length field represents the length of the whole message",
			framing.LengthFieldOptions{Offset: 1, Size: 2, Adjustment: -3, Strip: 3}, "\xca\x00\x10\xfeHELLO, WORLD", "\xfeHELLO, WORLD"},
		// Our own.
		{"1-byte field", framing.LengthFieldOptions{Size: 1}, "\x03abc", "\x03abc"},
		{"the zero options: 4-byte big-endian field", framing.LengthFieldOptions{}, "\x00\x00\x00\x03abc", "\x00\x00\x00\x03abc"},
		{"8-byte little-endian field", framing.LengthFieldOptions{Size: 8, LittleEndian: true, Strip: 8}, "\x03\x00\x00\x00\x00\x00\x00\x00abc", "abc"},
		{"2-byte little-endian field", framing.LengthFieldOptions{Size: 2, LittleEndian: true, Strip: 1}, "\x03\x00abc", "\x00abc"},
		{"3-byte little-endian field", framing.LengthFieldOptions{Size: 3, LittleEndian: true, Strip: 3}, "\x03\x00\x00abc", "abc"},
		{"4-byte little-endian field", framing.LengthFieldOptions{Size: 4, LittleEndian: true, Strip: 4}, "\x03\x00\x00\x00abc", "abc"},
		{"8-byte field", framing.LengthFieldOptions{Size: 8, Strip: 8}, "\x00\x00\x00\x00\x00\x00\x00\x03abc", "abc"},
		{"uvarint field", framing.LengthFieldOptions{Size: framing.SizeUvarint, Strip: 1}, "\x03abc", "abc"},
		{"uvarint field of two bytes counting the frame", framing.LengthFieldOptions{Offset: 1, Size: framing.SizeUvarint, Adjustment: -3},
			"h\x83\x01" + strings.Repeat("u", 128), "h\x83\x01" + strings.Repeat("u", 128)},
		{"non-minimal uvarint field", framing.LengthFieldOptions{Size: framing.SizeUvarint, Strip: 2}, "\x83\x00abc", "abc"},
		{"empty frame", framing.LengthFieldOptions{Size: 2, Strip: 2}, "\x00\x00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := framing.LengthField(tc.o)
			check(t, p, tc.in+tc.in+tc.in, 0, outcome{frames(tc.want, tc.want, tc.want), ""})
			for n := 1; n < len(tc.in); n++ {
				check(t, p, tc.in+tc.in[:n], 0, outcome{frames(tc.want), truncated(n, int64(len(tc.in)))})
			}
		})
	}
}

func TestLengthFieldErrors(t *testing.T) {
	bad := func(off int64, what string) string {
		return syntax(off, "invalid value") + ": framing: length field declares no valid frame: " + what
	}
	for _, tc := range []struct {
		name  string
		o     framing.LengthFieldOptions
		input string
		limit int
		want  outcome
	}{
		{name: "over the maximum", o: framing.LengthFieldOptions{Size: 2, Strip: 2, MaxFrame: 10}, input: "\x00\x08abcdefgh\x00\x09abcdefghi",
			want: outcome{frames("abcdefgh"), tooLong(10, 10)}},
		{name: "the maximum counts the header and the adjustment", o: framing.LengthFieldOptions{Offset: 2, Size: 1, Adjustment: 2, MaxFrame: 10}, input: "hh\x06abcdefgh",
			want: outcome{nil, tooLong(0, 10)}},
		{name: "a negative adjustment lowers it", o: framing.LengthFieldOptions{Size: 1, Adjustment: -1, MaxFrame: 10}, input: "\x0aabcdefghi",
			want: outcome{frames("\x0aabcdefghi"), ""}},
		{name: "the default maximum", o: framing.LengthFieldOptions{}, limit: 8 << 20, input: "\x00\x10\x00\x00",
			want: outcome{nil, tooLong(0, framing.DefaultMaxFrame)}},
		{name: "the reader's limit when smaller", o: framing.LengthFieldOptions{}, limit: 64, input: "\x00\x00\x00\x3d",
			want: outcome{nil, (&parse.SizeError{Offset: 0, Limit: 64}).Error()}},
		{name: "no maximum but the reader's", o: framing.LengthFieldOptions{MaxFrame: -1}, limit: 8 << 20, input: "\xff\xff\xff\xff",
			want: outcome{nil, (&parse.SizeError{Offset: 0, Limit: 8 << 20}).Error()}},
		{name: "ends before the length field", o: framing.LengthFieldOptions{Size: 2, Adjustment: -3}, input: "\x00\x05ab\x00\x01",
			want: outcome{frames("\x00\x05ab"), bad(4, "adjusted frame length ends before the length field")}},
		{name: "shorter than the strip", o: framing.LengthFieldOptions{Offset: 2, Size: 1, Strip: 5}, input: "hh\x02abhh\x01c",
			want: outcome{frames(""), bad(7, "adjusted frame length is shorter than the bytes to strip")}},
		{name: "overflow", o: framing.LengthFieldOptions{Offset: 1, Size: 8}, input: "h\x80\x00\x00\x00\x00\x00\x00\x00",
			want: outcome{nil, bad(1, "value overflows int64")}},
		{name: "uvarint of 11 bytes", o: framing.LengthFieldOptions{Size: framing.SizeUvarint}, input: "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
			want: outcome{nil, syntax(0, "invalid varint") + ": seq: varint overflows a 64-bit integer"}},
		{name: "uvarint over 64 bits", o: framing.LengthFieldOptions{Size: framing.SizeUvarint}, input: "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02",
			want: outcome{nil, syntax(0, "invalid varint") + ": seq: varint overflows a 64-bit integer"}},
		{name: "uvarint truncated", o: framing.LengthFieldOptions{Offset: 1, Size: framing.SizeUvarint}, input: "h\x80\x80",
			want: outcome{nil, truncated(3, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, framing.LengthField(tc.o), tc.input, tc.limit, tc.want)
		})
	}
	var se *parse.SyntaxError
	r := parse.NewReader(pipe.FromBytes([]byte("\x00\x01")), framing.LengthField(framing.LengthFieldOptions{Size: 2, Adjustment: -3}), parse.Options{})
	defer r.Close()
	if _, err := r.Next(t.Context()); !errors.As(err, &se) || !errors.Is(err, framing.ErrBadLength) {
		t.Errorf("err %v, want a SyntaxError matching ErrBadLength", err)
	}
	invalid := []framing.LengthFieldOptions{{Size: 5}, {Size: -2}, {Offset: -1}, {Strip: -1}}
	if math.MaxInt > math.MaxInt32 { // an int of 64 bits can hold an adjustment past the arithmetic's
		invalid = append(invalid, framing.LengthFieldOptions{Adjustment: math.MaxInt}, framing.LengthFieldOptions{Offset: math.MaxInt})
	}
	for _, o := range invalid {
		if o.Validate() == nil {
			t.Errorf("%+v: valid", o)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("LengthField(%+v) did not panic", o)
				}
			}()
			framing.LengthField(o)
		}()
	}
}

func TestUvarintDelimited(t *testing.T) {
	for _, tc := range []struct {
		name  string
		o     framing.UvarintOptions
		input string
		limit int
		want  outcome
	}{
		{name: "messages", input: "\x00\x03abc\x01\x00\x80\x01" + strings.Repeat("m", 128),
			want: outcome{frames("", "abc", "\x00", strings.Repeat("m", 128)), ""}},
		{name: "non-minimal accepted", input: "\x80\x00\x83\x80\x00abc",
			want: outcome{frames("", "abc"), ""}},
		{name: "non-minimal refused", o: framing.UvarintOptions{Minimal: true}, input: "\x01a\x81\x00b",
			want: outcome{frames("a"), syntax(2, "invalid value") + ": framing: uvarint not in its shortest encoding"}},
		{name: "ten bytes", o: framing.UvarintOptions{MaxMessage: -1}, input: "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00",
			want: outcome{frames(""), ""}},
		{name: "eleven bytes", input: "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00",
			want: outcome{nil, syntax(0, "invalid varint") + ": seq: varint overflows a 64-bit integer"}},
		{name: "over 64 bits", input: "\x01a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02",
			want: outcome{frames("a"), syntax(2, "invalid varint") + ": seq: varint overflows a 64-bit integer"}},
		{name: "over the maximum", o: framing.UvarintOptions{MaxMessage: 3}, input: "\x03abc\x04abcd",
			want: outcome{frames("abc"), tooLong(4, 3)}},
		{name: "the default maximum", limit: 8 << 20, input: "\x81\x80\x80\x02",
			want: outcome{nil, tooLong(0, framing.DefaultMaxUvarintMessage)}},
		{name: "the reader's limit", o: framing.UvarintOptions{MaxMessage: -1}, limit: 10, input: "\x0a",
			want: outcome{nil, (&parse.SizeError{Offset: 0, Limit: 10}).Error()}},
		{name: "truncated in the length", input: "\x01a\x80",
			want: outcome{frames("a"), truncated(1, 2)}},
		{name: "truncated in the message", input: "\x05abc",
			want: outcome{nil, truncated(4, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, framing.UvarintDelimited(tc.o), tc.input, tc.limit, tc.want)
		})
	}
}

// TestLengthFieldEncoders round-trips frames through the encoders, appended
// and written into a pipe, and checks what they refuse.
func TestLengthFieldEncoders(t *testing.T) {
	big := fuzz.Options[seq.Sequence]{MaxMessageSize: 1 << 20}
	bodies := seqs("", "a", "HELLO, WORLD", string(make([]byte, 300)), strings.Repeat("z", 70000))
	for _, o := range []framing.LengthFieldOptions{
		{Size: 4, Strip: 4}, {Size: 3, Strip: 3, LittleEndian: true}, {Size: 8, Strip: 8},
		{Size: 2, Strip: 2, Adjustment: -2, MaxFrame: -1}, {Size: framing.SizeUvarint}, {Size: framing.SizeUvarint, Adjustment: 3},
	} {
		vals := bodies
		if o.Size == 2 {
			vals = vals[:4]
		}
		if o.Size == framing.SizeUvarint {
			// The field is not stripped: a frame reads back as the
			// encoder's output, which the check compares with itself.
			enc := func(dst []byte, v seq.Sequence) []byte {
				out, err := framing.AppendLengthField(dst, v.Bytes(), o)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			var in []byte
			var want []seq.Sequence
			for _, v := range vals {
				if v.Len() < o.Adjustment {
					continue // a negative field value
				}
				n := len(in)
				in = enc(in, v)
				want = append(want, seq.Of(in[n:]))
			}
			out := fuzz.CheckChunkings(t, fuzz.Parser(framing.LengthField(o)), in, big)
			if out.Err != nil || !fuzz.Equal(out.Messages, want) {
				t.Errorf("%+v: %d messages, %v", o, len(out.Messages), out.Err)
			}
			continue
		}
		fuzz.CheckRoundTrip(t, fuzz.Parser(framing.LengthField(o)),
			must(t, func(dst, b []byte) ([]byte, error) { return framing.AppendLengthField(dst, b, o) }), vals, big)
	}
	fuzz.CheckRoundTrip(t, fuzz.Parser(framing.UvarintDelimited(framing.UvarintOptions{Minimal: true})),
		func(dst []byte, v seq.Sequence) []byte { return framing.AppendUvarintDelimited(dst, v.Bytes()) }, bodies, big)

	for _, tc := range []struct {
		o    framing.LengthFieldOptions
		body string
	}{
		{framing.LengthFieldOptions{Size: 1}, strings.Repeat("x", 256)},
		{framing.LengthFieldOptions{Size: 3}, strings.Repeat("x", 1<<24)},
		{framing.LengthFieldOptions{Size: 2, Adjustment: 5}, "abcd"},
		{framing.LengthFieldOptions{Offset: 3, Size: 2}, "ab"},
		{framing.LengthFieldOptions{Size: 2, Strip: 9}, "abc"},
		{framing.LengthFieldOptions{Size: 2, MaxFrame: 5}, "abcd"},
		{framing.LengthFieldOptions{}, strings.Repeat("x", framing.DefaultMaxFrame)},
	} {
		if out, err := framing.AppendLengthField([]byte("keep"), []byte(tc.body), tc.o); !errors.Is(err, framing.ErrInvalid) || string(out) != "keep" {
			t.Errorf("%+v, %d bytes: %q, %v; want ErrInvalid and dst unchanged", tc.o, len(tc.body), clip(out), err)
		}
		if err := framing.WriteLengthField(pipe.New(pipe.Options{}).Writer(), []byte(tc.body), tc.o); !errors.Is(err, framing.ErrInvalid) {
			t.Errorf("%+v, %d bytes: WriteLengthField: %v, want ErrInvalid", tc.o, len(tc.body), err)
		}
	}
	if out, err := framing.AppendLengthField(nil, make([]byte, 255), framing.LengthFieldOptions{Size: 1}); err != nil || len(out) != 256 || out[0] != 255 {
		t.Errorf("255-byte body in a 1-byte field: %v", err)
	}
	// Netty's LengthFieldPrepender with lengthIncludesLengthFieldLength.
	if out, err := framing.AppendLengthField(nil, []byte("HELLO, WORLD"), framing.LengthFieldOptions{Size: 2, Adjustment: -2}); err != nil || string(out) != "\x00\x0eHELLO, WORLD" {
		t.Errorf("%q, %v", out, err)
	}
}

func clip(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "..."
	}
	return string(b)
}

// TestLengthFieldWriters writes frames, some larger than a segment, into
// a pipe and reads them back.
func TestLengthFieldWriters(t *testing.T) {
	big := []byte(strings.Repeat("abcdefghijklmnopqrstuvwxyz", 8<<10))
	lo := framing.LengthFieldOptions{Offset: 1, Size: 3, Strip: 4, MaxFrame: -1}
	p := pipe.New(pipe.Options{})
	go func() {
		w := p.Writer()
		_ = framing.WriteLengthField(w, append([]byte{'h'}, big...), lo)
		_ = framing.WriteLengthField(w, []byte("hx"), lo)
		framing.WriteUvarintDelimited(w, big)
		framing.WriteUvarintDelimited(w, nil)
		_, _ = w.Flush(t.Context())
		w.Complete(nil)
	}()
	var c collect
	if _, err := pipe.CopyTo(t.Context(), p.Reader(), &c); err != nil {
		t.Fatal(err)
	}
	in := parse.NewInput(seq.Of(c.b), true, 1<<20)
	for i, tc := range []struct {
		g    parse.TryParse[seq.Sequence]
		want string
	}{
		{framing.LengthField(lo), string(big)},
		{framing.LengthField(lo), "x"},
		{framing.UvarintDelimited(framing.UvarintOptions{}), string(big)},
		{framing.UvarintDelimited(framing.UvarintOptions{}), ""},
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

// claimReader is a stream that starts with head and goes on with zero
// bytes up to a total of n, made as they are read: a peer that declares a
// huge frame and sends it. It counts what was read.
type claimReader struct {
	head []byte
	n    int64
	read int64
}

func (r *claimReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), r.n-r.read))
	if r.read < int64(len(r.head)) {
		k = copy(p, r.head[r.read:])
	} else {
		clear(p[:k])
	}
	r.read += int64(k)
	return k, nil
}

// TestHostileClaim reads streams whose first frame declares 4 GiB, and
// would send them: each is refused with a typed error once its length is
// read, after at most one read of the source (4 KiB), with no more than a
// few MiB allocated. The message reader's limit is set far above the
// claim, so that the framing's own maximum is what refuses it. Run alone,
// this test binary's peak RSS is what docs/lengthfield.md records
// (/usr/bin/time -v framing.test -test.run TestHostileClaim).
func TestHostileClaim(t *testing.T) {
	const claim = 4 << 30
	for _, tc := range []struct {
		name string
		head string
		p    parse.TryParse[seq.Sequence]
	}{
		{"4-byte field", "\xff\xff\xff\xff", framing.LengthField(framing.LengthFieldOptions{})},
		{"8-byte field", "\x00\x00\x00\x01\x00\x00\x00\x00", framing.LengthField(framing.LengthFieldOptions{Size: 8, Strip: 8})},
		{"uvarint field", "\x80\x80\x80\x80\x10", framing.LengthField(framing.LengthFieldOptions{Size: framing.SizeUvarint})},
		{"uvarint-delimited", "\x80\x80\x80\x80\x10", framing.UvarintDelimited(framing.UvarintOptions{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			src := &claimReader{head: []byte(tc.head), n: claim + int64(len(tc.head))}
			r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), tc.p, parse.Options{MaxMessageSize: math.MaxInt})
			_, err := r.Next(t.Context())
			r.Close()
			runtime.ReadMemStats(&after)
			var tl *framing.TooLongError
			if !errors.As(err, &tl) || tl.Offset != 0 || !errors.Is(err, parse.ErrTooLarge) {
				t.Fatalf("err %v, want a *TooLongError at 0", err)
			}
			if src.read > 4<<10 {
				t.Errorf("read %d bytes before refusing", src.read)
			}
			if a := after.TotalAlloc - before.TotalAlloc; a > 4<<20 {
				t.Errorf("allocated %d bytes", a)
			}
		})
	}
	// With no maximum of its own, the reader's limit refuses it.
	src := &claimReader{head: []byte("\xff\xff\xff\xff"), n: claim}
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), framing.LengthField(framing.LengthFieldOptions{MaxFrame: -1}), parse.Options{})
	defer r.Close()
	var se *parse.SizeError
	if _, err := r.Next(t.Context()); !errors.As(err, &se) || src.read > 4<<10 {
		t.Fatalf("err %v after %d bytes, want a *parse.SizeError after the length", err, src.read)
	}
}

// TestLengthFieldByteReads reads some 2 MiB of frames of 0 to 16 KiB
// arriving a byte per read, with a length field and uvarint-delimited:
// every frame, in linear time (a rescan of a buffered frame per byte would
// take minutes).
func TestLengthFieldByteReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lo := framing.LengthFieldOptions{Size: 3, Strip: 3}
	var lin, uin []byte
	var want []int
	for total := 0; total < 2<<20; {
		n := rng.IntN(200)
		if rng.IntN(32) == 0 {
			n = rng.IntN(16 << 10)
		}
		body := make([]byte, n)
		for i := range body {
			body[i] = byte(i * 7)
		}
		lin, _ = framing.AppendLengthField(lin, body, lo)
		uin = framing.AppendUvarintDelimited(uin, body)
		want = append(want, n)
		total += n
	}
	for _, tc := range []struct {
		name string
		in   []byte
		p    parse.TryParse[seq.Sequence]
	}{
		{"lengthfield", lin, framing.LengthField(lo)},
		{"uvarint", uin, framing.UvarintDelimited(framing.UvarintOptions{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := parse.NewReader(pipe.NewReader(iotest.OneByteReader(&byteSource{b: tc.in}), pipe.ReaderOptions{}), tc.p, parse.Options{})
			defer r.Close()
			i := 0
			for m := range r.All(t.Context()) {
				if i >= len(want) || m.Len() != want[i] {
					t.Fatalf("frame %d: %d bytes", i, m.Len())
				}
				i++
			}
			if r.Err() != nil || i != len(want) {
				t.Fatalf("%d of %d frames, err %v", i, len(want), r.Err())
			}
			if d := time.Since(start); d > 60*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

type byteSource struct{ b []byte }

func (s *byteSource) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}
