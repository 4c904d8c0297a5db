package combinators_test

import (
	"context"
	"testing"
	"time"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// TestPartsHeadAloneNoWait checks what HeadAlone is for: a head is
// delivered as soon as its own bytes have arrived, without waiting for a
// byte of its payload, which the peer may send only once the head has
// been answered (HTTP's Expect: 100-continue).
func TestPartsHeadAloneNoWait(t *testing.T) {
	p := pipe.New(pipe.Options{})
	r := parse.NewReader(p.Reader(), partsDecl(4, true).Stream().Parse, parse.Options{})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := p.Writer().Write(ctx, []byte("a=3:")); err != nil {
		t.Fatal(err)
	}
	m, err := r.Next(ctx)
	if err != nil {
		t.Fatalf("the head alone was not delivered before its payload: %v", err)
	}
	if !m.HasHead || m.Head.name != "a" || m.Left != 3 || m.Data.Len() != 0 {
		t.Fatalf("got %+v", m)
	}
	if _, err := p.Writer().Write(ctx, []byte("xyz")); err != nil {
		t.Fatal(err)
	}
	p.Writer().Complete(nil)
	m, err = r.Next(ctx)
	if err != nil || m.HasHead || m.Data.String() != "xyz" || m.Left != 0 {
		t.Fatalf("payload: %+v, %v", m, err)
	}
	if _, err := r.Next(ctx); err == nil {
		t.Fatal("no end after the payload")
	}
}

// The head alone of an extended record ("x"), whose payload ends where
// the stream may not, is delivered at once too; a caller tells a
// truncation after it by the stream's Left and State.
func TestPartsHeadAloneState(t *testing.T) {
	s := partsDecl(4, true).Stream()
	in := parse.NewInput(seq.Of([]byte("x=2:")), false, 1<<10)
	m, err := s.Parse(in)
	if err != nil || !m.HasHead || m.Left != 2 {
		t.Fatalf("%+v, %v", m, err)
	}
	if s.Left() != 2 {
		t.Fatalf("Left %d", s.Left())
	}
}
