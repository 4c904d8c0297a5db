// Package http2 frames HTTP/2 connections (RFC 9113 section 4 and 6): the
// client connection preface and every frame type with its fixed parts,
// payloads streamed in parts, header block fragments handed over as views.
//
// A [Decoder] reads the frames of one direction of a connection from a
// pipe.Reader. In the [Server] role it expects the client connection
// preface first. Each [Frame] it returns holds the 9-byte frame header and
// the frame's fixed fields (pad length, priority, error code, promised
// stream, last stream, window increment, ping data) with the first part of
// its payload, or a later part of that payload: a part holds at most
// [Options.MaxPart] bytes, so a DATA frame of 16 MiB passes in constant
// memory. Padding is checked against the payload and never delivered.
//
// The decoder enforces the framing rules of RFC 9113: SETTINGS_MAX_FRAME_SIZE
// (16384 until the user applies another value with
// [Decoder.SetMaxFrameSize]), the stream identifiers and lengths each frame
// type requires, SETTINGS values, non-zero window increments, and
// CONTINUATION frames that follow a HEADERS or PUSH_PROMISE frame without
// END_HEADERS on the same stream with nothing in between. Header blocks are
// bounded in total size and in CONTINUATION count ([Options.MaxHeaderBlock],
// [Options.MaxContinuations]), which stops the CONTINUATION flood
// (CVE-2024-27316 and its family). A violation is an error that carries the
// HTTP/2 error code to answer with ([CodeOf]). Frames of unknown types are
// passed through, as RFC 9113 section 4.1 asks.
//
// HPACK is not in scope: header block fragments are delivered as the bytes
// that crossed the wire, for an HPACK decoder of the caller's choice.
//
// The Append functions encode every frame type and the preface.
package http2
