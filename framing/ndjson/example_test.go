package ndjson_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sluicego/sluice/framing/ndjson"
	"github.com/sluicego/sluice/pipe"
)

func Example() {
	in := []byte("{\"level\":\"info\",\"msg\":\"started\"}\n\n{\"level\":\"warn\",\"msg\":\"slow\"}\r\n")
	r := ndjson.NewReader(pipe.FromBytes(in), ndjson.Options{Validate: true})
	defer r.Close()
	for v := range r.All(context.Background()) {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal(v.Bytes(), &rec); err != nil { // v is a view: Bytes copies it
			fmt.Println(err)
			continue
		}
		fmt.Println(rec.Level, rec.Msg)
	}
	fmt.Println("error:", r.Err())

	out, _ := ndjson.AppendJSON(nil, map[string]int{"n": 1})
	fmt.Printf("%q\n", out)
	// Output:
	// info started
	// warn slow
	// error: <nil>
	// "{\"n\":1}\n"
}
