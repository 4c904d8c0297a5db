package nats_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicego/sluice/framing/nats"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// A server's side of a connection: what a client sent, read with the
// default limits (nats-server's), and an answer appended for it.
func Example() {
	in := "CONNECT {\"verbose\":false}\r\nsub greet.* 1\r\nPUB greet.joe _INBOX.7 5\r\nhello\r\n" +
		"HPUB greet.ann 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\nPUB big 2000000\r\n"
	l := nats.DefaultLimits
	r := parse.NewReader(pipe.FromBytes([]byte(in)), nats.FromClient(l), parse.Options{MaxMessageSize: l.MessageSize()})
	defer r.Close()
	var out []byte
	for m := range r.All(context.Background()) {
		switch m.Op {
		case nats.OpPub, nats.OpHPub:
			fmt.Printf("%s %s reply %q header %q payload %q\n", m.Op, m.Subject, m.Reply.String(), m.Header.String(), m.Payload.String())
			op := nats.OpMsg
			if m.Op == nats.OpHPub {
				op = nats.OpHMsg
			}
			out = nats.Append(out, nats.Message{Op: op, Subject: m.Subject, SID: seq.Of([]byte("1")),
				Reply: m.Reply, Header: m.Header, Payload: m.Payload})
		case nats.OpSub:
			fmt.Printf("%s %s sid %s\n", m.Op, m.Subject, m.SID)
		case nats.OpConnect:
			fmt.Printf("%s %s\n", m.Op, m.Args)
		default:
			fmt.Println(m.Op)
		}
	}
	fmt.Println(r.Err(), errors.Is(r.Err(), nats.ErrMaxPayload))
	fmt.Printf("%q\n", out)
	// Output:
	// CONNECT {"verbose":false}
	// SUB greet.* sid 1
	// PUB greet.joe reply "_INBOX.7" header "" payload "hello"
	// HPUB greet.ann reply "" header "NATS/1.0\r\n\r\n" payload "hi"
	// PING
	// nats: maximum payload exceeded: 2000000 bytes declared, at most 1048576 (control line at offset 119) true
	// "MSG greet.joe 1 _INBOX.7 5\r\nhello\r\nHMSG greet.ann 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
}
