package pgwire

import (
	"encoding/binary"
	"errors"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// ErrEncode is returned by AppendMessage for a Message it cannot encode:
// an unknown or invalid Kind, or a field that does not fit the wire format
// (more than 32767 values, a NUL inside a string).
var ErrEncode = errors.New("pgwire: message cannot be encoded")

// kindType is the type byte of each typed kind.
var kindType = [numKinds]byte{
	KindQuery: 'Q', KindParse: 'P', KindBind: 'B', KindDescribe: 'D', KindClose: 'C', KindExecute: 'E',
	KindSync: 'S', KindFlush: 'H', KindTerminate: 'X', KindCopyFail: 'f', KindPassword: 'p',
	KindFunctionCall: 'F', KindCopyData: 'd', KindCopyDone: 'c', KindAuthentication: 'R',
	KindParameterStatus: 'S', KindBackendKeyData: 'K', KindReadyForQuery: 'Z', KindRowDescription: 'T',
	KindDataRow: 'D', KindCommandComplete: 'C', KindErrorResponse: 'E', KindNoticeResponse: 'N',
	KindParseComplete: '1', KindBindComplete: '2', KindCloseComplete: '3', KindNoData: 'n',
	KindEmptyQueryResponse: 'I', KindPortalSuspended: 's', KindParameterDescription: 't',
	KindCopyInResponse: 'G', KindCopyOutResponse: 'H', KindCopyBothResponse: 'W', KindNotification: 'A',
	KindFunctionCallResponse: 'V', KindNegotiateProtocol: 'v',
}

// TypeOf returns the type byte of a typed kind, 0 for the untyped ones.
func TypeOf(k Kind) byte {
	if k < numKinds {
		return kindType[k]
	}
	return 0
}

// AppendMessage appends the wire form of m to dst, from the fields its Kind
// uses (Type and Body are ignored: the body is made from the fields). A
// message decoded by a Decoder encodes to the bytes it was decoded from.
func AppendMessage(dst []byte, m *Message) ([]byte, error) {
	start := len(dst)
	switch m.Kind {
	case KindAnswer:
		if m.Byte != 'S' && m.Byte != 'N' {
			return dst, ErrEncode
		}
		return append(dst, m.Byte), nil
	case KindStartup, KindSSLRequest, KindGSSENCRequest, KindCancelRequest:
		dst = append(dst, 0, 0, 0, 0)
		switch m.Kind {
		case KindStartup:
			dst = binary.BigEndian.AppendUint32(dst, m.Code)
			for _, f := range m.Fields {
				if f.Name.Len() == 0 {
					return dst[:start], ErrEncode
				}
				dst = appendCString(dst, f.Name)
				dst = appendCString(dst, f.Value)
			}
			dst = append(dst, 0)
		case KindSSLRequest:
			dst = binary.BigEndian.AppendUint32(dst, SSLRequestCode)
		case KindGSSENCRequest:
			dst = binary.BigEndian.AppendUint32(dst, GSSENCRequestCode)
		default:
			dst = binary.BigEndian.AppendUint32(dst, CancelRequestCode)
			dst = binary.BigEndian.AppendUint32(dst, m.PID)
			dst = binary.BigEndian.AppendUint32(dst, m.Key)
		}
		binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
		return dst, nil
	}
	t := TypeOf(m.Kind)
	if t == 0 {
		return dst, ErrEncode
	}
	dst = append(dst, t, 0, 0, 0, 0)
	var ok = true
	switch m.Kind {
	case KindQuery, KindCopyFail, KindCommandComplete:
		dst = appendCString(dst, m.Text)
	case KindParse:
		dst = appendCString(dst, m.Name)
		dst = appendCString(dst, m.Text)
		dst, ok = appendCounted(dst, m.OIDs, 4)
	case KindBind:
		dst = appendCString(dst, m.Name)
		dst = appendCString(dst, m.Text)
		dst, ok = appendCounted(dst, m.Formats, 2)
		if ok {
			dst, ok = appendValues(dst, m, true)
		}
		if ok {
			dst, ok = appendCounted(dst, m.ResultFormats, 2)
		}
	case KindDescribe, KindClose:
		ok = m.Byte == 'S' || m.Byte == 'P'
		dst = append(dst, m.Byte)
		dst = appendCString(dst, m.Name)
	case KindExecute:
		dst = appendCString(dst, m.Name)
		dst = binary.BigEndian.AppendUint32(dst, m.Code)
	case KindCopyData, KindPassword, KindFunctionCall:
		dst = m.Data.AppendTo(dst)
	case KindAuthentication, KindNegotiateProtocol:
		dst = binary.BigEndian.AppendUint32(dst, m.Code)
		dst = m.Data.AppendTo(dst)
	case KindParameterStatus:
		dst = appendCString(dst, m.Name)
		dst = appendCString(dst, m.Text)
	case KindBackendKeyData:
		dst = binary.BigEndian.AppendUint32(dst, m.PID)
		dst = binary.BigEndian.AppendUint32(dst, m.Key)
	case KindReadyForQuery:
		ok = m.Byte == 'I' || m.Byte == 'T' || m.Byte == 'E'
		dst = append(dst, m.Byte)
	case KindRowDescription:
		if ok = len(m.Columns) <= 0x7fff; ok {
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.Columns)))
			for i := range m.Columns {
				c := &m.Columns[i]
				dst = appendCString(dst, c.Name)
				dst = binary.BigEndian.AppendUint32(dst, c.TableOID)
				dst = binary.BigEndian.AppendUint16(dst, uint16(c.AttrNumber))
				dst = binary.BigEndian.AppendUint32(dst, c.TypeOID)
				dst = binary.BigEndian.AppendUint16(dst, uint16(c.TypeSize))
				dst = binary.BigEndian.AppendUint32(dst, uint32(c.TypeModifier))
				dst = binary.BigEndian.AppendUint16(dst, uint16(c.Format))
			}
		}
	case KindDataRow:
		dst, ok = appendValues(dst, m, true)
	case KindFunctionCallResponse:
		if ok = m.NumValues() == 1; ok {
			dst, _ = appendValues(dst, m, false)
		}
	case KindErrorResponse, KindNoticeResponse:
		for _, f := range m.Fields {
			if f.Code == 0 {
				ok = false
			}
			dst = append(dst, f.Code)
			dst = appendCString(dst, f.Value)
		}
		dst = append(dst, 0)
	case KindParameterDescription:
		dst, ok = appendCounted(dst, m.OIDs, 4)
	case KindCopyInResponse, KindCopyOutResponse, KindCopyBothResponse:
		dst = append(dst, m.Byte)
		dst, ok = appendCounted(dst, m.Formats, 2)
	case KindNotification:
		dst = binary.BigEndian.AppendUint32(dst, m.PID)
		dst = appendCString(dst, m.Name)
		dst = appendCString(dst, m.Text)
	}
	if !ok || len(dst)-start-1 > MaxLength-1 {
		return dst[:start], ErrEncode
	}
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst, nil
}

func appendCString(dst []byte, s seq.Sequence) []byte {
	return append(s.AppendTo(dst), 0)
}

// appendCounted appends the int16 count of the width-byte fields in s,
// then s.
func appendCounted(dst []byte, s seq.Sequence, width int) ([]byte, bool) {
	n := s.Len() / width
	if s.Len()%width != 0 || n > 0x7fff {
		return dst, false
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	return s.AppendTo(dst), true
}

// appendValues appends m's values, each a length (-1: NULL) and its
// bytes, after their int16 count if counted: the wire form they were
// decoded from or SetValues made.
func appendValues(dst []byte, m *Message, counted bool) ([]byte, bool) {
	if counted {
		dst = binary.BigEndian.AppendUint16(dst, uint16(m.NumValues()))
	}
	return m.valuesWire().AppendTo(dst), true
}

// AppendTyped appends a typed message of type t whose body is body: for a
// message the other Append functions do not cover.
func AppendTyped(dst []byte, t byte, body []byte) []byte {
	dst = append(dst, t)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)+4))
	return append(dst, body...)
}

// AppendQuery appends a simple Query.
func AppendQuery(dst []byte, sql string) []byte {
	dst = append(dst, 'Q')
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(sql)+5))
	return append(append(dst, sql...), 0)
}

// AppendSync appends a Sync.
func AppendSync(dst []byte) []byte { return append(dst, 'S', 0, 0, 0, 4) }

// AppendTerminate appends a Terminate.
func AppendTerminate(dst []byte) []byte { return append(dst, 'X', 0, 0, 0, 4) }

// AppendSSLRequest appends an SSLRequest.
func AppendSSLRequest(dst []byte) []byte {
	return binary.BigEndian.AppendUint32(append(dst, 0, 0, 0, 8), SSLRequestCode)
}

// AppendStartup appends a StartupMessage for protocol 3.0 with the
// parameters given as name, value pairs ("user", "postgres", ...).
func AppendStartup(dst []byte, params ...string) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(append(dst, 0, 0, 0, 0), ProtocolVersion)
	for _, p := range params {
		dst = append(append(dst, p...), 0)
	}
	dst = append(dst, 0)
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst
}

// AppendDataRow appends a DataRow of the given column values; a nil
// value is SQL NULL.
func AppendDataRow(dst []byte, values ...[]byte) []byte {
	start := len(dst)
	dst = append(dst, 'D', 0, 0, 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(values)))
	for _, v := range values {
		if v == nil {
			dst = append(dst, 0xff, 0xff, 0xff, 0xff)
			continue
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		dst = append(dst, v...)
	}
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst
}

// AppendCommandComplete appends a CommandComplete with the given tag
// ("SELECT 3").
func AppendCommandComplete(dst []byte, tag string) []byte {
	dst = append(dst, 'C')
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(tag)+5))
	return append(append(dst, tag...), 0)
}

// AppendReadyForQuery appends a ReadyForQuery with the transaction status
// 'I', 'T' or 'E'.
func AppendReadyForQuery(dst []byte, status byte) []byte { return append(dst, 'Z', 0, 0, 0, 5, status) }

// Write encodes m into w without flushing: in w's memory when the message
// fits one buffer, else through a copy.
func Write(w pipe.Writer, m *Message) error {
	buf := w.Buffer(256)
	b, err := AppendMessage(buf[:0], m)
	if err != nil {
		return err
	}
	if len(b) <= len(buf) && (len(b) == 0 || &b[0] == &buf[0]) {
		w.Advance(len(b))
		return nil
	}
	for len(b) > 0 {
		dst := w.Buffer(min(len(b), seq.MaxSegment))
		n := copy(dst, b)
		w.Advance(n)
		b = b[n:]
	}
	return nil
}
