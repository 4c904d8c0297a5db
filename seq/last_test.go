package seq_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/seq"
)

func TestLast(t *testing.T) {
	data := []byte("0123456789abcdef")
	for _, c := range segtest.Segmentations(data) {
		for n := 0; n <= len(data); n++ {
			got := c.Seq.Last(n)
			if got.String() != string(data[len(data)-n:]) || got.Len() != n {
				t.Fatalf("%s: Last(%d) = %q", c.Name, n, got.String())
			}
			if got.End().Index() != c.Seq.End().Index() {
				t.Fatalf("%s: Last(%d) ends at %d, want %d", c.Name, n, got.End().Index(), c.Seq.End().Index())
			}
		}
	}
}

func TestSpanSeq(t *testing.T) {
	for _, c := range segtest.Segmentations([]byte("hello, world")) {
		r := seq.NewReader(c.Seq)
		for !r.AtEnd() {
			span := r.Span()
			got := r.SpanSeq(len(span))
			if got.String() != string(span) || r.Consumed() != c.Seq.Len()-r.Remaining() {
				t.Fatalf("%s: SpanSeq(%d) = %q, span %q", c.Name, len(span), got.String(), span)
			}
			r.Advance(len(span))
		}
		r = seq.NewReader(c.Seq)
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "seq: SpanSeq") {
					t.Errorf("%s: SpanSeq beyond the span: recovered %v", c.Name, v)
				}
			}()
			r.SpanSeq(len(r.Span()) + 1)
		}()
	}
}
