package testutil

import "strings"

// Interleavings returns every interleaving of w writer steps ('w') and r
// reader steps ('r'), for tests that play each order in a synctest bubble.
func Interleavings(w, r int) []string {
	if w == 0 || r == 0 {
		return []string{strings.Repeat("w", w) + strings.Repeat("r", r)}
	}
	var out []string
	for _, o := range Interleavings(w-1, r) {
		out = append(out, "w"+o)
	}
	for _, o := range Interleavings(w, r-1) {
		out = append(out, "r"+o)
	}
	return out
}

// StepReader is an io.Reader fed step by step, as a connection is: each
// Read waits for the next chunk a step released and returns it, or the
// error.
type StepReader struct {
	ch   chan stepChunk
	rest string
}

type stepChunk struct {
	data string
	err  error
}

// NewStepReader returns a StepReader and its steps: one per chunk, which
// makes the chunk readable, then one that makes the next Read return err.
func NewStepReader(chunks []string, err error) (*StepReader, []func()) {
	r := &StepReader{ch: make(chan stepChunk, len(chunks)+1)}
	var steps []func()
	for _, s := range chunks {
		steps = append(steps, func() { r.ch <- stepChunk{data: s} })
	}
	steps = append(steps, func() { r.ch <- stepChunk{err: err} })
	return r, steps
}

func (r *StepReader) Read(p []byte) (int, error) {
	if r.rest == "" {
		c := <-r.ch
		if c.err != nil {
			return 0, c.err
		}
		r.rest = c.data
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}
