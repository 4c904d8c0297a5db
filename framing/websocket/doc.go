// Package websocket frames RFC 6455 WebSocket connections, in the client
// and the server role, with payloads streamed in parts.
//
// A [Decoder] reads frames from a pipe.Reader: each [Frame] it returns
// holds a frame header (the first part of the frame) and at most
// [Options.MaxPart] payload bytes, so a frame of any declared size passes
// in constant memory. It enforces the framing rules of RFC 6455 section 5:
// the masking rule of its [Role], minimal length encoding, known opcodes,
// control frames of at most 125 bytes that are never fragmented,
// continuation frames only inside a fragmented message, RSV bits only
// where an extension claims them ([Options.RSV]), valid close frames, and
// limits on frame and message sizes checked on the declared length before
// a payload byte is buffered. A violation is an error that
// [CloseCodeOf] maps to the close code to answer it with.
//
// Payload views are read-only pipe memory and are delivered as they
// crossed the wire: a masked frame's bytes are still masked.
// [Frame.AppendData] appends them unmasked to a buffer of yours, and
// [Unmask] unmasks bytes you copied, given the key and the offset in the
// payload ([Frame.Pos]).
//
// An [Encoder] appends frames to a []byte or writes them into a
// pipe.Writer, masking them in the client role with keys drawn from
// crypto/rand or a source of yours. Extensions such as permessage-deflate
// (RFC 7692) are not applied: frames with RSV1 are framed, not inflated.
package websocket
