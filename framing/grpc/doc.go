// Package grpc frames gRPC's length-prefixed messages, the bytes that the
// DATA frames of a gRPC call carry (the gRPC over HTTP/2 protocol's
// Length-Prefixed-Message), with large messages streamed in parts.
//
// A message is a 5-byte prefix, a compressed flag (0 or 1) and a 4-byte
// big-endian length, then that many bytes. A [Decoder] reads the messages
// of one direction of a call from a pipe.Reader: each [Message] it returns
// holds the prefix and the first part of the payload, or a later part; a
// payload of at most [Options.MaxPart] bytes (32 KiB by default) arrives
// whole in one Message, a longer one in parts of MaxPart bytes, so memory
// stays bounded whatever the peer declares. The length is checked against
// [Options.MaxMessageSize] (4 MiB by default, as gRPC's own default receive
// limit) on the prefix, before any payload byte is buffered; a flag other
// than 0 or 1 is refused. Errors are [*Error] values naming the gRPC status
// code to fail the call with ([StatusOf]).
//
// Compressed payloads are framed, not inflated: the call's grpc-encoding
// header says how to decompress them. [AppendMessage] and [WriteMessage]
// encode messages.
package grpc
