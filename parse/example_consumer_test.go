package parse_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// A callback consumer on a pipe whose reader callbacks run inline: each
// line is handled on the writing goroutine before Write returns.
func ExampleConsume() {
	p := pipe.New(pipe.Options{ReaderScheduler: pipe.Inline})
	c := parse.Consume(p, func(in *parse.Input) (string, error) {
		l, ok := in.ReadTo('\n')
		if !ok {
			return "", in.NeedMore(0)
		}
		return l.String(), nil
	}, parse.Options{}, func(line string) error {
		fmt.Println("handled", line)
		return nil
	})
	w := p.Writer()
	w.Write(context.Background(), []byte("first\nsec"))
	fmt.Println("wrote first\\nsec")
	w.Write(context.Background(), []byte("ond\n"))
	w.Complete(nil)
	fmt.Println("end:", c.Wait(context.Background()))
	// Output:
	// handled first
	// wrote first\nsec
	// handled second
	// end: <nil>
}

// Stop ends a consumer from any goroutine; Wait reports ErrStopped.
func ExampleConsumer_Stop() {
	p := pipe.New(pipe.Options{})
	c := parse.Consume(p, func(in *parse.Input) (byte, error) {
		b, err := in.ReadByte()
		if err != nil {
			return 0, in.NeedMore(1)
		}
		return b, nil
	}, parse.Options{}, func(b byte) error { return nil })
	c.Stop()
	fmt.Println(c.Wait(context.Background()))
	// Output:
	// parse: consumer stopped
}
