package grammars

import (
	"math"
	"sync"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// ChunkedCombinators returns the grammar of a body in the HTTP/1.1 chunked
// transfer coding (RFC 9112 §7.1), declared with package combinators. It
// reads one whole body per message:
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size chunk-ext CRLF chunk-data CRLF   (size > 0)
//	last-chunk   = 1*"0" chunk-ext CRLF
//	chunk-size   = 1*16HEXDIG                                  (either case)
//	chunk-ext    = *( OWS ";" OWS token [ OWS "=" OWS ( token / quoted-string ) ] )
//	trailer      = *( token ":" OWS field-value CRLF )         (no obs-fold)
//
// Lines end with CRLF only (a bare LF is an error, as request smuggling
// defences want). Each chunk size is checked against the maximum message
// size before its data is waited for; the whole body, trailers included,
// is one message and bounded by it. The returned parser is built once and
// safe for concurrent use.
func ChunkedCombinators() parse.TryParse[Chunked] { return chunkedGrammarOnce() }

var chunkedGrammarOnce = sync.OnceValue(buildChunked)

// chunkedElements are the elements of the chunked grammar that the
// whole-body grammar and the streaming one (chunked_parts.go) share,
// declared once.
type chunkedElements struct {
	sizeLine parse.TryParse[uint64]  // a chunk-size line: size, extensions, CRLF
	trailers parse.TryParse[[]Field] // the trailer section and the CRLF that ends the body
}

var chunkedElementsOnce = sync.OnceValue(buildChunkedElements)

func buildChunkedElements() chunkedElements {
	type none = struct{}
	skip := func(none, none) none { return none{} }
	drop := func(seq.Sequence) none { return none{} }
	nothing := pure(none{})

	// OWS is a Fold of single bytes, not a TakeWhile, because a TakeWhile
	// that stops at the end of non-final input leaves a scan hint
	// (parse.Input.ScanShort) that the next attempt hands to whichever run
	// starts at the same offset first: after "; " the OWS run would take a
	// token's hint and read its letters as whitespace.
	// It is also only run where a peek saw whitespace: the Fold ends with
	// a failed Satisfy, whose syntax error is an allocation.
	owsRun := cb.Fold(cb.Satisfy(chunkMsgOWS, isOWS), 0, -1, none{}, func(none, byte) none { return none{} })
	ows := dispatch(cb.Uint8(), func(b byte) parse.TryParse[none] {
		if isOWS(b) {
			return owsRun
		}
		return nothing
	})
	token := cb.TakeWhile(chunkMsgToken, func(b byte) bool { return isTchar[b] }, 1, -1)
	tokenN := cb.Map(token, drop)

	// quoted-string: runs of qdtext and quoted pairs between quotes. The
	// repetition stops at the closing quote or at a malformed element,
	// which the terminator parses again to report it where it is.
	qpair := cb.Map(cb.Then(cb.Byte('\\'), cb.Satisfy(chunkMsgQpair, func(b byte) bool { return isQpair[b] })),
		func(byte) none { return none{} })
	qrun := cb.Map(cb.TakeWhile(chunkMsgQdtext, func(b byte) bool { return isQdtext[b] }, 1, -1), drop)
	qelem := dispatch(cb.Uint8(), func(b byte) parse.TryParse[none] {
		if b == '\\' {
			return qpair
		}
		return qrun
	})
	closeQuote := cb.Map(cb.Byte('"'), func(byte) none { return none{} })
	qend := dispatch(cb.Uint8(), func(b byte) parse.TryParse[none] {
		if b == '\\' {
			return retry[none, none](qpair)
		}
		return closeQuote
	})
	quoted := cb.Then(cb.Byte('"'), cb.Then(cb.Fold(qelem, 0, -1, none{}, skip), qend))

	// chunk-ext, skipped.
	extValue := dispatch(cb.Uint8(), func(b byte) parse.TryParse[none] {
		if b == '"' {
			return quoted
		}
		return tokenN
	})
	assign := cb.Then(ows, cb.Then(cb.Byte('='), cb.Then(ows, extValue)))
	nextAfterOWS := cb.Then(ows, cb.Uint8())
	optAssign := dispatch(nextAfterOWS, func(b byte) parse.TryParse[none] {
		if b == '=' {
			return assign
		}
		return nothing
	})
	ext := cb.Then(ows, cb.Then(cb.Byte(';'), cb.Then(ows, cb.Then(tokenN, optAssign))))
	lineEnd := cb.Map(crlf, func(string) none { return none{} })
	extEnd := dispatch(nextAfterOWS, func(b byte) parse.TryParse[none] {
		if b == ';' {
			return retry[none, none](ext)
		}
		return lineEnd
	})
	// Most size lines have no extension: go to CRLF at once, without the
	// failed element that ends a Fold. Declared as a Dispatch whose one
	// literal case is the line's end, so that the size and the CRLF are
	// read in one pass (combinators' fusion of a number and that case).
	extsRun := cb.Then(cb.Fold(ext, 0, -1, none{}, skip), extEnd)
	exts := cb.Dispatch(map[byte]parse.TryParse[none]{'\r': lineEnd}, extsRun)

	// chunk-size line: 1 to 16 hex digits, leading zeros included.
	size := cb.Hex[uint64](0, math.MaxUint64, maxChunkDigits)
	sizeLine := cb.Before(size, exts)

	// trailer-section.
	value := cb.Map(cb.TakeWhile(chunkMsgValue, func(b byte) bool { return isFchar[b] }, 0, -1),
		func(s seq.Sequence) string { return trimOWS(s.String()) })
	field := cb.Seq2(cb.Before(token, cb.Byte(':')), cb.Before(cb.Then(ows, value), crlf),
		func(name seq.Sequence, value string) Field { return Field{Name: name.String(), Value: value} })
	trailerEnd := dispatch(cb.Uint8(), func(b byte) parse.TryParse[none] {
		if b == '\r' {
			return lineEnd
		}
		return retry[Field, none](field)
	})
	trailers := cb.Before(cb.Many(field, 0, -1), trailerEnd)
	return chunkedElements{sizeLine: sizeLine, trailers: trailers}
}

func buildChunked() parse.TryParse[Chunked] {
	e := chunkedElementsOnce()
	sizeLine, trailers := e.sizeLine, e.trailers
	nonzero := cb.MapErr(sizeLine, func(v uint64) (uint64, error) {
		if v == 0 {
			return 0, errChunkLast
		}
		return v, nil
	})
	chunk := cb.Before(cb.LengthPrefixed(nonzero, parse.TryParse[seq.Sequence](rest)), crlf)

	// After the chunks: the last chunk, or a chunk that failed, parsed
	// again to report its error.
	last := cb.Then(sizeLine, trailers)
	tail := dispatch(sizeLine, func(v uint64) parse.TryParse[[]Field] {
		if v == 0 {
			return last
		}
		return retry[seq.Sequence, []Field](chunk)
	})
	return cb.Seq2(cb.Many(chunk, 0, -1), tail, func(body []seq.Sequence, trailers []Field) Chunked {
		return Chunked{Body: body, Trailers: trailers}
	})
}
