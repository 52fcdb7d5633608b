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

func TestBaresipStarts(t *testing.T) {
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	if err := waitSIP(b.Addr.String(), time.Second); err != nil {
		t.Fatal(err)
	}
}
