package seq_test

import (
	"fmt"

	"github.com/sluicego/sluice/seq"
)

// A delimiter split between two segments is found as if the bytes were
// contiguous.
func ExampleSequence_Index() {
	s := seq.Chain([]byte("GET / HTTP/1.1\r"), []byte("\nHost: example.com\r\n"))
	i := s.Index([]byte("\r\n"))
	fmt.Println(i, s.Slice(0, i).String())
	// A slice that ends between '\r' and '\n' does not contain the delimiter.
	fmt.Println(s.Slice(0, 15).Index([]byte("\r\n")))
	// Output:
	// 14 GET / HTTP/1.1
	// -1
}

// Parse a record made of a big-endian 16-bit length and that many bytes,
// arriving in pieces that split both the length and the body.
func ExampleReader() {
	s := seq.Chain([]byte{0x00}, []byte{0x05, 'h', 'e'}, []byte("llo, and the next record"))
	r := seq.NewReader(s)
	n, ok := r.ReadUint16BE()
	if !ok {
		fmt.Println("need more input")
		return
	}
	body, ok := r.ReadN(int(n))
	if !ok {
		r.Rewind(2) // wait for more input with the length unread
		fmt.Println("need more input")
		return
	}
	fmt.Printf("length %d, body %q, %d bytes left\n", n, body.String(), r.Remaining())
	// Output:
	// length 5, body "hello", 21 bytes left
}

func ExampleChain() {
	s := seq.Chain([]byte("zero-"), []byte("copy"), nil, []byte(" views"))
	fmt.Println(s.Len(), s.IsSingleSegment())
	fmt.Println(s.String())
	fmt.Println(s.Slice(3, 9).String())
	// Output:
	// 15 false
	// zero-copy views
	// o-copy
}

func ExampleSequence_Chunks() {
	s := seq.Chain([]byte("ab"), []byte("cde"), []byte("fgh")).Slice(1, 6)
	for chunk := range s.Chunks() {
		fmt.Printf("%q\n", chunk)
	}
	// Output:
	// "b"
	// "cde"
	// "f"
}
