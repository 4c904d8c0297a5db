package http2

import "encoding/binary"

// The Append functions encode frames. They append what they are given:
// keeping a frame within the peer's SETTINGS_MAX_FRAME_SIZE, a header
// block's fragments in order, and stream identifiers valid is the
// caller's part (the Decoder checks all of it on the other side). Each
// panics if the frame's payload would exceed 2^24-1 bytes, which no
// header can declare. Stream identifiers are written with the reserved
// bit cleared.

// AppendPreface appends the client connection preface.
func AppendPreface(dst []byte) []byte { return append(dst, Preface...) }

// AppendHeader appends a frame header.
func AppendHeader(dst []byte, h Header) []byte {
	if h.Length > MaxMaxFrameSize {
		panic("http2: frame payload over 2^24-1 bytes")
	}
	return append(dst, byte(h.Length>>16), byte(h.Length>>8), byte(h.Length), byte(h.Type), byte(h.Flags),
		byte(h.StreamID>>24)&0x7f, byte(h.StreamID>>16), byte(h.StreamID>>8), byte(h.StreamID))
}

// AppendFrame appends a frame of any type with payload as it is, its
// Length set to len(payload): for types this package does not know, or a
// payload made by hand.
func AppendFrame(dst []byte, h Header, payload []byte) []byte {
	h.Length = checkLen(len(payload))
	return append(AppendHeader(dst, h), payload...)
}

func checkLen(n int) uint32 {
	if n > MaxMaxFrameSize {
		panic("http2: frame payload over 2^24-1 bytes")
	}
	return uint32(n)
}

// padded appends a frame whose payload is [pad length] fixed body
// [padding]: the pad length byte and pad zero bytes when flags has
// FlagPadded.
func padded(dst []byte, t FrameType, flags Flags, stream uint32, pad uint8, fixed, body []byte) []byte {
	n := len(fixed) + len(body)
	if flags.Has(FlagPadded) {
		n += 1 + int(pad)
	}
	dst = AppendHeader(dst, Header{Length: checkLen(n), Type: t, Flags: flags, StreamID: stream})
	if flags.Has(FlagPadded) {
		dst = append(dst, pad)
	}
	dst = append(append(dst, fixed...), body...)
	if flags.Has(FlagPadded) {
		for range pad {
			dst = append(dst, 0)
		}
	}
	return dst
}

// AppendData appends a DATA frame. flags may hold FlagEndStream and
// FlagPadded; with FlagPadded, pad zero bytes of padding follow the data.
func AppendData(dst []byte, stream uint32, flags Flags, pad uint8, data []byte) []byte {
	return padded(dst, TypeData, flags, stream, pad, nil, data)
}

func appendPriority(b []byte, p Priority) []byte {
	v := p.StreamDep & (1<<31 - 1)
	if p.Exclusive {
		v |= 1 << 31
	}
	return append(binary.BigEndian.AppendUint32(b, v), p.Weight)
}

// AppendHeaders appends a HEADERS frame with a header block fragment.
// flags may hold FlagEndStream, FlagEndHeaders, FlagPadded (pad zero bytes
// of padding) and FlagPriority (prio is written; otherwise it is ignored).
func AppendHeaders(dst []byte, stream uint32, flags Flags, pad uint8, prio Priority, fragment []byte) []byte {
	var fixed []byte
	var buf [5]byte
	if flags.Has(FlagPriority) {
		fixed = appendPriority(buf[:0], prio)
	}
	return padded(dst, TypeHeaders, flags, stream, pad, fixed, fragment)
}

// AppendPriority appends a PRIORITY frame.
func AppendPriority(dst []byte, stream uint32, prio Priority) []byte {
	dst = AppendHeader(dst, Header{Length: 5, Type: TypePriority, StreamID: stream})
	return appendPriority(dst, prio)
}

// AppendRSTStream appends a RST_STREAM frame.
func AppendRSTStream(dst []byte, stream uint32, code ErrCode) []byte {
	dst = AppendHeader(dst, Header{Length: 4, Type: TypeRSTStream, StreamID: stream})
	return binary.BigEndian.AppendUint32(dst, uint32(code))
}

// AppendSettings appends a SETTINGS frame with the settings in order.
func AppendSettings(dst []byte, settings ...Setting) []byte {
	dst = AppendHeader(dst, Header{Length: checkLen(len(settings) * SettingSize), Type: TypeSettings})
	for _, s := range settings {
		dst = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint16(dst, uint16(s.ID)), s.Val)
	}
	return dst
}

// AppendSettingsAck appends a SETTINGS frame with ACK and no payload.
func AppendSettingsAck(dst []byte) []byte {
	return AppendHeader(dst, Header{Type: TypeSettings, Flags: FlagAck})
}

// AppendPushPromise appends a PUSH_PROMISE frame promising stream
// promised. flags may hold FlagEndHeaders and FlagPadded (pad zero bytes
// of padding).
func AppendPushPromise(dst []byte, stream uint32, flags Flags, pad uint8, promised uint32, fragment []byte) []byte {
	var buf [4]byte
	binary.BigEndian.PutUint32(buf[:], promised&(1<<31-1))
	return padded(dst, TypePushPromise, flags, stream, pad, buf[:], fragment)
}

// AppendPing appends a PING frame, with ACK if ack.
func AppendPing(dst []byte, ack bool, data [8]byte) []byte {
	var f Flags
	if ack {
		f = FlagAck
	}
	return append(AppendHeader(dst, Header{Length: 8, Type: TypePing, Flags: f}), data[:]...)
}

// AppendGoAway appends a GOAWAY frame.
func AppendGoAway(dst []byte, last uint32, code ErrCode, debug []byte) []byte {
	dst = AppendHeader(dst, Header{Length: checkLen(8 + len(debug)), Type: TypeGoAway})
	dst = binary.BigEndian.AppendUint32(dst, last&(1<<31-1))
	return append(binary.BigEndian.AppendUint32(dst, uint32(code)), debug...)
}

// AppendWindowUpdate appends a WINDOW_UPDATE frame (stream 0 for the
// connection's window).
func AppendWindowUpdate(dst []byte, stream, increment uint32) []byte {
	dst = AppendHeader(dst, Header{Length: 4, Type: TypeWindowUpdate, StreamID: stream})
	return binary.BigEndian.AppendUint32(dst, increment&(1<<31-1))
}

// AppendContinuation appends a CONTINUATION frame, with END_HEADERS if
// end.
func AppendContinuation(dst []byte, stream uint32, end bool, fragment []byte) []byte {
	var f Flags
	if end {
		f = FlagEndHeaders
	}
	return AppendFrame(dst, Header{Type: TypeContinuation, Flags: f, StreamID: stream}, fragment)
}
