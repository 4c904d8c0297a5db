package pgwire

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sluicego/sluice/fuzz"
	"github.com/sluicego/sluice/parse"
	"github.com/sluicego/sluice/pipe"
)

// agreeFast checks that the decoder gives the same messages and error with
// and without its hand-written fast path (fastDataRow).
func agreeFast(t *testing.T, data []byte, answers int) {
	t.Helper()
	agreeFastIn(t, "whole", func() pipe.Reader { return pipe.FromBytes(data) }, answers)
}

// agreeFastIn is agreeFast on the input src makes, which may split rows
// across segments (splitDataRow).
func agreeFastIn(t *testing.T, name string, src func() pipe.Reader, answers int) {
	t.Helper()
	o := Options{MaxMessageSize: 1 << 16}
	_, fast, ferr := readAllSlow(src(), Backend, o, answers, false)
	_, slow, serr := readAllSlow(src(), Backend, o, answers, true)
	var fe, se *parse.SyntaxError
	sameErr := ferr == nil && serr == nil || ferr != nil && serr != nil && ferr.Error() == serr.Error()
	if errors.As(ferr, &fe) && errors.As(serr, &se) {
		sameErr = fe.Offset == se.Offset && fe.Error() == se.Error()
	}
	if !slices.Equal(fast, slow) || !sameErr {
		t.Fatalf("%s: fast path: %d messages, %v; declared grammar: %d messages, %v", name, len(fast), ferr, len(slow), serr)
	}
}

// seeds adds one of every message of the direction, malformed and
// hostile inputs, and what psql and pgbench sent (testdata/captures).
func seeds(f *testing.F, dir Direction) {
	b, suffix := frontendStream(), "-up.bin"
	if dir == Backend {
		b, suffix = backendStream(), "-down.bin"
	}
	f.Add(b, []byte{3, 1, 7})
	for _, h := range []string{"Q\x00\x00\x00\x03", "D\x40\x00\x00\x00", "\x00\x00\x00\x08\x04\xd2\x16\x2f", "D\x00\x00\x00\x06\x80\x00",
		"\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00\x00\x01\x00\x00\x00\x02Q", "NS\x00\x00\x00\x04"} {
		f.Add([]byte(h), []byte{1})
	}
	captures, _ := filepath.Glob(filepath.Join("testdata", "captures", "psql-*"+suffix))
	if len(captures) == 0 {
		f.Fatal("no captures in testdata/captures")
	}
	for _, name := range captures {
		c, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(c) > 4096 {
			c = c[:4096]
		}
		f.Add(c, []byte{5, 2, 200})
	}
}

// answers is how many one-byte answers a fuzzed backend stream starts
// with: those of the seeds' streams when they start with 'N'.
func answers(data []byte) int {
	n := 0
	for n < 2 && n < len(data) && strings.IndexByte("NS", data[n]) >= 0 && (len(data) == n+1 || data[n+1] != 0) {
		n++
	}
	return n
}

// FuzzFrontend decodes what a frontend sends, from its startup phase, in
// fuzzed chunkings.
func FuzzFrontend(f *testing.F) {
	seeds(f, Frontend)
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		fuzz.Fuzz(t, decoder(Frontend, Options{MaxMessageSize: 1 << 16, MaxStartupSize: 1 << 10}, 0), data, cuts, fuzz.Options[string]{MaxMessageSize: 1 << 16})
	})
}

// FuzzBackend decodes what a backend sends, in fuzzed chunkings.
func FuzzBackend(f *testing.F) {
	seeds(f, Backend)
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		agreeFast(t, data, answers(data))
		fuzz.Fuzz(t, decoder(Backend, Options{MaxMessageSize: 1 << 16}, answers(data)), data, cuts, fuzz.Options[string]{MaxMessageSize: 1 << 16})
	})
}
