package bench

import (
	"bytes"
	"io"
	"testing"
)

// stepReader returns its data at most step bytes per Read.
type stepReader struct {
	data []byte
	step int
}

func (r *stepReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestGrammarAgree checks that every contender of BenchmarkGrammar/resp and
// BenchmarkGrammar/chunked counts what its stream holds, read 4 KiB at a
// time as in the benchmark and in small odd reads that split every
// message, so that the benchmark compares contenders that do the same work.
func TestGrammarAgree(t *testing.T) {
	type stream struct {
		name       string
		data       []byte
		want       grammarTally
		contenders []grammarContender
	}
	resp, respWant := respStream(128 << 10)
	streams := []stream{{"resp", resp, respWant, respContenders}}
	for _, name := range chunkedStreams {
		data, want := chunkedStream(t, name, 128<<10)
		streams = append(streams, stream{"chunked/" + name, data, want, chunkedContenders})
	}
	for _, s := range streams {
		if s.want.msgs < 2 || s.want.bytes == 0 {
			t.Fatalf("%s: the stream holds %+v", s.name, s.want)
		}
		for _, c := range s.contenders {
			for _, step := range []int{chunk, 7} {
				got, err := c.tally(&stepReader{data: s.data, step: step})
				if err != nil || got != s.want {
					t.Errorf("%s/%s, %d-byte reads: counted %+v, err %v; want %+v", s.name, c.name, step, got, err, s.want)
				}
			}
		}
	}
}

// TestChunkedStreams checks the shape of the chunked streams that
// chunkedStream's doc promises.
func TestChunkedStreams(t *testing.T) {
	for _, name := range chunkedStreams {
		data, want := chunkedStream(t, name, 128<<10)
		if len(data) < 128<<10 {
			t.Errorf("%s: %d bytes", name, len(data))
		}
		again, _ := chunkedStream(t, name, 128<<10)
		if !bytes.Equal(data, again) {
			t.Errorf("%s: a second build of the stream differs from the first", name)
		}
		var perBody int
		switch name {
		case "chunks":
			perBody = 0
			if n := bytes.Count(data, []byte("\r\n")); n != want.msgs*(2*64+2) {
				t.Errorf("chunks: %d CRLFs for %d bodies, want 64 chunks a body", n, want.msgs)
			}
		case "trailer":
			perBody = 1
			if n := bytes.Count(data, []byte("\r\nX-Checksum: ")); n != want.msgs {
				t.Errorf("trailer: %d checksum fields for %d bodies", n, want.msgs)
			}
		case "nginx":
			perBody = 2
		}
		if want.parts != perBody*want.msgs {
			t.Errorf("%s: %d trailer fields in %d bodies, want %d a body", name, want.parts, want.msgs, perBody)
		}
	}
}
