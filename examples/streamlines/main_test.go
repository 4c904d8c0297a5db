package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/pipe"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "input.txt")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// knownContent has short, empty and long lines; the long ones span the
// reader's 4 KiB segments.
func knownContent() string {
	var b strings.Builder
	b.WriteString("first line\n\nafter an empty line\n")
	for i := range 200 {
		fmt.Fprintf(&b, "line %03d %s\n", i, strings.Repeat("ab", i%37))
	}
	b.WriteString(strings.Repeat("L", 9000) + "\n")
	b.WriteString("last line\n")
	return b.String()
}

func TestRunKnownContent(t *testing.T) {
	for _, delay := range []string{"0", "1us"} {
		t.Run("delay="+delay, func(t *testing.T) {
			testutil.CheckGoroutines(t)
			content := knownContent()
			path := writeFile(t, content)
			var out, errOut testutil.SyncBuffer
			// stdin is not a terminal: no keys are watched, no prompt.
			if err := run(context.Background(), []string{"-file", path, "-delay", delay}, nil, &out, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			if want := content + "\nProcessing completed.\n"; out.String() != want {
				t.Errorf("output differs from the file: got %d bytes, want %d", len(out.String()), len(want))
			}
		})
	}
}

func TestRunDefaultFile(t *testing.T) {
	testutil.CheckGoroutines(t)
	content, err := os.ReadFile(defaultFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(content, []byte("\n")); n < 50 || !bytes.HasSuffix(content, []byte(".\n\n")) {
		t.Errorf("%s has %d lines and should end with a blank line", defaultFile, n)
	}
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if isTerminal(stdin) {
		t.Fatalf("%s is a terminal?", os.DevNull)
	}
	var out, errOut testutil.SyncBuffer
	if err := run(context.Background(), nil, stdin, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	if want := string(content) + "\nProcessing completed.\n"; out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestResolveFile(t *testing.T) {
	// From the module root, as with go run ./examples/streamlines.
	t.Chdir("../..")
	path, err := resolveFile(defaultFile, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("examples", "streamlines", defaultFile); path != want {
		t.Errorf("found %s, want %s", path, want)
	}
	// From anywhere else, next to the source.
	t.Chdir(t.TempDir())
	if path, err := resolveFile(defaultFile, false); err != nil || filepath.Base(path) != defaultFile {
		t.Errorf("resolveFile: %q, %v", path, err)
	}
	if path, err := resolveFile("x.txt", true); err != nil || path != "x.txt" {
		t.Errorf("an explicit -file is taken as given: %q, %v", path, err)
	}
	if _, err := resolveFile("no-such-file.txt", false); err == nil {
		t.Error("a missing default file is not reported")
	}
}

func TestIncompleteMessage(t *testing.T) {
	for _, content := range []string{"alpha\nbeta\nno final newline", "no newline at all",
		strings.Repeat("x", 5000) + "\n" + strings.Repeat("y", 5000)} {
		testutil.CheckGoroutines(t)
		path := writeFile(t, content)
		var out, errOut testutil.SyncBuffer
		err := run(context.Background(), []string{"-file", path}, nil, &out, &errOut)
		if !errors.Is(err, errIncomplete) {
			t.Fatalf("run: %v, want an incomplete message", err)
		}
		rest := content[strings.LastIndexByte(content, '\n')+1:]
		if !strings.Contains(err.Error(), fmt.Sprintf("%d bytes", len(rest))) {
			t.Errorf("the error %q does not say how many bytes are left", err)
		}
		// Every complete line was written before the error.
		if want := content[:len(content)-len(rest)] + "\nProcessing failed.\n"; out.String() != want {
			t.Errorf("output %q, want %q", out.String(), want)
		}
	}
}

// TestCancel presses keys while lines are written slowly: another key shows
// the prompt again, C cancels without an error.
func TestCancel(t *testing.T) {
	testutil.CheckGoroutines(t)
	var content strings.Builder
	for i := range 200 {
		fmt.Fprintf(&content, "line %d\n", i)
	}
	f, err := os.Open(writeFile(t, content.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := make(chan byte, 2)
	var out testutil.SyncBuffer
	go func() {
		time.Sleep(30 * time.Millisecond)
		keys <- 'x'
		time.Sleep(30 * time.Millisecond)
		keys <- 'C'
	}()
	canceled, err := streamLines(context.Background(), f, &out, 2*time.Millisecond, keys)
	if err != nil || !canceled {
		t.Fatalf("streamLines: canceled %v, %v", canceled, err)
	}
	text := out.String()
	prompt := "Press 'C' to cancel processing...\n\n"
	if n := strings.Count(text, prompt); n != 2 {
		t.Errorf("the prompt appears %d times, want 2 (at the start and after 'x')", n)
	}
	lines := strings.ReplaceAll(text, prompt, "")
	if !strings.HasPrefix(content.String(), lines) || lines == "" || len(lines) == content.Len() {
		t.Errorf("the output is not a proper prefix of the file:\n%s", text)
	}
}

// TestCancelAfterEnd: a key pressed after the end changes nothing.
func TestCancelAfterEnd(t *testing.T) {
	testutil.CheckGoroutines(t)
	keys := make(chan byte, 1)
	var out testutil.SyncBuffer
	canceled, err := streamLines(context.Background(), strings.NewReader("a\nb\n"), &out, 0, keys)
	keys <- 'C'
	if err != nil || canceled {
		t.Fatalf("streamLines: canceled %v, %v", canceled, err)
	}
	if want := "Press 'C' to cancel processing...\n\na\nb\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestContextCanceled(t *testing.T) {
	testutil.CheckGoroutines(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var out testutil.SyncBuffer
	_, err := streamLines(ctx, strings.NewReader(strings.Repeat("line\n", 1000)), &out, time.Millisecond, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("streamLines: %v, want the context's error", err)
	}
}

// failingFile returns its content then a read error, with the last bytes
// (as iotest.DataErrReader does) or on the next call.
type failingFile struct {
	data     []byte
	withData bool
}

var errDisk = errors.New("disk read error")

func (f *failingFile) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, errDisk
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	if len(f.data) == 0 && f.withData {
		return n, errDisk
	}
	return n, nil
}

// TestLinesBeforeReadError: the complete lines read before the file failed
// are written, then the read error is returned.
func TestLinesBeforeReadError(t *testing.T) {
	for _, withData := range []bool{false, true} {
		var out bytes.Buffer
		src := pipe.NewReader(&failingFile{data: []byte("alpha\nbeta\npart"), withData: withData}, pipe.ReaderOptions{})
		_, err := processMessages(context.Background(), src, pipe.NewWriter(&out, pipe.WriterOptions{}), 0)
		if !errors.Is(err, errDisk) || out.String() != "alpha\nbeta\n" {
			t.Errorf("error with the data %v: wrote %q, err %v; want the two lines, then %v", withData, out.String(), err, errDisk)
		}
	}
}
