package http1

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// TestFieldsGet checks the lookup of a field by name, ASCII case ignored,
// values trimmed, over every segmentation of the head (names and values
// cut by segment ends), and that it allocates nothing.
func TestFieldsGet(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost:  example.com \r\nX-Multi: a\r\nx-multi: b\r\nEmpty:\r\nCONTENT-type:\ttext/plain\t\r\n\r\n"
	for _, s := range segtest.Segmentations([]byte(in)) {
		r := NewRequestReader(pipe.FromSequence(s.Seq), Options{})
		p, err := r.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		f := p.Head.Fields
		for name, want := range map[string]string{"host": "example.com", "HOST": "example.com", "x-multi": "a",
			"Content-Type": "text/plain", "empty": ""} {
			if v, ok := f.Get(name); !ok || v.String() != want {
				t.Fatalf("%s: Get(%q) = %q, %v; want %q", s.Name, name, v, ok, want)
			}
		}
		if _, ok := f.Get("hos"); ok {
			t.Fatalf("%s: a prefix matched", s.Name)
		}
		var multi []string
		for v := range f.Values("X-MULTI") {
			multi = append(multi, v.String())
		}
		if len(multi) != 2 || multi[0] != "a" || multi[1] != "b" || f.Len() != 5 {
			t.Fatalf("%s: Values %q, Len %d", s.Name, multi, f.Len())
		}
		if n := testing.AllocsPerRun(100, func() { f.Get("content-type") }); n != 0 {
			t.Fatalf("%s: Get allocates %v times", s.Name, n)
		}
		r.Close()
	}
}

// TestGetAgreesWithAll checks Get, which reads a section in one segment
// without the iterator, against the first field All yields with the
// name (ASCII case ignored): random sections of names that share
// prefixes and lengths, values with whitespace at their ends, looked up
// by names of every case, prefixes, extensions, names holding a colon
// and the empty name, in one segment and cut at random.
func TestGetAgreesWithAll(t *testing.T) {
	rnd := rand.New(rand.NewPCG(10, 1))
	names := []string{"a", "ab", "Ab", "abc", "Host", "host", "X-A", "x-b", "content-length", "Content-Lengtx"}
	values := []string{"", " ", "v", " v ", "\tv\t", "a:b", "x y", "::"}
	lookups := append(slices.Clone(names), "", ":", "a:", "ab:", "a:b", "HOST", "hos", "hostt", "X-A:", "zz")
	for range 2000 {
		var b []byte
		n := rnd.IntN(6)
		for range n {
			b = fmt.Appendf(b, "%s:%s\r\n", names[rnd.IntN(len(names))], values[rnd.IntN(len(values))])
		}
		secs := []seq.Sequence{seq.Of(b)}
		if len(b) > 1 {
			secs = append(secs, segtest.Split(b, 1+rnd.IntN(len(b)-1)))
		}
		for _, sec := range secs {
			f := Fields{block: sec, n: n}
			for _, name := range lookups {
				want, wantOK := seq.Sequence{}, false
				for k, v := range f.All() {
					if equalFold(k, name) {
						want, wantOK = v, true
						break
					}
				}
				got, ok := f.Get(name)
				if ok != wantOK || got.String() != want.String() {
					t.Fatalf("%q: Get(%q) = %q, %v; All finds %q, %v", b, name, got, ok, want, wantOK)
				}
			}
		}
	}
}

// TestConnectionValues checks classifyValue's reading of a Connection
// value, which takes "keep-alive" and "close" whole, against the list of
// its tokens (listTokens): random values of the tokens in any case,
// with OWS, commas, parameters and near misses, in one segment and cut.
func TestConnectionValues(t *testing.T) {
	rnd := rand.New(rand.NewPCG(10, 2))
	parts := []string{"keep-alive", "Keep-Alive", "KEEP-ALIVE", "close", "Close", "upgrade", "keep-alivf", "clos",
		"keep-alive-x", "keep alive", " ", "\t", ",", ";p=1", "x", ""}
	for range 5000 {
		var v []byte
		for range rnd.IntN(4) {
			v = append(v, parts[rnd.IntN(len(parts))]...)
		}
		secs := []seq.Sequence{seq.Of(v)}
		if len(v) > 1 {
			secs = append(secs, segtest.Split(v, 1+rnd.IntN(len(v)-1)))
		}
		for _, s := range secs {
			var want connFlags
			for tok := range listTokens(s) {
				switch tok {
				case "close":
					want |= connClose
				case "keep-alive":
					want |= connKeepAlive
				case "upgrade":
					want |= connUpgrade
				}
			}
			f, err := classifyValue(fieldConnection, s)
			if err != nil || f.flags != want || f.kind != fieldConnection {
				t.Fatalf("%q: flags %b, %v; the list's %b", v, f.flags, err, want)
			}
		}
	}
}
