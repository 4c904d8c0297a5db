// Package framing cuts a byte stream into frames by the generic rules most
// protocols are built on: lines, delimiters, fixed sizes, netstrings, length
// fields and uvarint-delimited messages.
//
// Each framing is a [parse.TryParse] declared with package combinators, to
// be read with [parse.NewReader] over any pipe reader, and has an encoder
// that appends a frame to a []byte and one that writes it into a
// [pipe.Writer]. Frames are views of the reader's memory ([seq.Sequence]),
// valid until the next read; copy one (String, Bytes) to keep it.
//
// A parser holds no state of a stream's, so one serves any number of
// message readers at once, and Lines, Netstring, Fixed, LengthField and
// UvarintDelimited return the same parser for the same options, declared
// on their first call: a reader per connection costs the reader, not a
// grammar's declaration. (Delimited, whose options hold a slice, declares
// one per call: keep it.)
//
// Every framing has a maximum on by default (a line of [DefaultMaxLine]
// bytes, a netstring of [DefaultMaxNetstring], a length-field frame of
// [DefaultMaxFrame], a uvarint-delimited message of
// [DefaultMaxUvarintMessage]): a frame over it is a
// [*TooLongError] (matching [ErrTooLong] and parse.ErrTooLarge) as soon as
// that is known, a declared length before any byte of the frame is
// buffered, a line when the search passes the maximum. [LineStream] drops an
// over-long line and goes on with the next one instead. The reader's
// maximum message size applies as well. Options are usable at their zero
// value. docs/framing.md and docs/lengthfield.md have the wire layouts,
// the rules and the errors.
//
// Packages beneath this one frame particular protocols.
package framing
