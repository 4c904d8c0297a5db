package http1

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/pipe"
)

// browserHead is a request head as a browser sends it (18 fields).
const browserHead = "GET /products/42?ref=home HTTP/1.1\r\n" +
	"Host: shop.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"Cache-Control: max-age=0\r\n" +
	"sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n" +
	"sec-ch-ua-mobile: ?0\r\n" +
	"sec-ch-ua-platform: \"Linux\"\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-User: ?1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Referer: https://shop.example.com/\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n" +
	"Cookie: session=7f3a9c2b1e; theme=dark; cart=3\r\n" +
	"\r\n"

// repeat is a source that repeats its bytes forever, 4 KiB a read.
type repeat struct {
	b   []byte
	off int
}

func (r *repeat) Read(p []byte) (int, error) {
	k := copy(p[:min(len(p), 4096)], r.b[r.off:])
	r.off = (r.off + k) % len(r.b)
	return k, nil
}

// BenchmarkRequestHead reads browser request heads one after another on a
// keep-alive connection.
func BenchmarkRequestHead(b *testing.B) {
	r := NewRequestReader(pipe.NewReader(&repeat{b: []byte(browserHead)}, pipe.ReaderOptions{}), Options{})
	defer r.Close()
	b.SetBytes(int64(len(browserHead)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := r.Next(context.Background()); err != nil || !p.IsHead {
			b.Fatal(err)
		}
	}
}
