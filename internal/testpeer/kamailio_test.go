package testpeer

import (
	"net"
	"testing"
	"time"
)

// The peers answer OPTIONS again once started. The bound is StartKamailio's and
// StartBaresip's own, 10 s: one second was too short for baresip under -race beside two CPU
// hogs.
func TestKamailioStarts(t *testing.T) {
	k := StartKamailio(t, KamailioOptions{})
	if err := waitSIP(k.Addr.String(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", k.Addr.String())
	if err != nil {
		t.Fatalf("tcp: %v", err)
	}
	c.Close()
}

func TestBaresipStarts(t *testing.T) {
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	if err := waitSIP(b.Addr.String(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
}
