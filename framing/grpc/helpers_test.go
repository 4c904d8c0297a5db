package grpc

import (
	"context"
	"errors"
	"github.com/sluicego/sluice/internal/parsetest"
	"io"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// whole is a message as the tests compare it: the prefix and the payload
// gathered from its parts.
type whole struct {
	Prefix
	Data string
}

// gather joins message parts into whole messages, checking that the
// parts fit together.
func gather(parts []Message) ([]whole, error) {
	var out []whole
	var pos uint32
	var data []byte
	for _, m := range parts {
		if m.First {
			if len(out) > 0 {
				out[len(out)-1].Data = string(data)
			}
			out = append(out, whole{Prefix: m.Prefix})
			pos, data = 0, data[:0]
		}
		if len(out) == 0 || m.Pos != pos || uint64(m.Pos)+uint64(m.Data.Len())+uint64(m.Left) != uint64(m.Prefix.Length) {
			return out, errors.New("parts out of order")
		}
		data = m.Data.AppendTo(data)
		pos += uint32(m.Data.Len())
	}
	if len(out) > 0 {
		out[len(out)-1].Data = string(data)
	}
	return out, nil
}

// readAll decodes s with o and gathers the messages.
func readAll(s seq.Sequence, o Options) ([]whole, error) {
	d := NewDecoder(pipe.FromSequence(s), o)
	defer d.Close()
	var parts []Message
	for m := range d.All(context.Background()) {
		m.Data = seq.Of(m.Data.Bytes())
		parts = append(parts, m)
	}
	w, err := gather(parts)
	if err != nil {
		return w, err
	}
	return w, d.Err()
}

// decoder is the fuzz harness's view of a fresh Decoder per run.
func decoder(o Options) fuzz.Decoder[Message] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(Message)) error {
		return fuzz.Parser(Parser(o))(ctx, src, limit, emit)
	}
}

// violation reports whether err is a syntax error at off matching want.
var violation = parsetest.SyntaxAt

// refError is where the reference reader stops.
type refError = parsetest.Refusal

// splitRef reads b as gRPC's spec describes a Length-Prefixed-Message,
// in a plain loop: the whole messages, and the first violation or
// truncation.
func splitRef(b []byte, max uint64) ([]whole, *refError) {
	var out []whole
	i := 0
	for i < len(b) {
		if b[i] > 1 {
			return out, &refError{Off: int64(i), Want: ErrFlag}
		}
		if len(b)-i < 5 {
			return out, &refError{Off: int64(i), Want: io.ErrUnexpectedEOF}
		}
		n := uint64(b[i+1])<<24 | uint64(b[i+2])<<16 | uint64(b[i+3])<<8 | uint64(b[i+4])
		if n > max {
			return out, &refError{Off: int64(i + 1), Want: ErrMessageTooLarge}
		}
		if uint64(len(b)-i-5) < n {
			return out, &refError{Off: int64(i), Want: io.ErrUnexpectedEOF}
		}
		out = append(out, whole{Prefix{b[i] == 1, uint32(n)}, string(b[i+5 : i+5+int(n)])})
		i += 5 + int(n)
	}
	return out, nil
}
