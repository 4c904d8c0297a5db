package main

import (
	"context"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// keyHint completes the prompt: on Linux a single key press is enough.
const keyHint = ""

func ioctlTermios(fd int, req uintptr, t *syscall.Termios) error {
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(t)))
	if errno != 0 {
		return errno
	}
	return nil
}

// isTerminal reports whether f is a terminal: TCGETS succeeds only on one.
func isTerminal(f *os.File) bool {
	var t syscall.Termios
	return ioctlTermios(int(f.Fd()), syscall.TCGETS, &t) == nil
}

// watchKeys puts the terminal f in non-canonical, no-echo mode and sends
// every key pressed on the returned channel until ctx ends. restore waits
// for the watching goroutine to stop and puts the terminal back in the mode
// it was in; call it once ctx has ended.
//
// Reads return at least every 100 ms even when no key is pressed (VMIN 0,
// VTIME 1), so that the goroutine notices ctx ending without needing to
// interrupt a blocked read.
func watchKeys(ctx context.Context, f *os.File) (keys <-chan byte, restore func(), err error) {
	fd := int(f.Fd()) // Fd puts f in blocking mode, which VTIME needs
	var old syscall.Termios
	if err := ioctlTermios(fd, syscall.TCGETS, &old); err != nil {
		return nil, nil, err
	}
	raw := old
	raw.Lflag &^= syscall.ICANON | syscall.ECHO // ISIG stays: Ctrl-C still interrupts
	raw.Cc[syscall.VMIN] = 0
	raw.Cc[syscall.VTIME] = 1 // tenths of a second
	if err := ioctlTermios(fd, syscall.TCSETS, &raw); err != nil {
		return nil, nil, err
	}

	ch := make(chan byte, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		for ctx.Err() == nil {
			n, err := syscall.Read(fd, b[:])
			switch {
			case err == syscall.EINTR:
			case err == syscall.EAGAIN:
				time.Sleep(50 * time.Millisecond)
			case err != nil:
				return
			case n == 1:
				select {
				case ch <- b[0]:
				default: // nobody is listening any more: drop the key
				}
			}
		}
	}()
	restore = func() {
		<-done
		ioctlTermios(fd, syscall.TCSETS, &old)
	}
	return ch, restore, nil
}
