package stomp_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/stomp"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// A broker's side: frames read with the default limits, heart-beats
// included, escaped headers decoded, and a frame with an undefined escape
// refused.
func Example() {
	in := "CONNECT\naccept-version:1.2\nhost:example.org\n\n\x00\n" +
		"SEND\r\ndestination:/queue/a\r\nnote:x\\cy\r\ncontent-length:3\r\n\r\na\x00b\x00" +
		"SEND\ndestination:/queue/a\nbad:\\t\n\nx\x00"
	l := stomp.DefaultLimits
	r := parse.NewReader(pipe.FromBytes([]byte(in)), stomp.Frames(l), parse.Options{MaxMessageSize: l.MessageSize()})
	defer r.Close()
	for f := range r.All(context.Background()) {
		if f.IsHeartBeat() {
			fmt.Println("heart-beat")
			continue
		}
		fmt.Print(f.Command)
		for _, h := range f.Headers {
			if f.Escaped() {
				fmt.Printf(" %s=%s", stomp.Unescape(nil, h.Name), stomp.Unescape(nil, h.Value))
			} else {
				fmt.Printf(" %s=%s", h.Name, h.Value)
			}
		}
		fmt.Printf(" body %q\n", f.Body.String())
	}
	fmt.Println(r.Err())
	// Output:
	// CONNECT accept-version=1.2 host=example.org body ""
	// heart-beat
	// SEND destination=/queue/a note=x:y content-length=3 body "a\x00b"
	// parse: at offset 141: expected escape (\r, \n, \c or \\)
}
