package combinators

import (
	"strconv"

	"github.com/sluicego/sluice/parse"
)

// Leading literals. An alternative of Alt, or Opt's element, that starts
// with a Literal or a LiteralFold of two bytes or more (itself, or as the
// first element of Then, Before, Seq2-4, Map, MapErr, Peek, Commit's head,
// Bind's parser, Sized's head, Check, Label or Limit, at any depth) fails with that literal's syntax error at the cursor
// whenever the cursor's span shows a byte that differs from it: every one
// of those combinators passes its first element's failure on as it is (by
// the furthest-failure rule). The first-byte tables (starts.go) rule such
// an alternative out by its first byte (so a Byte, or a literal of one
// byte, needs nothing more); a lead rules it out by all the bytes of its
// literal that are buffered in the span, without running it and so without
// allocating the error it would return, which the combinator only
// dismissed: it notes what the literal expected instead
// ([parse.Input.Expect]), as for an alternative ruled out by its first
// byte. Anything else (the span holds a prefix of the literal, or all of
// it) runs the alternative.

// A Label around the literal names what the failure expects (the
// outermost Label, as when the alternative runs); a Limit shorter than the
// literal keeps only the bytes within it, since a byte past the limit is
// a size error, not a mismatch.

// lead is the literal an alternative starts with, and what its syntax
// error expects; s is empty if the alternative has none. With fold, s is
// in lower case and the span's ASCII letters are compared in lower case
// (LiteralFold).
type lead struct {
	s, what string
	fold    bool // compared in lower case
	labeled bool // what is a Label's
}

// mismatch reports whether the span at the cursor rules out the lead: it
// holds a byte that differs from the literal.
func (l *lead) mismatch(in *parse.Input) bool {
	span := in.Span()
	k := min(len(span), len(l.s))
	if l.fold {
		for i, b := range span[:k] {
			if foldByte(b) != l.s[i] {
				return true
			}
		}
		return false
	}
	return string(span[:k]) != l.s[:k]
}

// leadOf returns the leading literal of p, if fusion is on and p has one.
func leadOf[T any](p parse.TryParse[T]) lead {
	if !fusion() {
		return lead{}
	}
	c := kid(p)
	label, limit := "", -1 // the outermost Label, the smallest Limit
	found := func(l lead) lead {
		if limit >= 0 && limit < len(l.s) {
			l.s = l.s[:limit]
		}
		if len(l.s) < 2 {
			// One byte is what the first-byte tables decide.
			return lead{}
		}
		if label != "" {
			l.what, l.labeled = label, true
		}
		return l
	}
	for range 32 { // deep enough for any declaration; Fix cannot loop here
		n := nodeAt(c)
		if n == nil {
			return lead{}
		}
		switch n.kind {
		case "Literal":
			s, _ := n.cap.(literal)
			return found(lead{s: string(s), what: strconv.Quote(string(s))})
		case "LiteralFold":
			f, ok := n.cap.(literalFold)
			if !ok {
				return lead{}
			}
			return found(lead{s: f.lower, what: f.what, fold: true})
		case "Label":
			if label == "" {
				label, _ = n.cap.(string)
			}
		case "Limit":
			if m, ok := n.cap.(int); ok && (limit < 0 || m < limit) {
				limit = m
			}
		case "Then", "Before", "Seq2", "Seq3", "Seq4", "Map", "MapErr", "Peek", "Commit", "Bind", "Sized", "Check":
		default:
			return lead{}
		}
		if len(n.kids) == 0 {
			return lead{}
		}
		c = n.kids[0]
	}
	return lead{}
}

// leadsOf returns the leads of ps, and whether any has one.
func leadsOf[T any](ps []parse.TryParse[T]) ([]lead, bool) {
	ls, some := make([]lead, len(ps)), false
	for i, p := range ps {
		ls[i] = leadOf(p)
		some = some || ls[i].s != ""
	}
	return ls, some
}
