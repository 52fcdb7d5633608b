package sip

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/sip/internal/testrun"
	gosip "github.com/emiago/sipgo/sip"
)

// fakeRegistrar answers REGISTER on a loopback UDP socket with whatever code says, and
// counts CRLF keepalives: a registrar whose behaviour a test scripts exactly.
type fakeRegistrar struct {
	pc   net.PacketConn
	code func(req *gosip.Request, n int) (int, func(*gosip.Response))

	mu      sync.Mutex
	regs    []*gosip.Request
	crlfs   int
	probes  int             // distinct OPTIONS received (a retransmission is not counted)
	lastKey string          // Call-ID and CSeq of the last OPTIONS, to tell retransmissions
	options func(n int) int // status for the nth OPTIONS; nil or 0 = no answer
	// other gets every message that is not a REGISTER or OPTIONS (a proxy's side of a call),
	// with a way to send a message back to its source.
	other func(msg gosip.Message, reply func(string))
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
			if ok && req.Method == gosip.OPTIONS {
				// sipgo retransmits an unanswered OPTIONS on wall time: answer it as the
				// probe it repeats, so the script follows probes, not timing.
				key := req.CallID().Value() + " " + req.CSeq().Value()
				f.mu.Lock()
				if key != f.lastKey {
					f.probes++
					f.lastKey = key
				}
				n, answer := f.probes, f.options
				f.mu.Unlock()
				if answer != nil {
					if c := answer(n); c != 0 {
						res := gosip.NewResponseFromRequest(req, c, "Scripted", nil)
						_, _ = pc.WriteTo([]byte(res.String()), addr)
					}
				}
				continue
			}
			if !ok || req.Method != gosip.REGISTER {
				f.mu.Lock()
				other := f.other
				f.mu.Unlock()
				if other != nil {
					to := addr
					other(msg, func(s string) { _, _ = pc.WriteTo([]byte(s), to) })
				}
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
				// The bindings kept: every Contact but those removed with expires=0.
				for _, ct := range req.GetHeaders("Contact") {
					if strings.Contains(ct.Value(), "expires=0") {
						continue
					}
					var uri gosip.Uri
					if _, err := gosip.ParseAddressValue(ct.Value(), &uri, nil); err != nil {
						continue
					}
					h := &gosip.ContactHeader{Address: uri, Params: gosip.NewParams()}
					if exp := req.GetHeader("Expires"); exp != nil && strings.TrimSpace(exp.Value()) != "0" {
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
	// The second adds the learned Contact and removes the first one (expires=0).
	cts := regs[1].GetHeaders("Contact")
	if len(cts) != 2 || !strings.Contains(cts[0].Value(), "203.0.113.7:40000") ||
		!strings.Contains(cts[1].Value(), "127.0.0.1") || !strings.Contains(cts[1].Value(), "expires=0") {
		t.Errorf("second REGISTER's Contacts %v, want the learned one and the local one with expires=0", cts)
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

func (f *fakeRegistrar) answerOptions(answer func(n int) int) {
	f.mu.Lock()
	f.options = answer
	f.mu.Unlock()
}

func (f *fakeRegistrar) probeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.probes
}

// TestRegisterProbe: while registered the UA probes the registrar with an OPTIONS for its
// AOR every keepalive, and REGISTERs at once, long before the refresh (30 s of 60 s), when
// a probe is answered after one went unanswered (link back), or when the registrar answers
// that it does not know us (restarted); a registrar that keeps saying so right after a
// REGISTER is believed once only.
//
// The registration loop judges a probe's answer before it sends the next probe, and sends
// any REGISTER that answer calls for in between: so probe n+1 reaching the registrar is the
// fact that every REGISTER owed to probes up to n has arrived.
func TestRegisterProbe(t *testing.T) {
	tests := []struct {
		name   string
		answer func(n int) int // status for the nth OPTIONS, 0 = silent
		regs   []int           // REGISTERs the registrar has seen once probe n is judged
	}{
		{"answered: nothing to do", func(int) int { return 200 }, []int{1, 1, 1, 1}},
		{"unanswered: nothing to do", func(int) int { return 0 }, []int{1, 1, 1, 1}},
		{"failed then answered: REGISTER", func(n int) int { return fromProbe(n, 2, 0, 200) }, []int{1, 2, 2}},
		{"registrar forgot us: REGISTER", func(n int) int { return fromProbe(n, 2, 200, 404) }, []int{1, 2, 2, 2}},
		{"404 even when registered: believed once", func(int) int { return 404 }, []int{2, 2, 2, 2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := startFakeRegistrar(t, func(*gosip.Request, int) (int, func(*gosip.Response)) { return 200, nil })
			f.answerOptions(tt.answer)
			clk := clock.NewFake(time.Unix(1_700_000_000, 0))
			cfg := Defaults()
			cfg.Listen = "127.0.0.1:0"
			cfg.Accounts = []Account{fakeAccount(f)}
			cfg.Keepalive = 5 * time.Second
			judged := &logCount{msg: "sip: registrar probe answered"}
			u, err := NewUA(cfg, Options{Logger: slog.New(judged), Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			testrun.Run(t, context.Background(), u.Run, u.Ready())
			waitReg(t, u, Registered)
			// tick sends probe n and waits until the UA has judged its answer, if one comes:
			// a tick before that would take the answer in flight for none. The wait's refresh
			// timer and keepalive ticker are armed first (after a REGISTER, the new wait's:
			// the old ones stop before it goes out).
			answered := 0
			tick := func(n int) {
				waitTimers(t, clk, 2)
				clk.Advance(5 * time.Second)
				waitFor(t, func() bool { return f.probeCount() >= n })
				if tt.answer(n) != 0 {
					answered++
					waitFor(t, func() bool { return judged.n() >= answered })
				}
			}
			prev := 1
			for i, want := range tt.regs {
				tick(i + 1)
				// Probe i+1 is in, so every REGISTER owed to earlier probes is too; its own
				// answer may have brought one more already.
				if regs, _ := f.snapshot(); len(regs) != prev && len(regs) != want {
					t.Fatalf("at probe %d: %d REGISTERs, want %d", i+1, len(regs), prev)
				}
				if want > prev {
					waitFor(t, func() bool { regs, _ := f.snapshot(); return len(regs) >= want })
				}
				prev = want
			}
			// One more probe: every REGISTER owed to the ones before has arrived.
			tick(len(tt.regs) + 1)
			if regs, _ := f.snapshot(); len(regs) != tt.regs[len(tt.regs)-1] {
				t.Errorf("%d REGISTERs, want %d", len(regs), tt.regs[len(tt.regs)-1])
			}
		})
	}
}

// logCount is a slog.Handler that counts the records with one message.
type logCount struct {
	msg   string
	mu    sync.Mutex
	count int
}

func (*logCount) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCount) Handle(_ context.Context, r slog.Record) error {
	if r.Message == l.msg {
		l.mu.Lock()
		l.count++
		l.mu.Unlock()
	}
	return nil
}
func (l *logCount) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCount) WithGroup(string) slog.Handler      { return l }

func (l *logCount) n() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}

// fromProbe answers before until probe number from, then after.
func fromProbe(n, from, before, after int) int {
	if n >= from {
		return after
	}
	return before
}
