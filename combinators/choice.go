package combinators

import (
	"slices"
	"strings"

	"github.com/sluicego/sluice/parse"
)

// Alt tries the parsers in order, each from the same position (the cursor
// is rewound after a failed try), and returns the value of the first that
// succeeds. A parser that fails with a syntax error passes the turn to the
// next. A parser that needs more input makes Alt need more input at once,
// without trying the later ones: with more bytes it might still match, and
// it has priority. On final input needing more counts as failing, so the
// later parsers are tried; if none matches, Alt needs more input (a message
// reader then reports the message as truncated). Size errors end Alt at
// once.
//
// If every parser fails with a syntax error, the error is a
// [*parse.SyntaxError] at Alt's start offset naming what was expected
// there: "expected X or Y", where X, Y are the expectations of the parsers
// that failed at that offset ([Label] names an alternative). If some parser
// failed further in, the error of the one that got furthest is its Err.
//
// The first time it runs, Alt learns which first bytes each parser can
// start with, by showing it each byte value alone as non-final input, and
// from then on skips a parser that the next byte rules out instead of
// running it to collect its syntax error. This is exact for parsers that
// follow the streaming contract of [parse.TryParse]; it means that
// functions given to Map, MapErr and Bind inside the alternatives may run
// on such one-byte inputs once. Alt panics if it is given no parser.
//
//go:noinline
func Alt[T any](ps ...parse.TryParse[T]) parse.TryParse[T] {
	if len(ps) == 0 {
		panic("combinators: Alt with no alternatives")
	}
	ps = slices.Clone(ps)
	var as altStarts
	return func(in *parse.Input) (T, error) {
		start := in.Consumed()
		allowed := ^uint64(0) // the alternatives the next byte allows
		if b, ok := in.Peek(); ok {
			masks := as.masks.Load()
			if masks == nil {
				masks = learnAlt(&as, ps)
			}
			if masks != nil {
				allowed = masks[b]
			}
		}
		truncated := false
		for i, p := range ps {
			if i < 64 && allowed&(1<<i) == 0 {
				continue // it would fail with a syntax error
			}
			v, err := p(in)
			if err == nil {
				return v, nil
			}
			switch classify(err) {
			case short:
				if !in.Final() {
					return v, err
				}
				truncated = true
			case fatal:
				return v, err
			}
			in.Rewind(in.Consumed() - start) // back to start
		}
		var zero T
		if truncated {
			return zero, parse.ErrNeedMore
		}
		return zero, altFailure(in, ps, start)
	}
}

// altFailure returns the error of an Alt whose parsers all failed with
// syntax errors from start, running them again to collect their errors.
func altFailure[T any](in *parse.Input, ps []parse.TryParse[T], start int) error {
	off := in.Offset()
	var terms []string
	var deep error
	deepOff := off - 1
	for _, p := range ps {
		_, err := p(in)
		in.Rewind(in.Consumed() - start) // back to start
		if err == nil || classify(err) != malformed {
			continue // not a syntax error this time: an impure parser
		}
		if se, ok := err.(*parse.SyntaxError); ok {
			if what, ok := strings.CutPrefix(se.Msg, "expected "); ok && se.Offset == off && se.Err == nil {
				if !slices.Contains(terms, what) {
					terms = append(terms, what)
				}
				continue
			}
			if se.Offset > deepOff {
				deep, deepOff = err, se.Offset
			}
			continue
		}
		if deep == nil {
			deep, deepOff = err, off
		}
	}
	msg := "no alternative matched"
	if len(terms) > 0 {
		msg = "expected " + strings.Join(terms, " or ")
	}
	return &parse.SyntaxError{Offset: off, Msg: msg, Err: deep}
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
// nothing. If p needs more input on non-final input, so does Opt: the
// element may still arrive, and deciding it is absent would depend on how
// the input was split. Size errors pass through. Like [Alt], Opt learns
// the first bytes p can start with on first use and does not run p when
// the next byte rules it out.
//
//go:noinline
func Opt[T any](p parse.TryParse[T]) parse.TryParse[Maybe[T]] {
	var ps starts
	return func(in *parse.Input) (Maybe[T], error) {
		set := ps.set.Load()
		if set == nil {
			set = learn(&ps, p)
		}
		if set != nil && rulesOut(set, in) {
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
		return Maybe[T]{}, nil
	}
}

// Peek runs p and returns its value without consuming anything: on success
// the cursor is rewound to where p started. Failures of p, including a need
// for more input, pass through unchanged.
//
//go:noinline
func Peek[T any](p parse.TryParse[T]) parse.TryParse[T] {
	return func(in *parse.Input) (T, error) {
		start := in.Consumed()
		v, err := p(in)
		if err == nil {
			in.Rewind(in.Consumed() - start) // back to start
		}
		return v, err
	}
}

// Label names what p parses for error messages: a syntax error from p
// becomes a [*parse.SyntaxError] "expected <what>" at the offset where p
// started (the detail of p's error is dropped), which is also how [Alt]
// names p among its alternatives. A need for more input and size errors
// pass through unchanged.
//
//go:noinline
func Label[T any](what string, p parse.TryParse[T]) parse.TryParse[T] {
	msg := "expected " + what
	return func(in *parse.Input) (T, error) {
		off := in.Offset()
		v, err := p(in)
		if err != nil && classify(err) == malformed {
			return v, syntaxAt(off, msg)
		}
		return v, err
	}
}
