// Package demo is `intercom demo`: two intercoms in one process on loopback, a door station
// and an indoor unit, built from ordinary config files and run through the real code paths
// (SIP over UDP, RTP, jitter buffer, DTMF, controller, simulated GPIO). It presses the bell,
// answers, checks that each side hears the other's tone, opens the door by DTMF from the
// indoor unit, hangs up, and prints a timeline. Only the hardware is simulated.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/app"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// Options tune a demo run.
type Options struct {
	// Dir holds the received-audio recordings; required.
	Dir string
	// LogLevel of the two units' logs written to the output ("warn" keeps the output to the
	// timeline).
	LogLevel string
	// Talk is how long the call stays up before the door is opened.
	Talk time.Duration
}

// Report is what the demo measured.
type Report struct {
	Steps []Step
	// DoorHeard/IndoorHeard: level in dBFS of the far end's tone in each recording, and the
	// frequency that dominated it.
	DoorHeardHz, IndoorHeardHz     float64
	DoorHeardDBFS, IndoorHeardDBFS float64
	RelayOpen                      time.Duration
	Events                         []UnitEntry
}

// UnitEntry is an event-log entry and the unit that logged it.
type UnitEntry struct {
	Unit string
	eventlog.Entry
}

// Step is one line of the timeline.
type Step struct {
	At   time.Duration
	Unit string
	What string
}

// ErrFailed is wrapped when the scenario did not go as a door intercom must.
var ErrFailed = errors.New("demo: scenario failed")

type unit struct {
	name string
	app  *app.App
	done chan error
}

// Run plays the scenario, writing the timeline to w as it goes.
func Run(ctx context.Context, w io.Writer, opts Options) (*Report, error) {
	if opts.LogLevel == "" {
		opts.LogLevel = "warn"
	}
	if opts.Talk == 0 {
		opts.Talk = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	rep := &Report{}
	step := func(u, format string, args ...any) {
		s := Step{At: time.Since(start), Unit: u, What: fmt.Sprintf(format, args...)}
		rep.Steps = append(rep.Steps, s)
		fmt.Fprintf(w, "%7.3fs  %-7s %s\n", s.At.Seconds(), u, s.What)
	}

	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	dp, ip := ports[0], ports[1]
	rtpBase := rtpBaseFor(dp, ip)
	doorWAV := filepath.Join(opts.Dir, "door-heard.wav")
	indoorWAV := filepath.Join(opts.Dir, "indoor-heard.wav")
	doorSrc := fmt.Sprintf(doorConfig, dp, rtpBase, rtpBase+99, ip, ip, opts.LogLevel)
	doorSrc = strings.Replace(doorSrc, `playback = "null"`, `playback = "file:`+doorWAV+`"`, 1)
	indoorSrc := fmt.Sprintf(indoorConfig, ip, rtpBase+100, rtpBase+199, opts.LogLevel)
	indoorSrc = strings.Replace(indoorSrc, `playback = "null"`, `playback = "file:`+indoorWAV+`"`, 1)

	units := make([]*unit, 0, 2)
	defer func() {
		cancel()
		for _, u := range units {
			<-u.done
		}
	}()
	for _, spec := range []struct{ name, src string }{{"door", doorSrc}, {"indoor", indoorSrc}} {
		cfg, err := config.Parse(spec.name+".toml", []byte(spec.src))
		if err != nil {
			return nil, fmt.Errorf("demo: %s config: %w", spec.name, err)
		}
		logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: cfg.Log.Level})).With("unit", spec.name)
		a, err := app.New(cfg, app.Options{Logger: logger, Clock: clock.Real{}})
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", spec.name, err)
		}
		u := &unit{name: spec.name, app: a, done: make(chan error, 1)}
		ready := make(chan struct{})
		a2 := a
		go func() { u.done <- a2.Run(ctx) }()
		go func() {
			select {
			case <-a2.UA().Ready():
			case <-ctx.Done():
			}
			close(ready)
		}()
		select {
		case <-ready:
		case err := <-u.done:
			return nil, fmt.Errorf("demo: %s stopped: %w", spec.name, err)
		}
		units = append(units, u)
		step(spec.name, "listening on %s (userless SIP, simulated GPIO, %s)", cfg.SIP.Listen, cfg.Audio.Capture)
	}
	doorU, indoorU := units[0], units[1]
	doorCtl, indoorCtl := doorU.app.Controller(), indoorU.app.Controller()

	press := func(u *unit, button string) error {
		// Tap holds the button longer than the debounce time, as a finger does.
		if err := u.app.Board().Sim().Tap(button); err != nil {
			return err
		}
		time.Sleep(150 * time.Millisecond)
		return nil
	}
	waitState := func(c *door.Controller, want door.State, limit time.Duration) error {
		deadline := time.Now().Add(limit)
		for time.Now().Before(deadline) {
			if c.Status().State == want {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
		return fmt.Errorf("%w: state is %s, want %s after %s", ErrFailed, c.Status().State, want, limit)
	}

	step("door", "visitor presses the bell button")
	if err := press(doorU, "bell"); err != nil {
		return rep, err
	}
	if err := waitState(indoorCtl, door.RingingIn, 5*time.Second); err != nil {
		return rep, fmt.Errorf("indoor unit did not ring: %w", err)
	}
	step("indoor", "ringing: call from %s", indoorCtl.Status().Peer)
	time.Sleep(500 * time.Millisecond)
	step("indoor", "resident presses answer")
	if err := press(indoorU, "answer"); err != nil {
		return rep, err
	}
	if err := waitState(indoorCtl, door.InCall, 5*time.Second); err != nil {
		return rep, err
	}
	if err := waitState(doorCtl, door.InCall, 5*time.Second); err != nil {
		return rep, err
	}
	step("door", "in call with %s", doorCtl.Status().Peer)

	time.Sleep(opts.Talk)
	ds, _ := doorU.app.CallStats()
	is, _ := indoorU.app.CallStats()
	step("door", "audio: sent %d packets, received %d (level %.1f dBFS, jitter buffer %d ms)",
		ds.PacketsSent, ds.PacketsReceived, ds.RecvLevel, ds.JitterDelay.Milliseconds())
	step("indoor", "audio: sent %d packets, received %d (level %.1f dBFS, jitter buffer %d ms)",
		is.PacketsSent, is.PacketsReceived, is.RecvLevel, is.JitterDelay.Milliseconds())

	step("indoor", "resident presses open: DTMF %q to the door", "#1")
	relay := doorU.app.Board().Sim()
	if err := press(indoorU, "open"); err != nil {
		return rep, err
	}
	opened, err := waitFor(ctx, 5*time.Second, func() bool { return relay.Output(door.RelayDoor) })
	if err != nil {
		return rep, fmt.Errorf("%w: door relay never opened", ErrFailed)
	}
	step("door", "relay energised: door open")
	closed, err := waitFor(ctx, 5*time.Second, func() bool { return !relay.Output(door.RelayDoor) })
	if err != nil {
		return rep, fmt.Errorf("%w: door relay stuck open", ErrFailed)
	}
	rep.RelayOpen = closed.Sub(opened)
	step("door", "relay released after %.2f s: door locked", rep.RelayOpen.Seconds())

	step("indoor", "resident presses hang-up")
	if err := press(indoorU, "hangup"); err != nil {
		return rep, err
	}
	if err := waitState(doorCtl, door.Idle, 5*time.Second); err != nil {
		return rep, err
	}
	if err := waitState(indoorCtl, door.Idle, 5*time.Second); err != nil {
		return rep, err
	}
	step("door", "call ended; both units idle")

	cancel()
	for _, u := range units {
		if err := <-u.done; err != nil && !errors.Is(err, context.Canceled) {
			return rep, fmt.Errorf("demo: %s: %w", u.name, err)
		}
	}
	units = nil

	for _, e := range doorCtl.Recent() {
		rep.Events = append(rep.Events, UnitEntry{"door", e})
	}
	for _, e := range indoorCtl.Recent() {
		rep.Events = append(rep.Events, UnitEntry{"indoor", e})
	}
	sort.SliceStable(rep.Events, func(i, j int) bool { return rep.Events[i].Time.Before(rep.Events[j].Time) })

	var errs []error
	rep.DoorHeardHz, rep.DoorHeardDBFS, err = analyse(doorWAV)
	errs = append(errs, err)
	rep.IndoorHeardHz, rep.IndoorHeardDBFS, err = analyse(indoorWAV)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return rep, err
	}
	step("door", "recording: heard %.0f Hz at %.1f dBFS (the indoor unit's 660 Hz)", rep.DoorHeardHz, rep.DoorHeardDBFS)
	step("indoor", "recording: heard %.0f Hz at %.1f dBFS (the door's 440 Hz)", rep.IndoorHeardHz, rep.IndoorHeardDBFS)
	switch {
	case rep.DoorHeardHz != 660 || rep.DoorHeardDBFS < -30:
		return rep, fmt.Errorf("%w: the door did not hear the indoor unit's tone", ErrFailed)
	case rep.IndoorHeardHz != 440 || rep.IndoorHeardDBFS < -30:
		return rep, fmt.Errorf("%w: the indoor unit did not hear the door's tone", ErrFailed)
	case rep.RelayOpen < 900*time.Millisecond || rep.RelayOpen > 1100*time.Millisecond:
		return rep, fmt.Errorf("%w: relay open for %s, want 1s", ErrFailed, rep.RelayOpen)
	}
	fmt.Fprintln(w, "\nevent log (both units):")
	for _, e := range rep.Events {
		b, _ := e.MarshalJSON()
		fmt.Fprintf(w, "  %-7s %s\n", e.Unit, b)
	}
	return rep, nil
}

func waitFor(ctx context.Context, limit time.Duration, cond func() bool) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if cond() {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return time.Time{}, ErrFailed
}

// rtpBaseFor picks 200 RTP ports (100 per unit) that hold neither SIP port: the config refuses
// a range around its own SIP port, and the SIP ports come from the kernel's ephemeral range,
// which starts at 32768 on Linux, so the ranges stay below it and, on a system whose
// ephemeral range starts lower, step aside.
func rtpBaseFor(sipPorts ...int) int {
	for i := range 60 {
		base := 20000 + (sipPorts[0]+i)%60*200
		free := true
		for _, p := range sipPorts {
			if p >= base && p < base+200 {
				free = false
			}
		}
		if free {
			return base
		}
	}
	return 20000 // unreachable with two ports and 60 ranges
}
