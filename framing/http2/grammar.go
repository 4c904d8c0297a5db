package http2

import (
	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
)

// head is what a decoder reads before a frame's data: the frame header
// and the fixed fields its type and flags declare.
type head struct {
	h     Header
	fixed uint32 // bytes of fixed fields after the header
	pad   uint8
	prio  Priority
	code  ErrCode // RST_STREAM, GOAWAY
	id    uint32  // PUSH_PROMISE's promised stream, GOAWAY's last stream
	incr  uint32
	ping  [8]byte
}

// dataLen returns the length of the frame's data: its payload less fixed
// fields and padding. checkFixed makes it non-negative.
func (h *head) dataLen() uint32 { return h.h.Length - h.fixed - uint32(h.pad) }

// header9 is the 9-byte frame header (RFC 9113 section 4.1): the 24-bit
// length and the type make the first 32-bit word.
var header9 = cb.Seq3(cb.Uint32BE(), cb.Uint8(), cb.Uint32BE(), func(lt uint32, fl uint8, id uint32) Header {
	return Header{Length: lt >> 8, Type: FrameType(lt), Flags: Flags(fl), StreamID: id & (1<<31 - 1)}
})

// shape names the fixed fields that follow a frame header.
type shape uint8

const (
	shapeNone       shape = iota // DATA, SETTINGS, CONTINUATION, unknown types
	shapePad                     // DATA, HEADERS with PADDED
	shapePrio                    // HEADERS with PRIORITY, PRIORITY
	shapePadPrio                 // HEADERS with PADDED and PRIORITY
	shapePromise                 // PUSH_PROMISE
	shapePadPromise              // PUSH_PROMISE with PADDED
	shapeCode                    // RST_STREAM
	shapeIncrement               // WINDOW_UPDATE
	shapePing                    // PING
	shapeGoAway                  // GOAWAY
)

func depOf(v uint32, w uint8) Priority {
	return Priority{Exclusive: v>>31 != 0, StreamDep: v & (1<<31 - 1), Weight: w}
}

// shapes maps a shape to the grammar of the header and fixed fields.
var shapes = map[shape]parse.TryParse[head]{
	shapeNone: cb.Map(header9, func(h Header) head { return head{h: h} }),
	shapePad: cb.Seq2(header9, cb.Uint8(), func(h Header, p uint8) head {
		return head{h: h, fixed: 1, pad: p}
	}),
	shapePrio: cb.Seq3(header9, cb.Uint32BE(), cb.Uint8(), func(h Header, d uint32, w uint8) head {
		return head{h: h, fixed: 5, prio: depOf(d, w)}
	}),
	shapePadPrio: cb.Seq4(header9, cb.Uint8(), cb.Uint32BE(), cb.Uint8(), func(h Header, p uint8, d uint32, w uint8) head {
		return head{h: h, fixed: 6, pad: p, prio: depOf(d, w)}
	}),
	shapePromise: cb.Seq2(header9, cb.Uint32BE(), func(h Header, id uint32) head {
		return head{h: h, fixed: 4, id: id & (1<<31 - 1)}
	}),
	shapePadPromise: cb.Seq3(header9, cb.Uint8(), cb.Uint32BE(), func(h Header, p uint8, id uint32) head {
		return head{h: h, fixed: 5, pad: p, id: id & (1<<31 - 1)}
	}),
	shapeCode: cb.Seq2(header9, cb.Uint32BE(), func(h Header, c uint32) head {
		return head{h: h, fixed: 4, code: ErrCode(c)}
	}),
	shapeIncrement: cb.Seq2(header9, cb.Uint32BE(), func(h Header, v uint32) head {
		return head{h: h, fixed: 4, incr: v & (1<<31 - 1)}
	}),
	shapePing: cb.Seq2(header9, cb.Uint64BE(), func(h Header, v uint64) head {
		x := head{h: h, fixed: 8}
		for i := range 8 {
			x.ping[i] = byte(v >> (56 - 8*i))
		}
		return x
	}),
	shapeGoAway: cb.Seq3(header9, cb.Uint32BE(), cb.Uint32BE(), func(h Header, last, c uint32) head {
		return head{h: h, fixed: 8, id: last & (1<<31 - 1), code: ErrCode(c)}
	}),
}

// classify returns the shape of the fixed fields after h, or the rule of
// RFC 9113 section 6 that h breaks on its own: the stream a type needs,
// the length a type has.
func classify(h Header) (shape, error) {
	onStream := h.StreamID != 0
	switch h.Type {
	case TypeData:
		if !onStream {
			return 0, ErrStreamZero
		}
		if h.Flags.Has(FlagPadded) {
			return shapePad, lengthAtLeast(h, 1)
		}
		return shapeNone, nil
	case TypeHeaders:
		if !onStream {
			return 0, ErrStreamZero
		}
		s, n := shapeNone, uint32(0)
		switch {
		case h.Flags.Has(FlagPadded | FlagPriority):
			s, n = shapePadPrio, 6
		case h.Flags.Has(FlagPadded):
			s, n = shapePad, 1
		case h.Flags.Has(FlagPriority):
			s, n = shapePrio, 5
		}
		return s, lengthAtLeast(h, n)
	case TypePriority:
		return shapePrio, stream(h, true, 5)
	case TypeRSTStream:
		return shapeCode, stream(h, true, 4)
	case TypeSettings:
		if onStream {
			return 0, ErrStreamNonZero
		}
		if h.Length%SettingSize != 0 || h.Flags.Has(FlagAck) && h.Length != 0 {
			return 0, ErrFrameLength
		}
		return shapeNone, nil
	case TypePushPromise:
		if !onStream {
			return 0, ErrStreamZero
		}
		if h.Flags.Has(FlagPadded) {
			return shapePadPromise, lengthAtLeast(h, 5)
		}
		return shapePromise, lengthAtLeast(h, 4)
	case TypePing:
		return shapePing, stream(h, false, 8)
	case TypeGoAway:
		if onStream {
			return 0, ErrStreamNonZero
		}
		return shapeGoAway, lengthAtLeast(h, 8)
	case TypeWindowUpdate:
		if h.Length != 4 {
			return 0, ErrFrameLength
		}
		return shapeIncrement, nil
	case TypeContinuation:
		if !onStream {
			return 0, ErrStreamZero
		}
	}
	return shapeNone, nil
}

// stream checks the stream rule (a stream needed or stream 0) and an
// exact length.
func stream(h Header, needed bool, n uint32) error {
	switch {
	case needed && h.StreamID == 0:
		return ErrStreamZero
	case !needed && h.StreamID != 0:
		return ErrStreamNonZero
	case h.Length != n:
		return ErrFrameLength
	}
	return nil
}

func lengthAtLeast(h Header, n uint32) error {
	if h.Length < n {
		return ErrFrameLength
	}
	return nil
}

// fixedErr checks the rules on fixed fields: padding within the
// payload, no self-dependency, a non-zero increment, a promised stream.
func (x *head) fixedErr() error {
	h := &x.h
	switch {
	case uint32(x.pad) > h.Length-x.fixed:
		return ErrPadding
	case (h.Type == TypePriority || h.Type == TypeHeaders && h.Flags.Has(FlagPriority)) && x.prio.StreamDep == h.StreamID:
		return ErrSelfDependency
	case h.Type == TypeWindowUpdate && x.incr == 0:
		return ErrZeroIncrement
	case h.Type == TypePushPromise && x.id == 0:
		return ErrPromisedID
	}
	return nil
}

// preface is the client connection preface.
var preface = cb.Tag(ErrPreface, cb.Literal(Preface))
