// Package grammars holds three protocol grammars (RESP2, a Netty-style length field frame and HTTP/1.1 chunked coding), each declared with the combinators and written by hand, with encoders, for tests and benchmarks.
//
// Every grammar comes twice with identical behaviour: once declared with
// package combinators and once as a hand-written [parse.TryParse] (for the
// length field, only the hand-written [LenFieldHand] is here: the declared
// grammar is framing.LengthField), so that
// the benchmarks can compare the two and the tests can check that they
// accept the same messages and report the same errors at the same offsets.
// RESP2 is here only by hand ([RESPHand]): its grammar declared with the
// combinators is framing/resp's.
//
// The HTTP/1.1 chunked coding is the exception: its declared grammar is
// framing/http1's ChunkedDecoder, and the hand-written parsers here
// (ChunkedHand, ChunkedPartsHand) stay as the reference its tests and
// bench/ compare it with.
//
// Messages view the input they were parsed from (seq.Sequence fields): as
// with any message of a [parse.Reader], they are valid until the next read
// from that reader. Each result type has a Clone method that returns a copy
// owning its memory.
package grammars
