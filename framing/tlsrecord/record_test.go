package tlsrecord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// flight is a stream of every record type: a ClientHello split over two
// records, a change_cipher_spec, an empty and a full-size application
// data record, an alert.
func flight() []byte {
	hello := AppendHandshakeHeader(nil, HandshakeHeader{Type: ClientHello, Length: 300})
	hello = append(hello, bytes.Repeat([]byte{0xC1}, 300)...)
	var b []byte
	b = AppendRecords(b, TypeHandshake, VersionTLS10, hello, 200)
	b, _ = AppendRecord(b, TypeChangeCipherSpec, VersionTLS12, []byte{1})
	b, _ = AppendRecord(b, TypeApplicationData, VersionTLS12, nil)
	b, _ = AppendRecord(b, TypeApplicationData, VersionTLS12, bytes.Repeat([]byte("ciphertext"), MaxCiphertext/10))
	b, _ = AppendRecord(b, TypeApplicationData, VersionTLS12, []byte("x"))
	return AppendAlert(b, VersionTLS12, Alert{LevelWarning, AlertCloseNotify})
}

func TestSegmentations(t *testing.T) {
	in := flight()
	want, rerr := splitRef(in, Options{})
	if rerr != nil || len(want) != 7 {
		t.Fatalf("reference: %d records, %v", len(want), rerr)
	}
	for _, c := range segtest.Segmentations(in) {
		got, err := readAll(c.Seq, Options{})
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: %d records, %v", c.Name, len(got), err)
		}
	}
	out := fuzz.CheckChunkings(t, decoder(Options{}), in, fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
	if out.Err != nil || len(out.Messages) != 7 {
		t.Fatalf("%d records, %v", len(out.Messages), out.Err)
	}
	// Truncated anywhere: the records before the cut, then a truncation.
	for _, cut := range []int{1, 4, 5, 100, 230, len(in) - 1} {
		o := fuzz.Check(t, decoder(Options{}), in[:cut], []int{cut / 2}, fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
		if !errors.Is(o.Err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", cut, o.Err)
		}
		if _, ok := AlertOf(o.Err); ok {
			t.Fatalf("cut at %d: a truncation names an alert: %v", cut, o.Err)
		}
	}
}

func TestViolations(t *testing.T) {
	for _, c := range []struct {
		in    string
		o     Options
		off   int64
		want  error
		alert AlertDescription
	}{
		{"19 03 03 00 01 00", Options{}, 0, ErrContentType, AlertUnexpectedMessage},
		{"80 2c 01 03 01", Options{}, 0, ErrContentType, AlertUnexpectedMessage}, // an SSLv2-style hello
		{"18 03 03 00 03 01 00 00", Options{}, 0, ErrHeartbeat, AlertUnexpectedMessage},
		{"16 03 00 00 01 01", Options{}, 1, ErrVersion, AlertProtocolVersion},
		{"16 03 04 00 01 01", Options{}, 1, ErrVersion, AlertProtocolVersion},
		{"17 fe fd 00 01 01", Options{}, 1, ErrVersion, AlertProtocolVersion}, // DTLS 1.2
		{"17 03 03 48 01", Options{}, 3, ErrRecordOverflow, AlertRecordOverflow},
		{"17 03 03 ff ff", Options{}, 3, ErrRecordOverflow, AlertRecordOverflow},
		{"17 03 03 40 01", Options{Plaintext: true}, 3, ErrRecordOverflow, AlertRecordOverflow},
		{"16 03 01 00 00", Options{}, 3, ErrEmpty, AlertUnexpectedMessage},
		{"15 03 03 00 00", Options{}, 3, ErrEmpty, AlertUnexpectedMessage},
		{"14 03 03 00 00", Options{}, 3, ErrEmpty, AlertUnexpectedMessage},
		{"17 03 03 00 01 aa 00 03 03 00 00", Options{}, 6, ErrContentType, AlertUnexpectedMessage},
	} {
		in := hexBytes(c.in)
		for _, sc := range segtest.Segmentations(in) {
			_, err := readAll(sc.Seq, c.o)
			if !violation(err, c.off, c.want) {
				t.Fatalf("%s %s: %v, want %v at %d", c.in, sc.Name, err, c.want, c.off)
			}
			var e *Error
			if a, ok := AlertOf(err); !ok || a != c.alert || !errors.As(err, &e) || e != c.want {
				t.Fatalf("%s: alert %v %v", c.in, a, ok)
			}
		}
	}
	// The edges that pass: heartbeat by option, the three versions, the
	// largest lengths, an empty application data record.
	for _, c := range []struct {
		in string
		o  Options
	}{
		{"18 03 03 00 01 01", Options{Heartbeat: true}},
		{"16 03 01 00 01 01 16 03 02 00 01 01 16 03 03 00 01 01", Options{}},
		{"17 03 03 00 00", Options{}},
	} {
		if _, err := readAll(segtest.Split(hexBytes(c.in)), c.o); err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
	}
	for _, o := range []Options{{}, {Plaintext: true}} {
		in, _ := AppendRecord(nil, TypeApplicationData, VersionTLS12, make([]byte, o.max()))
		if got, err := readAll(segtest.Split(in), o); err != nil || len(got) != 1 {
			t.Fatalf("a record of %d bytes: %v", o.max(), err)
		}
	}
}

// TestLimitBeforeFragment: a header over the limit is refused as soon as
// its 5 bytes arrive, without waiting for the fragment it declares.
func TestLimitBeforeFragment(t *testing.T) {
	p := pipe.New(pipe.Options{})
	r := parse.NewReader(p.Reader(), Parser(Options{}), parse.Options{})
	defer r.Close()
	p.Writer().Write(context.Background(), hexBytes("17 03 03 ff ff 00 00"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := r.Next(ctx)
	if !violation(err, 3, ErrRecordOverflow) {
		t.Fatalf("error %v", err)
	}
}

// randomStream returns n random records within o's rules, and sometimes
// a corruption.
func randomStream(rng *rand.Rand, n int, o Options) []byte {
	var b []byte
	types := []ContentType{TypeChangeCipherSpec, TypeAlert, TypeHandshake, TypeApplicationData}
	if o.Heartbeat {
		types = append(types, TypeHeartbeat)
	}
	for range n {
		t := types[rng.IntN(len(types))]
		size := 1 + rng.IntN(300)
		if rng.IntN(20) == 0 {
			size = rng.IntN(o.max() + 1)
		}
		if size == 0 && t != TypeApplicationData && t != TypeHeartbeat {
			size = 1
		}
		frag := make([]byte, size)
		for i := range frag {
			frag[i] = byte(rng.Uint32())
		}
		b, _ = AppendRecord(b, t, VersionTLS10+Version(rng.IntN(3)), frag)
	}
	switch k := rng.IntN(4); {
	case k == 0 && len(b) > 0:
		b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
	case k == 1 && len(b) > 0:
		b = b[:rng.IntN(len(b))]
	}
	return b
}

// TestDifferential compares the declared grammar with the reference
// splitter on random streams, valid, corrupted and cut, in random
// chunkings: the same records, the same violation at the same offset.
func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 400 {
		o := Options{Heartbeat: round%3 == 0, Plaintext: round%5 == 0}
		in := randomStream(rng, 1+rng.IntN(8), o)
		want, rerr := splitRef(in, o)
		var cuts []int
		for c := rng.IntN(50); c < len(in); c += 1 + rng.IntN(700) {
			cuts = append(cuts, c)
		}
		got := fuzz.Check(t, decoder(o), in, cuts, fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
		var recs []plain
		for _, r := range got.Messages {
			recs = append(recs, plainOf(r))
		}
		if !slices.Equal(recs, want) {
			t.Fatalf("round %d: %d records, reference %d", round, len(recs), len(want))
		}
		if d := rerr.Mismatch(got.Err); d != "" {
			t.Fatalf("round %d: %s", round, d)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var want []Record
	for range 50 {
		frag := make([]byte, 1+rng.IntN(2000))
		for i := range frag {
			frag[i] = byte(rng.Uint32())
		}
		t := ContentType(20 + rng.IntN(4))
		want = append(want, Record{Header: Header{Type: t, Version: VersionTLS12, Length: uint16(len(frag))}, Fragment: segtest.Split(frag)})
	}
	enc := func(dst []byte, r Record) []byte {
		dst, _ = AppendRecord(dst, r.Type, r.Version, r.Fragment.Bytes())
		return dst
	}
	fuzz.CheckRoundTrip(t, decoder(Options{}), enc, want, fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})

	if _, err := AppendRecord(nil, TypeApplicationData, VersionTLS12, make([]byte, MaxCiphertext+1)); !errors.Is(err, ErrRecordOverflow) {
		t.Fatalf("an oversized fragment: %v", err)
	}
	// AppendRecords cuts data at max bytes, MaxPlaintext by default.
	data := bytes.Repeat([]byte("d"), 40000)
	got, err := readAll(segtest.Split(AppendRecords(nil, TypeApplicationData, VersionTLS12, data, 0)), Options{Plaintext: true})
	if err != nil || len(got) != 3 || got[0].Length != MaxPlaintext || got[2].Length != 40000-2*MaxPlaintext {
		t.Fatalf("%d records, %v", len(got), err)
	}
}

func TestWriteRecord(t *testing.T) {
	p := pipe.New(pipe.Options{})
	go func() {
		ctx := context.Background()
		WriteRecord(ctx, p.Writer(), TypeHandshake, VersionTLS10, []byte("hello"))
		WriteRecord(ctx, p.Writer(), TypeApplicationData, VersionTLS12, make([]byte, MaxCiphertext))
		if err := WriteRecord(ctx, p.Writer(), TypeApplicationData, VersionTLS12, make([]byte, MaxCiphertext+1)); !errors.Is(err, ErrRecordOverflow) {
			panic(err)
		}
		p.Writer().Complete(nil)
	}()
	r := parse.NewReader(p.Reader(), Parser(Options{}), parse.Options{})
	defer r.Close()
	var got []Header
	for rec := range r.All(context.Background()) {
		got = append(got, rec.Header)
	}
	want := []Header{{TypeHandshake, VersionTLS10, 5}, {TypeApplicationData, VersionTLS12, MaxCiphertext}}
	if r.Err() != nil || !slices.Equal(got, want) {
		t.Fatalf("%v, %v", got, r.Err())
	}
}

func TestAlertAndHandshakeHeader(t *testing.T) {
	in := AppendAlert(nil, VersionTLS12, Alert{LevelFatal, AlertHandshakeFailure})
	in, _ = AppendRecord(in, TypeAlert, VersionTLS12, make([]byte, 26)) // a protected alert
	in, _ = AppendRecord(in, TypeHandshake, VersionTLS12, AppendHandshakeHeader(nil, HandshakeHeader{ServerHello, 0x01020a}))
	in, _ = AppendRecord(in, TypeHandshake, VersionTLS12, []byte{2, 0, 0})
	r := parse.NewReader(pipe.FromBytes(in), Parser(Options{}), parse.Options{})
	defer r.Close()
	var recs []Record
	for rec := range r.All(context.Background()) {
		recs = append(recs, rec)
		switch len(recs) {
		case 1:
			a, err := rec.Alert()
			if err != nil || a != (Alert{LevelFatal, AlertHandshakeFailure}) || a.Description.String() != "handshake_failure" || a.Level.String() != "fatal" {
				t.Fatalf("alert %v %v", a, err)
			}
			if _, err := rec.HandshakeHeader(); !errors.Is(err, ErrNotHandshake) {
				t.Fatalf("handshake header of an alert: %v", err)
			}
		case 2:
			if _, err := rec.Alert(); !errors.Is(err, ErrAlertLength) {
				t.Fatalf("protected alert: %v", err)
			}
		case 3:
			h, err := rec.HandshakeHeader()
			if err != nil || h != (HandshakeHeader{ServerHello, 0x01020a}) {
				t.Fatalf("handshake header %v %v", h, err)
			}
			if _, err := rec.Alert(); !errors.Is(err, ErrContentType) {
				t.Fatalf("alert of a handshake record: %v", err)
			}
		case 4:
			if _, err := rec.HandshakeHeader(); !errors.Is(err, ErrShortHandshake) {
				t.Fatalf("short handshake: %v", err)
			}
		}
	}
	if r.Err() != nil || len(recs) != 4 {
		t.Fatalf("%d records, %v", len(recs), r.Err())
	}
	for _, c := range []struct{ got, want string }{
		{TypeApplicationData.String(), "application_data"}, {ContentType(9).String(), "unknown(9)"},
		{VersionTLS10.String(), "TLS 1.0"}, {Version(0x0304).String(), "0x0304"},
		{AlertDescription(7).String(), "alert(7)"}, {AlertLevel(3).String(), "level(3)"},
	} {
		if c.got != c.want {
			t.Fatalf("%q, want %q", c.got, c.want)
		}
	}
}

// recordsOf frames b whole and returns its records, for the tests of
// Hello.
func recordsOf(t *testing.T, b []byte) []Record {
	t.Helper()
	r := parse.NewReader(pipe.FromBytes(b), Parser(Options{}), parse.Options{})
	var out []Record
	for rec := range r.All(context.Background()) {
		rec.Fragment = segtest.Split(rec.Fragment.Bytes()) // keep it past the next read
		out = append(out, rec)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out
}

func TestHello(t *testing.T) {
	body := make([]byte, 1000)
	for i := range body {
		body[i] = byte(i)
	}
	msg := append(AppendHandshakeHeader(nil, HandshakeHeader{ClientHello, 1000}), body...)
	next := AppendHandshakeHeader(nil, HandshakeHeader{Certificate, 3})
	next = append(next, 7, 7, 7)
	// Cut in every way: the header over two records (1+3 bytes), the
	// body over many, the next message in the last record.
	for _, size := range []int{1, 2, 3, 4, 5, 100, 1003, 1004, 1005, 5000} {
		var h Hello
		recs := recordsOf(t, AppendRecords(nil, TypeHandshake, VersionTLS10, append(slices.Clone(msg), next...), size))
		done := false
		for i := range recs {
			ok, err := h.Add(&recs[i])
			if err != nil {
				t.Fatalf("records of %d: %v", size, err)
			}
			if ok {
				done = true
				break
			}
			if h.Body() != nil {
				t.Fatal("a body before the message is complete")
			}
		}
		hdr, ok := h.Header()
		if !done || !ok || hdr != (HandshakeHeader{ClientHello, 1000}) || !bytes.Equal(h.Body(), body) {
			t.Fatalf("records of %d: done %v, header %v, %d bytes", size, done, hdr, len(h.Body()))
		}
		// Later records are ignored.
		if ok, err := h.Add(&Record{Header: Header{Type: TypeAlert}}); !ok || err != nil {
			t.Fatalf("after completion: %v %v", ok, err)
		}
	}
	// The violations.
	var h Hello
	alert := recordsOf(t, AppendAlert(nil, VersionTLS12, Alert{LevelFatal, AlertDecodeError}))
	if _, err := h.Add(&alert[0]); !errors.Is(err, ErrNotHandshake) {
		t.Fatalf("alert first: %v", err)
	}
	h.Reset()
	fin := recordsOf(t, AppendRecords(nil, TypeHandshake, VersionTLS12, AppendHandshakeHeader(nil, HandshakeHeader{Finished, 12}), 0))
	if _, err := h.Add(&fin[0]); !errors.Is(err, ErrNotHello) {
		t.Fatalf("finished first: %v", err)
	}
	// A declared length over Max is refused on the header, before the
	// body arrives; memory stays at the header.
	h = Hello{Max: 999}
	big := recordsOf(t, AppendRecords(nil, TypeHandshake, VersionTLS12, msg[:4], 0))
	if _, err := h.Add(&big[0]); !errors.Is(err, ErrHelloTooLarge) {
		t.Fatalf("over the maximum: %v", err)
	}
	h = Hello{}
	huge := recordsOf(t, AppendRecords(nil, TypeHandshake, VersionTLS12, AppendHandshakeHeader(nil, HandshakeHeader{ClientHello, 1<<24 - 1}), 0))
	if _, err := h.Add(&huge[0]); !errors.Is(err, ErrHelloTooLarge) || cap(h.buf) > 64 {
		t.Fatalf("16 MiB claim: %v, %d bytes held", err, cap(h.buf))
	}
	if a, _ := AlertOf(fmt.Errorf("wrapped: %w", ErrHelloTooLarge)); a != AlertInternalError {
		t.Fatalf("alert %v", a)
	}
}

// TestHostileBytewise feeds megabytes a byte per read, as full-size
// records and as small ones: time linear in the bytes.
func TestHostileBytewise(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("seconds of work")
	}
	gen := map[string]func(n int) []byte{
		"full records": func(n int) []byte {
			return AppendRecords(nil, TypeApplicationData, VersionTLS12, make([]byte, n), MaxCiphertext)
		},
		"small records": func(n int) []byte {
			return AppendRecords(nil, TypeApplicationData, VersionTLS12, make([]byte, n), 40)
		},
	}
	run := func(in []byte) time.Duration {
		start := time.Now()
		r := parse.NewReader(pipe.NewReader(&segtest.Bytewise{Data: in}, pipe.ReaderOptions{}), Parser(Options{}), parse.Options{})
		defer r.Close()
		n := 0
		for rec := range r.All(context.Background()) {
			n += rec.Fragment.Len()
		}
		if r.Err() != nil {
			t.Fatal(r.Err())
		}
		return time.Since(start)
	}
	for name, g := range gen {
		q, w := run(g(1<<18)), run(g(1<<20))
		t.Logf("%s: 256 KiB %v, 1 MiB %v", name, q, w)
		if w > 10*q+100*time.Millisecond {
			t.Fatalf("%s: 4x the bytes took %v, against %v", name, w, q)
		}
	}
}

// TestHostileClaims: the largest claim a header can make (65535 bytes) is
// refused on the header with the default options; a stream of headers
// claiming the maximum that never send their fragments ends as a
// truncation with nothing but the one record's bytes buffered.
func TestHostileClaims(t *testing.T) {
	src := &segtest.Bytewise{Data: append(hexBytes("17 03 03 ff ff"), make([]byte, 1<<20)...)}
	r := parse.NewReader(pipe.NewReader(src, pipe.ReaderOptions{}), Parser(Options{}), parse.Options{})
	defer r.Close()
	if _, err := r.Next(context.Background()); !violation(err, 3, ErrRecordOverflow) || src.N > 4096 {
		t.Fatalf("error %v after %d bytes", err, src.N)
	}
	in := hexBytes("17 03 03 48 00")
	in = append(in, make([]byte, MaxCiphertext-1)...)
	o := fuzz.Check(t, decoder(Options{}), in, []int{1, 5, 9000}, fuzz.Options[Record]{MaxMessageSize: HeaderSize + MaxCiphertext})
	if !errors.Is(o.Err, io.ErrUnexpectedEOF) || len(o.Messages) != 0 {
		t.Fatalf("%d records, %v", len(o.Messages), o.Err)
	}
}
