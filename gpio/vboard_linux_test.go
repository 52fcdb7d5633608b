package gpio

// Real-kernel tests against gpio-sim, run inside the virtual board (hwtest/vboard) with
// INTERCOM_VBOARD=1; skipped everywhere else.
//
// Expected gpio-sim configuration (what hwtest/vboard/guest/init.sh creates): one chip with
// bank0 of at least 7 lines, live, default pulls (pull-down, inputs read 0). The chip is
// found through configfs, /sys/kernel/config/gpio-sim/<name>/bank0/chip_name and
// <name>/dev_name, never assumed to be gpiochip0 (on arm64 virt the PL061 is gpiochip0).
// INTERCOM_GPIOSIM_CHIP (e.g. "gpiochip1") and INTERCOM_GPIOSIM_DEVDIR (the sysfs device
// directory holding sim_gpioN/, e.g. /sys/devices/platform/gpio-sim.0/gpiochip1) override the
// lookup. Wiring used here, by line offset:
//
//	0 bell   button, active low, bias pull-up (pressed = pull-down written to sim_gpio0/pull)
//	1 status LED
//	3 door   relay, active high
//	4 exit   input, active high (pressed = pull-up)
//	6 spare  relay, active low: its inactive level (high) must be there right after Open

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type gpioSim struct {
	chip   string // gpiochipN
	devdir string // sysfs directory with sim_gpioN/
}

func findGPIOSim(t *testing.T) gpioSim {
	t.Helper()
	if os.Getenv("INTERCOM_VBOARD") != "1" {
		t.Skip("needs gpio-sim in the virtual board: run hwtest/vboard/run.sh amd64 --scenario tests (sets INTERCOM_VBOARD=1)")
	}
	s := gpioSim{chip: os.Getenv("INTERCOM_GPIOSIM_CHIP"), devdir: os.Getenv("INTERCOM_GPIOSIM_DEVDIR")}
	if s.chip == "" || s.devdir == "" {
		names, _ := filepath.Glob("/sys/kernel/config/gpio-sim/*/bank0/chip_name")
		if len(names) == 0 {
			t.Fatal("INTERCOM_VBOARD=1 but no live gpio-sim chip in /sys/kernel/config/gpio-sim")
		}
		chip, err1 := os.ReadFile(names[0])
		dev, err2 := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(names[0])), "dev_name"))
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		s.chip = strings.TrimSpace(string(chip))
		s.devdir = filepath.Join("/sys/devices/platform", strings.TrimSpace(string(dev)), s.chip)
	}
	return s
}

func (s gpioSim) pull(t *testing.T, line int, up bool) {
	t.Helper()
	v := "pull-down"
	if up {
		v = "pull-up"
	}
	p := filepath.Join(s.devdir, "sim_gpio"+strconv.Itoa(line), "pull")
	if err := os.WriteFile(p, []byte(v), 0); err != nil {
		t.Fatal(err)
	}
}

func (s gpioSim) value(t *testing.T, line int) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.devdir, "sim_gpio"+strconv.Itoa(line), "value"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b)) == "1"
}

// waitValue polls sysfs: gpio-sim has no way to wait for an output change.
func (s gpioSim) waitValue(t *testing.T, line int, want bool, within time.Duration) {
	t.Helper()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(within)
	for s.value(t, line) != want {
		if time.Now().After(deadline) {
			t.Fatalf("line %d did not become %v within %v", line, want, within)
		}
		<-tick.C
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

func vboardConfig(chip string) Config {
	c := Defaults()
	c.Chip = chip
	c.Buttons = []Input{{Name: "bell", Line: 0, ActiveLow: true, Bias: "pull-up"}}
	c.Inputs = []Input{{Name: "exit", Line: 4}}
	c.LEDs = []Output{{Name: "status", Line: 1}}
	c.Relays = []Output{{Name: "door", Line: 3}, {Name: "spare", Line: 6, ActiveLow: true}}
	return c
}

func runBoard(t *testing.T, b *Board) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

func expectEvent(t *testing.T, b *Board, name string, kind EventKind) {
	t.Helper()
	select {
	case ev := <-b.Events():
		if ev.Name != name || ev.Kind != kind {
			t.Fatalf("event %s %s, want %s %s", ev.Name, ev.Kind, name, kind)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("no %s %s within 3s", name, kind)
	}
}

func TestVboardInputs(t *testing.T) {
	s := findGPIOSim(t)
	s.pull(t, 4, false)
	b, err := Open(vboardConfig(s.chip), Options{})
	if err != nil {
		t.Fatal(err)
	}
	runBoard(t, b)
	if on, _ := b.Level("bell"); on {
		t.Fatal("bell reads pressed at open: the pull-up bias did not reach the line")
	}
	start := time.Now()
	s.pull(t, 0, false) // finger on the active-low button
	expectEvent(t, b, "bell", Press)
	// A figure for the run's summary, not an assertion: sysfs write to Press, less debounce.
	figure(t, "gpio_press_latency_ms", float64(time.Since(start)-b.cfg.Debounce)/float64(time.Millisecond))
	s.pull(t, 0, true)
	expectEvent(t, b, "bell", Release)
	s.pull(t, 4, true)
	expectEvent(t, b, "exit", Press)
	s.pull(t, 4, false)
	expectEvent(t, b, "exit", Release)

	// A bounce much shorter than the debounce time leaves no event. Only asserted when the
	// emulated machine wrote both levels fast enough for it to be one.
	start = time.Now()
	s.pull(t, 0, false)
	s.pull(t, 0, true)
	if d := time.Since(start); d >= b.cfg.Debounce/3 {
		t.Logf("bounce check skipped: the two writes took %v", d)
	} else {
		select {
		case ev := <-b.Events():
			t.Fatalf("bounce gave event %s %s", ev.Name, ev.Kind)
		case <-time.After(10 * b.cfg.Debounce):
		}
	}
}

func TestVboardOutputs(t *testing.T) {
	s := findGPIOSim(t)
	b, err := Open(vboardConfig(s.chip), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Right after the request, before any write: gpio-sim pulls down, so a high active-low
	// line proves the inactive level came with the request.
	if !s.value(t, 6) {
		t.Fatal("active-low relay is low (energised) right after Open")
	}
	if s.value(t, 3) || s.value(t, 1) {
		t.Fatal("active-high relay or LED is high right after Open")
	}
	runBoard(t, b)
	if err := b.SetRelay("door", true); err != nil {
		t.Fatal(err)
	}
	if !s.value(t, 3) {
		t.Error("door relay on: line 3 still low")
	}
	if err := b.Pulse("spare", 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if s.value(t, 6) {
		t.Error("active-low relay pulsed: line 6 still high")
	}
	s.waitValue(t, 6, true, 3*time.Second)
	if err := b.SetLED("status", FastBlink); err != nil {
		t.Fatal(err)
	}
	s.waitValue(t, 1, false, 3*time.Second)
	s.waitValue(t, 1, true, 3*time.Second)
	if err := b.Halt(); err != nil {
		t.Fatal(err)
	}
	if s.value(t, 3) || !s.value(t, 6) || s.value(t, 1) {
		t.Error("Halt left an output active")
	}
}

func TestVboardChipLookup(t *testing.T) {
	s := findGPIOSim(t)
	label, err := chipLabel("/dev/" + s.chip)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{s.chip, label, "/dev/" + s.chip} {
		t.Run(name, func(t *testing.T) {
			b, err := Open(vboardConfig(name), Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Close releases the lines: a second Board can claim them.
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := Open(vboardConfig("no-such-chip"), Options{}); !errors.Is(err, ErrNoChip) {
		t.Errorf("unknown chip: %v, want ErrNoChip", err)
	}
}

// A button already held when the intercom starts is a level, not an event: Level reports it,
// and only its release is an event.
func TestVboardHeldAtOpen(t *testing.T) {
	s := findGPIOSim(t)
	s.pull(t, 4, true)
	defer s.pull(t, 4, false)
	b, err := Open(vboardConfig(s.chip), Options{})
	if err != nil {
		t.Fatal(err)
	}
	runBoard(t, b)
	if on, err := b.Level("exit"); err != nil || !on {
		t.Fatalf("Level(exit) = %v, %v; want true", on, err)
	}
	s.pull(t, 4, false)
	expectEvent(t, b, "exit", Release)
}

// A relay the last run left energised is reported by the next Open, which still claims it at
// its safe level. gpio-sim returns a released line to its pull (as mainline kernels do), so
// the pull-up written after the "kill" plays the Raspberry Pi kernel that keeps the level.
// Line 7 (never used by another test) is the cold-boot case: an input pulled up is no alarm.
// (gpio-sim keeps a released line's direction, so its pull must match what the "killed" run
// drove; on a Pi, mainline's pinctrl makes a released pin an input and a kept one keeps its
// level, so the probe reads the truth there.)
func TestVboardRelayFoundActive(t *testing.T) {
	s := findGPIOSim(t)
	cfg := vboardConfig(s.chip)
	cfg.Relays = append(cfg.Relays, Output{Name: "spare7", Line: 7})
	s.pull(t, 7, true)
	defer s.pull(t, 7, false)
	s.pull(t, 6, true) // earlier tests released the active-low spare relay: at rest it is high
	defer s.pull(t, 6, false)
	cold, err := chipDriver{name: s.chip}.Probe([]LineSpec{{Name: "spare7", Offset: 7}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cold[0].Output {
		t.Log("line 7 was an output already: the cold-boot case is not checked")
	} else if got := b.RelaysFoundActive(); len(got) != 0 {
		t.Errorf("cold start: RelaysFoundActive = %q, want none (inputs at their pull)", got)
	}
	if err := b.SetRelay("door", true); err != nil {
		t.Fatal(err)
	}
	// Killed: the lines go back to the kernel with the relay on, nobody drives them safe.
	if err := b.lines.Close(); err != nil {
		t.Fatal(err)
	}
	// The pulls now play the kernel that kept each released output at its last level: the
	// door relay on, the active-low spare relay and spare7 at their inactive levels.
	s.pull(t, 3, true)
	defer s.pull(t, 3, false)
	s.pull(t, 7, false)

	b2, err := Open(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if got := b2.RelaysFoundActive(); len(got) != 1 || got[0] != "door" {
		t.Errorf("after the kill: RelaysFoundActive = %q, want [door]", got)
	}
	if s.value(t, 3) {
		t.Error("door relay still energised after the new Open")
	}
}
