package dns_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/dns"
	"github.com/sluicego/sluice/pipe"
)

// A server reads pipelined queries from a TCP stream and routes them by
// name, without allocating per message.
func Example() {
	var stream []byte
	stream, _ = dns.AppendQuery(stream, 1, "www.example.com", dns.TypeA)
	stream, _ = dns.AppendQuery(stream, 2, "Mail.Example.COM.", dns.TypeMX)

	r := dns.NewReader(pipe.NewReader(bytes.NewReader(stream), pipe.ReaderOptions{}), dns.Options{})
	defer r.Close()
	for m := range r.All(context.Background()) {
		q, _ := m.Question()
		fmt.Println(m.ID, m.Opcode, m.RD, q.Name, q.Type, q.Class, q.Name.Equal("mail.example.com"))
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 QUERY true www.example.com. A IN false
	// 2 QUERY true Mail.Example.COM. MX IN true
}

// A client writes an answer's records after reading it: names in the
// answer may be compressed, and are followed where they are read.
func ExampleMessage_Records() {
	msg := dns.AppendHeader(nil, dns.Header{ID: 9, QR: true, RD: true, RA: true, QDCount: 1, ANCount: 1})
	msg, _ = dns.AppendQuestion(msg, "example.com", dns.TypeA, dns.ClassIN)
	msg = append(msg, 0xc0, 12) // the owner: a pointer to the question's name
	msg = append(msg, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 7)
	stream, _ := dns.AppendMessage(nil, msg)

	r := dns.NewReader(pipe.NewReader(bytes.NewReader(stream), pipe.ReaderOptions{}), dns.Options{})
	defer r.Close()
	m, err := r.Next(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.ID, m.Rcode, m.ANCount)
	for rec, err := range m.Records() {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(rec.Section, rec.Name, rec.Type, rec.TTL, rec.Data)
	}
	// Output:
	// 9 NOERROR 1
	// answer example.com. A 3600 [192 0 2 7]
}

// The encoder length-prefixes a message for a TCP stream.
func ExampleAppendMessage() {
	msg := dns.AppendHeader(nil, dns.Header{ID: 0xabcd, QR: true, Rcode: dns.RcodeRefused})
	b, err := dns.AppendMessage(nil, msg)
	fmt.Printf("% x %v\n", b, err)
	_, err = dns.AppendMessage(nil, msg[:11])
	fmt.Println(err)
	// Output:
	// 00 0c ab cd 80 05 00 00 00 00 00 00 00 00 <nil>
	// dns: invalid message: message of 11 bytes, want 12 to 65535
}
