// Command streamlines is the seed's stream example: it reads a text file
// through a pipe reader made over the file, and writes its lines to standard
// output through a pipe writer made over os.Stdout, until the file ends or
// the user presses C.
//
// The reader is pipe.NewReader(file, ...) (.NET's PipeReader.Create(stream));
// the writer is pipe.NewWriter(os.Stdout, pipe.WriterOptions{LeaveOpen: true})
// (PipeWriter.Create with leaveOpen, so that stdout stays usable after the
// writer completes). The processing loop reads, writes every complete line,
// and calls AdvanceTo(consumed = after the last line, examined = end). It
// stops when a read is canceled, when a flush is canceled or completed, or
// when the file ends; bytes left after the last '\n' at the end are an
// "incomplete message" error. Pressing C calls CancelPendingRead on the
// reader and CancelPendingFlush on the writer: no error, the loop sees
// Canceled and stops.
//
// Run it from the module root (the default -file, lorem-ipsum.txt, is looked
// for in the working directory, then in examples/streamlines):
//
//	go run ./examples/streamlines -delay 200ms    # press C to cancel
//	go run ./examples/streamlines </dev/null       # no terminal: runs to the end
//	go run ./examples/streamlines -file some.txt
//
// When standard input is a terminal it is switched to non-canonical,
// no-echo mode so that a single key press is seen at once (restored on
// exit, also on Ctrl-C). When it is not a terminal, keys are not watched.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

const defaultFile = "lorem-ipsum.txt"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "streamlines:", err)
		os.Exit(1)
	}
}

// run is the whole program. Keys are watched only if stdin is a terminal.
func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("streamlines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", defaultFile, "the text `file` to print")
	delay := fs.Duration("delay", 0, "pause after each line, to leave time to press C")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "file" })
	path, err := resolveFile(*file, explicit)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	// The pipe reader closes f when it completes (LeaveOpen is false); this
	// Close only matters if we return before that, and is harmless after.
	defer f.Close()

	var keys <-chan byte
	if stdin != nil && isTerminal(stdin) {
		kctx, stopKeys := context.WithCancel(ctx)
		k, restore, err := watchKeys(kctx, stdin)
		if err != nil {
			stopKeys()
			fmt.Fprintf(stderr, "streamlines: not watching keys: %v\n", err)
		} else {
			keys = k
			defer func() {
				stopKeys()
				restore() // give the terminal its mode back
			}()
		}
	}

	// The key watcher may print a prompt while the pipe writer writes
	// lines: serialize the two.
	out := &syncWriter{w: stdout}
	canceled, err := streamLines(ctx, f, out, *delay, keys)
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		fmt.Fprintf(out, "\nProcessing interrupted.\n")
		return err
	case err != nil:
		fmt.Fprintf(out, "\nProcessing failed.\n")
		return err
	case canceled:
		fmt.Fprintf(out, "\nProcessing canceled.\n")
	default:
		fmt.Fprintf(out, "\nProcessing completed.\n")
	}
	return nil
}

// resolveFile finds the default file from the module root as well as from
// this directory. A file named with -file is taken as given.
func resolveFile(name string, explicit bool) (string, error) {
	if explicit {
		return name, nil
	}
	candidates := []string{name, filepath.Join("examples", "streamlines", name)}
	if _, src, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(src), name))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("%s not found in %q; name a file with -file", name, candidates)
}

// syncWriter makes an io.Writer safe for concurrent use.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func writePrompt(w io.Writer) {
	fmt.Fprintf(w, "Press 'C'%s to cancel processing...\n\n", keyHint)
}

// streamLines copies the lines of src to dst through a pipe reader and a
// pipe writer, as the seed's Main does. A 'c' or 'C' received on keys
// cancels the processing; any other key repeats the prompt. keys may be nil.
func streamLines(ctx context.Context, src io.Reader, dst io.Writer, delay time.Duration, keys <-chan byte) (canceled bool, err error) {
	reader := pipe.NewReader(src, pipe.ReaderOptions{})
	writer := pipe.NewWriter(dst, pipe.WriterOptions{LeaveOpen: true})

	stop := make(chan struct{})
	var wg sync.WaitGroup
	if keys != nil {
		writePrompt(dst)
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case k, ok := <-keys:
					switch {
					case !ok:
						return
					case k == 'c' || k == 'C':
						// No error anywhere: the pending (or next) read
						// and flush just return with Canceled set.
						reader.CancelPendingRead()
						writer.CancelPendingFlush()
						return
					default:
						writePrompt(dst)
					}
				}
			}
		})
	}
	canceled, err = processMessages(ctx, reader, writer, delay)
	close(stop)
	wg.Wait()
	return canceled, err
}

// errIncomplete is the seed's InvalidDataException("Incomplete message.").
var errIncomplete = errors.New("incomplete message")

// processMessages is the seed's ProcessMessagesAsync. It reports whether it
// stopped because of a cancellation. It completes both the reader and the
// writer.
func processMessages(ctx context.Context, reader pipe.Reader, writer pipe.Writer, delay time.Duration) (canceled bool, err error) {
	defer func() {
		reader.Complete(err)
		writer.Complete(err) // Complete(nil) flushes what is still buffered
	}()
	for {
		res, err := reader.Read(ctx)
		if err != nil {
			// A source that failed hands over the bytes it read before
			// the failure with its error: write their complete lines,
			// then report it. Such a result needs no AdvanceTo.
			if !res.Buffer.IsEmpty() {
				if _, _, werr := writeLines(ctx, writer, res.Buffer, delay); werr != nil {
					return false, werr
				}
			}
			return false, err
		}
		stop, canceled, err := processResult(ctx, reader, writer, res, delay)
		if stop || err != nil {
			return canceled, err
		}
	}
}

// processResult is the body of the seed's read loop, with its finally block
// as a deferred AdvanceTo.
func processResult(ctx context.Context, reader pipe.Reader, writer pipe.Writer, res pipe.Result, delay time.Duration) (stop, canceled bool, err error) {
	buffer := res.Buffer
	// Consumed: up to the end of the last line written. Examined: all of
	// it, so that the next read waits for more of the file.
	defer func() { reader.AdvanceTo(buffer.Start(), buffer.End()) }()

	if res.Canceled {
		return true, true, nil
	}
	var flushed pipe.FlushResult
	buffer, flushed, err = writeLines(ctx, writer, buffer, delay)
	switch {
	case err != nil:
		return true, false, err
	case flushed.Canceled:
		return true, true, nil
	case flushed.Completed:
		return true, false, nil
	}
	if res.Completed {
		if !buffer.IsEmpty() {
			return true, false, fmt.Errorf("%w: %d bytes after the last newline", errIncomplete, buffer.Len())
		}
		return true, false, nil
	}
	return false, false, nil
}

// writeLines is the seed's TryParseLines and WriteMessagesAsync together:
// it copies every complete line of buffer into the writer's memory and
// flushes, once per line if delay is set, else once for all. It returns
// what follows the last line written.
func writeLines(ctx context.Context, writer pipe.Writer, buffer seq.Sequence, delay time.Duration) (seq.Sequence, pipe.FlushResult, error) {
	wrote := false
	for {
		i := buffer.IndexByte('\n')
		if i < 0 {
			break
		}
		line := buffer.Slice(0, i)
		mem := writer.Buffer(line.Len() + 1) // at least that much, maybe more
		n := line.CopyTo(mem)
		mem[n] = '\n'
		writer.Advance(n + 1)
		buffer = buffer.From(i + 1)
		wrote = true
		if delay > 0 {
			res, err := writer.Flush(ctx)
			if err != nil || res.Canceled || res.Completed {
				return buffer, res, err
			}
			wrote = false
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return buffer, pipe.FlushResult{}, ctx.Err()
			}
		}
	}
	if wrote {
		res, err := writer.Flush(ctx)
		return buffer, res, err
	}
	return buffer, pipe.FlushResult{}, nil
}
