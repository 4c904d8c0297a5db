package pgwire

import (
	"encoding/binary"
	"math/bits"

	"github.com/sluicego/sluice/parse"
)

// fastDataRow reads a DataRow by hand into d.msg, for the common case of a
// whole row that breaks no rule: ok is false for anything else, leaving the
// input alone (another type, an incomplete row, one over the limit, a
// malformed one), which the declared grammar (dataRow) then reads, finding
// the same message or reporting the error at its offset. TestFastDataRow
// and FuzzBackend check that the two agree.
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
		return len(span) > 0 && span[0] == 'D' && d.splitDataRow(in)
	}
	n := int(binary.BigEndian.Uint32(span[1:]))
	size := 1 + n
	if n < 6 || size > in.Limit()-in.Consumed() {
		return false
	}
	if size > len(span) {
		return d.splitDataRow(in)
	}
	body := span[5:size:size]
	// rowCols written out, to save a call a row.
	ncols := int(binary.BigEndian.Uint16(body))
	if ncols > 0x7fff || ncols > (len(body)-2)/4 {
		return false
	}
	if cap(d.cols) < ncols {
		d.growCols(ncols)
	}
	cols := d.cols[:ncols]
	if !readCols(body, cols) {
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

// splitDataRow is fastDataRow for a row that the input holds whole but
// not in one segment (its header or its body crosses into the next): the
// body is copied into the Message's storage, which ValueBytes needs
// anyway, and read there.
func (d *Decoder) splitDataRow(in *parse.Input) bool {
	var hdr [7]byte
	if !in.PeekInto(hdr[:]) || hdr[0] != 'D' {
		return false
	}
	n := int(binary.BigEndian.Uint32(hdr[1:]))
	size := 1 + n
	if n < 6 || size > in.Remaining() || size > in.Limit()-in.Consumed() {
		return false
	}
	body := in.Rest().Slice(5, size)
	m := &d.msg
	raw := body.AppendTo(m.flat[:0])
	m.flat = raw
	cols, ok := d.rowCols(raw)
	if !ok {
		return false
	}
	if d.dirty {
		*m = Message{flat: m.flat}
		d.dirty = false
	}
	m.Kind, m.Type = KindDataRow, 'D'
	m.Body = body
	m.vals, m.raw, m.cols = body, raw, cols
	in.Advance(size)
	return true
}

// rowCols reads the columns of a DataRow body into d.cols; ok is false if
// the body breaks a rule (a count or a length out of range, bytes left
// over), which the declared grammar then reports.
func (d *Decoder) rowCols(body []byte) (cols []col, ok bool) {
	ncols := int(binary.BigEndian.Uint16(body))
	if ncols > 0x7fff || ncols > (len(body)-2)/4 {
		return nil, false
	}
	if cap(d.cols) < ncols {
		d.growCols(ncols)
	}
	cols = d.cols[:ncols]
	return cols, readCols(body, cols)
}

// growCols makes d.cols hold at least n columns.
//
//go:noinline
func (d *Decoder) growCols(n int) { d.cols = make([]col, max(n, 16)) }

// readCols reads the lengths of the columns of a DataRow body that holds
// len(cols) of them into cols, reporting whether they fill it exactly.
// It is small enough to inline into rowCols.
func readCols(body []byte, cols []col) bool {
	p := 2
	for i := range cols {
		if p > len(body)-4 {
			return false
		}
		// Zero-extended, an instruction fewer than sign-extended on the
		// chain from one length to the next: NULL's -1 is 1<<32-1 here
		// (where int has 64 bits), and the col's int32 is -1 again.
		u := binary.BigEndian.Uint32(body[p:])
		p += 4
		cols[i] = col{uint32(p), int32(u)}
		if u > 0x7fffffff {
			if u != 0xffffffff {
				return false // a negative length other than NULL's
			}
			continue
		}
		end := p + int(u)
		if bits.UintSize == 32 && end < p {
			return false // a length too long took end past the largest int
		}
		p = end // past the body if u is too long: the next check or the last sees it
	}
	return p == len(body)
}

// partialRow returns the size of a DataRow of which the input holds the
// header and only part of the body, 0 for anything else: the declared
// grammar would read the header, check the length against the limit and
// wait for the whole body (LengthPrefixed), so the Decoder says so without
// running it, for the row that every read leaves cut at its end.
func partialRow(in *parse.Input) int {
	var hdr [5]byte
	if !in.PeekInto(hdr[:]) || hdr[0] != 'D' {
		return 0
	}
	n := int(binary.BigEndian.Uint32(hdr[1:]))
	size := 1 + n
	if n < 4 || size > in.Limit()-in.Consumed() || size <= in.Remaining() {
		return 0
	}
	return size
}
