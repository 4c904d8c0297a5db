package seq_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sluicego/sluice/internal/segtest"
	"github.com/sluicego/sluice/internal/testutil"
	"github.com/sluicego/sluice/seq"
)

func TestContent(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		if s.Len() != len(ref) {
			t.Fatalf("Len = %d, want %d", s.Len(), len(ref))
		}
		if s.IsEmpty() != (len(ref) == 0) {
			t.Errorf("IsEmpty = %v with %d bytes", s.IsEmpty(), len(ref))
		}
		if got := s.String(); got != string(ref) {
			t.Errorf("String = %q, want %q", got, ref)
		}
		if got := s.Bytes(); !bytes.Equal(got, ref) || got == nil {
			t.Errorf("Bytes = %#v, want %q (non-nil)", got, ref)
		}
		if !s.Equal(ref) {
			t.Errorf("Equal(ref) = false")
		}
		if s.Equal(append(bytes.Clone(ref), 'x')) {
			t.Errorf("Equal(ref+x) = true")
		}
		if len(ref) > 0 {
			if s.Equal(ref[:len(ref)-1]) {
				t.Errorf("Equal(ref[:n-1]) = true")
			}
			changed := bytes.Clone(ref)
			changed[len(changed)-1]++
			if s.Equal(changed) {
				t.Errorf("Equal(changed last byte) = true")
			}
		}
		if first := s.First(); !bytes.HasPrefix(ref, first) {
			t.Errorf("First = %q, not a prefix of %q", first, ref)
		}
		if s.IsSingleSegment() && !bytes.Equal(s.First(), ref) {
			t.Errorf("single segment, but First = %q", s.First())
		}
		if got := s.End().Index() - s.Start().Index(); got != int64(len(ref)) {
			t.Errorf("End.Index - Start.Index = %d, want %d", got, len(ref))
		}
	})
}

func TestSlice(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, r := range ranges(len(ref)) {
			i, j := r[0], r[1]
			sub := s.Slice(i, j)
			if got := bytesOf(t, sub); !bytes.Equal(got, ref[i:j]) {
				t.Fatalf("Slice(%d, %d) = %q, want %q", i, j, got, ref[i:j])
			}
			if got := sub.Start().Index() - s.Start().Index(); got != int64(i) {
				t.Fatalf("Slice(%d, %d).Start at offset %d", i, j, got)
			}
			if got := s.OffsetOf(sub.End()); got != j {
				t.Fatalf("OffsetOf(Slice(%d, %d).End()) = %d", i, j, got)
			}
			// A slice of a slice.
			for _, r2 := range [][2]int{{0, 0}, {0, j - i}, {(j - i) / 2, j - i}, {1, j - i}} {
				k, l := r2[0], r2[1]
				if k > l {
					continue
				}
				if got := bytesOf(t, sub.Slice(k, l)); !bytes.Equal(got, ref[i+k:i+l]) {
					t.Fatalf("Slice(%d, %d).Slice(%d, %d) = %q, want %q", i, j, k, l, got, ref[i+k:i+l])
				}
				if got := bytesOf(t, sub.From(k)); !bytes.Equal(got, ref[i+k:j]) {
					t.Fatalf("Slice(%d, %d).From(%d) = %q, want %q", i, j, k, got, ref[i+k:j])
				}
			}
		}
	})
}

func TestFromAndPositions(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		for i := 0; i <= n; i++ {
			if got := bytesOf(t, s.From(i)); !bytes.Equal(got, ref[i:]) {
				t.Fatalf("From(%d) = %q, want %q", i, got, ref[i:])
			}
			p := s.PosAt(i)
			if got := s.OffsetOf(p); got != i {
				t.Fatalf("OffsetOf(PosAt(%d)) = %d", i, got)
			}
			if got := p.Index() - s.Start().Index(); got != int64(i) {
				t.Fatalf("PosAt(%d).Index() is %d past the start", i, got)
			}
			if !p.Valid() || p.IsZero() {
				t.Fatalf("PosAt(%d) = %+v: Valid %v, IsZero %v", i, p, p.Valid(), p.IsZero())
			}
			if i < n {
				// Not at the end: the position points at the byte itself
				// (the start of the later segment at a boundary).
				if p.Offset() >= p.Segment().Len() {
					t.Fatalf("PosAt(%d) at offset %d of a %d-byte segment", i, p.Offset(), p.Segment().Len())
				}
				if got := p.Segment().Bytes()[p.Offset()]; got != ref[i] {
					t.Fatalf("PosAt(%d) points at %q, want %q", i, got, ref[i])
				}
			}
			if got := bytesOf(t, s.FromPos(p)); !bytes.Equal(got, ref[i:]) {
				t.Fatalf("FromPos(PosAt(%d)) = %q, want %q", i, got, ref[i:])
			}
			if got := bytesOf(t, s.ToPos(p)); !bytes.Equal(got, ref[:i]) {
				t.Fatalf("ToPos(PosAt(%d)) = %q, want %q", i, got, ref[:i])
			}
			for j := i; j <= n; j += max(1, n/7) {
				q := s.PosAt(j)
				if got := bytesOf(t, seq.Between(p, q)); !bytes.Equal(got, ref[i:j]) {
					t.Fatalf("Between(PosAt(%d), PosAt(%d)) = %q, want %q", i, j, got, ref[i:j])
				}
			}
		}
		if got := s.OffsetOf(s.Start()); got != 0 {
			t.Errorf("OffsetOf(Start) = %d", got)
		}
		if got := s.OffsetOf(s.End()); got != n {
			t.Errorf("OffsetOf(End) = %d, want %d", got, n)
		}
	})
}

// byteProbes returns the bytes to search for: every byte value that occurs in
// ref, and some that do not.
func byteProbes(ref []byte) []byte {
	var seen [256]bool
	var out []byte
	for _, c := range ref {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, c := range []byte("\n\r,xz\x00\xff\xfe\xde") {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

func TestIndexByte(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, c := range byteProbes(ref) {
			for _, r := range ranges(len(ref)) {
				i, j := r[0], r[1]
				if got, want := s.Slice(i, j).IndexByte(c), bytes.IndexByte(ref[i:j], c); got != want {
					t.Fatalf("Slice(%d, %d).IndexByte(%q) = %d, want %d", i, j, c, got, want)
				}
			}
		}
	})
}

var anySets = []string{
	"", ",", ",;", ";,|", "\r\n", "xyz", "ab", "\x00\xff", "\xff", "\x80\xfe",
	"é", "ö€", "\xa9", "wd", "\n", "abcdefghijklmnopqrstuvwxyz",
}

func TestIndexAny(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, chars := range anySets {
			for _, r := range ranges(len(ref)) {
				i, j := r[0], r[1]
				got, want := s.Slice(i, j).IndexAny(chars), indexAnyRef(ref[i:j], chars)
				if got != want {
					t.Fatalf("Slice(%d, %d).IndexAny(%q) = %d, want %d", i, j, chars, got, want)
				}
				if isASCII(chars) {
					if std := bytes.IndexAny(ref[i:j], chars); got != std {
						t.Fatalf("Slice(%d, %d).IndexAny(%q) = %d, bytes.IndexAny says %d", i, j, chars, got, std)
					}
				}
			}
		}
	})
}

// sepProbes returns the delimiters to search for in ref: fixed ones, ref
// itself and a little more, and every substring of length 2 to 4 of short
// inputs (so that every occurrence straddles a boundary in some segmentation).
func sepProbes(ref []byte) [][]byte {
	out := [][]byte{
		nil, []byte("a"), []byte("\r\n"), []byte("\n\n"), []byte("abc"), []byte("abd"),
		[]byte("cabd"), []byte("world"), []byte("\r\r\n"), []byte("\xff\x00"), []byte("zz"),
		[]byte("€"), ref, append(bytes.Clone(ref), 'x'), append([]byte{'x'}, ref...),
	}
	if len(ref) <= 40 {
		for k := 2; k <= 4; k++ {
			for i := 0; i+k <= len(ref); i++ {
				out = append(out, ref[i:i+k])
			}
		}
	} else {
		for i := 0; i+3 <= len(ref); i += 17 {
			out = append(out, ref[i:i+2], ref[i:i+3])
		}
	}
	return out
}

func TestIndex(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for _, sep := range sepProbes(ref) {
			if got, want := s.Index(sep), bytes.Index(ref, sep); got != want {
				t.Fatalf("Index(%q) = %d, want %d", sep, got, want)
			}
			for _, r := range ranges(len(ref)) {
				i, j := r[0], r[1]
				if got, want := s.Slice(i, j).Index(sep), bytes.Index(ref[i:j], sep); got != want {
					t.Fatalf("Slice(%d, %d).Index(%q) = %d, want %d", i, j, sep, got, want)
				}
			}
		}
	})
}

// TestPastEndOfSlice checks that a match that begins inside a slice but ends
// past it, or lies wholly past it, is not found, in every segmentation.
func TestPastEndOfSlice(t *testing.T) {
	ref := []byte("abc\r\ndef\r\nxyz")
	forEachOf(t, "crlf", ref, func(t *testing.T, ref []byte, s seq.Sequence) {
		head := s.Slice(0, 4) // "abc\r"
		if got := head.Index([]byte("\r\n")); got != -1 {
			t.Errorf(`Slice(0, 4).Index("\r\n") = %d, want -1`, got)
		}
		if got := head.IndexByte('\n'); got != -1 {
			t.Errorf(`Slice(0, 4).IndexByte('\n') = %d, want -1`, got)
		}
		if got := head.IndexAny("\nd"); got != -1 {
			t.Errorf(`Slice(0, 4).IndexAny("\nd") = %d, want -1`, got)
		}
		if head.HasPrefix([]byte("abc\r\n")) {
			t.Errorf(`Slice(0, 4).HasPrefix("abc\r\n") = true`)
		}
		mid := s.Slice(5, 9) // "def\r"
		if got := mid.Index([]byte("\r\n")); got != -1 {
			t.Errorf(`Slice(5, 9).Index("\r\n") = %d, want -1`, got)
		}
		if got := mid.Index([]byte("f\r")); got != 2 {
			t.Errorf(`Slice(5, 9).Index("f\r") = %d, want 2`, got)
		}
		r := seq.NewReader(mid)
		if line, ok := r.ReadToDelim([]byte("\r\n")); ok {
			t.Errorf("ReadToDelim over %q found %q", mid, line)
		}
		if line, ok := r.ReadTo('\n'); ok {
			t.Errorf("ReadTo over %q found %q", mid, line)
		}
		if line, _, ok := r.ReadToAny("\nx"); ok {
			t.Errorf("ReadToAny over %q found %q", mid, line)
		}
		if r.Consumed() != 0 {
			t.Errorf("failed reads moved the reader to %d", r.Consumed())
		}
		// And past the start: a slice beginning with "\n" after a "\r".
		tail := s.From(4) // "\ndef\r\nxyz"
		if got := tail.Index([]byte("\r\n")); got != 4 {
			t.Errorf(`From(4).Index("\r\n") = %d, want 4`, got)
		}
	})
}

func TestHasPrefix(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		for k := 0; k <= len(ref); k++ {
			if !s.HasPrefix(ref[:k]) {
				t.Fatalf("HasPrefix(ref[:%d]) = false", k)
			}
			if k > 0 {
				bad := bytes.Clone(ref[:k])
				bad[k-1] ^= 0x20
				if s.HasPrefix(bad) {
					t.Fatalf("HasPrefix(%q) = true for %q", bad, ref)
				}
			}
		}
		if s.HasPrefix(append(bytes.Clone(ref), 0)) {
			t.Fatalf("HasPrefix(longer than the sequence) = true")
		}
		for _, r := range ranges(len(ref)) {
			i, j := r[0], r[1]
			sub := s.Slice(i, j)
			for _, p := range [][]byte{ref[i:j], ref[i:], ref[i:min(j+1, len(ref))]} {
				if got, want := sub.HasPrefix(p), bytes.HasPrefix(ref[i:j], p); got != want {
					t.Fatalf("Slice(%d, %d).HasPrefix(%q) = %v, want %v", i, j, p, got, want)
				}
			}
		}
	})
}

func TestCopyTo(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		for _, size := range []int{0, 1, n / 2, n - 1, n, n + 5} {
			if size < 0 {
				continue
			}
			dst := bytes.Repeat([]byte{'#'}, size)
			k := s.CopyTo(dst)
			if want := min(n, size); k != want {
				t.Fatalf("CopyTo(%d-byte dst) = %d, want %d", size, k, want)
			}
			if !bytes.Equal(dst[:k], ref[:k]) {
				t.Fatalf("CopyTo(%d-byte dst) copied %q, want %q", size, dst[:k], ref[:k])
			}
			if rest := dst[k:]; !bytes.Equal(rest, bytes.Repeat([]byte{'#'}, len(rest))) {
				t.Fatalf("CopyTo(%d-byte dst) wrote past what it reported: %q", size, rest)
			}
		}
		for _, r := range ranges(n) {
			i, j := r[0], r[1]
			dst := make([]byte, n+1)
			if k := s.Slice(i, j).CopyTo(dst); k != j-i || !bytes.Equal(dst[:k], ref[i:j]) {
				t.Fatalf("Slice(%d, %d).CopyTo = %d, %q", i, j, k, dst[:k])
			}
		}
	})
}

func TestAppendTo(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		if got := s.AppendTo(nil); !bytes.Equal(got, ref) {
			t.Fatalf("AppendTo(nil) = %q", got)
		}
		pre := []byte("prefix:")
		got := s.AppendTo(pre)
		if want := append([]byte("prefix:"), ref...); !bytes.Equal(got, want) {
			t.Fatalf("AppendTo(prefix) = %q, want %q", got, want)
		}
		if string(pre) != "prefix:" {
			t.Fatalf("AppendTo changed its argument to %q", pre)
		}
		big := make([]byte, 3, 3+len(ref)+10)
		copy(big, "xyz")
		got = s.AppendTo(big)
		if &got[0] != &big[0] {
			t.Fatalf("AppendTo reallocated a big enough dst")
		}
		if !bytes.Equal(got[3:], ref) || string(got[:3]) != "xyz" {
			t.Fatalf("AppendTo(big) = %q", got)
		}
		for _, r := range ranges(len(ref)) {
			i, j := r[0], r[1]
			if got := s.Slice(i, j).AppendTo([]byte("x")); !bytes.Equal(got[1:], ref[i:j]) {
				t.Fatalf("Slice(%d, %d).AppendTo = %q, want %q", i, j, got[1:], ref[i:j])
			}
		}
	})
}

func TestChunks(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		var all []byte
		count := 0
		for c := range s.Chunks() {
			all = append(all, c...)
			count++
		}
		if !bytes.Equal(all, ref) {
			t.Fatalf("Chunks concatenate to %q, want %q", all, ref)
		}
		if count == 0 {
			t.Fatalf("Chunks yielded nothing for a non-zero sequence")
		}
		if s.IsSingleSegment() != (count == 1) {
			t.Fatalf("IsSingleSegment = %v with %d chunks", s.IsSingleSegment(), count)
		}
		// Early break after k chunks: the iterator must stop (a range-over-
		// func iterator that kept going would make the loop panic).
		for k := 1; k <= count; k++ {
			got := 0
			var prefix []byte
			for c := range s.Chunks() {
				prefix = append(prefix, c...)
				got++
				if got == k {
					break
				}
			}
			if got != k || !bytes.HasPrefix(ref, prefix) {
				t.Fatalf("break after %d chunks: %d chunks, prefix %q", k, got, prefix)
			}
		}
		for _, r := range ranges(len(ref)) {
			var sub []byte
			for c := range s.Slice(r[0], r[1]).Chunks() {
				sub = append(sub, c...)
			}
			if !bytes.Equal(sub, ref[r[0]:r[1]]) {
				t.Fatalf("Slice(%d, %d).Chunks = %q", r[0], r[1], sub)
			}
		}
	})
}

func TestChain(t *testing.T) {
	s := seq.Chain([]byte("ab"), nil, []byte{}, []byte("c"), []byte("def"), nil)
	if got := s.String(); got != "abcdef" {
		t.Fatalf("Chain = %q", got)
	}
	if got := segments(s); got != 6 {
		t.Fatalf("Chain of 6 parts has %d chunks", got)
	}
	var idx []int64
	for seg := s.Start().Segment(); seg != nil; seg = seg.Next() {
		idx = append(idx, seg.Index())
	}
	if fmt.Sprint(idx) != "[0 2 2 2 3 6]" {
		t.Fatalf("running indexes %v", idx)
	}
	if s := seq.Chain(); s.Len() != 0 || !s.Start().IsZero() {
		t.Fatalf("Chain() = %+v, want the zero Sequence", s)
	}
	if s := seq.Chain(nil); s.Len() != 0 || s.Start().IsZero() || segments(s) != 1 {
		t.Fatalf("Chain(nil) = %+v, want one empty segment", s)
	}
	if s := seq.Of([]byte("xyz")); s.String() != "xyz" || !s.IsSingleSegment() {
		t.Fatalf("Of = %q", s)
	}
	if s := seq.Of(nil); s.Len() != 0 || segments(s) != 1 {
		t.Fatalf("Of(nil) = %+v", s)
	}
}

func TestZeroSequence(t *testing.T) {
	var s seq.Sequence
	if s.Len() != 0 || !s.IsEmpty() || s.String() != "" || len(s.Bytes()) != 0 || s.First() != nil {
		t.Fatalf("zero Sequence not empty")
	}
	if !s.IsSingleSegment() {
		t.Errorf("zero Sequence: IsSingleSegment = false")
	}
	if s.IndexByte('a') != -1 || s.IndexAny("ab") != -1 || s.IndexAny("") != -1 {
		t.Errorf("zero Sequence: a byte search found something")
	}
	if s.Index(nil) != 0 || s.Index([]byte("a")) != -1 || s.Index([]byte("ab")) != -1 {
		t.Errorf("zero Sequence: Index wrong")
	}
	if !s.HasPrefix(nil) || s.HasPrefix([]byte("a")) || !s.Equal(nil) || s.Equal([]byte("a")) {
		t.Errorf("zero Sequence: HasPrefix/Equal wrong")
	}
	if s.CopyTo(make([]byte, 4)) != 0 {
		t.Errorf("zero Sequence: CopyTo copied")
	}
	if got := s.AppendTo([]byte("x")); string(got) != "x" {
		t.Errorf("zero Sequence: AppendTo = %q", got)
	}
	for range s.Chunks() {
		t.Errorf("zero Sequence: Chunks yielded")
	}
	if got := s.Slice(0, 0); got.Len() != 0 {
		t.Errorf("zero Sequence: Slice(0, 0) = %+v", got)
	}
	if got := s.From(0); got.Len() != 0 {
		t.Errorf("zero Sequence: From(0) = %+v", got)
	}
	p := s.PosAt(0)
	if !p.IsZero() || p.Index() != 0 || !p.Valid() || p.Segment() != nil || p.Offset() != 0 {
		t.Errorf("zero Sequence: PosAt(0) = %+v", p)
	}
	if s.OffsetOf(p) != 0 || s.FromPos(p).Len() != 0 || s.ToPos(p).Len() != 0 {
		t.Errorf("zero Sequence: OffsetOf/FromPos/ToPos of the zero Position wrong")
	}
	if got := seq.Between(seq.Position{}, seq.Position{}); got.Len() != 0 {
		t.Errorf("Between(zero, zero) = %+v", got)
	}
	testutil.MustPanic(t, "seq:", func() { s.Slice(0, 1) })
	testutil.MustPanic(t, "seq:", func() { s.PosAt(1) })
	testutil.MustPanic(t, "seq:", func() { s.From(1) })
}

func TestPanics(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		for _, r := range [][2]int{{-1, 0}, {0, -1}, {0, n + 1}, {n + 1, n + 1}, {1, 0}, {n, n - 1}} {
			testutil.MustPanic(t, "seq:", func() { s.Slice(r[0], r[1]) })
		}
		for _, i := range []int{-1, n + 1, n + 100} {
			testutil.MustPanic(t, "seq:", func() { s.PosAt(i) })
			testutil.MustPanic(t, "seq:", func() { s.From(i) })
		}
		r := seq.NewReader(s)
		testutil.MustPanic(t, "seq:", func() { r.Advance(-1) })
		testutil.MustPanic(t, "seq:", func() { r.Advance(n + 1) })
		testutil.MustPanic(t, "seq:", func() { r.Rewind(1) })
		testutil.MustPanic(t, "seq:", func() { r.Rewind(-1) })
		r.Advance(n / 2)
		testutil.MustPanic(t, "seq:", func() { r.Advance(n - n/2 + 1) })
		testutil.MustPanic(t, "seq:", func() { r.Rewind(n/2 + 1) })
		if r.Consumed() != n/2 {
			t.Fatalf("a panicking call moved the reader to %d", r.Consumed())
		}
		if n > 0 {
			// A position outside the sequence.
			sub := s.Slice(1, n)
			testutil.MustPanic(t, "seq:", func() { sub.OffsetOf(s.Start()) })
			testutil.MustPanic(t, "seq:", func() { seq.Between(s.End(), s.Start()) })
		}
	})
}

// TestSegtestSplit checks the helper itself: cuts, empty segments, copies.
func TestSegtestSplit(t *testing.T) {
	b := []byte("abcdef")
	s := segtest.Split(b, 0, 2, 2, 6)
	if s.String() != "abcdef" || segments(s) != 5 {
		t.Fatalf("Split = %q in %d segments", s, segments(s))
	}
	b[0] = 'X'
	if s.String() != "abcdef" {
		t.Fatalf("Split retained its argument")
	}
	testutil.MustPanic(t, "segtest:", func() { segtest.Split(b, 3, 2) })
	testutil.MustPanic(t, "segtest:", func() { segtest.Split(b, 7) })
	testutil.MustPanic(t, "segtest:", func() { segtest.Split(b, -1) })
	cases := segtest.Segmentations([]byte("xy"))
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.Name
	}
	if got := fmt.Sprint(names); got != "[one bytewise thirds offset offset-thirds split/0 split/1 split/2]" {
		t.Fatalf("Segmentations names %s", got)
	}
	if got := segments(cases[1].Seq); got != 5 {
		t.Fatalf("bytewise of 2 bytes has %d segments, want 5", got)
	}
	if got := len(segtest.Segmentations(make([]byte, segtest.MaxSplitAll+1))); got != 5 {
		t.Fatalf("Segmentations of a long input returned %d cases", got)
	}
}

// positionsAt returns the different Position values that name offset i of s:
// PosAt (start of a later segment at a boundary), the end of a slice (end of
// an earlier segment), the start of a slice, and a Reader's position.
func positionsAt(s seq.Sequence, i int) map[string]seq.Position {
	r := seq.NewReader(s)
	r.Advance(i)
	r2 := seq.NewReader(s)
	head, _ := r2.ReadN(i)
	return map[string]seq.Position{
		"PosAt":          s.PosAt(i),
		"Slice.End":      s.Slice(0, i).End(),
		"Slice.Start":    s.Slice(i, s.Len()).Start(),
		"From.Start":     s.From(i).Start(),
		"Reader":         r.Position(),
		"ReadN.End":      head.End(),
		"Rest.Start":     r.Rest().Start(),
		"ToPos(PosAt).E": s.ToPos(s.PosAt(i)).End(),
	}
}

// TestPositionPairs builds sequences from every kind of position at every
// pair of offsets: two positions at the same offset may name different
// segments (the end of one and the start of the next, or an empty segment
// between), and an empty range given as "start of the later segment, end of
// the earlier one" must still be empty.
func TestPositionPairs(t *testing.T) {
	forEach(t, func(t *testing.T, ref []byte, s seq.Sequence) {
		n := len(ref)
		if n > 24 {
			return // all pairs of a short input are enough
		}
		at := make([]map[string]seq.Position, n+1)
		for i := range at {
			at[i] = positionsAt(s, i)
		}
		probes := byteProbes(ref)
		check := func(what string, got seq.Sequence, want []byte) {
			t.Helper()
			if got.Len() != len(want) || !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("%s = %q (Len %d), want %q", what, got.Bytes(), got.Len(), want)
			}
			for _, c := range probes {
				if g, w := got.IndexByte(c), bytes.IndexByte(want, c); g != w {
					t.Fatalf("%s.IndexByte(%q) = %d, want %d", what, c, g, w)
				}
			}
			var all []byte
			for c := range got.Chunks() {
				all = append(all, c...)
			}
			if !bytes.Equal(all, want) {
				t.Fatalf("%s.Chunks = %q, want %q", what, all, want)
			}
			r := seq.NewReader(got)
			var read []byte
			for {
				b, err := r.ReadByte()
				if err != nil {
					break
				}
				read = append(read, b)
			}
			if !bytes.Equal(read, want) || r.Remaining() != 0 {
				t.Fatalf("reading %s gave %q, Remaining %d, want %q", what, read, r.Remaining(), want)
			}
		}
		for i := 0; i <= n; i++ {
			for j := i; j <= n; j++ {
				for si, p := range at[i] {
					for ei, q := range at[j] {
						check(fmt.Sprintf("Between(%s(%d), %s(%d))", si, i, ei, j), seq.Between(p, q), ref[i:j])
					}
				}
			}
			for _, sub := range []seq.Sequence{s, s.Slice(0, i), s.From(i)} {
				lo := s.OffsetOf(sub.Start())
				for name, p := range at[i] {
					check(fmt.Sprintf("[%d:%d].FromPos(%s(%d))", lo, lo+sub.Len(), name, i), sub.FromPos(p), ref[i:lo+sub.Len()])
					check(fmt.Sprintf("[%d:%d].ToPos(%s(%d))", lo, lo+sub.Len(), name, i), sub.ToPos(p), ref[lo:i])
				}
			}
		}
	})
}
