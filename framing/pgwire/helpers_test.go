package pgwire

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// render writes a message on one line with every field its kind sets.
func render(m Message) string {
	var b strings.Builder
	b.WriteString(m.Kind.String())
	if m.Type != 0 {
		fmt.Fprintf(&b, " %q", m.Type)
	}
	if m.Byte != 0 {
		fmt.Fprintf(&b, " byte=%q", m.Byte)
	}
	if m.Code != 0 {
		fmt.Fprintf(&b, " code=%d", m.Code)
	}
	if m.PID != 0 || m.Key != 0 {
		fmt.Fprintf(&b, " pid=%d key=%d", m.PID, m.Key)
	}
	for _, f := range []struct {
		name string
		s    seq.Sequence
	}{{"name", m.Name}, {"text", m.Text}, {"data", m.Data}, {"oids", m.OIDs}, {"formats", m.Formats}, {"results", m.ResultFormats}} {
		if f.s.Len() > 0 {
			fmt.Fprintf(&b, " %s=%q", f.name, f.s.String())
		}
	}
	// Each value as Value gives it; ValueBytes and the Values iterator
	// must agree, or the rendering says where they do not.
	i := 0
	for v := range m.Values() {
		if v.Null {
			b.WriteString(" NULL")
		} else {
			fmt.Fprintf(&b, " %q", v.Data.String())
		}
		w := m.Value(i)
		raw := m.ValueBytes(i)
		if w.Null != v.Null || w.Data.String() != v.Data.String() || v.Null != (raw == nil) || string(raw) != v.Data.String() {
			fmt.Fprintf(&b, "(MISMATCH Value %v %q, ValueBytes %q)", w.Null, w.Data.String(), raw)
		}
		i++
	}
	if i != m.NumValues() {
		fmt.Fprintf(&b, " (MISMATCH Values gave %d of %d)", i, m.NumValues())
	}
	for _, f := range m.Fields {
		if f.Code != 0 {
			fmt.Fprintf(&b, " %c=%q", f.Code, f.Value.String())
		} else {
			fmt.Fprintf(&b, " %q=%q", f.Name.String(), f.Value.String())
		}
	}
	for _, c := range m.Columns {
		fmt.Fprintf(&b, " [%q %d %d %d %d %d %d]", c.Name.String(), c.TableOID, c.AttrNumber, c.TypeOID, c.TypeSize, c.TypeModifier, c.Format)
	}
	fmt.Fprintf(&b, " body=%d", m.Body.Len())
	return b.String()
}

// readAll decodes src in direction dir, expecting answers one-byte
// answers on a backend stream, and renders every message.
func readAll(src pipe.Reader, dir Direction, o Options, answers int) ([]Message, []string, error) {
	return readAllSlow(src, dir, o, answers, false)
}

// readAllSlow is readAll, without the fast path if slow.
func readAllSlow(src pipe.Reader, dir Direction, o Options, answers int, slow bool) ([]Message, []string, error) {
	d := NewDecoder(src, dir, o)
	d.slow = slow
	d.setFast()
	defer d.Close()
	for range answers {
		d.ExpectAnswer()
	}
	var msgs []Message
	var out []string
	for m := range d.All(context.Background()) {
		msgs = append(msgs, own(*m))
		out = append(out, render(*m))
	}
	return msgs, out, d.Err()
}

// own copies every view of m.
func own(m Message) Message {
	c := func(s seq.Sequence) seq.Sequence { return seq.Of(s.Bytes()) }
	o := m
	o.Body, o.Name, o.Text, o.Data, o.OIDs, o.Formats, o.ResultFormats = c(m.Body), c(m.Name), c(m.Text), c(m.Data), c(m.OIDs), c(m.Formats), c(m.ResultFormats)
	vals := m.vals.Bytes()
	o.vals, o.raw, o.cols, o.flat = seq.Of(vals), vals, slices.Clone(m.cols), nil
	o.Fields = make([]Field, len(m.Fields))
	for i, f := range m.Fields {
		o.Fields[i] = Field{Code: f.Code, Name: c(f.Name), Value: c(f.Value)}
	}
	o.Columns = make([]Column, len(m.Columns))
	for i, col := range m.Columns {
		o.Columns[i] = col
		o.Columns[i].Name = c(col.Name)
	}
	return o
}

// decoder is a fuzz.Decoder reading one stream in direction dir, with a
// new parser per run.
func decoder(dir Direction, o Options, answers int) fuzz.Decoder[string] {
	return func(ctx context.Context, src pipe.Reader, limit int, emit func(string)) error {
		d, _ := newDecoder(dir, o)
		d.answers = answers
		d.setFast()
		return fuzz.Parser(parse.TryParse[string](func(in *parse.Input) (string, error) {
			m, err := d.parse(in)
			if err != nil {
				return "", err
			}
			return render(*m), nil
		}))(ctx, src, limit, emit)
	}
}
