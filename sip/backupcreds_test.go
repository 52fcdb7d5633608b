package sip

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/testpeer"
)

// TestBackupCredentials: a backup registrar that is another PBX, with its own user and
// password for the door. The primary is gone from the start, so the door registers at the
// backup as the backup's user with the backup's password, and the bell's INVITE through it
// answers the backup's 407 with those; neither password reaches the log, even at debug.
func TestBackupCredentials(t *testing.T) {
	gone := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	gone.Stop()
	backup := testpeer.StartKamailio(t, testpeer.KamailioOptions{AuthInvite: true, Password: "b4ckup-pw", IP: netip.MustParseAddr("127.0.0.2")})
	phone := testpeer.StartBaresip(t, testpeer.BaresipOptions{User: "101", Registrar: backup.URI(), Password: "b4ckup-pw", AutoAnswer: true})
	waitFor(t, func() bool { return strings.Contains(phone.Output(), "200 OK") })

	a := account(gone, "door", "primary-pw")
	a.Registrar += ";transport=tcp" // refused at once
	a.BackupRegistrar = backup.URI()
	a.BackupUser, a.BackupPassword = "door2", "b4ckup-pw"
	var logs syncBuffer
	cfg := Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.Accounts = []Account{a}
	cfg.Keepalive = 0
	u, err := NewUA(cfg, Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- u.Run(ctx) }()
	defer func() { cancel(); <-errc }()

	for {
		ev := waitEvent(t, u, Registration)
		if ev.Reg.State != Registered {
			continue
		}
		if ev.Reg.Registrar != a.BackupRegistrar || !strings.HasPrefix(ev.Reg.Contact, "sip:door2@") {
			t.Fatalf("registered %+v, want door2 at the backup", ev.Reg)
		}
		break
	}
	call, err := u.Dial(ctx, "101", offerFor(4000, pcmu))
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, u, Answered)
	call.Hangup()
	waitEvent(t, u, Ended)
	if !strings.Contains(phone.Output(), "answering call on line 1 from sip:door2@"+backup.Domain) {
		t.Errorf("the phone was not called as door2 through the backup:\n%s", phone.Output())
	}
	if n := strings.Count(backup.Output(), "request INVITE sip:101@"); n != 2 {
		t.Errorf("%d INVITEs at the backup, want 2 (407, then the backup's credentials)", n)
	}
	cancel()
	select {
	case <-errc:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	errc <- nil
	for _, pw := range []string{"primary-pw", "b4ckup-pw"} {
		if strings.Contains(logs.String(), pw) {
			t.Errorf("the log holds a password (%s)", pw)
		}
	}
}
