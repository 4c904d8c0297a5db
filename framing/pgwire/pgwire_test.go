package pgwire

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

func s(v string) seq.Sequence { return seq.Of([]byte(v)) }

// withValues returns m with the values vs (Message.SetValues).
func withValues(m Message, vs ...Value) Message {
	if err := m.SetValues(vs...); err != nil {
		panic(err)
	}
	return m
}

// frontendMessages is one of every frontend message, startup phase first.
func frontendMessages() []Message {
	return []Message{
		{Kind: KindGSSENCRequest, Code: GSSENCRequestCode},
		{Kind: KindSSLRequest, Code: SSLRequestCode},
		{Kind: KindStartup, Code: ProtocolVersion, Fields: []Field{{Name: s("user"), Value: s("alice")}, {Name: s("database"), Value: s("")}}},
		{Kind: KindPassword, Data: s("SCRAM-SHA-256\x00\x00\x00\x00\x05n,,n=")},
		{Kind: KindPassword, Data: s("secret\x00")},
		{Kind: KindQuery, Text: s("SELECT 1; SELECT 2")},
		{Kind: KindParse, Name: s("st"), Text: s("SELECT $1::int, $2"), OIDs: s("\x00\x00\x00\x17\x00\x00\x00\x19")},
		withValues(Message{Kind: KindBind, Name: s(""), Text: s("st"), Formats: s("\x00\x01"), ResultFormats: s("\x00\x00\x00\x01")}, Value{Data: s("\x00\x00\x00\x2a")}, Value{Null: true}),
		{Kind: KindDescribe, Byte: 'P', Name: s("")},
		{Kind: KindExecute, Name: s(""), Code: 10},
		{Kind: KindClose, Byte: 'S', Name: s("st")},
		{Kind: KindFlush},
		{Kind: KindSync},
		{Kind: KindCopyData, Data: s("1\tone\n2\ttwo\n")},
		{Kind: KindCopyDone},
		{Kind: KindCopyFail, Text: s("interrupted")},
		{Kind: KindFunctionCall, Data: s("\x00\x00\x04\xd2\x00\x00\x00\x00\x00\x00")},
		{Kind: KindTerminate},
	}
}

// backendMessages is one of every backend message, the answers first.
func backendMessages() []Message {
	return []Message{
		{Kind: KindAnswer, Byte: 'N'},
		{Kind: KindAnswer, Byte: 'N'},
		{Kind: KindAuthentication, Code: AuthSASL, Data: s("SCRAM-SHA-256-PLUS\x00SCRAM-SHA-256\x00\x00")},
		{Kind: KindAuthentication, Code: AuthSASLContinue, Data: s("r=abc,s=c2FsdA==,i=4096")},
		{Kind: KindAuthentication, Code: AuthOK},
		{Kind: KindParameterStatus, Name: s("server_version"), Text: s("15.18")},
		{Kind: KindBackendKeyData, PID: 4242, Key: 0xdeadbeef},
		{Kind: KindReadyForQuery, Byte: 'I'},
		{Kind: KindRowDescription, Columns: []Column{{Name: s("a"), TableOID: 16384, AttrNumber: 1, TypeOID: 23, TypeSize: 4, TypeModifier: -1}, {Name: s("b"), TypeOID: 25, TypeSize: -1, TypeModifier: -1, Format: 1}}},
		withValues(Message{Kind: KindDataRow}, Value{Data: s("1")}, Value{Null: true}),
		withValues(Message{Kind: KindDataRow}, Value{Data: s("")}, Value{Data: s("two\x00")}),
		{Kind: KindDataRow},
		{Kind: KindCommandComplete, Text: s("SELECT 3")},
		{Kind: KindEmptyQueryResponse},
		{Kind: KindErrorResponse, Fields: []Field{{Code: 'S', Value: s("ERROR")}, {Code: 'C', Value: s("22012")}, {Code: 'M', Value: s("division by zero")}}},
		{Kind: KindNoticeResponse, Fields: []Field{{Code: 'S', Value: s("NOTICE")}}},
		{Kind: KindParseComplete},
		{Kind: KindParameterDescription, OIDs: s("\x00\x00\x00\x17")},
		{Kind: KindNoData},
		{Kind: KindBindComplete},
		{Kind: KindPortalSuspended},
		{Kind: KindCloseComplete},
		{Kind: KindCopyInResponse, Byte: 0, Formats: s("\x00\x00\x00\x00")},
		{Kind: KindCopyOutResponse, Byte: 1, Formats: s("\x00\x01")},
		{Kind: KindCopyBothResponse, Byte: 0},
		{Kind: KindCopyData, Data: s("row\n")},
		{Kind: KindCopyDone},
		{Kind: KindNotification, PID: 7, Name: s("chan"), Text: s("payload")},
		withValues(Message{Kind: KindFunctionCallResponse}, Value{Null: true}),
		{Kind: KindNegotiateProtocol, Code: 0, Data: s("\x00\x00\x00\x01_pq_.x\x00")},
		{Kind: KindReadyForQuery, Byte: 'E'},
	}
}

func encodeAll(t testing.TB, msgs []Message) []byte {
	var b []byte
	for i := range msgs {
		var err error
		if b, err = AppendMessage(b, &msgs[i]); err != nil {
			t.Fatalf("encode %s: %v", msgs[i].Kind, err)
		}
	}
	return b
}

var (
	frontendStream = func() []byte { return encodeAll(&testing.T{}, frontendMessages()) }
	backendStream  = func() []byte { return encodeAll(&testing.T{}, backendMessages()) }
)

// TestRoundTrip encodes one of every message, decodes the bytes in every
// segmentation and compares the fields, and encodes the decoded messages
// back to the same bytes.
func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		dir     Direction
		msgs    []Message
		answers int
	}{{Frontend, frontendMessages(), 0}, {Backend, backendMessages(), 2}} {
		t.Run(c.dir.String(), func(t *testing.T) {
			b := encodeAll(t, c.msgs)
			var want []string
			for _, m := range c.msgs {
				want = append(want, render(m))
			}
			for _, sg := range segtest.Segmentations(b) {
				msgs, got, err := readAll(pipe.FromSequence(sg.Seq), c.dir, Options{}, c.answers)
				if err != nil {
					t.Fatalf("%s: %v", sg.Name, err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s: %d messages, want %d", sg.Name, len(got), len(want))
				}
				for i := range got {
					// render of a decoded message shows Type and Body, which
					// the declared ones leave out.
					if !sameFields(got[i], want[i]) {
						t.Fatalf("%s: message %d is\n%s\nwant\n%s", sg.Name, i, got[i], want[i])
					}
				}
				if again := encodeAll(t, msgs); !bytes.Equal(again, b) {
					t.Fatalf("%s: decoded messages encode to other bytes", sg.Name)
				}
			}
			fuzz.CheckChunkings(t, decoder(c.dir, Options{}, c.answers), b, fuzz.Options[string]{MaxMessageSize: DefaultMaxBackend})
		})
	}
}

// sameFields compares two renderings without Type and Body.
func sameFields(got, want string) bool {
	strip := func(r string) string {
		var out []string
		for i, f := range strings.Fields(r) {
			if i == 1 && strings.HasPrefix(f, "'") || strings.HasPrefix(f, "body=") {
				continue
			}
			out = append(out, f)
		}
		return strings.Join(out, " ")
	}
	return strip(got) == strip(want)
}

// TestCaptures frames what psql and pgbench exchanged with postgres
// (recorded by TestLivePostgres with PGWIRE_WRITE_CAPTURES=1) in many
// chunkings, and checks the kinds each session must hold.
func TestCaptures(t *testing.T) {
	kinds := map[Kind]int{}
	for _, c := range testutil.Captures(t) {
		up, upB, downB := c.Name, c.Up, c.Down
		upMsgs, _, err := readAll(pipe.FromBytes(upB), Frontend, Options{}, 0)
		if err != nil {
			t.Fatalf("%s: %v", up, err)
		}
		answers := 0
		for _, m := range upMsgs {
			kinds[m.Kind]++
			if m.Kind == KindSSLRequest || m.Kind == KindGSSENCRequest {
				answers++
			}
		}
		downMsgs, _, err := readAll(pipe.FromBytes(downB), Backend, Options{}, answers)
		if err != nil {
			t.Fatalf("%s down: %v", up, err)
		}
		for _, m := range downMsgs {
			kinds[m.Kind]++
		}
		if !bytes.Equal(encodeAll(t, upMsgs), upB) || !bytes.Equal(encodeAll(t, downMsgs), downB) {
			t.Fatalf("%s: messages do not encode to the captured bytes", up)
		}
		if testing.Short() {
			continue
		}
		for _, c := range []struct {
			dir     Direction
			b       []byte
			answers int
		}{{Frontend, upB, 0}, {Backend, downB, answers}} {
			o := fuzz.Options[string]{MaxMessageSize: DefaultMaxBackend, Name: filepath.Base(up) + " " + c.dir.String()}
			d := decoder(c.dir, Options{}, c.answers)
			fuzz.Check(t, d, c.b, nil, o)
			for _, step := range []int{1, 7, 100, 4096} {
				var cuts []int
				for i := step; i < len(c.b); i += step {
					cuts = append(cuts, i)
				}
				if step == 1 && len(c.b) > 4096 {
					cuts = cuts[:4096]
				}
				fuzz.Check(t, d, c.b, cuts, o)
			}
		}
	}
	for _, k := range []Kind{KindSSLRequest, KindStartup, KindPassword, KindQuery, KindParse, KindBind, KindDescribe,
		KindExecute, KindSync, KindTerminate, KindCopyData, KindAnswer, KindAuthentication,
		KindParameterStatus, KindBackendKeyData, KindReadyForQuery, KindRowDescription, KindDataRow,
		KindCommandComplete, KindErrorResponse, KindParseComplete, KindBindComplete, KindNoData,
		KindCopyInResponse, KindCopyOutResponse} {
		if kinds[k] == 0 {
			t.Errorf("the captures hold no %s", k)
		}
	}
}

// decodeErr decodes b whole in direction dir and returns the error.
func decodeErr(b []byte, dir Direction, o Options, answers int) error {
	_, _, err := readAll(pipe.FromBytes(b), dir, o, answers)
	return err
}

func be32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestMalformed checks the typed error of each malformed input, whole and
// in every chunking.
func TestMalformed(t *testing.T) {
	startup := AppendStartup(nil, "user", "u")
	cases := []struct {
		name    string
		dir     Direction
		typed   bool
		answers int
		in      []byte
		want    error
	}{
		{"length 3", Frontend, true, 0, []byte("Q\x00\x00\x00\x03"), ErrLength},
		{"length 0", Backend, false, 0, []byte("Z\x00\x00\x00\x00"), ErrLength},
		{"startup length 3", Frontend, false, 0, []byte("\x00\x00\x00\x03"), ErrLength},
		{"unknown frontend type", Frontend, true, 0, []byte("Z\x00\x00\x00\x05I"), ErrType},
		{"unknown backend type", Backend, false, 0, []byte("Q\x00\x00\x00\x05x\x00"), ErrType},
		{"protocol 2", Frontend, false, 0, cat(be32(8), be32(2<<16)), ErrRequestCode},
		{"bad answer", Backend, false, 1, []byte("E"), ErrAnswer},
		{"negative count", Backend, false, 0, []byte("D\x00\x00\x00\x06\x80\x00"), ErrCount},
		{"value length -2", Backend, false, 0, []byte("D\x00\x00\x00\x0a\x00\x01\xff\xff\xff\xfe"), ErrValueLength},
		{"status", Backend, false, 0, []byte("Z\x00\x00\x00\x05X"), ErrStatus},
		{"describe target", Frontend, true, 0, []byte("D\x00\x00\x00\x06X\x00"), ErrStatus},
		{"after cancel", Frontend, false, 0, cat(be32(16), be32(CancelRequestCode), be32(1), be32(2), []byte("Q")), ErrAfterEnd},
		{"after S", Backend, false, 1, []byte("S\x16\x03\x01"), ErrAfterEnd},
		{"sync with a body", Frontend, true, 0, []byte("S\x00\x00\x00\x05x"), nil},
		{"query without NUL", Frontend, true, 0, []byte("Q\x00\x00\x00\x06ab"), nil},
		{"ssl request too long", Frontend, false, 0, cat(be32(12), be32(SSLRequestCode), be32(0)), nil},
		{"cancel too short", Frontend, false, 0, cat(be32(12), be32(CancelRequestCode), be32(0)), nil},
		{"startup without end", Frontend, false, 0, cat(be32(13), be32(ProtocolVersion), []byte("user\x00")), nil},
		{"data row short", Backend, false, 0, []byte("D\x00\x00\x00\x0a\x00\x01\x00\x00\x00\x05"), nil},
		{"typed before startup", Frontend, false, 0, []byte("Q\x00\x00\x00\x05\x00"), parse.ErrTooLarge},
		{"typed after startup", Frontend, false, 0, cat(startup, []byte("x\x00\x00\x00\x04")), ErrType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{Typed: c.typed}
			err := decodeErr(c.in, c.dir, o, c.answers)
			var se *parse.SyntaxError
			switch {
			case c.want == parse.ErrTooLarge:
				if !errors.Is(err, parse.ErrTooLarge) {
					t.Fatalf("got %v, want a size error", err)
				}
			case !errors.As(err, &se):
				t.Fatalf("got %v, want a *parse.SyntaxError", err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if c.want != nil && c.want != parse.ErrTooLarge && !strings.HasPrefix(c.want.Error(), "pgwire: ") {
				t.Fatalf("sentinel %q lacks the package prefix", c.want)
			}
			fuzz.CheckChunkings(t, decoder(c.dir, o, c.answers), c.in, fuzz.Options[string]{MaxMessageSize: DefaultMaxBackend})
		})
	}
}

// TestTruncated checks that every proper prefix of a stream that ends
// inside a message is io.ErrUnexpectedEOF, and that a stream ending
// between messages ends cleanly.
func TestTruncated(t *testing.T) {
	for _, c := range []struct {
		dir     Direction
		b       []byte
		answers int
	}{{Frontend, frontendStream(), 0}, {Backend, backendStream(), 2}} {
		msgs, _, _ := readAll(pipe.FromBytes(c.b), c.dir, Options{}, c.answers)
		ends := map[int]bool{0: true}
		n := 0
		for i := range msgs {
			e, _ := AppendMessage(nil, &msgs[i])
			n += len(e)
			ends[n] = true
		}
		for i := range len(c.b) {
			err := decodeErr(c.b[:i], c.dir, Options{}, c.answers)
			if ends[i] != (err == nil) || !ends[i] && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s prefix of %d bytes: %v (a message ends there: %v)", c.dir, i, err, ends[i])
			}
		}
	}
}

// TestLimits checks the limits by direction and that a declared length
// over the limit is refused as soon as it is read.
func TestLimits(t *testing.T) {
	big := AppendDataRow(nil, bytes.Repeat([]byte("x"), 2<<20))
	if err := decodeErr(big, Backend, Options{}, 0); err != nil {
		t.Fatalf("a 2 MiB DataRow under the backend default: %v", err)
	}
	if err := decodeErr(big, Backend, Options{MaxMessageSize: 1 << 20}, 0); !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("a 2 MiB DataRow over a 1 MiB limit: %v", err)
	}
	copyData := AppendTyped(nil, 'd', make([]byte, DefaultMaxFrontend))
	if err := decodeErr(copyData, Frontend, Options{Typed: true}, 0); !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("a CopyData over the frontend default: %v", err)
	}
	if err := decodeErr(copyData, Frontend, Options{Typed: true, MaxMessageSize: 2 << 20}, 0); err != nil {
		t.Fatalf("a CopyData under a raised limit: %v", err)
	}
	long := AppendStartup(nil, "options", strings.Repeat("o", DefaultMaxStartup))
	if err := decodeErr(long, Frontend, Options{}, 0); !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("a startup packet over 10000 bytes: %v", err)
	}
	// Lengths claiming a gigabyte, each direction and the startup phase:
	// refused after the bytes of the length word, nothing more read.
	for _, c := range []struct {
		name string
		dir  Direction
		o    Options
		in   []byte
	}{
		{"backend DataRow", Backend, Options{}, cat([]byte("D"), be32(1<<30), make([]byte, 1<<16))},
		{"frontend CopyData", Frontend, Options{Typed: true}, cat([]byte("d"), be32(0xffffffff), make([]byte, 1<<16))},
		{"startup", Frontend, Options{}, cat(be32(1<<30), be32(ProtocolVersion), make([]byte, 1<<16))},
		{"backend DataRow at MaxLength", Backend, Options{MaxMessageSize: math.MaxInt}, cat([]byte("D"), be32(1<<30+4), make([]byte, 1<<16))},
	} {
		src := &segtest.Bytewise{Data: c.in}
		d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), c.dir, c.o)
		_, err := d.Next(context.Background())
		d.Close()
		if !errors.Is(err, parse.ErrTooLarge) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if src.N > 16 {
			t.Fatalf("%s: refused after reading %d bytes", c.name, src.N)
		}
	}
}

// TestBytewiseLinear feeds a megabyte of rows a byte per read: the
// messages are those of the whole input, in time linear in the input.
func TestBytewiseLinear(t *testing.T) {
	var b []byte
	for i := 0; len(b) < 1<<20; i++ {
		b = AppendDataRow(b, []byte("some text"), nil, bytes.Repeat([]byte("v"), i%4000))
	}
	whole, _, err := readAll(pipe.FromBytes(b), Backend, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	timed := func(data []byte) time.Duration {
		start := time.Now()
		src := &segtest.Bytewise{Data: data}
		n := 0
		d := NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), Backend, Options{})
		for range d.All(context.Background()) {
			n++
		}
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if src.N != len(data) {
			t.Fatalf("read %d of %d bytes", src.N, len(data))
		}
		return time.Since(start)
	}
	full := timed(b)
	quarter := timed(firstMessages(t, b, len(whole)/4))
	if full > 8*quarter+time.Second {
		t.Fatalf("a byte per read: %v for the whole, %v for a quarter of the rows", full, quarter)
	}
}

// firstMessages returns the bytes of the first n DataRows of b.
func firstMessages(t *testing.T, b []byte, n int) []byte {
	off := 0
	for range n {
		off += 1 + int(binary.BigEndian.Uint32(b[off+1:]))
	}
	return b[:off]
}

// TestExpectAnswerOrder checks that answers are read only while
// announced: a typed ParameterStatus 'S' is not taken for an answer.
func TestExpectAnswerOrder(t *testing.T) {
	b := []byte("N")
	m := Message{Kind: KindParameterStatus, Name: s("a"), Text: s("b")}
	b, _ = AppendMessage(b, &m)
	msgs, _, err := readAll(pipe.FromBytes(b), Backend, Options{}, 1)
	if err != nil || len(msgs) != 2 || msgs[0].Kind != KindAnswer || msgs[1].Kind != KindParameterStatus {
		t.Fatalf("%v %v", kinds(msgs), err)
	}
	// Unannounced, the 'N' starts a NoticeResponse whose length word is
	// the next four bytes, "S\x00\x00\x00": 0x53000000, too large.
	if err := decodeErr(b, Backend, Options{}, 0); !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("an 'N' not announced: %v", err)
	}
}

// TestEncodeErrors checks what AppendMessage refuses.
func TestEncodeErrors(t *testing.T) {
	for _, m := range []Message{
		{Kind: KindInvalid}, {Kind: numKinds}, {Kind: KindAnswer, Byte: 'x'}, {Kind: KindReadyForQuery, Byte: 'x'},
		{Kind: KindDescribe, Byte: 'x'}, {Kind: KindParse, OIDs: s("abc")}, {Kind: KindFunctionCallResponse},
		{Kind: KindErrorResponse, Fields: []Field{{Value: s("x")}}}, {Kind: KindStartup, Fields: []Field{{Value: s("x")}}},
	} {
		if b, err := AppendMessage([]byte("keep"), &m); !errors.Is(err, ErrEncode) || string(b) != "keep" {
			t.Errorf("%s: %q %v", m.Kind, b, err)
		}
	}
}

// TestWrite checks Write into a pipe, short and long messages.
func TestWrite(t *testing.T) {
	p := pipe.New(pipe.Options{})
	msgs := backendMessages()[2:]
	msgs = append(msgs, withValues(Message{Kind: KindDataRow}, Value{Data: seq.Of(bytes.Repeat([]byte("z"), 100<<10))}))
	go func() {
		for i := range msgs {
			if err := Write(p.Writer(), &msgs[i]); err != nil {
				p.Writer().Complete(err)
				return
			}
		}
		p.Writer().Complete(nil)
	}()
	got, _, err := readAll(p.Reader(), Backend, Options{}, 0)
	if err != nil || len(got) != len(msgs) {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	if !bytes.Equal(encodeAll(t, got), encodeAll(t, msgs)) {
		t.Fatal("messages differ after Write")
	}
}

// TestHelpers checks the accessors of PasswordMessage and
// AuthenticationSASL and the fixed-width iterators.
func TestHelpers(t *testing.T) {
	msgs, _, err := readAll(pipe.FromBytes(frontendStream()), Frontend, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mech, data, ok := msgs[3].SASLInitial()
	if !ok || mech.String() != "SCRAM-SHA-256" || data.Data.String() != "n,,n=" {
		t.Fatalf("SASLInitial %q %q %v", mech.String(), data.Data.String(), ok)
	}
	if _, ok := msgs[3].Password(); ok {
		t.Fatal("a SASLInitialResponse read as a password")
	}
	if pw, ok := msgs[4].Password(); !ok || pw.String() != "secret" {
		t.Fatalf("Password %q %v", pw.String(), ok)
	}
	if _, _, ok := msgs[4].SASLInitial(); ok {
		t.Fatal("a password read as a SASLInitialResponse")
	}
	if oids := slices.Collect(Uint32s(msgs[6].OIDs)); !slices.Equal(oids, []uint32{23, 25}) {
		t.Fatalf("OIDs %v", oids)
	}
	if f := slices.Collect(Int16s(msgs[7].ResultFormats)); !slices.Equal(f, []int16{0, 1}) {
		t.Fatalf("result formats %v", f)
	}
	down, _, err := readAll(pipe.FromBytes(backendStream()), Backend, Options{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	var mechs []string
	for m := range down[2].Mechanisms() {
		mechs = append(mechs, m.String())
	}
	if !slices.Equal(mechs, []string{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}) {
		t.Fatalf("mechanisms %q", mechs)
	}
	for k := range numKinds {
		if k.String() == "" || k > KindAnswer && k != KindInvalid && TypeOf(k) == 0 {
			t.Errorf("kind %d: %q type %q", k, k, TypeOf(k))
		}
	}
}

// TestDataRowAllocs checks that reading DataRows allocates nothing per
// message once the scratch storage has grown.
func TestDataRowAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under -race")
	}
	var b []byte
	for range 1000 {
		b = AppendDataRow(b, []byte("1"), []byte("two"), nil, []byte("four"))
	}
	// Whole, and in segments of 100 bytes, where rows cross segments and
	// ValueBytes copies them into the Message's reused storage.
	for _, size := range []int{0, 100} {
		allocs := testing.AllocsPerRun(5, func() {
			d := NewDecoder(pipe.NewReader(bytes.NewReader(b), pipe.ReaderOptions{BufferSize: size, MinReadSize: size}), Backend, Options{})
			n := 0
			for m := range d.All(context.Background()) {
				for i := range m.NumValues() {
					n += len(m.ValueBytes(i))
				}
			}
			d.Close()
			if err := d.Err(); err != nil || n != 1000*8 {
				t.Fatalf("%d bytes of values, %v", n, err)
			}
		})
		if allocs > 30 {
			t.Fatalf("segments of %d: %.0f allocations for 1000 rows", size, allocs)
		}
	}
}

// TestValueBytes reads rows in every segmentation with ValueBytes: the
// bytes of each column, nil for NULL and only for NULL, and a copy no
// larger than the largest row for rows that cross segments.
func TestValueBytes(t *testing.T) {
	want := [][][]byte{
		{[]byte("1"), nil, {}, []byte("four")},
		{},
		{nil},
		{bytes.Repeat([]byte("long "), 30), []byte("x")},
		{{}, {}},
	}
	var b []byte
	for _, r := range want {
		b = AppendDataRow(b, r...)
	}
	check := func(name string, src pipe.Reader) {
		t.Helper()
		d := NewDecoder(src, Backend, Options{})
		defer d.Close()
		i := 0
		for m := range d.All(context.Background()) {
			got := make([][]byte, m.NumValues())
			for j := range got {
				got[j] = m.ValueBytes(j)
				if again := m.ValueBytes(j); len(got[j]) > 0 && &again[0] != &got[j][0] {
					t.Fatalf("%s: row %d column %d copied twice", name, i, j)
				}
			}
			if i >= len(want) || !slices.EqualFunc(got, want[i], func(x, y []byte) bool { return bytes.Equal(x, y) && (x == nil) == (y == nil) }) {
				t.Fatalf("%s: row %d is %q", name, i, got)
			}
			if c := cap(m.flat); c > 200 {
				t.Fatalf("%s: %d bytes of storage for rows of at most 160", name, c)
			}
			i++
		}
		if err := d.Err(); err != nil || i != len(want) {
			t.Fatalf("%s: %d rows, %v", name, i, err)
		}
	}
	for _, sg := range segtest.Segmentations(b) {
		check(sg.Name, pipe.FromSequence(sg.Seq))
	}
	check("segments of 16 bytes", pipe.NewReader(bytes.NewReader(b), pipe.ReaderOptions{BufferSize: 16, MinReadSize: 16}))

	// An empty value and NULL are answered without allocating.
	d := NewDecoder(pipe.FromBytes(AppendDataRow(nil, []byte("1"), nil, []byte{})), Backend, Options{})
	defer d.Close()
	m, err := d.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		for j := range m.NumValues() {
			sinkBytes = m.ValueBytes(j)
		}
	}); n != 0 {
		t.Fatalf("ValueBytes allocates %v times a row", n)
	}
}

// sinkBytes keeps a result alive, so that a test measures its making: a
// slice that does not escape may be made on the stack and not counted.
var sinkBytes []byte

// TestSetValues checks the values of a message built to be encoded: the
// accessors read them, AppendMessage writes them, and too many are
// refused with m left alone.
func TestSetValues(t *testing.T) {
	m := Message{Kind: KindDataRow}
	if err := m.SetValues(Value{Data: s("a")}, Value{Null: true}, Value{Data: s("")}); err != nil {
		t.Fatal(err)
	}
	if m.NumValues() != 3 || string(m.ValueBytes(0)) != "a" || m.ValueBytes(1) != nil || m.ValueBytes(2) == nil || !m.Value(1).Null {
		t.Fatalf("%s", render(m))
	}
	got, err := AppendMessage(nil, &m)
	if want := AppendDataRow(nil, []byte("a"), nil, []byte{}); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%q %v, want %q", got, err, want)
	}
	if err := m.SetValues(make([]Value, 0x8000)...); !errors.Is(err, ErrEncode) || m.NumValues() != 3 {
		t.Fatalf("32768 values: %v, %d values kept", err, m.NumValues())
	}
	if err := m.SetValues(); err != nil || m.NumValues() != 0 {
		t.Fatalf("no values: %v, %d", err, m.NumValues())
	}
	if got, _ := AppendMessage(nil, &m); !bytes.Equal(got, AppendDataRow(nil)) {
		t.Fatalf("no values: %q", got)
	}
}

// TestFastDataRow checks that the fast path for DataRows and the declared
// grammar read the same rows and report the same errors at the same
// offsets, on valid rows and on every malformed row of TestMalformed.
func TestFastDataRow(t *testing.T) {
	var rows []byte
	for i := range 300 {
		vals := make([][]byte, i%9)
		for j := range vals {
			if (i+j)%4 != 0 {
				vals[j] = bytes.Repeat([]byte{byte('a' + j)}, (i*j)%37)
			}
		}
		rows = AppendDataRow(rows, vals...)
	}
	inputs := [][]byte{rows, backendStream()[2:], cat(rows[:100], []byte("D\x00\x00\x00\x0a\x00\x01\xff\xff\xff\xfe")),
		[]byte("D\x00\x00\x00\x06\x80\x00"), []byte("D\x00\x00\x00\x0a\x00\x01\x00\x00\x00\x05"),
		[]byte("D\x00\x00\x00\x0a\x00\x02\x00\x00\x00\x00"), []byte("D\x00\x00\x00\x08\x00\x00\x00\x00"),
		[]byte("D\x00\x00\x00\x05\x00"), []byte("D\x00\x00\x00\x04")}
	// The malformed rows again after a valid one, so that a segmentation
	// splits them at every byte (splitDataRow), and rows split in reads of
	// a few bytes into small segments.
	for _, in := range inputs[3:] {
		inputs = append(inputs, cat(AppendDataRow(nil, []byte("ab"), nil), in))
	}
	for i, in := range inputs {
		for _, n := range []int{len(in), len(in) / 2, len(in) - 1} {
			agreeFast(t, in[:n], 0)
		}
		if i == 0 {
			in = in[:min(len(in), 200)]
		}
		for _, sg := range segtest.Segmentations(in) {
			agreeFastIn(t, sg.Name, func() pipe.Reader { return pipe.FromSequence(sg.Seq) }, 0)
		}
		for _, k := range []int{1, 3, 7, 50} {
			agreeFastIn(t, fmt.Sprintf("input %d in reads of %d", i, k), func() pipe.Reader {
				pieces := segtest.Pieces(slices.Collect(slices.Chunk(in, k)))
				return pipe.NewReader(&pieces, pipe.ReaderOptions{BufferSize: 16, MinReadSize: 16})
			}, 0)
		}
	}
}
