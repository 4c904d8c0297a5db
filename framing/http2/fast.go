package http2

import "encoding/binary"

// fixedSize is the length of the fixed fields of each shape.
var fixedSize = [...]int{
	shapeNone: 0, shapePad: 1, shapePrio: 5, shapePadPrio: 6, shapePromise: 4, shapePadPromise: 5,
	shapeCode: 4, shapeIncrement: 4, shapePing: 8, shapeGoAway: 8,
}

// headAt is fastHead into d.fast for the bytes b at stream offset at,
// answered from d.fast itself if it holds the frame cut there (see
// Decoder.cutAt).
func (d *Decoder) headAt(at int64, b []byte) (int, bool) {
	if at == d.cutAt && len(b) >= d.cutN {
		return d.cutN, true
	}
	d.cutAt = -1 // d.fast is overwritten
	return d.fastHead(b, &d.fast)
}

// fastHead reads a frame header and its fixed fields into x by hand when they
// lie whole in b and break no rule: the common case, without the
// declared grammar's layers. It returns ok false for anything else, valid
// or not, which the declared grammar (d.frame) then reads;
// TestFastPath and the fuzz targets check that both read the same.
func (d *Decoder) fastHead(b []byte, x *head) (int, bool) {
	if len(b) < HeaderSize {
		return 0, false
	}
	lt := binary.BigEndian.Uint32(b)
	h := Header{Length: lt >> 8, Type: FrameType(lt), Flags: Flags(b[4]), StreamID: binary.BigEndian.Uint32(b[5:]) & (1<<31 - 1)}
	// Most frames are DATA without padding or HEADERS with neither padding
	// nor priority, on a stream, after the first frame and outside a header
	// block: no fixed fields, and of the rules only the maximum frame size
	// and, for HEADERS, the header block's bound apply. (A DATA frame with
	// the PRIORITY bit, which means nothing on DATA, takes the way below.)
	if (h.Type == TypeData || h.Type == TypeHeaders && uint64(h.Length) <= d.maxBlock) &&
		h.Flags&(FlagPadded|FlagPriority) == 0 && h.StreamID != 0 && h.Length <= d.maxFrame && d.started && !d.inBlock {
		*x = head{h: h}
		return HeaderSize, true
	}
	s, err := d.classify(h)
	if err != nil {
		return 0, false
	}
	n := HeaderSize + fixedSize[s]
	if len(b) < n {
		return 0, false
	}
	*x = head{h: h, fixed: uint32(fixedSize[s])}
	f := b[HeaderSize:n]
	switch s {
	case shapePad:
		x.pad = f[0]
	case shapePrio:
		x.prio = depOf(binary.BigEndian.Uint32(f), f[4])
	case shapePadPrio:
		x.pad, x.prio = f[0], depOf(binary.BigEndian.Uint32(f[1:]), f[5])
	case shapePromise:
		x.id = binary.BigEndian.Uint32(f) & (1<<31 - 1)
	case shapePadPromise:
		x.pad, x.id = f[0], binary.BigEndian.Uint32(f[1:])&(1<<31-1)
	case shapeCode:
		x.code = ErrCode(binary.BigEndian.Uint32(f))
	case shapeIncrement:
		x.incr = binary.BigEndian.Uint32(f) & (1<<31 - 1)
	case shapePing:
		x.ping = [8]byte(f)
	case shapeGoAway:
		x.id, x.code = binary.BigEndian.Uint32(f)&(1<<31-1), ErrCode(binary.BigEndian.Uint32(f[4:]))
	}
	if d.fixedErr(x) != nil {
		return 0, false
	}
	return n, true
}
