package http1

import (
	"testing"

	"github.com/sluicego/sluice/seq"
)

// TestValidExtensions: chunk extensions as RFC 9112 §7.1.1 writes them,
// *( BWS ";" BWS name [ BWS "=" BWS value ] ): whitespace around ';' and
// before '=' is taken, whitespace at the end of the line is not (a
// fuzzed "0;0 \r\n" that the hand-written reference refuses; the
// decoder accepted it).
func TestValidExtensions(t *testing.T) {
	for in, want := range map[string]bool{
		"": true, ";a": true, "; a=b": true, ";a =b": true, ";a = b": true, ` ;a="q\"x"`: true,
		";a=b ;c": true, ";a ;c": true,
		";0 ": false, ";a=b ": false, `;a="q" `: false, " ": false, ";": false, ";a=": false, "a": false,
		`;a="open`: false, ";a=b c": false,
	} {
		if got := validExtensions(seq.Of([]byte(in))); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}
