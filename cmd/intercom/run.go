package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/app"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/sdnotify"
	"github.com/doorsip/intercom/sip"
)

// stopGrace bounds a graceful stop: hang up, unregister, relay safe. systemd's default
// TimeoutStopSec is far longer; a door station should be back quickly after a restart.
const stopGrace = 2 * time.Second

func runCmd(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", config.DefaultPath, "config file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return configExit(stderr, err)
	}
	return serve(cfg, *path, nil, stderr)
}

// serve runs the intercom until SIGTERM/SIGINT; SIGHUP reloads path (after adjust, which
// lets `intercom echo` keep its overrides).
func serve(cfg *config.Config, path string, adjust func(*config.Config), stderr io.Writer) int {
	level := new(slog.LevelVar)
	level.Set(cfg.Log.Level)
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	sip.SetLibraryLogger(logger.With("part", "sipgo"))
	started := startNormal(logger)

	if cfg.Media.RTPriority > 0 {
		lockMemory(logger)
	}
	notifier := sdnotify.New(logger)
	opts := app.Options{
		Logger:  logger,
		Clock:   clock.Real{},
		Notify:  func(s string) { _ = notifier.Status(s) },
		Ready:   func() { raiseAll(started, logger); _ = notifier.Ready() },
		Version: version,
	}
	// Without WatchdogSec nobody listens: no heartbeat, so an idle door is not woken for it.
	if wd := notifier.WatchdogInterval(); wd > 0 {
		opts.Heartbeat = notifier.Heartbeat
		// A quarter of WatchdogSec: a loop that runs late once is not killed for it.
		opts.HeartbeatEvery = wd / 4
	}
	a, err := app.New(cfg, opts)
	if err != nil {
		logger.Error("start failed", "err", err)
		return 1
	}
	logger.Info("intercom starting", "version", version, "config", path, "listen", cfg.SIP.Listen,
		"accounts", len(cfg.SIP.Accounts), "gpio", cfg.GPIO.Chip, "capture", cfg.Audio.Capture, "playback", cfg.Audio.Playback)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	for {
		select {
		case err := <-done:
			if err != nil {
				logger.Error("intercom stopped", "err", err)
				return 1
			}
			return 0
		case s := <-sigs:
			if s == syscall.SIGHUP {
				reload(a, path, adjust, logger, level, notifier)
				continue
			}
			logger.Info("stopping", "signal", s.String())
			_ = notifier.Stopping()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					logger.Error("intercom stopped", "err", err)
					return 1
				}
				logger.Info("stopped")
				return 0
			case <-time.After(stopGrace):
				// Run's deferred Close has not returned: drive the hardware safe ourselves
				// before exiting rather than leave a relay energised.
				logger.Error("graceful stop took too long; forcing safe state and exiting")
				_ = a.Close()
				return 1
			}
		}
	}
}

// reload keeps the running config when the new file is bad: a typo pushed over SSH must not
// take a door station off the air.
func reload(a *app.App, path string, adjust func(*config.Config), logger *slog.Logger, level *slog.LevelVar, n *sdnotify.Notifier) {
	_ = n.Reloading()
	defer func() { _ = n.Ready() }()
	if path == "" {
		logger.Warn("reload: running on a built-in config; nothing to reload")
		return
	}
	cfg, err := config.Load(path)
	if err != nil {
		logger.Error("reload: keeping the running config", "problems", err.Error())
		return
	}
	if adjust != nil {
		adjust(cfg)
	}
	if err := a.Reload(cfg); err != nil {
		logger.Error("reload: keeping the running config", "err", err)
		return
	}
	level.Set(cfg.Log.Level)
	logger.Info("reload: config applied", "config", path)
}
