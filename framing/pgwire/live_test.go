package pgwire

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/wiretap"
	"github.com/sluicego/sluice/pipe"
)

// pgBin returns the directory of PostgreSQL's server programs (Debian
// puts them in /usr/lib/postgresql/<version>/bin), skipping the test
// without them, or failing it in CI, which installs them.
func pgBin(t *testing.T) string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for _, d := range slices.Backward(dirs) {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			return d
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("pgwire: postgres is not installed (CI installs it: see .ci/packages/pgwire.txt)")
	}
	t.Skip("pgwire: postgres is not installed")
	return ""
}

// asPostgres returns the command line that runs prog: as the postgres
// user under runuser when the test runs as root (postgres refuses root).
func asPostgres(prog string, args ...string) (string, []string) {
	if os.Geteuid() != 0 {
		return prog, args
	}
	return "runuser", append([]string{"-u", "postgres", "--", prog}, args...)
}

const livePassword = "sluice-pw"

// startPostgres initialises a cluster in a temporary directory with
// SCRAM-SHA-256 authentication (so that SASL crosses the wire) and starts
// postgres on a free loopback port, without TLS: sslmode=prefer clients
// get 'N' to their SSLRequest.
func startPostgres(t *testing.T) *wiretap.Server {
	bin := pgBin(t)
	dir, err := os.MkdirTemp("", "pgwire-live-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(livePassword+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	name, args := asPostgres(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=scram-sha-256",
		"--pwfile="+pw, "--no-sync", "-E", "UTF8", "--locale=C")
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	t.Setenv("PGPASSWORD", livePassword)
	t.Setenv("PGGSSENCMODE", "disable") // no Kerberos here: the request would only be answered 'N'
	return wiretap.Start(t, name, func(port int) []string {
		_, a := asPostgres(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "max_connections=20")
		return a
	})
}

// connection is what the test framed of one recorded connection.
type connection struct {
	up, down []Message
}

// count returns how many of msgs are of kind k.
func count(msgs []Message, k Kind) int {
	n := 0
	for _, m := range msgs {
		if m.Kind == k {
			n++
		}
	}
	return n
}

// frameRecording frames both directions of rec as the relay read them and
// in random pieces, checks that both give the same messages, and that each
// decoded message encodes to its bytes.
func frameRecording(t *testing.T, rec wiretap.Recording, rnd *rand.Rand) connection {
	t.Helper()
	o := Options{MaxMessageSize: 8 << 20}
	up, upText, err := readAll(pipe.NewReader(new(segtest.Pieces(slices.Clone(rec.Up))), pipe.ReaderOptions{}), Frontend, o, 0)
	if err != nil {
		t.Fatalf("frontend, after %d messages: %v", len(up), err)
	}
	answers := count(up, KindSSLRequest) + count(up, KindGSSENCRequest)
	down, downText, err := readAll(pipe.NewReader(new(segtest.Pieces(slices.Clone(rec.Down))), pipe.ReaderOptions{}), Backend, o, answers)
	if err != nil {
		t.Fatalf("backend, after %d messages: %v", len(down), err)
	}
	for _, c := range []struct {
		dir    Direction
		b      []byte
		text   []string
		msgs   []Message
		answer int
	}{{Frontend, rec.UpBytes(), upText, up, 0}, {Backend, rec.DownBytes(), downText, down, answers}} {
		_, again, err := readAll(pipe.NewReader(new(segtest.RandomPieces(rnd, c.b, 700)), pipe.ReaderOptions{}), c.dir, o, c.answer)
		if err != nil || !slices.Equal(again, c.text) {
			t.Fatalf("%s: random pieces give %d messages (%v), the recorded ones %d", c.dir, len(again), err, len(c.text))
		}
		var enc []byte
		for i := range c.msgs {
			if enc, err = AppendMessage(enc, &c.msgs[i]); err != nil {
				t.Fatalf("%s message %d (%s): %v", c.dir, i, c.msgs[i].Kind, err)
			}
		}
		if !bytes.Equal(enc, c.b) {
			t.Fatalf("%s: the messages encode to other bytes than they were decoded from", c.dir)
		}
	}
	return connection{up: up, down: down}
}

// session runs f against a tap in front of srv, frames every connection,
// and adds each whole connection to tshark, for compareTshark.
func session(t *testing.T, srv *wiretap.Server, tshark *[]conversation, capture string, f func(conn string)) []connection {
	t.Helper()
	tap := wiretap.Listen(t, srv.Addr)
	host, port, _ := strings.Cut(tap.Addr(), ":")
	start := time.Now()
	f(fmt.Sprintf("host=%s port=%s user=postgres dbname=postgres sslmode=prefer", host, port))
	ran := time.Since(start)
	defer func() {
		t.Logf("programs ran %v, framing took %v", ran.Round(time.Millisecond), (time.Since(start) - ran).Round(time.Millisecond))
	}()
	recs, err := tap.Recordings(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(11, uint64(time.Now().UnixNano())))
	var out []connection
	var convs []conversation
	for i, rec := range recs {
		c := frameRecording(t, rec, rnd)
		out = append(out, c)
		// Every whole connection, cut into segments in two ways, or in
		// one for a large one (pgbench's, of 100000 messages and more),
		// since tshark's time goes by messages (about 6 µs each).
		conv := conversation{name: fmt.Sprintf("%s, connection %d", t.Name(), i), up: rec.UpBytes(), down: rec.DownBytes(), msgs: c, seeds: 2}
		if len(c.up)+len(c.down) > 20000 {
			conv.seeds = 1
		}
		convs = append(convs, conv)
		if capture != "" && os.Getenv("PGWIRE_WRITE_CAPTURES") == "1" {
			for dir, msgs := range map[string][]Message{"up": c.up, "down": c.down} {
				// The first messages of the connection, at most about
				// 16 KiB: the recorded bytes, since they encode to them.
				var b []byte
				for i := 0; i < len(msgs) && len(b) < 16<<10; i++ {
					b, _ = AppendMessage(b, &msgs[i])
				}
				name := filepath.Join("testdata", "captures", fmt.Sprintf("%s-%d-%s.bin", capture, i, dir))
				if err := os.WriteFile(name, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	*tshark = append(*tshark, convs...)
	return out
}

// all concatenates the messages of every connection, one direction.
func all(conns []connection, up bool) []Message {
	var out []Message
	for _, c := range conns {
		if up {
			out = append(out, c.up...)
		} else {
			out = append(out, c.down...)
		}
	}
	return out
}

// TestLivePostgres proves the decoder on what psql and pgbench exchange
// with postgres over a relay: every connection framed as recorded and in
// random pieces, encoded back to its bytes, and the message counts matched
// to what the programs print (rows, copied lines, transactions).
func TestLivePostgres(t *testing.T) {
	srv := startPostgres(t)
	wiretap.Require(t, "psql")
	// Every whole connection the subtests record, for one run of tshark
	// at the end: its start costs more than most connections.
	var convs []conversation

	t.Run("psql", func(t *testing.T) {
		const rows = 250
		var out []byte
		conns := session(t, srv, &convs, "psql-query", func(conn string) {
			out = wiretap.Run(t, nil, "psql", conn, "-X", "-A", "-t", "-c", fmt.Sprintf("SELECT g, repeat('x', g %% 7), NULLIF(g %% 3, 0) FROM generate_series(1, %d) g", rows))
		})
		printed := strings.Count(string(out), "\n")
		up, down := all(conns, true), all(conns, false)
		checkStartup(t, up, down)
		if got := count(down, KindDataRow); got != rows || printed != rows {
			t.Errorf("framed %d DataRows, psql printed %d rows, want %d", got, printed, rows)
		}
		if count(down, KindRowDescription) != 1 || count(up, KindQuery) != 1 || count(up, KindTerminate) != 1 {
			t.Errorf("want one Query, RowDescription and Terminate, framed %d, %d, %d", count(up, KindQuery),
				count(down, KindRowDescription), count(up, KindTerminate))
		}
		nulls := 0
		for _, m := range down {
			if m.Kind == KindDataRow && m.ValueBytes(2) == nil {
				nulls++
			}
		}
		if nulls != rows/3 {
			t.Errorf("framed %d NULLs, want %d", nulls, rows/3)
		}
	})

	t.Run("copy", func(t *testing.T) {
		const lines = 3000
		var in bytes.Buffer
		for i := range lines {
			fmt.Fprintf(&in, "%d\tline %d %s\n", i, i, strings.Repeat("y", i%50))
		}
		var out []byte
		conns := session(t, srv, &convs, "psql-copy", func(conn string) {
			wiretap.Run(t, nil, "psql", conn, "-X", "-q", "-c", "DROP TABLE IF EXISTS copied", "-c", "CREATE TABLE copied (a int, b text)")
			wiretap.Run(t, in.Bytes(), "psql", conn, "-X", "-q", "-c", `\copy copied from pstdin`)
			out = wiretap.Run(t, nil, "psql", conn, "-X", "-q", "-c", `\copy (SELECT * FROM copied ORDER BY a) to pstdout`)
		})
		if !bytes.Equal(out, in.Bytes()) {
			i := 0
			for i < min(len(out), in.Len()) && out[i] == in.Bytes()[i] {
				i++
			}
			t.Fatalf("psql copied out %d bytes, in %d; they differ at %d: %q", len(out), in.Len(), i, out[max(i-20, 0):min(i+40, len(out))])
		}
		var sent []byte
		for _, m := range all(conns, true) {
			if m.Kind == KindCopyData {
				sent = m.Data.AppendTo(sent)
			}
		}
		if !bytes.Equal(sent, in.Bytes()) {
			t.Errorf("frontend CopyData carried %d bytes, psql read %d", len(sent), in.Len())
		}
		down := all(conns, false)
		if got := count(down, KindCopyData); got != lines {
			t.Errorf("framed %d backend CopyData, want one per row, %d", got, lines)
		}
		if count(down, KindCopyInResponse) != 1 || count(down, KindCopyOutResponse) != 1 || count(all(conns, true), KindCopyDone) != 1 || count(down, KindCopyDone) != 1 {
			t.Errorf("want one CopyIn and CopyOut response and one CopyDone each way")
		}
		tags := 0
		for _, m := range down {
			if m.Kind == KindCommandComplete && m.Text.String() == fmt.Sprintf("COPY %d", lines) {
				tags++
			}
		}
		if tags != 2 {
			t.Errorf("framed %d \"COPY %d\" tags, want 2", tags, lines)
		}
	})

	t.Run("error", func(t *testing.T) {
		conns := session(t, srv, &convs, "psql-error", func(conn string) {
			wiretap.Run(t, []byte("SELECT 1/0;\nSELECT 'after';\n"), "psql", conn, "-X", "-A", "-t", "-f", "-")
		})
		var codes []string
		for _, m := range all(conns, false) {
			if m.Kind == KindErrorResponse {
				for _, f := range m.Fields {
					if f.Code == 'C' {
						codes = append(codes, f.Value.String())
					}
				}
			}
		}
		if !slices.Equal(codes, []string{"22012"}) {
			t.Errorf("framed error codes %v, want [22012] (division_by_zero)", codes)
		}
	})

	wiretap.Require(t, "pgbench")
	t.Run("pgbench", func(t *testing.T) {
		// pgbench -i generates the 100000 rows client-side and sends them
		// with COPY (1.6 MB of CopyData in 100000 messages, framed three
		// times); under -race that takes 25 s, so there the server
		// generates them.
		steps := "dtgp"
		if raceEnabled {
			steps = "dtGp"
		}
		conns := session(t, srv, &convs, "", func(conn string) {
			wiretap.Run(t, nil, "pgbench", "-i", "-q", "-s", "1", "-I", steps, conn)
		})
		if copied := count(all(conns, true), KindCopyData); !raceEnabled && copied == 0 {
			t.Error("pgbench -i sent no CopyData")
		}
		dur := "2"
		if raceEnabled {
			dur = "1"
		}
		processed := regexp.MustCompile(`number of transactions actually processed: (\d+)`)
		for _, mode := range []string{"extended", "prepared"} {
			t.Run(mode, func(t *testing.T) {
				var out []byte
				conns := session(t, srv, &convs, "pgbench-"+mode, func(conn string) {
					out = wiretap.Run(t, nil, "pgbench", "-n", "-M", mode, "-c", "2", "-T", dur, conn)
				})
				mm := processed.FindSubmatch(out)
				if mm == nil {
					t.Fatalf("no transaction count in pgbench's output:\n%s", out)
				}
				txns, _ := strconv.Atoi(string(mm[1]))
				up, down := all(conns, true), all(conns, false)
				inserts := 0
				for _, m := range down {
					if m.Kind == KindCommandComplete && m.Text.String() == "INSERT 0 1" {
						inserts++
					}
				}
				// A tpcb-like transaction is 7 statements with one INSERT;
				// each statement is Bind, Execute and Sync.
				if inserts != txns {
					t.Errorf("framed %d INSERTs, pgbench processed %d transactions", inserts, txns)
				}
				if ex := count(up, KindExecute); ex < 7*txns || ex > 7*txns+7*2 {
					t.Errorf("framed %d Executes for %d transactions", ex, txns)
				}
				parses := count(up, KindParse)
				if mode == "prepared" && parses > 7*2+2 || mode == "extended" && parses < 7*txns {
					t.Errorf("%s: framed %d Parses for %d transactions", mode, parses, txns)
				}
				if count(down, KindReadyForQuery) != count(up, KindSync)+count(up, KindQuery)+len(conns) {
					t.Errorf("ReadyForQuery %d, Sync %d, Query %d, connections %d", count(down, KindReadyForQuery),
						count(up, KindSync), count(up, KindQuery), len(conns))
				}
				t.Logf("%s: %d transactions, %d connections, %d frontend and %d backend messages", mode, txns, len(conns), len(up), len(down))
			})
		}
	})

	// Each whole connection framed by tshark's pgsql dissector as by
	// the Decoder (the stored captures hold only their starts).
	start := time.Now()
	compareTshark(t, convs)
	t.Logf("tshark's comparison of %d connections took %v", len(convs), time.Since(start).Round(time.Millisecond))
}

// checkStartup checks a connection's start: SSLRequest answered 'N', a
// StartupMessage, SCRAM over SASL, and the server's greeting.
func checkStartup(t *testing.T, up, down []Message) {
	t.Helper()
	if len(up) < 4 || up[0].Kind != KindSSLRequest || up[1].Kind != KindStartup || up[2].Kind != KindPassword {
		t.Fatalf("frontend starts %v", kinds(up[:min(len(up), 4)]))
	}
	if len(down) < 2 || down[0].Kind != KindAnswer || down[0].Byte != 'N' || down[1].Kind != KindAuthentication || down[1].Code != AuthSASL {
		t.Fatalf("backend starts %v", kinds(down[:min(len(down), 2)]))
	}
	var mechs []string
	for m := range down[1].Mechanisms() {
		mechs = append(mechs, m.String())
	}
	if !slices.Contains(mechs, "SCRAM-SHA-256") {
		t.Errorf("SASL mechanisms %q", mechs)
	}
	if mech, data, ok := up[2].SASLInitial(); !ok || mech.String() != "SCRAM-SHA-256" || data.Null || !data.Data.HasPrefix([]byte("n,,n=")) {
		t.Errorf("SASLInitialResponse %q %v %v", mech.String(), data.Data.String(), ok)
	}
	user := ""
	for _, f := range up[1].Fields {
		if f.Name.String() == "user" {
			user = f.Value.String()
		}
	}
	if up[1].Code != ProtocolVersion || user != "postgres" {
		t.Errorf("StartupMessage version %x user %q", up[1].Code, user)
	}
	for _, k := range []Kind{KindParameterStatus, KindBackendKeyData, KindReadyForQuery} {
		if count(down, k) == 0 {
			t.Errorf("no %s", k)
		}
	}
}

func kinds(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Kind.String())
	}
	return out
}
