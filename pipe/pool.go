package pipe

import (
	"math/bits"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/sluicego/sluice/seq"
)

// Pool supplies segments to pipes and takes them back. Implementations must
// be safe for concurrent use.
type Pool interface {
	// Get returns an empty segment ([seq.Segment.Len] is 0) whose capacity
	// is at least size.
	Get(size int) *seq.Segment
	// Put takes back a segment that was recycled: the one
	// [seq.Segment.Recycle] returned, which once every 65,535 recycles is
	// a new segment owning the memory of one Get handed out (keep books by
	// memory, not by *seq.Segment). The caller uses neither the segment nor
	// its memory afterwards.
	Put(s *seq.Segment)
}

const (
	minClass = 12 // 4 KiB
	maxClass = 20 // 1 MiB
)

// DefaultPool is the pool pipes use when their options name none. It keeps
// segments in power-of-two size classes from 4 KiB to 1 MiB in sync.Pools;
// larger segments are allocated on demand and left to the garbage collector.
var DefaultPool Pool = &classPool{}

type classPool struct {
	classes [maxClass - minClass + 1]sync.Pool
}

func class(size int) int {
	if size <= 1<<minClass {
		return minClass
	}
	return bits.Len(uint(size - 1))
}

func (p *classPool) Get(size int) *seq.Segment {
	c := class(size)
	if c > maxClass {
		return seq.NewSegment(make([]byte, 0, size))
	}
	if s, ok := p.classes[c-minClass].Get().(*seq.Segment); ok {
		return s
	}
	return seq.NewSegment(make([]byte, 0, 1<<c))
}

func (p *classPool) Put(s *seq.Segment) {
	n := s.Cap()
	if n&(n-1) != 0 || n < 1<<minClass || n > 1<<maxClass {
		return
	}
	p.classes[class(n)-minClass].Put(s)
}

// poisonByDefault turns poisoning of recycled segments on in test binaries,
// so that tests (this module's and its users') see stale views as garbage.
// It stays off while benchmarks run, so that they measure what production
// code does.
var poisonByDefault = testing.Testing() && !benchmarking(os.Args[1:])

func benchmarking(args []string) bool {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, "test.bench="); ok {
			return v != ""
		}
		if a == "test.bench" && i+1 < len(args) {
			return args[i+1] != ""
		}
	}
	return false
}
