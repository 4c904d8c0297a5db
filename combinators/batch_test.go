package combinators

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/sluicego/sluice/internal/batch"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// The batch forms read the messages their parsers read: a message reader
// (which takes every message it can from a batch) gives, over every
// segmentation, what calling the parser message after message on the whole
// input gives.
func TestBatchFormsSameMessages(t *testing.T) {
	var lines, frames32, frames16, words []byte
	for i := range 80 {
		s := strings.Repeat(string(rune('a'+i%26)), i%9)
		lines = append(lines, s...)
		if i%4 == 0 {
			lines = append(lines, '\r')
		}
		lines = append(lines, '\n')
		frames32 = binary.BigEndian.AppendUint32(frames32, uint32(len(s)))
		frames32 = append(frames32, s...)
		frames16 = binary.LittleEndian.AppendUint16(frames16, uint16(len(s)))
		frames16 = append(frames16, s...)
		words = append(words, s+"x;"...)
	}
	isLetter := func(c byte) bool { return c >= 'a' && c <= 'z' }
	cases := []struct {
		name  string
		p     parse.TryParse[seq.Sequence]
		input []byte
	}{
		{"Line", Line(), lines},
		{"LengthPrefixedBytes/Uint32BE", LengthPrefixedBytes(Uint32BE()), frames32},
		{"LengthPrefixedBytes/Uint16LE", LengthPrefixedBytes(Uint16LE()), frames16},
		{"LengthPrefixed/Capped", LengthPrefixed(Capped(1000, Uint32BE()), Rest()), frames32},
		{"scan", Before(TakeWhile("letter", isLetter, 1, -1), Byte(';')), words},
	}
	for _, c := range cases {
		if batch.Lookup(batch.Closure(c.p)) == nil {
			t.Fatalf("%s: no batch form recorded", c.name)
		}
		var want []string
		in := parse.NewInput(segtest.Split(c.input), true, 0)
		for in.Remaining() > 0 {
			at := in.Consumed()
			v, err := c.p(in)
			if err != nil {
				t.Fatalf("%s: parser at %d: %v", c.name, at, err)
			}
			want = append(want, v.String())
		}
		for _, sc := range segtest.Segmentations(c.input) {
			r := parse.NewReader(pipe.FromSequence(sc.Seq), c.p, parse.Options{})
			var got []string
			for v := range r.All(context.Background()) {
				got = append(got, v.String())
			}
			if err := r.Err(); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s/%s: got %q, %v; want %q", c.name, sc.Name, got, err, want)
			}
		}
	}
}

// TestLineBatchCuts calls Line's batch form directly with outs shorter
// and longer than the line ends it finds in one search, on a span of
// lines of every length from 0 with and without a CR, bare CRs, empty
// lines at the span's start, and a partial line at the end: its lines and
// its cursor are what Line gives called as many times.
func TestLineBatchCuts(t *testing.T) {
	var b []byte
	for i := range 300 {
		s := strings.Repeat(string(rune('a'+i%26)), i%70)
		switch i % 5 {
		case 1:
			s += "\r"
		case 2:
			s = "\r" + s
		case 3:
			s = "\r\r"[:1+i%2]
		}
		b = append(b, s...)
		b = append(b, '\n')
	}
	b = append(b, "x\r\n\n\r\n\n"...) // empty lines after a CRLF line
	b = append(b, "partial\r"...)
	whole := seq.Of(b)
	// Spans that start at the first line, inside one, at the LF of a CRLF
	// (an empty line whose byte before is a CR outside the span), and at
	// an empty line after an LF and after a CRLF.
	crlf := bytes.Index(b, []byte("\r\n\n"))
	froms := []int{0, 1, 57, bytes.Index(b, []byte("\r\n")) + 1, bytes.Index(b, []byte("\n\n")) + 1, crlf + 1, crlf + 2}
	for _, m := range []int{1, 2, 63, 64, 65, 128, 129, 299, 300, 301, 400} {
		for _, from := range froms {
			in := parse.NewInput(whole, false, 0)
			in.Advance(from)
			ref := parse.NewInput(whole, false, 0)
			ref.Advance(from)
			out := make([]seq.Sequence, m)
			n := lineBatch(in, out)
			for k := range n {
				want, err := line(ref)
				if err != nil {
					t.Fatalf("out of %d from %d: line %d: Line failed: %v", m, from, k, err)
				}
				if out[k].String() != want.String() || out[k].Start() != want.Start() || out[k].End() != want.End() {
					t.Fatalf("out of %d from %d: line %d is %q, want %q", m, from, k, out[k].String(), want.String())
				}
			}
			if in.Consumed() != ref.Consumed() {
				t.Fatalf("out of %d from %d: cursor at %d after %d lines, Line's at %d", m, from, in.Consumed(), n, ref.Consumed())
			}
			if _, err := line(ref); n < m && err == nil {
				t.Fatalf("out of %d from %d: %d lines, and Line reads another", m, from, n)
			}
		}
	}
}
