package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

var framesOnce sync.Map // payload length -> []byte

// frames returns inputSize bytes (rounded down to whole frames) of frames
// with a 4-byte big-endian length and n payload bytes each.
func frames(n int) []byte {
	if v, ok := framesOnce.Load(n); ok {
		return v.([]byte)
	}
	b := make([]byte, 0, inputSize+srcSkew)[srcSkew:srcSkew]
	for i := 0; len(b)+4+n <= inputSize; i++ {
		b = binary.BigEndian.AppendUint32(b, uint32(n))
		for j := range n {
			b = append(b, byte(i+j))
		}
	}
	framesOnce.Store(n, b)
	return b
}

// frameParser is the grammar of the frames: a length and that many bytes.
var frameParser = combinators.LengthPrefixedBytes(combinators.Uint32BE())

// BenchmarkFrames reads 64 MiB of length-prefixed frames arriving at most
// 4 KiB per Read and sums their payload lengths.
func BenchmarkFrames(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"len=100", 100}, {"len=16KiB", 16 << 10}} {
		data := frames(size.n)
		want := len(data) / (4 + size.n) * size.n
		// The hand loop's buffer: small enough to stay in L1 for small
		// frames, room for a whole frame and a full read otherwise.
		handBuf := make([]byte, max(8<<10, 2*(4+size.n)+chunk))
		for _, impl := range []struct {
			name string
			sum  func(io.Reader) (int, error)
		}{
			{"sluice", sumSluice},
			{"parse", sumParse},
			{"bufio", sumBufio},
			{"hand", func(src io.Reader) (int, error) { return sumHand(src, handBuf) }},
		} {
			benchTally(b, size.name+"/"+impl.name, data, want, "payload bytes", impl.sum)
		}
	}
}

// sumSluice is the raw pipe loop, without the parse layer: frames are
// walked in each segment's bytes, a frame that straddles segments is
// handled with Sequence calls, and AdvanceTo keeps a partial frame. It is
// the floor under what a message reader over the same pipe can do.
func sumSluice(src io.Reader) (int, error) {
	r := pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true})
	defer r.Complete(nil)
	ctx := context.Background()
	n := 0
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return n, err
		}
		buf := res.Buffer
		for {
			b, k := buf.First(), 0
			for len(b)-k >= 4 {
				l := int(binary.BigEndian.Uint32(b[k:]))
				if len(b)-k-4 < l {
					break
				}
				n += len(b[k+4 : k+4+l])
				k += 4 + l
			}
			buf = buf.From(k)
			if buf.Len() < 4 {
				break
			}
			var hdr [4]byte
			buf.CopyTo(hdr[:]) // a header or body that continues in the next segment
			l := int(binary.BigEndian.Uint32(hdr[:]))
			if buf.Len()-4 < l {
				break
			}
			n += buf.Slice(4, 4+l).Len()
			buf = buf.From(4 + l)
		}
		r.AdvanceTo(buf.Start(), buf.End())
		if res.Completed {
			if buf.Len() > 0 {
				return n, io.ErrUnexpectedEOF
			}
			return n, nil
		}
	}
}

func sumParse(src io.Reader) (int, error) {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), frameParser, parse.Options{})
	defer r.Close()
	n := 0
	for f := range r.All(context.Background()) {
		n += f.Len()
	}
	return n, r.Err()
}

// sumBufio is the usual bufio.Reader + io.ReadFull loop into a reused
// buffer.
func sumBufio(src io.Reader) (int, error) {
	br := bufio.NewReader(src)
	var hdr [4]byte
	body := make([]byte, 0, 64<<10)
	n := 0
	for {
		if _, err := io.ReadFull(br, hdr[:]); err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		l := int(binary.BigEndian.Uint32(hdr[:]))
		if l > cap(body) {
			body = make([]byte, l)
		}
		if _, err := io.ReadFull(br, body[:l]); err != nil {
			return n, err
		}
		n += l
	}
}

// sumHand is a zero-copy hand loop: frames are viewed in place in one
// buffer that is compacted when a frame does not fit after the data.
func sumHand(src io.Reader, buf []byte) (int, error) {
	start, end, n := 0, 0, 0
	for {
		for end-start >= 4 {
			l := int(binary.BigEndian.Uint32(buf[start:]))
			if end-start < 4+l {
				break
			}
			n += len(buf[start+4 : start+4+l])
			start += 4 + l
		}
		if len(buf)-end < chunk {
			end = copy(buf, buf[start:end])
			start = 0
		}
		m, err := src.Read(buf[end:])
		end += m
		if err == io.EOF {
			if start != end {
				return n, io.ErrUnexpectedEOF
			}
			return n, nil
		} else if err != nil {
			return n, err
		}
	}
}
