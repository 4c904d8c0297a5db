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

// TestSpanViews checks that SpanViews.At views the same bytes, at the same
// positions, as SpanSeqAt for every piece of every span, that moving the
// reader afterwards does not move the views' offsets, and that a piece
// outside the span panics.
func TestSpanViews(t *testing.T) {
	for _, c := range segtest.Segmentations([]byte("frame one\nframe two\r\n")) {
		r := seq.NewReader(c.Seq)
		r.Advance(min(3, r.Remaining())) // a span that starts inside its segment
		for !r.AtEnd() {
			span := r.Span()
			v := r.SpanViews()
			if v.Len() != len(span) {
				t.Fatalf("%s: SpanViews().Len() = %d, span %d", c.Name, v.Len(), len(span))
			}
			for i := 0; i <= len(span); i++ {
				for n := 0; i+n <= len(span); n++ {
					got, want := v.At(i, n), r.SpanSeqAt(i, n)
					if got.String() != string(span[i:i+n]) || got.Len() != n ||
						got.Start() != want.Start() || got.End() != want.End() {
						t.Fatalf("%s: At(%d, %d) = %q at %d..%d, SpanSeqAt gives %q at %d..%d", c.Name, i, n,
							got.String(), got.Start().Index(), got.End().Index(), want.String(), want.Start().Index(), want.End().Index())
					}
				}
			}
			for _, in := range [][2]int{{-1, 0}, {0, -1}, {len(span) + 1, 0}, {0, len(span) + 1}, {len(span), 1}, {1, len(span)}} {
				func() {
					defer func() {
						if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "seq: SpanViews.At") {
							t.Errorf("%s: At(%d, %d) with a span of %d: recovered %v", c.Name, in[0], in[1], len(span), p)
						}
					}()
					v.At(in[0], in[1])
				}()
			}
			first := v.At(0, len(span))
			r.Advance(len(span))
			if again := v.At(0, len(span)); again != first {
				t.Fatalf("%s: At(0, %d) after the reader moved = %q, before %q", c.Name, len(span), again.String(), first.String())
			}
		}
	}
	var zero seq.SpanViews
	if s := zero.At(0, 0); s.Len() != 0 || !s.IsEmpty() || zero.Len() != 0 {
		t.Fatalf("the zero SpanViews: At(0, 0) has %d bytes, Len %d", s.Len(), zero.Len())
	}
}

// TestLenEverySlice checks Len, whose single-segment case reads the packed
// offsets alone, against the bytes of every slice of every segmentation.
func TestLenEverySlice(t *testing.T) {
	data := []byte("0123456789abcdef")
	for _, c := range segtest.Segmentations(data) {
		for i := 0; i <= len(data); i++ {
			for j := i; j <= len(data); j++ {
				s := c.Seq.Slice(i, j)
				if s.Len() != j-i || len(s.Bytes()) != j-i {
					t.Fatalf("%s: Slice(%d, %d).Len() = %d, %d bytes", c.Name, i, j, s.Len(), len(s.Bytes()))
				}
			}
		}
	}
}
