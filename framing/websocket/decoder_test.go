package websocket

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// The examples of RFC 6455 section 5.7, byte for byte.
var (
	rfcUnmaskedHello = hexBytes("81 05 48 65 6c 6c 6f")
	rfcMaskedHello   = hexBytes("81 85 37 fa 21 3d 7f 9f 4d 51 58")
	rfcFragmented    = hexBytes("01 03 48 65 6c 80 02 6c 6f")
	rfcPing          = hexBytes("89 05 48 65 6c 6c 6f")
	rfcMaskedPong    = hexBytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58")
	rfc256           = append(hexBytes("82 7e 01 00"), make([]byte, 256)...)
	rfc64K           = append(hexBytes("82 7f 00 00 00 00 00 01 00 00"), make([]byte, 65536)...)
)

type wantCase struct {
	name  string
	input []byte
	role  Role
	opts  Options
	want  []string
	err   func(error) bool
}

func checkCases(t *testing.T, cases []wantCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sc := range segtest.Segmentations(tc.input) {
				got, err := readAll(sc.Seq, tc.role, tc.opts)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("%s: frames\n%s\nwant\n%s\n(error %v)", sc.Name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"), err)
				}
				if tc.err == nil && err != nil || tc.err != nil && !tc.err(err) {
					t.Fatalf("%s: error %v", sc.Name, err)
				}
			}
		})
	}
}

func TestRFCExamples(t *testing.T) {
	zeros := func(n int) string { return `"` + strings.Repeat(`\x00`, n) + `"` }
	checkCases(t, []wantCase{
		{name: "unmasked text", input: rfcUnmaskedHello, role: Client, want: []string{`text fin len=5: "Hello"`}},
		{name: "masked text", input: rfcMaskedHello, role: Server, want: []string{`text fin key=37fa213d len=5: "Hello"`}},
		{name: "fragmented", input: rfcFragmented, role: Client,
			want: []string{`text len=3: "Hel"`, `continuation fin len=2 of=text: "lo"`}},
		{name: "ping", input: rfcPing, role: Client, want: []string{`ping fin len=5: "Hello"`}},
		{name: "masked pong", input: rfcMaskedPong, role: Server, want: []string{`pong fin key=37fa213d len=5: "Hello"`}},
		{name: "256 bytes", input: rfc256, role: Client, want: []string{`binary fin len=256: ` + zeros(256)}},
		{name: "64 KiB in parts", input: rfc64K, role: Client, opts: Options{MaxPart: 1 << 15},
			want: []string{`binary fin len=65536: ` + zeros(1<<15) + ` (32768 left)`, `+32768: ` + zeros(1<<15)}},
	})
}

func TestFrames(t *testing.T) {
	ping := hexBytes("89 00")
	checkCases(t, []wantCase{
		{name: "ping inside a fragmented message", input: slices.Concat(hexBytes("02 01 61"), ping, hexBytes("00 01 62 80 01 63")),
			role: Client, want: []string{`binary len=1: "a"`, `ping fin len=0: ""`, `continuation len=1 of=binary: "b"`,
				`continuation fin len=1 of=binary: "c"`}},
		{name: "parts of a masked frame", input: AppendFrame(nil, Header{Fin: true, Op: OpText, Masked: true, Key: [4]byte{1, 2, 3, 4}}, []byte(strings.Repeat("abcdefghij", 30))),
			role: Server, opts: Options{MaxPart: 130}, want: []string{
				`text fin key=01020304 len=300: "` + strings.Repeat("abcdefghij", 13) + `" (170 left)`,
				`+130: "` + strings.Repeat("abcdefghij", 13) + `" (40 left)`,
				`+260: "` + strings.Repeat("abcdefghij", 4) + `"`}},
		{name: "close with reason", input: AppendFrame(nil, Header{Fin: true, Op: OpClose, Masked: true, Key: [4]byte{9, 8, 7, 6}}, AppendClosePayload(nil, CloseGoingAway, "bye ✓")),
			role: Server, want: []string{`close fin key=09080706 len=9 code=1001 reason="bye ✓": "\x03\xe9bye ✓"`}},
		{name: "close without payload", input: hexBytes("88 00"), role: Client, want: []string{`close fin len=0 code=1005 reason="": ""`}},
		{name: "rsv1 claimed", input: hexBytes("41 01 61 80 01 62"), role: Client, opts: Options{RSV: RSV1},
			want: []string{`text rsv=4 len=1: "a"`, `continuation fin len=1 of=text: "b"`}},
		{name: "empty frames", input: hexBytes("01 00 00 00 80 00"), role: Client,
			want: []string{`text len=0: ""`, `continuation len=0 of=text: ""`, `continuation fin len=0 of=text: ""`}},
		{name: "truncated header", input: hexBytes("81"), role: Client, err: truncated},
		{name: "truncated payload", input: hexBytes("81 05 61 62"), role: Client, err: truncated},
		{name: "truncated key", input: hexBytes("81 85 01 02"), role: Server, err: truncated},
	})
}

func truncated(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) && CloseCodeOf(err) == 0 }

func TestViolations(t *testing.T) {
	long := func(n int) []byte { return AppendHeader(nil, Header{Fin: true, Op: OpBinary, Length: uint64(n)}) }
	cases := []struct {
		name  string
		input []byte
		role  Role
		opts  Options
		off   int64
		err   *Error
		code  CloseCode
	}{
		{"reserved opcode 3", hexBytes("83 00"), Client, Options{}, 0, ErrReservedOpcode, 1002},
		{"reserved control opcode 11", hexBytes("8b 00"), Client, Options{}, 0, ErrReservedOpcode, 1002},
		{"unclaimed rsv1", hexBytes("c1 00"), Client, Options{}, 0, ErrRSV, 1002},
		{"unclaimed rsv2", hexBytes("a1 00"), Client, Options{RSV: RSV1}, 0, ErrRSV, 1002},
		{"unclaimed rsv3", hexBytes("91 00"), Client, Options{}, 0, ErrRSV, 1002},
		{"unmasked to a server", rfcUnmaskedHello, Server, Options{}, 0, ErrUnmasked, 1002},
		{"masked to a client", rfcMaskedHello, Client, Options{}, 0, ErrMasked, 1002},
		{"16-bit length of 125", hexBytes("82 7e 00 7d"), Client, Options{}, 1, ErrLength, 1002},
		{"64-bit length of 5", hexBytes("82 7f 00 00 00 00 00 00 00 05"), Client, Options{}, 1, ErrLength, 1002},
		{"64-bit length of 65535", hexBytes("82 7f 00 00 00 00 00 00 ff ff"), Client, Options{}, 1, ErrLength, 1002},
		{"64-bit length 2^63", hexBytes("82 ff 80 00 00 00 00 00 00 00 01 02 03 04"), Server, Options{MaxMessageSize: -1}, 1, ErrLength, 1002},
		{"64-bit length 2^62 over the limit", hexBytes("82 7f 40 00 00 00 00 00 00 00"), Client, Options{}, 0, ErrFrameTooLarge, 1009},
		{"control frame of 126", hexBytes("89 7e 00 7e"), Client, Options{}, 0, ErrControlLength, 1002},
		{"fragmented ping", hexBytes("09 00"), Client, Options{}, 0, ErrControlFragmented, 1002},
		{"continuation first", hexBytes("80 00"), Client, Options{}, 0, ErrContinuation, 1002},
		{"continuation after a whole message", hexBytes("81 00 00 00"), Client, Options{}, 2, ErrContinuation, 1002},
		{"text inside a fragmented message", hexBytes("01 00 89 00 81 00"), Client, Options{}, 4, ErrExpectedContinuation, 1002},
		{"close of one byte", hexBytes("88 01 03"), Client, Options{}, 2, ErrClosePayload, 1002},
		{"close code 1005", hexBytes("88 02 03 ed"), Client, Options{}, 2, ErrCloseCode, 1002},
		{"close code 999", hexBytes("88 02 03 e7"), Client, Options{}, 2, ErrCloseCode, 1002},
		{"close code 5000", hexBytes("88 02 13 88"), Client, Options{}, 2, ErrCloseCode, 1002},
		{"close reason not UTF-8", hexBytes("88 04 03 e8 c3 28"), Client, Options{}, 2, ErrCloseReason, 1007},
		{"frame over MaxFrameSize", long(1001), Client, Options{MaxFrameSize: 1000}, 0, ErrFrameTooLarge, 1009},
		{"message over MaxMessageSize", slices.Concat(hexBytes("02 7e 01 f4"), make([]byte, 500), hexBytes("80 7e 01 f5")),
			Client, Options{MaxMessageSize: 1000}, 504, ErrMessageTooLarge, 1009},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, sc := range segtest.Segmentations(tc.input) {
				_, err := readAll(sc.Seq, tc.role, tc.opts)
				if !violation(err, tc.off, tc.err) {
					t.Fatalf("%s: error %v, want %v at %d", sc.Name, err, tc.err, tc.off)
				}
				if got := CloseCodeOf(err); got != tc.code {
					t.Fatalf("%s: close code %d, want %d", sc.Name, got, tc.code)
				}
			}
		})
	}
}

// TestLimitsBeforePayload checks that a frame over the limit is refused
// once its header has arrived, without waiting for a payload byte.
func TestLimitsBeforePayload(t *testing.T) {
	in := hexBytes("82 7f 00 00 00 01 00 00 00 00") // 4 GiB declared, no payload
	_, err := readAll(segtest.Split(in), Client, Options{})
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("error %v", err)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != CloseTooBig {
		t.Fatalf("error %v: no *Error with code 1009", err)
	}
}

func TestCloseCodeOf(t *testing.T) {
	if CloseCodeOf(nil) != 0 || CloseCodeOf(io.EOF) != 0 {
		t.Fatal("a non-protocol error has a close code")
	}
	if CloseCodeOf(&parse.SizeError{}) != CloseTooBig {
		t.Fatal("a size error is not 1009")
	}
	if CloseCodeOf(&parse.SyntaxError{Msg: "x"}) != CloseProtocolError {
		t.Fatal("a syntax error is not 1002")
	}
}

// agreeHeader checks that the hand-decoded header path and the declared
// grammar agree on b: when the fast path decodes a header, the grammar
// reads the same one, of the same length.
func agreeHeader(t *testing.T, b []byte) {
	t.Helper()
	h, n, ok := fastHeader(b)
	in := parse.NewInput(seqOf(b), true, 0)
	g, err := header(in)
	if ok && (err != nil || g != h || in.Consumed() != n) {
		t.Fatalf("% x: fast path %+v (%d bytes), grammar %+v (%d bytes) %v", b, h, n, g, in.Consumed(), err)
	}
	if !ok && err == nil && len(b) >= g.Size() {
		t.Fatalf("% x: the grammar reads %+v, the fast path refuses it", b, g)
	}
}

func TestFastHeader(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		b := make([]byte, rng.IntN(16))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if len(b) > 1 && rng.IntN(2) == 0 {
			b[1] = b[1]&0x80 | byte(124+rng.IntN(4)) // the length edges
		}
		if len(b) > 3 && rng.IntN(2) == 0 {
			b[2] = 0
		}
		agreeHeader(t, b)
	}
	for _, b := range [][]byte{rfcMaskedHello, rfc256, rfc64K[:10], hexBytes("82 7f 00 00 00 00 00 00 ff ff"), hexBytes("89 7e 00 7e")} {
		agreeHeader(t, b)
	}
}

// TestDecodersCollected: the table of batch forms holds a decoder weakly
// and its message reader holds the form bound to it, so a decoder that
// has read frames in batches and is dropped unclosed is collected.
func TestDecodersCollected(t *testing.T) {
	var in []byte
	for range 20 {
		in = append(in, rfcUnmaskedHello...)
	}
	testutil.Collected(t, 8, func() *Decoder {
		return NewDecoder(pipe.FromBytes(in), Client, Options{})
	}, func(d *Decoder) {
		n := 0
		for range d.All(context.Background()) {
			n++
		}
		if n != 20 || d.Err() != nil {
			t.Fatalf("%d frames, %v; want 20", n, d.Err())
		}
	})
}
