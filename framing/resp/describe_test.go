package resp

import (
	"strings"
	"testing"

	cb "github.com/sluicego/sluice/combinators"
)

// TestGrammarsCompiled: both grammars are compiled as their speed needs
// (see docs/resp.md, Measured): every bulk string a fused TakeLen (its
// length, bytes and CRLF read in one step, nothing chosen per message, no
// Bind), and a value's '$' fused with the Dispatch after it, which the
// value's Dispatch then chooses by two bytes.
func TestGrammarsCompiled(t *testing.T) {
	for name, d := range map[string]string{
		"Commands": cb.Describe(Commands(Limits{})),
		"Values":   cb.Describe(declaredValues(defaults)),
	} {
		if !strings.Contains(d, "TakeLen ") {
			t.Errorf("%s: no TakeLen in\n%s", name, d)
		}
		for _, line := range strings.Split(d, "\n") {
			if strings.Contains(line, "TakeLen") && !strings.HasSuffix(line, "[fused]") {
				t.Errorf("%s: TakeLen not fused: %q in\n%s", name, line, d)
			}
		}
		if strings.Contains(d, "Bind") {
			t.Errorf("%s: a Bind left in\n%s", name, d)
		}
	}
	if d := cb.Describe(declaredValues(defaults)); !strings.Contains(d, "'$': Then [fused]\n    Byte('$')\n    Dispatch\n") {
		t.Errorf("Values: '$' not fused with its Dispatch in\n%s", d)
	}
}
