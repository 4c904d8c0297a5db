package parse

import (
	"unsafe"

	"github.com/sluicego/sluice/internal/batch"
)

// A batch form of a TryParse p is a func(in *Input, out []T) int, recorded
// for p in internal/batch by the package that declared p. Called on a
// fresh attempt (not resumed: see [Input.Resumed]) at the start of a
// message, with the rest of what it is shown (the buffer, or a window of it
// when more than the maximum message size is buffered) within that size, it
// reads from the cursor as many whole messages as it can decide, up to
// len(out), writes them to out in order and returns how many; the cursor
// stands after the last. Each message and each cursor move must be what
// successive calls of p would return on the same Input; it may stop
// anywhere (0 included), leaving the rest to p, which decides every need
// for more input, every error and every message it does not take. It
// never fails: what it does not decide it leaves.
//
// The message reader runs it when it stands at a message in the buffer it
// holds and has no message queued, and returns the queued messages before
// parsing again. A queued message views the buffer the reader holds, so it
// lives as long as a message returned by p would. Since all it is shown
// fits the maximum message size, so does each message of the batch; the
// reader checks that the batch consumed at least a byte per message, and
// else drops it and lets p decide.

// batchOf returns the batch form recorded for p, or nil.
func batchOf[T any](p TryParse[T]) func(*Input, []T) int {
	f, _ := batch.Lookup(batch.Closure(p)).(func(*Input, []T) int)
	return f
}

// batchLen returns how many messages of type T a batch holds: enough for
// a segment of small messages, within about 4 KiB.
func batchLen[T any]() int {
	var zero T
	return min(64, max(8, 4096/max(1, int(unsafe.Sizeof(zero)))))
}

// fill runs the batch form at the live cursor and queues what it read. It
// reports whether it queued a message; if not, the cursor is where it was
// and the caller parses the message with the parser.
func (m *machine[T]) fill() bool {
	in := &m.in
	c := in.Reader.Consumed()
	// The cursor is live with at least a byte and no more than the limit
	// left (so every message of the batch fits), and not resuming.
	if uint(m.end-c-1) >= uint(m.limit) || in.short.key != nil || in.Resumed() {
		return false
	}
	in.start, in.need = c, 0
	if m.q == nil {
		m.q = make([]T, batchLen[T]())
	}
	n := m.batch(in, m.q)
	if n <= 0 {
		return false
	}
	if in.Reader.Consumed()-c < n {
		// A message of no byte: the parser decides, and reports it.
		in.Reader.Rewind(in.Reader.Consumed() - c)
		clear(m.q[:n])
		return false
	}
	m.qi, m.qn = 0, n
	return true
}
