// Package pgwire frames the PostgreSQL frontend/backend protocol (version
// 3.0) in both directions, with every message's fields decoded as views.
//
// A [Decoder] reads the messages one side of a connection sends: the
// frontend's (a client's, read by a server or a proxy) or the backend's (a
// server's, read by a client). A frontend stream starts untyped: zero or
// more SSLRequest and GSSENCRequest packets, each answered by one byte, then
// a StartupMessage or a CancelRequest; after the StartupMessage every
// message is typed, a type byte and a big-endian int32 length that counts
// itself. A backend stream holds the one-byte answers ('S' or 'N') to those
// requests, which the caller announces with [Decoder.ExpectAnswer] since
// only the frontend's bytes say that one is coming, then typed messages.
//
// Each [Message] carries its [Kind], its body and the fields its kind has
// (see [Message]): strings, DataRow columns and Bind parameters as views of
// the input, valid until the next read from the Decoder. A declared length
// below 4 is an error, and one over the direction's limit is refused as soon
// as it is read, before a byte of the body is buffered: a frontend message
// may have at most [DefaultMaxFrontend] bytes, a backend message (a DataRow
// or a CopyData with it) at most [DefaultMaxBackend], a startup packet at
// most [DefaultMaxStartup] (PostgreSQL's own limit). Messages are bounded,
// not streamed: a row or a COPY chunk over the limit is a
// *parse.SizeError; raise [Options.MaxMessageSize] (up to [MaxLength]) for
// larger ones.
//
// The messages are declared with package combinators (grammar.go). One
// path is written by hand, for speed: a DataRow that lies whole in one
// segment of the input, the most frequent message of a result, is read
// without the combinator layers; everything else, and every malformed row,
// goes to the declared grammar, and the tests and the fuzz target check
// that both read the same rows and report the same errors.
//
// The Append functions encode every message: [AppendMessage] from a
// Message's fields, and one function per common message ([AppendQuery],
// [AppendDataRow], ...). [Write] puts an encoded message into a pipe.Writer.
package pgwire
