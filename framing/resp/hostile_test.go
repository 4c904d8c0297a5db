package resp

import (
	"bytes"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	cb "github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/internal/segsteps"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// byteReader returns its data a byte per Read and counts what it gave.
type byteReader struct {
	data []byte
	read int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.read == len(r.data) {
		return 0, nil
	}
	n := copy(p[:1], r.data[r.read:])
	r.read += n
	return n, nil
}

// manyArgs is the command RPUSH list followed by n arguments of one
// byte.
func manyArgs(n int) []byte {
	out := appendHeader(nil, '*', n+2)
	out = append(out, "$5\r\nRPUSH\r\n$4\r\nlist\r\n"...)
	for range n {
		out = append(out, "$1\r\nx\r\n"...)
	}
	return out
}

// readBytewise reads one command from data a byte per read and returns
// how long it took and what it allocated.
func readBytewise(t *testing.T, data []byte) (time.Duration, uint64) {
	t.Helper()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	start := time.Now()
	src := &byteReader{data: data}
	r := NewCommandReader(pipe.NewReader(src, pipe.ReaderOptions{}), Limits{})
	c, err := r.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Args) < 2 {
		t.Fatalf("%d arguments", len(c.Args))
	}
	elapsed := time.Since(start)
	r.Close()
	runtime.ReadMemStats(&ms)
	return elapsed, ms.TotalAlloc - before
}

// TestHostileBytewise sends a 1 MiB command a byte per read. With one
// large argument the reader waits for the declared length in one piece:
// time linear in the size (a quarter of the bytes takes about a quarter
// of the time) and about the command's size allocated. With 150 000 small
// arguments the array repetition resumes where the last read stopped
// rather than starting over (which would take hours), and the cursor
// moves to the resume point without walking the segments before it: the
// million attempts together step from segment to segment about once per
// segment of the command (counted, so exact on a busy machine; a walk per
// attempt made it tens of millions), within a time limit and with
// allocation linear in the bytes. TestLinearManyArgs checks the same at
// two sizes.
func TestHostileBytewise(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("seconds of work, minutes under the race detector")
	}
	quarter, _ := readBytewise(t, AppendCommand(nil, "SET", "k", strings.Repeat("v", 1<<18)))
	whole, alloc := readBytewise(t, AppendCommand(nil, "SET", "k", strings.Repeat("v", 1<<20)))
	t.Logf("one 1 MiB argument: %v (a quarter: %v), %d bytes allocated", whole, quarter, alloc)
	if whole > 8*quarter+200*time.Millisecond {
		t.Errorf("4x the argument took %.1fx the time", float64(whole)/float64(quarter))
	}
	if alloc > 8<<20 {
		t.Errorf("allocated %d bytes for a 1 MiB command", alloc)
	}
	data := manyArgs(150_000)
	segsteps.Start()
	d, alloc := readBytewise(t, data)
	steps := segsteps.Stop()
	t.Logf("%d arguments (%d bytes): %v, %d segment steps, %d bytes allocated", 150_000, len(data), d, steps, alloc)
	if steps > int64(len(data)/1024) {
		t.Errorf("%d arguments a byte per read took %d segment steps, more than one per KiB", 150_000, steps)
	}
	if d > 10*time.Second {
		t.Errorf("%d arguments a byte per read took %v", 150_000, d)
	}
	if alloc > 64*uint64(len(data)) {
		t.Errorf("allocated %d bytes for a %d-byte command", alloc, len(data))
	}
}

// TestHostileDeclaredSizes checks that declared sizes over the limits are
// refused as soon as they are read: neither their bytes nor more than the
// header are waited for.
func TestHostileDeclaredSizes(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		limits      Limits
		commands    bool
		err         error
	}{
		{name: "bulk length", input: "*1\r\n$2000000000\r\n", commands: true, err: ErrBulkLength},
		{name: "bulk within MaxBulk, over the message size", input: "*1\r\n$2000000000\r\n", commands: true,
			limits: Limits{MaxBulk: math.MaxInt}, err: parse.ErrTooLarge},
		{name: "reply bulk", input: "$2000000000\r\n", err: ErrBulkLength},
		{name: "count", input: "*2000000000\r\n", commands: true, err: ErrCount},
		{name: "reply count within MaxElems, over the message size", input: "*20000000\r\n",
			limits: Limits{MaxElems: 1 << 30}, err: parse.ErrTooLarge},
		{name: "nesting", input: strings.Repeat("*1\r\n", 1_000_000), err: cb.ErrDepth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := append([]byte(tc.input), bytes.Repeat([]byte("x"), 1<<20)...)
			src := &byteReader{data: data}
			var err error
			if tc.commands {
				r := NewCommandReader(pipe.NewReader(src, pipe.ReaderOptions{}), tc.limits)
				_, err = r.Next(t.Context())
				r.Close()
			} else {
				r := NewValueReader(pipe.NewReader(src, pipe.ReaderOptions{}), tc.limits)
				_, err = r.Next(t.Context())
				r.Close()
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if limit := min(len(tc.input), 64*4) + 2; src.read > limit {
				t.Errorf("read %d bytes before refusing (%v)", src.read, err)
			}
		})
	}
}

// FuzzValue checks the value grammar through the fuzz harness: the same
// values and error in every chunking, no hang, no unbounded buffering.
func FuzzValue(f *testing.F) {
	for _, s := range append(valueSeeds, captureSeeds(f, "replies")...) {
		f.Add([]byte(s), []byte{3, 7})
	}
	d := valueDecoder()
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, d, data, cuts, fuzz.Options[Value]{Own: Value.Clone, MaxMessageSize: 1 << 16})
	})
}

// FuzzCommand does the same for the command grammar.
func FuzzCommand(f *testing.F) {
	for _, s := range append(commandSeeds, captureSeeds(f, "commands")...) {
		f.Add([]byte(s), []byte{3, 7})
	}
	d := commandDecoder()
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, d, data, cuts, fuzz.Options[Command]{Own: ownCommand, MaxMessageSize: 1 << 16})
	})
}
