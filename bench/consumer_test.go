package bench

import (
	"context"
	"testing"

	"github.com/sluicego/sluice/combinators"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
	"github.com/sluicego/sluice/seq"
)

// BenchmarkConsumer feeds 64 MiB of 64-byte lines through a pipe in 4 KiB
// writes to a callback consumer whose handler runs inline on the flushing
// goroutine or on another goroutine.
func BenchmarkConsumer(b *testing.B) {
	data := lines(64)
	for _, s := range []struct {
		name  string
		sched pipe.Scheduler
	}{{"inline", pipe.Inline}, {"goroutine", pipe.Goroutine}} {
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				p := pipe.New(pipe.Options{ReaderScheduler: s.sched})
				n := 0
				c := parse.Consume(p, combinators.Line(), parse.Options{}, func(seq.Sequence) error {
					n++
					return nil
				})
				w := p.Writer()
				for d := data; len(d) > 0; d = d[min(chunk, len(d)):] {
					if _, err := w.Write(context.Background(), d[:min(chunk, len(d))]); err != nil {
						b.Fatal(err)
					}
				}
				w.Complete(nil)
				if err := c.Wait(context.Background()); err != nil || n != len(data)/64 {
					b.Fatalf("%d lines, %v", n, err)
				}
			}
		})
	}
}
