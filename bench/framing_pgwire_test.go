package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sluicego/sluice/framing/pgwire"
	"github.com/sluicego/sluice/pipe"
)

// pgResults is what a server sends for queries with large results, the
// DataRow-heavy stream of issue 11: per query a RowDescription of five
// columns (int4, text of 5–60 bytes, a timestamp as text, a numeric as
// text, a boolean, one in ten NULL), rows DataRows, CommandComplete and
// ReadyForQuery.
func pgResults(queries, rows int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 5))
	text := bytes.Repeat([]byte("lorem ipsum dolor sit amet "), 3)
	m := pgwire.Message{Kind: pgwire.KindRowDescription}
	for i, c := range []struct {
		name string
		oid  uint32
		size int16
	}{{"id", 23, 4}, {"name", 25, -1}, {"created", 1114, 8}, {"amount", 1700, -1}, {"active", 16, 1}} {
		m.Columns = append(m.Columns, pgwire.Column{Name: seqOf(c.name), TableOID: 16390, AttrNumber: int16(i + 1),
			TypeOID: c.oid, TypeSize: c.size, TypeModifier: -1})
	}
	var out []byte
	for q := range queries {
		out, _ = pgwire.AppendMessage(out, &m)
		for r := range rows {
			id := fmt.Appendf(nil, "%d", q*rows+r)
			ts := fmt.Appendf(nil, "2026-12-%02d %02d:%02d:%02d.%06d", 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e6))
			amount := fmt.Appendf(nil, "%d.%02d", rng.IntN(100000), rng.IntN(100))
			var name []byte
			if rng.IntN(10) != 0 {
				name = text[:5+rng.IntN(56)]
			}
			active := []byte("t")
			if rng.IntN(2) == 0 {
				active = []byte("f")
			}
			out = pgwire.AppendDataRow(out, id, name, ts, amount, active)
		}
		out = pgwire.AppendCommandComplete(out, fmt.Sprintf("SELECT %d", rows))
		out = pgwire.AppendReadyForQuery(out, 'I')
	}
	return out
}

// reads4K reads from data at most 4 KiB per Read, as every contender of a
// framing benchmark does.
type reads4K struct{ data []byte }

func (r *reads4K) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 4096)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// pgWork is what both contenders count: messages, DataRow columns, NULLs
// and column bytes.
type pgWork struct{ msgs, cols, nulls, bytes int }

// pgSluice reads every backend message of src with the decoder, each
// DataRow column as a []byte (nil for NULL) as pgproto3 gives it, over a
// pipe of 8 KiB segments: the size of pgproto3's buffer (and of
// PostgreSQL's send buffer), which docs/pgwire.md recommends.
func pgSluice(src io.Reader) (pgWork, error) { return pgSluiceSeg(src, 8<<10) }

// pgSluice4K is pgSluice over the pipe's default 4 KiB segments, where a
// row crosses a segment boundary more often and is read by the declared
// grammar instead of the fast path.
func pgSluice4K(src io.Reader) (pgWork, error) { return pgSluiceSeg(src, 0) }

func pgSluiceSeg(src io.Reader, segment int) (pgWork, error) {
	var w pgWork
	d := pgwire.NewDecoder(pipe.NewReader(src, pipe.ReaderOptions{BufferSize: segment}), pgwire.Backend, pgwire.Options{})
	defer d.Close()
	for m := range d.All(context.Background()) {
		w.msgs++
		for i := range m.NumValues() {
			v := m.ValueBytes(i)
			w.cols++
			if v == nil {
				w.nulls++
			}
			w.bytes += len(v)
		}
	}
	return w, d.Err()
}

// pgProto3 reads every backend message of src with pgproto3.Frontend.
func pgProto3(src io.Reader) (pgWork, error) {
	var w pgWork
	f := pgproto3.NewFrontend(src, io.Discard)
	for {
		m, err := f.Receive()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			// pgproto3 reports the end of the input as io.ErrUnexpectedEOF,
			// between messages too (it reads a connection, which does not
			// end cleanly): the work counted tells a truncated stream.
			return w, nil
		}
		if err != nil {
			return w, err
		}
		w.msgs++
		if r, ok := m.(*pgproto3.DataRow); ok {
			for _, v := range r.Values {
				w.cols++
				if v == nil {
					w.nulls++
				}
				w.bytes += len(v)
			}
		}
	}
}

func init() {
	in := pgResults(4, 2500, 1)
	want, err := pgProto3(&reads4K{in})
	if err != nil {
		panic(err)
	}
	run := func(read func(io.Reader) (pgWork, error)) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var src reads4K
			for b.Loop() {
				src.data = in
				w, err := read(&src)
				if err != nil || w != want {
					b.Fatalf("%+v %v, want %+v", w, err, want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*want.msgs), "ns/msg")
		}
	}
	registerFraming("pgwire", framingContender{"sluice", run(pgSluice)}, framingContender{"pgproto3", run(pgProto3)},
		framingContender{"sluice-4k", run(pgSluice4K)})
}
