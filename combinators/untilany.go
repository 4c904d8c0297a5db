package combinators

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// TakeUntilAny is [TakeUntil] with several delimiters: it returns the
// bytes before the first delimiter found and reads both. The delimiter
// found is the one that starts earliest; of those that start at the same
// byte, the longest (so with "\r\n" and "\r", a CR followed by LF ends at
// the LF). Deciding that needs the bytes of the longest delimiter that
// might match there: on non-final input TakeUntilAny asks for more while
// a longer delimiter is still possible ("\r" at the end of the buffer may
// be the start of "\r\n"), and on final input it takes the longest that
// matched. Its streaming behaviour is TakeUntil's otherwise: without a
// delimiter it asks for more input (on final input too, so a message
// reader reports a truncation), the search resumes where the previous
// attempt on the message stopped, so a long element arriving in small
// pieces is searched once, and it ends with a [*parse.SizeError] once it
// passes the maximum message size. It panics without delimiters or with
// an empty one.
func TakeUntilAny(delims ...string) parse.TryParse[seq.Sequence] {
	if len(delims) == 0 {
		panic("combinators: TakeUntilAny without delimiters")
	}
	ds := make([][]byte, 0, len(delims))
	var firsts []byte
	longest := 0
	params := make([]string, 0, len(delims))
	for _, d := range delims {
		if d == "" {
			panic("combinators: TakeUntilAny with an empty delimiter")
		}
		params = append(params, strconv.Quote(d))
		ds = append(ds, []byte(d))
		if !slices.Contains(firsts, d[0]) {
			firsts = append(firsts, d[0])
		}
		longest = max(longest, len(d))
	}
	// Longest first: of the delimiters that start at one byte, the first
	// that matches is the longest.
	slices.SortStableFunc(ds, func(a, b []byte) int { return cmp.Compare(len(b), len(a)) })
	set := string(firsts)
	key := parse.NewScanKey()
	return record(func(in *parse.Input) (seq.Sequence, error) {
		from := in.Scanned(key)
		var rest seq.Sequence
		if from == 0 {
			rest = in.Rest()
		} else {
			rest = in.ScanRest(key)
		}
		at := from // rest's offset from the cursor
		for {
			i := rest.IndexAny(set)
			if i < 0 {
				// A delimiter may begin in the last longest-1 bytes.
				return seq.Sequence{}, in.ScanShort(key, max(in.Remaining()-(longest-1), from))
			}
			cand := rest.From(i)
			n := cand.Len()
			for _, d := range ds {
				if len(d) <= n {
					if cand.HasPrefix(d) {
						s, _ := in.ReadN(at + i)
						in.Advance(len(d))
						return s, nil
					}
					continue
				}
				if !in.Final() && cand.HasPrefix(d[:n]) {
					// A longer delimiter may start here: its end decides.
					return seq.Sequence{}, in.ScanShort(key, at+i)
				}
			}
			rest = cand.From(1)
			at += i + 1
		}
	}, mk("TakeUntilAny").with(strings.Join(params, ", ")))
}
