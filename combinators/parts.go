package combinators

import (
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// DefaultMaxPart is the most payload bytes a message of a [Stream] holds
// when [Parts.MaxPart] is zero: 32 KiB, the size of io.Copy's buffer.
const DefaultMaxPart = 32 << 10

// Parts declares a stream whose payloads may exceed memory: a small state
// machine of head grammars, each head declaring the length of a payload
// that follows it, the payload delivered in parts. An HTTP/1.1 connection
// is one (a request head, then a body of Content-Length bytes or in
// chunks, then the next request head), a chunked body another (a
// chunk-size line, its data, the CRLF and next size line, …, the last
// chunk and its trailers).
//
// A Parts value is a declaration, built once and safe for concurrent use;
// each stream (connection) reads with its own [Stream], from
// [Parts.Stream], which keeps the state between messages.
//
// How parts are cut. The messages of a stream are the same however its
// bytes arrive: a message holds the head read in the current state, if
// the payload before it is finished, and then the next min(left, MaxPart,
// room) bytes of the payload, where left is what the payload still has to
// deliver and room is what the reader's maximum message size leaves after
// the head. So a payload is cut at its own start and then every MaxPart
// bytes (when the limit leaves room for MaxPart after the head, the first
// part too), never at "whatever is buffered", which would depend on the
// chunking.
//
// Latency: a part is delivered when all its bytes have arrived, plus one
// byte more unless the stream is back in [Parts.Start] with no payload
// left (see [Stream.Parse]): a consumer sees payload bytes at most
// MaxPart bytes (and one byte) late. A smaller MaxPart delivers sooner and
// costs more messages.
type Parts[S comparable, H any] struct {
	// Start is the state of a new stream, and the only state in which the
	// input may end cleanly.
	Start S
	// Head returns the grammar of the head read in state s. A Stream
	// calls it when its state changes and keeps the grammar while the
	// state stays (a chunked body's chunks are all read in one state): it
	// must return the same grammar for the same state, declared once (a
	// switch over package variables).
	Head func(s S) parse.TryParse[H]
	// Size returns the length of the payload that follows head h: 0 for
	// none.
	Size func(h H) uint64
	// Next returns the state after a head h read in state s and its
	// payload.
	Next func(s S, h H) S
	// MaxPart bounds the payload bytes of one message. Zero means
	// DefaultMaxPart.
	MaxPart int
	// HeadAlone makes every head a message of its own: its payload starts
	// in the next message. Use it where the head must reach the
	// application before any payload byte arrives (an HTTP request with
	// "Expect: 100-continue"). Such a head is returned as soon as its own
	// bytes have arrived, without the byte after it that other messages
	// wait for (see [Stream.Parse]): input that ends after it ends
	// cleanly for the message reader, and a caller tells that from a
	// truncation by [Stream.Left] and [Stream.State]. Otherwise a head's
	// message holds the first part of its payload, one message fewer for
	// a short payload.
	HeadAlone bool
}

// Part is a message of a [Stream]: a head, a part of a payload, or both.
//
// Data views the input and is valid until the next read from the message
// reader (as every view a message holds; copy it to keep it). Head is what
// the head grammar returned, with the same lifetime as any message of
// that grammar.
type Part[H any] struct {
	// Head is the head read by this message, if HasHead; otherwise the
	// zero value (the head of a payload's later parts was delivered in
	// an earlier message).
	Head H
	// HasHead reports that this message read a head.
	HasHead bool
	// Data is the payload bytes this message holds, possibly none.
	Data seq.Sequence
	// Left is how many bytes of the payload are still to come after
	// Data: 0 in a payload's last part.
	Left uint64
}

// Stream reads the messages of one stream declared by a [Parts], keeping
// the state between them. Its Parse method is the parse.TryParse to hand
// to one message reader (parse.NewReader, parse.Consume).
//
// The state changes only when Parse returns a message, never while a
// message is incomplete: an attempt that needs more input, or fails, leaves
// the state as it found it, so the next attempt, from the same start, sees
// what the first saw. A message reader delivers every message its parser
// returns (or ends the stream with an error), which is what makes a
// successful Parse the right moment: do not nest Parse in a combinator
// that may backtrack past a message it returned (Alt, Opt, Peek). A Stream
// is used by one goroutine at a time; it reads one stream: use a new one,
// or [Stream.Reset], for another.
type Stream[S comparable, H any] struct {
	decl  *Parts[S, H]
	max   uint64
	state S                 // the state in which the next head is read
	after S                 // the state once the payload is delivered
	left  uint64            // payload bytes still to deliver
	head  parse.TryParse[H] // Head(of), kept while the state is of
	of    S
}

// Stream returns a new stream reader in state p.Start. It panics if Head,
// Size or Next is nil, or MaxPart is negative.
func (p *Parts[S, H]) Stream() *Stream[S, H] {
	if p.Head == nil || p.Size == nil || p.Next == nil {
		panic("combinators: Parts needs Head, Size and Next")
	}
	if p.MaxPart < 0 {
		panic("combinators: Parts with a negative MaxPart")
	}
	max := p.MaxPart
	if max == 0 {
		max = DefaultMaxPart
	}
	return &Stream[S, H]{decl: p, max: uint64(max), state: p.Start}
}

// State returns the state in which the stream reads its next head: the
// state after the current payload while one has bytes left.
func (s *Stream[S, H]) State() S {
	if s.left > 0 {
		return s.after
	}
	return s.state
}

// Left returns how many bytes of the current payload are still to come.
func (s *Stream[S, H]) Left() uint64 { return s.left }

// Reset puts the stream back in its start state, with no payload.
func (s *Stream[S, H]) Reset() {
	s.state, s.after, s.left = s.decl.Start, s.decl.Start, 0
}

// headFor returns the head grammar of the current state.
func (s *Stream[S, H]) headFor() parse.TryParse[H] {
	if s.head == nil || s.of != s.state {
		s.head, s.of = s.decl.Head(s.state), s.state
	}
	return s.head
}

// Parse reads the next message: with a payload left, its next part;
// otherwise a head in the current state and, unless [Parts.HeadAlone],
// the first part of the payload it declares. A part is cut as [Parts]
// describes; the bytes of a part are waited for in one piece.
//
// A message after which the input may not end (a payload has bytes left,
// or the state is not Start) is returned only once one more byte has
// arrived, so that input that ends there is a truncated message
// (io.ErrUnexpectedEOF), never a clean end of the stream; a head alone
// ([Parts.HeadAlone]) is the exception.
func (s *Stream[S, H]) Parse(in *parse.Input) (Part[H], error) {
	var part Part[H]
	err := s.ParseTo(in, &part)
	return part, err
}

// ParseTo is [Stream.Parse] writing the message to *dst, for a parser
// that makes its own message type from a Part and would otherwise copy it
// twice: on success *dst is the message; on failure it is left in an
// unspecified state.
func (s *Stream[S, H]) ParseTo(in *parse.Input, dst *Part[H]) error {
	if s.left > 0 {
		k := s.cut(in, s.left)
		left := s.left - k
		data, err := s.take(in, k, left > 0 || s.after != s.decl.Start)
		if err != nil {
			return err
		}
		*dst = Part[H]{Data: data, Left: left}
		s.left = left // the message is complete: commit
		if left == 0 {
			s.state = s.after
		}
		return nil
	}
	h, err := s.headFor()(in)
	if err != nil {
		return err
	}
	n := s.decl.Size(h)
	next := s.decl.Next(s.state, h)
	var k uint64
	if !s.decl.HeadAlone {
		k = s.cut(in, n)
	}
	left := n - k
	// A head alone is returned without waiting for a byte after it: the
	// peer may wait for an answer to the head before it sends the payload
	// (HTTP's Expect: 100-continue). The caller tells an end of input
	// there from a clean one by Left and State.
	data, err := s.take(in, k, !s.decl.HeadAlone && (left > 0 || next != s.decl.Start))
	if err != nil {
		return err
	}
	dst.Head, dst.HasHead, dst.Data, dst.Left = h, true, data, left
	s.left = left // the message is complete: commit
	if left == 0 {
		s.state = next
	} else {
		s.after = next
	}
	return nil
}

// cut returns how many of a payload's n remaining bytes the message being
// parsed takes: at most the maximum part and what the message size limit
// leaves after what the message has read.
func (s *Stream[S, H]) cut(in *parse.Input, n uint64) uint64 {
	room := uint64(max(in.Limit()-in.Consumed(), 0))
	return min(n, s.max, room)
}

// take reads the next k bytes, and with more waits for one byte after
// them too (not read).
func (s *Stream[S, H]) take(in *parse.Input, k uint64, more bool) (seq.Sequence, error) {
	need := int(k)
	if more {
		need++
	}
	if in.Remaining() < need {
		return seq.Sequence{}, in.NeedMore(need)
	}
	data, _ := in.ReadN(int(k))
	return data, nil
}
