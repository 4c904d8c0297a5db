package parse

import (
	"errors"
	"testing"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// xs is a hand-written repetition: 'x' bytes up to a '.', returning how
// many, resumable with key. Every call of it is counted in calls and every
// resumed attempt in resumed.
type xs struct {
	key            *RepeatKey
	calls, resumed int
}

func (r *xs) parse(in *Input) (int, error) {
	r.calls++
	from, n := in.Consumed(), 0
	if k, acc, ok := in.ResumeRepeat(r.key); ok {
		r.resumed++
		if acc.(int) != k {
			return 0, errors.New("test: accumulator not restored")
		}
		n = k
	}
	for {
		b, err := in.ReadByte()
		switch {
		case err != nil:
			in.RepeatShort(r.key, from, in.Consumed(), n, n)
			return 0, in.NeedMore(1)
		case b == '.':
			return n, nil
		case b != 'x':
			return 0, in.Errorf("expected 'x' or '.'")
		}
		n++
	}
}

// A repetition written by hand resumes through the machine of a message
// reader: the attempt that ran short leaves a record, the next attempt on
// the same message takes it and goes on after the recorded elements, and
// an attempt that ends the message, with a message or an error, leaves no
// record, so no accumulator outlives its message.
func TestRepeatRecordsLifetime(t *testing.T) {
	r := &xs{key: NewRepeatKey()}
	var m machine[int]
	m.init(r.parse, Options{})
	whole := seq.Of([]byte("xxxx.xxy."))
	step := func(n int, final bool, want int, wantErr error) {
		t.Helper()
		m.load(pipe.Result{Buffer: whole.Slice(0, n), Completed: final})
		got, err := m.next()
		if got != want || !errors.Is(err, wantErr) && err != wantErr {
			t.Fatalf("bytes up to %d: got %d, %v; want %d, %v", n, got, err, want, wantErr)
		}
	}
	step(2, false, 0, errPartial)
	if len(m.reps.made) != 1 || m.reps.made[0].n != 2 {
		t.Fatalf("after a short attempt: records %+v, want one of 2 elements", m.reps.made)
	}
	step(3, false, 0, errPartial)
	step(5, false, 4, nil)
	if r.resumed != 2 {
		t.Errorf("resumed %d attempts, want 2", r.resumed)
	}
	if len(m.reps.made)+len(m.reps.given) != 0 || m.reps.next != -1 {
		t.Errorf("after a message: records given %+v, made %+v, next %d; want none", m.reps.given, m.reps.made, m.reps.next)
	}
	// The next message starts where the last ended: a record of it is
	// made, then the message fails.
	m.load(pipe.Result{Buffer: whole.Slice(5, 7)})
	if _, err := m.next(); err != errPartial || len(m.reps.made) != 1 {
		t.Fatalf("second message, short: %v, %d records", err, len(m.reps.made))
	}
	m.load(pipe.Result{Buffer: whole.From(5), Completed: true})
	var se *SyntaxError
	if _, err := m.next(); !errors.As(err, &se) || se.Offset != 8 {
		t.Fatalf("second message: got %v, want a syntax error at 8", err)
	}
	if len(m.reps.made)+len(m.reps.given) != 0 {
		t.Errorf("after an error: records given %+v, made %+v; want none", m.reps.given, m.reps.made)
	}
}

// A message over the limit ends the reader with a size error and drops
// the records its short attempts made.
func TestRepeatRecordsDroppedOnSizeError(t *testing.T) {
	r := &xs{key: NewRepeatKey()}
	var m machine[int]
	m.init(r.parse, Options{MaxMessageSize: 4})
	whole := seq.Of([]byte("xxxxxx"))
	m.load(pipe.Result{Buffer: whole.Slice(0, 3)})
	if _, err := m.next(); err != errPartial || len(m.reps.made) != 1 {
		t.Fatalf("short attempt: %v, %d records; want errPartial, 1", err, len(m.reps.made))
	}
	m.load(pipe.Result{Buffer: whole})
	if _, err := m.next(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want a size error", err)
	}
	if len(m.reps.made)+len(m.reps.given) != 0 {
		t.Errorf("after a size error: records given %+v, made %+v; want none", m.reps.given, m.reps.made)
	}
}

// Outside a message reader there is nothing to resume: an Input from
// NewInput keeps no record.
func TestRepeatNewInputKeepsNothing(t *testing.T) {
	r := &xs{key: NewRepeatKey()}
	buf := seq.Of([]byte("xxx"))
	in := NewInput(buf, false, 0)
	if _, err := r.parse(in); !errors.Is(err, ErrNeedMore) {
		t.Fatalf("got %v, want a need for more", err)
	}
	in = NewInput(seq.Of([]byte("xxx.")), true, 0)
	if n, err := r.parse(in); n != 3 || err != nil || r.resumed != 0 {
		t.Fatalf("got %d, %v, %d resumed; want 3, nil, 0", n, err, r.resumed)
	}
}
