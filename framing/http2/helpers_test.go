package http2

import (
	"bytes"
	"context"
	"fmt"
	"github.com/sluicego/sluice/internal/parsetest"
	"strings"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
)

// render writes a frame part on one line.
func render(f Frame) string {
	var b strings.Builder
	if f.First {
		h := f.Header
		fmt.Fprintf(&b, "%s flags=%#x stream=%d len=%d", h.Type, uint8(h.Flags), h.StreamID, h.Length)
		if h.Flags.Has(FlagPadded) && (h.Type == TypeData || h.Type == TypeHeaders || h.Type == TypePushPromise) {
			fmt.Fprintf(&b, " pad=%d", f.PadLength)
		}
		switch h.Type {
		case TypeHeaders:
			if h.Flags.Has(FlagPriority) {
				fmt.Fprintf(&b, " prio=%+v", f.Priority)
			}
		case TypePriority:
			fmt.Fprintf(&b, " prio=%+v", f.Priority)
		case TypeRSTStream:
			fmt.Fprintf(&b, " code=%s", f.Code)
		case TypeSettings:
			for i := range f.NumSettings() {
				s := f.Setting(i)
				fmt.Fprintf(&b, " %#x=%d", uint16(s.ID), s.Val)
			}
		case TypePushPromise:
			fmt.Fprintf(&b, " promised=%d", f.PromisedID)
		case TypePing:
			fmt.Fprintf(&b, " ping=%x", f.Ping)
		case TypeGoAway:
			fmt.Fprintf(&b, " last=%d code=%s", f.LastStreamID, f.Code)
		case TypeWindowUpdate:
			fmt.Fprintf(&b, " incr=%d", f.Increment)
		}
		b.WriteString(": ")
	} else {
		fmt.Fprintf(&b, "+%d: ", f.Pos)
	}
	if f.Header.Type != TypeSettings {
		fmt.Fprintf(&b, "%q", f.AppendData(nil))
	}
	if f.Left > 0 {
		fmt.Fprintf(&b, " (%d left)", f.Left)
	}
	return b.String()
}

// readAll decodes b in role r and renders every frame part.
func readAll(b []byte, r Role, o Options) ([]string, error) {
	d := NewDecoder(pipe.FromBytes(b), r, o)
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

// settings0 is the SETTINGS frame mixed starts with.
var settings0 = AppendSettings(nil, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20},
	Setting{SettingEnablePush, 0}, Setting{0x99, 7})

// mixed is a client's stream with every frame type: a header block in
// three fragments, padding, priorities, payloads longer than a part, an
// unknown type, a GOAWAY at the end.
func mixed() []byte {
	b := AppendPreface(nil)
	b = append(b, settings0...)
	b = AppendWindowUpdate(b, 0, 1<<24)
	b = AppendHeaders(b, 1, FlagPadded|FlagPriority, 3, Priority{Exclusive: true, StreamDep: 0, Weight: 15}, []byte("hpack-1"))
	b = AppendContinuation(b, 1, false, bytes.Repeat([]byte("c"), 200))
	b = AppendContinuation(b, 1, true, []byte("end"))
	b = AppendData(b, 1, FlagPadded, 10, bytes.Repeat([]byte("d"), 300))
	b = AppendData(b, 1, 0, 0, bytes.Repeat([]byte{0, 1, 2, 3}, 100))
	b = AppendPriority(b, 3, Priority{StreamDep: 1, Weight: 200})
	b = AppendHeaders(b, 3, FlagEndHeaders|FlagEndStream, 0, Priority{}, []byte("hpack-3"))
	b = AppendRSTStream(b, 3, CodeCancel)
	b = AppendPushPromise(b, 1, FlagEndHeaders|FlagPadded, 2, 2, []byte("promise"))
	b = AppendPing(b, false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	b = AppendPing(b, true, [8]byte{8, 7, 6, 5, 4, 3, 2, 1})
	b = AppendSettingsAck(b)
	b = AppendFrame(b, Header{Type: 0x42, Flags: 0xff, StreamID: 9}, []byte("extension"))
	b = AppendData(b, 1, FlagEndStream|FlagPadded, 200, nil)
	return AppendGoAway(b, 3, CodeNo, []byte("bye"))
}

var ctxb = context.Background()

func pipeOf(b []byte) pipe.Reader { return pipe.FromBytes(b) }
