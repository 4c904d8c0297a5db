package pgwire

import (
	"encoding/binary"

	"github.com/sluicego/sluice/parse"
)

// fastDataRow reads a DataRow by hand into d.msg, for the common case of a
// row that lies whole in the current segment and breaks no rule: ok is
// false for anything else, leaving d.msg alone (another type, a row across
// segments or incomplete, over the limit, malformed), which the declared
// grammar (dataRow) then reads, finding the same message or reporting the
// error at its offset. TestFastDataRow and FuzzBackend check that the two
// agree.
//
// A row is the most frequent message of a result (one per row), and the
// declared grammar spends most of its time in the layers around a few
// fixed-width reads: a type byte, a length, a count, and a length per
// column. Here a column costs its length read, a bounds check and the two
// integers of its col; the views are made when the caller asks for them.
//
// It writes the row into d.msg, its columns into d.cols, memory the
// Decoder reuses from row to row (the lifetime of a message's views). Only
// the fields a DataRow sets are written when the message before was a row
// of this path too: the others are still zero.
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
	body := span[5:size:size]
	ncols := int(binary.BigEndian.Uint16(body))
	if ncols > 0x7fff || ncols > (n-6)/4 {
		return false
	}
	if cap(d.cols) < ncols {
		d.cols = make([]col, max(ncols, 16))
	}
	cols := d.cols[:ncols]
	p := 2
	for i := range cols {
		if p > len(body)-4 {
			return false
		}
		l := int32(binary.BigEndian.Uint32(body[p : p+4]))
		p += 4
		cols[i] = col{int32(p), l}
		p += int(max(l, 0)) // past the end if l is too long: the next check or the last sees it
		if l < -1 {
			return false
		}
	}
	if p != len(body) {
		return false
	}
	m := &d.msg
	if d.dirty {
		*m = Message{flat: m.flat}
		d.dirty = false
	}
	m.Kind, m.Type = KindDataRow, 'D'
	m.Body = in.SpanSeqAt(5, n-4)
	m.vals, m.raw, m.cols = m.Body, body, cols
	in.Advance(size)
	return true
}
