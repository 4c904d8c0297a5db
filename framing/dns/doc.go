// Package dns frames DNS messages carried over TCP (RFC 1035 section
// 4.2.2, RFC 7766): each message behind a 2-byte big-endian length, many
// on one connection, queries pipelined and answers in any order.
//
// [Parser] (or [NewReader]) reads one message per call: the length prefix,
// checked before a byte of the message is buffered (a message shorter than
// the 12-byte header or longer than [Options.MaxMessage] is refused as
// soon as the prefix is read), the header decoded into a [Header] (id,
// flags, opcode, rcode and the four section counts), and the question
// section checked and kept as a view, so that a proxy or a server can
// route on the id and the question's name and type without allocating
// ([Message.Question], [Name.Equal]). The answer, authority and additional
// sections are handed over as bytes ([Message.RecordBytes]); [Message.Records]
// walks them as resource records on demand.
//
// Names are checked as RFC 1035 section 4.1.4 allows them and no further:
// labels of at most 63 bytes, names of at most 255 bytes on the wire (the
// length bytes and the root included, compression pointers followed), the
// label types 0x40 and 0x80 refused, and compression pointers that point
// backwards only: past the header and before the run of labels that the
// pointer ends, so that every pointer followed lands strictly earlier than
// the one before it and no chain of pointers can loop; at most
// [MaxPointers] pointers are followed for one name.
//
// The framing (the length, its bounds and the header's fields) is declared
// with package combinators. The walk over names is written by hand, because
// a compression pointer sends the walk back to an earlier offset of the
// message and the combinators read forward only; it runs over the whole
// message once it is buffered, as a contiguous view of pipe memory (or, for
// a message that straddles segments, a copy in the reader's reusable
// scratch memory), and its faults are reported as *parse.SyntaxError at the
// offset of the faulty byte, matching a sentinel of this package. The tests
// and the fuzz target check it against a grammar declared with the
// combinators for what they can say: a name's bytes where they lie, labels
// up to the root byte or a pointer.
//
// The encoder appends a length-prefixed message to a []byte or writes it
// into a pipe.Writer ([AppendMessage], [WriteMessage]) and builds queries
// ([AppendHeader], [AppendQuestion], [AppendQuery]).
package dns
