package http1

import (
	"github.com/sluicego/sluice/seq"
)

// Head is the start line and the header section of a request or a
// response, with how its body is framed. Method, Target, Reason and
// Fields view the input: they are valid until the next read from the
// reader that returned the head (copy what you keep).
type Head struct {
	// Method and Target are a request's (empty in a response).
	Method, Target seq.Sequence
	// Status and Reason are a response's (zero in a request).
	Status int
	Reason seq.Sequence
	// Minor is the minor version: HTTP/1.Minor, 0 or 1.
	Minor uint8
	// Fields is the header section.
	Fields Fields

	// Body says how the body that follows is framed, ContentLength its
	// length when Body is BodyLength.
	Body          BodyKind
	ContentLength int64
	// Close reports that the connection ends after this message
	// ("Connection: close", or HTTP/1.0 without "keep-alive").
	Close bool
	// Continue reports a request with "Expect: 100-continue": its client
	// waits for a 100 (Continue) response, or a final one, before it
	// sends the body.
	Continue bool
	// Upgrade reports an Upgrade field listed in Connection: the client
	// asks to switch protocols (a request) or a 101 answers that (a
	// response).
	Upgrade bool

	err error // the framing refused
}

// BodyKind says how a message's body is framed (RFC 9112 §6.3).
type BodyKind uint8

// The framings of a body.
const (
	BodyNone       BodyKind = iota // no body
	BodyLength                     // Content-Length bytes
	BodyChunked                    // the chunked transfer coding
	BodyUntilClose                 // a response's bytes until the connection closes
	BodyTunnel                     // the connection is handed over (CONNECT 2xx, 101)
)

// IsRequest reports whether h is a request head.
func (h *Head) IsRequest() bool { return h.Status == 0 }

// classify reads a field line's name and value for the framing
// decisions: Content-Length, Transfer-Encoding, Connection, Upgrade and
// Expect. Other fields cost one length comparison or two.
func classify(nv [2]seq.Sequence) (field, error) {
	name, value := nv[0], nv[1]
	switch name.Len() {
	case 14:
		if equalFold(name, "content-length") {
			return classifyValue(fieldContentLength, value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			return classifyValue(fieldTransferEncoding, value)
		}
	case 10:
		if equalFold(name, "connection") {
			return classifyValue(fieldConnection, value)
		}
	case 7:
		if equalFold(name, "upgrade") {
			return classifyValue(fieldUpgrade, value)
		}
	case 6:
		if equalFold(name, "expect") {
			return classifyValue(fieldExpect, value)
		}
	}
	return field{}, nil
}

// classifyValue reads the value of a field of kind k, whose name classify
// (or the fast path's framingName) matched.
func classifyValue(k fieldKind, value seq.Sequence) (field, error) {
	switch k {
	case fieldContentLength:
		n, err := contentLength(trimOWS(value))
		return field{kind: fieldContentLength, cl: n}, err
	case fieldTransferEncoding:
		f := field{kind: fieldTransferEncoding}
		for tok := range listTokens(value) {
			f.te.codings++
			f.te.lastChunk = tok == "chunked"
			if f.te.lastChunk {
				f.te.chunked++
			}
		}
		return f, nil
	case fieldConnection:
		f := field{kind: fieldConnection}
		if value.IsSingleSegment() {
			// The common values whole, what the list of one element
			// yields: "keep-alive" or "close", any case, OWS around.
			b := value.First()
			i, j := 0, len(b)
			for i < j && isOWS(b[i]) {
				i++
			}
			for j > i && isOWS(b[j-1]) {
				j--
			}
			switch {
			case equalFoldBytes(b[i:j], "keep-alive"):
				f.flags = connKeepAlive
				return f, nil
			case equalFoldBytes(b[i:j], "close"):
				f.flags = connClose
				return f, nil
			}
		}
		for tok := range listTokens(value) {
			switch tok {
			case "close":
				f.flags |= connClose
			case "keep-alive":
				f.flags |= connKeepAlive
			case "upgrade":
				f.flags |= connUpgrade
			}
		}
		return f, nil
	case fieldUpgrade:
		return field{kind: fieldUpgrade, flags: hasUpgrade}, nil
	case fieldExpect:
		if equalFold(trimOWS(value), "100-continue") {
			return field{kind: fieldExpect, flags: expect100}, nil
		}
	}
	return field{}, nil
}

// contentLength reads a Content-Length value: 1 to 18 decimal digits. A
// list ("5, 5") is refused as repeated.
func contentLength(v seq.Sequence) (int64, error) {
	if v.Len() == 0 || v.Len() > 18 {
		if v.IndexByte(',') >= 0 {
			return 0, ErrRepeatedContentLength
		}
		return 0, ErrContentLength
	}
	var n int64
	for c := range v.Chunks() {
		for _, b := range c {
			if b < '0' || b > '9' {
				if v.IndexByte(',') >= 0 {
					return 0, ErrRepeatedContentLength
				}
				return 0, ErrContentLength
			}
			n = n*10 + int64(b-'0')
		}
	}
	return n, nil
}

// listTokens yields the elements of a comma-separated list (RFC 9110
// §5.6.1), each lower-cased, without the whitespace around it and
// without parameters; empty elements are skipped. An element longer
// than 16 bytes is yielded as "~", which matches no name this package
// looks for. It allocates nothing: the strings are constants.
func listTokens(v seq.Sequence) func(func(string) bool) {
	return func(yield func(string) bool) {
		var buf [16]byte
		n, long, params := 0, false, false
		emit := func() bool {
			if n == 0 && !long {
				return true
			}
			tok := "~"
			if !long {
				tok = known(buf[:n])
			}
			n, long, params = 0, false, false
			return yield(tok)
		}
		for c := range v.Chunks() {
			for _, b := range c {
				switch {
				case b == ',':
					if !emit() {
						return
					}
				case b == ';':
					params = true
				case params || b == ' ' || b == '\t':
				case n == len(buf):
					long = true
				default:
					buf[n] = lower(b)
					n++
				}
			}
		}
		emit()
	}
}

// known returns the constant string equal to b among the tokens this
// package acts on, or "~".
func known(b []byte) string {
	for _, k := range [...]string{"chunked", "close", "keep-alive", "upgrade", "identity", "gzip"} {
		if string(b) == k {
			return k
		}
	}
	return "~"
}

// validExtensions checks chunk extensions (RFC 9112 §7.1.1):
// *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ).
func validExtensions(e seq.Sequence) bool {
	if e.Len() == 0 {
		return true
	}
	var b []byte
	if e.IsSingleSegment() {
		b = e.First()
	} else {
		b = e.Bytes() // rare: an extension cut by a segment end
	}
	i := 0
	ws := func() {
		for i < len(b) && isOWS(b[i]) {
			i++
		}
	}
	tok := func() bool {
		j := i
		for i < len(b) && isTchar[b[i]] {
			i++
		}
		return i > j
	}
	for {
		j := i
		ws()
		if i == len(b) {
			return i == j // whitespace only before a ';'
		}
		if b[i] != ';' {
			return false
		}
		i++
		ws()
		if !tok() {
			return false
		}
		k := i
		ws() // BWS only before '=': "name " then the line's end is refused
		if i < len(b) && b[i] == '=' {
			i++
			ws()
			if i < len(b) && b[i] == '"' {
				i++
				for {
					if i == len(b) {
						return false
					}
					c := b[i]
					i++
					if c == '"' {
						break
					}
					if c == '\\' {
						if i == len(b) {
							return false
						}
						i++
					}
				}
			} else if !tok() {
				return false
			}
		} else {
			i = k
		}
	}
}

// frameRequest decides how a request's body is framed (RFC 9112 §6.3)
// and refuses the ambiguous framings request smuggling relies on.
func frameRequest(h *Head, s *section, l limits) error {
	if err := frameCommon(h, s, l); err != nil {
		return err
	}
	if s.nte > 0 {
		if s.te.chunked != 1 || !s.te.lastChunk {
			return ErrTransferEncoding
		}
		h.Body = BodyChunked
	} else if s.ncl == 1 {
		h.Body, h.ContentLength = BodyLength, s.cl
	}
	if h.Method.Len() == 7 && equalFold(h.Method, "CONNECT") {
		// The tunnel starts after the head (RFC 9110 §9.3.6): content
		// of a CONNECT has no meaning, and reading any would let its
		// bytes pass for a request.
		h.Body, h.ContentLength = BodyNone, 0
	}
	h.Continue = s.flags&expect100 != 0
	return nil
}

// frameResponse decides how a response's body is framed, as far as the
// head alone says: the request it answers may change it (a HEAD, a
// CONNECT), which the response reader applies.
func frameResponse(h *Head, s *section, l limits) error {
	if err := frameCommon(h, s, l); err != nil {
		return err
	}
	switch {
	case s.nte > 0 && s.te.chunked > 1:
		return ErrTransferEncoding
	case s.nte > 0 && s.te.lastChunk:
		h.Body = BodyChunked
	case s.nte > 0:
		h.Body = BodyUntilClose
	case s.ncl == 1:
		h.Body, h.ContentLength = BodyLength, s.cl
	default:
		h.Body = BodyUntilClose
	}
	return nil
}

func frameCommon(h *Head, s *section, l limits) error {
	switch {
	case s.ncl > 1:
		return ErrRepeatedContentLength
	case s.ncl == 1 && s.nte > 0:
		return ErrLengthAndChunked
	case s.ncl == 1 && l.body > 0 && s.cl > l.body:
		return ErrBodyTooLarge
	}
	h.Close = s.flags&connClose != 0 || h.Minor == 0 && s.flags&connKeepAlive == 0
	h.Upgrade = s.flags&connUpgrade != 0 && s.flags&hasUpgrade != 0
	return nil
}
