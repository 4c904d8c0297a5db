package grammars

import (
	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// ChunkedPart is a message of the hand-written streaming decoder of
// chunked bodies ([ChunkedPartsHand]): a chunk, a part of one, or the end
// of a body. The decoded body is the Data of its messages, in order, up to
// and including the one with Last set.
//
// Data views the input and is valid until the next read from the message
// reader that returned it. It is empty only in a body's last message.
// Trailers are copies owned by the caller, as in [Chunked]: a trailer is
// read once per body, and a checksum or a status in it is typically used
// after the body's parts are gone; views would save two small allocations
// per field and move that copy to the caller.
type ChunkedPart struct {
	Data     seq.Sequence
	Last     bool    // the last chunk and the trailer section were read: the body ends
	Trailers []Field // the trailer fields, in the last message only
}

// ChunkedPartsHand is a streaming decoder of chunked bodies written by
// hand, without combinators: the reference that framing/http1's
// ChunkedDecoder is tested against (the same parts, the same end of
// input) and a contender in bench/. A body's data is cut at most every
// maxPart bytes from a chunk's start, and shorter where the reader's
// maximum message size leaves less room.
type ChunkedPartsHand struct {
	max  int
	next bool   // a chunk's data ended: its CRLF comes first
	left uint64 // data bytes of the current chunk still to deliver
}

// NewChunkedPartsHand returns a decoder for one connection whose chunk
// parts hold at most maxPart bytes (0: cb.DefaultMaxPart).
func NewChunkedPartsHand(maxPart int) *ChunkedPartsHand {
	if maxPart == 0 {
		maxPart = cb.DefaultMaxPart
	}
	return &ChunkedPartsHand{max: maxPart}
}

// Parse reads the next message; hand it to one message reader.
func (c *ChunkedPartsHand) Parse(in *parse.Input) (ChunkedPart, error) {
	if c.left > 0 {
		k := min(c.left, uint64(c.max), uint64(in.Limit()))
		data, err := handTake(in, int(k))
		if err != nil {
			return ChunkedPart{}, err
		}
		c.left -= k
		if c.left == 0 {
			c.next = true
		}
		return ChunkedPart{Data: data}, nil
	}
	if c.next {
		if err := readCRLF(in); err != nil {
			return ChunkedPart{}, err
		}
	}
	n, err := chunkHandSize(in)
	if err != nil {
		return ChunkedPart{}, err
	}
	if n == 0 {
		trailers, err := chunkHandTrailers(in)
		if err != nil {
			return ChunkedPart{}, err
		}
		c.next = false
		return ChunkedPart{Last: true, Trailers: trailers}, nil
	}
	k := min(n, uint64(c.max), uint64(max(in.Limit()-in.Consumed(), 0)))
	data, err := handTake(in, int(k))
	if err != nil {
		return ChunkedPart{}, err
	}
	c.left, c.next = n-k, n == k
	return ChunkedPart{Data: data}, nil
}

// handTake reads the next k bytes of a chunk's data once one byte after
// them has arrived too: the body goes on after them.
func handTake(in *parse.Input, k int) (seq.Sequence, error) {
	if in.Remaining() <= k {
		return seq.Sequence{}, in.NeedMore(k + 1)
	}
	data, _ := in.ReadN(k)
	return data, nil
}
