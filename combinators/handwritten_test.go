package combinators_test

import (
	"errors"
	"fmt"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
)

// A hand-written TryParse may call combinators, look at what they return
// and rewind to try another way, as docs/grammar.md shows: it passes on a
// need for more input on non-final input and size errors, and otherwise
// rewinds, dismisses the failure and goes on. It then behaves like a
// declared grammar: the same result in every segmentation, the furthest
// failure named, input that ends inside a message a truncation.
func TestHandWrittenRewinds(t *testing.T) {
	num := c.Before(c.Decimal[int](0, 999, 0), c.Byte(';'))
	word := c.Before(c.TakeIn("ab", 1, -1), c.Byte(';'))
	p := func(in *parse.Input) (string, error) {
		start := in.Consumed()
		n, err := num(in)
		switch {
		case err == nil:
			return fmt.Sprint("number ", n), nil
		case errors.Is(err, parse.ErrNeedMore) && !in.Final(), errors.Is(err, parse.ErrTooLarge):
			return "", err // more bytes may still make it a number: wait
		}
		in.Rewind(in.Consumed() - start)
		in.Dismiss(err) // named in the error if the word fails too
		w, err := word(in)
		if err != nil {
			return "", in.Furthest(err)
		}
		return "word " + w.String(), nil
	}
	checkOnce(t, p, "12;ab;", 0, ok("number 12", 3))
	checkStream(t, p, "12;ab;;", 0, stream{msgs("number 12", "word ab"), syntax(6, `expected digit or one of "ab"`)})
	checkStream(t, p, "12;ab", 0, stream{msgs("number 12"), truncated(2, 3)})
	// A fault in the number, further on than where the word fails, wins.
	checkStream(t, p, "12x;", 0, stream{nil, syntax(2, `expected ';'`)})
}
