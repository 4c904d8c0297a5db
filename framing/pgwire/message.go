package pgwire

import (
	"encoding/binary"
	"iter"

	"github.com/sluicego/sluice/seq"
)

// Direction says which side of a connection sent the messages a Decoder
// reads.
type Direction uint8

const (
	// Frontend messages are sent by a client: read them in a server or
	// a proxy.
	Frontend Direction = iota
	// Backend messages are sent by a server: read them in a client.
	Backend
)

// String returns "frontend" or "backend".
func (d Direction) String() string {
	if d == Backend {
		return "backend"
	}
	return "frontend"
}

// Kind names a message. Kinds whose type byte both directions use
// (CopyData, CopyDone) are one kind each; the others belong to one
// direction.
type Kind uint8

// The kinds of messages. The fields of Message that each sets are listed
// with it; Body is always set.
const (
	KindInvalid Kind = iota
	// Untyped frontend packets of the startup phase.
	KindStartup       // Code (protocol version), Fields (Name, Value pairs)
	KindSSLRequest    // Code
	KindGSSENCRequest // Code
	KindCancelRequest // Code, PID, Key
	// The one-byte backend answer to an SSLRequest or GSSENCRequest.
	KindAnswer // Byte ('S' or 'N')
	// Frontend typed messages.
	KindQuery        // 'Q': Text
	KindParse        // 'P': Name (statement), Text (query), OIDs
	KindBind         // 'B': Name (portal), Text (statement), Formats, Values, ResultFormats
	KindDescribe     // 'D': Byte ('S' or 'P'), Name
	KindClose        // 'C': Byte ('S' or 'P'), Name
	KindExecute      // 'E': Name (portal), Code (maximum rows, 0: all)
	KindSync         // 'S'
	KindFlush        // 'H'
	KindTerminate    // 'X'
	KindCopyFail     // 'f': Text
	KindPassword     // 'p': Data (a password, SASLInitialResponse, SASLResponse or GSS data: see Message.Password and Message.SASLInitial)
	KindFunctionCall // 'F': Data
	// Both directions.
	KindCopyData // 'd': Data
	KindCopyDone // 'c'
	// Backend typed messages.
	KindAuthentication       // 'R': Code (0 ok, 3 cleartext, 5 MD5, 10 SASL, 11 SASLContinue, 12 SASLFinal, ...), Data (the rest)
	KindParameterStatus      // 'S': Name, Text
	KindBackendKeyData       // 'K': PID, Key
	KindReadyForQuery        // 'Z': Byte ('I', 'T' or 'E')
	KindRowDescription       // 'T': Columns
	KindDataRow              // 'D': Values
	KindCommandComplete      // 'C': Text (the command tag)
	KindErrorResponse        // 'E': Fields (Code, Value)
	KindNoticeResponse       // 'N': Fields (Code, Value)
	KindParseComplete        // '1'
	KindBindComplete         // '2'
	KindCloseComplete        // '3'
	KindNoData               // 'n'
	KindEmptyQueryResponse   // 'I'
	KindPortalSuspended      // 's'
	KindParameterDescription // 't': OIDs
	KindCopyInResponse       // 'G': Byte (overall format), Formats
	KindCopyOutResponse      // 'H': Byte (overall format), Formats
	KindCopyBothResponse     // 'W': Byte (overall format), Formats
	KindNotification         // 'A': PID, Name (channel), Text (payload)
	KindFunctionCallResponse // 'V': Values (one)
	KindNegotiateProtocol    // 'v': Code (newest minor version), Data (the rest)
	numKinds
)

var kindNames = [numKinds]string{
	"Invalid", "StartupMessage", "SSLRequest", "GSSENCRequest", "CancelRequest", "Answer",
	"Query", "Parse", "Bind", "Describe", "Close", "Execute", "Sync", "Flush", "Terminate", "CopyFail",
	"PasswordMessage", "FunctionCall", "CopyData", "CopyDone",
	"Authentication", "ParameterStatus", "BackendKeyData", "ReadyForQuery", "RowDescription", "DataRow",
	"CommandComplete", "ErrorResponse", "NoticeResponse", "ParseComplete", "BindComplete", "CloseComplete",
	"NoData", "EmptyQueryResponse", "PortalSuspended", "ParameterDescription", "CopyInResponse",
	"CopyOutResponse", "CopyBothResponse", "NotificationResponse", "FunctionCallResponse",
	"NegotiateProtocolVersion",
}

// String returns the protocol documentation's name of the message.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Request codes of the untyped startup packets.
const (
	// ProtocolVersion is the code of a StartupMessage for protocol 3.0.
	ProtocolVersion uint32 = 3 << 16
	// SSLRequestCode asks the server for TLS.
	SSLRequestCode uint32 = 1234<<16 | 5679
	// GSSENCRequestCode asks the server for GSSAPI encryption.
	GSSENCRequestCode uint32 = 1234<<16 | 5680
	// CancelRequestCode asks the server to cancel a query.
	CancelRequestCode uint32 = 1234<<16 | 5678
)

// Authentication request codes (Message.Code of KindAuthentication).
const (
	AuthOK           uint32 = 0
	AuthCleartext    uint32 = 3
	AuthMD5          uint32 = 5
	AuthGSS          uint32 = 7
	AuthGSSContinue  uint32 = 8
	AuthSSPI         uint32 = 9
	AuthSASL         uint32 = 10
	AuthSASLContinue uint32 = 11
	AuthSASLFinal    uint32 = 12
)

// Message is one message of either direction, decoded. Kind says what it
// is and which of the other fields are set (see the Kind constants); the
// others are zero. Every seq.Sequence and slice views the input or the
// decoder's storage and is valid until the next read from the Decoder:
// copy what you keep.
type Message struct {
	// Kind is what the message is.
	Kind Kind
	// Type is the type byte of a typed message, 0 for an untyped packet
	// or an answer.
	Type byte
	// Byte is a one-byte field: a ReadyForQuery status, a Describe or
	// Close target, a copy response's overall format, an answer.
	Byte byte
	// Code is a four-byte code: the protocol version or request code of
	// an untyped packet, an authentication request code, Execute's row
	// limit, NegotiateProtocolVersion's minor version.
	Code uint32
	// PID and Key are a backend's process id and secret key (CancelRequest,
	// BackendKeyData); PID is also a NotificationResponse's sender.
	PID, Key uint32
	// Body is the message after its length word (for an untyped packet,
	// from its request code on).
	Body seq.Sequence
	// Name is a statement, portal, parameter or channel name.
	Name seq.Sequence
	// Text is a query, a parameter's value, a command tag, a notification
	// payload, a CopyFail reason, or Bind's statement name.
	Text seq.Sequence
	// Data is the raw payload of CopyData, PasswordMessage, FunctionCall
	// and the rest of Authentication and NegotiateProtocolVersion.
	Data seq.Sequence
	// OIDs holds Parse's and ParameterDescription's type OIDs, four bytes
	// each (see [Uint32s]).
	OIDs seq.Sequence
	// Formats holds Bind's parameter format codes or a copy response's
	// column format codes, two bytes each (see [Int16s]).
	Formats seq.Sequence
	// ResultFormats holds Bind's result format codes, two bytes each.
	ResultFormats seq.Sequence
	// Fields are a StartupMessage's parameters (Name, Value) or an
	// ErrorResponse's or NoticeResponse's fields (Code, Value).
	Fields []Field
	// Columns are RowDescription's column descriptions.
	Columns []Column

	// The values (DataRow's columns, Bind's parameters,
	// FunctionCallResponse's result): where each lies in vals (col), read
	// through NumValues, Value, ValueBytes and Values. A decoded
	// message's vals is its Body, and raw the Body's bytes: the pipe's
	// memory when the Body lies in one segment, else a copy in flat.
	// SetValues makes both from a buffer of its own.
	vals seq.Sequence
	raw  []byte
	cols []col
	flat []byte // storage for a copy of a Body that crosses segments, reused

	// parsed are the values as the declared grammar read them, which the
	// Decoder turns into cols (setParsed); nil after that.
	parsed []Value
}

// col is a value's place in Message.vals: the offset of its first byte
// (after its length word) and its length as the wire gives it, -1 for
// NULL. Without pointers, a row's columns cost a length read and two
// integer stores each, and a value's bytes are raw[off:off+n], which needs
// one bounds check once n > 0 is known.
type col struct {
	off uint32
	n   int32
}

// null reports SQL NULL.
func (c col) null() bool { return c.n < 0 }

// NumValues returns the number of values: a DataRow's columns, a Bind's
// parameters, 1 for a FunctionCallResponse, 0 for the other kinds.
func (m *Message) NumValues() int { return len(m.cols) }

// Value returns value i (0 <= i < NumValues) as a view: Null for SQL NULL,
// else Data. It panics if i is out of range. The view is valid until the
// next read from the Decoder, as the message is.
func (m *Message) Value(i int) Value {
	c := m.cols[i]
	if c.null() {
		return Value{Null: true}
	}
	return Value{Data: m.vals.Slice(int(c.off), int(c.off)+int(c.n))}
}

// ValueBytes returns the bytes of value i (0 <= i < NumValues): nil for SQL
// NULL, else a slice, empty but not nil for an empty value, as pgproto3
// and database/sql drivers give them. It panics if i is out of range.
//
// The slice is valid until the next read from the Decoder, as every view
// of the message is (unlike a seq.Sequence, a slice used after that is not
// detected: copy what you keep). For a message that lies in one segment of
// the pipe's memory, the common case, the slice is that memory; the
// Decoder copies a message with values that crosses segments into storage
// it reuses from message to message (at most the largest such message).
func (m *Message) ValueBytes(i int) []byte {
	// Small enough to inline: a slice expression, whose length the
	// compiler knows is positive, so that it does not mask the pointer (a
	// slice of no bytes must not point past its array).
	c := m.cols[i]
	off, n := int(c.off), int(c.n)
	if n <= 0 {
		return emptyOrNull(n)
	}
	return m.raw[off : off+n : off+n]
}

// emptyOrNull returns ValueBytes' result for a value of wire length n <= 0:
// nil for NULL, else empty but not nil (no allocation: a slice of no
// bytes points at the runtime's zero-size base).
func emptyOrNull(n int) []byte {
	if n < 0 {
		return nil
	}
	return []byte{}
}

// Values iterates over the values as Value(0), Value(1), ...
func (m *Message) Values() iter.Seq[Value] {
	return func(yield func(Value) bool) {
		for i := range m.cols {
			if !yield(m.Value(i)) {
				return
			}
		}
	}
}

// SetValues sets the values of a message to encode (a DataRow, a Bind, a
// FunctionCallResponse), copying their bytes: a Value with Null set is SQL
// NULL. It returns ErrEncode, leaving m alone, for more than 32767 values
// or values over MaxLength bytes in all.
func (m *Message) SetValues(vs ...Value) error {
	if len(vs) > 0x7fff {
		return ErrEncode
	}
	size := 0
	for _, v := range vs {
		size += 4 + v.Data.Len()
		if size > MaxLength {
			return ErrEncode
		}
	}
	buf := make([]byte, 0, size)
	cols := make([]col, len(vs))
	for i, v := range vs {
		if v.Null {
			buf = append(buf, 0xff, 0xff, 0xff, 0xff)
			cols[i] = col{uint32(len(buf)), -1}
			continue
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(v.Data.Len()))
		buf = v.Data.AppendTo(buf)
		cols[i] = col{uint32(len(buf) - v.Data.Len()), int32(v.Data.Len())}
	}
	m.vals, m.raw, m.cols, m.parsed = seq.Of(buf), buf, cols, nil
	return nil
}

// valuesWire returns the wire form of the values, each a length word and
// its bytes, without their count: a range of vals.
func (m *Message) valuesWire() seq.Sequence {
	if len(m.cols) == 0 {
		return seq.Sequence{}
	}
	first, last := m.cols[0], m.cols[len(m.cols)-1]
	return m.vals.Slice(int(first.off)-4, int(last.off)+max(int(last.n), 0))
}

// setParsed turns the values the declared grammar read (m.parsed) into
// offsets in m.Body, whose values begin at offset from, into cols (storage
// reused from message to message), and sets raw: the Body's memory, or a
// copy in m.flat if it crosses segments (only messages with values are
// copied, when decoded, so that ValueBytes is a slice expression, which
// the compiler inlines, rather than a call that may copy).
func (m *Message) setParsed(from int, cols []col) []col {
	cols = cols[:0]
	p := from
	for _, v := range m.parsed {
		p += 4
		if v.Null {
			cols = append(cols, col{uint32(p), -1})
			continue
		}
		cols = append(cols, col{uint32(p), int32(v.Data.Len())})
		p += v.Data.Len()
	}
	m.vals, m.cols, m.parsed = m.Body, cols, nil
	if f := m.Body.First(); len(f) == m.Body.Len() {
		m.raw = f
	} else {
		m.raw = m.Body.AppendTo(m.flat[:0])
		m.flat = m.raw
	}
	return cols
}

// Value is a column value or a parameter: bytes, or SQL NULL (a length of
// -1 on the wire).
type Value struct {
	// Null reports SQL NULL; Data is then empty.
	Null bool
	// Data is the value's bytes.
	Data seq.Sequence
}

// Field is a StartupMessage parameter (Name and Value) or an
// ErrorResponse or NoticeResponse field (Code and Value).
type Field struct {
	// Code is an error field's type: 'S' severity, 'C' SQLSTATE code,
	// 'M' message, and the others of the protocol's list.
	Code byte
	// Name is a startup parameter's name.
	Name seq.Sequence
	// Value is the parameter's or the field's value.
	Value seq.Sequence
}

// Column is one column of a RowDescription.
type Column struct {
	Name         seq.Sequence
	TableOID     uint32
	AttrNumber   int16
	TypeOID      uint32
	TypeSize     int16
	TypeModifier int32
	Format       int16
}

// Uint32s iterates over the big-endian four-byte values of s (OIDs).
func Uint32s(s seq.Sequence) iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		var b [4]byte
		for i := 0; i+4 <= s.Len(); i += 4 {
			s.Slice(i, i+4).CopyTo(b[:])
			if !yield(binary.BigEndian.Uint32(b[:])) {
				return
			}
		}
	}
}

// Int16s iterates over the big-endian two-byte values of s (format
// codes).
func Int16s(s seq.Sequence) iter.Seq[int16] {
	return func(yield func(int16) bool) {
		var b [2]byte
		for i := 0; i+2 <= s.Len(); i += 2 {
			s.Slice(i, i+2).CopyTo(b[:])
			if !yield(int16(binary.BigEndian.Uint16(b[:]))) {
				return
			}
		}
	}
}
