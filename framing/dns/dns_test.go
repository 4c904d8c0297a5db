package dns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/parsetest"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// stream is a connection's worth of messages: pipelined queries, the
// compressed answer, a large TXT answer and a header-only message.
func stream() []byte {
	var b []byte
	b = append(b, query(1, "example.com", TypeA)...)
	b = append(b, query(2, "Example.COM.", TypeAAAA)...)
	b = append(b, prefixed(compressed())...)
	txt := AppendHeader(nil, Header{ID: 3, QR: true, AA: true, QDCount: 1, ANCount: 1})
	txt, _ = AppendQuestion(txt, "big.test", TypeTXT, ClassIN)
	data := bytes.Repeat(append([]byte{200}, bytes.Repeat([]byte("x"), 200)...), 3)
	txt = u16(txt, 0xc00c, uint16(TypeTXT), uint16(ClassIN), 0, 0, uint16(len(data)))
	txt = append(txt, data...)
	b = append(b, prefixed(txt)...)
	b = append(b, prefixed(AppendHeader(nil, Header{ID: 4, QR: true, Rcode: RcodeFormat}))...)
	return b
}

var streamWant = []string{
	"id=1 QUERY NOERROR rd 1/0/0/0 q=example.com./A/IN",
	"id=2 QUERY NOERROR rd 1/0/0/0 q=Example.COM./AAAA/IN",
	"id=4660 QUERY NOERROR qr rd ra 1/2/1/0 q=www.example.com./A/IN answer:www.example.com./CNAME/300/03776562c010 " +
		"answer:web.example.com./A/60/c0000201 authority:example.com./SOA/3600/c010",
	"id=3 QUERY NOERROR qr aa 1/1/0/0 q=big.test./TXT/IN answer:big.test./TXT/0/" +
		strings.Repeat("c8"+strings.Repeat("78", 200), 3),
	"id=4 QUERY FORMERR qr 0/0/0/0",
}

func TestSegmentations(t *testing.T) {
	in := stream()
	for _, c := range segtest.Segmentations(in) {
		got, err := readAll(c.Seq, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if strings.Join(got, "\n") != strings.Join(streamWant, "\n") {
			t.Fatalf("%s:\n%s\nwant\n%s", c.Name, strings.Join(got, "\n"), strings.Join(streamWant, "\n"))
		}
	}
}

func TestHeaderFlags(t *testing.T) {
	for f := range 1 << 16 {
		h := headerOf(uint32(0xbeef)<<16|uint32(f), 0x0001000200030004)
		if h.Flags() != uint16(f) || h.ID != 0xbeef || h.QDCount != 1 || h.ANCount != 2 || h.NSCount != 3 || h.ARCount != 4 {
			t.Fatalf("flags %#04x: %+v, Flags %#04x", f, h, h.Flags())
		}
	}
	h := headerOf(0x00018590, 0)
	if !h.QR || h.Opcode != OpQuery || !h.AA || !h.RD || !h.RA || !h.CD || h.TC || h.AD || h.Z || h.Rcode != RcodeSuccess {
		t.Errorf("0x8590: %+v", h)
	}
	h = headerOf(0x00012a23, 0)
	if h.QR || h.Opcode != OpUpdate || h.Rcode != RcodeName || !h.AD || !h.TC {
		t.Errorf("0x2823: %+v", h)
	}
}

// fault reports whether err is a *parse.SyntaxError at off matching want.
func fault(err error, off int64, want error) bool {
	var se *parse.SyntaxError
	return errors.As(err, &se) && se.Offset == off && errors.Is(err, want)
}

// chain is a question section of n questions, the first the root and each
// next one's name a pointer to the one before: the last name follows n-1
// pointers.
func chain(n int) []byte {
	b := AppendHeader(nil, Header{QDCount: uint16(n)})
	prev := len(b)
	b = append(b, 0)
	b = u16(b, 1, 1)
	for range n - 1 {
		at := len(b)
		b = u16(b, 0xc000|uint16(prev), 1, 1)
		prev = at
	}
	return b
}

func TestFaults(t *testing.T) {
	q := query(7, "a.example", TypeA)[2:] // header at 0, name at 12
	with := func(off int, v ...byte) []byte {
		b := bytes.Clone(q)
		copy(b[off:], v)
		return b
	}
	long := AppendHeader(nil, Header{QDCount: 1})
	for range 4 {
		long = append(long, 63)
		long = append(long, bytes.Repeat([]byte{'a'}, 63)...)
	}
	long = append(long, 0, 0, 1, 0, 1) // 4*64+1 = 257 bytes
	for _, c := range []struct {
		name string
		msg  []byte
		off  int64 // from the message's first byte
		want error
	}{
		{"label type 0x40", with(12, 0x41), 12, ErrLabelType},
		{"label type 0x80", with(14, 0x81), 14, ErrLabelType},
		{"pointer forward", with(12, 0xc0, 20), 12, ErrPointer},
		{"pointer to itself", with(12, 0xc0, 12), 12, ErrPointer},
		{"pointer into the header", with(12, 0xc0, 4), 12, ErrPointer},
		{"pointer cut", with(12, 0xc0)[:13], 12, ErrOverrun},
		{"label past the end", q[:15], 14, ErrOverrun},
		{"no type and class", q[:len(q)-2], int64(len(q)) - 4, ErrOverrun},
		{"two questions counted", with(4, 0, 2), int64(len(q)), ErrOverrun},
		{"name too long", long, 12 + 3*64, ErrNameTooLong},
		{"pointer chain", chain(MaxPointers + 2), HeaderLen + 5, ErrPointerDepth},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range segtest.Segmentations(prefixed(c.msg)) {
				_, err := readAll(s.Seq, Options{})
				if !fault(err, 2+c.off, c.want) {
					t.Fatalf("%s: %v, want %v at %d", s.Name, err, c.want, 2+c.off)
				}
			}
		})
	}
	// The deepest chain allowed passes, one more pointer does not.
	if _, err := readAll(seq.Of(prefixed(chain(MaxPointers+1))), Options{}); err != nil {
		t.Errorf("chain of %d pointers: %v", MaxPointers, err)
	}
}

func TestLengths(t *testing.T) {
	for n := range HeaderLen {
		for _, s := range segtest.Segmentations(u16(nil, uint16(n))) {
			_, err := readAll(s.Seq, Options{})
			if !fault(err, 0, ErrShort) {
				t.Fatalf("length %d, %s: %v", n, s.Name, err)
			}
		}
	}
	// Over the maximum: refused as soon as the prefix is read, without
	// waiting for the body.
	var se *parse.SizeError
	in := prefixed(compressed())
	_, err := readAll(seq.Of(in[:3]), Options{MaxMessage: len(in) - 3})
	if !errors.As(err, &se) || !errors.Is(err, parse.ErrTooLarge) {
		t.Errorf("over the maximum: %v", err)
	}
	if _, err := readAll(seq.Of(in), Options{MaxMessage: len(in) - 2}); err != nil {
		t.Errorf("at the maximum: %v", err)
	}
	// Truncated anywhere: io.ErrUnexpectedEOF.
	for i := 1; i < len(in); i++ {
		_, err := readAll(seq.Of(in[:i]), Options{})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", i, err)
		}
	}
}

// TestHostileLength: a peer declaring the largest message and sending
// nothing more has the reader wait with 2 bytes buffered; one declaring
// more than a small maximum is refused after the prefix.
func TestHostileLength(t *testing.T) {
	p := pipe.New(pipe.Options{})
	r := NewReader(p.Reader(), Options{MaxMessage: 512})
	defer r.Close()
	go func() {
		p.Writer().Write(context.Background(), []byte{0xff, 0xff})
		// the writer never completes: the reader must not need more.
	}()
	_, err := r.Next(context.Background())
	if !errors.Is(err, parse.ErrTooLarge) {
		t.Fatalf("%v", err)
	}
	p.Writer().Complete(nil)
}

func TestRecords(t *testing.T) {
	b := prefixed(compressed())
	r := NewReader(pipe.FromSequence(seq.Of(b)), Options{})
	defer r.Close()
	m, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rec, err := range m.Records() {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, rec.Name.String())
		if rec.Type == TypeCNAME {
			n, end, err := m.NameAt(rec.DataOffset)
			if err != nil || n.String() != "web.example.com." || end != rec.DataOffset+len(rec.Data) {
				t.Errorf("CNAME data: %v %d %v", n, end, err)
			}
			if n.WireLen() != 17 || !n.Equal("WEB.example.com") || n.Equal("web.example.co") || n.Equal("web.example.com.x") {
				t.Errorf("CNAME name: %d", n.WireLen())
			}
		}
	}
	if strings.Join(names, " ") != "www.example.com. web.example.com. example.com." {
		t.Errorf("names %v", names)
	}
	if m.RecordsOffset() != 12+17+4 || !bytes.Equal(m.RecordBytes(), m.Bytes()[m.RecordsOffset():]) {
		t.Errorf("records at %d", m.RecordsOffset())
	}
	// A record whose data runs past the end, one whose name is bad.
	bad := bytes.Clone(compressed())
	bad[len(bad)-3] = 9 // the SOA's data length
	m2 := mustOne(t, bad)
	var got error
	for _, err := range m2.Records() {
		got = err
	}
	var fe *FormatError
	if !errors.As(got, &fe) || !errors.Is(got, ErrOverrun) || fe.Offset != len(bad)-4 {
		t.Errorf("data past the end: %v", got)
	}
	bad = bytes.Clone(compressed())
	bad[len(bad)-1] = 200 // the SOA's data: a pointer forward
	m2 = mustOne(t, bad)
	if _, _, err := m2.NameAt(len(bad) - 2); !errors.Is(err, ErrPointer) {
		t.Errorf("pointer forward in data: %v", err)
	}
	if _, _, err := m2.NameAt(len(bad) + 1); !errors.Is(err, ErrOverrun) {
		t.Errorf("NameAt past the end: %v", err)
	}
}

func mustOne(t *testing.T, msg []byte) Message {
	t.Helper()
	r := NewReader(pipe.FromSequence(seq.Of(prefixed(msg))), Options{})
	t.Cleanup(func() { r.Close() })
	m, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ in, text string }{
		{"", "."},
		{".", "."},
		{"a", "a."},
		{"a.b.", "a.b."},
		{`a\.b.c`, `a\.b.c.`},
		{`\065\(x\).\\`, `A\(x\).\\.`},
		{"sp\\032ace\\009", `sp\032ace\009.`},
	} {
		msg := AppendHeader(nil, Header{QDCount: 1})
		msg, err := AppendQuestion(msg, c.in, TypeA, ClassIN)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		m := mustOne(t, msg)
		q, ok := m.Question()
		if !ok || q.Name.String() != c.text || !q.Name.Equal(c.in) || !q.Name.Equal(c.text) {
			t.Errorf("%q: %q", c.in, q.Name.String())
		}
	}
	for _, bad := range []string{"a..b", ".a", strings.Repeat("x", 64), `a\`, `a\25`, `a\256`,
		strings.Repeat("abcdefg.", 32)} {
		if _, err := AppendName([]byte("keep"), bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if b, err := AppendName(nil, strings.Repeat("abcdefg.", 31)+"abcde"); err != nil || len(b) != 255 {
		t.Errorf("255-byte name: %d %v", len(b), err)
	}
	var root Name
	if root.String() != "." || !root.Equal("") || root.WireLen() != 1 {
		t.Errorf("zero Name: %q", root.String())
	}
}

func TestEncode(t *testing.T) {
	msg := compressed()
	b, err := AppendMessage([]byte("x"), msg)
	if err != nil || !bytes.Equal(b[1:], prefixed(msg)) {
		t.Fatalf("AppendMessage: %v", err)
	}
	for _, n := range []int{0, 11, MaxMessage + 1} {
		if b, err := AppendMessage(nil, make([]byte, n)); !errors.Is(err, ErrInvalid) || len(b) != 0 {
			t.Errorf("%d bytes: %v", n, err)
		}
		if err := WriteMessage(pipe.New(pipe.Options{}).Writer(), make([]byte, n)); !errors.Is(err, ErrInvalid) {
			t.Errorf("WriteMessage %d bytes: %v", n, err)
		}
	}
	p := pipe.New(pipe.Options{})
	big := make([]byte, MaxMessage)
	copy(big, msg)
	go func() {
		w := p.Writer()
		for _, m := range [][]byte{msg, big, msg} {
			if err := WriteMessage(w, m); err != nil {
				panic(err)
			}
			w.Flush(context.Background())
		}
		w.Complete(nil)
	}()
	r := NewReader(p.Reader(), Options{})
	defer r.Close()
	n := 0
	for m := range r.All(context.Background()) {
		want := msg
		if n == 1 {
			want = big
		}
		if !bytes.Equal(m.Bytes(), want) || !m.Raw.Equal(want) {
			t.Errorf("message %d differs", n)
		}
		n++
	}
	if r.Err() != nil || n != 3 {
		t.Errorf("%d messages, %v", n, r.Err())
	}
	if _, err := AppendQuery(nil, 1, "a..b", TypeA); !errors.Is(err, ErrInvalid) {
		t.Errorf("AppendQuery: %v", err)
	}
}

// TestPipelined: queries written back to back, their answers coming back
// in another order, matched by IsAnswerTo.
func TestPipelined(t *testing.T) {
	names := []string{"a.test", "b.test", "c.test", "a.test"}
	var qs []byte
	for i, n := range names {
		qs = append(qs, query(uint16(100+i), n, TypeA)...)
	}
	answer := func(i int, name string) []byte {
		b := AppendHeader(nil, Header{ID: uint16(100 + i), QR: true, RD: true, RA: true, QDCount: 1})
		b, _ = AppendQuestion(b, strings.ToUpper(name), TypeA, ClassIN)
		return prefixed(b)
	}
	var as []byte
	for _, i := range []int{2, 0, 3, 1} {
		as = append(as, answer(i, names[i])...)
	}
	queries := collect(t, qs)
	answers := collect(t, as)
	for _, a := range answers {
		matched := 0
		for _, q := range queries {
			if a.IsAnswerTo(&q) {
				matched++
				if q.IsAnswerTo(&a) || q.IsAnswerTo(&q) {
					t.Errorf("a query answers")
				}
			}
		}
		if matched != 1 {
			t.Errorf("answer %d matched %d queries", a.ID, matched)
		}
	}
	// Same id, another question: no match.
	other := collect(t, query(100, "b.test", TypeA))[0]
	if answers[1].IsAnswerTo(&other) {
		t.Errorf("answer matched another question")
	}
}

// collect reads every message of b, owned.
func collect(t *testing.T, b []byte) []Message {
	t.Helper()
	r := NewReader(pipe.FromSequence(seq.Of(b)), Options{})
	defer r.Close()
	var out []Message
	for m := range r.All(context.Background()) {
		out = append(out, m) // b outlives the reader: its views stay valid
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return out
}

// TestNoAllocs: routing on a message (its question, a name compared, its
// records walked) allocates nothing, and reading a long stream allocates
// only the reader's own setup, not per message.
func TestNoAllocs(t *testing.T) {
	m := mustOne(t, compressed())
	n := testing.AllocsPerRun(100, func() {
		q, _ := m.Question()
		if !q.Name.Equal("WWW.example.com") || q.Type != TypeA {
			t.Fatal("question")
		}
		k := 0
		for r, err := range m.Records() {
			if err != nil || r.Name.WireLen() == 0 {
				t.Fatal(err)
			}
			k++
		}
		var other Message = m
		if !m.IsAnswerTo(&other) == m.QR && k != 3 {
			t.Fatal("records")
		}
	})
	if n != 0 {
		t.Errorf("%v allocations", n)
	}
	reads := func(copies int) float64 {
		in := manyMessages(copies) // 5 messages a copy, some straddling the 4 KiB buffers
		return testing.AllocsPerRun(5, func() {
			r := NewReader(pipe.NewReader(bytes.NewReader(in), pipe.ReaderOptions{}), Options{})
			k := 0
			for range r.All(context.Background()) {
				k++
			}
			if r.Err() != nil || k != 5*copies {
				t.Fatal(k, r.Err())
			}
			r.Close()
		})
	}
	if few, many := reads(10), reads(1000); many > few+2 {
		t.Errorf("%v allocations for 50 messages, %v for 5000", few, many)
	}
}

// TestNewReaderShares: readers with the same limit share one declared
// parser, so that a reader over a connection that carries one query costs
// its reader's setup and not a grammar's declaration (about 100 allocations
// and 15 µs before); and readers sharing it read at once, each message that
// straddles their buffers walked in its own reader's scratch memory.
func TestNewReaderShares(t *testing.T) {
	o := Options{MaxMessage: 4000}
	open := func(src pipe.Reader) io.Closer { return NewReader(src, o) }
	read := func(src pipe.Reader) []string {
		r := NewReader(src, o)
		defer r.Close()
		var out []string
		for m := range r.All(context.Background()) {
			out = append(out, render(&m))
		}
		return append(out, fmt.Sprint(r.Err()))
	}
	parsetest.SharedSetup(t, 0, open, read, manyMessages(200))
}
