package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/app"
	"github.com/doorsip/intercom/internal/clock"
)

// safeCmd is `intercom safe [-config FILE]`: every relay and LED to its inactive level, then
// exit. The systemd unit runs it as ExecStopPost=, after every stop including SIGKILL, a
// watchdog kill and a crash, when no Close of the intercom's own has run.
func safeCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("safe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", config.DefaultPath, "config file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return configExit(stderr, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// ExecStopPost= runs under the unit's real-time policy too; this needs none.
	startNormal(logger)
	found, err := app.Safe(cfg, app.Options{Logger: logger, Clock: clock.Real{}})
	if err != nil {
		fmt.Fprintf(stderr, "intercom safe: %v\n", err)
		return 1
	}
	for _, r := range found {
		fmt.Fprintf(stderr, "intercom safe: relay %s was energised (the last run died with it on): now safe\n", r)
	}
	fmt.Fprintf(stdout, "intercom safe: %d relays, %d LEDs at their safe level on %s\n",
		len(cfg.GPIO.Relays), len(cfg.GPIO.LEDs), cfg.GPIO.Chip)
	return 0
}
