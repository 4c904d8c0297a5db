package tlsrecord

import (
	"context"
	"github.com/sluicego/sluice/internal/parsetest"
	"io"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// plain is a record as the tests compare it: the header and a copy of the
// fragment.
type plain struct {
	Header
	Data string
}

func plainOf(r Record) plain { return plain{r.Header, r.Fragment.String()} }

// readAll reads every record of s with o.
func readAll(s seq.Sequence, o Options) ([]plain, error) {
	r := parse.NewReader(pipe.FromSequence(s), Parser(o), parse.Options{})
	defer r.Close()
	var out []plain
	for rec := range r.All(context.Background()) {
		out = append(out, plainOf(rec))
	}
	return out, r.Err()
}

// decoder is the fuzz harness's view of a Parser.
func decoder(o Options) fuzz.Decoder[Record] { return fuzz.Parser(Parser(o)) }

// hexBytes decodes space-separated hex bytes.
var hexBytes = parsetest.Hex

// violation reports whether err is a syntax error at off matching want.
var violation = parsetest.SyntaxAt

// refError is where the reference reader stops.
type refError = parsetest.Refusal

// splitRef is an independent reading of RFC 8446 section 5.1 and RFC 5246
// section 6.2.1, written as a plain loop over a byte slice: the records of
// b, and the first violation or truncation.
func splitRef(b []byte, o Options) ([]plain, *refError) {
	max := MaxCiphertext
	if o.Plaintext {
		max = MaxPlaintext
	}
	var out []plain
	i := 0
	for i < len(b) {
		t := b[i]
		switch {
		case t == 24 && !o.Heartbeat:
			return out, &refError{Off: int64(i), Want: ErrHeartbeat}
		case t < 20 || t > 24:
			return out, &refError{Off: int64(i), Want: ErrContentType}
		}
		if len(b)-i < 3 {
			return out, &refError{Off: int64(i), Want: io.ErrUnexpectedEOF}
		}
		v := int(b[i+1])<<8 | int(b[i+2])
		if v < 0x0301 || v > 0x0303 {
			return out, &refError{Off: int64(i + 1), Want: ErrVersion}
		}
		if len(b)-i < 5 {
			return out, &refError{Off: int64(i), Want: io.ErrUnexpectedEOF}
		}
		n := int(b[i+3])<<8 | int(b[i+4])
		switch {
		case n > max:
			return out, &refError{Off: int64(i + 3), Want: ErrRecordOverflow}
		case n == 0 && t != 23 && t != 24:
			return out, &refError{Off: int64(i + 3), Want: ErrEmpty}
		case len(b)-i-5 < n:
			return out, &refError{Off: int64(i), Want: io.ErrUnexpectedEOF}
		}
		out = append(out, plain{Header{ContentType(t), Version(v), uint16(n)}, string(b[i+5 : i+5+n])})
		i += 5 + n
	}
	return out, nil
}
