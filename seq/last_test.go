package seq_test

import (
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
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
