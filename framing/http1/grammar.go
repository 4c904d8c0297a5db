package http1

import (
	"sync"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Byte classes of RFC 9110 §5.6 and RFC 9112 §3.
var (
	isTchar   [256]bool // token characters
	isTarget  [256]bool // request-target: visible ASCII (no space, no control)
	isValue   [256]bool // field-value and reason-phrase: HTAB, SP, VCHAR, obs-text
	isHexDig  [256]bool
	isDigitch [256]bool
	hexVal    [256]byte // a hex digit's value, either case; 0xff for other bytes
)

func init() {
	for b := 0; b < 256; b++ {
		c := byte(b)
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		isTchar[b] = alnum || c != 0 && (c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' ||
			c == '*' || c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~')
		isTarget[b] = 0x21 <= c && c <= 0x7e
		isValue[b] = c == '\t' || 0x20 <= c && c <= 0x7e || c >= 0x80
		isHexDig[b] = '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
		isDigitch[b] = '0' <= c && c <= '9'
		if isTchar[b] {
			byteClass[b] |= classTchar
		}
		if isTarget[b] {
			byteClass[b] |= classTarget
		}
		switch {
		case '0' <= c && c <= '9':
			hexVal[b] = c - '0'
		case 'a' <= c && c <= 'f':
			hexVal[b] = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			hexVal[b] = c - 'A' + 10
		default:
			hexVal[b] = 0xff
		}
	}
}

// field is one field line as the grammar reads it, classified for the
// framing decisions.
type field struct {
	kind  fieldKind
	cl    int64 // Content-Length value
	te    teList
	flags connFlags
}

type fieldKind uint8

const (
	fieldOther fieldKind = iota
	fieldContentLength
	fieldTransferEncoding
	fieldConnection
	fieldUpgrade
	fieldExpect
)

type teList struct {
	chunked   int  // how many codings were "chunked"
	codings   int  // how many codings there were
	lastChunk bool // the last coding was "chunked"
}

type connFlags uint8

const (
	connClose connFlags = 1 << iota
	connKeepAlive
	connUpgrade
	hasUpgrade
	expect100
)

// section is what a header or trailer section's fields add up to.
type section struct {
	n     int
	cl    int64
	ncl   int
	te    teList
	nte   int
	flags connFlags
}

func addField(s section, f field) section {
	s.n++
	switch f.kind {
	case fieldContentLength:
		s.ncl++
		s.cl = f.cl
	case fieldTransferEncoding:
		s.nte++
		s.te.chunked += f.te.chunked
		s.te.codings += f.te.codings
		if f.te.codings > 0 {
			s.te.lastChunk = f.te.lastChunk
		}
	default:
		s.flags |= f.flags
	}
	return s
}

// grammars holds the grammars of one set of limits, declared once.
type grammars struct {
	request, response         parse.TryParse[Head]
	requestUnit, responseUnit parse.TryParse[unit]
	chunked                   chunkGrammar            // chunked.go
	chunkUnits                [3]parse.TryParse[unit] // chunked, as heads of a connection
	closePart                 parse.TryParse[seq.Sequence]
}

var grammarCache sync.Map // limits → *grammars

func grammarsFor(o Options) *grammars {
	key := o.limits()
	if g, ok := grammarCache.Load(key); ok {
		return g.(*grammars)
	}
	g, _ := grammarCache.LoadOrStore(key, build(key))
	return g.(*grammars)
}

// fault is a parser that refuses the byte at the cursor with err.
func fault[T any](err error) parse.TryParse[T] {
	return cb.MapErr(cb.Uint8(), func(byte) (T, error) {
		var zero T
		return zero, err
	})
}

func build(l limits) *grammars {
	// Line ends: CRLF only. A CR without LF and an LF without CR are
	// refused by name, as request smuggling defences want.
	lf := cb.Dispatch(map[byte]parse.TryParse[byte]{'\n': cb.Byte('\n')}, fault[byte](ErrBareCR))
	crlf := cb.Dispatch(map[byte]parse.TryParse[byte]{
		'\r': cb.Then(cb.Byte('\r'), lf),
		'\n': fault[byte](ErrBareLF),
	}, fault[byte](ErrInvalidByte))

	sp := cb.Byte(' ')
	token := func(what string, max int) parse.TryParse[seq.Sequence] {
		return cb.TakeWhile(what, func(b byte) bool { return isTchar[b] }, 1, max)
	}
	digit := cb.Satisfy("digit", func(b byte) bool { return isDigitch[b] })
	version := cb.MapErr(cb.Then(cb.Literal("HTTP/"), cb.Seq3(digit, cb.Byte('.'), digit,
		func(a, _, b byte) [2]byte { return [2]byte{a, b} })),
		func(v [2]byte) (uint8, error) {
			if v[0] != '1' || v[1] > '1' {
				return 0, ErrVersion
			}
			return v[1] - '0', nil
		})

	// Field lines: name ":" OWS value OWS CRLF; the value is trimmed
	// when it is read (Fields), and classified now for framing.
	colon := cb.Dispatch(map[byte]parse.TryParse[byte]{
		':': cb.Byte(':'), ' ': fault[byte](ErrSpaceBeforeColon), '\t': fault[byte](ErrSpaceBeforeColon),
	}, fault[byte](ErrInvalidByte))
	value := cb.TakeWhile("field value", func(b byte) bool { return isValue[b] }, 0, -1)
	line := cb.Seq3(token("field name", -1), cb.Then(colon, value), crlf,
		func(n, v seq.Sequence, _ byte) [2]seq.Sequence { return [2]seq.Sequence{n, v} })
	fieldLine := cb.Limit(l.line, cb.MapErr(line, classify))
	// What may start a line of the section: a field name, the CR of
	// the empty line that ends it (checked strictly here when the plain
	// terminator did not match), or a refusal by name.
	fold := fault[field](ErrObsFold)
	element := cb.Dispatch(map[byte]parse.TryParse[field]{
		' ': fold, '\t': fold,
		'\r': cb.Then(cb.Byte('\r'), cb.Map(lf, func(byte) field { return field{} })),
		'\n': fault[field](ErrBareLF),
	}, fieldLine)
	// The count is checked once the section is read (the head's size
	// bounds it meanwhile), and reported where the head ends, as the
	// framing is (see conn.parse).
	fields := cb.Map(cb.Recognize(cb.FoldTill(element, cb.Literal("\r\n"), 0, -1, section{}, addField)),
		func(r cb.Recognized[section]) sectionView {
			v := sectionView{sec: r.Value, f: Fields{block: r.Bytes.Slice(0, r.Bytes.Len()-2), n: r.Value.n}}
			if r.Value.n > l.fields {
				v.err = ErrTooManyFields
			}
			return v
		})

	requestLine := cb.Limit(l.line, cb.Seq4(
		cb.Before(token("method", -1), sp),
		cb.Before(cb.TakeWhile("request target", func(b byte) bool { return isTarget[b] }, 1, -1), sp),
		version, crlf,
		func(m, t seq.Sequence, v uint8, _ byte) Head { return Head{Method: m, Target: t, Minor: v} }))
	status := cb.MapErr(cb.Seq3(digit, digit, digit, func(a, b, c byte) int {
		return int(a-'0')*100 + int(b-'0')*10 + int(c-'0')
	}), func(s int) (int, error) {
		if s < 100 {
			return 0, ErrStatus
		}
		return s, nil
	})
	reason := cb.TakeWhile("reason phrase", func(b byte) bool { return isValue[b] }, 0, -1)
	// The SP before an empty reason phrase may be missing, as many
	// servers send "HTTP/1.1 200\r\n".
	reasonOpt := cb.Dispatch(map[byte]parse.TryParse[seq.Sequence]{' ': cb.Then(sp, reason)},
		cb.Map(cb.Take(0), func(seq.Sequence) seq.Sequence { return seq.Sequence{} }))
	statusLine := cb.Limit(l.line, cb.Seq4(cb.Before(version, sp), status, reasonOpt, crlf,
		func(v uint8, s int, r seq.Sequence, _ byte) Head { return Head{Minor: v, Status: s, Reason: r} }))

	// The framing is decided once the head is read; a head it refuses
	// carries the error, which the readers report where the head ends
	// (see conn.parse).
	request := cb.Seq2(requestLine, fields, func(h Head, s sectionView) Head {
		h = withFields(h, s)
		if h.err = s.err; h.err == nil {
			h.err = frameRequest(&h, &s.sec, l)
		}
		return h
	})
	response := cb.Seq2(statusLine, fields, func(h Head, s sectionView) Head {
		h = withFields(h, s)
		if h.err = s.err; h.err == nil {
			h.err = frameResponse(&h, &s.sec, l)
		}
		return h
	})

	headUnit := func(h Head) unit { return unit{isHead: true, head: h} }
	// RFC 9112 §2.2: empty lines before a start line are ignored (a
	// client may send a CRLF after a body it counted out). They are a
	// message of their own, which the readers skip, so that input that
	// ends after them ends cleanly.
	blank := cb.Fold(cb.Literal("\r\n"), 1, -1, unit{blank: true}, func(u unit, _ string) unit { return u })
	startUnit := func(head parse.TryParse[Head]) parse.TryParse[unit] {
		return cb.Dispatch(map[byte]parse.TryParse[unit]{'\r': blank}, cb.Map(head, headUnit))
	}
	g := &grammars{
		request:      request,
		response:     response,
		requestUnit:  startUnit(request),
		responseUnit: startUnit(response),
		closePart:    cb.Alt(cb.Take(l.part), cb.Rest()),
	}
	// Chunked bodies: chunk-size lines and trailers (chunked.go).
	g.chunked = buildChunked(l, crlf, fields)
	for s, h := range g.chunked.heads() {
		g.chunkUnits[s] = cb.Map(h, func(c chunkHead) unit { return unit{chunk: c} })
	}
	return g
}

// sectionView is a checked section: what its fields add up to, and the
// view of its lines.
type sectionView struct {
	sec section
	f   Fields
	err error
}

func withFields(h Head, s sectionView) Head {
	h.Fields = s.f
	return h
}
