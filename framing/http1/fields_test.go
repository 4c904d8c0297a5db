package http1

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
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
