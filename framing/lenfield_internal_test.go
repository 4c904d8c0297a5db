package framing

import (
	"fmt"
	"strings"
	"testing"

	c "github.com/sluicego/sluice/combinators"
)

// TestLengthFieldReadsLengthOnce: a fixed-size field is declared with
// Capped, which LengthPrefixed fuses with the field, so the field is read
// once per frame; a Bind that peeks at it to check the maximum before
// LengthPrefixed reads it again is what it replaces. A 3-byte field is a
// run of two fixed-width fields, fused the same way.
func TestLengthFieldReadsLengthOnce(t *testing.T) {
	for _, o := range []LengthFieldOptions{{Size: 4, MaxFrame: 1 << 20}, {Offset: 3, Size: 2, Strip: 5, MaxFrame: 100}, {Size: 3, LittleEndian: true}, {Size: 8}} {
		o = o.normal()
		d := c.Describe(lengthField(o))
		if strings.Contains(d, "Bind") || !strings.HasPrefix(d, "LengthPrefixed [fused]") ||
			!strings.Contains(d, fmt.Sprintf("Capped(%d) [fused]", o.MaxFrame)) {
			t.Errorf("%+v:\n%s", o, d)
		}
	}
}
