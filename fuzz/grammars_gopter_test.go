package fuzz_test

// gopter generators of the grammars' values, the counterparts of the rapid
// generators of grammars_test.go, and round-trip properties that run the
// harness's checks through fuzz.Prop.

import (
	"bytes"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/grammars"
	"github.com/sluicego/sluice/seq"
)

// --- RESP ---

// gramGenRESP is the gopter version of gramRESP: it generates RESP values
// nested at most depth deep, of the five kinds (four at depth 0) equally
// often: simple
// strings and errors (protocol-shaped, with CR and LF replaced), integers
// (an edge of int64 one time in four), bulk strings (protocol-shaped,
// null one time in six) and arrays of zero to four elements (null one
// time in six). Values shrink with gramShrinkRESP.
func gramGenRESP(depth int) gopter.Gen {
	line := fuzz.GenShaped(fuzz.Shape{Delims: []string{"+", "$-1", ":"}, Limit: 16, MaxLen: 40}).Map(gramLine)
	bulk := fuzz.GenShaped(fuzz.Shape{Delims: []string{"\r\n", "$", "*"}, Limit: 16, MaxLen: 64})
	str := func(k grammars.Kind, g gopter.Gen) gopter.Gen {
		return g.Map(func(b []byte) grammars.RESP { return grammars.RESP{Kind: k, Str: seq.Of(b)} })
	}
	edges := gen.OneConstOf(int64(math.MinInt64), int64(math.MinInt64+1), int64(-1), int64(0), int64(1), int64(math.MaxInt64-1), int64(math.MaxInt64))
	kinds := []gopter.Gen{
		str(grammars.SimpleString, line),
		str(grammars.Error, line),
		gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.Int64()}, {Weight: 1, Gen: edges}}).
			Map(func(n int64) grammars.RESP { return grammars.RESP{Kind: grammars.Integer, Int: n} }),
		gen.Weighted([]gen.WeightedGen{
			{Weight: 5, Gen: str(grammars.BulkString, bulk)},
			{Weight: 1, Gen: gen.Const(grammars.RESP{Kind: grammars.BulkString, Null: true})},
		}),
	}
	if depth > 0 {
		elem := gramGenRESP(depth - 1)
		array := gen.IntRange(0, 4).FlatMap(func(n any) gopter.Gen {
			return gen.SliceOfN(n.(int), elem).Map(func(elems []grammars.RESP) grammars.RESP {
				if elems == nil {
					elems = []grammars.RESP{} // empty, not nil, for *0
				}
				return grammars.RESP{Kind: grammars.Array, Elems: elems}
			})
		}, reflect.TypeFor[grammars.RESP]())
		kinds = append(kinds, gen.Weighted([]gen.WeightedGen{
			{Weight: 5, Gen: array},
			{Weight: 1, Gen: gen.Const(grammars.RESP{Kind: grammars.Array, Null: true})},
		}))
	}
	return gen.OneGenOf(kinds...).WithShrinker(gramShrinkRESP)
}

// gramGenRESPValues generates one to four RESP values nested at most depth
// deep. The list shrinks to fewer values and to shrunk values.
func gramGenRESPValues(depth int) gopter.Gen {
	return gramGenList[grammars.RESP](gramGenRESP(depth), 1, 4, gramShrinkRESP)
}

// gramGenList generates lists of lo to hi values of elem (drawn again
// while elem's sieve rejects them), which shrink with
// gen.SliceShrinker(shrink). (gen.SliceOf takes its length from the test
// parameters, and gen.SliceOfN has a sieve that rejects shrunk lists of
// another length.)
func gramGenList[T any](elem gopter.Gen, lo, hi int, shrink gopter.Shrinker) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		values := make([]T, lo+p.Rng.Intn(hi-lo+1))
		for i := range values {
			for {
				if v, ok := elem(p).Retrieve(); ok {
					values[i] = v.(T)
					break
				}
			}
		}
		return gopter.NewGenResult(values, gen.SliceShrinker(shrink))
	}
}

// gramShrinkRESP shrinks a RESP value: an array to each of its elements,
// to itself without one of them, and to itself with one of them shrunk; a
// string to the empty one, its first half and itself without its last
// byte; an integer to zero and to its half. Every candidate is a valid
// value no deeper than the one shrunk.
func gramShrinkRESP(v any) gopter.Shrink {
	r := v.(grammars.RESP)
	var cands []any
	switch {
	case r.Null:
	case r.Kind == grammars.Array:
		for _, e := range r.Elems {
			cands = append(cands, e)
		}
		for i := range r.Elems {
			elems := slices.Delete(slices.Clone(r.Elems), i, i+1)
			cands = append(cands, grammars.RESP{Kind: grammars.Array, Elems: elems})
		}
	case r.Kind == grammars.Integer:
		if r.Int != 0 {
			cands = append(cands, grammars.RESP{Kind: r.Kind})
		}
		if r.Int/2 != 0 {
			cands = append(cands, grammars.RESP{Kind: r.Kind, Int: r.Int / 2})
		}
	default:
		b := r.Str.Bytes()
		for _, s := range [][]byte{nil, b[:len(b)/2], b[:max(len(b)-1, 0)]} {
			if len(s) < len(b) {
				cands = append(cands, grammars.RESP{Kind: r.Kind, Str: seq.Of(slices.Clone(s))})
			}
		}
	}
	shrinks := []gopter.Shrink{gramShrinkTo(cands)}
	if r.Kind == grammars.Array {
		for i, e := range r.Elems {
			shrinks = append(shrinks, gramShrinkRESP(e).Map(func(s grammars.RESP) grammars.RESP {
				elems := slices.Clone(r.Elems)
				elems[i] = s
				return grammars.RESP{Kind: grammars.Array, Elems: elems}
			}))
		}
	}
	return gopter.ConcatShrinks(shrinks...)
}

// gramShrinkTo returns the shrink that tries cands in order.
func gramShrinkTo(cands []any) gopter.Shrink {
	return func() (any, bool) {
		if len(cands) == 0 {
			return nil, false
		}
		c := cands[0]
		cands = cands[1:]
		return c, true
	}
}

// --- Chunked ---

// gramGenChunked is the gopter version of gramChunked, for round trips:
// it generates decoded chunked bodies, the values AppendChunked writes and
// the decoders give back: up to four non-empty chunks of protocol-shaped
// bytes (with CRLF, "0\r\n", ";" and hex sizes inside) and up to three
// trailer fields, whose values have no whitespace at either end. Bodies
// shrink with gramShrinkChunked.
func gramGenChunked() gopter.Gen {
	chunk := fuzz.GenShaped(fuzz.Shape{Delims: []string{"\r\n", "0\r\n\r\n", ";"}, Limit: 16, MaxLen: 48}).
		SuchThat(func(b []byte) bool { return len(b) > 0 })
	field := gen.Struct(reflect.TypeFor[grammars.Field](), map[string]gopter.Gen{
		"Name":  gen.RegexMatch("^[!#$%&'*+.^_`|~0-9a-zA-Z-]{1,12}$"),
		"Value": gramGenFieldValue(),
	})
	return gopter.CombineGens(
		gramGenList[[]byte](chunk, 0, 4, gopter.NoShrinker),
		gramGenList[grammars.Field](field, 0, 3, gopter.NoShrinker),
	).Map(func(v []any) grammars.Chunked {
		var c grammars.Chunked
		for _, b := range v[0].([][]byte) {
			c.Body = append(c.Body, seq.Of(b))
		}
		c.Trailers = v[1].([]grammars.Field)
		return c
	}).WithShrinker(gramShrinkChunked)
}

// gramShrinkChunked shrinks a decoded chunked body: to itself without one
// of its chunks or trailer fields, with one of its chunks cut to its first
// half, and with one of its trailer values cut to its first half (and
// trimmed).
func gramShrinkChunked(v any) gopter.Shrink {
	c := v.(grammars.Chunked)
	var cands []any
	for i := range c.Body {
		cands = append(cands, grammars.Chunked{Body: slices.Delete(slices.Clone(c.Body), i, i+1), Trailers: c.Trailers})
	}
	for i := range c.Trailers {
		cands = append(cands, grammars.Chunked{Body: c.Body, Trailers: slices.Delete(slices.Clone(c.Trailers), i, i+1)})
	}
	for i, s := range c.Body {
		if s.Len() > 1 {
			body := slices.Clone(c.Body)
			body[i] = seq.Of(s.Bytes()[:s.Len()/2])
			cands = append(cands, grammars.Chunked{Body: body, Trailers: c.Trailers})
		}
	}
	for i, f := range c.Trailers {
		if v := strings.Trim(f.Value[:len(f.Value)/2], " \t"); len(v) < len(f.Value) {
			trailers := slices.Clone(c.Trailers)
			trailers[i].Value = v
			cands = append(cands, grammars.Chunked{Body: c.Body, Trailers: trailers})
		}
	}
	return gramShrinkTo(cands)
}

// gramGenFieldValue generates trailer field values as the decoders give
// them: up to 19 bytes of spaces, tabs, visible ASCII and obs-text (0x80
// to 0xff), with no whitespace at either end.
func gramGenFieldValue() gopter.Gen {
	return gen.SliceOfN(20, gen.UInt8()).Map(func(b []byte) string {
		b = b[:int(b[0])%len(b)]
		for i, c := range b {
			b[i] = gramFieldByte(c)
		}
		return string(bytes.Trim(b, " \t"))
	})
}

// --- properties ---

// gramGopterRun runs the properties that add adds, each on n values, and
// fails t with gopter's report and seed unless all pass. (A
// fuzz.CheckRoundTrip of both versions takes some 20 ms under the
// race detector, so n is kept small.)
func gramGopterRun(t *testing.T, n int, add func(ps *gopter.Properties)) {
	t.Helper()
	params := gopter.DefaultTestParameters()
	params.MinSuccessfulTests = n
	ps := gopter.NewProperties(params)
	add(ps)
	var out bytes.Buffer
	if !ps.Run(gopter.NewFormatedReporter(true, 100, &out)) {
		t.Errorf("gopter (seed %d):\n%s", params.Seed(), out.String())
	}
}

// TestGrammarRESPRoundTripGopter is TestGrammarRESPRoundTrip with gopter:
// one to four RESP values decode to themselves with both versions, in
// every chunking fuzz.CheckRoundTrip tries.
func TestGrammarRESPRoundTripGopter(t *testing.T) {
	gramGopterRun(t, 25, func(ps *gopter.Properties) {
		ps.Property("RESP values decode to themselves", prop.ForAll(func(values []grammars.RESP) string {
			return fuzz.Prop(func(t fuzz.TB) {
				for _, v := range gramRESPVersions {
					fuzz.CheckRoundTrip(gramTB{t, v.name}, v.d, grammars.AppendRESP, values, fuzz.Options[grammars.RESP]{})
				}
			})
		}, gramGenRESPValues(3)))
	})
}

// TestGrammarChunkedRoundTripGopter is the round trip of
// TestGrammarChunkedRoundTrip with gopter: one to three chunked bodies
// decode to themselves with both versions, in every chunking
// fuzz.CheckRoundTrip tries.
func TestGrammarChunkedRoundTripGopter(t *testing.T) {
	gramGopterRun(t, 25, func(ps *gopter.Properties) {
		ps.Property("chunked bodies decode to themselves", prop.ForAll(func(values []grammars.Chunked) string {
			return fuzz.Prop(func(t fuzz.TB) {
				for _, v := range gramChunkedVersions {
					fuzz.CheckRoundTrip(gramTB{t, v.name}, v.d, gramAppendChunkedValue, values, gramChunkedOptions)
				}
			})
		}, gramGenList[grammars.Chunked](gramGenChunked(), 1, 3, gramShrinkChunked)))
	})
}
