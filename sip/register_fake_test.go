package sip

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

// fakeRegistrar answers REGISTER on a loopback UDP socket with whatever code says, and
// counts CRLF keepalives: a registrar whose behaviour a test scripts exactly.
type fakeRegistrar struct {
	pc   net.PacketConn
	code func(req *gosip.Request, n int) (int, func(*gosip.Response))

	mu    sync.Mutex
	regs  []*gosip.Request
	crlfs int
}

func startFakeRegistrar(t *testing.T, code func(req *gosip.Request, n int) (int, func(*gosip.Response))) *fakeRegistrar {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRegistrar{pc: pc, code: code}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			data := buf[:n]
			if len(bytes.TrimSpace(data)) == 0 {
				f.mu.Lock()
				f.crlfs++
				f.mu.Unlock()
				continue
			}
			msg, err := gosip.ParseMessage(append([]byte(nil), data...))
			if err != nil {
				continue
			}
			req, ok := msg.(*gosip.Request)
			if !ok || req.Method != gosip.REGISTER {
				continue
			}
			req.SetSource(addr.String())
			f.mu.Lock()
			f.regs = append(f.regs, req)
			count := len(f.regs)
			f.mu.Unlock()
			c, edit := f.code(req, count)
			res := gosip.NewResponseFromRequest(req, c, "Scripted", nil)
			if c == 200 {
				if ct := req.Contact(); ct != nil {
					h := ct.Clone()
					if exp := req.GetHeader("Expires"); exp != nil && strings.TrimSpace(exp.Value()) != "0" {
						h.Params = gosip.NewParams()
						h.Params.Add("expires", "60")
						res.AppendHeader(h)
					}
				}
			}
			if edit != nil {
				edit(res)
			}
			_, _ = pc.WriteTo([]byte(res.String()), addr)
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return f
}

func (f *fakeRegistrar) uri() string { return "sip:" + f.pc.LocalAddr().String() }

func (f *fakeRegistrar) snapshot() ([]*gosip.Request, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*gosip.Request(nil), f.regs...), f.crlfs
}

func fakeAccount(f *fakeRegistrar) Account {
	a := AccountDefaults()
	a.ID, a.Registrar, a.User, a.Password = "pbx", f.uri(), "door", "secret"
	return a
}

// TestRegisterKeepaliveAndNAT: the registrar reports another source address in Via
// (received/rport): the UA re-registers with that as Contact (RFC 3581), then sends CRLF
// keepalives every Keepalive while registered.
func TestRegisterKeepaliveAndNAT(t *testing.T) {
	f := startFakeRegistrar(t, func(req *gosip.Request, n int) (int, func(*gosip.Response)) {
		return 200, func(res *gosip.Response) {
			v := res.Via()
			v.Params.Remove("received")
			v.Params.Remove("rport")
			v.Params.Add("received", "203.0.113.7")
			v.Params.Add("rport", "40000")
		}
	})
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	u := runUA(t, context.Background(), func(c *Config) {
		c.Accounts = []Account{fakeAccount(f)}
		c.Keepalive = 15 * time.Second
	}, clk)
	ev := waitReg(t, u, Registered)
	if !strings.Contains(ev.Reg.Contact, "203.0.113.7:40000") {
		t.Errorf("contact %q, want the public address", ev.Reg.Contact)
	}
	regs, _ := f.snapshot()
	if len(regs) != 2 {
		t.Fatalf("%d REGISTERs, want 2 (first, then with the learned Contact)", len(regs))
	}
	waitTimers(t, clk, 2) // refresh timer and keepalive ticker
	for i := 1; i <= 2; i++ {
		clk.Advance(15 * time.Second)
		waitFor(t, func() bool { _, n := f.snapshot(); return n >= i })
	}
	if ev.Reg.Expires != 60*time.Second {
		t.Errorf("expires %v, want 60s from the Contact parameter", ev.Reg.Expires)
	}
}

// TestRegisterBackupFailover: the primary answers 503, so the UA moves to the backup
// registrar, and fails back to the primary at the next refresh.
func TestRegisterBackupFailover(t *testing.T) {
	var primaryUp sync.Mutex
	up := false
	primary := startFakeRegistrar(t, func(*gosip.Request, int) (int, func(*gosip.Response)) {
		primaryUp.Lock()
		defer primaryUp.Unlock()
		if up {
			return 200, nil
		}
		return 503, nil
	})
	backup := startFakeRegistrar(t, func(*gosip.Request, int) (int, func(*gosip.Response)) { return 200, nil })
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	a := fakeAccount(primary)
	a.BackupRegistrar = backup.uri()
	u := runUA(t, context.Background(), func(c *Config) { c.Accounts = []Account{a}; c.Keepalive = 0 }, clk)
	if ev := waitReg(t, u, Failing); ev.Reg.Code != 503 {
		t.Errorf("failing %d", ev.Reg.Code)
	}
	waitTimers(t, clk, 1)
	clk.Advance(2 * time.Second) // backoff upper bound
	waitReg(t, u, Registered)
	if regs, _ := backup.snapshot(); len(regs) != 1 {
		t.Errorf("backup saw %d REGISTERs", len(regs))
	}
	primaryUp.Lock()
	up = true
	primaryUp.Unlock()
	waitTimers(t, clk, 1)
	clk.Advance(30 * time.Second) // half of the 60 s granted
	waitReg(t, u, Registered)
	if regs, _ := primary.snapshot(); len(regs) != 2 {
		t.Errorf("primary saw %d REGISTERs, want 2 (503, then fail-back)", len(regs))
	}
}
