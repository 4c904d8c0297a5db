package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// Counted reads a count with count, then exactly that many elements with
// p, and returns them: a RESP array's "*3\r\n" and its three values, a
// binary list after its uint16 length, declared without a Bind closure.
// The count is checked before any element is read: a negative one is a
// [*parse.SyntaxError] at the count's first byte with Err [ErrRange], and
// one larger than the bytes left within the maximum message size is a
// [*parse.SizeError] at once, since every element must consume at least
// one byte (an element that consumes nothing is a syntax error, "repeated
// element matched no input"). So a peer's "*9999999999\r\n" costs one
// error, neither a wait nor a large allocation: the slice is allocated
// no larger than the buffered input. Failures of count and p pass
// through, by the furthest-failure rule of [Seq2]; input that ends before
// the last element is a truncation. Like [Many], Counted resumes after the
// elements of the last attempt on the message (the count is read again).
//
//go:noinline
func Counted[L Integer, T any](count parse.TryParse[L], p parse.TryParse[T]) parse.TryParse[[]T] {
	return record(counted(count, p, nil), mk("Counted", kid(count), kid(p)))
}

// CountedScratch is [Counted] with the elements in the message reader's
// scratch storage ([parse.Scratch]) instead of a slice allocated per
// message: the slice it returns is valid until the next read from the
// message reader, like the message's views of the input, and its memory
// then holds the next message's elements. It is for a message whose
// elements are used before the next read (a command's arguments, a
// reply's fields); keep one by copying it. Reading a message costs no
// allocation once the storage has grown to the messages' size, also when
// the message arrives in pieces: a slice that outgrows the buffered input
// grows in the storage, and an attempt that runs short records it there. Outside a message reader (an Input from
// [parse.NewInput]) the slice is allocated and owned by the caller. Its
// bounds, errors and streaming behaviour are Counted's.
//
//go:noinline
func CountedScratch[L Integer, T any](count parse.TryParse[L], p parse.TryParse[T]) parse.TryParse[[]T] {
	return record(counted(count, p, &scratchKeys{elems: parse.NewScratchKey(), box: parse.NewScratchKey()}),
		mk("CountedScratch", kid(count), kid(p)))
}

// counted is Counted, collecting the elements in scratch storage unless
// sk is nil.
func counted[L Integer, T any](count parse.TryParse[L], p parse.TryParse[T], sk *scratchKeys) parse.TryParse[[]T] {
	key := parse.NewRepeatKey()
	pi := recordedInto(p) // nil unless fusion is on
	sub := twoByteCases(p, pi)
	return func(in *parse.Input) ([]T, error) {
		off := in.Offset()
		c, err := count(in)
		if err != nil {
			return nil, in.Furthest(err)
		}
		if c < 0 {
			return nil, in.Furthest(&parse.SyntaxError{Offset: off, Msg: "negative count " + strconv.FormatInt(int64(c), 10), Err: ErrRange})
		}
		if at := in.Consumed(); at > in.Limit() || uint64(c) > uint64(in.Limit()-at) {
			return nil, in.TooLarge()
		}
		n := int(c)
		if n == 0 {
			return nil, nil
		}
		// The elements resume after the count, which is read again: it is
		// short, and reading it keeps its errors where they are.
		if pi != nil {
			return repeatInto(in, key, pi, sub, n, min(n, in.Remaining()), true, sk)
		}
		return repeatN(in, key, p, n, min(n, in.Remaining()), true, sk)
	}
}

// startN returns where a repetition of Count or Counted starts: after the
// elements of the last attempt on the message if it ran short (see
// [parse.Input.ResumeRepeat]), else at 0 with an empty slice of capacity
// size, in the message reader's scratch storage when sk is given.
func startN[T any](in *parse.Input, key *parse.RepeatKey, size int, sk *scratchKeys) (int, []T) {
	if k, box, ok := in.ResumeRepeat(key); ok {
		return k, resumed[T](box)
	}
	if sk != nil {
		return 0, parse.Scratch[T](in, sk.elems, size)
	}
	return 0, make([]T, 0, size)
}

// repeatN reads exactly n elements with p for Count and Counted, going on
// after the elements of the last attempt on the message when it ran short
// (see [parse.Input.ResumeRepeat]). size is the new slice's capacity; with
// progress, an element that consumes nothing is a syntax error. With
// scratch keys sk the slice is in the message reader's scratch storage
// ([parse.Scratch]), and so is a resume point's record of it; without, it
// is allocated.
func repeatN[T any](in *parse.Input, key *parse.RepeatKey, p parse.TryParse[T], n, size int, progress bool, sk *scratchKeys) ([]T, error) {
	from := in.Consumed()
	i, out := startN[T](in, key, size, sk)
	for ; i < n; i++ {
		start := in.Consumed()
		v, err := p(in)
		if err != nil {
			shortSlice(in, key, sk, err, from, start, i, out)
			return nil, in.Furthest(err)
		}
		if progress && in.Consumed() == start {
			return nil, in.Furthest(noProgress(in))
		}
		if sk != nil && len(out) == cap(out) {
			out = scratchGrow(in, sk, out, n)
		}
		out = append(out, v)
	}
	return out, nil
}

// scratchKeys are the scratch storage of a repetition whose slice lives
// there: the elements, and the slice's record when an attempt runs short.
type scratchKeys struct {
	elems, box *parse.ScratchKey
}

// resumed returns the slice a resume point holds: boxed, or, for a
// repetition in scratch storage, through a pointer there.
func resumed[T any](box any) []T {
	if p, ok := box.(*[]T); ok {
		return *p
	}
	return box.([]T)
}

// shortSlice is shortRepeat for a repetition that collects a slice: in
// scratch storage (sk not nil) the slice is recorded through a pointer to
// a copy of it there, so that a message that straddles reads costs no
// allocation to box it.
//
//go:noinline
func shortSlice[T any](in *parse.Input, key *parse.RepeatKey, sk *scratchKeys, err error, from, to, n int, out []T) {
	if sk == nil {
		shortRepeat(in, key, err, from, to, n, out)
		return
	}
	if n > 0 && !in.Final() && classify(err) == short {
		if bp := parse.ScratchValue[[]T](in, sk.box); bp != nil {
			*bp = out
			in.RepeatShort(key, from, to, n, bp)
		}
	}
}

// scratchGrow returns out with room for one more of at most n elements,
// in scratch storage: a message whose elements were not all buffered when
// its slice was taken (its size is bounded by the buffered input) grows it
// there, doubling, rather than on the heap. The storage it leaves is
// reused with the rest at the next message.
func scratchGrow[T any](in *parse.Input, sk *scratchKeys, out []T, n int) []T {
	grown := parse.Scratch[T](in, sk.elems, min(n, max(2*cap(out), 4)))
	return append(grown, out...)
}
