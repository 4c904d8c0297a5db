package resp

import (
	"bytes"
	"context"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

func str(k Kind, s string) Value { return Value{Kind: k, Str: seq.Of([]byte(s))} }

func agg(k Kind, es ...Value) Value {
	if es == nil {
		es = []Value{}
	}
	return Value{Kind: k, Elems: es}
}

// sampleValues has a value of every kind and form, nested.
func sampleValues() []Value {
	return []Value{
		str(SimpleString, "OK"), str(Error, "ERR wrong"), {Kind: Integer, Int: -42},
		str(BulkString, "hello\r\nworld"), str(BulkString, ""), {Kind: BulkString, Null: true},
		agg(Array, str(BulkString, "a"), agg(Array), Value{Kind: Array, Null: true}), {Kind: Array, Null: true},
		{Kind: Null}, str(Double, "3.14"), str(Double, "-inf"), {Kind: Boolean, Int: 1}, {Kind: Boolean},
		str(BigNumber, "-3492890328409238509324850943850943825024385"), str(BulkError, "SYNTAX invalid"),
		str(Verbatim, "txt:Some string"),
		agg(Map, str(SimpleString, "a"), Value{Kind: Integer, Int: 1}, str(BulkString, "b"), agg(Set, str(SimpleString, "x"))),
		agg(Set), agg(Push, str(BulkString, "message"), str(BulkString, "ch"), str(BulkString, "hi")),
		agg(Attribute, str(SimpleString, "ttl"), Value{Kind: Integer, Int: 3}, agg(Array, Value{Kind: Integer, Int: 7})),
		{Kind: BulkString, Streamed: true, Elems: []Value{str(BulkString, "Hell"), str(BulkString, "o")}},
		{Kind: Array, Streamed: true, Elems: []Value{{Kind: Integer, Int: 1}, {Kind: Map, Streamed: true, Elems: []Value{}}}},
		{Kind: Set, Streamed: true, Elems: []Value{str(SimpleString, "s")}},
	}
}

func valueDecoder() fuzz.Decoder[Value] { return fuzz.Parser(Values(Limits{})) }

func commandDecoder() fuzz.Decoder[Command] { return fuzz.Parser(Commands(Limits{})) }

// ownCommand copies a command's arguments out of the reader's memory.
func ownCommand(c Command) Command {
	args := make([]seq.Sequence, len(c.Args))
	for i, a := range c.Args {
		args[i] = seq.Of(a.Bytes())
	}
	if c.Args == nil {
		args = nil
	}
	c.Args = args
	return c
}

func cmd(args ...string) Command {
	c := Command{Args: make([]seq.Sequence, len(args))}
	for i, a := range args {
		c.Args[i] = seq.Of([]byte(a))
	}
	return c
}

// TestValueRoundTrip encodes a value of every kind and form with
// AppendValue and reads it back through the fuzz harness in dozens of
// chunkings.
func TestValueRoundTrip(t *testing.T) {
	fuzz.CheckRoundTrip(t, valueDecoder(), AppendValue, sampleValues(), fuzz.Options[Value]{Own: Value.Clone})
}

// TestCommandRoundTrip does the same for commands and Command.AppendTo.
func TestCommandRoundTrip(t *testing.T) {
	cmds := []Command{cmd("SET", "k", "v\r\n"), cmd("GET", ""), cmd("PING"), cmd("LRANGE", "list", "0", "-1")}
	fuzz.CheckRoundTrip(t, commandDecoder(), appendCmd, cmds, fuzz.Options[Command]{Own: ownCommand})
	b := AppendCommand(nil, "SET", "k", "v\r\n")
	if want := cmds[0].AppendTo(nil); !bytes.Equal(b, want) {
		t.Errorf("AppendCommand %q, Command.AppendTo %q", b, want)
	}
}

// TestWriteValue checks that WriteValue and WriteCommand write what the
// Append functions append, also for strings longer than one piece.
func TestWriteValue(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 10_000)
	vals := append(sampleValues(), Value{Kind: BulkString, Str: seq.Of(big)}, agg(Array, Value{Kind: BulkString, Str: seq.Of(big)}))
	var want []byte
	for _, v := range vals {
		want = AppendValue(want, v)
	}
	want = AppendCommand(want, "SET", "k", string(big))
	p := pipe.New(pipe.Options{})
	go func() {
		for _, v := range vals {
			WriteValue(p.Writer(), v)
		}
		WriteCommand(p.Writer(), "SET", "k", string(big))
		p.Writer().Complete(nil)
	}()
	var got []byte
	for {
		res, err := p.Reader().Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = res.Buffer.AppendTo(got[:0])
		if res.Completed {
			break
		}
		p.Reader().AdvanceTo(res.Buffer.Start(), res.Buffer.End())
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("wrote %d bytes, want %d", len(got), len(want))
	}
}

// TestChunkings runs inputs with errors and every kind through the fuzz
// harness's chunkings: same messages, same error, however they arrive.
func TestChunkings(t *testing.T) {
	for _, in := range valueSeeds {
		fuzz.CheckChunkings(t, valueDecoder(), []byte(in), fuzz.Options[Value]{Own: Value.Clone})
	}
	for _, in := range commandSeeds {
		fuzz.CheckChunkings(t, commandDecoder(), []byte(in), fuzz.Options[Command]{Own: ownCommand})
	}
}

var valueSeeds = []string{
	"+OK\r\n-ERR x\r\n:12\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n$1\r\na\r\n*-1\r\n*0\r\n",
	"_\r\n,3.5\r\n#t\r\n#f\r\n(123\r\n!3\r\nerr\r\n=7\r\ntxt:abc\r\n%1\r\n+a\r\n:1\r\n~1\r\n+x\r\n",
	"|1\r\n+k\r\n+v\r\n:5\r\n>2\r\n+m\r\n+n\r\n$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n*?\r\n:1\r\n.\r\n%?\r\n+a\r\n+b\r\n.\r\n",
	"*2\r\n$3\r\nabc\r\n$-10\r\n", "*1\r\n*1\r\n*1\r\n", "%?\r\n+a\r\n.\r\n", ",1e\r\n", "$?\r\n;0x\r\n",
}

var commandSeeds = []string{
	"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nSET a \"b c\"\r\n\r\n*-10\r\n",
	"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "*1\r\nfoo\r\n", "$blabla\r\n", "PING \"x\r\n", "GET 'a\\'b'\n",
}

func appendCmd(dst []byte, c Command) []byte { return c.AppendTo(dst) }
