package resp

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unsafe"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
)

// errKind is what a test expects of an error: nil for none, else a check.
type errKind func(error) bool

func syntaxAt(off int64, target error) errKind {
	return func(err error) bool {
		var se *parse.SyntaxError
		return errors.As(err, &se) && se.Offset == off && (target == nil || errors.Is(err, target))
	}
}

func syntaxMsg(off int64, msg string) errKind {
	return func(err error) bool {
		var se *parse.SyntaxError
		return errors.As(err, &se) && se.Offset == off && strings.Contains(se.Msg, msg)
	}
}

func truncatedAt(off int64) errKind {
	return func(err error) bool {
		var te *parse.TruncatedError
		return errors.As(err, &te) && te.Offset == off && errors.Is(err, io.ErrUnexpectedEOF)
	}
}

func tooLargeAt(off int64) errKind {
	return func(err error) bool {
		var se *parse.SizeError
		return errors.As(err, &se) && se.Offset == off
	}
}

type table[T any] struct {
	name, input string
	limits      Limits
	limit       int // the reader's maximum message size; 0: the default
	want        []string
	err         errKind
}

// checkTable reads each case's input in every segmentation and checks the
// messages and the error.
func checkTable[T any](t *testing.T, grammar func(Limits) parse.TryParse[T], render func(T) string, cases []table[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := grammar(tc.limits)
			for _, sc := range segtest.Segmentations([]byte(tc.input)) {
				got, err := readAll(p, sc.Seq, tc.limit, render)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("%s: messages %q, want %q (error %v)", sc.Name, got, tc.want, err)
				}
				if tc.err == nil && err != nil || tc.err != nil && !tc.err(err) {
					t.Fatalf("%s: error %v", sc.Name, err)
				}
			}
		})
	}
}

// TestValues reads every RESP2 and RESP3 type, and malformed, truncated
// and oversized values, in every segmentation.
func TestValues(t *testing.T) {
	checkTable(t, Values, show, []table[Value]{
		{name: "simple", input: "+OK\r\n+\r\n", want: []string{"+OK", "+"}},
		{name: "error", input: "-ERR unknown command 'x'\r\n", want: []string{"-ERR unknown command 'x'"}},
		{name: "integer", input: ":0\r\n:-9223372036854775808\r\n:9223372036854775807\r\n",
			want: []string{":0", ":-9223372036854775808", ":9223372036854775807"}},
		{name: "integer overflow", input: ":9223372036854775808\r\n", err: syntaxAt(1, cb.ErrRange)},
		{name: "bulk", input: "$5\r\nhe\r\no\r\n$0\r\n\r\n$-1\r\n", want: []string{"$5:he\r\no", "$0:", "$nil"}},
		{name: "bulk length not a number", input: "$x\r\n", err: syntaxAt(1, ErrBulkLength)},
		{name: "bulk length negative", input: "$-2\r\n", err: syntaxAt(1, ErrBulkLength)},
		{name: "bulk over MaxBulk", input: "$11\r\n", limits: Limits{MaxBulk: 10}, err: syntaxAt(1, cb.ErrRange)},
		{name: "bulk without its CRLF", input: "$1\r\nab\r\n", err: syntaxMsg(5, `expected "\r\n"`)},
		{name: "bulk over the message size", input: "$100\r\n", limit: 50, err: tooLargeAt(0)},
		{name: "bulk truncated", input: "+a\r\n$3\r\nab", want: []string{"+a"}, err: truncatedAt(4)},
		{name: "arrays", input: "*2\r\n:1\r\n*1\r\n$1\r\na\r\n*0\r\n*-1\r\n",
			want: []string{"*[:1 *[$1:a]]", "*[]", "*nil"}},
		{name: "array count over MaxElems", input: "*4\r\n", limits: Limits{MaxElems: 3}, err: syntaxAt(1, ErrCount)},
		{name: "array count negative", input: "*-2\r\n", err: syntaxAt(1, ErrCount)},
		{name: "array count beyond the message size", input: "*1000\r\n:1\r\n", limit: 100, err: tooLargeAt(0)},
		{name: "array truncated", input: "*3\r\n:1\r\n:2\r\n", err: truncatedAt(0)},
		{name: "null", input: "_\r\n", want: []string{"_"}},
		{name: "doubles", input: ",1.5\r\n,-0\r\n,inf\r\n,-inf\r\n,nan\r\n,1e10\r\n,1.23E-5\r\n,10\r\n",
			want: []string{",1.5", ",-0", ",inf", ",-inf", ",nan", ",1e10", ",1.23E-5", ",10"}},
		{name: "double malformed", input: ",1.5x\r\n", err: syntaxAt(1, ErrDouble)},
		{name: "double empty", input: ",\r\n", err: syntaxAt(1, ErrDouble)},
		{name: "booleans", input: "#t\r\n#f\r\n", want: []string{"#1", "#0"}},
		{name: "boolean malformed", input: "#x\r\n", err: syntaxAt(0, nil)},
		{name: "big number", input: "(3492890328409238509324850943850943825024385\r\n(-1\r\n",
			want: []string{"(3492890328409238509324850943850943825024385", "(-1"}},
		{name: "big number malformed", input: "(12a\r\n", err: syntaxAt(1, ErrBigNumber)},
		{name: "bulk error", input: "!21\r\nSYNTAX invalid syntax\r\n", want: []string{"!21:SYNTAX invalid syntax"}},
		{name: "verbatim", input: "=15\r\ntxt:Some string\r\n", want: []string{"=15:txt:Some string"}},
		{name: "verbatim without a format", input: "=3\r\ntxt\r\n", err: syntaxAt(1, ErrVerbatim)},
		{name: "map", input: "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n%0\r\n",
			want: []string{"%[+first :1 +second :2]", "%[]"}},
		{name: "map pairs over MaxElems", input: "%3\r\n", limits: Limits{MaxElems: 5}, err: syntaxAt(1, ErrCount)},
		{name: "set", input: "~2\r\n+a\r\n+b\r\n", want: []string{"~[+a +b]"}},
		{name: "push", input: ">3\r\n+message\r\n+ch\r\n+hi\r\n", want: []string{">[+message +ch +hi]"}},
		{name: "attribute", input: "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2039123\r\n",
			want: []string{"|[+key-popularity %[$1:a ,0.19] *[:2039123]]"}},
		{name: "attribute in an array", input: "*2\r\n|1\r\n+ttl\r\n:3\r\n:1\r\n:2\r\n",
			want: []string{"*[|[+ttl :3 :1] :2]"}},
		{name: "streamed string", input: "$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n$?\r\n;0\r\n",
			want: []string{"$?[$4:Hell $5:o wor $1:d]", "$?[]"}},
		{name: "streamed chunk length", input: "$?\r\n;x\r\n", err: syntaxAt(5, ErrBulkLength)},
		{name: "streamed array", input: "*?\r\n:1\r\n:2\r\n:3\r\n.\r\n", want: []string{"*?[:1 :2 :3]"}},
		{name: "streamed map and set", input: "%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n~?\r\n+x\r\n.\r\n",
			want: []string{"%?[+a :1 +b :2]", "~?[+x]"}},
		{name: "streamed map odd", input: "%?\r\n+a\r\n.\r\n", err: syntaxAt(4, ErrOddMap)},
		{name: "streamed nested", input: "*?\r\n*?\r\n:1\r\n.\r\n$?\r\n;1\r\na\r\n;0\r\n.\r\n",
			want: []string{"*?[*?[:1] $?[$1:a]]"}},
		{name: "unknown type", input: "+a\r\n@x\r\n", want: []string{"+a"}, err: syntaxAt(4, nil)},
		{name: "line with a bare CR", input: "+a\rb\r\n", err: syntaxMsg(2, `expected "\r\n"`)},
		{name: "line over MaxLine", input: "+abcdefghijk\r\n", limits: Limits{MaxLine: 5}, err: tooLargeAt(1)},
		{name: "depth at the limit", input: "*1\r\n*1\r\n*1\r\n:1\r\n", limits: Limits{MaxDepth: 3},
			want: []string{"*[*[*[:1]]]"}},
		{name: "depth past the limit", input: "*1\r\n*1\r\n*1\r\n:1\r\n", limits: Limits{MaxDepth: 2},
			err: syntaxAt(8, cb.ErrDepth)},
	})
}

// TestCommands reads commands as a server does, arrays of bulk strings and
// inline lines, in every segmentation.
func TestCommands(t *testing.T) {
	checkTable(t, Commands, showCommand, []table[Command]{
		{name: "array", input: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nlu\r\n*1\r\n$4\r\nPING\r\n",
			want: []string{`"SET" "k" "v\r\nlu"`, `"PING"`}},
		{name: "inline", input: "PING\r\nSET k v\nGET  k \r\n",
			want: []string{`inline "PING"`, `inline "SET" "k" "v"`, `inline "GET" "k"`}},
		{name: "inline quotes", input: `SET "a b" 'c d' "\x41\n" 'it\'s' x"y z"` + "\r\n",
			want: []string{`inline "SET" "a b" "c d" "A\n" "it's" "xy z"`}},
		{name: "inline unbalanced", input: "SET \"a\r\n", err: syntaxAt(0, ErrUnbalancedQuotes)},
		{name: "inline over MaxLine", input: "PING\r\n" + strings.Repeat("x", 20) + "\r\n", limits: Limits{MaxLine: 10},
			want: []string{`inline "PING"`}, err: tooLargeAt(6)},
		{name: "inline truncated", input: "PING", err: truncatedAt(0)},
		{name: "empty", input: "\r\n\n*0\r\n*-1\r\n", want: []string{"inline ", "inline ", "", ""}},
		{name: "null argument", input: "*1\r\n$-1\r\n", err: syntaxAt(5, ErrBulkLength)},
		{name: "argument over MaxBulk", input: "*1\r\n$11\r\n", limits: Limits{MaxBulk: 10}, err: syntaxAt(5, ErrBulkLength)},
		{name: "count over MaxElems", input: "*11\r\n", limits: Limits{MaxElems: 10}, err: syntaxAt(1, ErrCount)},
		{name: "count not a number", input: "*x\r\n", err: syntaxAt(1, ErrCount)},
		{name: "array truncated", input: "*2\r\n$1\r\na\r\n", err: truncatedAt(0)},
	})
}

// TestProtocolTcl turns the malformed-protocol cases of redis's own tests
// (redis/redis tests/unit/protocol.tcl, "Handle an empty query", "Negative
// multibulk length", "Out of range multibulk length", "Wrong multibulk
// payload header", "Negative multibulk payload length", "Out of range
// multibulk payload length", "Non-number multibulk payload length",
// "Multi bulk request not followed by bulk arguments") into data: what
// redis-server accepts is accepted, and what it refuses with a protocol
// error is refused with the matching error at the fault.
func TestProtocolTcl(t *testing.T) {
	checkTable(t, Commands, showCommand, []table[Command]{
		// "\r\n" is ignored: an empty command; the PING after it is read.
		{name: "empty query", input: "\r\n*1\r\n$4\r\nPING\r\n", want: []string{"inline ", `"PING"`}},
		// "*-10\r\n" is accepted as nothing.
		{name: "negative multibulk length", input: "*-10\r\n*1\r\n$4\r\nPING\r\n", want: []string{"", `"PING"`}},
		// "*20000000\r\n": redis refuses it as an invalid multibulk length
		// (over its 1024*1024 of the time); over MaxElems here.
		{name: "out of range multibulk length", input: "*20000000\r\n", err: syntaxAt(1, ErrCount)},
		// redis: "expected '$', got 'f'".
		{name: "wrong multibulk payload header", input: "*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n",
			err: syntaxMsg(20, "expected '$'")},
		// redis: "invalid bulk length" for the three.
		{name: "negative multibulk payload length", input: "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n",
			err: syntaxAt(21, ErrBulkLength)},
		{name: "out of range multibulk payload length", input: "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n",
			err: syntaxAt(21, ErrBulkLength)},
		{name: "non-number multibulk payload length", input: "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n",
			err: syntaxAt(21, ErrBulkLength)},
		// redis: "expected '$', got 'f'".
		{name: "multi bulk request not followed by bulk arguments", input: "*1\r\nfoo\r\n",
			err: syntaxMsg(4, "expected '$'")},
	})
}

// TestGrammarsBuiltOnce checks the promise that a grammar is built once
// per distinct limits: the same limits give the same parser.
func TestGrammarsBuiltOnce(t *testing.T) {
	l := Limits{MaxBulk: 100}
	if closure(Values(l)) != closure(Values(Limits{MaxBulk: 100, MaxDepth: -1})) || closure(Commands(l)) != closure(Commands(Limits{MaxBulk: 100, MaxLine: -1})) {
		t.Error("a grammar was built again for the same limits")
	}
	if closure(Values(Limits{})) != closure(Values(Limits{MaxBulk: DefaultMaxBulk})) || closure(Values(l)) == closure(Values(Limits{})) {
		t.Error("default limits do not share the default grammar")
	}
}

// closure is the closure a func value points to: equal for the same
// parser, different for two built alike.
func closure[T any](p parse.TryParse[T]) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}
