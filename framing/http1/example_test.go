package http1_test

import (
	"context"
	"fmt"
	"io"

	"github.com/sluicego/sluice/framing/http1"
	"github.com/sluicego/sluice/pipe"
)

// Reading pipelined requests, server side: each head is a message, its
// body follows in parts. Everything a part views is valid until the next
// call of Next.
func Example() {
	conn := pipe.FromBytes([]byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n" +
		"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: 1a2b\r\n\r\n"))
	r := http1.NewRequestReader(conn, http1.Options{})
	defer r.Close()
	for {
		p, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		if p.IsHead {
			host, _ := p.Head.Fields.Get("host") // any case, no allocation
			fmt.Printf("%s %s (host %s)\n", p.Head.Method, p.Head.Target, host)
		}
		if p.Data.Len() > 0 {
			fmt.Printf("  body part %q\n", p.Data)
		}
		if sum, ok := p.Trailers.Get("Checksum"); ok {
			fmt.Printf("  trailer checksum %s\n", sum)
		}
		if p.End {
			fmt.Println("  end")
		}
	}
	// Output:
	// GET /index.html (host example.com)
	//   end
	// POST /upload (host example.com)
	//   body part "hello"
	//   body part " world"
	//   trailer checksum 1a2b
	//   end
}

// Writing a response head and a chunked body.
func ExampleAppendResponseHead() {
	b := http1.AppendResponseHead(nil, 200, "OK", http1.Field{Name: "Transfer-Encoding", Value: "chunked"})
	b = http1.AppendChunk(b, []byte("hello"))
	b = http1.AppendLastChunk(b)
	fmt.Printf("%q\n", b)
	// Output:
	// "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
}

// A client tells the response reader which request each response
// answers: a response to HEAD has no body, whatever its Content-Length.
func ExampleResponseReader_Sent() {
	conn := pipe.FromBytes([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))
	r := http1.NewResponseReader(conn, http1.Options{})
	defer r.Close()
	r.Sent("HEAD")
	r.Sent("GET")
	for {
		p, err := r.Next(context.Background())
		if err != nil {
			break
		}
		if p.IsHead {
			fmt.Println(p.Head.Status, "content-length", p.Head.ContentLength, "end", p.End)
		} else {
			fmt.Printf("  %q end %v\n", p.Data, p.End)
		}
	}
	// Output:
	// 200 content-length 1024 end true
	// 200 content-length 2 end false
	//   "hi" end true
}

// Decoding a chunked body held as a stream of its own, as
// net/http/httputil.NewChunkedReader does but in parts that view the
// input: the parts of one body up to the one with End set.
func ExampleChunkedReader() {
	body := pipe.FromBytes([]byte("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nExpires: never\r\n\r\n"))
	r := http1.NewChunkedReader(body, http1.Options{})
	defer r.Close()
	for {
		p, err := r.Next(context.Background())
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("part %q\n", p.Data) // valid until the next call of Next
		if p.End {
			v, _ := p.Trailers.Get("expires")
			fmt.Printf("end, trailer expires=%s\n", v)
			return
		}
	}
	// Output:
	// part "hello"
	// part " world"
	// part ""
	// end, trailer expires=never
}
