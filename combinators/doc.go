// Package combinators builds [parse.TryParse] grammars from small generic parsers.
//
// Each function returns a parser built once, when the grammar is declared,
// and safe for concurrent use; parsing allocates only for error values on
// failure, for the slices of [Many], [ManyTill], [SepBy] and [Count], and
// for the resume point a repetition keeps when a message's bytes run out
// (once per short attempt, not per element or message). The parsers
// follow the streaming rules of package parse exactly, so a message parses
// the same however its bytes are split: a parser that reaches the end of
// the buffered bytes before it can decide asks for more input (with the
// number of bytes it needs when it knows it), unless the input is final
// ([parse.Input.Final]); an optional or repeated element at the end of
// non-final input therefore asks for more rather than deciding it is
// absent, and an alternative that needs more input is waited for, never
// skipped in favour of a later one. On final input, needing more counts as
// failing for the backtracking combinators ([Alt], [Opt], [Many], [Fold],
// [SepBy], and [ManyTill] trying its terminator), which then decide with
// what there is; elsewhere it reaches the
// message reader, which reports a truncated message. Backtracking rewinds
// the cursor, so a failed try consumes nothing.
//
// Errors follow the rule of the parsec family: the furthest failure wins.
// The backtracking combinators keep what they backtrack from
// ([parse.Input.Dismiss]): the alternative that did not match, the element
// that ended a repetition, the absent optional element. If the message
// then fails, every combinator reports the furthest failure of the attempt
// ([parse.Input.Furthest]): if an element ran into the end of final input,
// the message is truncated (a message reader reports a
// [*parse.TruncatedError], matching io.ErrUnexpectedEOF), however the
// grammar is built; otherwise the error is a [*parse.SyntaxError] at the
// furthest offset any parser reached, "expected X or Y" naming what the
// parsers that failed there expected (listed in its Expected field). Keeping
// the record allocates nothing; the merged error is made only when it is
// returned. [Label] names a parser's expectations. Delimiter searches and runs
// ([TakeUntil], [TakeBefore], [Line], [TakeWhile]) resume where the
// previous attempt on the message stopped, so a long element arriving in
// small pieces is examined once, and they fail with a [*parse.SizeError] as
// soon as they pass the maximum message size; a declared length over it
// ([LengthPrefixed]) is refused before any byte of the body is waited for.
// Malformed input is a [*parse.SyntaxError] at the stream offset where it
// was found, naming what was expected; size errors and the need for more
// input on non-final input pass through every combinator unchanged.
//
// A grammar is a package variable or a value built once, then run by a
// [parse.Reader] over any pipe reader. A command line, then "key:value" lines
// up to a blank line, with LF or CRLF line ends (k and v view the input until
// the next message is read; this grammar copies them into strings):
//
//	eol := c.Alt(c.Literal("\n"), c.Literal("\r\n"))
//	field := c.Seq3(c.TakeNotIn(":\r\n", 1, 256), c.Byte(':'), c.Line(),
//		func(k seq.Sequence, _ byte, v seq.Sequence) string { return k.String() + "=" + v.String() })
//	request := c.Seq2(c.Before(c.TakeIn("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 16), eol), c.ManyTill(field, eol, 0, 64),
//		func(cmd seq.Sequence, fields []string) string { return fmt.Sprint(cmd, fields) })
//	r := parse.NewReader(pipe.FromBytes([]byte("GET\r\nkey:a\r\n\r\nSET\nkey:b\nttl:60\n\n")), request,
//		parse.Options{MaxMessageSize: 64 << 10})
//
// A grammar is compiled when it is declared: each constructor records what
// it made (kind, parameters, user functions, children), which [Describe]
// prints, and a constructor whose children it knows returns one fused
// closure for the common case instead of a closure per layer (a
// fixed-width field read and converted in place, a number between
// literals in one pass, a length-prefixed body viewed without a bounded
// input), falling back to the generic composition for everything else,
// so the streaming rules above hold unchanged. docs/grammar.md, "How a
// grammar is compiled", has the list.
//
// docs/grammar.md walks through a complete protocol, STOMP-like frames with a
// body sized by a header, declared this way and tested with package fuzz.
package combinators
