package pgwire_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/pgwire"
	"github.com/sluicego/sluice/pipe"
)

// A client reads what a server answered to a simple query: the rows come
// as DataRow messages whose columns are slices of the input (nil for SQL
// NULL), valid until the next message.
func Example() {
	var b []byte
	b = pgwire.AppendDataRow(b, []byte("1"), []byte("one"))
	b = pgwire.AppendDataRow(b, []byte("2"), nil)
	b = pgwire.AppendCommandComplete(b, "SELECT 2")
	b = pgwire.AppendReadyForQuery(b, 'I')

	d := pgwire.NewDecoder(pipe.FromBytes(b), pgwire.Backend, pgwire.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		switch m.Kind {
		case pgwire.KindDataRow:
			for i := range m.NumValues() {
				if i > 0 {
					fmt.Print(" ")
				}
				if v := m.ValueBytes(i); v == nil {
					fmt.Print("NULL")
				} else {
					fmt.Printf("%s", v)
				}
			}
			fmt.Println()
		case pgwire.KindCommandComplete:
			fmt.Println("tag:", m.Text)
		default:
			fmt.Println(m.Kind)
		}
	}
	if err := d.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 one
	// 2 NULL
	// tag: SELECT 2
	// ReadyForQuery
}

// A server reads a client's startup phase: an SSLRequest (answered 'N'
// with pgwire.AppendMessage of a KindAnswer), then the StartupMessage and
// typed messages.
func ExampleNewDecoder_frontend() {
	var b []byte
	b = pgwire.AppendSSLRequest(b)
	b = pgwire.AppendStartup(b, "user", "alice", "database", "shop")
	b = pgwire.AppendQuery(b, "SELECT 1")
	b = pgwire.AppendTerminate(b)

	d := pgwire.NewDecoder(pipe.FromBytes(b), pgwire.Frontend, pgwire.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		fmt.Print(m.Kind)
		for _, f := range m.Fields {
			fmt.Printf(" %s=%s", f.Name, f.Value)
		}
		if m.Kind == pgwire.KindQuery {
			fmt.Printf(" %q", m.Text)
		}
		fmt.Println()
	}
	// Output:
	// SSLRequest
	// StartupMessage user=alice database=shop
	// Query "SELECT 1"
	// Terminate
}
