package grpc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicego/sluice/framing/grpc"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// A server reads the messages of a call's request stream (the payloads
// of its DATA frames, joined): small ones whole, a large one in parts.
func Example() {
	var wire []byte
	wire, _ = grpc.AppendMessage(wire, false, []byte("\x0a\x03abc")) // a protobuf message
	wire, _ = grpc.AppendMessage(wire, true, []byte("gzipped bytes"))
	wire, _ = grpc.AppendMessage(wire, false, make([]byte, 70000))

	d := grpc.NewDecoder(pipe.FromBytes(wire), grpc.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		switch {
		case m.Whole():
			fmt.Printf("message compressed=%v %q\n", m.Prefix.Compressed, m.Data)
		default:
			fmt.Printf("part of %d bytes at %d, %d left\n", m.Data.Len(), m.Pos, m.Left)
		}
	}
	if err := d.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// message compressed=false "\n\x03abc"
	// message compressed=true "gzipped bytes"
	// part of 32768 bytes at 0, 37232 left
	// part of 32768 bytes at 32768, 4464 left
	// part of 4464 bytes at 65536, 0 left
}

// A prefix over the limit ends the call with RESOURCE_EXHAUSTED before a
// byte of its payload is read.
func ExampleStatusOf() {
	wire := []byte{0, 0x10, 0, 0, 0} // 256 MiB declared
	d := grpc.NewDecoder(pipe.FromBytes(wire), grpc.Options{})
	defer d.Close()
	_, err := d.Next(context.Background())
	code, ok := grpc.StatusOf(err)
	fmt.Println(code, ok, errors.Is(err, grpc.ErrMessageTooLarge), errors.Is(err, parse.ErrTooLarge))
	fmt.Println(err)
	// Output:
	// 8 true true true
	// parse: at offset 1: invalid message prefix: grpc: message larger than the maximum
}

// WriteMessage writes a message into a pipe.Writer and flushes it.
func ExampleWriteMessage() {
	p := pipe.New(pipe.Options{})
	go func() {
		grpc.WriteMessage(context.Background(), p.Writer(), false, []byte("reply"))
		p.Writer().Complete(nil)
	}()
	d := grpc.NewDecoder(p.Reader(), grpc.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		fmt.Printf("%d bytes: %q\n", m.Prefix.Length, m.Data)
	}
	// Output:
	// 5 bytes: "reply"
}

// Parser serves a message reader of your own, here with a 16-byte part
// size.
func ExampleParser() {
	wire, _ := grpc.AppendMessage(nil, false, []byte("a message of 29 bytes, in two"))
	r := parse.NewReader(pipe.FromBytes(wire), grpc.Parser(grpc.Options{MaxPart: 16}), parse.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		fmt.Printf("%q left=%d\n", m.Data, m.Left)
	}
	// Output:
	// "a message of 29 " left=13
	// "bytes, in two" left=0
}
