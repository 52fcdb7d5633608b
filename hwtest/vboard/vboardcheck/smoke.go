//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/doorsip/intercom/hwtest/internal/tone"
	"golang.org/x/sys/unix"
)

const (
	smokeRate   = 8000
	smokePeriod = 160 // 20 ms
)

func smoke(figs *figures) error {
	// Up to three tries: a TCG guest on a loaded host can stall long enough for aloop to
	// drop frames without reporting an xrun. Three failures in a row are not a stall.
	var err error
	tries := 1
	for ; tries <= 3; tries++ {
		var f figures
		if err = smokeAudio(&f); err == nil {
			figs.kv = append(figs.kv, f.kv...)
			break
		}
		fmt.Printf("vboardcheck: aloop attempt %d: %v\n", tries, err)
	}
	figs.add("aloop_attempts", "%d", min(tries, 3))
	if err != nil {
		return fmt.Errorf("aloop: %w", err)
	}
	if err := smokeGPIO(figs); err != nil {
		return fmt.Errorf("gpio-sim: %w", err)
	}
	return nil
}

// smokeAudio plays 0.5 s of 1 kHz then a pseudo-random pattern on aloop's device 0 and
// captures device 1: the tone must come back clean and the pattern bit-exact.
func smokeAudio(figs *figures) error {
	for _, p := range []string{pcmPath(0, 0, false), pcmPath(0, 1, true)} {
		if _, err := os.Stat(p); err != nil {
			return err
		}
	}
	// A deep capture buffer: the guest runs under TCG and may stall for a few periods.
	capt, err := openPCM(pcmPath(0, 1, true), true, smokeRate, 1, smokePeriod, 16)
	if err != nil {
		return err
	}
	defer capt.close()
	// Start capturing before anything is played: aloop drops what is played while the
	// capture side is stopped.
	if err := capt.start(); err != nil {
		return err
	}
	play, err := openPCM(pcmPath(0, 0, false), false, smokeRate, 1, smokePeriod, 16)
	if err != nil {
		return err
	}
	defer play.close()

	sine := make([]int16, smokeRate/2)
	tone.Sine(sine, smokeRate, 1000, 10000, 0)
	pat := make([]int16, smokeRate/2)
	tone.Pattern(pat, 0x1d00)
	// Two periods of silence before DRAIN: without them aloop delivered the last frames
	// late or not at all (see the virtual-board notes).
	out := append(append(append([]int16{}, sine...), pat...), make([]int16, 2*smokePeriod)...)

	got := make([]int16, smokeRate*8/5) // 1.6 s: the played 1.04 s plus lead-in
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n := 0
		for n < len(got) {
			m, err := capt.xfer(got[n:min(n+smokePeriod, len(got))])
			n += m
			if err != nil {
				done <- result{n, err}
				return
			}
		}
		done <- result{n, nil}
	}()
	start := time.Now()
	if _, err := play.xfer(out); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if err := play.drain(); err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		return errors.New("capture did not finish within 5 s")
	}
	if r.err != nil {
		return fmt.Errorf("read after %d frames: %w", r.n, r.err)
	}
	figs.add("aloop_ms", "%d", time.Since(start).Milliseconds())

	figs.add("aloop_xruns", "%d/%d", capt.xruns, play.xruns)
	at := tone.Find(got, pat)
	if at < 0 {
		first := -1
		for i, v := range got {
			if v != 0 {
				first = i
				break
			}
		}
		return fmt.Errorf("the pattern never came back from the loopback (first sound at frame %d of %d)", first, len(got))
	}
	lead := at - len(sine)
	figs.add("aloop_leadin_frames", "%d", lead)
	miss := tone.Mismatch(got, pat, at)
	figs.add("aloop_pattern_mismatch", "%d", miss)
	if miss > 0 {
		return fmt.Errorf("pattern came back with %d of %d samples wrong", miss, len(pat))
	}
	// The last 200 ms of tone before the pattern: a negative lead-in means the head of the
	// tone was lost, an xrun would leave a gap earlier in it.
	from := max(lead, 0, at-100-smokeRate/5)
	if at-100-from < smokeRate/10 {
		return fmt.Errorf("only %d frames of the tone came back", at-from)
	}
	snr := tone.SNR(got[from:at-100], smokeRate, 1000)
	figs.add("aloop_snr_db", "%.1f", snr)
	if snr < 30 {
		return fmt.Errorf("1 kHz came back at %.1f dB SNR (want >= 30)", snr)
	}
	return nil
}

// smokeGPIO pulls the bell input from the simulator side and sees the edge as a consumer,
// then drives the relay output as a consumer and reads its level from the simulator.
func smokeGPIO(figs *figures) error {
	chip, devdir := os.Getenv("INTERCOM_GPIOSIM_CHIP"), os.Getenv("INTERCOM_GPIOSIM_DEVDIR")
	if chip == "" || devdir == "" {
		return errors.New("INTERCOM_GPIOSIM_CHIP or INTERCOM_GPIOSIM_DEVDIR not set")
	}
	s, err := openSim(chip, devdir)
	if err != nil {
		return err
	}
	defer s.dev.Close()
	figs.add("gpio_chip", "%s", chip)
	figs.add("gpio_label", "%s", s.label)
	for _, n := range []string{"bell", "led-status", "led-call", "relay-door", "exit", "sensor"} {
		if _, err := s.offset(n); err != nil {
			return err
		}
	}

	bell, err := s.request("bell", false, 0)
	if err != nil {
		return err
	}
	defer bell.Close()
	if v, err := lineGet(bell); err != nil || v != 0 {
		return fmt.Errorf("bell reads %d (%v) before the pull, want 0", v, err)
	}
	t0 := time.Now()
	if err := s.pull("bell", true); err != nil {
		return err
	}
	if err := waitEdge(bell, time.Second); err != nil {
		return fmt.Errorf("bell: %w", err)
	}
	figs.add("gpio_edge_us", "%d", time.Since(t0).Microseconds())
	if v, err := lineGet(bell); err != nil || v != 1 {
		return fmt.Errorf("bell reads %d (%v) after pull-up, want 1", v, err)
	}
	if err := s.pull("bell", false); err != nil {
		return err
	}

	relay, err := s.request("relay-door", true, 0)
	if err != nil {
		return err
	}
	for _, want := range []int{0, 1, 0, 1} {
		if err := lineSet(relay, want); err != nil {
			relay.Close()
			return err
		}
		if got, err := s.level("relay-door"); err != nil || got != want {
			relay.Close()
			return fmt.Errorf("relay-door level %d (%v) after set %d", got, err, want)
		}
	}
	// Released while driven high: gpio-sim falls back to the pull (down), the level a
	// crashed intercom leaves behind.
	relay.Close()
	if got, err := s.level("relay-door"); err != nil || got != 0 {
		return fmt.Errorf("relay-door level %d (%v) after release, want 0", got, err)
	}
	figs.add("gpio", "ok")
	return nil
}

// waitEdge waits for one edge event on a requested input line.
func waitEdge(f *os.File, d time.Duration) error {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(d.Milliseconds()))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no edge event within %s", d)
	}
	ev := make([]byte, 48) // struct gpio_v2_line_event
	if _, err := f.Read(ev); err != nil {
		return err
	}
	return nil
}
