package websocket

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
	"github.com/sluicego/sluice/pipe"
)

// mixed is a stream of every kind of frame: control frames inside a
// fragmented message, a close, payloads longer than a part.
func mixed(role Role) []byte {
	e := Encoder{Role: role, Key: counterKey()}
	var b []byte
	b = e.AppendFrame(b, OpText, false, []byte("hello "))
	b = e.AppendFrame(b, OpPing, true, []byte("are you there"))
	b = e.AppendFrame(b, OpContinuation, false, bytes.Repeat([]byte("w"), 300))
	b = e.AppendFrame(b, OpPong, true, nil)
	b = e.AppendFrame(b, OpContinuation, true, []byte("orld"))
	b = e.AppendFrame(b, OpBinary, true, bytes.Repeat([]byte{0, 1, 2, 3, 4}, 100))
	b = e.AppendFrame(b, OpBinary, true, nil)
	return e.AppendFrame(b, OpClose, true, AppendClosePayload(nil, CloseNormal, "done"))
}

// counterKey returns keys 1 2 3 4, 2 3 4 5, …: deterministic tests.
func counterKey() func() [4]byte {
	var n byte
	return func() [4]byte {
		n++
		return [4]byte{n, n + 1, n + 2, n + 3}
	}
}

func TestChunkings(t *testing.T) {
	for _, role := range []Role{Server, Client} {
		// The decoder reads what the other role sends.
		in := mixed(1 - role)
		o := Options{MaxPart: 128}
		out := fuzz.CheckChunkings(t, decoder(role, o), in, fuzz.Options[Frame]{MaxMessageSize: 128 + MaxHeaderSize, Name: role.String()})
		if out.Err != nil || len(out.Messages) != 13 {
			t.Fatalf("%s: %d frames, error %v", role, len(out.Messages), out.Err)
		}
		// Truncated anywhere: the same frames up to the cut, then a
		// truncation, in every chunking.
		for _, cut := range []int{1, 9, 40, len(in) - 1} {
			fuzz.Check(t, decoder(role, o), in[:cut], []int{cut / 2}, fuzz.Options[Frame]{MaxMessageSize: 128 + MaxHeaderSize})
		}
	}
}

// TestRoundTrip encodes random frames in both roles and decodes them
// under random chunkings: the same headers, the same unmasked payloads.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		role := Role(round % 2)
		e := Encoder{Role: role}
		type sent struct {
			op      Opcode
			fin     bool
			payload []byte
		}
		var frames []sent
		var in []byte
		open := false
		for range 1 + rng.IntN(20) {
			var s sent
			switch k := rng.IntN(10); {
			case k < 2:
				s.op, s.fin = OpPing+Opcode(rng.IntN(2)), true
				s.payload = randBytes(rng, rng.IntN(126))
			default:
				s.op = OpText + Opcode(rng.IntN(2))
				if open {
					s.op = OpContinuation
				}
				s.fin = rng.IntN(3) > 0
				n := rng.IntN(200)
				if rng.IntN(8) == 0 {
					n = rng.IntN(70000)
				}
				s.payload = randBytes(rng, n)
				open = !s.fin
			}
			frames = append(frames, s)
			in = e.AppendFrame(in, s.op, s.fin, s.payload)
		}
		d := NewDecoder(pipe.NewReader(&chunky{data: in, rng: rng}, pipe.ReaderOptions{}), 1-role, Options{MaxPart: 1000})
		var got []sent
		for f := range d.All(context.Background()) {
			if f.Header.Masked != (role == Client) {
				t.Fatalf("round %d: masked %v", round, f.Header.Masked)
			}
			if f.First {
				got = append(got, sent{f.Header.Op, f.Header.Fin, nil})
			}
			last := &got[len(got)-1]
			last.payload = f.AppendData(last.payload)
		}
		if err := d.Err(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(got) != len(frames) {
			t.Fatalf("round %d: %d frames, want %d", round, len(got), len(frames))
		}
		for i := range got {
			if got[i].op != frames[i].op || got[i].fin != frames[i].fin || !bytes.Equal(got[i].payload, frames[i].payload) {
				t.Fatalf("round %d frame %d: %v %v %d bytes, want %v %v %d bytes", round, i,
					got[i].op, got[i].fin, len(got[i].payload), frames[i].op, frames[i].fin, len(frames[i].payload))
			}
		}
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// chunky returns its data in reads of random sizes.
type chunky struct {
	data []byte
	rng  *rand.Rand
}

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+c.rng.IntN(300))], c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestWriteFrame(t *testing.T) {
	p := pipe.New(pipe.Options{})
	e := Encoder{Role: Client, Key: counterKey()}
	payload := bytes.Repeat([]byte("0123456789"), 20000)
	keep := slices.Clone(payload)
	go func() {
		e.WriteFrame(context.Background(), p.Writer(), OpBinary, true, payload)
		p.Writer().Complete(nil)
	}()
	d := NewDecoder(p.Reader(), Server, Options{})
	var got []byte
	for f := range d.All(context.Background()) {
		got = f.AppendData(got)
	}
	if d.Err() != nil || !bytes.Equal(got, keep) || !bytes.Equal(payload, keep) {
		t.Fatalf("error %v, %d bytes back", d.Err(), len(got))
	}
}

func TestUnmaskOffsets(t *testing.T) {
	key := [4]byte{0xa1, 0xb2, 0xc3, 0xd4}
	plain := []byte("the quick brown fox jumps over the lazy dog, twice over")
	masked := slices.Clone(plain)
	Unmask(masked, key, 0)
	for i := range masked {
		if masked[i] != plain[i]^key[i%4] {
			t.Fatalf("byte %d masked wrong", i)
		}
	}
	// Unmasking in pieces from any offset gives the plain text back.
	for cut := range len(masked) {
		b := slices.Clone(masked)
		Unmask(b[:cut], key, 0)
		Unmask(b[cut:], key, uint64(cut))
		if !bytes.Equal(b, plain) {
			t.Fatalf("cut %d: %q", cut, b)
		}
	}
}

// TestGigabyteFrame streams a 1 GiB frame through the decoder: it passes
// in parts, the heap stays small.
func TestGigabyteFrame(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a gigabyte of work")
	}
	const size = 1 << 30
	src := &segtest.Zeros{Head: AppendHeader(nil, Header{Fin: true, Op: OpBinary, Length: size}), Left: size}
	d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Client, Options{MaxMessageSize: -1})
	var total uint64
	var peak uint64
	var ms runtime.MemStats
	parts := 0
	for f := range d.All(context.Background()) {
		total += uint64(f.Data.Len())
		parts++
		if parts%4096 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if d.Err() != nil || total != size {
		t.Fatalf("%d bytes, error %v", total, d.Err())
	}
	if peak > 16<<20 {
		t.Fatalf("heap in use reached %d bytes", peak)
	}
}

// byteReader returns its data a byte per Read.
type byteReader struct{ data []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

func bytewise(t *testing.T, in []byte) time.Duration {
	start := time.Now()
	d := NewDecoder(pipe.NewReader(&byteReader{data: in}, pipe.ReaderOptions{}), Server, Options{})
	n := 0
	for f := range d.All(context.Background()) {
		n += f.Data.Len()
	}
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	return time.Since(start)
}

// TestHostileBytewise feeds megabytes a byte per read: one large frame,
// and many small ones. Time is linear in the bytes: four times the input
// takes about four times as long, not sixteen.
func TestHostileBytewise(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("seconds of work")
	}
	e := Encoder{Role: Client, Key: counterKey()}
	big := func(n int) []byte { return e.AppendFrame(nil, OpBinary, true, make([]byte, n)) }
	small := func(n int) []byte {
		var b []byte
		for len(b) < n {
			b = e.AppendFrame(b, OpText, true, []byte("a small text frame"))
		}
		return b
	}
	for name, gen := range map[string]func(int) []byte{"one frame": big, "small frames": small} {
		q := bytewise(t, gen(1<<19))
		w := bytewise(t, gen(1<<21))
		t.Logf("%s: 512 KiB %v, 2 MiB %v", name, q, w)
		if w > 10*q+100*time.Millisecond {
			t.Fatalf("%s: 4x the bytes took %v, against %v", name, w, q)
		}
	}
}

func TestHostileClaims(t *testing.T) {
	// A header that claims 2^63-1 bytes, then nothing: refused on the
	// header with the default limits; with no limit it is a truncation
	// after what arrived, memory bounded by a part.
	h := AppendHeader(nil, Header{Fin: true, Op: OpBinary, Length: 1<<63 - 1})
	_, err := readAll(seqOf(h), Client, Options{})
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("error %v", err)
	}
	in := append(h, make([]byte, 100000)...)
	got, err := readAll(seqOf(in), Client, Options{MaxMessageSize: -1, MaxPart: 1000})
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 99 { // the 100th part waits for a byte after it
		t.Fatalf("%d parts, error %v", len(got), err)
	}
}

// slowDecoder is decoder without the fast path of whole frames.
func slowDecoder(r Role, o Options) fuzz.Decoder[Frame] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(Frame)) error {
		d := newDecoder(r, o)
		d.slow = true
		return fuzz.Parser(d.parse)(ctx, src, limit, emit)
	}
}

// TestFastPath reads random streams, valid and corrupted, with and without
// the fast path of whole frames: the same frames, the same error.
func TestFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for round := range 300 {
		role := Role(round % 2)
		e := Encoder{Role: 1 - role, Key: counterKey()}
		var in []byte
		open := false
		for range 1 + rng.IntN(12) {
			switch k := rng.IntN(10); {
			case k == 0:
				in = e.AppendFrame(in, OpClose, true, AppendClosePayload(nil, CloseCode(999+rng.IntN(3)), "x"))
			case k < 3:
				in = e.AppendFrame(in, OpPing, true, randBytes(rng, rng.IntN(126)))
			default:
				op := OpText
				if open {
					op = OpContinuation
				}
				fin := rng.IntN(2) == 0
				in = e.AppendFrame(in, op, fin, randBytes(rng, rng.IntN(400)))
				open = !fin
			}
		}
		if rng.IntN(3) == 0 && len(in) > 0 {
			in[rng.IntN(len(in))] ^= byte(1 << rng.IntN(8))
		}
		o := Options{MaxPart: 130 + rng.IntN(300), MaxMessageSize: int64(500 + rng.IntN(1000))}
		limit := o.MaxPart + MaxHeaderSize
		fo := fuzz.Options[Frame]{MaxMessageSize: limit}
		fast := fuzz.Check(t, decoder(role, o), in, nil, fo)
		slow := fuzz.Check(t, slowDecoder(role, o), in, nil, fo)
		if !fuzz.Equal(fast.Messages, slow.Messages) || fmt.Sprint(fast.Err) != fmt.Sprint(slow.Err) {
			t.Fatalf("round %d: fast path %d frames, %v; declared path %d frames, %v", round,
				len(fast.Messages), fast.Err, len(slow.Messages), slow.Err)
		}
	}
}

// TestBatchAgrees reads random streams of every frame kind, header
// encoding and rule break, with and without the fast paths (the batch form
// and whole), under the options that decide what the batch form may take
// (RSV bits, frame and message limits, part size): the same frames, the
// same error. Lengths are written by hand, so that non-minimal 16- and
// 64-bit lengths and oversized control frames occur too; a rule break is
// rare, so that most streams run on for many frames.
func TestBatchAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	ops := []Opcode{OpPing, OpPong, OpClose, 3, 0xB}
	rare := func() bool { return rng.IntN(40) == 0 } // a rule break, now and then
	for round := range 2000 {
		role := Role(round % 2)
		o := Options{RSV: uint8(rng.IntN(8)), MaxPart: 125 + rng.IntN(600), MaxMessageSize: int64(300 + rng.IntN(3000))}
		if rng.IntN(2) == 0 {
			o.MaxFrameSize = int64(50 + rng.IntN(600))
		}
		var in []byte
		open := false
		for range 1 + rng.IntN(24) {
			op := OpText
			switch k := rng.IntN(12); {
			case k < 2:
				op = ops[rng.IntN(len(ops))]
				if op == OpClose && !rare() || op.IsReserved() && !rare() {
					op = OpPong
				}
			case k < 4:
				op = OpBinary
			}
			if open && !op.IsControl() {
				op = OpContinuation
			}
			if rare() {
				op ^= OpContinuation ^ OpText // a continuation with no message, or a message inside one
			}
			n := rng.IntN(200)
			if rng.IntN(4) == 0 {
				n = rng.IntN(800)
			}
			if op.IsControl() && !rare() {
				n %= 126
			}
			b0 := byte(op)
			fin := op.IsControl() || rng.IntN(3) > 0
			if rare() {
				fin = !fin
			}
			if fin {
				b0 |= 0x80
			}
			if !op.IsControl() {
				open = !fin
			}
			if rng.IntN(5) == 0 {
				b0 |= byte(rng.IntN(8)) << 4 // claimed by an extension or not
			}
			var b1 byte
			if (role == Server) != rare() {
				b1 = 0x80
			}
			if op == OpClose && n > 0 {
				n = max(n%126, 2)
			}
			switch {
			case n < 126 && !rare():
				in = append(in, b0, b1|byte(n))
			case n < 1<<16 && !rare():
				in = append(in, b0, b1|126, byte(n>>8), byte(n))
			case rare():
				// A claim of 2^48 bytes and more, its first bytes read
				// as a 16-bit length would be one of 65535.
				in = append(in, b0, b1|127, 0, 0xff, 0xff, 0xff, byte(rng.Uint32()), 0, byte(n>>8), byte(n))
			default:
				in = append(in, b0, b1|127, 0, 0, 0, 0, 0, 0, byte(n>>8), byte(n))
			}
			if b1&0x80 != 0 {
				in = append(in, byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()))
			}
			p := randBytes(rng, n)
			if op == OpClose && n >= 2 {
				p[0], p[1] = 0x03, 0xe8 // 1000 (masked, it reads as another code)
			}
			in = append(in, p...)
		}
		if rng.IntN(3) == 0 && len(in) > 0 {
			in[rng.IntN(len(in))] ^= byte(1 << rng.IntN(8))
		}
		// The message reader runs the batch form only where the rest of
		// its buffer is within its limit: a limit far above the part size
		// lets it run on most of the stream.
		limit := o.MaxPart + MaxHeaderSize
		if round%4 > 1 {
			limit = 1 << 16
		}
		fo := fuzz.Options[Frame]{MaxMessageSize: limit}
		fast := fuzz.Check(t, decoder(role, o), in, nil, fo)
		slow := fuzz.Check(t, slowDecoder(role, o), in, nil, fo)
		if !fuzz.Equal(fast.Messages, slow.Messages) || fmt.Sprint(fast.Err) != fmt.Sprint(slow.Err) {
			t.Fatalf("round %d (%+v): fast paths %d frames, %v; declared path %d frames, %v", round, o,
				len(fast.Messages), fast.Err, len(slow.Messages), slow.Err)
		}
	}
}
