package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// Many runs p repeatedly and returns the values in order: at least min of
// them and at most max (max < 0: no bound). It stops without error when p
// fails with a syntax error, or needs more input on final input; the cursor
// is then rewound to the start of that element, and the failure is kept
// ([parse.Input.Dismiss]): if the message fails later, nearer, the error is
// that element's, and an element that ran into the end of final input
// makes the message truncated rather than the next parser's syntax error.
// When p needs more input on non-final input, so does Many: the next
// element may still arrive, so repetition at the end of non-final input
// asks for more; the next attempt on the message, when more bytes have
// come, resumes after the values already read instead of reading them
// again ([parse.Input.ResumeRepeat]), so a message of many parts arriving
// in small pieces costs time linear in its length. Once max values are
// read Many stops without looking further. If it stops with fewer than min
// values it returns the error of the element that failed (by the
// furthest-failure rule). An element
// that succeeds without consuming input is a syntax error (it would repeat
// forever). Size errors pass through. The slice is allocated as it grows;
// [Fold] does the same work without it. Like [Alt], Many learns the first
// bytes p can start with on first use, and once it has min values it stops
// without running p when the next byte rules p out. Many panics if min < 0
// or 0 <= max < min.
//
//go:noinline
func Many[T any](p parse.TryParse[T], min, max int) parse.TryParse[[]T] {
	checkBounds("Many", min, max)
	return Fold(p, min, max, []T(nil), func(out []T, v T) []T { return append(out, v) })
}

// Fold is [Many] without the slice: it starts from init and combines each
// value into the accumulator with step, in order, and returns the result.
// Its bounds, stopping rules, errors and streaming behaviour are Many's.
// A resumed attempt restores the accumulator and does not run step again
// for the elements it skips, but an attempt that completed the repetition
// and then ran short elsewhere is parsed again, step included: step must
// not have side effects that outlive the parse.
//
//go:noinline
func Fold[T, A any](p parse.TryParse[T], min, max int, init A, step func(A, T) A) parse.TryParse[A] {
	checkBounds("Fold", min, max)
	var ps starts
	key := parse.NewRepeatKey()
	return func(in *parse.Input) (A, error) {
		var zero A
		acc := init
		set := ps.set.Load()
		if set == nil {
			set = learn(&ps, p)
		}
		from, n := in.Consumed(), 0
		if k, box, ok := in.ResumeRepeat(key); ok {
			n = k
			acc, _ = box.(A) // a nil interface boxes as nil
		}
		for ; max < 0 || n < max; n++ {
			if set != nil && n >= min {
				if b, ok := in.Peek(); rulesOut(set, b, ok) {
					set.expect(in, b)
					break
				}
			}
			start := in.Consumed()
			v, err := p(in)
			if err != nil {
				if !recoverable(in, err) {
					shortRepeat(in, key, err, from, start, n, acc)
					return zero, err
				}
				in.Rewind(in.Consumed() - start) // back to start
				if n < min {
					return zero, in.Furthest(err)
				}
				in.Dismiss(err)
				break
			}
			if in.Consumed() == start {
				return zero, noProgress(in)
			}
			acc = step(acc, v)
		}
		return acc, nil
	}
}

// shortRepeat records that the repetition identified by key, which started
// at from, ran short (err needs more input) after n elements ending at to,
// with the accumulator acc ([parse.Input.RepeatShort]), so that the next
// attempt on the message goes on from there. It is the slow path of a
// short attempt: acc is boxed here, never per element.
//
//go:noinline
func shortRepeat[A any](in *parse.Input, key *parse.RepeatKey, err error, from, to, n int, acc A) {
	if n > 0 && !in.Final() && classify(err) == short {
		in.RepeatShort(key, from, to, n, acc)
	}
}

// Count runs p exactly n times and returns the values. The first failure of
// p is returned (a need for more input, a size error, or a syntax error, by
// the furthest-failure rule of [Seq2]). Elements that consume nothing are allowed, since the repetition
// is bounded. The slice is allocated no larger than the buffered input
// allows (and grows with it when a resumed attempt goes on with it), so a
// count read from the input cannot make Count allocate more than the
// message holds. Like [Many], it resumes after the elements of the last
// attempt on the message. It panics if n is negative.
//
//go:noinline
func Count[T any](n int, p parse.TryParse[T]) parse.TryParse[[]T] {
	if n < 0 {
		panic("combinators: Count with a negative count " + strconv.Itoa(n))
	}
	key := parse.NewRepeatKey()
	return func(in *parse.Input) ([]T, error) {
		if n == 0 {
			return nil, nil
		}
		return repeatN(in, key, p, n, min(n, in.Remaining()+1), false, nil)
	}
}

// SepBy reads elements with p separated by sep (whose values are dropped):
// at least min elements and at most max (max < 0: no bound). It has the
// stopping rules and streaming behaviour of [Many], applied to each
// separator and to the element after it: when either fails with a syntax
// error, or needs more input on final input, SepBy rewinds to before that
// separator and stops, so a trailing separator is left unread, keeping the
// failure as Many does; when either
// needs more input on non-final input, so does SepBy. If it stops with
// fewer than min elements it returns the error that stopped it. A separator
// and element that together consume nothing are a syntax error. Like
// [Many], SepBy learns the first bytes of p and sep on first use and skips
// running them when the next byte rules them out, and resumes as Many does.
// It panics if min < 0 or 0 <= max < min.
//
//go:noinline
func SepBy[T, S any](p parse.TryParse[T], sep parse.TryParse[S], min, max int) parse.TryParse[[]T] {
	checkBounds("SepBy", min, max)
	var ps, ss starts
	key := parse.NewRepeatKey()
	return func(in *parse.Input) ([]T, error) {
		if max == 0 {
			return nil, nil
		}
		from := in.Consumed()
		_, box, resumed := in.ResumeRepeat(key)
		var out []T
		if resumed {
			out = box.([]T)
		}
		if !resumed && min == 0 {
			set := ps.set.Load()
			if set == nil {
				set = learn(&ps, p)
			}
			if b, ok := in.Peek(); set != nil && rulesOut(set, b, ok) {
				set.expect(in, b)
				return nil, nil
			}
		}
		sepSet := ss.set.Load()
		if sepSet == nil {
			sepSet = learn(&ss, sep)
		}
		if !resumed {
			v, err := p(in)
			if err != nil {
				if !recoverable(in, err) {
					return nil, err
				}
				in.Rewind(in.Consumed() - from) // back to start
				if min > 0 {
					return nil, in.Furthest(err)
				}
				in.Dismiss(err)
				return nil, nil
			}
			out = []T{v}
		}
		for max < 0 || len(out) < max {
			if sepSet != nil && len(out) >= min {
				if b, ok := in.Peek(); rulesOut(sepSet, b, ok) {
					sepSet.expect(in, b)
					break
				}
			}
			start := in.Consumed()
			_, err := sep(in)
			var v T
			if err == nil {
				v, err = p(in)
			}
			if err != nil {
				if !recoverable(in, err) {
					shortRepeat(in, key, err, from, start, len(out), out)
					return nil, err
				}
				in.Rewind(in.Consumed() - start) // back to start
				if len(out) < min {
					return nil, in.Furthest(err)
				}
				in.Dismiss(err)
				break
			}
			if in.Consumed() == start {
				return nil, noProgress(in)
			}
			out = append(out, v)
		}
		return out, nil
	}
}
