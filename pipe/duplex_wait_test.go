package pipe

import (
	"net"
	"testing"
	"time"
)

func TestConnWaitEndsWhenInputCompletedWithSilentPeer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	k := NewConn(c, ConnOptions{})
	k.Input().Complete(nil)
	k.Output().Complete(nil)
	done := make(chan error, 1)
	go func() { done <- k.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wait still blocked 5s after the application completed Input and Output with a silent peer")
	}
	if err := k.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
