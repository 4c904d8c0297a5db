package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sluicego/sluice/framing/pgwire"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// pgMsg is a message as both libraries see it: the protocol's name of its
// kind and its wire bytes re-encoded from the decoded fields (by
// pgwire.AppendMessage, by the pgproto3 message's Encode). A
// StartupMessage's parameters, and an ErrorResponse's or NoticeResponse's
// fields, are compared as sets, since pgproto3 keeps them in a map or a
// struct of its own order. The values of a DataRow, a Bind or a
// FunctionCallResponse are also compared as each library hands them over,
// a []byte each (pgwire's Message.ValueBytes, pgproto3's slices): NULL must
// be nil in both, an empty value empty and not nil.
type pgMsg struct {
	kind  string
	wire  string
	props map[string]string
	vals  string
}

func (m pgMsg) equal(o pgMsg) bool {
	if m.props != nil || o.props != nil {
		return m.kind == o.kind && maps.Equal(m.props, o.props)
	}
	return m.kind == o.kind && m.wire == o.wire && m.vals == o.vals
}

// valuesKey renders values as []byte slices: "N" for nil, else the length
// and the bytes.
func valuesKey(vs [][]byte) string {
	var b strings.Builder
	for _, v := range vs {
		if v == nil {
			b.WriteString("N;")
		} else {
			fmt.Fprintf(&b, "%d:%s;", len(v), v)
		}
	}
	return b.String()
}

// pgproto3Kind maps a pgproto3 message type to the protocol's name.
func pgproto3Kind(m any) string {
	name := reflect.TypeOf(m).Elem().Name()
	switch {
	case strings.HasPrefix(name, "Authentication"):
		return "Authentication"
	case name == "SASLInitialResponse", name == "SASLResponse", name == "PasswordMessage", name == "GSSResponse":
		return "PasswordMessage"
	case name == "GSSEncRequest":
		return "GSSENCRequest"
	case name == "CopyFail":
		return "CopyFail"
	}
	return name
}

func propsOf(kind string, fields []pgwire.Field) map[string]string {
	p := map[string]string{}
	for _, f := range fields {
		if kind == "StartupMessage" {
			p[f.Name.String()] = f.Value.String()
		} else {
			p[string(f.Code)] = f.Value.String()
		}
	}
	return p
}

// pgSluiceMsgs reads every message of src with the decoder.
func pgSluiceMsgs(src io.Reader, dir pgwire.Direction, answers int) ([]pgMsg, error) {
	d := pgwire.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{}), dir, pgwire.Options{MaxMessageSize: 8 << 20})
	defer d.Close()
	for range answers {
		d.ExpectAnswer()
	}
	var out []pgMsg
	for m := range d.All(context.Background()) {
		if m.Kind == pgwire.KindAnswer {
			continue // pgproto3 leaves the answer byte to pgconn
		}
		b, err := pgwire.AppendMessage(nil, m)
		if err != nil {
			return out, err
		}
		pm := pgMsg{kind: m.Kind.String(), wire: string(b)}
		switch m.Kind {
		case pgwire.KindStartup, pgwire.KindErrorResponse, pgwire.KindNoticeResponse:
			pm.props = propsOf(pm.kind, m.Fields)
		case pgwire.KindDataRow, pgwire.KindBind, pgwire.KindFunctionCallResponse:
			vs := make([][]byte, m.NumValues())
			for i := range vs {
				vs[i] = m.ValueBytes(i)
			}
			pm.vals = valuesKey(vs)
		}
		out = append(out, pm)
	}
	return out, d.Err()
}

type encoder interface{ Encode([]byte) ([]byte, error) }

// pgproto3Msg converts a message pgproto3 decoded.
func pgproto3Msg(m encoder) (pgMsg, error) {
	b, err := m.Encode(nil)
	pm := pgMsg{kind: pgproto3Kind(m), wire: string(b)}
	switch v := m.(type) {
	case *pgproto3.StartupMessage:
		pm.props = maps.Clone(v.Parameters)
	case *pgproto3.ErrorResponse:
		pm.props = errorProps(v)
	case *pgproto3.NoticeResponse:
		pm.props = errorProps((*pgproto3.ErrorResponse)(v))
	case *pgproto3.DataRow:
		pm.vals = valuesKey(v.Values)
	case *pgproto3.Bind:
		pm.vals = valuesKey(v.Parameters)
	case *pgproto3.FunctionCallResponse:
		pm.vals = valuesKey([][]byte{v.Result})
	}
	return pm, err
}

func errorProps(e *pgproto3.ErrorResponse) map[string]string {
	b, _ := e.Encode(nil)
	p := map[string]string{}
	for _, f := range strings.Split(string(b[5:len(b)-1]), "\x00") {
		if f != "" {
			p[f[:1]] = f[1:]
		}
	}
	return p
}

// pgproto3Backend reads a frontend stream with pgproto3.Backend: the
// startup packets, then typed messages; a PasswordMessage is read as a
// SASLInitialResponse first and SASLResponse after it (the captures
// authenticate with SCRAM-SHA-256).
func pgproto3Backend(src io.Reader) ([]pgMsg, error) {
	b := pgproto3.NewBackend(src, io.Discard)
	var out []pgMsg
	for {
		m, err := b.ReceiveStartupMessage()
		if err != nil {
			return out, err
		}
		pm, err := pgproto3Msg(m)
		if err != nil {
			return out, err
		}
		out = append(out, pm)
		if _, ok := m.(*pgproto3.StartupMessage); ok {
			break
		}
		if _, ok := m.(*pgproto3.CancelRequest); ok {
			return out, nil
		}
	}
	passwords := 0
	for {
		if passwords == 0 {
			_ = b.SetAuthType(pgproto3.AuthTypeSASL)
		} else {
			_ = b.SetAuthType(pgproto3.AuthTypeSASLContinue)
		}
		m, err := b.Receive()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return out, nil // the end of the input, between messages or not (see pgProto3)
		}
		if err != nil {
			return out, err
		}
		switch m.(type) {
		case *pgproto3.SASLInitialResponse, *pgproto3.SASLResponse:
			passwords++
		}
		pm, err := pgproto3Msg(m)
		if err != nil {
			return out, err
		}
		out = append(out, pm)
	}
}

// pgproto3Frontend reads a backend stream with pgproto3.Frontend, after
// the answer bytes, which pgconn reads itself.
func pgproto3Frontend(src io.Reader, answers int) ([]pgMsg, error) {
	if answers > 0 {
		if _, err := io.ReadFull(src, make([]byte, answers)); err != nil {
			return nil, err
		}
	}
	f := pgproto3.NewFrontend(src, io.Discard)
	var out []pgMsg
	for {
		m, err := f.Receive()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return out, nil // the end of the input, between messages or not (see pgProto3)
		}
		if err != nil {
			return out, err
		}
		pm, err := pgproto3Msg(m)
		if err != nil {
			return out, err
		}
		out = append(out, pm)
	}
}

// randomReads reads data in reads of 1 byte to 4 KiB.
type randomReads struct {
	data []byte
	rng  *rand.Rand
}

func (r *randomReads) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := 1 + r.rng.IntN(4096)
	if r.rng.IntN(4) == 0 {
		k = 1 + r.rng.IntN(16)
	}
	n := copy(p[:min(len(p), k)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestPgwireAgreesWithPgproto3 reads the frontend and backend streams
// psql and pgbench exchanged with postgres (framing/pgwire's captures)
// and the benchmark's DataRow-heavy results with pgproto3 and with the
// decoder under random chunkings: the same kinds, the same fields.
func TestPgwireAgreesWithPgproto3(t *testing.T) {
	ups, _ := filepath.Glob("../framing/pgwire/testdata/captures/*-up.bin")
	if len(ups) == 0 {
		t.Fatal("no captures in ../framing/pgwire/testdata/captures")
	}
	check := func(name string, in []byte, dir pgwire.Direction, answers int, want []pgMsg) {
		t.Helper()
		for round := range 10 {
			got, err := pgSluiceMsgs(&randomReads{in, rand.New(rand.NewPCG(uint64(round), 9))}, dir, answers)
			if err != nil {
				t.Fatalf("%s round %d: %v", name, round, err)
			}
			if !slices.EqualFunc(got, want, pgMsg.equal) {
				for i := range min(len(got), len(want)) {
					if !got[i].equal(want[i]) {
						t.Fatalf("%s round %d message %d: %q, pgproto3 %q", name, round, i, got[i], want[i])
					}
				}
				t.Fatalf("%s round %d: %d messages, pgproto3 %d", name, round, len(got), len(want))
			}
		}
	}
	total := 0
	for _, up := range ups {
		upB, err := os.ReadFile(up)
		if err != nil {
			t.Fatal(err)
		}
		downB, err := os.ReadFile(strings.TrimSuffix(up, "-up.bin") + "-down.bin")
		if err != nil {
			t.Fatal(err)
		}
		wantUp, err := pgproto3Backend(bytes.NewReader(upB))
		if err != nil {
			t.Fatalf("%s: pgproto3: %v", up, err)
		}
		answers := 0
		for _, m := range wantUp {
			if m.kind == "SSLRequest" || m.kind == "GSSENCRequest" {
				answers++
			}
		}
		wantDown, err := pgproto3Frontend(bytes.NewReader(downB), answers)
		if err != nil {
			t.Fatalf("%s down: pgproto3: %v", up, err)
		}
		check(up, upB, pgwire.Frontend, 0, wantUp)
		check(up+" down", downB, pgwire.Backend, answers, wantDown)
		total += len(wantUp) + len(wantDown)
	}
	bench := pgResults(2, 3000, 3)
	want, err := pgproto3Frontend(bytes.NewReader(bench), 0)
	if err != nil {
		t.Fatal(err)
	}
	check("DataRow-heavy", bench, pgwire.Backend, 0, want)
	t.Logf("%d captured messages and %d of the benchmark's agree", total, len(want))
}

// TestPgwireRefusesWhatPgproto3Accepts: a ReadyForQuery with an unknown
// status and a Describe of neither a statement nor a portal are read by
// pgproto3 without complaint; the decoder refuses them with typed errors. And a
// length of a gigabyte, which pgproto3's Frontend allows by default, is a
// size error after the five bytes of the header.
func TestPgwireRefusesWhatPgproto3Accepts(t *testing.T) {
	for name, c := range map[string]struct {
		in   []byte
		dir  pgwire.Direction
		want error
	}{
		"ready status":    {[]byte("Z\x00\x00\x00\x05X"), pgwire.Backend, pgwire.ErrStatus},
		"describe target": {[]byte("D\x00\x00\x00\x06X\x00"), pgwire.Frontend, pgwire.ErrStatus},
	} {
		var err error
		if c.dir == pgwire.Backend {
			_, err = pgproto3Frontend(bytes.NewReader(c.in), 0)
		} else {
			_, err = pgproto3.NewBackend(bytes.NewReader(c.in), io.Discard).Receive()
		}
		if err != nil {
			t.Fatalf("%s: pgproto3 refuses it too: %v", name, err)
		}
		d := pgwire.NewDecoder(pipe.FromBytes(c.in), c.dir, pgwire.Options{Typed: true})
		_, err = d.Next(context.Background())
		d.Close()
		if !errors.Is(err, c.want) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	huge := append([]byte("D\x40\x00\x00\x00"), make([]byte, 64)...)
	src := &countingReader{r: bytes.NewReader(huge)}
	if _, err := pgSluiceMsgs(src, pgwire.Backend, 0); !errors.Is(err, parse.ErrTooLarge) || src.n > 4096 {
		t.Fatalf("a gigabyte DataRow: %v after %d bytes", err, src.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
