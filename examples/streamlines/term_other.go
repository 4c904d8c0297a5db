//go:build !linux

package main

import (
	"bufio"
	"context"
	"os"
)

// keyHint completes the prompt: here the terminal stays in line mode, so a
// key counts only once Enter is pressed.
const keyHint = " and Enter"

// isTerminal reports whether f looks like a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// watchKeys is the portable fallback: it leaves the terminal alone and
// sends the characters of every line typed. The reading goroutine cannot be
// interrupted portably; it stays blocked until the next line or the end of
// the program, and sends nothing once ctx has ended.
func watchKeys(ctx context.Context, f *os.File) (keys <-chan byte, restore func(), err error) {
	ch := make(chan byte, 16)
	go func() {
		sc := bufio.NewScanner(f)
		for sc.Scan() && ctx.Err() == nil {
			for _, b := range sc.Bytes() {
				select {
				case ch <- b:
				default:
				}
			}
		}
	}()
	return ch, func() {}, nil
}
