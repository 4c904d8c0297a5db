package pgwire

import (
	"encoding/binary"

	"github.com/sluicego/sluice/parse"
)

// fastDataRow reads a DataRow by hand into d.msg, for the common case of a row that
// lies whole in the current segment and breaks no rule: ok is false for
// anything else, leaving d.msg alone (another type, a row across segments or incomplete, over
// the limit, malformed), which the declared grammar (dataRow) then reads,
// finding the same message or reporting the error at its offset.
// TestFastDataRow and FuzzBackend check that the two agree.
//
// A row is the most frequent message of a result (one per row), and the
// declared grammar spends most of its time in the layers around a few
// fixed-width reads: a type byte, a length, a count, and a length per
// column.
//
// It writes the row into d.msg, its columns into d.vals, memory the
// Decoder reuses from row to row (the lifetime of a message's views).
func (d *Decoder) fastDataRow(in *parse.Input) bool {
	span := in.Span()
	if len(span) < 7 || span[0] != 'D' {
		return false
	}
	n := int(binary.BigEndian.Uint32(span[1:]))
	size := 1 + n
	if n < 6 || size > len(span) || size > in.Limit()-in.Consumed() {
		return false
	}
	cols := int(binary.BigEndian.Uint16(span[5:]))
	if cols > 0x7fff || cols > (n-6)/4 {
		return false
	}
	if cap(d.vals) < cols {
		d.vals = make([]Value, 0, max(cols, 16))
	}
	vals := d.vals[:0]
	p := 7
	for range cols {
		if size-p < 4 {
			return false
		}
		l := int32(binary.BigEndian.Uint32(span[p:]))
		p += 4
		switch {
		case l == -1:
			vals = append(vals, Value{Null: true})
		case l < 0 || int(l) > size-p:
			return false
		default:
			vals = append(vals, Value{Data: in.SpanSeqAt(p, int(l))})
			p += int(l)
		}
	}
	if p != size {
		return false
	}
	d.msg = Message{Kind: KindDataRow, Type: 'D', Body: in.SpanSeqAt(5, n-4), Values: vals}
	in.Advance(size)
	return true
}
