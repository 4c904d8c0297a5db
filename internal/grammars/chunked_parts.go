package grammars

import (
	"sync"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// ChunkedPart is a message of a streaming decoder of chunked bodies
// ([ChunkedParts], [ChunkedPartsHand]): a chunk, a part of one, or the end
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

// The states of a stream of chunked bodies.
type chunkState uint8

const (
	chunkBody     chunkState = iota // a body starts: its first chunk-size line
	chunkNext                       // a chunk's data ended: its CRLF, then a chunk-size line
	chunkTrailers                   // the last chunk's size line was read: the trailer section
)

// chunkHead is what a chunk-size line declares (the chunk's size, 0 for
// the last chunk) or, in chunkTrailers, the trailer section.
type chunkHead struct {
	size     uint64
	trailers []Field
}

// chunkedHeads are the head grammars of the streaming decoder, one per
// state, declared once. A size line is the size, fused with the CRLF
// that ends a line without extensions, and in chunkNext with the CRLF
// before it: one pass over the span for most chunks.
var chunkedHeads = sync.OnceValue(func() [3]parse.TryParse[chunkHead] {
	e := chunkedElementsOnce()
	sized := func(n uint64) chunkHead { return chunkHead{size: n} }
	return [3]parse.TryParse[chunkHead]{
		chunkBody:     cb.Map(e.sizeLine, sized),
		chunkNext:     cb.Map(cb.Then(crlf, e.sizeLine), sized),
		chunkTrailers: cb.Map(e.trailers, func(t []Field) chunkHead { return chunkHead{trailers: t} }),
	}
})

// ChunkedParts is a streaming decoder of bodies in the HTTP/1.1 chunked
// transfer coding, one after another on a connection, declared with
// package combinators ([cb.Parts]): the grammar of [ChunkedCombinators],
// delivered a chunk, or a part of one, per message, and the last chunk
// with the trailer section as the final message of a body. It keeps the
// state of one connection: use one per message reader.
//
// A chunk's data is cut at most every maxPart bytes from its start (and
// shorter where the reader's maximum message size leaves less room), so
// the messages are the same however the bytes arrive. The size line (and
// the CRLF that ends the chunk before it) is read in the same message as
// the chunk's first part. A message ends a body, or is followed by at
// least one byte before it is returned, so input that ends inside a body
// is a truncation. A body may be any length; each message is bounded by
// the reader's maximum size, so memory is too. The syntax errors are those
// of ChunkedCombinators, at the same offsets.
type ChunkedParts struct {
	s *cb.Stream[chunkState, chunkHead]
}

// NewChunkedParts returns a decoder for one connection whose chunk parts
// hold at most maxPart bytes (0: cb.DefaultMaxPart).
func NewChunkedParts(maxPart int) *ChunkedParts {
	heads := chunkedHeads()
	p := &cb.Parts[chunkState, chunkHead]{
		Start:   chunkBody,
		Head:    func(s chunkState) parse.TryParse[chunkHead] { return heads[s] },
		Size:    func(h chunkHead) uint64 { return h.size },
		Next:    chunkedNext,
		MaxPart: maxPart,
	}
	return &ChunkedParts{s: p.Stream()}
}

func chunkedNext(s chunkState, h chunkHead) chunkState {
	switch {
	case s == chunkTrailers:
		return chunkBody
	case h.size == 0:
		return chunkTrailers
	}
	return chunkNext
}

// Parse reads the next message; hand it to one message reader.
func (c *ChunkedParts) Parse(in *parse.Input) (ChunkedPart, error) {
	saved := *c.s
	var p cb.Part[chunkHead]
	if err := c.s.ParseTo(in, &p); err != nil {
		return ChunkedPart{}, err
	}
	if c.s.State() != chunkTrailers {
		return ChunkedPart{Data: p.Data}, nil
	}
	// The last chunk's size line: its trailer section is the rest of the
	// body's final message. If it is not all here, the stream goes back
	// to where the message started, as for any message not returned.
	if err := c.s.ParseTo(in, &p); err != nil {
		*c.s = saved
		return ChunkedPart{}, in.Furthest(err)
	}
	return ChunkedPart{Last: true, Trailers: p.Head.trailers}, nil
}

// ChunkedPartsHand is [ChunkedParts] written by hand, without
// combinators: the same messages, the same errors at the same offsets.
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
	if r := in.Remaining(); r <= k {
		return seq.Sequence{}, in.NeedMore(k + 1 - r)
	}
	data, _ := in.ReadN(k)
	return data, nil
}
