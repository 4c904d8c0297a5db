package testutil

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzCorpus returns the inputs a fuzz target starts from: seeds (the
// arguments of its f.Add calls, in order) followed by the files of
// testdata/fuzz/<target> in the current directory, in the Go corpus format
// ("go test fuzz v1", then one []byte, string, byte, int or bool literal per
// line).
func FuzzCorpus(tb testing.TB, target string, seeds ...[]any) [][]any {
	tb.Helper()
	inputs := append([][]any(nil), seeds...)
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		in, err := parseCorpusFile(data)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		inputs = append(inputs, in)
	}
	return inputs
}

// AddSeeds adds each input to f's seed corpus.
func AddSeeds(f *testing.F, inputs [][]any) {
	for _, in := range inputs {
		f.Add(in...)
	}
}

func parseCorpusFile(data []byte) ([]any, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" {
		return nil, strconv.ErrSyntax
	}
	var vals []any
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		kind, lit, ok := strings.Cut(line, "(")
		if !ok || !strings.HasSuffix(lit, ")") {
			return nil, strconv.ErrSyntax
		}
		lit = lit[:len(lit)-1]
		var v any
		var err error
		switch kind {
		case "[]byte":
			var s string
			s, err = strconv.Unquote(lit)
			v = []byte(s)
		case "string":
			v, err = strconv.Unquote(lit)
		case "byte", "uint8":
			var c uint64
			if strings.HasPrefix(lit, "'") && len(lit) >= 3 {
				var r rune
				r, _, _, err = strconv.UnquoteChar(lit[1:len(lit)-1], '\'')
				c = uint64(r)
			} else {
				c, err = strconv.ParseUint(lit, 0, 8)
			}
			v = byte(c)
		case "int":
			var n int64
			n, err = strconv.ParseInt(lit, 0, 64)
			v = int(n)
		case "bool":
			v, err = strconv.ParseBool(lit)
		default:
			return nil, strconv.ErrSyntax
		}
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return vals, sc.Err()
}

// BenchFuzzCost measures what a fuzz target costs per execution against a
// bare parse of the same inputs: sub-benchmark "harness" runs the target's
// body on every input once per iteration, "bare" runs bare on every input,
// and both report ns/exec (time per input). The ratio bare/harness is the
// rate a target built on the harness runs at relative to a bare parse of its
// inputs (uninstrumented: the fuzzer's coverage counters slow both).
func BenchFuzzCost(b *testing.B, inputs [][]any, harness, bare func(tb testing.TB, in []any)) {
	run := func(name string, body func(testing.TB, []any)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, in := range inputs {
					body(b, in)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(inputs)), "ns/exec")
		})
	}
	run("harness", harness)
	run("bare", bare)
}
