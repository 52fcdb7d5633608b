package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/doorsip/intercom/internal/demo"
)

func demoCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	level := fs.String("log", "warn", "log level of the two units (debug, info, warn)")
	talk := fs.Duration("talk", 2*time.Second, "how long the call lasts before the door is opened")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, err := os.MkdirTemp("", "intercom-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintln(stdout, "intercom demo: a door station and an indoor unit on loopback (no hardware, no PBX)")
	if _, err := demo.Run(ctx, stdout, demo.Options{Dir: dir, LogLevel: *level, Talk: *talk}); err != nil {
		fmt.Fprintln(stderr, "demo FAILED:", err)
		return 1
	}
	fmt.Fprintln(stdout, "demo OK: bell -> ring -> answer -> audio both ways -> DTMF opens the door -> hang-up")
	return 0
}
