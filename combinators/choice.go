package combinators

import (
	"slices"
	"strconv"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// Alt tries the parsers in order, each from the same position (the cursor
// is rewound after a failed try), and returns the value of the first that
// succeeds. A parser that fails with a syntax error passes the turn to the
// next. A parser that needs more input makes Alt need more input at once,
// without trying the later ones: with more bytes it might still match, and
// it has priority. On final input needing more counts as failing at the
// end of the input, so the later parsers are tried. Size errors end Alt at
// once, as does the failure of an alternative past its [Commit].
//
// If no parser matches, Alt reports the furthest failure
// ([parse.Input.Furthest]): if a parser ran into the end of final input,
// Alt needs more input (a message reader reports the message as
// truncated); otherwise the error is a [*parse.SyntaxError] at the
// furthest offset any parser reached, naming what was expected there:
// "expected X or Y", where X, Y are the expectations of the parsers that
// failed at that offset ([Label] names an alternative), also listed in its
// Expected field. An alternative that failed nearer is not named: when one
// gets past Alt's first byte and fails, the error is that one's, where it
// is.
//
// The first time it runs, Alt learns which first bytes each parser can
// start with, by showing it each byte value alone as non-final input, and
// from then on skips a parser that the next byte rules out instead of
// running it to collect its syntax error (noting what it expected, for the
// error). This is exact for parsers that follow the streaming contract of
// [parse.TryParse]; it means that functions given to Map, MapErr and Bind
// inside the alternatives may run on such one-byte inputs once. An
// alternative that starts with a [Literal] of two bytes or more (as the
// first element of Then, Before, Seq2-4, Map, MapErr, Peek, Commit or
// Bind) is also skipped when a buffered byte at the cursor differs from
// that literal: it is run, for its error, only if no alternative matches, so an
// alternative ruled out this way costs no allocation. Alt panics if it is
// given no parser.
//
//go:noinline
func Alt[T any](ps ...parse.TryParse[T]) parse.TryParse[T] {
	if len(ps) == 0 {
		panic("combinators: Alt with no alternatives")
	}
	ps = slices.Clone(ps)
	n := mk("Alt")
	for _, p := range ps {
		n.kids = append(n.kids, kid(p))
	}
	var as altStarts
	leads, led := leadsOf(ps)
	if led {
		n.fused = true
	} else {
		leads = nil
	}
	return record(func(in *parse.Input) (T, error) {
		start := in.Consumed()
		allowed := ^uint64(0) // the alternatives the next byte allows
		var t *altTable
		b, ok := in.Peek()
		if ok {
			if t = as.table.Load(); t == nil {
				t = learnAlt(&as, ps)
			}
			if t != nil {
				allowed = t.masks[b]
			}
		}
		// The failures are dismissed once all have failed, in the order of
		// the alternatives, so that the error names them in that order.
		var errs [4]error
		var out uint64      // the alternatives their leads ruled out
		var at seq.Position // where Alt started, taken when a lead rules one out
		failed := false
		for i, p := range ps {
			if i < 64 && allowed&(1<<i) == 0 {
				continue // it would fail with a syntax error
			}
			if i < len(errs) && leads != nil && leads[i].s != "" && leads[i].mismatch(in) {
				// It would fail with its literal's error, here: noted
				// if another matches, run if none does.
				if out == 0 {
					at = in.Position()
				}
				out |= 1 << i
				failed = true
				continue
			}
			v, err := p(in)
			if err == nil {
				if failed {
					// An earlier alternative may have got further, or
					// into the end of the input: that decides the error
					// if the message fails later.
					for j, err := range errs {
						if out&(1<<j) != 0 {
							// Its literal failed where Alt started.
							noteAt(in, at, leads[j].what)
						} else {
							in.Dismiss(err)
						}
					}
				}
				return v, nil
			}
			if !recoverable(in, err) {
				if out != 0 {
					noteLabeled(in, at, leads, out)
				}
				return v, err
			}
			in.Rewind(in.Consumed() - start) // back to start
			if i < len(errs) {
				errs[i], failed = err, true
			} else {
				in.Dismiss(err)
			}
		}
		for i := range ps {
			switch {
			case i < 64 && allowed&(1<<i) == 0:
				t.sets[i].expectAt(in)
			case i < len(errs) && out&(1<<i) != 0:
				// The attempt fails: run it for the error it reports,
				// which is this error when nothing else failed further
				// on. A failing attempt allocates its error anyway.
				_, err := ps[i](in)
				in.Rewind(in.Consumed() - start)
				in.Dismiss(err)
			case i < len(errs):
				in.Dismiss(errs[i])
			}
		}
		var zero T
		return zero, failure(in, "no alternative matched")
	}, n)
}

// noteLabeled notes, for the alternatives their leads ruled out at at,
// what a Label around the literal would have noted as they failed (a
// Label writes the failure record while the alternative runs, a bare
// literal only returns its error), before Alt passes on an error that ends
// the attempt: the record is then what running them would have left.
func noteLabeled(in *parse.Input, at seq.Position, leads []lead, out uint64) {
	for j := range leads {
		if out&(1<<j) != 0 && leads[j].labeled {
			noteAt(in, at, leads[j].what)
		}
	}
}

// noteAt notes that what was expected at at, a position at or before the
// cursor, and comes back. It moves by positions, not by counts, so that
// an alternative that ran short far into a long message (a get of many
// keys arriving a byte at a time) costs no walk over its segments.
func noteAt(in *parse.Input, at seq.Position, what string) {
	here := in.Position()
	in.Seek(at)
	in.Expect(what)
	in.Seek(here)
}

// failure returns the error of a backtracking combinator whose tries all
// failed at or after the cursor and were dismissed: the furthest failure
// of the attempt, or a syntax error at the cursor saying msg if none of
// the tries noted one there or further.
func failure(in *parse.Input, msg string) error {
	err := in.Furthest(nil)
	if se, ok := err.(*parse.SyntaxError); err == nil || ok && se.Offset < in.Offset() {
		return in.Furthest(expected(in, msg))
	}
	return err
}

// Maybe is the value of an optional element, as [Opt] returns it: Ok
// reports whether the element was there, and Value is meaningful only if
// it was. Ok is decided only once the input shows it (on non-final input
// Opt asks for more rather than report an absent element).
type Maybe[T any] struct {
	Value T
	Ok    bool
}

// Opt makes p optional. If p succeeds, Opt returns its value with Ok set.
// If p fails with a syntax error, or needs more input on final input, Opt
// rewinds to where p started and succeeds with Ok false, having consumed
// nothing; the failure is kept for the furthest-failure rule
// ([parse.Input.Dismiss]), so that if the message fails later, nearer, the
// error is p's (or, if p ran into the end of final input, the message is
// truncated). If p needs more input on non-final input, so does Opt: the
// element may still arrive, and deciding it is absent would depend on how
// the input was split. Size errors pass through. Like [Alt], Opt learns
// the first bytes p can start with on first use and does not run p when
// the next byte rules it out, nor when p starts with a literal (as Alt
// tells) that a buffered byte at the cursor differs from.
//
//go:noinline
func Opt[T any](p parse.TryParse[T]) parse.TryParse[Maybe[T]] {
	var ps starts
	n := mk("Opt", kid(p))
	l := leadOf(p)
	n.fused = l.s != ""
	return record(func(in *parse.Input) (Maybe[T], error) {
		set := ps.set.Load()
		if set == nil {
			set = learn(&ps, p)
		}
		if b, ok := in.Peek(); set != nil && rulesOut(set, b, ok) {
			set.expect(in, b)
			return Maybe[T]{}, nil
		}
		if l.s != "" && l.mismatch(in) {
			// It would fail with its literal's error, here.
			in.Expect(l.what)
			return Maybe[T]{}, nil
		}
		start := in.Consumed()
		v, err := p(in)
		if err == nil {
			return Maybe[T]{Value: v, Ok: true}, nil
		}
		if !recoverable(in, err) {
			return Maybe[T]{}, err
		}
		in.Rewind(in.Consumed() - start) // back to start
		in.Dismiss(err)
		return Maybe[T]{}, nil
	}, n)
}

// Peek runs p and returns its value without consuming anything: on success
// the cursor is rewound to where p started. Failures of p, including a need
// for more input, pass through (by the furthest-failure rule,
// [parse.Input.Furthest]).
//
//go:noinline
func Peek[T any](p parse.TryParse[T]) parse.TryParse[T] {
	q := peek(p)
	n := mk("Peek", kid(p))
	if f, _ := lookOf(p); f != nil && fusion() {
		// Peek of a field reads it where it is; Peek of Peek of one, too.
		n.cap, n.fused = &peeked[T]{f}, true
		q = peekField(f, q)
	} else if fi, ok := fixedOf(p); ok && fi.width == 1 && fusion() {
		// Peek of Uint8: the next byte, read where it is.
		n.cap, n.fused = peekedByte{}, true
		q = any(peekByte(any(q).(parse.TryParse[uint8]))).(parse.TryParse[T])
	}
	return record(q, n)
}

//go:noinline
func peek[T any](p parse.TryParse[T]) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		start := in.Consumed()
		v, err := p(in)
		if err != nil {
			return v, in.Furthest(err)
		}
		in.Rewind(in.Consumed() - start) // back to start
		return v, nil
	}
}

// Label names what p parses for error messages, as parsec's <?> does: the
// expectations noted at the offset where p starts, p's own syntax error
// there and those of the alternatives and elements it tried there, become
// the one expectation what, so that p failing at its start is a
// [*parse.SyntaxError] "expected <what>" at that offset, and [Alt] names p
// so among its alternatives. A syntax error further in is p's own and
// passes through: the fault is where it was found. A need for more input
// and size errors pass through unchanged ([parse.Labeled]).
//
//go:noinline
func Label[T any](what string, p parse.TryParse[T]) parse.TryParse[T] {
	return record(func(in *parse.Input) (T, error) {
		return parse.Labeled(in, what, p)
	}, mk("Label", kid(p)).with(strconv.Quote(what)).capable(what))
}

// peekedByte is the capability of Peek(Uint8()): the next byte, not
// consumed.
type peekedByte struct{}

// peekByte is the fused parser of Peek(Uint8()): slow is the generic
// composition.
//
//go:noinline
func peekByte(slow parse.TryParse[uint8]) parse.TryParse[uint8] {
	return func(in *parse.Input) (uint8, error) {
		if b, ok := in.Peek(); ok {
			return b, nil
		}
		return slow(in)
	}
}
