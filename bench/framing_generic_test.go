package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/framing/ndjson"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// The generic framings against bufio.Scanner with the same limits, on
// streams of framingSize bytes arriving at most 4 KiB per Read:
//
//	BenchmarkFraming/lines/{sluice,scanner}: lines of 32-96 bytes and, one
//	in 256, a long one of 1-16 KiB; framing.Lines with its default 64 KiB
//	maximum, Scanner with a 64 KiB buffer.
//	BenchmarkFraming/ndjson/{sluice,scanner}: JSON objects of the same
//	spread, CRLF and LF line ends, a blank line now and then; the ndjson
//	Reader (blank lines skipped, no validation), Scanner skipping blank
//	lines the same way.
func init() {
	registerFraming("lines",
		framingContender{"sluice", func(b *testing.B) { benchFraming(b, genericLines(), countLinesSluice) }},
		framingContender{"scanner", func(b *testing.B) { benchFraming(b, genericLines(), countLinesScanner) }},
	)
	registerFraming("ndjson",
		framingContender{"sluice", func(b *testing.B) { benchFraming(b, genericJSON(), countJSONSluice) }},
		framingContender{"scanner", func(b *testing.B) { benchFraming(b, genericJSON(), countJSONScanner) }},
	)
}

// framingSize is the volume of one operation of the generic framings.
const framingSize = 8 << 20

var genericLinesData, genericJSONData []byte

// genericLines returns the lines stream, built once with a fixed seed.
func genericLines() []byte {
	if genericLinesData == nil {
		rng := rand.New(rand.NewPCG(32, 96))
		b := make([]byte, 0, framingSize+srcSkew+(16<<10))[srcSkew:srcSkew]
		for i := 0; len(b) < framingSize; i++ {
			n := 32 + rng.IntN(65)
			if rng.IntN(256) == 0 {
				n = 1<<10 + rng.IntN(15<<10)
			}
			for j := 0; j < n-1; j++ {
				b = append(b, 'a'+byte((i+j)%26))
			}
			b = append(b, '\n')
		}
		genericLinesData = b
	}
	return genericLinesData
}

// genericJSON returns the JSON Lines stream, built once with a fixed seed.
func genericJSON() []byte {
	if genericJSONData == nil {
		rng := rand.New(rand.NewPCG(7, 11))
		b := make([]byte, 0, framingSize+srcSkew+(16<<10))[srcSkew:srcSkew]
		for i := 0; len(b) < framingSize; i++ {
			pad := rng.IntN(60)
			if rng.IntN(256) == 0 {
				pad = 1<<10 + rng.IntN(15<<10)
			}
			b = fmt.Appendf(b, `{"id":%d,"ok":true,"name":"%s"}`, i, bytes.Repeat([]byte{'n'}, pad))
			if i%3 == 0 {
				b = append(b, '\r')
			}
			b = append(b, '\n')
			if rng.IntN(64) == 0 {
				b = append(b, '\n')
			}
		}
		genericJSONData = b
	}
	return genericJSONData
}

// benchFraming runs count over data delivered by a chunkReader on every
// iteration and checks that every contender counts the same frames.
func benchFraming(b *testing.B, data []byte, count func(io.Reader) (int, error)) {
	want, err := count(bytes.NewReader(data))
	if err != nil || want == 0 {
		b.Fatalf("counting: %d, %v", want, err)
	}
	src := &chunkReader{data: data}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		src.reset()
		got, err := count(src)
		if err != nil || got != want {
			b.Fatalf("got %d frames, err %v; want %d", got, err, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(want), "ns/frame")
}

func countLinesSluice(src io.Reader) (int, error) {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), framing.Lines(framing.LineOptions{}), parse.Options{})
	defer r.Close()
	n := 0
	for range r.All(context.Background()) {
		n++
	}
	return n, r.Err()
}

// countLinesScanner is bufio.Scanner with the same maximum: a 64 KiB line
// and its line end.
func countLinesScanner(src io.Reader) (int, error) {
	s := bufio.NewScanner(src)
	s.Buffer(make([]byte, 4<<10), framing.DefaultMaxLine+2)
	n := 0
	for s.Scan() {
		n++
	}
	return n, s.Err()
}

func countJSONSluice(src io.Reader) (int, error) {
	r := ndjson.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), ndjson.Options{})
	defer r.Close()
	n := 0
	for range r.All(context.Background()) {
		n++
	}
	return n, r.Err()
}

// countJSONScanner skips blank lines (only spaces, tabs and CRs) as the
// ndjson Reader does.
func countJSONScanner(src io.Reader) (int, error) {
	s := bufio.NewScanner(src)
	s.Buffer(make([]byte, 4<<10), framing.DefaultMaxLine+2)
	n := 0
	for s.Scan() {
		if len(bytes.Trim(s.Bytes(), " \t\r")) > 0 {
			n++
		}
	}
	return n, s.Err()
}
