package grammars

import (
	cb "github.com/sluicego/sluice/combinators"
)

// Small parsers the combinator grammars need and package combinators does
// not offer; each is a few lines in the style of that package.

// crlf matches CRLF.
var crlf = cb.Literal("\r\n")
