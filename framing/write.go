package framing

import (
	"github.com/sluicego/sluice/pipe"
)

// chunk is the most a write asks a pipe writer's Buffer for at once.
const chunk = 64 << 10

// put copies parts into w's memory, one after the other, and commits
// them without flushing.
func put(w pipe.Writer, parts ...[]byte) {
	for _, p := range parts {
		for len(p) > 0 {
			buf := w.Buffer(min(len(p), chunk))
			n := copy(buf, p)
			w.Advance(n)
			p = p[n:]
		}
	}
}
