package http2

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/pipe"
)

// readWith decodes b in reads of the given sizes, with or without the
// fast paths, and renders every frame part and the error.
func readWith(b []byte, r Role, o Options, slow bool, rng *rand.Rand) string {
	var src pipe.Reader
	if rng == nil {
		src = pipe.FromBytes(b)
	} else {
		src = pipe.NewReader(&randomReads{b, rng}, pipe.ReaderOptions{})
	}
	d := NewDecoder(src, r, o)
	d.slow = slow
	defer d.Close()
	var out strings.Builder
	for f := range d.All(context.Background()) {
		out.WriteString(render(f))
		out.WriteByte('\n')
	}
	fmt.Fprintf(&out, "error: %v", d.Err())
	return out.String()
}

type randomReads struct {
	b   []byte
	rng *rand.Rand
}

func (r *randomReads) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+r.rng.IntN(300))], r.b)
	r.b = r.b[n:]
	return n, nil
}

// agreeFast checks that the fast paths and the declared grammar read b
// alike, whole and in random reads.
func agreeFast(t *testing.T, b []byte, r Role, o Options, seed uint64) {
	t.Helper()
	slow := readWith(b, r, o, true, nil)
	if fast := readWith(b, r, o, false, nil); fast != slow {
		t.Fatalf("fast paths:\n%s\ndeclared grammar:\n%s", fast, slow)
	}
	if fast := readWith(b, r, o, false, rand.New(rand.NewPCG(seed, 1))); fast != slow {
		t.Fatalf("fast paths in random reads:\n%s\ndeclared grammar:\n%s", fast, slow)
	}
}

// TestFastPath reads random streams, valid and corrupted, with and
// without the fast paths: the same frames, the same error.
func TestFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for round := range 400 {
		var in []byte
		if round%2 == 0 {
			in = AppendPreface(in)
		}
		in = AppendSettings(in, Setting{SettingInitialWindowSize, uint32(round)})
		for range 1 + rng.IntN(15) {
			sid := uint32(1 + 2*rng.IntN(3))
			data := bytes.Repeat([]byte{byte(round)}, rng.IntN(400))
			fl := Flags(rng.IntN(256))
			switch rng.IntN(11) {
			case 0:
				in = AppendData(in, sid, fl, uint8(rng.IntN(20)), data)
			case 1:
				in = AppendHeaders(in, sid, fl, uint8(rng.IntN(20)), Priority{StreamDep: uint32(rng.IntN(6)), Weight: 3}, data)
			case 2:
				in = AppendContinuation(in, sid, rng.IntN(2) == 0, data)
			case 3:
				in = AppendPushPromise(in, sid, fl, uint8(rng.IntN(20)), uint32(rng.IntN(3)), data)
			case 4:
				in = AppendPriority(in, sid, Priority{StreamDep: uint32(rng.IntN(6))})
			case 5:
				in = AppendWindowUpdate(in, uint32(rng.IntN(2)), uint32(rng.IntN(3)))
			case 6:
				in = AppendPing(in, rng.IntN(2) == 0, [8]byte{byte(round)})
			case 7:
				in = AppendGoAway(in, sid, CodeCancel, data)
			case 8:
				in = AppendRSTStream(in, uint32(rng.IntN(2)), CodeCancel)
			case 9:
				in = AppendSettings(in, Setting{SettingEnablePush, uint32(rng.IntN(3))})
			default:
				in = AppendFrame(in, Header{Type: FrameType(10 + rng.IntN(5)), Flags: fl, StreamID: sid}, data)
			}
		}
		// Corrupt a byte now and then, cut the end now and then.
		if round%3 == 0 {
			in[rng.IntN(len(in))] ^= byte(1 + rng.IntN(255))
		}
		if round%5 == 0 {
			in = in[:rng.IntN(len(in)+1)]
		}
		role := Client
		if round%2 == 0 {
			role = Server
		}
		o := Options{MaxPart: 64 + rng.IntN(400), MaxHeaderBlock: int64(rng.IntN(2000)), MaxContinuations: rng.IntN(4)}
		agreeFast(t, in, role, o, uint64(round))
		// And in the harness's chunkings, for the fast decoder.
		fuzz.Check(t, decoder(role, o), in, randomCuts(len(in), int64(round)), fuzz.Options[Frame]{MaxMessageSize: o.MaxPart + MaxHeadSize})
	}
}

// TestFastNeed checks that the fast path waits for the bytes the declared
// grammar waits for: frames longer than a read, whole and cut, read with
// and without the fast paths make the same pipe reads, each ReadAtLeast
// waiting for the same count, and give the same frames and error. In one
// round of three, frames longer than the initial SETTINGS_MAX_FRAME_SIZE
// come while the maximum changes after every frame, so that a cut frame
// the fast path remembers meets a new maximum.
func TestFastNeed(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	refused := 0
	for round := range 60 {
		big := rand.New(rand.NewPCG(uint64(round), 7)) // rng's draws stay those of every round
		in := AppendSettings(nil)
		for range 1 + rng.IntN(6) {
			data := bytes.Repeat([]byte{byte(round)}, rng.IntN(3000))
			if round%3 == 2 && big.IntN(2) == 0 {
				data = bytes.Repeat([]byte{byte(round)}, MinMaxFrameSize+big.IntN(2000))
			}
			switch rng.IntN(3) {
			case 0:
				in = AppendData(in, 1, 0, uint8(rng.IntN(20)), data)
			case 1:
				in = AppendData(in, 3, FlagPadded, uint8(rng.IntN(20)), data)
			default:
				in = AppendHeaders(in, 5, FlagEndHeaders|FlagPriority, 0, Priority{StreamDep: 1}, data)
			}
		}
		if round%4 == 0 {
			in = in[:rng.IntN(len(in)+1)]
		}
		o := Options{MaxPart: 64 + rng.IntN(4000)}
		if round%3 == 2 {
			o.MaxPart, o.MaxFrameSize = MinMaxFrameSize+2000, MinMaxFrameSize+4000
		}
		trace := func(slow bool) (string, []int) {
			src := &parsetest.ReadTrace{Reader: pipe.NewReader(&randomReads{in, rand.New(rand.NewPCG(uint64(round), 2))}, pipe.ReaderOptions{BufferSize: 1024})}
			d := NewDecoder(src, Client, o)
			d.slow = slow
			defer d.Close()
			var out strings.Builder
			frames := 0
			for f := range d.All(context.Background()) {
				out.WriteString(render(f))
				out.WriteByte('\n')
				if round%3 == 2 && f.End() {
					frames++
					if err := d.SetMaxFrameSize(MinMaxFrameSize + uint32(frames%2)*4000); err != nil {
						t.Fatal(err)
					}
				}
			}
			fmt.Fprintf(&out, "error: %v", d.Err())
			return out.String(), src.Reads
		}
		slow, slowReads := trace(true)
		fast, fastReads := trace(false)
		if fast != slow {
			t.Fatalf("round %d: fast paths:\n%s\ndeclared grammar:\n%s", round, fast, slow)
		}
		if fmt.Sprint(fastReads) != fmt.Sprint(slowReads) {
			t.Fatalf("round %d: reads with the fast paths %v, with the declared grammar %v", round, fastReads, slowReads)
		}
		if !slices.ContainsFunc(slowReads, func(n int) bool { return n > 1 }) && round%4 != 0 && round%3 != 2 {
			t.Fatalf("round %d: no read waited for a frame's payload: %v", round, slowReads)
		}
		if round%3 == 2 && strings.Contains(slow, ErrFrameSize.Error()) {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("no frame was refused by a changed maximum")
	}
}

// TestWaitWholePayload checks that a frame whose payload a read cuts is
// waited for in one ReadAtLeast of the whole frame, on both paths, not
// in steps of what was still missing when the attempt failed: a need
// counts bytes beyond the cursor, and the payload's cursor is past its
// header.
func TestWaitWholePayload(t *testing.T) {
	const size = 15000
	settings := AppendSettings(nil)
	frame := AppendData(nil, 1, FlagEndStream, 0, bytes.Repeat([]byte{'d'}, size))
	for _, slow := range []bool{false, true} {
		in := append(slices.Clip(settings), frame...)
		src := &parsetest.ReadTrace{Reader: pipe.NewReader(&capped{bytes.NewReader(in), 1000}, pipe.ReaderOptions{BufferSize: 1024})}
		d := NewDecoder(src, Client, Options{MaxPart: 2 * size})
		d.slow = slow
		n := 0
		for f := range d.All(context.Background()) {
			n += len(f.Data.Bytes())
		}
		if err := d.Err(); err != nil || n != size {
			t.Fatalf("slow %v: %d bytes, error %v", slow, n, err)
		}
		d.Close()
		waits := 0
		for _, r := range src.Reads {
			if r > 0 {
				waits++
				if r != len(frame) {
					t.Errorf("slow %v: waited for %d bytes, the frame has %d: %v", slow, r, len(frame), src.Reads)
				}
			}
		}
		if waits != 1 {
			t.Errorf("slow %v: %d waits for the payload, want 1: %v", slow, waits, src.Reads)
		}
	}
}

// capped passes reads of at most n bytes to r.
type capped struct {
	r io.Reader
	n int
}

func (c *capped) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestCutFrameForgotten checks that the head the fast paths remember for
// a frame cut by a read's end is checked again once the connection's
// state changes: a smaller SETTINGS_MAX_FRAME_SIZE applied after the
// frame before it refuses the cut frame, whose header passed the larger
// one, as the declared grammar does.
func TestCutFrameForgotten(t *testing.T) {
	in := AppendSettings(nil)
	in = AppendData(in, 1, 0, 0, make([]byte, 100))
	at := len(in)
	in = AppendData(in, 3, 0, 0, make([]byte, 20000))
	for _, slow := range []bool{false, true} {
		d := NewDecoder(pipe.NewReader(&capped{bytes.NewReader(in), 4096}, pipe.ReaderOptions{}), Client, Options{MaxFrameSize: 32768})
		d.slow = slow
		remembered := false
		for f := range d.All(context.Background()) {
			if f.Header.Type == TypeData && f.Header.StreamID == 1 {
				remembered = d.cutAt == int64(at)
				if err := d.SetMaxFrameSize(MinMaxFrameSize); err != nil {
					t.Fatal(err)
				}
			}
		}
		if remembered == slow {
			t.Fatalf("slow %v: the cut frame remembered: %v", slow, remembered)
		}
		if !violation(d.Err(), int64(at), ErrFrameSize) {
			t.Fatalf("slow %v: %v, want ErrFrameSize at %d", slow, d.Err(), at)
		}
		d.Close()
	}
}
