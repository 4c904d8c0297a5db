package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/sluicego/sluice/framing"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The length-field framings against the readers a Go user would write or
// pick, on streams of framingSize bytes arriving at most 4 KiB per Read:
//
//	BenchmarkFraming/lenfield/{sluice,bufio}: frames after a 4-byte
//	big-endian length (stripped), of a realistic spread (lengthSpread);
//	framing.LengthField against a hand loop over bufio.Reader reading the
//	length and then the frame with io.ReadFull into a reused buffer.
//	BenchmarkFraming/uvarint/{sluice,protodelim}: protobuf messages of the
//	same spread in the delimited format (one bytes field each), each
//	framed and then unmarshalled into an emptypb.Empty that discards the
//	field: framing.UvarintDelimited then proto.Unmarshal against
//	protodelim.UnmarshalFrom over a bufio.Reader (which peeks at the
//	message in the bufio buffer rather than copying it). The unmarshal
//	checks the wire format and skips the field's bytes, the least work a
//	real consumer does with a message.
//	BenchmarkFraming/uvarint/sluice-frames: the framing alone.
func init() {
	registerFraming("lenfield",
		framingContender{"sluice", func(b *testing.B) { benchFraming(b, lenfieldStream(), countLenfieldSluice) }},
		framingContender{"bufio", func(b *testing.B) { benchFraming(b, lenfieldStream(), countLenfieldBufio) }},
	)
	registerFraming("uvarint",
		framingContender{"sluice", func(b *testing.B) { benchFraming(b, uvarintStream(), countUvarintSluice) }},
		framingContender{"protodelim", func(b *testing.B) { benchFraming(b, uvarintStream(), countUvarintProtodelim) }},
		framingContender{"sluice-frames", func(b *testing.B) { benchFraming(b, uvarintStream(), countUvarintFrames) }},
	)
}

// lengthSpread draws a message size: most of 16 to 256 bytes, one in 16
// of 256 bytes to 4 KiB, one in 256 of 4 to 64 KiB (RPC payloads and log
// records spread so).
func lengthSpread(rng *rand.Rand) int {
	switch {
	case rng.IntN(256) == 0:
		return 4<<10 + rng.IntN(60<<10)
	case rng.IntN(16) == 0:
		return 256 + rng.IntN(4<<10-256)
	}
	return 16 + rng.IntN(240)
}

var lenfieldData, uvarintData []byte

var lenfieldOpts = framing.LengthFieldOptions{Size: 4, Strip: 4}

// lenfieldStream returns the lenfield stream, built once with a fixed seed.
func lenfieldStream() []byte {
	if lenfieldData == nil {
		rng := rand.New(rand.NewPCG(4, 5))
		b := make([]byte, 0, framingSize+srcSkew+(80<<10))[srcSkew:srcSkew]
		body := make([]byte, 64<<10)
		for i := range body {
			body[i] = byte(i)
		}
		for len(b) < framingSize {
			b, _ = framing.AppendLengthField(b, body[:lengthSpread(rng)], lenfieldOpts)
		}
		lenfieldData = b
	}
	return lenfieldData
}

// uvarintStream returns the uvarint stream, built once with a fixed seed.
func uvarintStream() []byte {
	if uvarintData == nil {
		rng := rand.New(rand.NewPCG(6, 7))
		var buf bytes.Buffer
		buf.Grow(framingSize + srcSkew + (80 << 10))
		buf.Write(make([]byte, srcSkew))
		payload := make([]byte, 64<<10)
		for i := range payload {
			payload[i] = byte(i * 3)
		}
		for buf.Len()-srcSkew < framingSize {
			if _, err := protodelim.MarshalTo(&buf, wrapperspb.Bytes(payload[:lengthSpread(rng)])); err != nil {
				panic(err)
			}
		}
		uvarintData = buf.Bytes()[srcSkew:]
	}
	return uvarintData
}

func countLenfieldSluice(src io.Reader) (int, error) {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), framing.LengthField(lenfieldOpts), parse.Options{})
	defer r.Close()
	n := 0
	for range r.All(context.Background()) {
		n++
	}
	return n, r.Err()
}

// countLenfieldBufio is the loop a user writes without sluice, with the
// same maximum: a frame over it is refused before it is read.
func countLenfieldBufio(src io.Reader) (int, error) {
	br := bufio.NewReaderSize(src, 4<<10)
	var head [4]byte
	var buf []byte
	n := 0
	for {
		if _, err := io.ReadFull(br, head[:]); err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		l := int(binary.BigEndian.Uint32(head[:]))
		if 4+l > framing.DefaultMaxFrame {
			return n, errors.New("frame too long")
		}
		if cap(buf) < l {
			buf = make([]byte, l)
		}
		if _, err := io.ReadFull(br, buf[:l]); err != nil {
			return n, io.ErrUnexpectedEOF
		}
		n++
	}
}

var discard = proto.UnmarshalOptions{DiscardUnknown: true}

func countUvarintSluice(src io.Reader) (int, error) {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), framing.UvarintDelimited(framing.UvarintOptions{}), parse.Options{})
	defer r.Close()
	var m emptypb.Empty
	var scratch []byte
	n := 0
	for f := range r.All(context.Background()) {
		if err := discard.Unmarshal(contiguous(f, &scratch), &m); err != nil {
			return n, err
		}
		n++
	}
	return n, r.Err()
}

// contiguous returns s's bytes, viewed when s is one segment, else copied
// into scratch.
func contiguous(s seq.Sequence, scratch *[]byte) []byte {
	if s.IsSingleSegment() {
		return s.First()
	}
	*scratch = s.AppendTo((*scratch)[:0])
	return *scratch
}

func countUvarintProtodelim(src io.Reader) (int, error) {
	br := bufio.NewReaderSize(src, 4<<10)
	o := protodelim.UnmarshalOptions{UnmarshalOptions: discard}
	var m emptypb.Empty
	n := 0
	for {
		if err := o.UnmarshalFrom(br, &m); err != nil {
			if err == io.EOF {
				return n, nil
			}
			return n, err
		}
		n++
	}
}

func countUvarintFrames(src io.Reader) (int, error) {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{LeaveOpen: true}), framing.UvarintDelimited(framing.UvarintOptions{}), parse.Options{})
	defer r.Close()
	n := 0
	for range r.All(context.Background()) {
		n++
	}
	return n, r.Err()
}

// randomChunks hands out data in reads of 1 to max bytes drawn by rng.
type randomChunks struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (r *randomChunks) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), 1+r.rng.IntN(r.max))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// delimOutcome is what a reader of the delimited format read: the
// messages' values and how the stream ended.
type delimOutcome struct {
	values []string
	end    string
}

// delimEnd classifies an ending of either reader.
func delimEnd(err error) string {
	var tl *framing.TooLongError
	var big *protodelim.SizeTooLargeError
	switch {
	case err == nil || err == io.EOF:
		return "clean"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated"
	case errors.As(err, &tl), errors.As(err, &big):
		return "too large"
	}
	return "malformed"
}

func readDelimSluice(src io.Reader) delimOutcome {
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), framing.UvarintDelimited(framing.UvarintOptions{}), parse.Options{MaxMessageSize: 8 << 20})
	defer r.Close()
	var out delimOutcome
	for f := range r.All(context.Background()) {
		var m wrapperspb.BytesValue
		if err := proto.Unmarshal(f.Bytes(), &m); err != nil {
			return delimOutcome{out.values, "malformed: " + err.Error()}
		}
		out.values = append(out.values, string(m.Value))
	}
	out.end = delimEnd(r.Err())
	return out
}

func readDelimProtodelim(src io.Reader) delimOutcome {
	br := bufio.NewReader(src)
	var out delimOutcome
	for {
		var m wrapperspb.BytesValue
		err := protodelim.UnmarshalFrom(br, &m)
		if err != nil {
			out.end = delimEnd(err)
			return out
		}
		out.values = append(out.values, string(m.Value))
	}
}

// TestUvarintAgreesWithProtodelim writes streams of protobuf messages with
// protodelim.MarshalTo (sizes of lengthSpread, some beyond protodelim's
// and sluice's 4 MiB default), some cut short or followed by a hostile
// length (over the maximum, an 11-byte varint, one over 64 bits), and reads
// each in random chunkings with framing.UvarintDelimited (unmarshalling
// each message) and protodelim.UnmarshalFrom: the same values, and the same
// kind of ending.
func TestUvarintAgreesWithProtodelim(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	payload := make([]byte, 5<<20)
	for i := range payload {
		payload[i] = byte(i * 5)
	}
	ends := map[string]int{}
	tails := []string{"", "\x80\x80\x80\x80\x10", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", "\x85", "\x05abc"}
	for round := range 200 {
		var buf bytes.Buffer
		for range rng.IntN(40) {
			n := lengthSpread(rng)
			if rng.IntN(200) == 0 {
				n = 4<<20 + rng.IntN(1<<20) - 1<<19 // around the 4 MiB default
			}
			if _, err := protodelim.MarshalTo(&buf, wrapperspb.Bytes(payload[:n])); err != nil {
				t.Fatal(err)
			}
		}
		data := buf.Bytes()
		switch rng.IntN(4) {
		case 0:
			if len(data) > 0 {
				data = data[:rng.IntN(len(data))]
			}
		case 1:
			data = append(data, tails[rng.IntN(len(tails))]...)
		}
		maxRead := []int{1, 7, 64, 4096, 1 << 16}[rng.IntN(5)]
		if maxRead == 1 && len(data) > 1<<20 {
			maxRead = 3
		}
		got := readDelimSluice(&randomChunks{data: data, rng: rand.New(rand.NewPCG(uint64(round), 1)), max: maxRead})
		want := readDelimProtodelim(&randomChunks{data: data, rng: rand.New(rand.NewPCG(uint64(round), 2)), max: maxRead})
		if fmt.Sprint(len(got.values), got.end) != fmt.Sprint(len(want.values), want.end) {
			t.Fatalf("round %d (%d bytes, reads of up to %d): sluice %d values then %s, protodelim %d values then %s",
				round, len(data), maxRead, len(got.values), got.end, len(want.values), want.end)
		}
		for i := range got.values {
			if got.values[i] != want.values[i] {
				t.Fatalf("round %d: value %d differs", round, i)
			}
		}
		ends[got.end]++
	}
	// Every kind of ending came up.
	if len(ends) != 4 {
		t.Errorf("endings %v, want all four kinds", ends)
	}
	t.Logf("endings: %v", ends)
}
