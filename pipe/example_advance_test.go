package pipe_test

import (
	"context"
	"fmt"
	"strings"
	"testing/iotest"

	"github.com/sluicego/sluice/pipe"
)

// Count lines with one call per read: AdvanceAndRead keeps the partial
// line at the end of each buffer, examines all of it, and reads on. The
// source gives a byte per read, so most reads end inside a line.
func ExampleAdvanceReader() {
	src := iotest.OneByteReader(strings.NewReader("alpha\nbeta\ngamma\ndelta\n"))
	r := pipe.NewReader(src, pipe.ReaderOptions{}).(pipe.AdvanceReader)
	defer r.Complete(nil)
	ctx := context.Background()
	lines := 0
	res, err := r.Read(ctx)
	for err == nil {
		buf := res.Buffer
		for i := buf.IndexByte('\n'); i >= 0; i = buf.IndexByte('\n') {
			lines++
			buf = buf.From(i + 1)
		}
		if res.Completed {
			fmt.Println(lines, "lines;", buf.Len(), "bytes left over")
			return
		}
		res, err = r.AdvanceAndRead(ctx, buf.Start(), res.Buffer.End())
	}
	fmt.Println("error:", err)
	// Output:
	// 4 lines; 0 bytes left over
}

// AdvanceAndRead, the function, serves any pipe.Reader: it makes the one
// call where the reader can, and AdvanceTo then Read where it cannot.
func ExampleAdvanceAndRead() {
	r := pipe.FromBytes([]byte("key=value"))
	defer r.Complete(nil)
	ctx := context.Background()
	res, _ := r.Read(ctx)
	eq := res.Buffer.IndexByte('=')
	fmt.Printf("key %q\n", res.Buffer.Slice(0, eq).String())
	res, _ = pipe.AdvanceAndRead(ctx, r, res.Buffer.PosAt(eq+1), res.Buffer.PosAt(eq+1))
	fmt.Printf("value %q\n", res.Buffer.String())
	// Output:
	// key "key"
	// value "value"
}
