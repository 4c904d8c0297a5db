package pgwire

import (
	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// The fields every body is made of.
var (
	// cstring is a NUL-terminated string, NUL read and left out.
	cstring = cb.TakeUntil("\x00")
	u8      = cb.Uint8()
	u16     = cb.Uint16BE()
	u32     = cb.Uint32BE()
	i32     = cb.Map(u32, func(n uint32) int32 { return int32(n) })
	i16     = cb.Map(u16, func(n uint16) int16 { return int16(n) })
	none    = cb.Take(0)

	// bodyLen is a typed message's length word: it counts itself, so the
	// body has four bytes fewer, and a value below 4 is malformed. The
	// LengthPrefixed around a body checks what remains against the
	// message reader's limit before any body byte is buffered.
	bodyLen = cb.MapErr(u32, func(n uint32) (uint32, error) {
		if n < 4 {
			return 0, ErrLength
		}
		return n - 4, nil
	})

	// fieldCount is an int16 fieldCount of the fields that follow.
	fieldCount = cb.MapErr(u16, func(n uint16) (uint16, error) {
		if n > 0x7fff {
			return 0, ErrCount
		}
		return n, nil
	})

	// valueLen is a column's or parameter's length: -1 for NULL.
	valueLen = cb.MapErr(u32, func(n uint32) (int32, error) {
		if int32(n) < -1 {
			return 0, ErrValueLength
		}
		return int32(n), nil
	})

	// value is a length and its bytes, or NULL.
	value = cb.TakeLen(valueLen, parse.TryParse[seq.Sequence](nil), func(n int32, s seq.Sequence) Value {
		return Value{Null: n < 0, Data: s}
	})

	// values is a fieldCount and that many values, in the reader's scratch
	// storage: no allocation per message.
	values = cb.CountedScratch(fieldCount, value)

	// int16s and uint32s are a fieldCount and that many fixed-width fields,
	// returned as their bytes.
	int16s  = cb.TakeLen(cb.Map(fieldCount, func(n uint16) int { return 2 * int(n) }), parse.TryParse[seq.Sequence](nil), second)
	uint32s = cb.TakeLen(cb.Map(fieldCount, func(n uint16) int { return 4 * int(n) }), parse.TryParse[seq.Sequence](nil), second)

	// target is Describe's and Close's 'S' (statement) or 'P' (portal).
	target = cb.MapErr(u8, func(b byte) (byte, error) {
		if b != 'S' && b != 'P' {
			return 0, ErrStatus
		}
		return b, nil
	})
)

func second(_ int, s seq.Sequence) seq.Sequence { return s }

// typed declares a typed message of type t: the type byte, the length
// word and a body that body reads whole.
func typed(t byte, k Kind, body parse.TryParse[Message]) parse.TryParse[Message] {
	return cb.Map(cb.Then(cb.Byte(t), cb.LengthPrefixed(bodyLen, cb.Recognize(body))), func(r cb.Recognized[Message]) Message {
		m := r.Value
		m.Kind, m.Type, m.Body = k, t, r.Bytes
		return m
	})
}

// empty declares a typed message without a body.
func empty(t byte, k Kind) parse.TryParse[Message] {
	return typed(t, k, cb.Map(none, func(seq.Sequence) Message { return Message{} }))
}

// text declares a message whose body is one string, into Text.
func text(t byte, k Kind) parse.TryParse[Message] {
	return typed(t, k, cb.Map(cstring, func(s seq.Sequence) Message { return Message{Text: s} }))
}

// raw declares a message whose body is bytes, into Data.
func raw(t byte, k Kind) parse.TryParse[Message] {
	return typed(t, k, cb.Map(cb.Rest(), func(s seq.Sequence) Message { return Message{Data: s} }))
}

// Frontend typed messages.
var (
	query    = text('Q', KindQuery)
	parseMsg = typed('P', KindParse, cb.Seq3(cstring, cstring, uint32s, func(name, q, oids seq.Sequence) Message {
		return Message{Name: name, Text: q, OIDs: oids}
	}))
	bind = typed('B', KindBind, cb.Seq3(
		cb.Seq2(cstring, cstring, func(portal, stmt seq.Sequence) Message { return Message{Name: portal, Text: stmt} }),
		cb.Seq2(int16s, values, func(f seq.Sequence, v []Value) Message { return Message{Formats: f, parsed: v} }),
		int16s,
		func(m, p Message, rf seq.Sequence) Message {
			m.Formats, m.parsed, m.ResultFormats = p.Formats, p.parsed, rf
			return m
		}))
	describe  = typed('D', KindDescribe, cb.Seq2(target, cstring, func(b byte, n seq.Sequence) Message { return Message{Byte: b, Name: n} }))
	closeMsg  = typed('C', KindClose, cb.Seq2(target, cstring, func(b byte, n seq.Sequence) Message { return Message{Byte: b, Name: n} }))
	execute   = typed('E', KindExecute, cb.Seq2(cstring, u32, func(n seq.Sequence, rows uint32) Message { return Message{Name: n, Code: rows} }))
	copyData  = raw('d', KindCopyData)
	copyDone  = empty('c', KindCopyDone)
	copyFail  = text('f', KindCopyFail)
	password  = raw('p', KindPassword)
	function  = raw('F', KindFunctionCall)
	frontends = map[byte]parse.TryParse[Message]{
		'Q': query, 'P': parseMsg, 'B': bind, 'D': describe, 'C': closeMsg, 'E': execute,
		'S': empty('S', KindSync), 'H': empty('H', KindFlush), 'X': empty('X', KindTerminate),
		'd': copyData, 'c': copyDone, 'f': copyFail, 'p': password, 'F': function,
	}
	// frontendTyped is a typed message a frontend sends.
	frontendTyped = cb.Dispatch(frontends, unknownType)
)

// Backend typed messages.
var (
	errorField = cb.Seq2(cb.MapErr(u8, nonZero), cstring, func(c byte, v seq.Sequence) Field { return Field{Code: c, Value: v} })
	fields     = cb.Map(cb.ManyTill(errorField, cb.Byte(0), 0, 256), func(f []Field) Message { return Message{Fields: f} })

	column = cb.Seq2(cstring, cb.Seq4(u32, i16, u32, cb.Seq3(i16, i32, i16, func(size int16, mod int32, f int16) Column {
		return Column{TypeSize: size, TypeModifier: mod, Format: f}
	}), func(table uint32, attr int16, typ uint32, c Column) Column {
		c.TableOID, c.AttrNumber, c.TypeOID = table, attr, typ
		return c
	}), func(name seq.Sequence, c Column) Column { c.Name = name; return c })

	status = cb.MapErr(u8, func(b byte) (byte, error) {
		if b != 'I' && b != 'T' && b != 'E' {
			return 0, ErrStatus
		}
		return b, nil
	})

	copyResponse = cb.Seq2(u8, int16s, func(f byte, formats seq.Sequence) Message { return Message{Byte: f, Formats: formats} })

	dataRow  = typed('D', KindDataRow, cb.Map(values, func(v []Value) Message { return Message{parsed: v} }))
	backends = map[byte]parse.TryParse[Message]{
		'R': typed('R', KindAuthentication, cb.Seq2(u32, cb.Rest(), func(c uint32, d seq.Sequence) Message { return Message{Code: c, Data: d} })),
		'S': typed('S', KindParameterStatus, cb.Seq2(cstring, cstring, func(n, v seq.Sequence) Message { return Message{Name: n, Text: v} })),
		'K': typed('K', KindBackendKeyData, cb.Seq2(u32, u32, func(pid, key uint32) Message { return Message{PID: pid, Key: key} })),
		'Z': typed('Z', KindReadyForQuery, cb.Map(status, func(b byte) Message { return Message{Byte: b} })),
		'T': typed('T', KindRowDescription, cb.Map(cb.CountedScratch(fieldCount, column), func(c []Column) Message { return Message{Columns: c} })),
		'D': dataRow,
		'C': text('C', KindCommandComplete),
		'E': typed('E', KindErrorResponse, fields),
		'N': typed('N', KindNoticeResponse, fields),
		'1': empty('1', KindParseComplete),
		'2': empty('2', KindBindComplete),
		'3': empty('3', KindCloseComplete),
		'n': empty('n', KindNoData),
		'I': empty('I', KindEmptyQueryResponse),
		's': empty('s', KindPortalSuspended),
		't': typed('t', KindParameterDescription, cb.Map(uint32s, func(o seq.Sequence) Message { return Message{OIDs: o} })),
		'G': typed('G', KindCopyInResponse, copyResponse),
		'H': typed('H', KindCopyOutResponse, copyResponse),
		'W': typed('W', KindCopyBothResponse, copyResponse),
		'd': copyData,
		'c': copyDone,
		'A': typed('A', KindNotification, cb.Seq3(u32, cstring, cstring, func(pid uint32, ch, p seq.Sequence) Message {
			return Message{PID: pid, Name: ch, Text: p}
		})),
		'V': typed('V', KindFunctionCallResponse, cb.Map(value, func(v Value) Message { return Message{parsed: []Value{v}} })),
		'v': typed('v', KindNegotiateProtocol, cb.Seq2(u32, cb.Rest(), func(c uint32, d seq.Sequence) Message { return Message{Code: c, Data: d} })),
	}
	// backendTyped is a typed message a backend sends.
	backendTyped = cb.Dispatch(backends, unknownType)

	// unknownType refuses a type byte the direction does not send.
	unknownType = cb.MapErr(u8, func(byte) (Message, error) { return Message{}, ErrType })
)

func nonZero(b byte) (byte, error) {
	if b == 0 {
		return 0, ErrLength // unreachable behind ManyTill's terminator; kept for a direct use
	}
	return b, nil
}

// The untyped startup packets: a length word that counts itself, a
// request code, and the request's body.
const (
	reqStartup = iota
	reqSSL
	reqGSS
	reqCancel
	reqOther
)

func classify(code uint32) int {
	switch {
	case code == SSLRequestCode:
		return reqSSL
	case code == GSSENCRequestCode:
		return reqGSS
	case code == CancelRequestCode:
		return reqCancel
	case code>>16 == 3:
		return reqStartup
	}
	return reqOther
}

var (
	param = cb.Seq2(cstring, cstring, func(n, v seq.Sequence) Field { return Field{Name: n, Value: v} })

	requests = map[int]parse.TryParse[Message]{
		reqStartup: cb.Map(cb.ManyTill(param, cb.Byte(0), 0, 1024), func(f []Field) Message {
			return Message{Kind: KindStartup, Fields: f}
		}),
		reqSSL:    cb.Map(none, func(seq.Sequence) Message { return Message{Kind: KindSSLRequest} }),
		reqGSS:    cb.Map(none, func(seq.Sequence) Message { return Message{Kind: KindGSSENCRequest} }),
		reqCancel: cb.Seq2(u32, u32, func(pid, key uint32) Message { return Message{Kind: KindCancelRequest, PID: pid, Key: key} }),
	}

	// request is the body of an untyped packet: its code, then what the
	// code says follows.
	request = cb.Seq2(cb.Peek(u32), cb.Switch(cb.MapErr(u32, func(c uint32) (int, error) {
		if r := classify(c); r != reqOther {
			return r, nil
		}
		return 0, ErrRequestCode
	}), requests, nil), func(code uint32, m Message) Message {
		m.Code = code
		return m
	})

	// untyped is a startup-phase packet.
	untyped = cb.Map(cb.LengthPrefixed(bodyLen, cb.Recognize(request)), func(r cb.Recognized[Message]) Message {
		m := r.Value
		m.Body = r.Bytes
		return m
	})

	// answer is the backend's one-byte answer to an encryption request.
	answer = cb.MapErr(u8, func(b byte) (Message, error) {
		if b != 'S' && b != 'N' {
			return Message{}, ErrAnswer
		}
		return Message{Kind: KindAnswer, Byte: b}, nil
	})
)

// SASLInitial decodes a PasswordMessage sent as a SASLInitialResponse:
// the mechanism's name and its initial response (Null for a length of -1).
// ok is false if the body is not one.
func (m *Message) SASLInitial() (mechanism seq.Sequence, data Value, ok bool) {
	if m.Kind != KindPassword {
		return seq.Sequence{}, Value{}, false
	}
	in := parse.NewInput(m.Data, true, m.Data.Len())
	r, err := saslInitial(in)
	if err != nil || in.Consumed() != m.Data.Len() {
		return seq.Sequence{}, Value{}, false
	}
	return r.Name, r.parsed[0], true
}

var saslInitial = cb.Seq2(cstring, value, func(n seq.Sequence, v Value) Message { return Message{Name: n, parsed: []Value{v}} })

// Password returns the password of a PasswordMessage sent in answer to a
// cleartext or MD5 request: its bytes without the final NUL. ok is false
// if the body is not one NUL-terminated string.
func (m *Message) Password() (pw seq.Sequence, ok bool) {
	if m.Kind != KindPassword {
		return seq.Sequence{}, false
	}
	i := m.Data.IndexByte(0)
	if i != m.Data.Len()-1 {
		return seq.Sequence{}, false
	}
	return m.Data.Slice(0, i), true
}

// Mechanisms iterates over the SASL mechanisms an AuthenticationSASL
// request lists.
func (m *Message) Mechanisms() func(yield func(seq.Sequence) bool) {
	return func(yield func(seq.Sequence) bool) {
		if m.Kind != KindAuthentication || m.Code != AuthSASL {
			return
		}
		d := m.Data
		for {
			i := d.IndexByte(0)
			if i <= 0 {
				return
			}
			if !yield(d.Slice(0, i)) {
				return
			}
			d = d.From(i + 1)
		}
	}
}
