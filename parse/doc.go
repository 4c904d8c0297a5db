// Package parse reads typed messages from a pipe reader with a TryParse grammar, doing the consumed/examined bookkeeping for you.
//
// A [TryParse] looks at the buffered bytes of one message through an
// [Input] and returns a message, asks for more input, or reports malformed
// input. A [Reader] runs it over any [pipe.Reader] and enforces the rules
// that make streaming parsers safe: every complete message is returned
// before the pipe is read again, input that ends inside a message is an
// error matching io.ErrUnexpectedEOF, a maximum message size is always in
// force, a parser that makes no progress is stopped, every message that
// came before a writer's error is returned before that error, and the pipe
// reader is advanced lazily so that messages may view pipe memory until the
// next read.
package parse
