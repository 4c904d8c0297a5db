package kv_test

import (
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
)

// TestGuidesQuoteTheExample keeps the guides true: every Go block in
// docs/property-testing.md and docs/fuzzing.md is quoted verbatim from this
// example's files.
func TestGuidesQuoteTheExample(t *testing.T) {
	for _, guide := range []string{"../../docs/property-testing.md", "../../docs/fuzzing.md"} {
		testutil.QuotesVerbatim(t, guide, "", 1, "kv.go", "kv_test.go")
	}
}
