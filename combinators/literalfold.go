package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// LiteralFold matches the bytes of s with ASCII letters in either case
// ("pub", "PUB" and "Pub" all match LiteralFold("PUB")) and returns s as
// declared, whatever case the input used. Bytes other than ASCII letters
// must match exactly. It is the verb of a protocol whose servers accept
// commands in any case (NATS, SMTP, IMAP). Like [Literal], it asks for
// more while the buffered input is a prefix of s in some case, and fails
// at its first byte ("expected \"PUB\" in any case") otherwise.
func LiteralFold(s string) parse.TryParse[string] {
	lower := []byte(s)
	for i, b := range lower {
		lower[i] = foldByte(b)
	}
	what := strconv.Quote(s) + " in any case"
	msg := "expected " + what
	n := &node{kind: "LiteralFold", params: []string{strconv.Quote(s)}, cap: literalFold{string(lower), what}}
	return record(func(in *parse.Input) (string, error) {
		if span := in.Span(); len(span) >= len(lower) && foldEqual(span[:len(lower)], lower) {
			in.Advance(len(lower))
			return s, nil
		}
		for i := range lower {
			b, err := in.ReadByte()
			if err != nil {
				in.Rewind(i)
				return "", in.NeedMore(len(lower))
			}
			if foldByte(b) != lower[i] {
				in.Rewind(i + 1)
				return "", expected(in, msg)
			}
		}
		return s, nil
	}, n)
}

// literalFold is the capability of LiteralFold(s): the bytes it matches in
// lower case, and what its syntax error expects.
type literalFold struct {
	lower, what string
}

// foldByte maps an ASCII upper-case letter to lower case and leaves every
// other byte as it is.
func foldByte(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// foldEqual reports whether b, folded, is lower.
func foldEqual(b, lower []byte) bool {
	for i, x := range b {
		if foldByte(x) != lower[i] {
			return false
		}
	}
	return true
}
