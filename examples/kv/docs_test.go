package kv_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestGuidesQuoteTheExample keeps the guides true: every Go block in
// docs/property-testing.md and docs/fuzzing.md is quoted verbatim from this
// example's files.
func TestGuidesQuoteTheExample(t *testing.T) {
	var src strings.Builder
	for _, f := range []string{"kv.go", "kv_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	block := regexp.MustCompile("(?s)```go\n(.*?)```")
	for _, guide := range []string{"../../docs/property-testing.md", "../../docs/fuzzing.md"} {
		b, err := os.ReadFile(guide)
		if err != nil {
			t.Fatal(err)
		}
		blocks := block.FindAllStringSubmatch(string(b), -1)
		if len(blocks) == 0 {
			t.Errorf("%s: no Go blocks", guide)
		}
		for _, m := range blocks {
			if !strings.Contains(src.String(), m[1]) {
				t.Errorf("%s: this block is not in kv.go or kv_test.go:\n%s", guide, m[1])
			}
		}
	}
}
