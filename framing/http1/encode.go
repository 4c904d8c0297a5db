package http1

import (
	"strconv"
)

// Field is a header or trailer field to write.
type Field struct{ Name, Value string }

// AppendRequestHead appends a request head: the request line
// "method target HTTP/1.1", the fields, and the empty line that ends the
// head. The caller frames the body with a Content-Length or a
// "Transfer-Encoding: chunked" field among them; nothing is checked.
func AppendRequestHead(dst []byte, method, target string, fields ...Field) []byte {
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	dst = append(dst, " HTTP/1.1\r\n"...)
	return appendFields(dst, fields)
}

// AppendResponseHead appends a response head: the status line
// "HTTP/1.1 status reason", the fields, and the empty line that ends the
// head.
func AppendResponseHead(dst []byte, status int, reason string, fields ...Field) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	dst = append(dst, "\r\n"...)
	return appendFields(dst, fields)
}

func appendFields(dst []byte, fields []Field) []byte {
	for _, f := range fields {
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// AppendChunk appends data as one chunk of the chunked coding: its size
// in hex, CRLF, the data, CRLF. An empty data appends nothing, since a
// chunk of size 0 ends the body (use AppendLastChunk).
func AppendChunk(dst, data []byte) []byte {
	if len(data) == 0 {
		return dst
	}
	dst = strconv.AppendUint(dst, uint64(len(data)), 16)
	dst = append(dst, "\r\n"...)
	dst = append(dst, data...)
	return append(dst, "\r\n"...)
}

// AppendLastChunk appends the end of a chunked body: the last chunk, the
// trailer fields and the empty line.
func AppendLastChunk(dst []byte, trailers ...Field) []byte {
	dst = append(dst, "0\r\n"...)
	return appendFields(dst, trailers)
}
