package fuzz_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/pipe"
)

// slowReader takes longer than the timeout between its reads.
func slowReader(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	defer r.Complete(nil)
	for {
		res, err := r.Read(ctx)
		if err != nil {
			return err
		}
		time.Sleep(30 * time.Millisecond)
		r.AdvanceTo(res.Buffer.End(), res.Buffer.End())
		if res.Completed {
			return nil
		}
	}
}

// spinning loops in its own code after its first read, never reading again.
var spinForever = true

func spinning(ctx context.Context, r pipe.Reader, limit int, emit func(string)) error {
	if _, err := r.Read(ctx); err != nil {
		return err
	}
	n := 0
	for spinForever {
		n++
	}
	return nil
}

// TestTimeoutAtNextRead: a run that overstays Options.Timeout is reported
// as a hang at the decoder's next read.
func TestTimeoutAtNextRead(t *testing.T) {
	msg := failure(func(tb fuzz.TB) {
		fuzz.Check(tb, slowReader, []byte("abcdef"), []int{1, 2, 3, 4, 5}, fuzz.Options[string]{Timeout: 50 * time.Millisecond})
	})
	if !strings.Contains(msg, "hang") || !strings.Contains(msg, "did not return within 50ms") {
		t.Fatalf("got %q, want a hang", msg)
	}
}

// TestSpinWithoutReadingEndsTheProcess: a decoder that loops without
// reading cannot be stopped; after twice the timeout the harness ends the
// process, printing the input, its chunks and the goroutines' stacks.
func TestSpinWithoutReadingEndsTheProcess(t *testing.T) {
	if os.Getenv("SLUICE_TEST_SPIN") == "1" {
		fuzz.Check(t, spinning, []byte("abc"), []int{1}, fuzz.Options[string]{Timeout: 50 * time.Millisecond})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpinWithoutReadingEndsTheProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SLUICE_TEST_SPIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the process did not end:\n%s", out)
	}
	for _, want := range []string{"fuzz: hang: the decoder has not returned 100ms after it was given its input",
		`input "abc"`, `in 1 chunk: "abc"`, "goroutine "} { // the spinning one's stack, unless it is running on another thread
		if !strings.Contains(string(out), want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}
