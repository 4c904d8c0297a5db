package testutil

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// QuotesVerbatim fails t unless every Go block of the Markdown file guide
// appears verbatim in one of files, so that a guide's code is code that
// compiles and is tested. With section set, only the blocks under that
// heading line (up to the next "## " heading) count, and the section must
// exist. It fails if there are fewer than min blocks.
func QuotesVerbatim(t testing.TB, guide, section string, min int, files ...string) {
	t.Helper()
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	b, err := os.ReadFile(guide)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if section != "" {
		_, rest, ok := strings.Cut(text, section+"\n")
		if !ok {
			t.Fatalf("%s has no section %q", guide, section)
		}
		if i := strings.Index(rest, "\n## "); i >= 0 {
			rest = rest[:i]
		}
		text = rest
	}
	blocks := goBlock.FindAllStringSubmatch(text, -1)
	if len(blocks) < min {
		t.Fatalf("%s: %d Go blocks, want at least %d", guide, len(blocks), min)
	}
	for _, m := range blocks {
		if !strings.Contains(src.String(), m[1]) {
			t.Errorf("%s: this block is not in %s:\n%s", guide, strings.Join(files, " or "), m[1])
		}
	}
}
