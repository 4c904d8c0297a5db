package http2_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicego/sluice/framing/http2"
	"github.com/sluicego/sluice/pipe"
)

// A server reads what a client sends: the preface, SETTINGS, a request's
// header block in two fragments, a body in two parts.
func Example() {
	var in []byte
	in = http2.AppendPreface(in)
	in = http2.AppendSettings(in, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	in = http2.AppendHeaders(in, 1, 0, 0, http2.Priority{}, []byte("hpack..."))
	in = http2.AppendContinuation(in, 1, true, []byte("more hpack"))
	in = http2.AppendData(in, 1, http2.FlagPadded, 4, make([]byte, 100))
	in = http2.AppendData(in, 1, http2.FlagEndStream, 0, []byte("end"))
	in = http2.AppendGoAway(in, 0, http2.CodeNo, nil)

	d := http2.NewDecoder(pipe.FromBytes(in), http2.Server, http2.Options{MaxPart: 64})
	defer d.Close()
	var block []byte
	for f := range d.All(context.Background()) {
		switch f.Header.Type {
		case http2.TypeHeaders, http2.TypeContinuation:
			block = f.AppendData(block) // for an HPACK decoder of yours
			if f.End() && f.Header.Flags.Has(http2.FlagEndHeaders) {
				fmt.Printf("stream %d: header block %q\n", f.Header.StreamID, block)
			}
		case http2.TypeData:
			fmt.Printf("stream %d: %d data bytes at %d, %d payload bytes left\n", f.Header.StreamID, f.Data.Len(), f.Pos, f.Left)
		default:
			fmt.Println(f.Header.Type)
		}
	}
	fmt.Println("error:", d.Err())
	// Output:
	// SETTINGS
	// stream 1: header block "hpack...more hpack"
	// stream 1: 64 data bytes at 0, 40 payload bytes left
	// stream 1: 36 data bytes at 64, 0 payload bytes left
	// stream 1: 3 data bytes at 0, 0 payload bytes left
	// GOAWAY
	// error: <nil>
}

// A violation carries the error code of the GOAWAY frame to answer with.
func ExampleCodeOf() {
	in := http2.AppendSettings(nil)
	in = http2.AppendHeaders(in, 1, 0, 0, http2.Priority{}, []byte("x"))
	for range 100 {
		in = http2.AppendContinuation(in, 1, false, nil) // the CONTINUATION flood
	}
	d := http2.NewDecoder(pipe.FromBytes(in), http2.Client, http2.Options{MaxContinuations: 10})
	defer d.Close()
	for range d.All(context.Background()) {
	}
	code, ok := http2.CodeOf(d.Err())
	fmt.Println(errors.Is(d.Err(), http2.ErrTooManyContinuations), code, ok)
	// Output:
	// true ENHANCE_YOUR_CALM true
}

// SETTINGS frames arrive whole and checked; apply SETTINGS_MAX_FRAME_SIZE
// to the decoder once the peer acknowledged yours.
func ExampleDecoder_SetMaxFrameSize() {
	in := http2.AppendSettings(nil, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 20})
	in = http2.AppendSettingsAck(in)
	in = http2.AppendData(in, 1, 0, 0, make([]byte, 100000))
	d := http2.NewDecoder(pipe.FromBytes(in), http2.Client, http2.Options{})
	defer d.Close()
	for f := range d.All(context.Background()) {
		switch {
		case f.Header.Type == http2.TypeSettings && f.Header.Flags.Has(http2.FlagAck):
			fmt.Println("our SETTINGS acknowledged:", d.SetMaxFrameSize(1<<17))
		case f.Header.Type == http2.TypeSettings:
			for i := range f.NumSettings() {
				s := f.Setting(i)
				fmt.Printf("peer setting %#x = %d\n", uint16(s.ID), s.Val)
			}
		case f.First:
			fmt.Println(f.Header.Type, f.Header.Length)
		}
	}
	fmt.Println("error:", d.Err())
	// Output:
	// peer setting 0x5 = 1048576
	// our SETTINGS acknowledged: <nil>
	// DATA 100000
	// error: <nil>
}

// The Append functions encode every frame type.
func ExampleAppendHeaders() {
	b := http2.AppendHeaders(nil, 3, http2.FlagEndHeaders|http2.FlagPriority, 0,
		http2.Priority{StreamDep: 1, Weight: 255}, []byte{0x82})
	fmt.Printf("% x\n", b)
	b = http2.AppendWindowUpdate(nil, 0, 65535)
	fmt.Printf("% x\n", b)
	// Output:
	// 00 00 06 01 24 00 00 00 03 00 00 00 01 ff 82
	// 00 00 04 08 00 00 00 00 00 00 00 ff ff
}
