package tlsrecord

import (
	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Options configure a Parser. The zero value gives the defaults: no
// heartbeat records, fragments of up to MaxCiphertext bytes.
type Options struct {
	// Heartbeat accepts heartbeat records (content type 24, RFC 6520),
	// for a connection that negotiated the extension. Without it they
	// are refused (ErrHeartbeat).
	Heartbeat bool
	// Plaintext bounds every fragment by MaxPlaintext (2^14) instead of
	// MaxCiphertext, for a stream known to carry no protected records.
	Plaintext bool
}

func (o Options) max() int {
	if o.Plaintext {
		return MaxPlaintext
	}
	return MaxCiphertext
}

// fault makes the syntax error of a violation at off.
func fault(off int64, e *Error) error {
	return &parse.SyntaxError{Offset: off, Msg: "invalid record header", Err: e}
}

// The fields of a header, each checked where it starts, so that an error
// names the offending byte.
func contentType(heartbeat bool) parse.TryParse[uint8] {
	return cb.Check(cb.Uint8(), func(off int64, t uint8) error {
		switch {
		case t >= 20 && t <= 23:
			return nil
		case t == 24 && heartbeat:
			return nil
		case t == 24:
			return fault(off, ErrHeartbeat)
		}
		return fault(off, ErrContentType)
	})
}

var version = cb.Check(cb.Uint16BE(), func(off int64, v uint16) error {
	if v < uint16(VersionTLS10) || v > uint16(VersionTLS12) {
		return fault(off, ErrVersion)
	}
	return nil
})

func length(max int) parse.TryParse[uint16] {
	return cb.Check(cb.Uint16BE(), func(off int64, n uint16) error {
		if int(n) > max {
			return fault(off, ErrRecordOverflow)
		}
		return nil
	})
}

// header declares a record header: the three fields, then the rule that
// handshake, alert and change_cipher_spec records are not empty (an error
// at the length field).
func header(o Options) parse.TryParse[Header] {
	h := cb.Seq3(contentType(o.Heartbeat), version, length(o.max()), func(t uint8, v, n uint16) Header {
		return Header{Type: ContentType(t), Version: Version(v), Length: n}
	})
	return cb.Check(h, func(off int64, h Header) error {
		if h.Length == 0 && h.Type != TypeApplicationData && h.Type != TypeHeartbeat {
			return fault(off+3, ErrEmpty)
		}
		return nil
	})
}

// record declares a whole record: a header and the fragment of the length
// it declares, taken as one view.
func record(o Options) parse.TryParse[Record] {
	return cb.Sized(header(o), func(h Header) int { return int(h.Length) }, cb.Rest(), nil,
		func(h Header, frag seq.Sequence) Record { return Record{Header: h, Fragment: frag} })
}

// The four grammars, declared once.
var grammars = [4]parse.TryParse[Record]{
	record(Options{}),
	record(Options{Heartbeat: true}),
	record(Options{Plaintext: true}),
	record(Options{Heartbeat: true, Plaintext: true}),
}

// Parser returns the grammar of one record under o, for parse.NewReader
// (or parse.Consume): a header checked field by field before any fragment
// byte is waited for, then the fragment. The grammar keeps no state, so
// one value serves any number of streams. Give the message reader a
// maximum message size of at least HeaderSize+MaxCiphertext (its default,
// 4 MiB, is larger).
func Parser(o Options) parse.TryParse[Record] {
	i := 0
	if o.Heartbeat {
		i |= 1
	}
	if o.Plaintext {
		i |= 2
	}
	return grammars[i]
}

// HandshakeType is a handshake message's type (RFC 8446 section 4).
type HandshakeType uint8

// The handshake message types of TLS 1.2 and 1.3.
const (
	HelloRequest        HandshakeType = 0
	ClientHello         HandshakeType = 1
	ServerHello         HandshakeType = 2
	NewSessionTicket    HandshakeType = 4
	EndOfEarlyData      HandshakeType = 5
	EncryptedExtensions HandshakeType = 8
	Certificate         HandshakeType = 11
	ServerKeyExchange   HandshakeType = 12
	CertificateRequest  HandshakeType = 13
	ServerHelloDone     HandshakeType = 14
	CertificateVerify   HandshakeType = 15
	ClientKeyExchange   HandshakeType = 16
	Finished            HandshakeType = 20
	KeyUpdate           HandshakeType = 24
	MessageHash         HandshakeType = 254
)

// HandshakeHeader is the header of a handshake message: its type and the
// 24-bit length of the body that follows it.
type HandshakeHeader struct {
	// Type is the message type.
	Type HandshakeType
	// Length is the body's length, which may run past the record.
	Length uint32
}

// HandshakeHeaderSize is the length of a handshake message header.
const HandshakeHeaderSize = 4

// HandshakeHeader reads the header of the handshake message that starts
// the fragment of r, a plaintext handshake record (the first handshake
// record of either direction is one; after the peers switch keys the
// fragment is ciphertext and the header meaningless). A message may span
// records: Length counts its whole body, of which this record holds
// r.Length-4 bytes or fewer; gather the rest from the following handshake
// records (Hello does that for a first message). A record of another type
// is ErrNotHandshake, and one of fewer than 4 bytes ErrShortHandshake (the
// header itself continues in the next record; Hello joins it).
func (r *Record) HandshakeHeader() (HandshakeHeader, error) {
	if r.Type != TypeHandshake {
		return HandshakeHeader{}, ErrNotHandshake
	}
	var b [HandshakeHeaderSize]byte
	if r.Fragment.CopyTo(b[:]) < HandshakeHeaderSize {
		return HandshakeHeader{}, ErrShortHandshake
	}
	return handshakeHeader(b), nil
}

func handshakeHeader(b [4]byte) HandshakeHeader {
	return HandshakeHeader{Type: HandshakeType(b[0]), Length: uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])}
}

// Alert is a decoded alert message.
type Alert struct {
	// Level is the alert level.
	Level AlertLevel
	// Description says what happened.
	Description AlertDescription
}

// Alert decodes the fragment of r, a plaintext alert record. A record of
// another type is ErrContentType; a fragment that is not 2 bytes (a
// protected alert, whose fragment holds the ciphertext, or a malformed
// one) is ErrAlertLength.
func (r *Record) Alert() (Alert, error) {
	if r.Type != TypeAlert {
		return Alert{}, ErrContentType
	}
	var b [2]byte
	if r.Length != 2 || r.Fragment.CopyTo(b[:]) != 2 {
		return Alert{}, ErrAlertLength
	}
	return Alert{Level: AlertLevel(b[0]), Description: AlertDescription(b[1])}, nil
}
