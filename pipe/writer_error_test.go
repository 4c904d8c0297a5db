package pipe

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"testing/synctest"

	"github.com/sluicego/sluice/internal/testutil"
)

// The io views deliver every byte that came before a writer's error, then
// the error, whatever the order in which the writer and the reader run: the
// orders are enumerated in synctest bubbles, for a Pipe and for NewReader
// over an io.Reader that returns the error after its last bytes or with
// them. (parse/writer_error_test.go does the same for the message readers.)

var errWeWriter = errors.New("the writer failed")

// weSource returns a reader of the given kind and the writer's steps: flush
// each chunk, then fail with errWeWriter.
func weSource(kind string, chunks []string) (Reader, []func()) {
	var steps []func()
	if kind == "pipe" {
		p := New(Options{SegmentSize: 4})
		w := p.Writer()
		for _, s := range chunks {
			steps = append(steps, func() {
				if _, err := w.Write(context.Background(), []byte(s)); err != nil {
					panic(err)
				}
			})
		}
		steps = append(steps, func() { w.Complete(errWeWriter) })
		return p.Reader(), steps
	}
	src, steps := testutil.NewStepReader(chunks, errWeWriter)
	var in io.Reader = src
	if kind == "io.Reader/error-with-data" {
		in = iotest.DataErrReader(src)
	}
	return NewReader(in, ReaderOptions{BufferSize: 8}), steps
}

// weGate is an io.Writer that records what it is given, one Write per
// release.
type weGate struct {
	release chan struct{}
	got     strings.Builder
}

func (g *weGate) Write(p []byte) (int, error) {
	<-g.release
	return g.got.Write(p)
}

func TestIOViewsDeliverBytesBeforeWriterError(t *testing.T) {
	chunkSets := [][]string{
		nil,
		{"abcdef"},
		{"abc", "defghijkl"},
		{"a", "b", "c"},
	}
	// Each reader makes its calls on a goroutine it starts, waiting on
	// release before each call (or Write to dst) but the first.
	readers := map[string]func(r Reader, release chan struct{}) (got func() (string, error)){
		"AsReader.Read": func(r Reader, release chan struct{}) func() (string, error) {
			var b strings.Builder
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				v := AsReader(r)
				p := make([]byte, 3)
				for {
					var n int
					n, err = v.Read(p)
					b.Write(p[:n])
					if err != nil {
						return
					}
					<-release
				}
			}()
			return func() (string, error) { <-done; return b.String(), err }
		},
		"AsReader.WriteTo": func(r Reader, release chan struct{}) func() (string, error) {
			g := &weGate{release: release}
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, err = AsReader(r).(io.WriterTo).WriteTo(g)
			}()
			return func() (string, error) { <-done; return g.got.String(), err }
		},
		"CopyTo": func(r Reader, release chan struct{}) func() (string, error) {
			g := &weGate{release: release}
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, err = CopyTo(context.Background(), r, g)
			}()
			return func() (string, error) { <-done; return g.got.String(), err }
		},
	}
	for _, kind := range []string{"pipe", "io.Reader/error-after-data", "io.Reader/error-with-data"} {
		for name, read := range readers {
			t.Run(kind+"/"+name, func(t *testing.T) {
				for _, chunks := range chunkSets {
					want := strings.Join(chunks, "")
					for _, order := range testutil.Interleavings(len(chunks)+1, 4) {
						synctest.Test(t, func(t *testing.T) {
							r, writer := weSource(kind, chunks)
							release := make(chan struct{})
							var got func() (string, error)
							for _, step := range order {
								switch {
								case step == 'w':
									writer[0]()
									writer = writer[1:]
								case got == nil:
									got = read(r, release)
								default:
									select {
									case release <- struct{}{}:
									default:
									}
								}
								synctest.Wait()
							}
							if got == nil {
								got = read(r, release)
							}
							// Release the reader until it ends.
							stop := make(chan struct{})
							go func() {
								for {
									select {
									case release <- struct{}{}:
									case <-stop:
										return
									}
								}
							}()
							b, err := got()
							close(stop)
							if b != want || err != errWeWriter {
								t.Fatalf("chunks %q, order %s: got %q, %v; want %q, then the writer's error", chunks, order, b, err, want)
							}
							r.Complete(nil)
						})
					}
				}
			})
		}
	}
}
