package parse_test

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// digitsKey is the scratch storage of countedViews.
var digitsKey = parse.NewScratchKey()

// countedViews reads a digit n and then n bytes, and returns a view of each
// byte, collected in the reader's scratch storage.
func countedViews(in *parse.Input) ([]seq.Sequence, error) {
	b, ok := in.Peek()
	if !ok {
		return nil, in.NeedMore(1)
	}
	if b < '0' || b > '9' {
		return nil, in.Errorf("expected a digit")
	}
	in.Advance(1)
	n := int(b - '0')
	out := parse.Scratch[seq.Sequence](in, digitsKey, n)
	for range n {
		v, ok := in.ReadN(1)
		if !ok {
			return nil, in.NeedMore(1)
		}
		out = append(out, v)
	}
	return out, nil
}

func viewsEqual(vs []seq.Sequence, want string) bool {
	if len(vs) != len(want) {
		return false
	}
	for i, v := range vs {
		if !v.Equal([]byte{want[i]}) {
			return false
		}
	}
	return true
}

// TestScratchLifetime checks the lifetime Scratch promises: a message's
// values are intact until the next read, whatever the chunking, and the
// memory is then reused for the next message (or, under the race
// detector, zeroed and not reused).
func TestScratchLifetime(t *testing.T) {
	input := []byte("3abc2de4fghi1j")
	want := []string{"abc", "de", "fghi", "j"}
	for k := 1; k <= len(input); k++ {
		r := parse.NewReader(chunkedPipe(input, k), countedViews, parse.Options{})
		var last []seq.Sequence
		for i, w := range want {
			m, err := r.Next(context.Background())
			if err != nil || !viewsEqual(m, w) {
				t.Fatalf("k=%d: message %d = %v, %v; want %q", k, i, m, err, w)
			}
			if last != nil {
				same := &last[:1][0] == &m[:1][0]
				switch {
				case raceEnabled && (same || last[0].Len() != 0):
					t.Fatalf("k=%d: message %d: the last message's scratch was reused or not zeroed under the race detector", k, i)
				case !raceEnabled && !same:
					t.Fatalf("k=%d: message %d: the last message's scratch memory was not reused", k, i)
				}
			}
			last = m
		}
	}
}

// TestScratchAttempts checks that the slices of every attempt on a
// message stay intact until the message is read: a parser may keep one
// from an attempt that ran short.
func TestScratchAttempts(t *testing.T) {
	var kept []seq.Sequence
	key := parse.NewScratchKey()
	p := func(in *parse.Input) (int, error) {
		if kept == nil {
			kept = parse.Scratch[seq.Sequence](in, key, 1)
			kept = append(kept, in.Sequence().Slice(0, 1))
		}
		if in.Remaining() < 3 {
			return 0, in.NeedMore(3 - in.Remaining())
		}
		in.Advance(3)
		return len(kept), nil
	}
	r := parse.NewReader(chunkedPipe([]byte("xyz"), 1), p, parse.Options{})
	if _, err := r.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !viewsEqual(kept, "x") {
		t.Fatalf("the first attempt's slice holds %v, want a view of x", kept)
	}
}

// TestScratchWithoutReader checks that Scratch on an Input from NewInput
// returns memory the caller owns: two calls never share it.
func TestScratchWithoutReader(t *testing.T) {
	in := parse.NewInput(seq.Of([]byte("2ab")), true, 0)
	a, err := countedViews(in)
	if err != nil || !viewsEqual(a, "ab") {
		t.Fatalf("got %v, %v", a, err)
	}
	in = parse.NewInput(seq.Of([]byte("2cd")), true, 0)
	b, err := countedViews(in)
	if err != nil || !viewsEqual(b, "cd") || !viewsEqual(a, "ab") {
		t.Fatalf("got %v and %v, %v; want ab and cd", a, b, err)
	}
	if got := parse.Scratch[int](in, digitsKey, 0); got != nil {
		t.Fatalf("Scratch of 0 = %v, want nil", got)
	}
}

// TestScratchOneType checks that a key used with a second element type
// panics rather than handing out memory of the wrong type.
func TestScratchOneType(t *testing.T) {
	key := parse.NewScratchKey()
	p := func(in *parse.Input) (int, error) {
		_ = parse.Scratch[int](in, key, 1)
		_ = parse.Scratch[string](in, key, 1)
		in.Advance(1)
		return 0, nil
	}
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	r := parse.NewReader(pipe.FromSequence(seq.Of([]byte("x"))), p, parse.Options{})
	_, _ = r.Next(context.Background())
}

// TestScratchValue checks ScratchValue: nil outside a message reader; in
// one, a zero value of its own per call, in memory reused by the next
// message (not under the race detector).
func TestScratchValue(t *testing.T) {
	key := parse.NewScratchKey()
	if p := parse.ScratchValue[int](parse.NewInput(seq.Of([]byte("x")), true, 0), key); p != nil {
		t.Fatalf("ScratchValue outside a reader = %p, want nil", p)
	}
	type pair struct{ a, b *int }
	p := func(in *parse.Input) (pair, error) {
		a, b := parse.ScratchValue[int](in, key), parse.ScratchValue[int](in, key)
		if a == nil || b == nil || a == b || *a != 0 || *b != 0 {
			t.Fatalf("ScratchValue in a reader: %p and %p", a, b)
		}
		*a, *b = 1, 2
		in.Advance(1)
		return pair{a, b}, nil
	}
	r := parse.NewReader(pipe.FromSequence(seq.Of([]byte("xy"))), p, parse.Options{})
	m1, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m2, err := r.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if reused := m1.a == m2.a; reused == raceEnabled {
		t.Fatalf("the first message's value reused: %v, race detector on: %v", reused, raceEnabled)
	}
}

// TestScratchRelease checks that a value given back is reused by the next
// ScratchValue, that values given back in reverse order are all reused,
// and that a value given back out of order is left alone.
func TestScratchRelease(t *testing.T) {
	key := parse.NewScratchKey()
	p := func(in *parse.Input) (int, error) {
		a := parse.ScratchValue[int](in, key)
		*a = 7
		parse.ScratchRelease(in, key, a)
		if *a != 0 {
			t.Errorf("a value given back holds %d, want it zeroed", *a)
		}
		b := parse.ScratchValue[int](in, key)
		c := parse.ScratchValue[int](in, key)
		if b != a {
			t.Errorf("the value given back was not reused")
		}
		parse.ScratchRelease(in, key, b) // out of order: left alone
		if d := parse.ScratchValue[int](in, key); d == b || d == c {
			t.Errorf("a value given back out of order was reused")
		} else {
			parse.ScratchRelease(in, key, d)
			parse.ScratchRelease(in, key, c)
			parse.ScratchRelease(in, key, b)
			if e := parse.ScratchValue[int](in, key); e != b {
				t.Errorf("values given back in reverse order were not all reused")
			}
		}
		parse.ScratchRelease[int](in, key, nil)
		in.Advance(1)
		return 0, nil
	}
	r := parse.NewReader(pipe.FromSequence(seq.Of([]byte("x"))), p, parse.Options{})
	if _, err := r.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	parse.ScratchRelease(parse.NewInput(seq.Of([]byte("x")), true, 0), key, new(int)) // outside a reader: nothing
}
