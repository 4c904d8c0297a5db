package resp_test

import (
	"context"
	"fmt"

	"github.com/sluicego/sluice/framing/resp"
	"github.com/sluicego/sluice/pipe"
)

// A server reads commands, pipelined arrays and an inline line alike; a
// client reads replies of every RESP3 type. The views each message holds
// are valid until the next one is read.
func Example() {
	wire := resp.AppendCommand(nil, "SET", "greeting", "hello world")
	wire = append(wire, "GET greeting\r\n"...) // as typed into telnet
	cmds := resp.NewCommandReader(pipe.FromBytes(wire), resp.Limits{})
	defer cmds.Close()
	for c := range cmds.All(context.Background()) {
		fmt.Printf("%s %d args inline=%v\n", c.Name(), len(c.Args), c.Inline)
	}

	replies := []byte("+OK\r\n$11\r\nhello world\r\n%1\r\n+proto\r\n:3\r\n,0.5\r\n_\r\n")
	vals := resp.NewValueReader(pipe.FromBytes(replies), resp.Limits{})
	defer vals.Close()
	for v := range vals.All(context.Background()) {
		switch v.Kind {
		case resp.Map:
			fmt.Printf("%s: %s = %d\n", v.Kind, v.Elems[0].Str, v.Elems[1].Int)
		case resp.Null:
			fmt.Println(v.Kind)
		case resp.Double:
			f, _ := v.Float()
			fmt.Printf("%s: %g\n", v.Kind, f)
		default:
			fmt.Printf("%s: %s\n", v.Kind, v.Str)
		}
	}
	if err := vals.Err(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%q\n", resp.AppendValue(nil, resp.Value{Kind: resp.Boolean, Int: 1}))
	// Output:
	// SET 3 args inline=false
	// GET 2 args inline=true
	// simple string: OK
	// bulk string: hello world
	// map: proto = 3
	// double: 0.5
	// null
	// "#t\r\n"
}
