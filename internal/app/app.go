// Package app wires the intercom together: it builds the SIP user agent, the GPIO board, the
// event log, the controller and the control socket from a loaded config, adapts sip+media and
// gpio to the controller's small interfaces, runs them, and stops them in an order that
// leaves the door safe. cmd/intercom is a thin shell around it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/action"
	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/httpapi"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/sip"
)

// Options are what main hands down.
type Options struct {
	Logger *slog.Logger
	Clock  clock.Clock
	// Notify receives status lines (systemd STATUS=); Heartbeat is called from the
	// controller's loop (systemd WATCHDOG=1) every HeartbeatEvery (0: the controller's
	// default). Both may be nil.
	Notify         func(status string)
	Heartbeat      func()
	HeartbeatEvery time.Duration
	// Ready is called once SIP listens and the controller runs (systemd READY=1).
	Ready func()
	// OpenPCM opens a call's sound cards; nil means alsa.OpenPCM. Tests pass alsatest fakes.
	OpenPCM func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error)
	// GPIODriver replaces the chip [gpio] names; tests pass gpio/gpiotest's fake. nil: the chip.
	GPIODriver gpio.Driver
	// Version is the build's version, which Home Assistant and 2N clients are told.
	Version string
}

// App is one running intercom.
type App struct {
	cfg     *config.Config
	opts    Options
	log     *slog.Logger
	ua      *sip.UA
	board   *gpio.Board
	events  *eventlog.Log
	phone   *phone
	doorIO  *doorBoard
	ctrl    *door.Controller
	trim    *trimmer
	mqtt    *mqttBridge
	keys    *keypads                       // keypads and card readers against the users file
	api     atomic.Pointer[httpapi.Server] // the 2N-compatible API while it runs
	actions *action.Dispatcher

	started   time.Time // when Run began: `intercom ctl stats` reports it
	closeOnce sync.Once
}

// New builds every part; nothing runs until Run. On error everything built so far is closed.
func New(cfg *config.Config, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	a := &App{cfg: cfg, opts: opts, log: opts.Logger}
	var err error
	a.board, err = gpio.Open(cfg.GPIO, gpio.Options{Logger: a.log.With("part", "gpio"), Clock: opts.Clock, Driver: opts.GPIODriver})
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	a.ua, err = sip.NewUA(cfg.SIP, sip.Options{Logger: a.log.With("part", "sip"), Clock: opts.Clock})
	if err != nil {
		a.board.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	a.events = eventlog.New(eventlog.Config{Path: cfg.Door.Events.Path, MaxSize: cfg.Door.Events.MaxSize, Security: door.SecurityKinds()},
		eventlog.Options{Logger: a.log.With("part", "eventlog"), Clock: opts.Clock})
	recordFoundActive(a.events, a.board, "start")
	a.phone = newPhone(a.ua, cfg.Media, cfg.Audio, cfg.SIP.Listen, a.log.With("part", "call"), opts.Clock)
	a.phone.openPCM = opts.OpenPCM
	a.phone.fb.setPrompts(cfg.Prompts)
	a.phone.setTrust(newTrust(cfg.Door.Call.AllowFrom, cfg.Door.Door.Allowed))
	a.phone.forged = func(from string, o sip.Origin, why string) {
		a.events.AddFrom(EventIncomingForged, o.Source.String(), "from", from, "source", o.Source.String(), "reason", why)
	}
	a.phone.text = a.messageReceived
	a.trim = newTrimmer(opts.Clock, a.phone.busy)
	a.phone.idle = a.trim.idle
	a.doorIO = newDoorBoard(a.board)
	a.ctrl = door.New(cfg.Door, a.phone, a.doorIO, door.Options{
		Logger:         a.log.With("part", "door"),
		Clock:          opts.Clock,
		Events:         a.events,
		Notify:         opts.Notify,
		Heartbeat:      opts.Heartbeat,
		HeartbeatEvery: opts.HeartbeatEvery,
		OnStatus:       newDoorEvents(a.ua, opts.Clock.Now()).status,
	})
	a.mqtt = newMQTTBridge(a)
	a.actions = action.New(cfg.Actions, action.Options{Logger: a.log.With("part", "action"), Clock: opts.Clock})
	if a.keys, err = newKeypads(cfg, a.ctrl, opts.Clock, a.log.With("part", "access")); err != nil {
		a.board.Close()
		return nil, err
	}
	a.keys.pulse, a.keys.events = a.board.Pulse, a.events
	return a, nil
}

// Controller is the running state machine (for the control socket and tests).
func (a *App) Controller() *door.Controller { return a.ctrl }

// Board is the GPIO board (its Sim drives the "sim" chip).
func (a *App) Board() *gpio.Board { return a.board }

// UA is the SIP user agent.
func (a *App) UA() *sip.UA { return a.ua }

// Run runs until ctx ends, then stops: the controller hangs up, the UA unregisters, the
// board drives its safe levels. It returns the first part's error that was not a stop.
func (a *App) Run(ctx context.Context) error {
	a.started = a.opts.Clock.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer a.Close()

	// The group cancels ctx when a part fails; a part that stops because ctx ended is no
	// failure.
	g, ctx := errgroup.WithContext(ctx)
	start := func(name string, f func(context.Context) error, c context.Context) {
		g.Go(func() error {
			if err := f(c); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		})
	}
	loop := func(f func(context.Context), c context.Context) {
		g.Go(func() error { f(c); return nil })
	}
	// The UA outlives the controller by a moment so the controller's hang-ups and the UA's
	// un-REGISTER still go out during a graceful stop.
	uaCtx, uaCancel := context.WithCancel(context.Background())
	defer uaCancel()
	// The API first, so that it answers (and ctl status shows its fingerprint) by the time
	// SIP says ready.
	if api := a.startHTTP(); api != nil {
		start("http", api.Run, ctx)
		defer api.Close()
	}
	start("sip", a.ua.Run, uaCtx)
	start("gpio", a.board.Run, ctx)
	srv, err := a.listenControl()
	if err != nil {
		cancel()
		uaCancel()
		_ = g.Wait()
		return err
	}
	if srv != nil {
		start("control", srv.Run, ctx)
		defer srv.Close()
	}
	loop(func(c context.Context) { a.mqtt.run(c, a.cfg.MQTT) }, ctx)
	loop(a.runActions, ctx)
	loop(a.doorIO.run, ctx)
	loop(a.phone.run, uaCtx)
	loop(a.trim.run, ctx)
	loop(a.keys.run, ctx)
	loop(func(c context.Context) { a.phone.fb.run(c, a.events) }, ctx)
	a.startReaders(start, ctx)

	select {
	case <-a.ua.Ready():
	case <-ctx.Done():
	case <-a.opts.Clock.After(5 * time.Second):
		a.log.Warn("sip: not listening after 5s; running anyway")
	}
	if a.opts.Ready != nil {
		a.opts.Ready()
	}
	ctrlErr := a.ctrl.Run(ctx)
	a.doorIO.Halt()
	uaCancel()
	cancel() // a controller that stopped on its own stops the rest too
	partErr := g.Wait()
	if ctrlErr != nil && !errors.Is(ctrlErr, context.Canceled) {
		return ctrlErr
	}
	return partErr
}

// Reload applies a new config between events; what needs a restart (listen address, GPIO
// lines, accounts, the HTTP listener) is reported and kept as it was. [sip.scanner], [mqtt],
// [[action]] and [[http.user]] apply at once.
func (a *App) Reload(cfg *config.Config) error {
	kept := restartNeeded(a.cfg, cfg)
	if err := a.ctrl.Apply(cfg.Door); err != nil {
		return err
	}
	a.phone.setMedia(cfg.Media, cfg.Audio)
	a.phone.fb.setPrompts(cfg.Prompts)
	a.phone.setTrust(newTrust(cfg.Door.Call.AllowFrom, cfg.Door.Door.Allowed))
	a.ua.SetScanner(cfg.SIP.Scanner)
	a.ua.SetEvents(cfg.SIP.Events)
	a.mqtt.reload(cfg.MQTT)
	a.actions.SetActions(cfg.Actions)
	if api := a.api.Load(); api != nil {
		api.SetUsers(cfg.HTTP.Users, cfg.HTTP.Digest)
	}
	a.keys.reload(cfg)
	if len(kept) > 0 {
		a.log.Warn("reload: these changes take effect after a restart", "sections", kept)
	}
	return nil
}

// restartNeeded names the sections whose changes from old to cfg a reload cannot apply.
func restartNeeded(old, cfg *config.Config) []string {
	var kept []string
	oldSIP, newSIP := old.SIP, cfg.SIP
	oldSIP.Scanner, newSIP.Scanner = sip.ScannerConfig{}, sip.ScannerConfig{}
	oldSIP.Events, newSIP.Events = reloadedEvents(oldSIP.Events), reloadedEvents(newSIP.Events)
	if !reflect.DeepEqual(newSIP, oldSIP) {
		kept = append(kept, "sip/account")
	}
	if !reflect.DeepEqual(cfg.GPIO, old.GPIO) {
		kept = append(kept, "gpio lines")
	}
	if h, o := cfg.HTTP, old.HTTP; h.Enabled() != o.Enabled() || h.Listen != o.Listen || h.TLSCert != o.TLSCert || h.TLSKey != o.TLSKey || h.StateDir != o.StateDir {
		kept = append(kept, "http listener")
	}
	kept = append(kept, accessRestartNeeded(old, cfg)...)
	return kept
}

// Close releases the board (safe levels) and the event log; idempotent.
func (a *App) Close() error {
	var err error
	a.closeOnce.Do(func() {
		err = errors.Join(a.board.Close(), a.events.Close())
	})
	return err
}

// CallStats returns the media figures of the call in progress, if any.
func (a *App) CallStats() (media.Stats, bool) { return a.phone.stats() }

// VoiceStats returns the hands-free figures of the call in progress, if it is processed.
func (a *App) VoiceStats() (audio.VoiceStats, bool) { return a.phone.voiceStats() }
