package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	radix "github.com/mediocregopher/radix/v4/resp"
	"github.com/mediocregopher/radix/v4/resp/resp3"
	"github.com/sluicego/sluice/framing/resp"
	"github.com/sluicego/sluice/seq"
)

// The RESP cases of BenchmarkFraming:
//
//   - resp-commands: 4 MiB of pipelined commands as redis-benchmark sends
//     them (respWorkload), read by a server: sluice's resp.Commands through
//     a message reader, and redcon's Reader (tallyRedcon, as redcon's
//     server loop reads).
//   - resp-replies: the replies redis-server gives to those commands
//     (+OK, bulk strings, integers, LRANGE's arrays of 100), read by a
//     client: sluice's resp.Values, and radix v4's resp3 package at its
//     fastest, reading each reply with the typed receiver its prefix calls
//     for (SimpleString, Number, BlobStringBytes reusing its buffer,
//     ArrayHeader and its elements), as radix's own Cmd actions do.
//
// Every contender counts messages, elements and string bytes, checked
// against what the workload holds; input arrives in reads of at most 4 KiB.
func init() {
	cmds, cmdWant, replies, replyWant := respWorkload(4 << 20)
	registerFraming("resp-commands",
		framingContender{"sluice", benchFramingTally(cmds, cmdWant, tallyParse(resp.Commands(resp.Limits{}), countCommand))},
		framingContender{"redcon", benchFramingTally(cmds, cmdWant, tallyRedcon)},
	)
	registerFraming("resp-replies",
		framingContender{"sluice", benchFramingTally(replies, replyWant, tallyParse(resp.Values(resp.Limits{}), countValue))},
		framingContender{"radix", benchFramingTally(replies, replyWant, tallyRadix)},
	)
}

// benchFramingTally is benchGrammarTally as a framingContender's run.
func benchFramingTally(input []byte, want grammarTally, tally func(io.Reader) (grammarTally, error)) func(*testing.B) {
	return func(b *testing.B) {
		src := &chunkReader{data: input}
		b.SetBytes(int64(len(input)))
		b.ReportAllocs()
		for b.Loop() {
			src.reset()
			got, err := tally(src)
			if err != nil || got != want {
				b.Fatalf("counted %+v, err %v; want %+v", got, err, want)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want.msgs), "ns/msg")
	}
}

func countCommand(t *grammarTally, c resp.Command) {
	t.msgs++
	t.parts += len(c.Args)
	for _, a := range c.Args {
		t.bytes += a.Len()
	}
}

func countValue(t *grammarTally, v resp.Value) {
	t.msgs++
	t.parts += len(v.Elems)
	t.bytes += v.Str.Len()
	for _, e := range v.Elems {
		t.bytes += e.Str.Len()
	}
}

// respValueSizes are the value sizes of the workload, drawn uniformly.
var respValueSizes = []int{3, 10, 40, 100, 300, 1000}

// respWorkload returns at least size bytes of pipelined commands, a mix
// of SET (30%), GET (30%), INCR (15%), LPUSH (15%) and LRANGE 0 99 (10%)
// on keys as redis-benchmark names them (key:000000000123, with -r), with
// values of 3 to 1000 bytes, and the replies redis-server gives them,
// with what a contender counts in each. A fixed seed: every run and
// contender reads the same bytes.
func respWorkload(size int) (cmds []byte, cmdWant grammarTally, replies []byte, replyWant grammarTally) {
	rng := rand.New(rand.NewPCG(6379, 7))
	value := func() string {
		n := respValueSizes[rng.IntN(len(respValueSizes))]
		return strings.Repeat(string(rune('a'+rng.IntN(26))), n)
	}
	var list []string // the list LPUSH builds, newest first
	strs := map[string]string{}
	counter := 0
	for len(cmds) < size {
		key := fmt.Sprintf("key:%012d", rng.IntN(1000))
		var args []string
		switch p := rng.IntN(100); {
		case p < 30:
			v := value()
			strs[key] = v
			args = []string{"SET", key, v}
			replies = append(replies, "+OK\r\n"...)
			replyWant.msgs++
			replyWant.bytes += 2
		case p < 60:
			args = []string{"GET", key}
			v, ok := strs[key]
			if !ok {
				replies = append(replies, "$-1\r\n"...)
			} else {
				replies = resp.AppendValue(replies, resp.Value{Kind: resp.BulkString, Str: seqOf(v)})
			}
			replyWant.msgs++
			replyWant.bytes += len(v)
		case p < 75:
			counter++
			args = []string{"INCR", "counter:" + key[4:]}
			replies = append(replies, ':')
			replies = strconv.AppendInt(replies, int64(counter), 10)
			replies = append(replies, '\r', '\n')
			replyWant.msgs++
		case p < 90:
			v := value()
			list = append([]string{v}, list...)
			args = []string{"LPUSH", "mylist", v}
			replies = append(replies, ':')
			replies = strconv.AppendInt(replies, int64(len(list)), 10)
			replies = append(replies, '\r', '\n')
			replyWant.msgs++
		default:
			args = []string{"LRANGE", "mylist", "0", "99"}
			n := min(len(list), 100)
			replies = append(replies, '*')
			replies = strconv.AppendInt(replies, int64(n), 10)
			replies = append(replies, '\r', '\n')
			for _, v := range list[:n] {
				replies = resp.AppendValue(replies, resp.Value{Kind: resp.BulkString, Str: seqOf(v)})
				replyWant.bytes += len(v)
			}
			replyWant.msgs++
			replyWant.parts += n
		}
		cmds = resp.AppendCommand(cmds, args...)
		cmdWant.msgs++
		cmdWant.parts += len(args)
		for _, a := range args {
			cmdWant.bytes += len(a)
		}
	}
	return cmds, cmdWant, replies, replyWant
}

// tallyRadix reads replies with radix v4's resp3 receivers, one typed
// receiver per prefix, reused from reply to reply.
func tallyRadix(src io.Reader) (grammarTally, error) {
	br := bufio.NewReader(src)
	opts := radix.NewOpts()
	var (
		t    grammarTally
		ss   resp3.SimpleString
		num  resp3.Number
		blob resp3.BlobStringBytes
		arr  resp3.ArrayHeader
	)
	readBlob := func() error {
		blob.B = blob.B[:0]
		if err := blob.UnmarshalRESP(br, opts); err != nil {
			return err
		}
		t.bytes += len(blob.B)
		return nil
	}
	for {
		p, err := br.Peek(1)
		if err == io.EOF {
			return t, nil
		} else if err != nil {
			return t, err
		}
		t.msgs++
		switch resp3.Prefix(p[0]) {
		case resp3.SimpleStringPrefix:
			err = ss.UnmarshalRESP(br, opts)
			t.bytes += len(ss.S)
		case resp3.NumberPrefix:
			err = num.UnmarshalRESP(br, opts)
		case resp3.BlobStringPrefix:
			err = readBlob()
		case resp3.ArrayHeaderPrefix:
			if err = arr.UnmarshalRESP(br, opts); err == nil {
				t.parts += arr.NumElems
				for i := 0; i < arr.NumElems && err == nil; i++ {
					err = readBlob()
				}
			}
		default:
			return t, fmt.Errorf("unexpected prefix %q", p[0])
		}
		if err != nil {
			return t, err
		}
	}
}

func seqOf(s string) seq.Sequence { return seq.Of([]byte(s)) }
