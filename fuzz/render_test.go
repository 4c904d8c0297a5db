package fuzz

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/sluicego/sluice/seq"
)

type renderInner struct {
	Tag  string
	size int
}

type renderMsg struct {
	Key   seq.Sequence
	Raw   []byte
	N     int
	Inner *renderInner
	Any   any
	Err   error
	Addr  netip.Addr
	Tags  map[string]int
	Fixed [3]byte
	list  []seq.Sequence
}

type renderNode struct {
	Name string
	Next *renderNode
}

func TestRender(t *testing.T) {
	for _, c := range []struct {
		name string
		got  string
		want string
	}{
		{"sequence", render(seq.Of([]byte("a\"b\n"))), `"a\"b\n"`},
		{"binary sequence", render(seq.Of([]byte{0, 1, 2})), `"\x00\x01\x02"`},
		{"empty sequence", render(seq.Sequence{}), `""`},
		{"text bytes", render([]byte("GET /\r\n")), `"GET /\r\n"`},
		{"mostly text bytes", render([]byte("\x00\x05hello")), `"\x00\x05hello"`},
		{"binary bytes", render([]byte("k\x00\x01")), `hex"6b0001"`},
		{"half text is binary", render([]byte("\x01\x02ab")), `hex"01026162"`},
		{"utf-8 text", render([]byte("héllo")), `"héllo"`},
		{"nil bytes", render([]byte(nil)), `nil`},
		{"empty bytes", render([]byte{}), `""`},
		{"long text", render(strings.Repeat("x", 250)), `"` + strings.Repeat("x", 200) + `"...(50 more bytes)`},
		{"long binary", render(make([]byte, 201)), `hex"` + strings.Repeat("00", 200) + `"...(1 more bytes)`},
		{"list", render([]int{1, 2, 3}), `[1, 2, 3]`},
		{"long list", render(make([]int, 40)), `[` + strings.Repeat("0, ", 32) + `...(8 more)]`},
		{"float", render(1.5), `1.5`},
		{"cycle", func() string { n := &renderNode{Name: "a"}; n.Next = n; return render(n) }(), `&{Name: "a", Next: <cycle>}`},
		{"message", render(renderMsg{
			Key:   seq.Of([]byte("k1")),
			Raw:   []byte{0xde, 0xad, 0xbe, 0xef},
			N:     7,
			Inner: &renderInner{Tag: "t", size: 2},
			Any:   int64(5),
			Err:   errors.New("boom"),
			Addr:  netip.MustParseAddr("192.0.2.1"),
			Tags:  map[string]int{"b": 2, "a": 1, "c": 3},
			Fixed: [3]byte{'a', 'b', 'c'},
			list:  []seq.Sequence{seq.Of([]byte("x")), {}},
		}), `{Key: "k1", Raw: hex"deadbeef", N: 7, Inner: &{Tag: "t", size: 2}, Any: int64(5), Err: error("boom"), ` +
			`Addr: netip.Addr("192.0.2.1"), Tags: map["a": 1, "b": 2, "c": 3], Fixed: "abc", list: ["x", ""]}`},
		{"zero message", render(renderMsg{}), `{Key: "", Raw: nil, N: 0, Inner: nil, Any: nil, Err: nil, Addr: netip.Addr("invalid IP"), Tags: nil, Fixed: hex"000000", list: nil}`},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
}

// TestRenderDeterministic: a map renders in the same order every time.
func TestRenderDeterministic(t *testing.T) {
	m := map[string][]byte{}
	for _, k := range strings.Split("q w e r t y u i o p a s d f g h j k l", " ") {
		m[k] = []byte{k[0], 0, 0}
	}
	first := render(m)
	for range 50 {
		if got := render(m); got != first {
			t.Fatalf("render gave\n%s\nthen\n%s", first, got)
		}
	}
}

func TestDiffMessages(t *testing.T) {
	eq := func(a, b string) bool { return a == b }
	var want []string
	for i := range 20 {
		want = append(want, strings.Repeat("m", i%3+1))
	}
	got := append([]string(nil), want...)
	got[10] = "changed"
	got = append(got[:15], got[16:]...)
	const golden = `  ... 8 equal messages
  [8] "mmm"
  [9] "m"
- [10] "mm"
+ [10] "changed"
  [11] "mmm"
  [12] "m"
  [13] "mm"
  [14] "mmm"
- [15] "m"
  [16] "mm"
  [17] "mmm"
  ... 2 equal messages`
	if d := diffMessages(want, got, eq); d != golden {
		t.Errorf("got\n%s\nwant\n%s", d, golden)
	}
	// One message out of reach of the context is shown, not counted.
	one := diffMessages([]string{"a", "b", "c", "d"}, []string{"a", "b", "c", "x"}, eq)
	if wantOne := "  [0] \"a\"\n  [1] \"b\"\n  [2] \"c\"\n- [3] \"d\"\n+ [3] \"x\""; one != wantOne {
		t.Errorf("got\n%s\nwant\n%s", one, wantOne)
	}
	if d := diffMessages(want, want, eq); d != "" {
		t.Errorf("equal lists gave %q", d)
	}
	// Two long messages that differ past what a line shows are shown
	// around their first difference.
	long := strings.Repeat("a", 900)
	d := diffMessages([]string{long + "1"}, []string{long + "2"}, eq)
	wantLong := "- [0] ..." + strings.Repeat("a", 100) + "1\"\n+ [0] ..." + strings.Repeat("a", 100) + "2\""
	if d != wantLong {
		t.Errorf("got\n%s\nwant\n%s", d, wantLong)
	}
}

// TestRenderLineCut: a message is cut short past maxLine characters.
func TestRenderLineCut(t *testing.T) {
	long := make([]string, 30)
	for i := range long {
		long[i] = strings.Repeat("y", 150)
	}
	got := render(long)
	if len(got) > maxLine+maxShown+40 || !strings.HasSuffix(got, " more)]") {
		t.Fatalf("a %d-character line, ending %q", len(got), got[max(0, len(got)-40):])
	}
	if n := strings.Count(got, `"`+strings.Repeat("y", 150)+`"`); n < maxLine/160 {
		t.Fatalf("only %d elements shown", n)
	}
}
