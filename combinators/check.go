package combinators

import "github.com/sluicego/sluice/parse"

// Check runs p, then check on the value p read, for a refusal that is not
// a matter of syntax: a declared size over a limit, counts that contradict
// each other. An error from check is returned as it is, so errors.Is and
// errors.As see it; off is the stream offset of p's first byte, for the
// error to name. As after any failure but a need for more input or a size
// error, an [Alt] around the element goes on to its next alternative: to
// make the refusal end the message, put the element after a [Commit] head,
// or return an error that matches [parse.ErrTooLarge] for a limit.
// Failures of p pass through by the furthest-failure rule, as in [Then];
// so an alternative that starts with a literal inside Check is still ruled
// out by that literal without running (see [Alt]). check must decide from
// the value alone and be pure: it may run again on the same value when a
// message is retried with more input.
//
//go:noinline
func Check[T any](p parse.TryParse[T], check func(off int64, v T) error) parse.TryParse[T] {
	return record(func(in *parse.Input) (T, error) {
		off := in.Offset()
		v, err := p(in)
		if err != nil {
			return v, in.Furthest(err)
		}
		if err := check(off, v); err != nil {
			return v, err
		}
		return v, nil
	}, mk("Check", kid(p)).calls(check))
}
