package websocket_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicego/sluice/framing/websocket"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// A server reads what a client sent: the masked frames of RFC 6455
// section 5.7, a fragmented message with a ping between its frames, and a
// close. Payloads arrive masked; AppendData unmasks them into a buffer.
func Example() {
	enc := websocket.Encoder{Role: websocket.Client} // keys from crypto/rand
	var wire []byte
	wire = enc.AppendFrame(wire, websocket.OpText, false, []byte("Hel"))
	wire = enc.AppendFrame(wire, websocket.OpPing, true, []byte("still there?"))
	wire = enc.AppendFrame(wire, websocket.OpContinuation, true, []byte("lo"))
	wire = enc.AppendFrame(wire, websocket.OpClose, true, websocket.AppendClosePayload(nil, websocket.CloseNormal, "bye"))

	d := websocket.NewDecoder(pipe.FromBytes(wire), websocket.Server, websocket.Options{})
	defer d.Close()
	var msg []byte
	for f := range d.All(context.Background()) {
		switch f.Header.Op {
		case websocket.OpPing:
			fmt.Printf("ping %q\n", f.AppendData(nil))
		case websocket.OpClose:
			fmt.Printf("close %d %q\n", f.Close.Code, f.Close.Reason)
		default:
			msg = f.AppendData(msg)
			if f.MessageEnd() {
				fmt.Printf("%s message %q\n", f.Message, msg)
				msg = msg[:0]
			}
		}
	}
	if err := d.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ping "still there?"
	// text message "Hello"
	// close 1000 "bye"
}

// A frame larger than the part size arrives in parts: the header with the
// first part, then the rest, Pos giving each part's place in the payload.
func ExampleDecoder_parts() {
	wire := websocket.AppendFrame(nil, websocket.Header{Fin: true, Op: websocket.OpBinary}, make([]byte, 300))
	d := websocket.NewDecoder(pipe.FromBytes(wire), websocket.Client, websocket.Options{MaxPart: 128})
	defer d.Close()
	for f := range d.All(context.Background()) {
		fmt.Printf("first=%v pos=%d bytes=%d left=%d\n", f.First, f.Pos, f.Data.Len(), f.Left)
	}
	// Output:
	// first=true pos=0 bytes=128 left=172
	// first=false pos=128 bytes=128 left=44
	// first=false pos=256 bytes=44 left=0
}

// A violation ends the stream with an error that names the close code to
// answer with: here a client frame without a mask, refused by a server.
func ExampleCloseCodeOf() {
	wire := []byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'} // RFC 6455 section 5.7, unmasked
	d := websocket.NewDecoder(pipe.FromBytes(wire), websocket.Server, websocket.Options{})
	defer d.Close()
	_, err := d.Next(context.Background())
	fmt.Println(errors.Is(err, websocket.ErrUnmasked), websocket.CloseCodeOf(err))
	// Output:
	// true 1002
}

// A header declaring more than the limit is refused as soon as it has
// arrived, before any payload byte.
func ExampleOptions() {
	wire := websocket.AppendHeader(nil, websocket.Header{Fin: true, Op: websocket.OpBinary, Length: 1 << 40})
	d := websocket.NewDecoder(pipe.FromBytes(wire), websocket.Client, websocket.Options{MaxMessageSize: 1 << 20})
	defer d.Close()
	_, err := d.Next(context.Background())
	fmt.Println(errors.Is(err, websocket.ErrFrameTooLarge), websocket.CloseCodeOf(err))
	// Output:
	// true 1009
}

// Unmask works on bytes you own, from any offset in the payload: here the
// masked "Hello" of RFC 6455 section 5.7, unmasked in two pieces.
func ExampleUnmask() {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	b := []byte{0x7f, 0x9f, 0x4d, 0x51, 0x58}
	websocket.Unmask(b[:2], key, 0)
	websocket.Unmask(b[2:], key, 2)
	fmt.Printf("%s\n", b)
	// Output:
	// Hello
}

// An Encoder in the client role masks every frame; WriteFrame writes it
// into a pipe, where a server's Decoder reads it.
func ExampleEncoder_WriteFrame() {
	p := pipe.New(pipe.Options{})
	enc := websocket.Encoder{Role: websocket.Client, Key: func() [4]byte { return [4]byte{1, 2, 3, 4} }}
	go func() {
		enc.WriteFrame(context.Background(), p.Writer(), websocket.OpBinary, true, []byte{0xca, 0xfe})
		p.Writer().Complete(nil)
	}()
	d := websocket.NewDecoder(p.Reader(), websocket.Server, websocket.Options{})
	defer d.Close()
	for f := range d.All(context.Background()) {
		fmt.Printf("%s masked=%v key=%x payload=%x\n", f.Header.Op, f.Header.Masked, f.Header.Key, f.AppendData(nil))
	}
	// Output:
	// binary masked=true key=01020304 payload=cafe
}

// AppendFrame writes the RFC 6455 section 5.7 examples byte for byte.
func ExampleAppendFrame() {
	unmasked := websocket.AppendFrame(nil, websocket.Header{Fin: true, Op: websocket.OpText}, []byte("Hello"))
	masked := websocket.AppendFrame(nil, websocket.Header{Fin: true, Op: websocket.OpText, Masked: true,
		Key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}, []byte("Hello"))
	fmt.Printf("% x\n% x\n", unmasked, masked)
	fmt.Printf("% x\n", websocket.AppendHeader(nil, websocket.Header{Fin: true, Op: websocket.OpBinary, Length: 256}))
	// Output:
	// 81 05 48 65 6c 6c 6f
	// 81 85 37 fa 21 3d 7f 9f 4d 51 58
	// 82 7e 01 00
}

// Parser runs the decoder's grammar in a message reader of your own, here
// one with a handler per frame.
func ExampleParser() {
	wire := websocket.AppendFrame(nil, websocket.Header{Fin: true, Op: websocket.OpText}, []byte("hi"))
	wire = websocket.AppendFrame(wire, websocket.Header{Fin: true, Op: websocket.OpClose}, nil)
	o := websocket.Options{MaxPart: 1024}
	r := parse.NewReader(pipe.FromBytes(wire), websocket.Parser(websocket.Client, o),
		parse.Options{MaxMessageSize: o.MaxPart + websocket.MaxHeaderSize})
	defer r.Close()
	for f := range r.All(context.Background()) {
		fmt.Println(f.Header.Op, f.Data.String(), f.Close.Code)
	}
	// Output:
	// text hi 0
	// close  1005
}
