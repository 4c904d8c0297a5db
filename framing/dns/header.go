package dns

import "strconv"

// HeaderLen is the size of a message header: every message starts with
// one.
const HeaderLen = 12

// Header is a message's fixed header (RFC 1035 section 4.1.1, with the AD
// and CD bits of RFC 4035 section 3.2). Its zero value is a query with
// every flag clear.
type Header struct {
	// ID is the identifier a query chose and its answer repeats.
	ID uint16
	// QR is set in a response and clear in a query.
	QR bool
	// Opcode is the kind of query (4 bits).
	Opcode Opcode
	// AA: the answer is authoritative.
	AA bool
	// TC: the message was truncated.
	TC bool
	// RD: recursion desired.
	RD bool
	// RA: recursion available.
	RA bool
	// Z is the reserved bit, zero in a conforming message.
	Z bool
	// AD: authentic data (RFC 4035).
	AD bool
	// CD: checking disabled (RFC 4035).
	CD bool
	// Rcode is the response code (its 4 header bits; an EDNS OPT record
	// may extend it).
	Rcode Rcode
	// QDCount, ANCount, NSCount and ARCount count the entries of the
	// question, answer, authority and additional sections.
	QDCount, ANCount, NSCount, ARCount uint16
}

// The bits of the header's second 16-bit word.
const (
	flagQR = 1 << 15
	flagAA = 1 << 10
	flagTC = 1 << 9
	flagRD = 1 << 8
	flagRA = 1 << 7
	flagZ  = 1 << 6
	flagAD = 1 << 5
	flagCD = 1 << 4
)

// Flags returns the header's second 16-bit word: QR, opcode, AA, TC, RD,
// RA, Z, AD, CD and rcode as they are on the wire.
func (h Header) Flags() uint16 {
	f := uint16(h.Opcode&0xf)<<11 | uint16(h.Rcode&0xf)
	for _, b := range [...]struct {
		on  bool
		bit uint16
	}{{h.QR, flagQR}, {h.AA, flagAA}, {h.TC, flagTC}, {h.RD, flagRD}, {h.RA, flagRA}, {h.Z, flagZ}, {h.AD, flagAD}, {h.CD, flagCD}} {
		if b.on {
			f |= b.bit
		}
	}
	return f
}

// headerOf decodes a header from its first four bytes (id and flags) and
// its last eight (the counts).
func headerOf(idFlags uint32, counts uint64) Header {
	f := uint16(idFlags)
	return Header{
		ID:      uint16(idFlags >> 16),
		QR:      f&flagQR != 0,
		Opcode:  Opcode(f >> 11 & 0xf),
		AA:      f&flagAA != 0,
		TC:      f&flagTC != 0,
		RD:      f&flagRD != 0,
		RA:      f&flagRA != 0,
		Z:       f&flagZ != 0,
		AD:      f&flagAD != 0,
		CD:      f&flagCD != 0,
		Rcode:   Rcode(f & 0xf),
		QDCount: uint16(counts >> 48),
		ANCount: uint16(counts >> 32),
		NSCount: uint16(counts >> 16),
		ARCount: uint16(counts),
	}
}

// Opcode is a header's kind of query.
type Opcode uint8

// Opcodes of the IANA registry.
const (
	OpQuery  Opcode = 0
	OpIQuery Opcode = 1
	OpStatus Opcode = 2
	OpNotify Opcode = 4
	OpUpdate Opcode = 5
	OpDSO    Opcode = 6
)

// String returns the opcode's mnemonic as dig prints it, or its number.
func (o Opcode) String() string {
	switch o {
	case OpQuery:
		return "QUERY"
	case OpIQuery:
		return "IQUERY"
	case OpStatus:
		return "STATUS"
	case OpNotify:
		return "NOTIFY"
	case OpUpdate:
		return "UPDATE"
	case OpDSO:
		return "DSO"
	}
	return "OPCODE" + strconv.Itoa(int(o))
}

// Rcode is a header's response code.
type Rcode uint8

// Response codes of RFC 1035 and RFC 2136.
const (
	RcodeSuccess  Rcode = 0 // NOERROR
	RcodeFormat   Rcode = 1 // FORMERR
	RcodeServer   Rcode = 2 // SERVFAIL
	RcodeName     Rcode = 3 // NXDOMAIN
	RcodeNotImpl  Rcode = 4 // NOTIMP
	RcodeRefused  Rcode = 5 // REFUSED
	RcodeYXDomain Rcode = 6
	RcodeYXRRSet  Rcode = 7
	RcodeNXRRSet  Rcode = 8
	RcodeNotAuth  Rcode = 9
	RcodeNotZone  Rcode = 10
)

var rcodeNames = [...]string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"}

// String returns the rcode's mnemonic as dig prints it ("NXDOMAIN"), or
// "RCODE" and its number.
func (r Rcode) String() string {
	if int(r) < len(rcodeNames) {
		return rcodeNames[r]
	}
	return "RCODE" + strconv.Itoa(int(r))
}

// Type is a resource record's or a question's type.
type Type uint16

// Common types.
const (
	TypeA     Type = 1
	TypeNS    Type = 2
	TypeCNAME Type = 5
	TypeSOA   Type = 6
	TypePTR   Type = 12
	TypeMX    Type = 15
	TypeTXT   Type = 16
	TypeAAAA  Type = 28
	TypeSRV   Type = 33
	TypeOPT   Type = 41
	TypeHTTPS Type = 65
	TypeAXFR  Type = 252
	TypeANY   Type = 255
)

var typeNames = map[Type]string{TypeA: "A", TypeNS: "NS", TypeCNAME: "CNAME", TypeSOA: "SOA", TypePTR: "PTR",
	TypeMX: "MX", TypeTXT: "TXT", TypeAAAA: "AAAA", TypeSRV: "SRV", TypeOPT: "OPT", TypeHTTPS: "HTTPS",
	TypeAXFR: "AXFR", TypeANY: "ANY"}

// String returns the type's mnemonic ("AAAA"), or "TYPE" and its number
// (RFC 3597).
func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// Class is a resource record's or a question's class.
type Class uint16

// Classes.
const (
	ClassIN  Class = 1
	ClassCH  Class = 3
	ClassANY Class = 255
)

// String returns "IN", "CH", "ANY", or "CLASS" and its number.
func (c Class) String() string {
	switch c {
	case ClassIN:
		return "IN"
	case ClassCH:
		return "CH"
	case ClassANY:
		return "ANY"
	}
	return "CLASS" + strconv.Itoa(int(c))
}
