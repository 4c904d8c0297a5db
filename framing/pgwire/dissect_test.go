package pgwire

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/internal/dissect"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
)

// pgPort is PostgreSQL's registered port, where tshark's pgsql dissector
// listens; the decode-as argument says so anyway.
const pgPort = 5432

// tsharkNames maps a kind to the type name tshark's pgsql dissector
// prints (pgsql.type): the fe_messages and be_messages tables and the
// untyped packets' names of Wireshark's epan/dissectors/packet-pgsql.c.
// KindPassword's name depends on the authentication request it answers
// (see passwordName); KindAnswer has none (see expect). A kind missing
// here (CopyBothResponse, which the dissector's table lacks: it prints
// "Unknown") compares as an empty name, and fails.
var tsharkNames = map[Kind]string{
	KindStartup:       "Startup message",
	KindSSLRequest:    "SSL request",
	KindGSSENCRequest: "GSS encrypt request",
	KindCancelRequest: "Cancel request",

	KindQuery:        "Simple query",
	KindParse:        "Parse",
	KindBind:         "Bind",
	KindDescribe:     "Describe",
	KindClose:        "Close",
	KindExecute:      "Execute",
	KindSync:         "Sync",
	KindFlush:        "Flush",
	KindTerminate:    "Termination",
	KindCopyFail:     "Copy failure",
	KindFunctionCall: "Function call",
	KindCopyData:     "Copy data",
	KindCopyDone:     "Copy completion",

	KindAuthentication:       "Authentication request",
	KindParameterStatus:      "Parameter status",
	KindBackendKeyData:       "Backend key data",
	KindReadyForQuery:        "Ready for query",
	KindRowDescription:       "Row description",
	KindDataRow:              "Data row",
	KindCommandComplete:      "Command completion",
	KindErrorResponse:        "Error",
	KindNoticeResponse:       "Notice",
	KindParseComplete:        "Parse completion",
	KindBindComplete:         "Bind completion",
	KindCloseComplete:        "Close completion",
	KindNoData:               "No data",
	KindEmptyQueryResponse:   "Empty query",
	KindPortalSuspended:      "Portal suspended",
	KindParameterDescription: "Parameter description",
	KindCopyInResponse:       "CopyIn response",
	KindCopyOutResponse:      "CopyOut response",
	KindNotification:         "Notification",
	KindFunctionCallResponse: "Function call response",
	KindNegotiateProtocol:    "Negotiate protocol version",
}

// passwordName is tshark's name of a 'p' message that answers an
// Authentication request with code: the dissector names it by the state
// the last request left (SASL: the initial response; SASLContinue: a
// response; GSS or SSPI: GSS data; else a password). The protocol
// documentation, "Message Formats", gives the four messages one type byte.
func passwordName(code uint32) string {
	switch code {
	case AuthSASL:
		return "SASLInitialResponse message"
	case AuthSASLContinue:
		return "SASLResponse message"
	case AuthGSS, AuthGSSContinue, AuthSSPI:
		return "GSSResponse message"
	}
	return "Password message"
}

// A tsharkField is a field tshark prints for some messages, with the
// values it prints for a message of ours, in order (none for a message
// without the field): what the dissector reads of each message, in
// packet-pgsql.c's dissect_pgsql_fe_msg and dissect_pgsql_be_msg.
type tsharkField struct {
	name   string
	values func(m *Message, up bool) []string
}

// num returns the decimal form of n, as tshark prints numbers.
func num[N int | int16 | int32 | uint8 | uint16 | uint32](n N) string {
	return strconv.FormatInt(int64(n), 10)
}

// tsharkFields are the fields compared besides the type and the length:
// every cheap one the dissector prints (numbers, names, codes; not
// queries, row data or copy data, whose bytes the lengths already bound).
var tsharkFields = []tsharkField{
	{"pgsql.frontend", func(m *Message, up bool) []string {
		return []string{map[bool]string{true: "1", false: "0"}[up]}
	}},
	{"pgsql.version_major", func(m *Message, up bool) []string {
		if m.Kind == KindStartup {
			return []string{num(m.Code >> 16)}
		}
		return nil
	}},
	{"pgsql.version_minor", func(m *Message, up bool) []string {
		if m.Kind == KindStartup {
			return []string{num(m.Code & 0xffff)}
		}
		return nil
	}},
	{"pgsql.parameter_name", func(m *Message, up bool) []string {
		switch m.Kind {
		case KindStartup:
			var out []string
			for _, f := range m.Fields {
				out = append(out, f.Name.String())
			}
			return out
		case KindParameterStatus:
			return []string{m.Name.String()}
		}
		return nil
	}},
	{"pgsql.parameter_value", func(m *Message, up bool) []string {
		switch m.Kind {
		case KindStartup:
			var out []string
			for _, f := range m.Fields {
				out = append(out, f.Value.String())
			}
			return out
		case KindParameterStatus:
			return []string{m.Text.String()}
		}
		return nil
	}},
	{"pgsql.authtype", func(m *Message, up bool) []string {
		if m.Kind == KindAuthentication {
			return []string{num(m.Code)}
		}
		return nil
	}},
	{"pgsql.auth.sasl.mech", func(m *Message, up bool) []string {
		var out []string
		for mech := range m.Mechanisms() {
			out = append(out, mech.String())
		}
		if mech, _, ok := m.SASLInitial(); ok {
			out = append(out, mech.String())
		}
		return out
	}},
	{"pgsql.auth.sasl.data.length", func(m *Message, up bool) []string {
		if _, data, ok := m.SASLInitial(); ok {
			if data.Null {
				return []string{"-1"}
			}
			return []string{num(data.Data.Len())}
		}
		return nil
	}},
	{"pgsql.pid", func(m *Message, up bool) []string {
		switch m.Kind {
		case KindBackendKeyData, KindCancelRequest, KindNotification:
			return []string{num(m.PID)}
		}
		return nil
	}},
	{"pgsql.key", func(m *Message, up bool) []string {
		switch m.Kind {
		case KindBackendKeyData, KindCancelRequest:
			return []string{num(m.Key)}
		}
		return nil
	}},
	{"pgsql.tag", func(m *Message, up bool) []string {
		if m.Kind == KindCommandComplete {
			return []string{m.Text.String()}
		}
		return nil
	}},
	{"pgsql.status", func(m *Message, up bool) []string {
		if m.Kind == KindReadyForQuery {
			return []string{num(m.Byte)}
		}
		return nil
	}},
	{"pgsql.statement", func(m *Message, up bool) []string {
		switch {
		case m.Kind == KindParse:
			return []string{m.Name.String()}
		case m.Kind == KindBind:
			return []string{m.Text.String()}
		case (m.Kind == KindDescribe || m.Kind == KindClose) && m.Byte == 'S':
			return []string{m.Name.String()}
		}
		return nil
	}},
	{"pgsql.portal", func(m *Message, up bool) []string {
		switch {
		case m.Kind == KindBind, m.Kind == KindExecute:
			return []string{m.Name.String()}
		case (m.Kind == KindDescribe || m.Kind == KindClose) && m.Byte == 'P':
			return []string{m.Name.String()}
		}
		return nil
	}},
	{"pgsql.returns", func(m *Message, up bool) []string {
		if m.Kind == KindExecute {
			return []string{num(m.Code)}
		}
		return nil
	}},
	{"pgsql.field.count", func(m *Message, up bool) []string {
		switch m.Kind {
		case KindRowDescription:
			return []string{num(len(m.Columns))}
		case KindDataRow:
			return []string{num(m.NumValues())}
		}
		return nil
	}},
	{"pgsql.col.name", func(m *Message, up bool) []string {
		var out []string
		for _, c := range m.Columns {
			out = append(out, c.Name.String())
		}
		return out
	}},
	{"pgsql.oid.table", func(m *Message, up bool) []string {
		var out []string
		for _, c := range m.Columns {
			out = append(out, num(c.TableOID))
		}
		return out
	}},
	{"pgsql.col.index", func(m *Message, up bool) []string {
		var out []string
		for _, c := range m.Columns {
			out = append(out, num(c.AttrNumber))
		}
		return out
	}},
	{"pgsql.oid.type", func(m *Message, up bool) []string {
		var out []string
		for o := range Uint32s(m.OIDs) { // Parse, ParameterDescription
			out = append(out, num(o))
		}
		for _, c := range m.Columns {
			out = append(out, num(c.TypeOID))
		}
		return out
	}},
	{"pgsql.col.typemod", func(m *Message, up bool) []string {
		var out []string
		for _, c := range m.Columns {
			out = append(out, num(c.TypeModifier))
		}
		return out
	}},
	{"pgsql.val.length", func(m *Message, up bool) []string {
		// RowDescription's type sizes, and the lengths of the values of
		// a DataRow, a Bind, a FunctionCallResponse (-1: NULL).
		var out []string
		for _, c := range m.Columns {
			out = append(out, num(c.TypeSize))
		}
		for v := range m.Values() {
			if v.Null {
				out = append(out, "-1")
			} else {
				out = append(out, num(v.Data.Len()))
			}
		}
		return out
	}},
	{"pgsql.format", func(m *Message, up bool) []string {
		// Bind's parameter and result formats, RowDescription's column
		// formats, a copy response's overall and column formats.
		var out []string
		switch m.Kind {
		case KindCopyInResponse, KindCopyOutResponse, KindCopyBothResponse:
			// The protocol documentation ("Message Formats",
			// CopyInResponse and CopyOutResponse) gives N column
			// formats after the count N; packet-pgsql.c's
			// dissect_pgsql_be_msg reads them with `while (i-- > 2)`,
			// so tshark prints only the first N-2 (none for the
			// captures' copies of two columns, as 4.0.17 shows). Those
			// it prints are compared; the last two are left out.
			out = append(out, num(m.Byte))
			fs := slices.Collect(Int16s(m.Formats))
			for _, f := range fs[:max(len(fs)-2, 0)] {
				out = append(out, num(f))
			}
			return out
		}
		for f := range Int16s(m.Formats) {
			out = append(out, num(f))
		}
		for f := range Int16s(m.ResultFormats) {
			out = append(out, num(f))
		}
		for _, c := range m.Columns {
			out = append(out, num(c.Format))
		}
		return out
	}},
	{"pgsql.severity", func(m *Message, up bool) []string { return noticeField(m, 'S') }},
	{"pgsql.code", func(m *Message, up bool) []string { return noticeField(m, 'C') }},
}

// noticeField returns the values of an ErrorResponse's or NoticeResponse's
// fields of code c.
func noticeField(m *Message, c byte) []string {
	if m.Kind != KindErrorResponse && m.Kind != KindNoticeResponse {
		return nil
	}
	var out []string
	for _, f := range m.Fields {
		if f.Code == c {
			out = append(out, f.Value.String())
		}
	}
	return out
}

// expected is a message of ours as tshark should print it: its type name,
// its length word, and the values of each of tsharkFields.
type expected struct {
	typ    string
	length int
	fields [][]string
}

// expect returns what tshark should print for the messages of one
// direction (up: the frontend's), given the backend's messages down (a
// 'p' message is named by the request it answers).
//
// The backend's one-byte answer to an SSLRequest is left out, the only
// message that is: dissect_pgsql in Wireshark's packet-pgsql.c, in the
// state an SSLRequest leaves, takes the server's next segment whole as
// the answer ('S' starts TLS, 'N' and anything else nothing) and returns
// before framing messages. tshark 4.0.17 adds no PostgreSQL item for it,
// so it has no pgsql.type or pgsql.length: its frame shows as PGSQL with
// Info "<" and no field (later versions add an "SSL response" item with
// the field pgsql.ssl_response, which 4.0.17's `tshark -G fields` does
// not list). Its framing is still covered: the answer is a turn, so a
// segment, of its own (see turnEnds), and tshark frames the backend's
// messages from the byte after it, as the Decoder does, or every one of
// them would differ.
func expect(msgs []Message, up bool, down []Message) []expected {
	// The i-th 'p' answers the i-th Authentication request that asks for
	// one (Message Flow, "Start-up": SASL and SASLContinue, cleartext,
	// MD5, GSS, SSPI); SASLFinal and Ok ask for none.
	var asks []uint32
	for _, m := range down {
		if m.Kind == KindAuthentication && m.Code != AuthOK && m.Code != AuthSASLFinal {
			asks = append(asks, m.Code)
		}
	}
	var out []expected
	for i := range msgs {
		m := &msgs[i]
		if m.Kind == KindAnswer {
			continue
		}
		name := tsharkNames[m.Kind]
		if m.Kind == KindPassword {
			code := AuthOK
			if len(asks) > 0 {
				code, asks = asks[0], asks[1:]
			}
			name = passwordName(code)
		}
		e := expected{typ: name, length: 4 + m.Body.Len(), fields: make([][]string, 0, len(tsharkFields))}
		for _, f := range tsharkFields {
			e.fields = append(e.fields, f.values(m, up))
		}
		out = append(out, e)
	}
	return out
}

// turnEnds returns the offsets in a stream of msgs where its sender waits
// for the other side (Message Flow, "Start-up", "Simple Query", "Extended
// Query", "COPY Operations"): a frontend after SSLRequest, its
// StartupMessage, each 'p', Query, Sync, CopyDone, CopyFail and Terminate;
// a backend after its answer to SSLRequest, an Authentication request
// that asks for a reply, ReadyForQuery and CopyInResponse. Each backend
// turn then answers the frontend turn before it, as tshark's dissector
// needs: it learns from an SSLRequest that the next backend segment is
// the answer, and from the request a 'p' answers what the 'p' holds.
// (Flush asks for output too, but ends no backend turn of its own: it is
// not cut at, so that the turns stay paired.)
func turnEnds(msgs []Message) []int {
	var ends []int
	off := 0
	for _, m := range msgs {
		switch {
		case m.Kind == KindAnswer:
			off++
		case m.Type == 0:
			off += 4 + m.Body.Len()
		default:
			off += 5 + m.Body.Len()
		}
		switch m.Kind {
		case KindSSLRequest, KindGSSENCRequest, KindStartup, KindPassword, KindQuery, KindSync,
			KindCopyDone, KindCopyFail, KindTerminate,
			KindAnswer, KindReadyForQuery, KindCopyInResponse:
			ends = append(ends, off)
		case KindAuthentication:
			if m.Code != AuthOK && m.Code != AuthSASLFinal {
				ends = append(ends, off)
			}
		}
	}
	return ends
}

// tsharkFieldNames returns the fields Run asks tshark for: the type, the
// length, each of tsharkFields, and whether it found a message malformed.
func tsharkFieldNames() []string {
	names := []string{"pgsql.type", "pgsql.length"}
	for _, f := range tsharkFields {
		names = append(names, f.name)
	}
	return append(names, "_ws.malformed")
}

// compare lines up what tshark printed for the packets pkts of one
// direction with want, packet by packet: each packet's messages (type
// and length) with the next of want, and each other field's values in
// the packet with those of that packet's messages. It returns a rendering
// of each side, a line per message and per field a packet holds, and the
// number of tshark's messages.
func compare(pkts []dissect.Packet, want []expected) (got, wanted []string, n int) {
	names := tsharkFieldNames()
	next := 0
	for _, p := range pkts {
		types, lengths := p.Fields[0], p.Fields[1]
		var mine []expected
		for range types {
			if next < len(want) {
				mine = append(mine, want[next])
				next++
			}
		}
		for i, typ := range types {
			l := ""
			if i < len(lengths) {
				l = lengths[i]
			}
			got = append(got, fmt.Sprintf("frame %d: %s length %s", p.Frame, typ, l))
			if i < len(mine) {
				wanted = append(wanted, fmt.Sprintf("frame %d: %s length %d", p.Frame, mine[i].typ, mine[i].length))
			}
		}
		if len(lengths) != len(types) {
			got = append(got, fmt.Sprintf("frame %d: %d lengths for %d types", p.Frame, len(lengths), len(types)))
		}
		n += len(types)
		for j, name := range names[2:] {
			var w []string
			if j < len(tsharkFields) {
				for _, e := range mine {
					w = append(w, e.fields[j]...)
				}
			}
			// An empty string alone prints as no value: compare the
			// joined values.
			g := strings.Join(p.Fields[2+j], "|")
			if ws := strings.Join(w, "|"); g != "" || ws != "" {
				got = append(got, fmt.Sprintf("frame %d: %s=%s", p.Frame, name, g))
				wanted = append(wanted, fmt.Sprintf("frame %d: %s=%s", p.Frame, name, ws))
			}
		}
	}
	for _, e := range want[next:] {
		wanted = append(wanted, fmt.Sprintf("(not in tshark's packets): %s length %d", e.typ, e.length))
	}
	return got, wanted, n
}

// segmentations is the number of ways each capture is cut into TCP
// segments for tshark (the seeds of dissect.Pcap).
const segmentations = 3

// TestTsharkAgrees frames every stored capture with Wireshark's pgsql
// dissector, over TCP connections cut into segments in three ways, and
// checks that it finds the messages the Decoder finds in each direction:
// the same number, and for each the same type and length word, and the
// same values of every cheap field tshark prints (see tsharkFields).
func TestTsharkAgrees(t *testing.T) {
	for _, c := range testutil.Captures(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			compareTshark(t, []conversation{decodeConversation(t, c.Up, c.Down, segmentations)})
		})
	}
}

// A conversation is the two byte streams of a connection, the frontend's
// (up) and the backend's, the messages the Decoder framed in them, and
// the number of ways (seeds) to cut it into TCP segments for tshark.
type conversation struct {
	name     string
	up, down []byte
	msgs     connection
	seeds    int
}

// decodeConversation frames the streams up and down of a connection.
func decodeConversation(t *testing.T, up, down []byte, seeds int) conversation {
	t.Helper()
	upMsgs, _, err := readAll(pipe.FromBytes(up), Frontend, Options{}, 0)
	if err != nil {
		t.Fatalf("frontend: %v", err)
	}
	answers := count(upMsgs, KindSSLRequest) + count(upMsgs, KindGSSENCRequest)
	downMsgs, _, err := readAll(pipe.FromBytes(down), Backend, Options{}, answers)
	if err != nil {
		t.Fatalf("backend: %v", err)
	}
	return conversation{t.Name(), up, down, connection{upMsgs, downMsgs}, seeds}
}

// compareTshark frames each conversation of convs with tshark's pgsql
// dissector and checks that it finds the messages the Decoder finds in
// each direction (see compare). The conversations go in turns (turnEnds),
// a connection per conversation and seed, all in one file: one run of
// tshark, whose start costs far more than a capture's dissection, reads
// them all.
func compareTshark(t *testing.T, convs []conversation) {
	t.Helper()
	var conns []dissect.Connection
	for _, c := range convs {
		turns := dissect.Interleave(c.up, c.down, turnEnds(c.msgs.up), turnEnds(c.msgs.down))
		conns = append(conns, dissect.Seeded([][]dissect.Turn{turns}, c.seeds)...)
	}
	pkts := dissect.Run(t, dissect.Pcaps(pgPort, conns...), pgPort, []string{"-d", fmt.Sprintf("tcp.port==%d,pgsql", pgPort)}, tsharkFieldNames()...)
	k := 0 // the connection in the file
	for _, c := range convs {
		wantUp, wantDown := expect(c.msgs.up, true, c.msgs.down), expect(c.msgs.down, false, c.msgs.down)
		for seed := range c.seeds {
			var counts []int
			for _, dir := range []struct {
				up   bool
				want []expected
			}{{true, wantUp}, {false, wantDown}} {
				var mine []dissect.Packet
				for _, p := range dissect.Conn(pkts, k) {
					if p.Up == dir.up && len(p.Fields[0]) > 0 {
						mine = append(mine, p)
					}
				}
				n, ok := agrees(mine, dir.want)
				if !ok {
					var got, wanted []string
					got, wanted, n = compare(mine, dir.want)
					if diff := cmp.Diff(wanted, got); diff != "" {
						t.Fatalf("%s, seed %d, up=%v: tshark (+) and the Decoder (-) differ:\n%s", c.name, seed, dir.up, diff)
					}
				}
				if n == 0 || n != len(dir.want) {
					t.Fatalf("%s, seed %d, up=%v: tshark framed %d messages, the Decoder %d", c.name, seed, dir.up, n, len(dir.want))
				}
				counts = append(counts, n)
			}
			if seed == 0 {
				t.Logf("%s: %d frontend and %d backend messages agree with tshark (%d bytes, %d segmentations)",
					c.name, counts[0], counts[1], len(c.up)+len(c.down), c.seeds)
			}
			k++
		}
	}
	// A packet with a field but no message would be a field tshark
	// printed outside a message, or a malformed packet: none.
	for _, p := range pkts {
		if len(p.Fields[0]) == 0 && slices.ContainsFunc(p.Fields, func(f []string) bool { return len(f) > 0 }) {
			t.Fatalf("frame %d has fields but no message: %q", p.Frame, p.Fields)
		}
	}
}

// agrees reports whether compare would find pkts and want the same,
// without rendering them (which costs seconds for a whole pgbench
// connection), and the number of tshark's messages. It is stricter than
// compare (a field's values must match one by one, not joined): where it
// says no, compare decides.
func agrees(pkts []dissect.Packet, want []expected) (n int, ok bool) {
	next := 0
	for _, p := range pkts {
		types, lengths := p.Fields[0], p.Fields[1]
		if len(lengths) != len(types) || next+len(types) > len(want) {
			return 0, false
		}
		mine := want[next : next+len(types)]
		next += len(types)
		for i, e := range mine {
			if types[i] != e.typ || lengths[i] != strconv.Itoa(e.length) {
				return 0, false
			}
		}
		for j, got := range p.Fields[2:] {
			v := 0
			if j < len(tsharkFields) {
				for _, e := range mine {
					for _, w := range e.fields[j] {
						if v >= len(got) || got[v] != w {
							return 0, false
						}
						v++
					}
				}
			}
			if v != len(got) {
				return 0, false
			}
		}
	}
	return next, next == len(want)
}
