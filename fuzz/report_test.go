package fuzz_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// perRead emits what each read brings as one message, so that its
// messages depend on the chunking: whole, one message; in chunks, one per
// chunk.
func perRead[T any](msg func(buf seq.Sequence) T) fuzz.Decoder[T] {
	return func(ctx context.Context, r pipe.Reader, limit int, emit func(T)) error {
		defer r.Complete(nil)
		for {
			res, err := r.Read(ctx)
			if err != nil {
				return err
			}
			if res.Buffer.Len() > 0 {
				emit(msg(res.Buffer))
			}
			r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
			if res.Completed {
				return nil
			}
		}
	}
}

// frame is a message with a text field, a binary one and a number.
type frame struct {
	Key  seq.Sequence
	Body []byte
	N    int
}

// TestMismatchReportGolden: a mismatch report shows seq.Sequence messages
// as quoted strings, and binary bytes in hex, the same in every run.
func TestMismatchReportGolden(t *testing.T) {
	input := []byte("GET a\x00\x01\x02\x03")
	report := func(check func(fuzz.TB)) string {
		first := fuzz.Prop(check)
		for range 5 {
			if again := fuzz.Prop(check); again != first {
				t.Fatalf("the report changed between runs:\n%s\nthen\n%s", first, again)
			}
		}
		return first
	}

	msg := report(func(tb fuzz.TB) {
		fuzz.Check(tb, perRead(func(b seq.Sequence) seq.Sequence { return b }), input, []int{5}, fuzz.Options[seq.Sequence]{})
	})
	want := `fuzz: mismatch when the input arrives in 2 chunks: the chunked input gave another result than the whole input
messages (-whole +chunked):
- [0] "GET a\x00\x01\x02\x03"
+ [0] "GET a"
+ [1] "\x00\x01\x02\x03"
minimal chunking: cuts []int{5}, chunks "GET a" "\x00\x01\x02\x03"
input (9 bytes): "GET a\x00\x01\x02\x03"`
	if msg != want {
		t.Errorf("sequences: got\n%s\nwant\n%s", msg, want)
	}

	msg = report(func(tb fuzz.TB) {
		fuzz.Check(tb, perRead(func(b seq.Sequence) frame {
			return frame{Key: b.Slice(0, min(3, b.Len())), Body: b.Bytes(), N: b.Len()}
		}), input, []int{5}, fuzz.Options[frame]{})
	})
	want = `fuzz: mismatch when the input arrives in 2 chunks: the chunked input gave another result than the whole input
messages (-whole +chunked):
- [0] {Key: "GET", Body: "GET a\x00\x01\x02\x03", N: 9}
+ [0] {Key: "GET", Body: "GET a", N: 5}
+ [1] {Key: "\x00\x01\x02", Body: hex"00010203", N: 4}
minimal chunking: cuts []int{5}, chunks "GET a" "\x00\x01\x02\x03"
input (9 bytes): "GET a\x00\x01\x02\x03"`
	if msg != want {
		t.Errorf("structs: got\n%s\nwant\n%s", msg, want)
	}
	for _, bad := range []string{"Inverse(", `s"`, "uint8", "\u00a0"} {
		if strings.Contains(msg, bad) {
			t.Errorf("the report contains %q:\n%s", bad, msg)
		}
	}
}

// TestMismatchReportLong: a long run of messages is shown around the
// change, and a long message cut short.
func TestMismatchReportLong(t *testing.T) {
	var input []byte
	for i := range 30 {
		input = append(input, "line "...)
		input = append(input, byte('a'+i%26))
		input = append(input, "\r\n"...)
	}
	input = append(input, strings.Repeat("z", 300)+"\r\n"...)
	cut := len(input) - 1 // between the last '\r' and '\n'
	msg := fuzz.Prop(func(tb fuzz.TB) {
		fuzz.Check(tb, fuzz.Parser(splitCRLF), input, []int{cut}, fuzz.Options[string]{})
	})
	want := `messages (-whole +chunked):
  ... 28 equal messages
  [28] "line c"
  [29] "line d"
- [30] "` + strings.Repeat("z", 200) + `"...(100 more bytes)
error: whole nil, chunked "parse: input ended inside a message: 302 bytes at offset 240: unexpected EOF"
`
	if !strings.Contains(msg, want) {
		t.Fatalf("want the report to contain\n%s\ngot:\n%s", want, msg)
	}
}

// TestRoundTripReportGolden: a round trip that decodes other values than
// were encoded shows them as a mismatch does.
func TestRoundTripReportGolden(t *testing.T) {
	enc := func(dst []byte, v seq.Sequence) []byte { return append(dst, v.Bytes()...) }
	values := []seq.Sequence{seq.Of([]byte("ab")), seq.Of([]byte("\x00\x01"))}
	oneByte := func(in *parse.Input) (seq.Sequence, error) {
		if in.Rest().Len() == 0 {
			return seq.Sequence{}, in.NeedMore(1)
		}
		m := in.Rest().Slice(0, 1)
		in.Advance(1)
		return m, nil
	}
	msg := fuzz.Prop(func(tb fuzz.TB) {
		fuzz.CheckRoundTrip(tb, fuzz.Parser(oneByte), enc, values, fuzz.Options[seq.Sequence]{})
	})
	want := `fuzz: decoded values differ from the encoded ones (-encoded +decoded):
- [0] "ab"
+ [0] "a"
- [1] "\x00\x01"
+ [1] "b"
+ [2] "\x00"
+ [3] "\x01"
minimal chunking: none, the whole input in one read
input: "ab\x00\x01"`
	if msg != want {
		t.Errorf("got\n%s\nwant\n%s", msg, want)
	}
}

// TestGuidesShowRealReports: the reports the guides show are what the
// checks write.
func TestGuidesShowRealReports(t *testing.T) {
	for _, c := range []struct {
		guide string
		check func(fuzz.TB)
	}{
		{"../docs/property-testing.md", func(tb fuzz.TB) {
			fuzz.Check(tb, fuzz.Parser(splitCRLF), []byte(lines), []int{12}, fuzz.Options[string]{})
		}},
		{"../docs/fuzzing.md", func(tb fuzz.TB) {
			fuzz.CheckChunkings(tb, noLimitLoop, []byte(overLimit), fuzz.Options[string]{MaxMessageSize: 16})
		}},
	} {
		guide, err := os.ReadFile(c.guide)
		if err != nil {
			t.Fatal(err)
		}
		report := fuzz.Prop(c.check)
		// The guides leave out the input line.
		report = report[:strings.LastIndex(report, "\ninput")]
		if !strings.Contains(string(guide), "```\n"+report+"\n```") {
			t.Errorf("%s does not show this report:\n%s", c.guide, report)
		}
	}
}

// TestRoundTripOfNothing: no values encode to no input, which decodes to
// no messages: the round trip holds.
func TestRoundTripOfNothing(t *testing.T) {
	if msg := fuzz.Prop(func(tb fuzz.TB) {
		fuzz.CheckRoundTrip(tb, fuzz.Parser(goodCRLF), func(dst []byte, v string) []byte { return append(append(dst, v...), crlf...) }, []string{}, fuzz.Options[string]{})
	}); msg != "" {
		t.Fatalf("reported:\n%s", msg)
	}
}
