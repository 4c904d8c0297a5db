package bench

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// BenchmarkLines counts the lines of 64 MiB arriving at most 4 KiB per Read:
// lines of 32 to 96 bytes drawn with a fixed seed (len=var, the realistic
// case), and lines of one fixed length (64 B and 1 KiB).
func BenchmarkLines(b *testing.B) {
	for _, size := range []struct {
		name   string
		lo, hi int
	}{{"len=var", 32, 96}, {"len=64", 64, 64}, {"len=1KiB", 1 << 10, 1 << 10}} {
		data := linesBetween(size.lo, size.hi)
		want := bytes.Count(data, []byte{'\n'})
		for _, impl := range []struct {
			name  string
			count func(io.Reader) (int, error)
		}{
			{"sluice", countSluice},
			{"parse", countParse},
			{"scanner", countScanner},
			{"hand", countHand},
		} {
			benchTally(b, size.name+"/"+impl.name, data, want, "lines", impl.count)
		}
	}
}

// countSluice reads through a pipe reader over src. Within a segment it
// searches the segment's bytes directly (the fast path .NET recommends for
// single-segment spans); a line that straddles segments is found with the
// sequence search. It reports its progress with AdvanceTo.
func countSluice(src io.Reader) (int, error) {
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
			for {
				i := bytes.IndexByte(b[k:], '\n')
				if i < 0 {
					break
				}
				n++
				k += i + 1
			}
			buf = buf.From(k)
			if buf.IsSingleSegment() {
				break // the rest is a partial line, already searched
			}
			i := buf.IndexByte('\n') // a line that continues in the next segment
			if i < 0 {
				break
			}
			n++
			buf = buf.From(i + 1)
		}
		r.AdvanceTo(buf.Start(), buf.End())
		if res.Completed {
			return n, nil
		}
	}
}

// countParse reads lines with a message reader and combinators.Line over a
// pipe reader over src.
func countParse(src io.Reader) (int, error) {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), combinators.Line(), parse.Options{})
	defer r.Close()
	n := 0
	for range r.All(context.Background()) {
		n++
	}
	return n, r.Err()
}

func countScanner(src io.Reader) (int, error) {
	s := bufio.NewScanner(src)
	n := 0
	for s.Scan() {
		n++
	}
	return n, s.Err()
}

// countHand is the best plain loop: one large buffer, compacted only when
// the free space at its end runs short of a full read.
func countHand(src io.Reader) (int, error) {
	buf := handBuf[:]
	start, end, n := 0, 0, 0
	for {
		for {
			i := bytes.IndexByte(buf[start:end], '\n')
			if i < 0 {
				break
			}
			n++
			start += i + 1
		}
		if len(buf)-end < chunk {
			end = copy(buf, buf[start:end])
			start = 0
		}
		m, err := src.Read(buf[end:])
		end += m
		if err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
	}
}

var handBuf = make([]byte, 8<<10)
