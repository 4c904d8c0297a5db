// Package resp reads and writes RESP, the protocol of Redis and its
// kin: RESP2 and RESP3 values of every type, as a client reads replies,
// and commands, as a server reads them (arrays of bulk strings and the
// inline commands redis-server accepts from telnet).
//
// [Values] and [Commands] are grammars declared with package combinators
// (parse.TryParse values; Values behind a fast path for the common reply
// shapes that reads what the grammar reads); [NewValueReader] and [NewCommandReader] run
// them over any pipe reader with the limits in force ([Limits]: bulk
// length, element count, nesting depth, line length and message size,
// each with a safe default). [AppendValue], [AppendCommand],
// [Command.AppendTo], [WriteValue] and [WriteCommand] encode what the
// decoders read, so the two round-trip.
//
// Lifetimes: a value's strings view the reader's buffer and its elements
// are in the reader's scratch storage, valid until the next read; copy
// what you keep ([Value.Clone]).
//
// Errors are those of package parse: a *parse.SyntaxError at the offset
// of the fault (matching this package's sentinels, [ErrBulkLength],
// [ErrCount] and the others, where they apply), a *parse.SizeError for a
// message over the reader's maximum message size, and a
// *parse.TruncatedError (io.ErrUnexpectedEOF) for input that ends inside
// a message. docs/resp.md has the wire layout, the limits and why, and
// how the package was proven against redis-server.
package resp
