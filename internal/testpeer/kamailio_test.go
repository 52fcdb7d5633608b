package testpeer

import (
	"net"
	"testing"
	"time"
)

func TestKamailioStarts(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{})
	if err := waitSIP(k.Addr.String(), time.Second); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", k.Addr.String())
	if err != nil {
		t.Fatalf("tcp: %v", err)
	}
	c.Close()
}
