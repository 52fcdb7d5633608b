// Command intercom is the door-intercom firmware: one static binary that registers to a PBX,
// maps GPIO buttons, LEDs and a door relay onto calls, and streams two-way audio through ALSA.
//
// This file only parses the command line and dispatches; each subcommand lives in its own
// file and the work is done by the packages it wires together.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/doorsip/intercom/config"
)

// Set at link time by the Makefile (-X main.version=... -X main.commit=...); link-time
// constants are the one place where package variables are how Go does it.
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: intercom [command] [flags]

commands:
  run           run the intercom (the default): intercom run [-config FILE]
  check-config  check a config file and print every problem: intercom check-config FILE
  safe          drive every relay and LED to its safe level and exit: intercom safe [-config FILE]
  audio         sound cards: intercom audio list | intercom audio test [-capture D] [-playback D]
  ctl           talk to a running intercom: intercom ctl status | call URI | answer | hangup |
                open | press BUTTON | events -f   (intercom ctl -h for more)
  users         edit the users file (PINs, cards, schedules): intercom users list | add | remove | passwd
  echo          answer every call and play the caller back: intercom echo [-listen ADDR | -config FILE]
  demo          two intercoms on loopback: bell, ring, tones both ways, DTMF opens the door
  version       print version, commit, GOOS/GOARCH/GOARM
`

// dispatch returns the process exit status: 0 ok, 1 runtime failure, 2 usage or config error.
func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runCmd(args, stderr)
	case "check-config":
		return checkConfigCmd(args, stdout, stderr)
	case "safe":
		return safeCmd(args, stdout, stderr)
	case "audio":
		return runAudio(args, stdout, stderr, slog.New(slog.NewTextHandler(stderr, nil)))
	case "ctl":
		return runCtl(args, defaultSocket(), stdin, stdout, stderr)
	case "users":
		return usersCmd(args, stdin, stdout, stderr)
	case "echo":
		return echoCmd(args, stderr)
	case "demo":
		return demoCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "intercom: unknown command %q\n%s", cmd, usage)
	return 2
}

// defaultSocket is the control socket of the installed config, so that `intercom ctl status`
// works on a board without flags.
func defaultSocket() string {
	if cfg, err := config.Load(config.DefaultPath); err == nil && cfg.Door.Control.Socket != "" {
		return cfg.Door.Control.Socket
	}
	return "/run/intercom/ctl.sock"
}
