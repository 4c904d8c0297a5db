package http2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
)

// endless repeats a frame after a head, without end, and counts what it
// gave.
type endless struct {
	head, frame []byte
	pos, n      int
}

func (r *endless) Read(p []byte) (int, error) {
	k := 0
	for k < len(p) {
		var src []byte
		if r.n < len(r.head) {
			src = r.head[r.n:]
		} else {
			src = r.frame[r.pos:]
		}
		c := copy(p[k:], src)
		k += c
		if r.n >= len(r.head) {
			r.pos = (r.pos + c) % len(r.frame)
		}
		r.n += c
	}
	return k, nil
}

// TestHostileClaims: a frame header that claims 2^24-1 bytes is refused
// on its 9 bytes with the initial SETTINGS_MAX_FRAME_SIZE, after one read
// of the source; with the largest maximum in force the claim streams in
// parts and a truncation is reported where the input ends.
func TestHostileClaims(t *testing.T) {
	h := AppendHeader(nil, Header{Length: MaxMaxFrameSize, Type: TypeData, StreamID: 1})
	src := &endless{head: append(bytes.Clone(settings0), h...), frame: []byte{0}}
	d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Client, Options{})
	defer d.Close()
	var err error
	for err == nil {
		_, err = d.Next(context.Background())
	}
	if !violation(err, int64(len(settings0)), ErrFrameSize) || src.n > 64<<10 {
		t.Fatalf("error %v after %d bytes", err, src.n)
	}
	in := append(append(bytes.Clone(settings0), h...), make([]byte, 100000)...)
	got, err := readAll(in, Client, Options{MaxFrameSize: MaxMaxFrameSize, MaxPart: 1000})
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 1+99 { // the 100th part waits for a byte after it
		t.Fatalf("%d parts, error %v", len(got), err)
	}
}

// TestContinuationFlood sends an endless stream of empty CONTINUATION
// frames after a HEADERS frame without END_HEADERS (CVE-2024-27316): the
// decoder stops on the frame that passes MaxContinuations, having read
// a bounded number of bytes; and one of growing fragments stops on
// MaxHeaderBlock.
func TestContinuationFlood(t *testing.T) {
	start := append(bytes.Clone(settings0), AppendHeaders(nil, 1, 0, 0, Priority{}, []byte("x"))...)
	for _, c := range []struct {
		frame []byte
		o     Options
		want  error
	}{
		{AppendContinuation(nil, 1, false, nil), Options{}, ErrTooManyContinuations},
		{AppendContinuation(nil, 1, false, make([]byte, 16384)), Options{MaxContinuations: -1}, ErrHeaderBlockTooLarge},
	} {
		src := &endless{head: start, frame: c.frame}
		d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Client, c.o)
		var err error
		n := 0
		for err == nil {
			_, err = d.Next(context.Background())
			n++
		}
		d.Close()
		if !errors.Is(err, c.want) || src.n > 2<<20 {
			t.Fatalf("error %v after %d bytes", err, src.n)
		}
		t.Logf("%v after %d frame parts, %d bytes read", err, n, src.n)
	}
}

// TestLargeFrame streams DATA frames of the largest size, 2^24-1 bytes,
// with the largest SETTINGS_MAX_FRAME_SIZE in force: parts of 32 KiB, heap
// bounded.
func TestLargeFrame(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a gigabyte of work")
	}
	src := &zeroFrames{head: bytes.Clone(settings0), frame: AppendHeader(nil, Header{Length: MaxMaxFrameSize, StreamID: 1}), n: 64}
	d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Client,
		Options{MaxFrameSize: MaxMaxFrameSize})
	defer d.Close()
	var total uint64
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	parts := 0
	for f := range d.All(context.Background()) {
		if f.Header.Type == TypeData {
			total += uint64(f.Data.Len())
		}
		parts++
		if parts%4096 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if d.Err() != nil || total != 64*MaxMaxFrameSize {
		t.Fatalf("%d bytes, error %v", total, d.Err())
	}
	if peak > base+16<<20 {
		t.Fatalf("heap in use reached %d bytes, from %d", peak, base)
	}
}

// zeroFrames gives a head, then n frames of a header and zero bytes of
// payload, without holding the payload.
type zeroFrames struct {
	head, frame []byte
	n           int
	left        int // payload bytes of the current frame
	inHead      int // bytes of the frame header given
}

func (r *zeroFrames) Read(p []byte) (int, error) {
	switch {
	case len(r.head) > 0:
		k := copy(p, r.head)
		r.head = r.head[k:]
		return k, nil
	case r.left > 0:
		k := min(len(p), r.left)
		clear(p[:k])
		r.left -= k
		return k, nil
	case r.n == 0:
		return 0, io.EOF
	}
	k := copy(p, r.frame[r.inHead:])
	if r.inHead += k; r.inHead == len(r.frame) {
		r.inHead, r.left = 0, MaxMaxFrameSize
		r.n--
	}
	return k, nil
}

func bytewise(t *testing.T, in []byte) time.Duration {
	start := time.Now()
	d := NewDecoder(pipe.NewReader(&segtest.Bytewise{Data: in}, pipe.ReaderOptions{}), Client, Options{})
	defer d.Close()
	n := 0
	for f := range d.All(context.Background()) {
		n += f.Data.Len()
	}
	if d.Err() != nil || n == 0 {
		t.Fatalf("%d bytes, error %v", n, d.Err())
	}
	return time.Since(start)
}

// TestHostileBytewise reads megabytes a byte per read, in large DATA
// frames and in small frames of every kind: linear time.
func TestHostileBytewise(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("seconds of work")
	}
	big := func(n int) []byte {
		b := AppendSettings(nil)
		for len(b) < n {
			b = AppendData(b, 1, FlagPadded, 100, make([]byte, 16000))
		}
		return b
	}
	small := func(n int) []byte {
		b := AppendSettings(nil)
		for len(b) < n {
			b = AppendHeaders(b, 3, FlagPriority, 0, Priority{StreamDep: 1}, []byte("block"))
			b = AppendContinuation(b, 3, true, []byte("more"))
			b = AppendData(b, 3, FlagEndStream, 0, []byte("a small body"))
			b = AppendWindowUpdate(b, 0, 1000)
			b = AppendPing(b, false, [8]byte{1})
		}
		return b
	}
	for name, gen := range map[string]func(int) []byte{"large frames": big, "small frames": small} {
		q := bytewise(t, gen(1<<19))
		w := bytewise(t, gen(1<<21))
		t.Logf("%s: 512 KiB %v, 2 MiB %v", name, q, w)
		if w > 10*q+100*time.Millisecond {
			t.Fatalf("%s: 4x the bytes took %v, against %v", name, w, q)
		}
	}
}
