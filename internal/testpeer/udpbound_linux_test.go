package testpeer

import (
	"net"
	"os"
	"strconv"
	"testing"
)

// udpBoundBy finds a process's own bound UDP socket, and not one it has closed.
func TestUDPBoundBy(t *testing.T) {
	port := FreePort(t)
	c, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	if !udpBoundBy(os.Getpid(), port) {
		t.Error("our bound socket not found")
	}
	if udpBoundBy(os.Getppid(), port) {
		t.Error("the socket found among our parent's descriptors")
	}
	c.Close()
	if udpBoundBy(os.Getpid(), port) {
		t.Error("the socket found after Close")
	}
}
