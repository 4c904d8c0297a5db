package tlsrecord

// DefaultMaxHello is the longest hello body a Hello gathers when its Max
// is zero: 64 KiB, four full records, well above the ClientHello of a
// browser with post-quantum key shares (about 2 KiB).
const DefaultMaxHello = 64 << 10

// Hello gathers the first handshake message of one direction of a
// connection, a ClientHello or a ServerHello, from the handshake records
// that carry it, for routing on its contents (the server name of a
// ClientHello, the version of a ServerHello) without terminating TLS.
//
// The message may span records, and its 4-byte header too; a record may
// also hold the start of the next message after it (a TLS 1.2 server
// sends ServerHello, Certificate and ServerHelloDone in one record).
// Feed Add the direction's records in order from the first: it copies the
// hello's bytes and nothing else, checks the header as soon as its 4
// bytes are there (a ClientHello or ServerHello, of at most Max bytes)
// before any body byte is copied, and reports when the message is
// complete. Memory is bounded by Max. The zero value is ready to use.
type Hello struct {
	// Max bounds the body's length. Zero means DefaultMaxHello.
	Max int

	buf  []byte
	hdr  HandshakeHeader
	have bool // hdr read
}

// Add takes the next record of the direction. It returns true once the
// message is complete (then and after, Header and Body are the message);
// false asks for the next record. A record of another type before the
// message is complete is ErrNotHandshake (a peer sends nothing else before
// its hello), a first message of another type ErrNotHello, a declared
// length over Max ErrHelloTooLarge. Records added after completion are
// ignored.
func (h *Hello) Add(r *Record) (bool, error) {
	if h.Done() {
		return true, nil
	}
	if r.Type != TypeHandshake {
		return false, ErrNotHandshake
	}
	frag := r.Fragment
	if !h.have {
		k := min(HandshakeHeaderSize-len(h.buf), frag.Len())
		h.buf = frag.Slice(0, k).AppendTo(h.buf)
		frag = frag.From(k)
		if len(h.buf) < HandshakeHeaderSize {
			return false, nil
		}
		h.hdr = handshakeHeader([4]byte(h.buf))
		switch {
		case h.hdr.Type != ClientHello && h.hdr.Type != ServerHello:
			return false, ErrNotHello
		case int(h.hdr.Length) > h.max():
			return false, ErrHelloTooLarge
		}
		h.have = true
	}
	want := HandshakeHeaderSize + int(h.hdr.Length) - len(h.buf)
	h.buf = frag.Slice(0, min(want, frag.Len())).AppendTo(h.buf)
	return h.Done(), nil
}

func (h *Hello) max() int {
	if h.Max <= 0 {
		return DefaultMaxHello
	}
	return h.Max
}

// Done reports whether the message is complete.
func (h *Hello) Done() bool {
	return h.have && len(h.buf) == HandshakeHeaderSize+int(h.hdr.Length)
}

// Header returns the message's header, once its 4 bytes have arrived.
func (h *Hello) Header() (HandshakeHeader, bool) { return h.hdr, h.have }

// Body returns the message's body (without its header) once Done, nil
// before. It is the Hello's memory, valid until Reset.
func (h *Hello) Body() []byte {
	if !h.Done() {
		return nil
	}
	return h.buf[HandshakeHeaderSize:]
}

// Reset makes h ready for another connection, keeping its memory.
func (h *Hello) Reset() { *h = Hello{Max: h.Max, buf: h.buf[:0]} }
