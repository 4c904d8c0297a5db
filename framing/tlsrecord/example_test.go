package tlsrecord_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sluicego/sluice/framing/tlsrecord"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// A router reads the records a client sent, gathers the ClientHello that
// opens them (here split over two records) and passes the rest on.
func Example() {
	hello := tlsrecord.AppendHandshakeHeader(nil, tlsrecord.HandshakeHeader{Type: tlsrecord.ClientHello, Length: 5})
	hello = append(hello, "\x03\x03hi!"...)
	wire := tlsrecord.AppendRecords(nil, tlsrecord.TypeHandshake, tlsrecord.VersionTLS10, hello, 5)
	wire, _ = tlsrecord.AppendRecord(wire, tlsrecord.TypeApplicationData, tlsrecord.VersionTLS12, []byte("sealed"))
	wire = tlsrecord.AppendAlert(wire, tlsrecord.VersionTLS12, tlsrecord.Alert{Level: tlsrecord.LevelFatal, Description: tlsrecord.AlertUnknownCA})

	r := parse.NewReader(pipe.FromBytes(wire), tlsrecord.Parser(tlsrecord.Options{}), parse.Options{})
	defer r.Close()
	var h tlsrecord.Hello
	for rec := range r.All(context.Background()) {
		fmt.Printf("%s %s, %d bytes\n", rec.Type, rec.Version, rec.Length)
		switch {
		case !h.Done():
			if done, err := h.Add(&rec); done {
				hdr, _ := h.Header()
				fmt.Printf("  hello type %d, body %q\n", hdr.Type, h.Body())
			} else if err != nil {
				fmt.Println(err)
				return
			}
		case rec.Type == tlsrecord.TypeAlert:
			a, err := rec.Alert()
			fmt.Printf("  %s %s %v\n", a.Level, a.Description, err)
		}
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// handshake TLS 1.0, 5 bytes
	// handshake TLS 1.0, 4 bytes
	//   hello type 1, body "\x03\x03hi!"
	// application_data TLS 1.2, 6 bytes
	// alert TLS 1.2, 2 bytes
	//   fatal unknown_ca <nil>
}

// A header over the limit is refused as soon as it arrives, with the
// alert to answer it with.
func ExampleAlertOf() {
	wire := []byte{23, 3, 3, 0xff, 0xff}
	r := parse.NewReader(pipe.FromBytes(wire), tlsrecord.Parser(tlsrecord.Options{}), parse.Options{})
	defer r.Close()
	_, err := r.Next(context.Background())
	a, ok := tlsrecord.AlertOf(err)
	fmt.Println(errors.Is(err, tlsrecord.ErrRecordOverflow), a, ok)
	fmt.Println(err)
	// Output:
	// true record_overflow true
	// parse: at offset 3: invalid record header: tlsrecord: record length over the limit
}

// Options.Heartbeat admits heartbeat records for a connection that
// negotiated RFC 6520's extension; Options.Plaintext bounds fragments by
// 2^14.
func ExampleParser() {
	wire := []byte{24, 3, 3, 0, 3, 1, 0, 0}
	for _, o := range []tlsrecord.Options{{}, {Heartbeat: true}} {
		r := parse.NewReader(pipe.FromBytes(wire), tlsrecord.Parser(o), parse.Options{})
		rec, err := r.Next(context.Background())
		fmt.Println(rec.Type, err)
		r.Close()
	}
	// Output:
	// unknown(0) parse: at offset 0: invalid record header: tlsrecord: heartbeat record not allowed
	// heartbeat <nil>
}

// WriteRecord writes a record into a pipe.Writer and flushes it.
func ExampleWriteRecord() {
	p := pipe.New(pipe.Options{})
	go func() {
		tlsrecord.WriteRecord(context.Background(), p.Writer(), tlsrecord.TypeApplicationData, tlsrecord.VersionTLS12, []byte("data"))
		p.Writer().Complete(nil)
	}()
	r := parse.NewReader(p.Reader(), tlsrecord.Parser(tlsrecord.Options{}), parse.Options{})
	defer r.Close()
	for rec := range r.All(context.Background()) {
		fmt.Printf("%s %q\n", rec.Type, rec.Fragment)
	}
	// Output:
	// application_data "data"
}
