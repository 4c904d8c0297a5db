package mqtt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// small are options that cut payloads into many parts and keep heads
// small, for the harness's memory bound.
var small = Options{MaxPart: 128, MaxHeadSize: 512}

const smallLimit = 512 + 128

func TestChunkings(t *testing.T) {
	for _, v := range []Version{V311, V5} {
		up, down := session(v)
		for _, dir := range []struct {
			in   []byte
			role Role
			n    int
		}{{up, Server, 14 + int(v-V311)}, {down, Client, 13 + int(v-V311)}} {
			o := small
			o.Version = v
			out := fuzz.CheckChunkings(t, decoder(dir.role, o), dir.in, fuzz.Options[Packet]{MaxMessageSize: smallLimit, Name: dir.role.String()})
			if out.Err != nil || len(out.Messages) != dir.n {
				t.Fatalf("v%d %s: %d packets, error %v", v, dir.role, len(out.Messages), out.Err)
			}
			// Truncated anywhere: the same packets up to the cut, then a
			// truncation, in every chunking.
			for _, cut := range []int{1, 9, 40, len(dir.in) / 2, len(dir.in) - 1} {
				fuzz.Check(t, decoder(dir.role, o), dir.in[:cut], []int{cut / 2}, fuzz.Options[Packet]{MaxMessageSize: smallLimit})
			}
		}
	}
}

// TestLargestPublish streams a PUBLISH of the largest remaining length
// (256 MiB) through a decoder whose limit allows it: it passes in parts,
// the heap stays small.
func TestLargestPublish(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("256 MiB of work")
	}
	const rem = maxRem
	head := AppendHead(nil, V311, &Packet{Type: PUBLISH, Topic: so("big")})
	head = append(AppendVarInt([]byte{head[0]}, rem), head[2:]...)
	src := &segtest.Zeros{Head: head, Left: rem - 5}
	d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Client, Options{MaxPacketSize: rem + 5})
	var total, peak uint64
	var ms runtime.MemStats
	parts := 0
	for p := range d.All(context.Background()) {
		total += uint64(p.Data.Len())
		parts++
		if parts%1024 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if d.Err() != nil || total != rem-5 {
		t.Fatalf("%d bytes, error %v", total, d.Err())
	}
	if peak > 16<<20 {
		t.Fatalf("heap in use reached %d bytes", peak)
	}
}

// TestHostileClaims: a 5-byte fixed header claiming 256 MiB is refused on
// the header with the default limits, before anything else arrives, and
// allocates nothing for it.
func TestHostileClaims(t *testing.T) {
	claim := hexBytes("30 ff ff ff 7f")
	p := pipe.New(pipe.Options{})
	w := p.Writer()
	if _, err := w.Write(context.Background(), claim); err != nil {
		t.Fatal(err)
	}
	// The writer stays open: the decoder must decide on the header alone.
	d := NewDecoder(p.Reader(), Client, Options{})
	defer d.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := d.Next(ctx)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrPacketTooLarge) || !violation(err, 0, ErrPacketTooLarge) {
		t.Fatalf("error %v", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Fatalf("refusing the claim allocated %d bytes", grown)
	}
	w.Complete(nil)

	// A SUBSCRIBE (read whole) claiming a megabyte: over the head limit.
	_, err = readAll(seq.Of(append(bytes.Clone(connect311), hexBytes("82 80 80 40")...)), Server, Options{})
	if !violation(err, int64(len(connect311)), ErrPacketTooLarge) {
		t.Fatalf("error %v", err)
	}
	// With the limit lifted, a claim with nothing after it is a truncation
	// after the parts that arrived, memory bounded by a part.
	in := append(bytes.Clone(claim), hexBytes("00 01 61")...)
	in = append(in, make([]byte, 100000)...)
	got, err := readAll(seq.Of(in), Client, Options{MaxPacketSize: maxRem + 5, MaxPart: 1000})
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 99 { // the 100th part waits for a byte after it
		t.Fatalf("%d parts, error %v", len(got), err)
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
	for range d.All(context.Background()) {
	}
	if d.Err() != nil {
		t.Fatal(d.Err())
	}
	return time.Since(start)
}

// TestHostileBytewise feeds megabytes a byte per read: one large PUBLISH,
// many small ones, and a SUBSCRIBE with thousands of filters and a CONNECT
// with large fields. Time is linear in the bytes: four times the input
// takes about four times as long, not sixteen.
func TestHostileBytewise(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("seconds of work")
	}
	big := func(n int) []byte {
		return Append(bytes.Clone(connect5), V5, &Packet{Type: PUBLISH, Topic: so("t"), Data: seq.Of(make([]byte, n))})
	}
	smalls := func(n int) []byte {
		b := bytes.Clone(connect5)
		for len(b) < n {
			b = Append(b, V5, &Packet{Type: PUBLISH, QoS: 1, ID: 1, Topic: so("a/topic"), Data: so("a small payload")})
		}
		return b
	}
	subs := func(n int) []byte {
		var body []byte
		for len(body) < 8<<10 {
			body = AppendSubscriptions(body, Subscription{Filter: so("some/filter/+"), Options: 1})
		}
		b := bytes.Clone(connect5)
		for len(b) < n {
			b = Append(b, V5, &Packet{Type: SUBSCRIBE, ID: 1, Body: seq.Of(body)})
		}
		return b
	}
	for name, gen := range map[string]func(int) []byte{"one publish": big, "small publishes": smalls, "subscribes": subs} {
		q := bytewise(t, gen(1<<18))
		w := bytewise(t, gen(1<<20))
		t.Logf("%s: 256 KiB %v, 1 MiB %v", name, q, w)
		if w > 10*q+100*time.Millisecond {
			t.Fatalf("%s: 4x the bytes took %v, against %v", name, w, q)
		}
	}
}

// TestParserLimit: a reader whose limit is below a packet read whole
// reports a size error, not a hang.
func TestParserLimit(t *testing.T) {
	up, _ := session(V5)
	r := parse.NewReader(pipe.FromBytes(up), Parser(Server, Options{}), parse.Options{MaxMessageSize: 40})
	defer r.Close()
	for range r.All(context.Background()) {
	}
	if !errors.Is(r.Err(), parse.ErrTooLarge) {
		t.Fatalf("error %v", r.Err())
	}
}
