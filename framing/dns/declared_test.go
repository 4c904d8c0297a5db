package dns

import (
	"errors"
	"math/rand/v2"
	"testing"

	c "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/seq"
)

// inPlace is the declared grammar of a name's bytes where they lie: labels
// (a length byte of 1 to 63 and that many bytes) until the root byte or a
// 2-byte pointer (the bytes of the labels are its value, the input it
// consumed the name's length in place). It cannot follow the
// pointer (the combinators read forward only), which is why checkName is
// written by hand; TestWalkerAgreesWithDeclared checks the hand-written
// walk against it where the two overlap.
var inPlace = func() parse.TryParse[int] {
	label := c.TakeLen[uint8, struct{}](c.Uint8(), nil, func(n uint8, _ seq.Sequence) int { return 1 + int(n) })
	labels := map[byte]parse.TryParse[int]{}
	for b := 1; b <= MaxLabel; b++ {
		labels[byte(b)] = label
	}
	ends := map[byte]parse.TryParse[int]{0: c.Map(c.Byte(0), func(byte) int { return 1 })}
	for b := 0xc0; b <= 0xff; b++ {
		ends[byte(b)] = c.Map(c.Uint16BE(), func(uint16) int { return 2 })
	}
	return c.FoldTill(c.Dispatch(labels, nil), c.Dispatch(ends, nil), 0, MaxName, 0, func(n, l int) int { return n + l })
}()

// TestWalkerAgreesWithDeclared runs checkName and the declared grammar of
// a name in place over random names (labels, root, pointers to a root name
// at offset 12, reserved label types, cut anywhere) and over every name of
// the captures: where checkName accepts a name, the declared grammar reads
// exactly the bytes checkName says lie in place; where checkName finds a
// fault in place (a reserved label type, a name past the end), the
// declared grammar fails too.
func TestWalkerAgreesWithDeclared(t *testing.T) {
	var accepted, faults int
	compare := func(msg []byte, off int) {
		t.Helper()
		if agreeDeclared(t, msg, off) {
			accepted++
		} else {
			faults++
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for range 20000 {
		msg := append(AppendHeader(nil, Header{}), 0) // the root at 12
		for k := rng.IntN(8); k > 0; k-- {
			switch rng.IntN(8) {
			case 0:
				msg = append(msg, 0xc0, 12)
			case 1:
				msg = append(msg, byte(0x40+rng.IntN(0x80)))
			case 2:
				msg = append(msg, 0)
			default:
				l := 1 + rng.IntN(5)
				msg = append(msg, byte(l))
				for range l {
					msg = append(msg, byte('a'+rng.IntN(26)))
				}
			}
		}
		msg = msg[:13+rng.IntN(len(msg)-12)]
		if len(msg) > 13 {
			compare(msg, 13)
		}
	}
	for _, name := range []string{"dig-up.bin", "dig-down.bin", "pipelined-up.bin", "pipelined-down.bin"} {
		for _, m := range collect(t, readCapture(t, name)) {
			b := m.Bytes()
			off := HeaderLen
			for range m.QDCount {
				compare(b, off)
				_, off = questionAt(b, off)
			}
			for r, err := range m.Records() {
				if err != nil {
					t.Fatal(err)
				}
				compare(b, r.Name.off)
			}
		}
	}
	if accepted < 5000 || faults < 5000 {
		t.Errorf("%d names accepted, %d refused: too few of one kind", accepted, faults)
	}
}

// agreeDeclared fails t if checkName and the declared grammar inPlace
// disagree on the name at off of msg (see TestWalkerAgreesWithDeclared),
// and reports whether checkName accepted it.
func agreeDeclared(t testing.TB, msg []byte, off int) bool {
	t.Helper()
	end, _, err := checkName(msg, off)
	in := parse.NewInput(seq.Of(msg[off:]), true, 1<<20)
	_, derr := inPlace(in)
	n := in.Consumed()
	switch {
	case err == nil && (derr != nil || off+n != end):
		t.Fatalf("% x at %d: checkName ends at %d, declared reads %d (%v)", msg, off, end, n, derr)
	case (errors.Is(err, ErrLabelType) || errors.Is(err, ErrOverrun)) && derr == nil:
		t.Fatalf("% x at %d: checkName %v, declared reads %d", msg, off, err, n)
	}
	return err == nil
}
