package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestAccessVboard runs the whole app on the virtual board's gpio-sim chip: a Wiegand reader
// on the spare lines 6 (D0) and 7 (D1), the door relay on line 3. Frames are pulsed through
// sysfs; the relay line must pulse for a card inside its schedule and for a PIN typed on the
// reader's keypad, and stay still for a card outside its schedule.
func TestAccessVboard(t *testing.T) {
	if os.Getenv("INTERCOM_VBOARD") != "1" {
		t.Skip("needs gpio-sim in the virtual board: VBOARD_TEST_PKGS=./internal/app:Vboard hwtest/vboard/run.sh amd64 --scenario tests")
	}
	chip, devdir := os.Getenv("INTERCOM_GPIOSIM_CHIP"), os.Getenv("INTERCOM_GPIOSIM_DEVDIR")
	if chip == "" || devdir == "" {
		t.Fatal("INTERCOM_VBOARD=1 without INTERCOM_GPIOSIM_CHIP and INTERCOM_GPIOSIM_DEVDIR")
	}
	dir := t.TempDir()
	pin, err := access.HashPIN("4711", access.NewSalt(), access.Params{Time: 1, Memory: 1024, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	otherDay := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[(int(now.Weekday())+3)%7]
	users := fmt.Sprintf(`[[user]]
name = "Meyer"
cards = ["12:34567"]
pins = [%q]

[[user]]
name = "Night shift"
cards = ["12:777"]
schedule = ["%s 00:00-24:00"]
`, pin.String(), otherDay)
	if err := os.WriteFile(filepath.Join(dir, "users.toml"), []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	sipPort := testpeer.FreePort(t)
	src := fmt.Sprintf(`
[sip]
listen = "127.0.0.1:%d"
[audio]
capture = "tone:440"
playback = "null"
[gpio]
chip = %q
[door]
relay_line = 3
open_for = "1s"
[[reader]]
name = "gate"
d0 = 6
d1 = 7
formats = ["26", "34", "keys"]
[access]
users_file = "users.toml"
time_zone = "UTC"
[control]
socket = ""
`, sipPort, chip)
	cfg, err := config.Parse(filepath.Join(dir, "intercom.toml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})), Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	// The pull files stay open: a write is then one syscall, so a frame goes out in a few
	// milliseconds (opening them per write let guest stalls split frames).
	pulls := map[int]*os.File{}
	for _, line := range []int{6, 7} {
		f, err := os.OpenFile(filepath.Join(devdir, "sim_gpio"+strconv.Itoa(line), "pull"), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		pulls[line] = f
	}
	pull := func(line int, up bool) {
		v := "pull-down"
		if up {
			v = "pull-up"
		}
		if _, err := pulls[line].WriteAt([]byte(v), 0); err != nil {
			t.Fatal(err)
		}
	}
	relay := func() bool {
		b, err := os.ReadFile(filepath.Join(devdir, "sim_gpio3", "value"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b)) == "1"
	}
	// Wait until the reader's lines are claimed (pulled up by the request).
	waitUntil(t, 10*time.Second, "reader lines claimed", func() bool {
		b, _ := os.ReadFile(filepath.Join(devdir, "sim_gpio6", "value"))
		return strings.TrimSpace(string(b)) == "1"
	})
	send := func(bits string) {
		for _, b := range bits {
			line := 6 + int(b-'0')
			pull(line, false)
			pull(line, true)
		}
		time.Sleep(60 * time.Millisecond) // the silence that ends the frame
	}
	entries := func(kind string) []eventlog.Entry {
		var out []eventlog.Entry
		for _, e := range a.Controller().Recent() {
			if string(e.Kind) == kind {
				out = append(out, e)
			}
		}
		return out
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, e := range a.Controller().Recent() {
				t.Logf("event %s %v", e.Kind, e.Fields)
			}
		}
	})
	pulse := func(what string) time.Duration {
		t.Helper()
		start := time.Now()
		waitUntil(t, 5*time.Second, what+": relay on", relay)
		on := time.Since(start)
		waitUntil(t, 5*time.Second, what+": relay off", func() bool { return !relay() })
		return on
	}

	// A stall of the emulated guest longer than 25 ms inside a frame splits it (logged as a
	// misread), as a real reader's frame cut by noise would be; the card is then presented
	// again, as a person would.
	present := func(what string, frames []string, done func() bool) {
		t.Helper()
		for try := 1; ; try++ {
			for _, f := range frames {
				send(f)
			}
			deadline := time.Now().Add(2 * time.Second)
			for !done() && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if done() {
				figure(t, "access_"+what+"_tries", float64(try))
				return
			}
			if try == 3 {
				t.Fatalf("%s: nothing after 3 tries", what)
			}
		}
	}
	present("card", []string{w26(12, 34567)}, func() bool { return len(entries("access-granted")) == 1 })
	lat := pulse("Meyer's card")
	figure(t, "access_relay_seen_after_ms", float64(lat)/float64(time.Millisecond))
	if g := entries("access-granted"); len(g) != 1 || g[0].String("user") != "Meyer" || g[0].String("via") != "card" {
		t.Fatalf("granted entries %v", g)
	}

	present("refused_card", []string{w26(12, 777)}, func() bool { return len(entries("access-denied")) == 1 })
	if d := entries("access-denied")[0]; d.String("user") != "Night shift" || d.String("reason") != "outside-schedule" {
		t.Fatalf("denied %v", d)
	}
	if relay() || len(entries("door-open")) != 1 {
		t.Fatal("the relay moved for a card outside its schedule")
	}

	// 4 7 1 1 # as 4-bit key frames; * first clears whatever a split frame left typed.
	present("pin", []string{"1010", "0100", "0111", "0001", "0001", "1011"}, func() bool { return len(entries("access-granted")) == 2 })
	pulse("Meyer's PIN")
	if g := entries("access-granted"); len(g) != 2 || g[1].String("via") != "pin" {
		t.Fatalf("granted entries %v", g)
	}
}

// figure appends name=value to the file the virtual board prints with its result line.
func figure(t *testing.T, name string, v float64) {
	t.Logf("%s=%.2f", name, v)
	p := os.Getenv("VBOARD_FIGURES")
	if p == "" {
		return
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = fmt.Fprintf(f, "%s=%.2f\n", name, v)
}
