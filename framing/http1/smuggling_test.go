package http1

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// headEnd stands for the offset where the head ends: a framing the head
// declares is refused there, once the head is read.
const headEnd = -2

// refusals are inputs that must be refused, with the error they must
// match and the stream offset of the *parse.SyntaxError (-1: not checked,
// for errors that are not syntax errors).
var refusals = []struct {
	name, kind, in string
	want           error
	off            int64
}{
	{"CL and TE", "request", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrLengthAndChunked, headEnd},
	{"TE and CL", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", ErrLengthAndChunked, headEnd},
	{"CL twice, equal", "request", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", ErrRepeatedContentLength, headEnd},
	{"CL twice, differing", "request", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", ErrRepeatedContentLength, headEnd},
	{"CL list", "request", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello", ErrRepeatedContentLength, 17},
	{"CL sign", "request", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello", ErrContentLength, 17},
	{"CL empty", "request", "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", ErrContentLength, 17},
	{"CL overflow", "request", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", ErrContentLength, 17},
	{"TE not chunked", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", ErrTransferEncoding, headEnd},
	{"TE chunked not last", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", ErrTransferEncoding, headEnd},
	{"TE chunked twice", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrTransferEncoding, headEnd},
	{"TE empty", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n", ErrTransferEncoding, headEnd},
	{"obs-fold", "request", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", ErrObsFold, 24},
	{"obs-fold tab", "request", "GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n", ErrObsFold, 24},
	{"space before first field", "request", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", ErrObsFold, 16},
	{"bare CR in value", "request", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", ErrBareCR, 23},
	{"bare CR ends head", "request", "GET / HTTP/1.1\r\nX-A: a\r\n\rX", ErrBareCR, 25},
	{"bare LF in field", "request", "GET / HTTP/1.1\r\nX-A: a\nX-B: b\r\n\r\n", ErrBareLF, 22},
	{"bare LF ends head", "request", "GET / HTTP/1.1\r\nX-A: a\r\n\n", ErrBareLF, 24},
	{"bare LF request line", "request", "GET / HTTP/1.1\n\r\n", ErrBareLF, 14},
	{"space before colon", "request", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", ErrSpaceBeforeColon, 20},
	{"tab before colon", "request", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", ErrSpaceBeforeColon, 20},
	{"NUL in value", "request", "GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n", ErrInvalidByte, 22},
	{"DEL in value", "request", "GET / HTTP/1.1\r\nX-A: a\x7fb\r\n\r\n", ErrInvalidByte, 22},
	{"bad byte in name", "request", "GET / HTTP/1.1\r\nX(A): a\r\n\r\n", ErrInvalidByte, 17},
	{"version 2", "request", "GET / HTTP/2.0\r\n\r\n", ErrVersion, 6},
	{"chunk size overflow", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", ErrChunkSize, 47},
	{"chunk size not hex", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", nil, 47},
	{"chunk size space", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", ErrChunkExtension, 48},
	{"chunk ext bad", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\r\nhello\r\n0\r\n\r\n", ErrChunkExtension, 48},
	{"chunk data too long", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n", ErrInvalidByte, 55},
	{"trailer obs-fold", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n c\r\n\r\n", ErrObsFold, 56},
	{"status 099", "response", "HTTP/1.1 099 X\r\n\r\n", ErrStatus, 9},
	{"response CL and TE", "response", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrLengthAndChunked, headEnd},
	{"response TE chunked twice", "response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", ErrTransferEncoding, headEnd},
}

// TestSmuggling checks that every ambiguous or malformed framing is
// refused with its error, at its offset, in every segmentation.
func TestSmuggling(t *testing.T) {
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range segtest.Segmentations([]byte(tc.in)) {
				_, err := run(tc.kind, pipe.FromSequence(s.Seq), Options{})
				var se *parse.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("%s: %v, want a *parse.SyntaxError", s.Name, err)
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Fatalf("%s: %v, want %v", s.Name, err, tc.want)
				}
				off := tc.off
				if off == headEnd {
					off = int64(strings.Index(tc.in, "\r\n\r\n") + 4)
				}
				if se.Offset != off {
					t.Fatalf("%s: %v at offset %d, want %d", s.Name, err, se.Offset, off)
				}
				if !strings.HasPrefix(err.Error(), "parse: ") {
					t.Fatalf("%s: %q", s.Name, err)
				}
			}
		})
	}
}

// TestAccepted checks framings at the edge of what is refused.
func TestAccepted(t *testing.T) {
	for _, tc := range []struct{ name, kind, in, want string }{
		{"TE list ending in chunked", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "abc"},
		{"TE case", "request", "POST / HTTP/1.1\r\ntransfer-encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "abc"},
		{"chunk extensions", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 ; a = b ;c=\"d\\\"e\"\r\nabc\r\n0;x\r\n\r\n", "abc"},
		{"chunk size leading zeros", "request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000003\r\nabc\r\n0\r\n\r\n", "abc"},
		{"CL with OWS", "request", "POST / HTTP/1.1\r\nContent-Length:  3 \t\r\n\r\nabc", "abc"},
		{"response TE gzip until close", "response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc", "abc"},
		{"obs-text in value", "request", "GET / HTTP/1.1\r\nX-A: caf\xc3\xa9\r\n\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range segtest.Segmentations([]byte(tc.in)) {
				got, err := run(tc.kind, pipe.FromSequence(s.Seq), Options{})
				if err != nil || len(got.messages) != 1 || !strings.HasSuffix(got.messages[0], "body \""+tc.want+"\"") {
					t.Fatalf("%s: %s, %v", s.Name, got, err)
				}
			}
		})
	}
}

// TestTruncated checks that input that ends inside a head or a body is
// io.ErrUnexpectedEOF, never a clean end.
func TestTruncated(t *testing.T) {
	for _, in := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n",
	} {
		for _, s := range segtest.Segmentations([]byte(in)) {
			_, err := run("request", pipe.FromSequence(s.Seq), Options{})
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%q as %s: %v", in, s.Name, err)
			}
		}
	}
}
