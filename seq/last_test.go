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

// TestReadSpan checks that ReadSpan views the first n bytes of the span,
// reads k, and refuses every pair outside 0 <= n <= k < len(Span()).
func TestReadSpan(t *testing.T) {
	for _, c := range segtest.Segmentations([]byte("line one\r\nline two\n")) {
		r := seq.NewReader(c.Seq)
		for !r.AtEnd() {
			span := r.Span()
			if len(span) < 2 {
				r.Advance(len(span))
				continue
			}
			before := r.Consumed()
			n, k := len(span)/2, len(span)-1
			got := r.ReadSpan(n, k)
			if got.String() != string(span[:n]) || r.Consumed() != before+k {
				t.Fatalf("%s: ReadSpan(%d, %d) of %q = %q, consumed %d -> %d", c.Name, n, k, span, got.String(), before, r.Consumed())
			}
			if got.End().Index() != got.Start().Index()+int64(n) {
				t.Fatalf("%s: ReadSpan(%d, %d) spans %d..%d", c.Name, n, k, got.Start().Index(), got.End().Index())
			}
		}
		r = seq.NewReader(c.Seq)
		span := len(r.Span())
		for _, nk := range [][2]int{{-1, 0}, {2, 1}, {0, span}, {0, -1}, {span, span}} {
			func() {
				defer func() {
					if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "seq: ReadSpan") {
						t.Errorf("%s: ReadSpan(%d, %d) with a span of %d: recovered %v", c.Name, nk[0], nk[1], span, v)
					}
				}()
				r.ReadSpan(nk[0], nk[1])
			}()
			if r.Consumed() != 0 {
				t.Fatalf("%s: a refused ReadSpan(%d, %d) read %d bytes", c.Name, nk[0], nk[1], r.Consumed())
			}
		}
	}
}
