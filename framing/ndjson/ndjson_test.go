package ndjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/framing/ndjson"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// values reads input through the fuzz harness (every chunking and
// segmentation it knows, compared with the whole input) and returns the
// values, blank lines dropped, and the error's text.
func values(t *testing.T, o ndjson.Options, input string) ([]string, string) {
	t.Helper()
	out := fuzz.CheckChunkings(t, fuzz.Parser(ndjson.Values(o)), []byte(input), fuzz.Options[seq.Sequence]{})
	var got []string
	for _, v := range out.Messages {
		if !v.IsEmpty() {
			got = append(got, v.String())
		}
	}
	if out.Err != nil {
		return got, out.Err.Error()
	}
	return got, ""
}

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		o           ndjson.Options
		want        []string
		err         string
	}{
		{name: "lf and crlf", input: "{\"a\":1}\n[1,2]\r\n\"s\"\nnull\n",
			want: []string{`{"a":1}`, `[1,2]`, `"s"`, `null`}},
		{name: "blank lines", input: "\n\r\n  \t\r\n1\n\n\n2\r\n \n",
			want: []string{"1", "2"}},
		{name: "last line without LF", input: "1\n{\"x\":true}",
			want: []string{"1", `{"x":true}`}},
		{name: "spaces kept", input: "  {\"a\": 1}  \n",
			want: []string{`  {"a": 1}  `}},
		{name: "not checked", input: "{oops\n",
			want: []string{"{oops"}},
		{name: "validated", o: ndjson.Options{Validate: true}, input: "{\"a\":1}\n{oops\n",
			want: []string{`{"a":1}`}, err: "parse: at offset 8: invalid value: ndjson: line is not a JSON value"},
		{name: "two values on a line", o: ndjson.Options{Validate: true}, input: "1 2\n",
			err: "parse: at offset 0: invalid value: ndjson: line is not a JSON value"},
		{name: "too long", o: ndjson.Options{MaxLine: 8}, input: "12345678\n123456789\n",
			want: []string{"12345678"}, err: (&framing.TooLongError{Offset: 9, Max: 8}).Error()},
		{name: "too long at the end", o: ndjson.Options{MaxLine: 8}, input: "1\n123456789",
			want: []string{"1"}, err: (&framing.TooLongError{Offset: 2, Max: 8}).Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := values(t, tc.o, tc.input)
			if !reflect.DeepEqual(got, tc.want) || err != tc.err {
				t.Errorf("got %q then %q, want %q then %q", got, err, tc.want, tc.err)
			}
		})
	}
}

// TestErrorsMatch checks the sentinels of the typed errors.
func TestErrorsMatch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		o    ndjson.Options
		want error
	}{
		{"[1,\n", ndjson.Options{Validate: true}, ndjson.ErrInvalid},
		{strings.Repeat("1", 100) + "\n", ndjson.Options{MaxLine: 10}, ndjson.ErrTooLong},
		{strings.Repeat("1", 100) + "\n", ndjson.Options{MaxLine: 10}, parse.ErrTooLarge},
	} {
		r := ndjson.NewReader(pipe.FromBytes([]byte(tc.in)), tc.o)
		_, err := r.Next(t.Context())
		r.Close()
		if !errors.Is(err, tc.want) {
			t.Errorf("%q: err %v, want %v", tc.in, err, tc.want)
		}
	}
}

// TestReader checks that the Reader skips blank lines, in Next and All.
func TestReader(t *testing.T) {
	in := "\n1\n\n\r\n2\n \n"
	r := ndjson.NewReader(pipe.FromBytes([]byte(in)), ndjson.Options{})
	var got []string
	for {
		v, err := r.Next(t.Context())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.String())
	}
	r.Close()
	r = ndjson.NewReader(pipe.FromBytes([]byte(in)), ndjson.Options{})
	defer r.Close()
	for v := range r.All(t.Context()) {
		got = append(got, v.String())
	}
	if r.Err() != nil || strings.Join(got, ",") != "1,2,1,2" {
		t.Errorf("got %q, err %v", got, r.Err())
	}
}

// TestVectors reads the examples published with the JSON Lines format
// (testdata/README.md) in every chunking, validating each line.
func TestVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/jsonlines-org.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{string(b), strings.ReplaceAll(string(b), "\n", "\r\n"), strings.TrimSuffix(string(b), "\n")} {
		got, e := values(t, ndjson.Options{Validate: true}, in)
		if e != "" || len(got) != 12 {
			t.Fatalf("%d values, err %q", len(got), e)
		}
		var v any
		if err := json.Unmarshal([]byte(got[5]), &v); err != nil || fmt.Sprint(v) != "map[name:Gilbert wins:[[straight 7♣] [one pair 10♥]]]" {
			t.Errorf("value 6: %v, %v", v, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	vals := []seq.Sequence{seq.Of([]byte(`{"a":"x\ny"}`)), seq.Of([]byte(`1`)), seq.Of([]byte(` [] `)), seq.Of([]byte(`"é"`))}
	fuzz.CheckRoundTrip(t, fuzz.Parser(ndjson.Values(ndjson.Options{Validate: true})), func(dst []byte, v seq.Sequence) []byte {
		out, err := ndjson.Append(dst, v.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return out
	}, vals, fuzz.Options[seq.Sequence]{})
	for _, bad := range []string{"", " \t", "1\n2", "1\r"} {
		if _, err := ndjson.Append(nil, []byte(bad)); !errors.Is(err, ndjson.ErrEncode) {
			t.Errorf("Append(%q): %v, want ErrEncode", bad, err)
		}
		if err := ndjson.Write(pipe.New(pipe.Options{}).Writer(), []byte(bad)); !errors.Is(err, ndjson.ErrEncode) {
			t.Errorf("Write(%q): %v, want ErrEncode", bad, err)
		}
	}
	b, err := ndjson.AppendJSON(nil, map[string]any{"k": "line\nbreak"})
	if err != nil || string(b) != "{\"k\":\"line\\nbreak\"}\n" {
		t.Errorf("AppendJSON: %q, %v", b, err)
	}
}

// TestWrite writes values into a pipe and reads them back.
func TestWrite(t *testing.T) {
	p := pipe.New(pipe.Options{})
	go func() {
		w := p.Writer()
		for i := range 1000 {
			_ = ndjson.Write(w, fmt.Appendf(nil, `{"i":%d}`, i))
		}
		_, _ = w.Flush(context.Background())
		w.Complete(nil)
	}()
	r := ndjson.NewReader(p.Reader(), ndjson.Options{Validate: true})
	defer r.Close()
	n := 0
	for v := range r.All(t.Context()) {
		if v.String() != fmt.Sprintf(`{"i":%d}`, n) {
			t.Fatalf("value %d: %q", n, v)
		}
		n++
	}
	if r.Err() != nil || n != 1000 {
		t.Errorf("%d values, err %v", n, r.Err())
	}
}

// TestEndlessLine sends a line that never ends, a byte per read: the
// error comes once the maximum is passed, with no more of it read.
func TestEndlessLine(t *testing.T) {
	src := &segtest.Bytewise{Data: []byte(strings.Repeat("[", 2<<20))}
	r := ndjson.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), ndjson.Options{})
	defer r.Close()
	_, err := r.Next(t.Context())
	if !errors.Is(err, ndjson.ErrTooLong) {
		t.Fatalf("err %v", err)
	}
	if src.N > framing.DefaultMaxLine+3 {
		t.Errorf("read %d bytes", src.N)
	}
}

// document builds n JSON values of varied shapes and sizes: strings with
// escapes and non-ASCII text, numbers, nesting, a few long ones.
func document(n int) []any {
	rnd := rand.New(rand.NewPCG(1, 2))
	words := []string{"plain", "quote\"d", "back\\slash", "new\nline", "tab\t", "é中😀", "<html>&amp;", "\u2028"}
	out := make([]any, n)
	for i := range out {
		m := map[string]any{"i": float64(i), "w": words[rnd.IntN(len(words))], "f": rnd.Float64() * 1e6}
		if i%7 == 0 {
			m["nested"] = map[string]any{"list": []any{1.0, "two", nil, true, map[string]any{}}}
		}
		if i%97 == 0 {
			m["long"] = strings.Repeat("x", 5000+rnd.IntN(5000))
		}
		out[i] = m
	}
	return out
}

// TestLiveJQ frames what jq -c writes for a generated document, one value
// per line, in every chunking: as many values as the document has, each
// equal to its element.
func TestLiveJQ(t *testing.T) {
	doc := document(300)
	in, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	outb := wiretap.Run(t, in, "jq", "-c", ".[]")
	checkLive(t, outb, doc)
	// jq --seq is not JSON Lines; the pretty output is not either. What
	// jq writes with CRLF line ends (a Windows build's output) reads the same.
	checkLive(t, []byte(strings.ReplaceAll(string(outb), "\n", "\r\n")), doc)
}

func checkLive(t *testing.T, outb []byte, doc []any) {
	t.Helper()
	o := ndjson.Options{Validate: true}
	out := fuzz.CheckChunkings(t, fuzz.Parser(ndjson.Values(o)), outb, fuzz.Options[seq.Sequence]{MaxMessageSize: 1 << 20})
	if out.Err != nil || len(out.Messages) != len(doc) {
		t.Fatalf("%d values, err %v; want %d", len(out.Messages), out.Err, len(doc))
	}
	for i, m := range out.Messages {
		var v any
		if err := json.Unmarshal(m.Bytes(), &v); err != nil || !reflect.DeepEqual(v, doc[i]) {
			t.Fatalf("value %d: %v (%v)", i, v, err)
		}
	}
}

// TestLiveTest2JSON frames the JSON Lines that the Go toolchain's
// test2json writes for a verbose test run: one event per line, as many as
// go's own decoder reads, with the same actions.
func TestLiveTest2JSON(t *testing.T) {
	goBin := wiretap.Require(t, "go")
	var verbose strings.Builder
	for i := range 50 {
		fmt.Fprintf(&verbose, "=== RUN   TestX%d\n    x_test.go:%d: output with \"quotes\" and \\ and é\n--- PASS: TestX%d (0.00s)\n", i, i, i)
	}
	verbose.WriteString("PASS\nok  \texample\t0.01s\n")
	cmd := exec.Command(goBin, "tool", "test2json", "-p", "example")
	cmd.Stdin = strings.NewReader(verbose.String())
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("test2json: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(outb)))
	var actions []string
	for {
		var ev struct{ Action string }
		if err := dec.Decode(&ev); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, ev.Action)
	}
	out := fuzz.CheckChunkings(t, fuzz.Parser(ndjson.Values(ndjson.Options{Validate: true})), outb, fuzz.Options[seq.Sequence]{})
	if out.Err != nil || len(out.Messages) != len(actions) || len(actions) < 150 {
		t.Fatalf("%d values, err %v; go's decoder read %d", len(out.Messages), out.Err, len(actions))
	}
	for i, m := range out.Messages {
		var ev struct{ Action string }
		if err := json.Unmarshal(m.Bytes(), &ev); err != nil || ev.Action != actions[i] {
			t.Fatalf("event %d: %q, want %q (%v)", i, ev.Action, actions[i], err)
		}
	}
}

func FuzzValues(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n\r\n [1,2] \r\n\n\"s\""), []byte{2, 0}, false)
	f.Add([]byte("{oops\n1 2\n"), []byte{}, true)
	f.Add([]byte(strings.Repeat("7", 40)+"\n1"), []byte{3}, true)
	f.Fuzz(func(t *testing.T, data, cuts []byte, validate bool) {
		fuzz.Fuzz(t, fuzz.Parser(ndjson.Values(ndjson.Options{MaxLine: 32, Validate: validate})), data, cuts, fuzz.Options[seq.Sequence]{MaxMessageSize: 64})
	})
}

// TestSetupShared: readers with the same options share one declared
// grammar (declaring it took 20 µs and about 50 allocations per reader),
// and readers sharing it read at once.
func TestSetupShared(t *testing.T) {
	var in strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&in, "{\"n\":%d,\"s\":%q}\n", i, strings.Repeat("v", i%131))
		if i%50 == 0 {
			in.WriteString("\n")
		}
	}
	o := ndjson.Options{Validate: true}
	open := func(src pipe.Reader) io.Closer { return ndjson.NewReader(src, o) }
	read := func(src pipe.Reader) []string {
		r := ndjson.NewReader(src, o)
		defer r.Close()
		var out []string
		for v := range r.All(context.Background()) {
			out = append(out, v.String())
		}
		return append(out, fmt.Sprint(r.Err()))
	}
	parsetest.SharedSetup(t, 1, open, read, []byte(in.String()))
}
