// Package tlsrecord frames the TLS record layer (RFC 8446 section 5,
// RFC 5246 section 6.2) of TLS 1.0 to 1.3, without decrypting anything.
//
// [Parser] is the grammar of one record: a 5-byte header (content type,
// legacy version, length) and the fragment it declares. It refuses unknown
// content types (heartbeat, 24, only by option), legacy versions outside
// 0x0301–0x0303, empty handshake, alert and change_cipher_spec records,
// and lengths over 2^14+2048 (the TLS 1.2 ciphertext bound; 2^14 by
// option for a plaintext stream), on the header, before a fragment byte is
// buffered. A violation is an [*Error] naming the alert to answer it with
// ([AlertOf]). Records split or coalesced by the transport come out the
// same, since a parse.Reader waits for a declared length in one piece.
//
// What a record holds is opaque once the peers encrypt; before that,
// [Record.HandshakeHeader] reads the header of the handshake message at
// the start of a plaintext handshake record, [Hello] gathers the first
// handshake message of a direction (a ClientHello or ServerHello, which
// may span records) for SNI-style routing, and [Record.Alert] decodes a
// plaintext alert. [AppendRecord], [AppendRecords] and [WriteRecord]
// encode records.
package tlsrecord
