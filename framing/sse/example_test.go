package sse_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/sse"
	"github.com/sluicego/sluice/pipe"
)

func Example() {
	var stream []byte
	stream, _ = sse.AppendMessage(stream, sse.Message{Type: "greeting", ID: "1", Data: "hello\nworld"})
	stream = append(stream, ": keep-alive\r\n\r\n"...)
	stream, _ = sse.AppendMessage(stream, sse.Message{Retry: 5000, Data: "bye"})
	fmt.Printf("%q\n", stream)

	r := sse.NewReader(pipe.FromBytes(stream), sse.Options{})
	defer r.Close()
	for ev := range r.All(context.Background()) {
		fmt.Printf("type %q id %q data %q\n", ev.Type, ev.LastEventID, ev.Data())
	}
	fmt.Println("retry", r.Retry(), "error", r.Err())
	// Output:
	// "event: greeting\nid: 1\ndata: hello\ndata: world\n\n: keep-alive\r\n\r\nretry: 5000\ndata: bye\n\n"
	// type "greeting" id "1" data "hello\nworld"
	// type "" id "1" data "bye"
	// retry 5000 error <nil>
}
