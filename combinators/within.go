package combinators

import (
	"math"

	"github.com/sluicego/sluice/parse"
)

// Within reads a length n with length, then runs p on at most the next n
// bytes, and returns f of n, p's value and the number of bytes p consumed:
// a head inside a declared length whose rest is left unread, a payload
// for the caller to take (in parts: see [Parts]). An MQTT PUBLISH packet
// is one: its remaining length covers a topic, a packet identifier and
// properties, and then the application payload, whose length is what
// they leave.
//
// Unlike [LengthPrefixed], Within neither waits for the n bytes nor checks
// them against the maximum message size: only what p reads is buffered,
// so a length of gigabytes costs nothing until the caller takes the
// payload. p runs as in [Bounded]: when n bytes are buffered it sees them
// as final input (an element cut by the bound is a syntax error, not a
// wait for bytes that belong to the payload); when fewer are, it sees
// what is buffered with the input's finality and its need for more input
// passes through. Failures of length and p pass through by the
// furthest-failure rule of [Seq2]. f runs only on success and must be
// pure.
//
//go:noinline
func Within[L Integer, T, R any](length parse.TryParse[L], p parse.TryParse[T], f func(n L, v T, used int) R) parse.TryParse[R] {
	return record(func(in *parse.Input) (R, error) {
		var zero R
		n, err := length(in)
		if err != nil {
			return zero, in.Furthest(err)
		}
		bound := 0 // a negative length declares nothing
		if n > 0 {
			bound = int(min(uint64(n), math.MaxInt))
		}
		at := in.Consumed()
		v, err := parse.Bounded(in, bound, p)
		if err != nil {
			return zero, in.Furthest(err)
		}
		return f(n, v, in.Consumed()-at), nil
	}, mk("Within", kid(length), kid(p)).calls(f))
}
