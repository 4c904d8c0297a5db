package indexall

import (
	"syscall"
	"testing"
)

// TestByteNoOverread searches slices that end at a page followed by an
// inaccessible one: a load beyond b faults.
func TestByteNoOverread(t *testing.T) { eachPath(t, testByteNoOverread) }

func testByteNoOverread(t *testing.T) {
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	end := mem[:page]
	for i := range end {
		end[i] = "x\n"[i%7/6]
	}
	out := make([]int, 2*page)
	for n := 0; n <= 200; n++ {
		b := end[page-n:]
		for m := 1; m <= 40; m += 13 {
			from := n / 3
			got := Byte(b, from, '\n', out[:m])
			want := naive(b, from, '\n', m)
			if !equal(out[:got], want) {
				t.Fatalf("%d bytes before the guard page, out of %d: %v, want %v", n, m, out[:got], want)
			}
		}
	}
}
