// Package bench compares sluice with its peers (bufio, io.Pipe, hand-written loops, redcon, net/http's chunked reader) on the same inputs in one run.
//
// It lives in its own module so that peers never enter the main module's
// dependencies. Run it with `make bench` from the repository root; the
// figures and the command that produced them are kept in docs/benchmarks.md.
package bench
