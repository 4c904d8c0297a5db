package segtest

import (
	"io"
	"math/rand/v2"
)

// Bytewise is an io.Reader that returns Data one byte per Read, the
// hardest pace for a streaming parser, then io.EOF. N counts the bytes
// it has given, so a test can tell how far a decoder read before it
// refused something.
type Bytewise struct {
	Data []byte
	N    int
}

// Read copies the next byte of Data into p.
func (r *Bytewise) Read(p []byte) (int, error) {
	if r.N == len(r.Data) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.Data[r.N]
	r.N++
	return 1, nil
}

// Pieces is an io.Reader that returns each of its pieces by itself, in
// order (a piece longer than a Read's buffer over several Reads), then
// io.EOF: the reads a relay recorded, replayed as they came.
type Pieces [][]byte

// Read copies from the first piece that has bytes left.
func (r *Pieces) Read(p []byte) (int, error) {
	for len(*r) > 0 && len((*r)[0]) == 0 {
		*r = (*r)[1:]
	}
	if len(*r) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*r)[0])
	(*r)[0] = (*r)[0][n:]
	return n, nil
}

// RandomPieces cuts b into pieces of 1 to max bytes, their lengths drawn
// from rnd. The pieces share b's memory.
func RandomPieces(rnd *rand.Rand, b []byte, max int) Pieces {
	var out Pieces
	for len(b) > 0 {
		n := min(len(b), 1+rnd.IntN(max))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// Zeros is an io.Reader of Head, then Left zero bytes made as they are
// read, then io.EOF: a message of any declared size (a length prefix or
// header in Head, its payload the zeros) that costs the test no memory.
type Zeros struct {
	Head []byte
	Left uint64
}

// Read copies what is left of Head into p, or else zeros.
func (z *Zeros) Read(p []byte) (int, error) {
	if len(z.Head) > 0 {
		n := copy(p, z.Head)
		z.Head = z.Head[n:]
		return n, nil
	}
	if z.Left == 0 {
		return 0, io.EOF
	}
	n := int(min(uint64(len(p)), z.Left))
	clear(p[:n])
	z.Left -= uint64(n)
	return n, nil
}
