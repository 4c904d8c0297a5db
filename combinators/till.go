package combinators

import "github.com/sluicego/sluice/parse"

// ManyTill reads elements with p until end matches, and returns the
// elements in order (end's value is dropped; end is consumed): at least
// min elements and at most max (max < 0: no bound). It is the repetition
// of a header block ended by an empty line, of a list ended by a
// terminator: ManyTill(header, Literal("\r\n"), 0, 64).
//
// Before each element, once min elements are read, end is tried first: if
// it matches, ManyTill is done; if it fails with a syntax error, the cursor
// is rewound and the next element is read with p, which then must match:
// an element that fails is the error of the whole (by the furthest-failure
// rule, merged with what end expected there: "expected ';' or letter"),
// never a silent stop. With max elements read, only end may follow, and
// its failure is the error. If end needs more input on non-final input, so
// does ManyTill: the terminator may still arrive, and it has priority. On
// final input, input that ends before the terminator is a truncation: the
// need for more input reaches the caller (errors.Is io.ErrUnexpectedEOF,
// a [*parse.TruncatedError] from a message reader), never a syntax error.
// An element that succeeds without consuming input is a syntax error (it
// would repeat forever). Size errors pass through. The slice is allocated
// as it grows; [FoldTill] does the same work without it. Like [Many],
// ManyTill learns the first bytes end can start with on first use and does
// not run end when the next byte rules it out, and resumes after the
// elements of the last attempt on the message as Many does. It panics if
// min < 0 or 0 <= max < min.
//
//go:noinline
func ManyTill[T, E any](p parse.TryParse[T], end parse.TryParse[E], min, max int) parse.TryParse[[]T] {
	checkBounds("ManyTill", min, max)
	return FoldTill(p, end, min, max, []T(nil), func(out []T, v T) []T { return append(out, v) })
}

// FoldTill is [ManyTill] without the slice: it starts from init, combines
// each element's value into the accumulator with step, in order, and
// returns the result once end matches. Its bounds, errors and streaming
// behaviour are ManyTill's; as [Fold]'s, step does not run again for the
// elements a resumed attempt skips, but may for those of an attempt that
// is parsed again, so it must not have side effects that outlive the
// parse.
//
//go:noinline
func FoldTill[T, E, A any](p parse.TryParse[T], end parse.TryParse[E], min, max int, init A, step func(A, T) A) parse.TryParse[A] {
	checkBounds("FoldTill", min, max)
	var es starts
	key := parse.NewRepeatKey()
	var q parse.TryParse[A] = func(in *parse.Input) (A, error) {
		var zero A
		acc := init
		set := es.set.Load()
		if set == nil {
			set = learn(&es, end)
		}
		from, n := in.Consumed(), 0
		if k, box, ok := in.ResumeRepeat(key); ok {
			n = k
			acc, _ = box.(A) // a nil interface boxes as nil
		}
		for ; ; n++ {
			if n >= min {
				b, ok := in.Peek()
				if set != nil && rulesOut(set, b, ok) {
					set.expect(in, b)
				} else {
					start := in.Consumed()
					_, err := end(in)
					if err == nil {
						return acc, nil
					}
					if !recoverable(in, err) {
						shortRepeat(in, key, err, from, start, n, acc)
						return zero, err
					}
					in.Rewind(in.Consumed() - start) // back to start
					in.Dismiss(err)
				}
				if max >= 0 && n >= max {
					return zero, failure(in, "expected terminator")
				}
			}
			start := in.Consumed()
			v, err := p(in)
			if err != nil {
				shortRepeat(in, key, err, from, start, n, acc)
				return zero, in.Furthest(err)
			}
			if in.Consumed() == start {
				return zero, in.Furthest(noProgress(in))
			}
			acc = step(acc, v)
		}
	}
	if s := scanOf(p); s != nil {
		if lit, ok := textOf(end); ok && lit != "" {
			// Elements scanned in the span until the terminator (scan.go).
			n := mk("FoldTill", kid(p), kid(end)).with(bounds(min, max)).calls(step)
			return record(withScan(q, n, tillScan(s, lit, min, max, init, step, &es, end)), n)
		}
	}
	return q
}
