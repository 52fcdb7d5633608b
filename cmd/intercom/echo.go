package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/doorsip/intercom/config"
)

// echoConfig is `intercom echo` without -config: userless, answers anyone, no hardware.
const echoConfig = `
[sip]
listen = %q
[audio]
capture = "echo"
playback = "echo"
[gpio]
chip = "sim"
[call]
incoming = "auto"
max_duration = "10m"
[control]
socket = ""
`

// echoCmd answers every call and plays the caller back to itself (PJSUA's SimpleEcho): the
// quickest way to hear a station's round trip, and what tests time a tone burst against.
func echoCmd(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file (its [sip] and [[account]] are used; audio becomes the echo)")
	listen := fs.String("listen", "0.0.0.0:5060", "SIP address when no -config is given")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	adjust := func(c *config.Config) {
		c.Audio.Capture, c.Audio.Playback = "echo", "echo"
		c.Door.Call.Incoming = "auto"
	}
	var cfg *config.Config
	var err error
	if *path != "" {
		cfg, err = config.Load(*path)
	} else {
		cfg, err = config.Parse("echo (built in)", fmt.Appendf(nil, echoConfig, *listen))
	}
	if err != nil {
		return configExit(stderr, err)
	}
	adjust(cfg)
	return serve(cfg, *path, adjust, stderr)
}
