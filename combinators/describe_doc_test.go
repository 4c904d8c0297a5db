package combinators_test

import (
	"testing"

	"github.com/sluicego/sluice/internal/testutil"
)

// TestGrammarGuideQuotesDescribe keeps the section of docs/grammar.md on
// compiled grammars true: its Go block is ExampleDescribe, verbatim.
func TestGrammarGuideQuotesDescribe(t *testing.T) {
	testutil.QuotesVerbatim(t, "../docs/grammar.md", "## How a grammar is compiled", 1, "example_describe_test.go")
}
