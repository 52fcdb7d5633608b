package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/door/doortest"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/wiegand"
)

// fakeEdges plays edges handed to it, as the kernel would.
type fakeEdges struct{ in chan gpio.EdgeEvent }

func (f *fakeEdges) Run(ctx context.Context, fn func(gpio.EdgeEvent)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-f.in:
			fn(e)
		}
	}
}
func (f *fakeEdges) Close() error { return nil }

// w26 encodes a 26-bit frame.
func w26(fc, cn int) string {
	d := fmt.Sprintf("%08b%016b", fc, cn)
	par := func(s string, odd bool) string {
		n := 0
		for _, c := range s {
			if c == '1' {
				n++
			}
		}
		if (n%2 == 1) != odd {
			return "1"
		}
		return "0"
	}
	return par(d[:12], false) + d + par(d[12:], true)
}

// TestCardAndPINOpenTheDoor runs a reader's edges through the decoder, the users and the
// real door controller: a card and a PIN from a keypad reader open the door with the user's
// name in the event log, only inside the user's schedule; a stranger's card does not.
func TestCardAndPINOpenTheDoor(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	// Monday 2026-12-07 08:00 local.
	clk := clock.NewFake(time.Date(2026, 12, 7, 8, 0, 0, 0, berlin))
	salt := access.NewSalt()
	pin, _ := access.HashPIN("4711", salt, access.Params{Time: 1, Memory: 64, Threads: 1})
	card, _ := access.ParseCard("12:34567")
	sched, _ := access.ParseSchedule([]string{"mon-fri 07:00-19:00"})
	cfg := &config.Config{Access: access.Defaults(), Users: []access.User{
		{Name: "Meyer", PINs: []access.PIN{pin}, Cards: []access.Card{card}, Schedule: sched},
	}}
	cfg.Access.TimeZone = ""
	cfg.GPIO.Readers = []gpio.Reader{{Name: "front", D0: 5, D1: 6, LED: 7, Buzzer: -1}, {Name: "gate", LED: -1, Buzzer: 9}}
	dcfg := door.Defaults()
	dcfg.Door.HasRelay = true
	dcfg.Door.MaxAttempts = 3
	board := doortest.NewBoard()
	log := eventlog.New(eventlog.Config{}, eventlog.Options{Clock: clk})
	ctrl := door.New(dcfg, doortest.NewPhone(), board, door.Options{Clock: clk, Events: log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 3)
	go func() { ctrl.Run(ctx); done <- struct{}{} }()
	k, err := newKeypads(cfg, ctrl, clk, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	k.dir = access.NewDirectory(cfg.Users, berlin)
	k.events = log
	var sigMu sync.Mutex
	var signals []string
	k.pulse = func(name string, d time.Duration) error {
		sigMu.Lock()
		defer sigMu.Unlock()
		signals = append(signals, fmt.Sprintf("%s %s", name, d))
		return nil
	}
	seen := make(chan struct{}, 64)
	k.edgeDone = func() { seen <- struct{}{} }
	go func() { k.run(ctx); done <- struct{}{} }()
	edges := &fakeEdges{in: make(chan gpio.EdgeEvent)}
	wcfg := wiegand.Defaults()
	wcfg.Keys = true
	go func() { k.runReader(ctx, "front", edges, wcfg); done <- struct{}{} }()
	defer func() {
		cancel()
		for range 3 {
			<-done
		}
	}()

	at := time.Duration(0)
	send := func(bits string) {
		for _, c := range bits {
			edges.in <- gpio.EdgeEvent{Line: int(c - '0'), At: at}
			<-seen // decoded, silence timer re-armed
			at += 2 * time.Millisecond
		}
		at += time.Second
		clk.Advance(wcfg.Gap)
	}
	waitFor := func(kind string, n int) eventlog.Entry {
		t.Helper()
		var found []eventlog.Entry
		waitUntil(t, 5*time.Second, fmt.Sprintf("%d %s entries", n, kind), func() bool {
			found = found[:0]
			for _, e := range log.Recent() {
				if string(e.Kind) == kind {
					found = append(found, e)
				}
			}
			return len(found) >= n
		})
		return found[n-1]
	}

	send(w26(12, 34567))
	if e := waitFor("access-granted", 1); e.String("user") != "Meyer" || e.String("via") != "card" || e.String("source") != "reader:front" {
		t.Fatalf("granted %v", e)
	}
	if len(board.Pulses()) != 1 {
		t.Fatalf("pulses %v", board.Pulses())
	}
	// The reader shows the grant once the controller has answered.
	waitUntil(t, 5*time.Second, "reader signals [reader-front-led 3s]", func() bool {
		sigMu.Lock()
		defer sigMu.Unlock()
		return fmt.Sprint(signals) == "[reader-front-led 3s]"
	})
	// A misread (one bit flipped) is logged, not handed on.
	bad := []byte(w26(12, 34567))
	bad[7] ^= 1
	send(string(bad))
	if e := waitFor("reader-misread", 1); e.String("source") != "reader:front" || e.String("bits") != "26" {
		t.Fatalf("misread %v", e)
	}
	send(w26(12, 1))
	if e := waitFor("access-denied", 1); e.String("card") != "12:1" || e.String("reason") != "unknown" {
		t.Fatalf("denied %v", e)
	}
	// 4 7 1 1 # from the reader's keypad (4-bit key frames).
	for _, key := range []string{"0100", "0111", "0001", "0001", "1011"} {
		send(key)
	}
	if e := waitFor("access-granted", 2); e.String("user") != "Meyer" || e.String("via") != "pin" {
		t.Fatalf("granted by PIN %v", e)
	}
	// 20:00 local is outside mon-fri 07:00-19:00.
	clk.Advance(12 * time.Hour)
	send(w26(12, 34567))
	if e := waitFor("access-denied", 2); e.String("user") != "Meyer" || e.String("reason") != "outside-schedule" {
		t.Fatalf("outside schedule %v", e)
	}
	for _, e := range log.Recent() {
		for _, f := range e.Fields {
			if fmt.Sprint(f.Value) == "4711" {
				t.Fatalf("the PIN is in the log: %v", e)
			}
		}
	}
}

// fakeKeys is a keypad typed by the test.
type fakeKeys struct{ keys chan rune }

func (f fakeKeys) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (f fakeKeys) Keys() <-chan rune             { return f.keys }

// TestKeypadBruteForce: wrong PINs typed on a keypad lock that keypad out (then even the
// right PIN is refused) while the controller keeps answering.
func TestKeypadBruteForce(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC))
	pin, _ := access.HashPIN("4711", access.NewSalt(), access.Params{Time: 1, Memory: 64, Threads: 1})
	cfg := &config.Config{Access: access.Defaults(), Users: []access.User{{Name: "Meyer", PINs: []access.PIN{pin}}}}
	dcfg := door.Defaults()
	dcfg.Door.HasRelay = true
	dcfg.Door.MaxAttempts = 5
	board := doortest.NewBoard()
	log := eventlog.New(eventlog.Config{}, eventlog.Options{Clock: clk})
	ctrl := door.New(dcfg, doortest.NewPhone(), board, door.Options{Clock: clk, Events: log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 3)
	go func() { ctrl.Run(ctx); done <- struct{}{} }()
	k, err := newKeypads(cfg, ctrl, clk, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	go func() { k.run(ctx); done <- struct{}{} }()
	keys := fakeKeys{keys: make(chan rune)}
	go func() { k.runKeypad(ctx, "front", keys); done <- struct{}{} }()
	defer func() {
		cancel()
		for range 3 {
			<-done
		}
	}()
	count := func(kind string) int {
		n := 0
		for _, e := range log.Recent() {
			if string(e.Kind) == kind {
				n++
			}
		}
		return n
	}
	waitCount := func(kind string, n int) {
		t.Helper()
		waitUntil(t, 5*time.Second, fmt.Sprintf("%d %s entries", n, kind), func() bool { return count(kind) >= n })
	}
	typeCode := func(code string) {
		for _, c := range code {
			keys.keys <- c
		}
	}
	for i := range 5 {
		typeCode(fmt.Sprintf("%04d#", 1000+i))
		waitCount("access-denied", i+1)
	}
	waitCount("access-lockout", 1)
	// The controller still answers while the keypad is locked out.
	if res, err := ctrl.Do(ctx, door.Command{Op: "status"}); err != nil || !res.Status.LockedOut {
		t.Fatalf("status %+v %v", res.Status, err)
	}
	typeCode("4711#")
	waitCount("access-refused", 1)
	if len(board.Pulses()) != 0 {
		t.Fatal("opened while locked out")
	}
	// After lockout_for (5 minutes by default) the right PIN opens.
	clk.Advance(dcfg.Door.LockoutFor)
	ctrl.Do(ctx, door.Command{Op: "status"})
	typeCode("4711#")
	waitCount("access-granted", 1)
}

func TestReaderSignals(t *testing.T) {
	var got []string
	k := &keypads{log: slog.New(slog.DiscardHandler), signals: map[string]gpio.Reader{
		"reader:a": {Name: "a", LED: 7, Buzzer: 8}, "reader:b": {Name: "b", LED: -1, Buzzer: -1}}}
	k.pulse = func(name string, d time.Duration) error { got = append(got, fmt.Sprintf("%s %s", name, d)); return nil }
	k.signal("reader:a", true)
	k.signal("reader:a", false)
	k.signal("reader:b", true)
	k.signal("keypad:front", false)
	if want := "[reader-a-led 3s reader-a-buzzer 150ms reader-a-buzzer 1s]"; fmt.Sprint(got) != want {
		t.Fatalf("signals %v, want %s", got, want)
	}
}
