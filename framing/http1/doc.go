// Package http1 reads and writes HTTP/1.1 messages (RFC 9112) on a
// connection: request and response heads as messages, bodies in parts.
//
// A [RequestReader] (server side) and a [ResponseReader] (client side)
// return [Part] values: a head, with its start line and a view of its
// header section ([Fields], looked up without allocation), then the body
// in parts of at most Options.MaxPart bytes, whether it is framed by
// Content-Length, by the chunked coding (extensions checked, trailers
// returned) or by the end of the connection. A body never has to fit in
// memory: a 10 GiB upload streams in parts while the reader holds at most
// one head or one part. Everything a part views is valid until the next
// call of Next.
//
// The grammar is declared with package combinators, the connection's
// state (where a body ends, the chunk that comes next) with
// combinators.Parts. Limits are on by default (a 64 KiB line, a 1 MiB
// head, 1000 fields) and the framings request smuggling relies on are
// refused with errors of this package: Content-Length with
// Transfer-Encoding, repeated Content-Length, a request's
// Transfer-Encoding that does not end in chunked, obsolete line folding,
// a bare CR or LF, whitespace before a colon, invalid bytes, chunk sizes
// over 16 hex digits.
//
// The Append functions write heads and chunks; see docs/http1.md for the
// wire layout, the limits and how the package was proven.
package http1
