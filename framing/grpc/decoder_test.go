package grpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

func appendMsg(dst []byte, compressed bool, payload []byte) []byte {
	dst, err := AppendMessage(dst, compressed, payload)
	if err != nil {
		panic(err)
	}
	return dst
}

// call is the stream of a call's messages: empty, small, compressed,
// one longer than a part.
func call() []byte {
	var b []byte
	b = appendMsg(b, false, nil)
	b = appendMsg(b, false, []byte("\x0a\x05hello"))
	b = appendMsg(b, true, []byte("\x1f\x8b\x08compressed"))
	b = appendMsg(b, false, bytes.Repeat([]byte("0123456789"), 30))
	return appendMsg(b, false, []byte("last"))
}

func TestSegmentations(t *testing.T) {
	in := call()
	want, rerr := splitRef(in, DefaultMaxMessageSize)
	if rerr != nil || len(want) != 5 {
		t.Fatalf("reference: %d messages, %v", len(want), rerr)
	}
	for _, part := range []int{0, 1, 7, 128} {
		for _, c := range segtest.Segmentations(in) {
			got, err := readAll(c.Seq, Options{MaxPart: part})
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("part %d %s: %d messages, %v", part, c.Name, len(got), err)
			}
		}
	}
	o := Options{MaxPart: 128}
	out := fuzz.CheckChunkings(t, decoder(o), in, fuzz.Options[Message]{MaxMessageSize: 128 + PrefixSize})
	// 300 bytes in parts of 128: three parts, so seven messages.
	if out.Err != nil || len(out.Messages) != 7 {
		t.Fatalf("%d parts, %v", len(out.Messages), out.Err)
	}
	for _, cut := range []int{1, 4, 6, 9, 40, len(in) - 1} {
		o := fuzz.Check(t, decoder(o), in[:cut], []int{cut / 2}, fuzz.Options[Message]{MaxMessageSize: 128 + PrefixSize})
		if !errors.Is(o.Err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", cut, o.Err)
		}
		if _, ok := StatusOf(o.Err); ok {
			t.Fatalf("cut at %d: a truncation names a status: %v", cut, o.Err)
		}
	}
}

// TestParts: a payload up to MaxPart arrives whole; a longer one in parts
// of MaxPart bytes, the prefix in the first.
func TestParts(t *testing.T) {
	in := appendMsg(nil, false, make([]byte, 1000))
	in = appendMsg(in, true, make([]byte, 256))
	d := NewDecoder(pipe.FromBytes(in), Options{MaxPart: 256})
	defer d.Close()
	var got []string
	for m := range d.All(context.Background()) {
		got = append(got, fmt.Sprintf("first=%v whole=%v pos=%d n=%d left=%d c=%v", m.First, m.Whole(), m.Pos, m.Data.Len(), m.Left, m.Prefix.Compressed))
	}
	want := []string{
		"first=true whole=false pos=0 n=256 left=744 c=false",
		"first=false whole=false pos=256 n=256 left=488 c=false",
		"first=false whole=false pos=512 n=256 left=232 c=false",
		"first=false whole=false pos=768 n=232 left=0 c=false",
		"first=true whole=true pos=0 n=256 left=0 c=true",
	}
	if d.Err() != nil || !slices.Equal(got, want) {
		t.Fatalf("%q, %v", got, d.Err())
	}
}

func TestViolations(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		o    Options
		off  int64
		want error
		code Code
	}{
		{[]byte{2, 0, 0, 0, 0}, Options{}, 0, ErrFlag, Internal},
		{[]byte{0x80}, Options{}, 0, ErrFlag, Internal},
		{[]byte{0, 0, 0, 0, 1, 'x', 0xff}, Options{}, 6, ErrFlag, Internal},
		{[]byte{0, 0, 0x40, 0, 1}, Options{}, 1, ErrMessageTooLarge, ResourceExhausted},
		{[]byte{1, 0xff, 0xff, 0xff, 0xff}, Options{}, 1, ErrMessageTooLarge, ResourceExhausted},
		{[]byte{0, 0, 0, 0, 11}, Options{MaxMessageSize: 10}, 1, ErrMessageTooLarge, ResourceExhausted},
	} {
		for _, sc := range segtest.Segmentations(c.in) {
			_, err := readAll(sc.Seq, c.o)
			if !violation(err, c.off, c.want) {
				t.Fatalf("% x %s: %v, want %v at %d", c.in, sc.Name, err, c.want, c.off)
			}
			if code, ok := StatusOf(err); !ok || code != c.code {
				t.Fatalf("% x: status %v %v", c.in, code, ok)
			}
		}
	}
	// The size violation is a size error for code that handles those.
	_, err := readAll(segtest.Split([]byte{0, 0xff, 0xff, 0xff, 0xff}), Options{})
	if !errors.Is(err, parse.ErrTooLarge) || errors.Is(err, ErrFlag) {
		t.Fatalf("%v", err)
	}
	// The edges that pass: the maximum itself, and no limit.
	for _, c := range []struct {
		n int
		o Options
	}{{10, Options{MaxMessageSize: 10}}, {DefaultMaxMessageSize, Options{}}, {5 << 20, Options{MaxMessageSize: -1}}} {
		got, err := readAll(segtest.Split(appendMsg(nil, false, make([]byte, c.n))), c.o)
		if err != nil || len(got) != 1 || len(got[0].Data) != c.n {
			t.Fatalf("%d bytes: %v", c.n, err)
		}
	}
}

// TestLimitBeforePayload: a declared length over the maximum is refused
// as soon as its prefix arrives.
func TestLimitBeforePayload(t *testing.T) {
	p := pipe.New(pipe.Options{})
	d := NewDecoder(p.Reader(), Options{})
	defer d.Close()
	p.Writer().Write(context.Background(), []byte{0, 0, 0x41, 0, 0, 'a'})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := d.Next(ctx); !violation(err, 1, ErrMessageTooLarge) {
		t.Fatalf("error %v", err)
	}
}

// randomCall returns random messages under max, and sometimes a
// corruption or a cut.
func randomCall(rng *rand.Rand, max int) []byte {
	var b []byte
	for range 1 + rng.IntN(10) {
		n := rng.IntN(200)
		if rng.IntN(10) == 0 {
			n = rng.IntN(max + 1)
		}
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		b = appendMsg(b, rng.IntN(3) == 0, p)
	}
	switch k := rng.IntN(4); {
	case k == 0 && len(b) > 0:
		b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
	case k == 1 && len(b) > 0:
		b = b[:rng.IntN(len(b))]
	}
	return b
}

// TestDifferential compares the decoder with the reference splitter on
// random calls in random chunkings and part sizes.
func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 300 {
		max := 100 + rng.IntN(5000)
		o := Options{MaxMessageSize: int64(max), MaxPart: 1 + rng.IntN(600)}
		in := randomCall(rng, max)
		want, rerr := splitRef(in, uint64(max))
		var cuts []int
		for c := rng.IntN(30); c < len(in); c += 1 + rng.IntN(400) {
			cuts = append(cuts, c)
		}
		out := fuzz.Check(t, decoder(o), in, cuts, fuzz.Options[Message]{MaxMessageSize: o.MaxPart + PrefixSize})
		got, gerr := gather(out.Messages)
		if gerr != nil {
			t.Fatalf("round %d: %v", round, gerr)
		}
		// A message cut in parts before an error is partly delivered:
		// compare the whole ones.
		if rerr != nil && len(got) > len(want) {
			got = got[:len(want)]
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: %d messages, reference %d", round, len(got), len(want))
		}
		if d := rerr.Mismatch(out.Err); d != "" {
			t.Fatalf("round %d: %s", round, d)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var want []Message
	for range 60 {
		p := make([]byte, rng.IntN(3000))
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		want = append(want, Message{Prefix: Prefix{Compressed: rng.IntN(2) == 0, Length: uint32(len(p))}, First: true, Data: segtest.Split(p)})
	}
	enc := func(dst []byte, m Message) []byte { return appendMsg(dst, m.Prefix.Compressed, m.Data.Bytes()) }
	fuzz.CheckRoundTrip(t, decoder(Options{}), enc, want, fuzz.Options[Message]{MaxMessageSize: DefaultMaxPart + PrefixSize})
}

func TestWriteMessage(t *testing.T) {
	p := pipe.New(pipe.Options{})
	payload := bytes.Repeat([]byte("abc"), 50000)
	go func() {
		WriteMessage(context.Background(), p.Writer(), false, []byte("hi"))
		WriteMessage(context.Background(), p.Writer(), true, payload)
		p.Writer().Complete(nil)
	}()
	d := NewDecoder(p.Reader(), Options{})
	defer d.Close()
	var parts []Message
	for m := range d.All(context.Background()) {
		m.Data = segtest.Split(m.Data.Bytes())
		parts = append(parts, m)
	}
	got, err := gather(parts)
	want := []whole{{Prefix{false, 2}, "hi"}, {Prefix{true, uint32(len(payload))}, string(payload)}}
	if err != nil || d.Err() != nil || !slices.Equal(got, want) || len(parts) != 6 {
		t.Fatalf("%d parts, %v %v", len(parts), err, d.Err())
	}
}

// TestHostileClaims: a prefix claiming 4 GiB is refused on its prefix by
// default, after one read; with no limit it streams through in parts, the
// heap small.
func TestHostileClaims(t *testing.T) {
	src := &segtest.Bytewise{Data: append([]byte{0, 0xff, 0xff, 0xff, 0xff}, make([]byte, 1<<20)...)}
	d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Options{})
	if _, err := d.Next(context.Background()); !violation(err, 1, ErrMessageTooLarge) || src.N > 4096 {
		t.Fatalf("error %v after %d bytes", err, src.N)
	}
	d.Close()
	if testing.Short() || raceEnabled {
		return
	}
	const size = 1<<32 - 1
	z := &segtest.Zeros{Head: AppendPrefix(nil, Prefix{Length: size}), Left: size}
	d = NewDecoder(pipe.NewReader(z, pipe.ReaderOptions{}), Options{MaxMessageSize: -1})
	defer d.Close()
	var total uint64
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	alloc0 := ms.TotalAlloc
	parts := 0
	for m := range d.All(context.Background()) {
		total += uint64(m.Data.Len())
		if parts++; parts%8192 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if d.Err() != nil || total != size {
		t.Fatalf("%d bytes, error %v", total, d.Err())
	}
	runtime.ReadMemStats(&ms)
	if peak > 16<<20 || ms.TotalAlloc-alloc0 > 64<<20 {
		t.Fatalf("heap in use reached %d bytes, %d allocated", peak, ms.TotalAlloc-alloc0)
	}
	t.Logf("4 GiB in %d parts, heap in use at most %d bytes, %d bytes allocated", parts, peak, ms.TotalAlloc-alloc0)
}

// TestHostileBytewise feeds megabytes a byte per read, as one large
// message and as many small ones: time linear in the bytes.
func TestHostileBytewise(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("seconds of work")
	}
	big := func(n int) []byte { return appendMsg(nil, false, make([]byte, n)) }
	small := func(n int) []byte {
		var b []byte
		for len(b) < n {
			b = appendMsg(b, false, []byte("\x08\x96\x01 a small protobuf"))
		}
		return b
	}
	run := func(in []byte) time.Duration {
		start := time.Now()
		d := NewDecoder(pipe.NewReader(&segtest.Bytewise{Data: in}, pipe.ReaderOptions{}), Options{})
		defer d.Close()
		for range d.All(context.Background()) {
		}
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
		return time.Since(start)
	}
	for name, gen := range map[string]func(int) []byte{"one message": big, "small messages": small} {
		q, w := run(gen(1<<18)), run(gen(1<<20))
		t.Logf("%s: 256 KiB %v, 1 MiB %v", name, q, w)
		if w > 10*q+100*time.Millisecond {
			t.Fatalf("%s: 4x the bytes took %v, against %v", name, w, q)
		}
	}
}

// slowDecoder is decoder without the fast path of whole messages.
func slowDecoder(o Options) fuzz.Decoder[Message] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(Message)) error {
		d := newDecoder(o)
		d.slow = true
		return fuzz.Parser(d.parse)(ctx, src, limit, emit)
	}
}

// TestFastPath reads random calls, valid and corrupted, with and without
// the fast path of whole messages: the same parts, the same error.
func TestFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for round := range 300 {
		max := 100 + rng.IntN(3000)
		o := Options{MaxMessageSize: int64(max), MaxPart: 1 + rng.IntN(500)}
		in := randomCall(rng, max+rng.IntN(100))
		fo := fuzz.Options[Message]{MaxMessageSize: o.MaxPart + PrefixSize}
		fast := fuzz.Check(t, decoder(o), in, nil, fo)
		slow := fuzz.Check(t, slowDecoder(o), in, nil, fo)
		if !fuzz.Equal(fast.Messages, slow.Messages) || fmt.Sprint(fast.Err) != fmt.Sprint(slow.Err) {
			t.Fatalf("round %d: fast path %d parts, %v; declared path %d parts, %v", round,
				len(fast.Messages), fast.Err, len(slow.Messages), slow.Err)
		}
	}
}
