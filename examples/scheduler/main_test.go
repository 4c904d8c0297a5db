package main

import (
	"bytes"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
)

func TestRun(t *testing.T) {
	testutil.CheckGoroutines(t)
	var out, errOut bytes.Buffer
	if err := run([]string{"-messages", "3000"}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	text := out.String()
	t.Logf("output:\n%s", text)
	m := regexp.MustCompile(`(?m)^all (\d+) callbacks ran on the dedicated goroutine \d+$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("the output does not say that all callbacks ran on the dedicated goroutine")
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^ *dedicated +3000 +` + m[1] + ` +1 +\S+ +all on the dedicated goroutine$`),
		regexp.MustCompile(`(?m)^ *inline +3000 +\d+ +1 +\S+ +all on the producer's goroutine, inside Flush$`),
		regexp.MustCompile(`(?m)^ *goroutine +3000 +(\d+) +(\d+) +\S+ +`),
	} {
		if !want.MatchString(text) {
			t.Errorf("no line matches %s", want)
		}
	}
}

func TestRunBadArgs(t *testing.T) {
	for _, args := range [][]string{{"-messages", "-1"}, {"extra"}, {"-nosuchflag"}} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

func TestWorkloads(t *testing.T) {
	testutil.CheckGoroutines(t)
	dedicated := newDedicatedScheduler()
	defer dedicated.Close()
	for _, n := range []int{0, 1, 2000} {
		rep, err := runWorkload("dedicated", dedicated, n, true)
		if err != nil {
			t.Fatal(err)
		}
		if rep.messages != n || rep.callbacks == 0 || rep.onDedicated != rep.callbacks || len(rep.goroutines) != 1 {
			t.Errorf("dedicated, %d messages: %+v", n, rep)
		}
		rep, err = runWorkload("inline", pipe.Inline, n, true)
		if err != nil {
			t.Fatal(err)
		}
		// Inline: one callback per flush (each Write flushes) plus the
		// one that sees the completion, all on the producer's goroutine.
		if rep.messages != n || rep.callbacks != n+1 || rep.onProducer != rep.callbacks || rep.onDedicated != 0 {
			t.Errorf("inline, %d messages: %+v", n, rep)
		}
		rep, err = runWorkload("goroutine", pipe.Goroutine, n, true)
		if err != nil {
			t.Fatal(err)
		}
		if rep.messages != n || len(rep.goroutines) != rep.callbacks || rep.onDedicated != 0 || rep.onProducer != 0 {
			t.Errorf("goroutine, %d messages: %+v", n, rep)
		}
	}
}

// TestDedicatedScheduler: callbacks run in order, on one goroutine, also
// when scheduled from a callback, and Close runs the queued ones first.
func TestDedicatedScheduler(t *testing.T) {
	testutil.CheckGoroutines(t)
	s := newDedicatedScheduler()
	var mu sync.Mutex
	var order []int
	ids := map[uint64]bool{}
	var wg sync.WaitGroup
	record := func(i int) {
		mu.Lock()
		order = append(order, i)
		ids[goroutineID()] = true
		mu.Unlock()
		wg.Done()
	}
	wg.Add(200)
	for i := range 100 {
		s.Schedule(func() {
			record(i)
			// Scheduling from the worker itself must not block.
			s.Schedule(func() { record(1000 + i) })
		})
	}
	wg.Wait()
	wg.Add(10)
	for i := range 10 {
		s.Schedule(func() { time.Sleep(time.Millisecond); record(2000 + i) })
	}
	s.Close()
	if len(order) != 210 {
		t.Fatalf("%d callbacks ran, want 210", len(order))
	}
	last := -1
	for _, v := range order {
		if v < 1000 {
			if v != last+1 {
				t.Fatalf("callbacks out of order: %v", order)
			}
			last = v
		}
	}
	if len(ids) != 1 || !ids[s.ID()] {
		t.Errorf("callbacks ran on goroutines %v, want only %d", ids, s.ID())
	}
	defer func() {
		if recover() == nil {
			t.Error("Schedule after Close does not panic")
		}
	}()
	s.Schedule(func() {})
}

func TestGoroutineID(t *testing.T) {
	id := goroutineID()
	var buf [64]byte
	line := string(buf[:runtime.Stack(buf[:], false)])
	if want := "goroutine " + strconv.FormatUint(id, 10) + " "; !strings.HasPrefix(line, want) {
		t.Errorf("goroutineID %d, stack begins %q", id, line)
	}
	other := make(chan uint64)
	go func() { other <- goroutineID() }()
	if o := <-other; o == id {
		t.Errorf("two goroutines have the id %d", id)
	}
}
