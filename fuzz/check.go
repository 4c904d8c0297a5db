package fuzz

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/pipe"
)

// noChunking is what a report says when the problem shows without
// cutting the input at all.
const noChunking = "minimal chunking: none, the whole input in one read"

// maxShrinkRuns bounds the runs spent looking for a smaller chunking that
// shows a problem.
const maxShrinkRuns = 2000

// Check feeds input to d twice through a real pipe: whole and already
// complete, then in the chunks that cuts makes (strictly increasing offsets
// in (0, len(input))), each chunk delivered in a segment of its own when
// the decoder would otherwise wait, and the end of input after the last
// chunk. It fails t if a run panics (a stale view of recycled memory
// panics), hangs, waits for more input while keeping more than
// MaxMessageSize+1 bytes (see [Options]), breaks the consumed <= examined
// <= buffered rule, returns without completing its reader, or reports
// parse.ErrNoProgress; and if the chunked run's messages or error differ
// from the whole run's.
//
// A failure names the problem, the smallest chunking (found by removing
// cuts one by one) that still shows it, and a diff of the messages, one
// line per message: "-" for the whole run's only, "+" for the chunked
// run's only, with its index. A seq.Sequence is written as a Go-quoted
// string, a []byte as one when more than half of its bytes are printable
// text and as hex"..." otherwise, long values cut short.
// Check returns the whole run's outcome, for further assertions.
func Check[T any](t TB, d Decoder[T], input []byte, cuts []int, o Options[T]) Outcome[T] {
	helper(t)
	return checkEach(t, d, input, [][]int{cuts}, o)
}

// checkEach runs d on the whole input once, then in each chunking of
// cutSets, and fails t at the first problem, as Check describes.
func checkEach[T any](t TB, d Decoder[T], input []byte, cutSets [][]int, o Options[T]) Outcome[T] {
	helper(t)
	whole, p := run(d, input, nil, true, o)
	if p != nil {
		t.Fatalf("%s%s with the whole input fed at once: %s\n%s\ninput: %s", o.prefix(), p.kind, p.msg, noChunking, quote(input))
		return whole
	}
	fail := func(cuts []int) *failure[T] {
		got, p := run(d, input, cuts, false, o)
		if p != nil {
			return &failure[T]{problem: *p, cuts: cuts}
		}
		if !same(whole, got, o) {
			return &failure[T]{problem: problem{kind: Mismatch}, cuts: cuts, got: got}
		}
		return nil
	}
	for _, cuts := range cutSets {
		if f := fail(cuts); f != nil {
			f = shrink(f, fail)
			if f.kind == Mismatch {
				// Described once, for the chunking reported.
				f.msg = describe(whole, f.got, o)
			}
			t.Fatalf("%s%s", o.prefix(), f.report(input))
			return whole
		}
	}
	return whole
}

// Fuzz is [Check] for a fuzz target that fuzzes the chunking too: cuts is
// the second fuzzed argument, decoded by [DecodeCuts].
//
//	func FuzzDecoder(f *testing.F) {
//		f.Add([]byte("PING\r\n"), []byte{2})
//		f.Fuzz(func(t *testing.T, data, cuts []byte) {
//			fuzz.Fuzz(t, fuzz.Parser(myParser), data, cuts, fuzz.Options[Msg]{})
//		})
//	}
//
// With the environment variable SLUICE_FUZZ_BARE=1, Fuzz checks nothing:
// it runs the decoder once over data, whole, and returns its messages
// (viewing data) and error. Comparing a target's executions per second
// with and without it measures what the checks cost (docs/fuzzing.md).
func Fuzz[T any](t TB, d Decoder[T], data, cuts []byte, o Options[T]) Outcome[T] {
	helper(t)
	if bareFuzz {
		return runBare(d, data, o)
	}
	return Check(t, d, data, DecodeCuts(cuts, len(data)), o)
}

// bareFuzz is SLUICE_FUZZ_BARE=1 (see Fuzz).
var bareFuzz = os.Getenv("SLUICE_FUZZ_BARE") == "1"

// runBare runs d over data as a bare fuzz target would.
func runBare[T any](d Decoder[T], data []byte, o Options[T]) (out Outcome[T]) {
	out.Err = d(context.Background(), pipe.FromBytes(data), o.limit(), func(m T) { out.Messages = append(out.Messages, m) })
	return out
}

// DecodeCuts turns fuzzed bytes into cut offsets for an input of n bytes:
// each byte b is a chunk of b+1 bytes, and what follows the last one is the
// last chunk. Any bytes give valid cuts.
func DecodeCuts(b []byte, n int) []int {
	var cuts []int
	at := 0
	for _, c := range b {
		at += int(c) + 1
		if at >= n {
			break
		}
		cuts = append(cuts, at)
	}
	return cuts
}

// EncodeCuts is the inverse of [DecodeCuts], for seeding a fuzz corpus with
// a chosen chunking: it returns the bytes that decode to cuts. A chunk
// longer than 256 bytes cannot be expressed and is cut every 256 bytes.
func EncodeCuts(cuts []int) []byte {
	var b []byte
	at := 0
	for _, c := range cuts {
		for c-at > 256 {
			b = append(b, 255)
			at += 256
		}
		b = append(b, byte(c-at-1))
		at = c
	}
	return b
}

// CheckChunkings runs [Check] over a fixed set of chunkings of input: no
// cuts, every byte its own chunk (inputs up to 4 KiB), a cut at every
// single offset (at 64 offsets spread over longer inputs), and chunks of
// 2, 3, 7 and 64 bytes. It also gives the decoder the whole input in one
// read as a sequence of segments laid out in several ways (one byte per
// segment with empty segments between, thirds, and segments whose memory
// holds foreign bytes around the input, which a search that reads past
// either end finds), and compares. It stops at the first failure.
func CheckChunkings[T any](t TB, d Decoder[T], input []byte, o Options[T]) Outcome[T] {
	helper(t)
	whole := checkEach(t, d, input, Chunkings(len(input)), o)
	for _, c := range segtest.Segmentations(input) {
		if strings.HasPrefix(c.Name, "split/") {
			continue // the chunkings cut at every offset already
		}
		got, p := runSequence(d, c.Seq, o)
		if p == nil && !same(whole, got, o) {
			p = &problem{Mismatch, describe(whole, got, o)}
		}
		if p != nil {
			t.Fatalf("%s%s when the input is read at once from the segmentation %q: %s\ninput (%d bytes): %s",
				o.prefix(), p.kind, c.Name, p.msg, len(input), quote(input))
			return whole
		}
	}
	return whole
}

// Chunkings returns the cut sets [CheckChunkings] uses for an input of n
// bytes.
func Chunkings(n int) [][]int {
	every := func(step int) []int {
		var cuts []int
		for i := step; i < n; i += step {
			cuts = append(cuts, i)
		}
		return cuts
	}
	all := [][]int{nil}
	if n <= 1<<12 {
		all = append(all, every(1))
	}
	stride := max(1, n/64)
	last := 0
	for i := 1; i < n; i += stride {
		all, last = append(all, []int{i}), i
	}
	if n > 1 && last != n-1 {
		all = append(all, []int{n - 1})
	}
	for _, step := range []int{2, 3, 7, 64} {
		if step < n {
			all = append(all, every(step))
		}
	}
	return all
}

// CheckRoundTrip encodes values with enc into one input, checks it as
// [CheckChunkings] does, and fails t unless the decoder gives back exactly
// values and no error. CheckChunkings runs the decoder over dozens of
// chunkings, as many as the input has bytes for some: in a fuzz target,
// where every execution counts, use [RoundTrip].
func CheckRoundTrip[T any](t TB, d Decoder[T], enc func(dst []byte, v T) []byte, values []T, o Options[T]) {
	helper(t)
	input := encodeAll(enc, values)
	checkDecoded(t, values, input, CheckChunkings(t, d, input, o), o)
}

// RoundTrip is [CheckRoundTrip] for a fuzz target: the encoded values are
// checked as [Fuzz] checks an input, whole and in the one chunking that
// cuts chooses (decoded by [DecodeCuts]), and the decoder must give back
// exactly values and no error.
func RoundTrip[T any](t TB, d Decoder[T], enc func(dst []byte, v T) []byte, values []T, cuts []byte, o Options[T]) {
	helper(t)
	input := encodeAll(enc, values)
	checkDecoded(t, values, input, Fuzz(t, d, input, cuts, o), o)
}

func encodeAll[T any](enc func(dst []byte, v T) []byte, values []T) []byte {
	var input []byte
	for _, v := range values {
		input = enc(input, v)
	}
	return input
}

// checkDecoded fails t unless out holds exactly values and no error.
func checkDecoded[T any](t TB, values []T, input []byte, out Outcome[T], o Options[T]) {
	helper(t)
	if out.Err != nil {
		t.Fatalf("%sdecoding the encoded values failed: %v\n%s\ninput: %s", o.prefix(), out.Err, noChunking, quote(input))
		return
	}
	if len(values) == 0 && len(out.Messages) == 0 {
		return // nil and empty lists alike
	}
	if !Equal(values, out.Messages, o.Cmp...) {
		opts := o.cmpOptions()
		diff := diffMessages(values, out.Messages, func(a, b T) bool { return cmp.Equal(a, b, opts...) })
		if diff == "" {
			diff = noneApart
		}
		t.Fatalf("%sdecoded values differ from the encoded ones (-encoded +decoded):\n%s\n%s\ninput: %s", o.prefix(), diff, noChunking, quote(input))
	}
}

// Prop runs a check as the body of a gopter property, which passes when it
// returns "": it returns the failure message that check reported through
// its TB, or "".
//
//	properties.Property("chunking", prop.ForAll(func(in []byte, cuts []int) string {
//		return fuzz.Prop(func(t fuzz.TB) { fuzz.Check(t, dec, in, cuts, opts) })
//	}, fuzz.GenShaped(shape), ...))
func Prop(check func(t TB)) (failure string) {
	r := &recorder{}
	done := make(chan struct{})
	// Run check on a goroutine of its own so that Fatalf can end it with
	// runtime.Goexit, as testing.T's does, whatever check does after it.
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.msg
}

// recorder is the TB that Prop gives a check.
type recorder struct{ msg string }

func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func helper(t TB) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// failure is a run that showed a problem, with the chunking that showed it.
type failure[T any] struct {
	problem
	cuts []int
	got  Outcome[T] // a Mismatch's chunked outcome, described once shrunk
}

// shrink removes cuts one at a time while the problem stays of the same
// kind, until no single cut can go, within maxShrinkRuns runs.
func shrink[T any](f *failure[T], fail func([]int) *failure[T]) *failure[T] {
	runs := 0
	for changed := true; changed && runs < maxShrinkRuns; {
		changed = false
		for i := 0; i < len(f.cuts) && runs < maxShrinkRuns; i++ {
			fewer := append(append([]int(nil), f.cuts[:i]...), f.cuts[i+1:]...)
			runs++
			if g := fail(fewer); g != nil && g.kind == f.kind {
				f, changed = g, true
				i--
			}
		}
	}
	return f
}

// report describes the failure for a test log.
func (f *failure[T]) report(input []byte) string {
	var b strings.Builder
	chunks := "1 chunk"
	if len(f.cuts) > 0 {
		chunks = fmt.Sprintf("%d chunks", len(f.cuts)+1)
	}
	fmt.Fprintf(&b, "%s when the input arrives in %s: %s\n", f.kind, chunks, f.msg)
	fmt.Fprintf(&b, "minimal chunking: cuts %#v, chunks", f.cuts)
	for _, c := range Chunks(input, f.cuts) {
		fmt.Fprintf(&b, " %s", quote(c))
	}
	fmt.Fprintf(&b, "\ninput (%d bytes): %s", len(input), quote(input))
	return b.String()
}

// same reports whether got has the messages and the error of want.
func same[T any](want, got Outcome[T], o Options[T]) bool {
	return sameError(want.Err, got.Err) && Equal(want.Messages, got.Messages, o.Cmp...)
}

// noneApart is what a diff says when the message lists differ only as a
// whole (an Options.Cmp option on the list, such as one that sorts it).
const noneApart = "  (no message differs on its own: the lists differ as a whole under Options.Cmp)"

// describe says how got differs from want: a diff of the messages, one
// line each (see diffMessages and renderer), and the errors.
func describe[T any](want, got Outcome[T], o Options[T]) string {
	var b strings.Builder
	b.WriteString("the chunked input gave another result than the whole input")
	if opts := o.cmpOptions(); !cmp.Equal(want.Messages, got.Messages, opts...) {
		diff := diffMessages(want.Messages, got.Messages, func(a, c T) bool { return cmp.Equal(a, c, opts...) })
		if diff == "" {
			diff = noneApart
		}
		fmt.Fprintf(&b, "\nmessages (-whole +chunked):\n%s", diff)
	}
	if we, ge := errText(want.Err), errText(got.Err); we != ge {
		fmt.Fprintf(&b, "\nerror: whole %s, chunked %s", we, ge)
	}
	return b.String()
}

// sameError reports whether two runs ended with the same error text.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Error() == b.Error()
}

func errText(err error) string {
	if err == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", err.Error())
}

// quote shows bytes as a Go string literal, cut short past 200 bytes.
func quote(b []byte) string {
	const max = 200
	if len(b) > max {
		return fmt.Sprintf("%q...(%d more bytes)", b[:max], len(b)-max)
	}
	return fmt.Sprintf("%q", b)
}
