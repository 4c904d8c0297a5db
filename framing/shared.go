package framing

import (
	"github.com/sluicego/sluice/internal/memo"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// The parsers the constructors of this package return, by their options:
// a parser holds no state of a stream's (its message reader keeps that), so
// the constructors declare one per set of options, on first use, and return
// it to every caller (memo.Max sets of options each; one more takes the
// place of another). Declaring one costs from a few microseconds (Lines)
// to a hundred (Netstring), which a server that makes a reader per
// connection would otherwise pay per connection (TestSharedParsers).
var (
	lineParsers    memo.Table[LineOptions, parse.TryParse[seq.Sequence]]
	netstrings     memo.Table[NetstringOptions, parse.TryParse[seq.Sequence]]
	uvarintParsers memo.Table[UvarintOptions, parse.TryParse[seq.Sequence]]
	fixedParsers   memo.Table[int, parse.TryParse[seq.Sequence]]
	lengthFields   memo.Table[LengthFieldOptions, parse.TryParse[seq.Sequence]]
)
