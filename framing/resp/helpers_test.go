package resp

import (
	"context"
	"fmt"
	"strings"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// show renders a value in one line, with its kind and flags, so that
// tables compare values as text: "+OK", "$3:abc", "$nil", "*[:1 $1:a]",
// "%{+a:+b}", "$?[$2:ab]".
func show(v Value) string {
	var b strings.Builder
	writeShow(&b, v)
	return b.String()
}

func writeShow(b *strings.Builder, v Value) {
	b.WriteByte(byte(v.Kind))
	if v.Streamed {
		b.WriteByte('?')
	}
	if v.Null {
		b.WriteString("nil")
		return
	}
	switch v.Kind {
	case Integer, Boolean:
		fmt.Fprint(b, v.Int)
	case BulkString, BulkError, Verbatim:
		if !v.Streamed {
			fmt.Fprintf(b, "%d:%s", v.Str.Len(), v.Str.String())
			return
		}
		fallthrough
	case Array, Map, Set, Attribute, Push:
		b.WriteByte('[')
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeShow(b, e)
		}
		b.WriteByte(']')
	case Null:
	default:
		b.WriteString(v.Str.String())
	}
}

// showCommand renders a command: its arguments quoted, "inline " first
// for an inline one.
func showCommand(c Command) string {
	var b strings.Builder
	if c.Inline {
		b.WriteString("inline ")
	}
	for i, a := range c.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%q", a.String())
	}
	return b.String()
}

// readAll reads every message of s with p through a message reader and
// returns them rendered with render, and the reader's error.
func readAll[T any](p parse.TryParse[T], s seq.Sequence, limit int, render func(T) string) ([]string, error) {
	r := parse.NewReader(pipe.FromSequence(s), p, parse.Options{MaxMessageSize: limit})
	defer r.Close()
	var out []string
	for m := range r.All(context.Background()) {
		out = append(out, render(m))
	}
	return out, r.Err()
}
