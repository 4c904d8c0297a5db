// Package fuzz helps users property-test and fuzz their own streaming
// decoders, the way net/http/httptest helps them test HTTP handlers. Import
// it from test files only.
//
// The bugs it looks for are the ones streaming decoders really have: a
// different result when the input arrives in different pieces, a message
// lost at the end of input, a hang, unbounded buffering, a message that
// views memory the pipe has recycled, and consumed/examined bookkeeping
// that breaks the pipe's rules.
//
// The harness: [Check] feeds an input to a [Decoder] through a real
// pipe twice, whole and in chunks, and compares; [Fuzz] is the same with
// the chunking fuzzed too, for go test -fuzz:
//
//	func FuzzDecoder(f *testing.F) {
//		f.Add([]byte("SET a 1\r\n"), []byte{3})
//		f.Fuzz(func(t *testing.T, data, cuts []byte) {
//			fuzz.Fuzz(t, fuzz.Parser(myParser), data, cuts, fuzz.Options[Command]{})
//		})
//	}
//
// A failure names the problem ([Kind]), the smallest chunking that shows
// it, and a diff of the messages, one line each, written the same in every
// run: a seq.Sequence as a Go-quoted string, a []byte as one if more than
// half of it is printable text and as hex"..." otherwise (see
// docs/property-testing.md).
//
// Property checks: [Check], [CheckChunkings] and [CheckRoundTrip] take a
// [TB], which *testing.T and *rapid.T implement and [Prop] provides for
// gopter, so one check runs from a plain test, a rapid property (also as a
// fuzz target through rapid.MakeFuzz) and a gopter property. rapid
// generators ([Cuts], [Shaped]) and gopter generators ([GenCuts],
// [GenShaped]) draw chunkings and protocol-shaped input.
//
// The guides docs/property-testing.md and docs/fuzzing.md walk through a
// complete example.
package fuzz
