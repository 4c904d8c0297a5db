package tlsrecord

import (
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// ContentType is a record's content type (RFC 8446 section 5.1).
type ContentType uint8

// The content types of TLS 1.0–1.3 and the heartbeat extension (RFC 6520).
const (
	TypeChangeCipherSpec ContentType = 20
	TypeAlert            ContentType = 21
	TypeHandshake        ContentType = 22
	TypeApplicationData  ContentType = 23
	TypeHeartbeat        ContentType = 24
)

// String returns the content type's name, or "unknown(n)".
func (t ContentType) String() string {
	switch t {
	case TypeChangeCipherSpec:
		return "change_cipher_spec"
	case TypeAlert:
		return "alert"
	case TypeHandshake:
		return "handshake"
	case TypeApplicationData:
		return "application_data"
	case TypeHeartbeat:
		return "heartbeat"
	}
	return fmt.Sprintf("unknown(%d)", uint8(t))
}

// Version is a record's legacy_record_version. TLS 1.3 freezes it at
// VersionTLS12 (VersionTLS10 in a first ClientHello): the version a
// connection uses is negotiated in the handshake, not read here.
type Version uint16

// The record versions a Parser accepts.
const (
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
)

// String returns "TLS 1.0", "TLS 1.1", "TLS 1.2" or the version in hex.
func (v Version) String() string {
	switch v {
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// Sizes of the record layer.
const (
	// HeaderSize is the length of a record header: type, version, length.
	HeaderSize = 5
	// MaxPlaintext is the longest fragment of a plaintext record: 2^14.
	MaxPlaintext = 1 << 14
	// MaxCiphertext is the longest fragment of a protected record in TLS
	// 1.2 and before: 2^14 + 2048 (TLS 1.3 allows 2^14 + 256, within it).
	MaxCiphertext = 1<<14 + 2048
)

// Header is a record header.
type Header struct {
	// Type is the content type.
	Type ContentType
	// Version is the legacy record version.
	Version Version
	// Length is the fragment's length.
	Length uint16
}

// Record is one record: its header and a view of its fragment.
//
// Fragment views the input and is valid until the next read from the
// message reader that returned the record (copy it to keep it).
type Record struct {
	Header
	// Fragment is the record's payload, Header.Length bytes: plaintext
	// before the peers switch to protected records, ciphertext after.
	Fragment seq.Sequence
}
