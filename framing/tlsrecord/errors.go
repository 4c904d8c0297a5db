package tlsrecord

import (
	"errors"
	"fmt"
)

// AlertLevel is an alert's level (RFC 5246 section 7.2; TLS 1.3 ignores
// it and sends fatal alerts but for close_notify and user_canceled).
type AlertLevel uint8

// The alert levels.
const (
	LevelWarning AlertLevel = 1
	LevelFatal   AlertLevel = 2
)

// String returns "warning", "fatal" or "level(n)".
func (l AlertLevel) String() string {
	switch l {
	case LevelWarning:
		return "warning"
	case LevelFatal:
		return "fatal"
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// AlertDescription is an alert's description (RFC 8446 section 6).
type AlertDescription uint8

// The alert descriptions of RFC 8446 section 6 and RFC 5246 section 7.2.
const (
	AlertCloseNotify                  AlertDescription = 0
	AlertUnexpectedMessage            AlertDescription = 10
	AlertBadRecordMAC                 AlertDescription = 20
	AlertDecryptionFailed             AlertDescription = 21
	AlertRecordOverflow               AlertDescription = 22
	AlertDecompressionFailure         AlertDescription = 30
	AlertHandshakeFailure             AlertDescription = 40
	AlertNoCertificate                AlertDescription = 41
	AlertBadCertificate               AlertDescription = 42
	AlertUnsupportedCertificate       AlertDescription = 43
	AlertCertificateRevoked           AlertDescription = 44
	AlertCertificateExpired           AlertDescription = 45
	AlertCertificateUnknown           AlertDescription = 46
	AlertIllegalParameter             AlertDescription = 47
	AlertUnknownCA                    AlertDescription = 48
	AlertAccessDenied                 AlertDescription = 49
	AlertDecodeError                  AlertDescription = 50
	AlertDecryptError                 AlertDescription = 51
	AlertExportRestriction            AlertDescription = 60
	AlertProtocolVersion              AlertDescription = 70
	AlertInsufficientSecurity         AlertDescription = 71
	AlertInternalError                AlertDescription = 80
	AlertInappropriateFallback        AlertDescription = 86
	AlertUserCanceled                 AlertDescription = 90
	AlertNoRenegotiation              AlertDescription = 100
	AlertMissingExtension             AlertDescription = 109
	AlertUnsupportedExtension         AlertDescription = 110
	AlertCertificateUnobtainable      AlertDescription = 111
	AlertUnrecognizedName             AlertDescription = 112
	AlertBadCertificateStatusResponse AlertDescription = 113
	AlertBadCertificateHashValue      AlertDescription = 114
	AlertUnknownPSKIdentity           AlertDescription = 115
	AlertCertificateRequired          AlertDescription = 116
	AlertNoApplicationProtocol        AlertDescription = 120
)

var alertNames = map[AlertDescription]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
	22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
	46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied",
	50: "decode_error", 51: "decrypt_error", 60: "export_restriction", 70: "protocol_version",
	71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
	100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
	111: "certificate_unobtainable", 112: "unrecognized_name", 113: "bad_certificate_status_response",
	114: "bad_certificate_hash_value", 115: "unknown_psk_identity", 116: "certificate_required",
	120: "no_application_protocol",
}

// String returns the description's name as the RFCs spell it
// ("close_notify"), or "alert(n)".
func (d AlertDescription) String() string {
	if s, ok := alertNames[d]; ok {
		return s
	}
	return fmt.Sprintf("alert(%d)", uint8(d))
}

// Error is a violation of the record layer's rules or of a limit: every
// sentinel below is one. A Parser's error wraps one in a
// *parse.SyntaxError that gives the stream offset; errors.Is matches the
// sentinel and errors.As finds the *Error, whose Alert is the alert to
// answer with.
type Error struct {
	// Alert is the alert an endpoint sends in answer.
	Alert AlertDescription
	msg   string
}

// Error returns the message, prefixed with the package name.
func (e *Error) Error() string { return e.msg }

// The violations a Parser, a Record's methods and a Hello report.
var (
	// ErrContentType: a content type other than 20–23 (and 24 with
	// Options.Heartbeat).
	ErrContentType = &Error{AlertUnexpectedMessage, "tlsrecord: unknown content type"}
	// ErrHeartbeat: a heartbeat record (24) where Options.Heartbeat does
	// not allow it.
	ErrHeartbeat = &Error{AlertUnexpectedMessage, "tlsrecord: heartbeat record not allowed"}
	// ErrVersion: a legacy record version outside 0x0301–0x0303.
	ErrVersion = &Error{AlertProtocolVersion, "tlsrecord: record version outside 0x0301–0x0303"}
	// ErrRecordOverflow: a length over the limit of Options (2^14+2048,
	// or 2^14 for a plaintext stream).
	ErrRecordOverflow = &Error{AlertRecordOverflow, "tlsrecord: record length over the limit"}
	// ErrEmpty: a handshake, alert or change_cipher_spec record of zero
	// length, which RFC 8446 section 5.1 and RFC 5246 section 6.2.1 forbid.
	ErrEmpty = &Error{AlertUnexpectedMessage, "tlsrecord: empty handshake, alert or change_cipher_spec record"}
	// ErrNotHandshake: a handshake header asked of a record of another
	// type, or a Hello fed a record of another type before its message
	// was complete.
	ErrNotHandshake = &Error{AlertUnexpectedMessage, "tlsrecord: not a handshake record"}
	// ErrShortHandshake: a handshake record too short to hold the 4-byte
	// message header, which then continues in the next record (use Hello).
	ErrShortHandshake = &Error{AlertDecodeError, "tlsrecord: handshake message header continues in the next record"}
	// ErrNotHello: the first handshake message is not a ClientHello or a
	// ServerHello.
	ErrNotHello = &Error{AlertUnexpectedMessage, "tlsrecord: first handshake message is not a hello"}
	// ErrHelloTooLarge: the first handshake message declares more than
	// Hello.Max bytes.
	ErrHelloTooLarge = &Error{AlertInternalError, "tlsrecord: hello message larger than the maximum"}
	// ErrAlertLength: an alert record whose fragment is not 2 bytes:
	// protected (encrypted), or malformed.
	ErrAlertLength = &Error{AlertDecodeError, "tlsrecord: alert fragment is not 2 bytes (protected or malformed)"}
)

// AlertOf returns the alert with which an endpoint answers an error of
// this package (found with errors.As), and false for any other error (the
// end of the input, a truncated record, a canceled read, a size error of
// the message reader).
func AlertOf(err error) (AlertDescription, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Alert, true
	}
	return 0, false
}
