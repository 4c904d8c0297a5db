package bench

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/encoding/gzip" // registers the "gzip" compressor
	"google.golang.org/grpc/mem"

	sgrpc "github.com/sluicego/sluice/framing/grpc"
	"github.com/sluicego/sluice/pipe"
)

// grpcMsg is a message as both readers see it.
type grpcMsg struct {
	compressed bool
	payload    string
}

// grpcMessagesSluice reads every message of src with the decoder, parts
// gathered.
func grpcMessagesSluice(src io.Reader, o sgrpc.Options) ([]grpcMsg, error) {
	d := sgrpc.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), o)
	defer d.Close()
	var out []grpcMsg
	var buf []byte
	for m := range d.All(context.Background()) {
		if m.First {
			buf = buf[:0]
		}
		buf = m.Data.AppendTo(buf)
		if m.End() {
			out = append(out, grpcMsg{m.Prefix.Compressed, string(buf)})
		}
	}
	return out, d.Err()
}

// grpcMessagesBufio reads every message of src as grpc-go's parser does.
func grpcMessagesBufio(src io.Reader, max uint32) ([]grpcMsg, error) {
	var out []grpcMsg
	_, err := grpcBufio(bufio.NewReader(src), nil, max, func(c bool, p []byte) { out = append(out, grpcMsg{c, string(p)}) })
	return out, err
}

// TestGRPCAgreesWithBufio reads the benchmark's streams, and corrupted
// and cut copies of them, with the decoder under random chunkings and
// part sizes and with the bufio reader: the same messages, and an error
// from both or from neither.
func TestGRPCAgreesWithBufio(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	base := grpcStream(600, 2, false)
	for round := range 60 {
		in := base
		if round%3 > 0 {
			in = bytes.Clone(base)
			i := rng.IntN(len(in))
			if round%3 == 1 {
				in[i] ^= byte(1 << rng.IntN(8))
			} else {
				in = in[:i]
			}
		}
		want, werr := grpcMessagesBufio(bytes.NewReader(in), sgrpc.DefaultMaxMessageSize)
		o := sgrpc.Options{MaxPart: 1 << (6 + round%12)}
		got, gerr := grpcMessagesSluice(&wsPieces{in, rand.New(rand.NewPCG(uint64(round), 5))}, o)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d messages (%v), bufio %d (%v)", round, len(got), gerr, len(want), werr)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("round %d message %d differs", round, i)
			}
		}
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("round %d: error %v, bufio %v", round, gerr, werr)
		}
	}
}

// rawCodec sends []byte messages as they are, so that a gRPC call needs
// no generated code.
type rawCodec struct{}

func (rawCodec) Name() string { return "raw" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	b := *(v.(*[]byte))
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	*(v.(*[]byte)) = data.Materialize()
	return nil
}

// recordingListener records every accepted connection's bytes: in what
// the server read (the client's), out what it wrote.
type recordingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*recordingConn
}

type recordingConn struct {
	net.Conn
	mu      sync.Mutex
	in, out bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.in.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &recordingConn{Conn: c}
	l.mu.Lock()
	l.conns = append(l.conns, rc)
	l.mu.Unlock()
	return rc, nil
}

// dataByStream returns the payloads of the DATA frames of an HTTP/2
// connection's bytes (after the client preface, if any), joined per
// stream, read with x/net/http2's Framer.
func dataByStream(t *testing.T, b []byte) map[uint32][]byte {
	t.Helper()
	b = bytes.TrimPrefix(b, []byte(http2.ClientPreface))
	fr := http2.NewFramer(nil, bytes.NewReader(b))
	fr.SetMaxReadFrameSize(1 << 24)
	out := map[uint32][]byte{}
	for {
		f, err := fr.ReadFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("http2: %v", err)
		}
		if d, ok := f.(*http2.DataFrame); ok {
			out[d.StreamID] = append(out[d.StreamID], d.Data()...)
		}
	}
}

// grpcSizes are the payload sizes the recorded calls send: empty, small,
// at the 16 KiB DATA frame boundary, over a part, over three parts.
var grpcSizes = []int{0, 1, 10, 300, 4096, 16379, 16380, 40000, 70000, 100000}

func grpcPayload(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j*7 + j>>9)
	}
	return b
}

// TestGRPCGoCalls records two bidirectional streaming calls between a
// grpc-go server and client over loopback, one plain and one with gzip,
// takes the DATA frame payloads of each call from the recorded HTTP/2
// bytes with x/net/http2's Framer, and frames them with the decoder in
// random chunkings: the messages grpc-go sent and received, in order,
// with the compressed flag of each call. SLUICE_GRPC_CAPTURE names a
// directory to save the payloads in (framing/grpc/testdata/captures), and
// the whole connection, preface, SETTINGS and HPACK headers included
// (grpc-go-conn-up.bin and -down.bin, gzipped when over 64 KiB).
func TestGRPCGoCalls(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &recordingListener{Listener: ln}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(rawCodec{}), grpc.MaxRecvMsgSize(8<<20),
		grpc.UnknownServiceHandler(func(_ any, st grpc.ServerStream) error {
			for {
				var m []byte
				if err := st.RecvMsg(&m); err == io.EOF {
					return nil
				} else if err != nil {
					return err
				}
				reply := append([]byte("re:"), m...)
				if err := st.SendMsg(&reply); err != nil {
					return err
				}
			}
		}))
	go srv.Serve(rl)
	defer srv.Stop()
	cc, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{}), grpc.MaxCallRecvMsgSize(8<<20)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	calls := []struct {
		name string
		opts []grpc.CallOption
	}{{"plain", nil}, {"gzip", []grpc.CallOption{grpc.UseCompressor("gzip")}}}
	for _, c := range calls {
		st, err := cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, "/sluice.Echo/"+c.name, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range grpcSizes {
			m := grpcPayload(i, n)
			if err := st.SendMsg(&m); err != nil {
				t.Fatal(err)
			}
			var r []byte
			if err := st.RecvMsg(&r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r, append([]byte("re:"), m...)) {
				t.Fatalf("%s: reply %d differs", c.name, i)
			}
		}
		st.CloseSend()
		var r []byte
		if err := st.RecvMsg(&r); err != io.EOF {
			t.Fatalf("%s: end of call: %v", c.name, err)
		}
	}
	cc.Close()
	srv.GracefulStop()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if len(rl.conns) != 1 {
		t.Fatalf("%d connections", len(rl.conns))
	}
	rc := rl.conns[0]
	if d := os.Getenv("SLUICE_GRPC_CAPTURE"); d != "" {
		writeCapture(t, filepath.Join(d, "grpc-go-conn-up.bin"), rc.in.Bytes())
		writeCapture(t, filepath.Join(d, "grpc-go-conn-down.bin"), rc.out.Bytes())
	}
	up, down := dataByStream(t, rc.in.Bytes()), dataByStream(t, rc.out.Bytes())
	// Client streams are 1, 3: the calls in order.
	for k, c := range calls {
		id := uint32(1 + 2*k)
		for _, dir := range []struct {
			name  string
			data  []byte
			reply bool
		}{{"up", up[id], false}, {"down", down[id], true}} {
			if d := os.Getenv("SLUICE_GRPC_CAPTURE"); d != "" {
				os.WriteFile(filepath.Join(d, "grpc-go-"+c.name+"-"+dir.name+".bin"), dir.data, 0o644)
			}
			for round := range 8 {
				got, err := grpcMessagesSluice(&wsPieces{dir.data, rand.New(rand.NewPCG(uint64(round), 9))},
					sgrpc.Options{MaxMessageSize: 8 << 20, MaxPart: 1 << (8 + round)})
				if err != nil {
					t.Fatalf("%s %s: %v", c.name, dir.name, err)
				}
				if len(got) != len(grpcSizes) {
					t.Fatalf("%s %s: %d messages, grpc-go sent %d", c.name, dir.name, len(got), len(grpcSizes))
				}
				compressed := 0
				for i, m := range got {
					p := []byte(m.payload)
					if m.compressed {
						compressed++
						if p, err = gunzip(p); err != nil {
							t.Fatalf("%s %s message %d: %v", c.name, dir.name, i, err)
						}
					}
					want := grpcPayload(i, grpcSizes[i])
					if dir.reply {
						want = append([]byte("re:"), want...)
					}
					if !bytes.Equal(p, want) {
						t.Fatalf("%s %s message %d differs", c.name, dir.name, i)
					}
				}
				// grpc-go compresses every message of a gzip call but an
				// empty one.
				if c.name == "plain" && compressed != 0 || c.name == "gzip" && compressed < len(got)-1 {
					t.Fatalf("%s %s: %d messages compressed", c.name, dir.name, compressed)
				}
			}
			// A 64 KiB limit refuses the 70000-byte message on its
			// prefix.
			_, err := grpcMessagesSluice(bytes.NewReader(dir.data), sgrpc.Options{MaxMessageSize: 64 << 10})
			if c.name == "plain" && !errors.Is(err, sgrpc.ErrMessageTooLarge) {
				t.Fatalf("%s %s: a 64 KiB limit: %v", c.name, dir.name, err)
			}
		}
	}
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// writeCapture writes b to name, or gzipped to name+".gz" when it is over
// 64 KiB.
func writeCapture(t *testing.T, name string, b []byte) {
	t.Helper()
	if len(b) > 64<<10 {
		var z bytes.Buffer
		zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(b)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		name, b = name+".gz", z.Bytes()
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
