package dns

import (
	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/internal/memo"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// MaxMessage is the longest message a 2-byte length prefix can declare,
// and the default of Options.MaxMessage.
const MaxMessage = 65535

// Options configure Parser and NewReader. The zero value gives the
// defaults.
type Options struct {
	// MaxMessage bounds a message's length, its 2-byte prefix not
	// counted: a longer one is refused with a *parse.SizeError (matching
	// parse.ErrTooLarge) as soon as its prefix is read. Zero, or a value
	// above MaxMessage, means MaxMessage; a value below HeaderLen means
	// HeaderLen.
	MaxMessage int
}

func (o Options) max() int {
	switch {
	case o.MaxMessage <= 0 || o.MaxMessage > MaxMessage:
		return MaxMessage
	case o.MaxMessage < HeaderLen:
		return HeaderLen
	}
	return o.MaxMessage
}

// framed is what the declared grammar reads: the header, and the whole
// message it starts.
type framed struct {
	h   Header
	raw seq.Sequence
}

// header reads the 12 bytes of a header as one run of fixed-width fields:
// id and flags, then the four counts.
var header = c.Seq2(c.Uint32BE(), c.Uint64BE(), headerOf)

// length reads the 2-byte prefix, refusing one below a header's size.
var length = c.Check(c.Uint16BE(), func(off int64, n uint16) error {
	if n < HeaderLen {
		return &parse.SyntaxError{Offset: off, Msg: "length prefix below 12", Err: ErrShort}
	}
	return nil
})

// grammar is the declared framing of one message of at most max bytes:
// the length prefix, checked against max (and against a header's size)
// before any byte after it is looked at, then the header read in place
// behind it, then the whole message viewed. Each step is one the engine
// fuses (a checked field, a field at an offset, a length and the rest):
// the same grammar as LengthPrefixed(Capped(max+2, length),
// Seq2(Peek(header), Rest(), ...)) without running the body in a bounded
// sub-input, about 6% fewer instructions per message.
func grammar(max int) parse.TryParse[framed] {
	return c.Seq3(c.Peek(c.Capped(max+2, length)), c.Peek(c.Then(c.Take(2), header)),
		c.LengthPrefixed(c.Uint16BE(), c.Map(c.Rest(), func(s seq.Sequence) seq.Sequence { return s })),
		func(_ uint16, h Header, raw seq.Sequence) framed { return framed{h, raw} })
}

// Parser returns the grammar of one message on a TCP stream: its 2-byte
// length prefix and the message, returned as a Message whose question
// section was checked (see the package doc for the rules). A length below
// 12 is a *parse.SyntaxError matching ErrShort at the prefix; one over
// o.MaxMessage a *parse.SizeError, before any byte of the message is
// buffered; a fault in the question section (counts past the message's
// end, a bad label or pointer, a name too long) a *parse.SyntaxError at the
// faulty byte, matching the sentinel. Input that ends inside a message is a
// truncation.
//
// Each Parser has its own scratch memory key: a message that straddles the
// reader's buffers is copied there to be walked, without an allocation
// once the memory has grown to the messages' size.
func Parser(o Options) parse.TryParse[Message] {
	p := grammar(o.max())
	key := parse.NewScratchKey()
	return func(in *parse.Input) (Message, error) {
		f, err := p(in)
		if err != nil {
			return Message{}, err
		}
		m := Message{Header: f.h, Raw: f.raw}
		if f.raw.IsSingleSegment() {
			m.b = f.raw.First()
		} else {
			m.b = f.raw.AppendTo(parse.Scratch[byte](in, key, f.raw.Len()))
		}
		end, first, bad, err := checkQuestions(m.b, m.QDCount)
		if err != nil {
			return Message{}, &parse.SyntaxError{Offset: in.Offset() - int64(len(m.b)) + int64(bad),
				Msg: "bad question section", Err: err}
		}
		m.qend, m.q1 = end, first
		return m, nil
	}
}

// NewReader returns a message reader over src for messages of at most
// o.MaxMessage bytes: Next and All return one Message per length-prefixed
// message, valid until the next read.
//
// Readers with the same limit share one parser, declared when the first of
// them is made: a parser holds no state of its own (a reader keeps the
// scratch memory), and declaring the grammar costs more than a message
// over a connection that carries one query (TestNewReaderShares).
func NewReader(src pipe.Reader, o Options) *parse.Reader[Message] {
	return parse.NewReader(src, shared(o.max()), parse.Options{MaxMessageSize: o.max() + 2})
}

// parsers holds the parsers that readers share, by limit.
var parsers memo.Table[int, parse.TryParse[Message]]

// shared returns the parser of the limit max that readers share.
func shared(max int) parse.TryParse[Message] {
	return parsers.Get(max, func(max int) parse.TryParse[Message] { return Parser(Options{MaxMessage: max}) })
}
