package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	sgrpc "github.com/sluicego/sluice/framing/grpc"
	"github.com/sluicego/sluice/pipe"
)

// grpcStream is one direction of a busy gRPC stream: n messages, most of
// them small protobufs of 10–400 bytes, one in 16 of 1–16 KiB, one in 256
// of 64–256 KiB (a blob, streamed by the decoder in 32 KiB parts), one in 8
// compressed. With small, every message is of 10–400 bytes.
func grpcStream(n int, seed uint64, small bool) []byte {
	rng := rand.New(rand.NewPCG(seed, 11))
	payload := make([]byte, 256<<10)
	for i := range payload {
		payload[i] = byte(i*7 + i>>8)
	}
	var out []byte
	for i := range n {
		size := 10 + rng.IntN(391)
		switch {
		case small:
		case i%256 == 255:
			size = 64<<10 + rng.IntN(192<<10)
		case i%16 == 15:
			size = 1<<10 + rng.IntN(15<<10)
		}
		out, _ = sgrpc.AppendMessage(out, i%8 == 3, payload[:size])
	}
	return out
}

// errGRPCFlag and errGRPCTooLarge are the bufio reader's refusals.
var (
	errGRPCFlag     = errors.New("grpc flag")
	errGRPCTooLarge = errors.New("grpc message too large")
)

// grpcBufio reads messages as grpc-go's parser does (its recvMsg is
// internal): io.ReadFull of the 5-byte prefix from a bufio.Reader, the
// flag and the length checked, then io.ReadFull of the payload into a
// buffer, here one reused buffer (grpc-go takes one from a pool). It
// calls each with the message.
func grpcBufio(br *bufio.Reader, buf []byte, max uint32, each func(compressed bool, payload []byte)) ([]byte, error) {
	var hdr [5]byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if err == io.EOF {
				return buf, nil
			}
			return buf, err
		}
		if hdr[0] > 1 {
			return buf, errGRPCFlag
		}
		n := binary.BigEndian.Uint32(hdr[1:])
		if n > max {
			return buf, errGRPCTooLarge
		}
		if cap(buf) < int(n) {
			buf = make([]byte, n)
		}
		p := buf[:n]
		if _, err := io.ReadFull(br, p); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
		each(hdr[0] == 1, p)
	}
}

// grpcWork is what every contender of BenchmarkFraming/grpc computes: the
// messages, their payload bytes, and the sum of their first bytes (a
// protobuf's first tag), so that each payload is touched.
type grpcWork struct {
	msgs, bytes int
	sum         byte
}

func (w *grpcWork) add(p []byte) {
	w.msgs++
	w.bytes += len(p)
	if len(p) > 0 {
		w.sum += p[0]
	}
}

// grpcSluice reads in with the decoder, payloads as views: a payload up to
// 32 KiB is one Message viewing the pipe's memory, a longer one arrives in
// parts.
func grpcSluice(in []byte) (w grpcWork, err error) {
	src := bytes.NewReader(in)
	d := sgrpc.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), sgrpc.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		if m.First {
			w.msgs++
			if f := m.Data.First(); len(f) > 0 {
				w.sum += f[0]
			}
		}
		w.bytes += m.Data.Len()
	}
	return w, d.Err()
}

// grpcSluiceCopy reads in with the decoder and gathers each message into
// one []byte, as code that needs a contiguous payload does.
func grpcSluiceCopy(in []byte, buf []byte) (w grpcWork, err error) {
	src := bytes.NewReader(in)
	d := sgrpc.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), sgrpc.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		if m.First {
			buf = buf[:0]
		}
		buf = m.Data.AppendTo(buf)
		if m.End() {
			w.add(buf)
		}
	}
	return w, d.Err()
}

// grpcBufioRead reads in with grpcBufio through a 4 KiB bufio.Reader.
func grpcBufioRead(in []byte, br *bufio.Reader, buf []byte) (w grpcWork, err error) {
	br.Reset(bytes.NewReader(in))
	_, err = grpcBufio(br, buf, sgrpc.DefaultMaxMessageSize, func(_ bool, p []byte) { w.add(p) })
	return w, err
}

func init() {
	registerGRPC("grpc", grpcStream(8192, 1, false))
	registerGRPC("grpc-small", grpcStream(8192, 1, true))
}

// registerGRPC registers the framing case name: in read by each contender.
func registerGRPC(name string, in []byte) {
	want, err := grpcBufioRead(in, bufio.NewReaderSize(nil, 4096), nil)
	if err != nil {
		panic(err)
	}
	run := func(read func() (grpcWork, error)) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var w grpcWork
			var err error
			for b.Loop() {
				if w, err = read(); err != nil {
					b.Fatal(err)
				}
			}
			if w != want {
				b.Fatalf("%+v, want %+v", w, want)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want.msgs), "ns/msg")
		}
	}
	buf := make([]byte, 0, 256<<10)
	br := bufio.NewReaderSize(nil, 4096)
	registerFraming(name,
		framingContender{"sluice", run(func() (grpcWork, error) { return grpcSluice(in) })},
		framingContender{"sluice-copy", run(func() (grpcWork, error) { return grpcSluiceCopy(in, buf) })},
		framingContender{"bufio", run(func() (grpcWork, error) { return grpcBufioRead(in, br, buf) })},
	)
}
