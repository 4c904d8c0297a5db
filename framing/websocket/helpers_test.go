package websocket

import (
	"context"
	"fmt"
	"github.com/sluicego/sluice/internal/parsetest"
	"strings"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// render writes a frame part on one line, its payload unmasked.
func render(f Frame) string {
	var b strings.Builder
	if f.First {
		fmt.Fprintf(&b, "%s", f.Header.Op)
		if f.Header.Fin {
			b.WriteString(" fin")
		}
		if f.Header.RSV != 0 {
			fmt.Fprintf(&b, " rsv=%d", f.Header.RSV)
		}
		if f.Header.Masked {
			fmt.Fprintf(&b, " key=%x", f.Header.Key)
		}
		fmt.Fprintf(&b, " len=%d", f.Header.Length)
		if f.Header.Op == OpContinuation {
			fmt.Fprintf(&b, " of=%s", f.Message)
		}
		if f.Header.Op == OpClose {
			fmt.Fprintf(&b, " code=%d reason=%q", f.Close.Code, f.Close.Reason)
		}
		b.WriteString(": ")
	} else {
		fmt.Fprintf(&b, "+%d: ", f.Pos)
	}
	fmt.Fprintf(&b, "%q", f.AppendData(nil))
	if f.Left > 0 {
		fmt.Fprintf(&b, " (%d left)", f.Left)
	}
	return b.String()
}

// readAll decodes s in role r and renders every frame part.
func readAll(s seq.Sequence, r Role, o Options) ([]string, error) {
	d := NewDecoder(pipe.FromSequence(s), r, o)
	defer d.Close()
	var out []string
	for f := range d.All(context.Background()) {
		out = append(out, render(f))
	}
	return out, d.Err()
}

// decoder is the fuzz harness's view of a fresh Decoder per run.
func decoder(r Role, o Options) fuzz.Decoder[Frame] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(Frame)) error {
		return fuzz.Parser(Parser(r, o))(ctx, src, limit, emit)
	}
}

// hexBytes decodes space-separated hex bytes.
var hexBytes = parsetest.Hex

// violation reports whether err is a syntax error at off matching want.
var violation = parsetest.SyntaxAt

func seqOf(b []byte) seq.Sequence { return seq.Of(b) }
